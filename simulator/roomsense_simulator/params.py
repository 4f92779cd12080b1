"""Decoding and validating command parameters.

The reference types `parameter` as a string, but real clients send numbers and JSON objects
too (§3.3), so every decoder accepts the natural JSON form as well as its string spelling.
Every failure raises `InvalidParameterError`, which the engine answers with statusCode 190.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from typing import Any

_INTEGER = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_RGB = re.compile(r"(\d{1,3}):(\d{1,3}):(\d{1,3})")


class InvalidParameterError(ValueError):
    """A command parameter that the device cannot accept (statusCode 190)."""


def integer(value: Any, minimum: int, maximum: int, *, name: str = "parameter") -> int:
    """An integer in [minimum, maximum], given as a JSON number or a decimal string."""
    number: int | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        number = int(value.strip())
    if number is None:
        raise InvalidParameterError(f"{name} must be an integer, got {value!r}")
    if not minimum <= number <= maximum:
        raise InvalidParameterError(f"{name} must be within {minimum}-{maximum}, got {number}")
    return number


def number(value: Any, minimum: float, maximum: float, *, name: str = "parameter") -> float:
    """A number in [minimum, maximum], given as a JSON number or a decimal string."""
    result: float | None = None
    if isinstance(value, bool):
        result = None
    elif isinstance(value, int | float):
        result = float(value)
    elif isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        result = float(value.strip())
    if result is None:
        raise InvalidParameterError(f"{name} must be a number, got {value!r}")
    if not minimum <= result <= maximum:
        raise InvalidParameterError(
            f"{name} must be within {minimum:g}-{maximum:g}, got {result:g}"
        )
    return result


def choice(value: Any, options: Collection[str], *, name: str = "parameter") -> str:
    """One of a fixed set of strings (numbers are compared by their decimal spelling)."""
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text, str) or text not in options:
        raise InvalidParameterError(f"{name} must be one of {sorted(options)}, got {value!r}")
    return text


def boolean(value: Any, *, name: str = "parameter") -> bool:
    """`true`/`false` as a JSON boolean or as the strings "true"/"false"."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    raise InvalidParameterError(f"{name} must be true or false, got {value!r}")


def text(value: Any, *, name: str = "parameter") -> str:
    """A non-empty free-text string (that is not the placeholder "default")."""
    if not isinstance(value, str) or not value.strip() or value == "default":
        raise InvalidParameterError(f"{name} must be a non-empty string, got {value!r}")
    return value


def json_object(value: Any) -> dict[str, Any]:
    """A JSON object, sent as an object or as a string holding one."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as error:
            raise InvalidParameterError(f"parameter must be a JSON object: {error}") from None
    if not isinstance(value, dict):
        raise InvalidParameterError(f"parameter must be a JSON object, got {value!r}")
    return value


def rgb(value: Any) -> str:
    """An "R:G:B" colour with each part 0-255, normalised (no leading zeros)."""
    match = _RGB.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise InvalidParameterError(f'colour must look like "255:128:0", got {value!r}')
    parts = [int(part) for part in match.groups()]
    if any(part > 255 for part in parts):
        raise InvalidParameterError(f"colour parts must be within 0-255, got {value!r}")
    return ":".join(str(part) for part in parts)


def fields(value: Any, separator: str, count: int) -> list[str]:
    """A compound string such as "0,ff,80" or "up;60", split into exactly `count` parts."""
    if not isinstance(value, str):
        raise InvalidParameterError(f"parameter must be a string, got {value!r}")
    parts = [part.strip() for part in value.split(separator)]
    if len(parts) != count or not all(parts):
        raise InvalidParameterError(
            f"parameter must have {count} parts separated by {separator!r}, got {value!r}"
        )
    return parts
