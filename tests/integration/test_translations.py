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


def test_every_text_is_a_valid_message_for_the_frontend() -> None:
    """The frontend formats texts as ICU messages: a brace that is not a placeholder must be
    quoted ('{...}'), or the form shows "Translation error: MALFORMED_ARGUMENT".
    """
    for language in ("en", "ja"):
        for key, text in load(language).items():
            unquoted = re.sub(r"'[{}][^']*'", "", text)
            leftover = re.sub(r"{\w+}", "", unquoted)
            assert "{" not in leftover, (language, key)
            assert "}" not in leftover, (language, key)
