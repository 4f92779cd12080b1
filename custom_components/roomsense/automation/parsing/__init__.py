"""The pieces of the workflow parser (`automation.parser.WorkflowParser`).

Pattern mode in reading order: `text` (normalising, masking), `times` over the per-language
`time_tables`, `conditions` over `condition_tables` with `home_index`, `requests` (actions and
notifications); then `scheduling`, `judging` and `describing` turn the reading into a result.
"""
