"""Deterministic Japanese/English understanding of home commands, used without a model.

The parser tags the utterance with the longest known phrases (device names, areas, kinds,
operations, values), then decides on one request and the devices it applies to. When in
doubt it asks or explains instead of acting: a wrong action is worse than none.

`core` holds the `FallbackParser` facade; `index` and `scan` find the phrases, `clauses`
splits a sentence into requests, `requests` decides the operation, `targets` the devices,
`questions` and `features` answer and bind feature words, `replies` says it all back.
"""

from __future__ import annotations

from .core import FallbackParser
from .replies import comfort_setpoint
from .text import detect_language, normalize

__all__ = ["FallbackParser", "comfort_setpoint", "detect_language", "normalize"]
