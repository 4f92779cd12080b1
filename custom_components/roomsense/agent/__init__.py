"""The conversation agent's turn: routing, the model, the fallback parser, confirmations.

`turn.TurnHandler` is what the conversation entity calls; `phrases` holds every reply
the agent words itself, one table per language.
"""
