"""Automation proposals from what the home reported, and the checks a workflow must pass.

Pure Python without Home Assistant. `propose` reads recent device events (the
`roomsense_event` bus event, a SwitchBot webhook body, or the seed API's AutomationEvent;
snake_case or camelCase keys) and suggests rules in five categories. `validate` checks any
suggested workflow against the schema, the home and the rules already saved.

Suggested rules speak Home Assistant's vocabulary, as the condition evaluator reads them: a
`device_state` condition on a device compares its main entity's state ("on" for an open
contact, detected motion, a light or a plug that is on; "unlocked" for a lock).
"""

from __future__ import annotations

from .const import CATEGORIES, Category
from .proposing import propose
from .validation import validate

__all__ = [
    "CATEGORIES",
    "Category",
    "propose",
    "validate",
]
