"""Readers of loosely typed values: event fields and workflow data as they come."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any


def _letters(text: Any) -> str:
    return "".join(character for character in str(text or "").lower() if character.isalpha())


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value == 1
    return _letters(value) in ("true", "on", "detected", "yes", "wet", "leak")


def _items(value: Any) -> list[Mapping[str, Any]]:
    if not isinstance(value, list | tuple):
        return []
    return [item for item in value if isinstance(item, Mapping)]
