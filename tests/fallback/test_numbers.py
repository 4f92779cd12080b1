"""The shared number reader: Japanese and English numbers in words, and corrections."""

from __future__ import annotations

import pytest

from custom_components.roomsense.fallback.numbers import (
    english_to_int,
    kanji_to_int,
    keep_corrected_values,
    read_numbers,
    spell_out_numbers,
)


@pytest.mark.parametrize(
    ("numeral", "value"),
    [("二十五", 25), ("十", 10), ("百", 100), ("百二十", 120), ("千五百", 1500), ("三〇", 30)],
)
def test_kanji_numerals(numeral: str, value: int) -> None:
    assert kanji_to_int(numeral) == value


@pytest.mark.parametrize(
    ("words", "value"),
    [
        ("twenty-five", 25),
        ("seventy five", 75),
        ("eleven", 11),
        ("one hundred and ten", 110),
        ("two thousand", 2000),
        ("forty", 40),
    ],
)
def test_english_number_words(words: str, value: int) -> None:
    assert english_to_int(words) == value


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("エアコンを二十五度にして", "エアコンを25度にして"),
        ("八チャンネルにして", "8チャンネルにして"),
        ("明るさを三割にして", "明るさを30%にして"),
        ("カーテンを半分開けて", "カーテンを50%開けて"),
        ("一番明るく", "一番明るく"),  # not a number: no counter follows
        ("set it to twenty-five degrees", "set it to 25 degrees"),
        ("seventy five percent brightness", "75 percent brightness"),
        ("channel eleven", "channel 11"),
        ("open the blinds a quarter", "open the blinds 25%"),
        ("turn on the one in the bedroom", "turn on the one in the bedroom"),
    ],
)
def test_numbers_in_words_become_digits(text: str, read: str) -> None:
    assert spell_out_numbers(text) == read


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("エアコンを25度、いや、27度にして", "エアコンを27度にして"),
        ("25度じゃなくて27度にして", "27度にして"),
        ("やっぱり", "やっぱり"),  # no value before it: nothing to drop
        ("set it to 22, no wait, 24", "set it to 24"),
        ("brightness 40 percent, actually 60 percent", "brightness 60 percent"),
        ("volume 10 i mean 12", "volume 12"),
    ],
)
def test_the_last_value_said_wins(text: str, kept: str) -> None:
    assert keep_corrected_values(text) == kept


def test_both_together() -> None:
    assert read_numbers("set it to twenty two, no wait, twenty four") == "set it to 24"
    assert read_numbers("二十五度、いや、二十七度") == "27度"
