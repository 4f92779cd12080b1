"""How bench/intent_bench.py scores a turn: what passes, and what kind of miss the rest is."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.fixture(scope="module")
def bench() -> Any:
    sys.path.insert(0, str(BENCH))  # the bench imports its _harness as a sibling
    try:
        spec = importlib.util.spec_from_file_location("_intent_bench", BENCH / "intent_bench.py")
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["_intent_bench"] = module
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(BENCH))


BULB, LIGHT, LOCK = "6055F93A8B21", "94A99021C3F4", "F8C9A1B2E3D4"
LEAVING = "T01-202404011300-71820345"


def sent(bench: Any, device: str, command: str, parameter: Any = "default") -> Any:
    return bench.Sent(device, command, parameter, "command")


def test_a_scene_plus_commands(bench: Any) -> None:
    expect = [{"scene": LEAVING, "commands": [{"device": BULB, "command": "turnOff"}]}]
    assert bench.passes(expect, [sent(bench, BULB, "turnOff")], [LEAVING], "")
    assert not bench.passes(expect, [], [LEAVING], "")
    assert not bench.passes([{"scene": LEAVING}], [sent(bench, BULB, "turnOff")], [LEAVING], "")


def test_booleans_compare_by_value(bench: Any) -> None:
    want = {"device": BULB, "command": "setChildLock", "parameter": {"$subset": {"on": True}}}
    assert bench.command_matches(want, sent(bench, BULB, "setChildLock", {"on": "true"}))
    assert not bench.command_matches(want, sent(bench, BULB, "setChildLock", {"on": "false"}))
    assert bench.parameter_matches(True, "True")
    assert not bench.parameter_matches(True, "false")


@pytest.mark.parametrize(
    ("got", "kind"),
    [
        ([], "nothing"),
        ([("BULB", "turnOn")], "partial"),
        ([("BULB", "turnOn"), ("LIGHT", "turnOn")], "wrong"),
        ([("LOCK", "unlock")], "wrong"),
    ],
)
def test_misses_are_told_apart(bench: Any, got: list[tuple[str, str]], kind: str) -> None:
    ids = {"BULB": BULB, "LIGHT": LIGHT, "LOCK": LOCK}
    expect = [
        {
            "commands": [
                {"device": BULB, "command": "turnOn"},
                {"device": BULB, "command": "setBrightness", "parameter": "50"},
            ]
        }
    ]
    turns = [sent(bench, ids[device], command) for device, command in got]
    assert bench.miss_kind(expect, turns, []) == kind


def test_a_wrong_command_on_a_lock_is_counted_as_such(bench: Any) -> None:
    utterance = {"lang": "en", "category": "light", "text": "x", "expect": [{"commands": []}]}
    turn = bench.Turn(utterance, False, 1.0, [sent(bench, LOCK, "unlock")], [], "")
    assert turn.miss == "wrong"
    assert bench._touches_entrance(turn)
