"""The English and Japanese translations say the same things."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

TRANSLATIONS = Path(__file__).parents[2] / "custom_components" / "roomsense" / "translations"


def flatten(node: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in node.items():
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def load(language: str) -> dict[str, str]:
    return flatten(json.loads((TRANSLATIONS / f"{language}.json").read_text(encoding="utf-8")))


def test_same_keys_and_placeholders() -> None:
    english, japanese = load("en"), load("ja")
    assert set(english) == set(japanese)
    for key, text in english.items():
        assert japanese[key].strip(), key
        placeholders = set(re.findall(r"{(\w+)}", text))
        assert placeholders == set(re.findall(r"{(\w+)}", japanese[key])), key
