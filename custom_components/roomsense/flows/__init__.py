"""The steps of RoomSense's config and options flows, by subject.

`config_flow.py` keeps the ConfigFlow class, where Home Assistant looks for it: the SwitchBot
account's steps, with the Bluetooth discovery steps of `bluetooth` and the add-on discovery of
`addon` mixed in. `options` is the options menu; `schemas` holds the forms' fields.
"""
