"""Turns that follow one another: "which one?" answered, timers and one-shot rules for later."""

from __future__ import annotations

import time
from datetime import datetime

import pytest
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.roomsense.shared import get_shared

from ..conftest import SimulatorAdmin, commands_sent
from .test_conversation import say, speech

CEILING_LIGHT = "94A99021C3F4"
BEDROOM_LAMP = "6055F93A8B21"
FAN = "A4C1382B7E90"
TV = "01-202404011235-55120943"
HOME_SCENE = "T01-202404011302-19283746"


async def commands(sim_admin: SimulatorAdmin, device_id: str) -> list[str]:
    return await commands_sent(sim_admin, device_id, "command")


async def test_the_answer_to_which_one_acts_on_the_device_it_names(
    hass: HomeAssistant, agent: str, sim_admin: SimulatorAdmin
) -> None:
    asked = await say(hass, agent, "電気つけて", "ja")
    assert speech(asked).startswith("どれのことですか？")
    assert asked.continue_conversation is True
    assert await commands(sim_admin, CEILING_LIGHT) == []
    assert await commands(sim_admin, BEDROOM_LAMP) == []

    answered = await say(hass, agent, "寝室の", "ja", asked.conversation_id)
    assert speech(answered) == "寝室の電球をつけます。"
    assert answered.continue_conversation is False
    assert await commands(sim_admin, BEDROOM_LAMP) == ["turnOn"]
    assert await commands(sim_admin, CEILING_LIGHT) == []


async def test_both_is_an_answer_too(
    hass: HomeAssistant, agent: str, sim_admin: SimulatorAdmin
) -> None:
    asked = await say(hass, agent, "turn on the light", "en")
    await say(hass, agent, "both", "en", asked.conversation_id)
    assert await commands(sim_admin, CEILING_LIGHT) == ["turnOn"]
    assert await commands(sim_admin, BEDROOM_LAMP) == ["turnOn"]


async def test_a_new_request_instead_of_an_answer_is_that_request(
    hass: HomeAssistant, agent: str, sim_admin: SimulatorAdmin
) -> None:
    asked = await say(hass, agent, "turn on the light", "en")
    other = await say(hass, agent, "turn off the bedroom lamp", "en", asked.conversation_id)
    assert speech(other).startswith("Turning off the ")
    assert await commands(sim_admin, BEDROOM_LAMP) == ["turnOff"]
    assert await commands(sim_admin, CEILING_LIGHT) == []
    # The question was answered by moving on: "the bedroom one" now is no answer to it.
    late = await say(hass, agent, "the bedroom one", "en", asked.conversation_id)
    assert await commands(sim_admin, BEDROOM_LAMP) == ["turnOff"]
    assert "didn't" in speech(late)


async def test_another_conversation_cannot_answer(
    hass: HomeAssistant, agent: str, sim_admin: SimulatorAdmin
) -> None:
    await say(hass, agent, "turn on the light", "en")
    await say(hass, agent, "the bedroom one", "en")
    assert await commands(sim_admin, BEDROOM_LAMP) == []


async def test_an_answer_after_a_minute_is_too_late(
    hass: HomeAssistant,
    agent: str,
    sim_admin: SimulatorAdmin,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked = await say(hass, agent, "turn on the light", "en")
    later = time.monotonic() + 61
    monkeypatch.setattr("custom_components.roomsense.pending.time.monotonic", lambda: later)
    await say(hass, agent, "the bedroom one", "en", asked.conversation_id)
    assert await commands(sim_admin, BEDROOM_LAMP) == []


async def test_an_offset_uses_the_fans_own_timer_not_a_rule(
    hass: HomeAssistant, agent: str, sim_admin: SimulatorAdmin
) -> None:
    result = await say(hass, agent, "run the fan for 30 minutes", "en")
    assert speech(result).endswith("; it switches itself off in 30 minutes.")
    assert await commands_sent(sim_admin, FAN, "command", "parameter") == [
        ("turnOn", "default"),
        ("closeDelay", "1800"),
    ]
    assert get_shared(hass).automation.rules == {}


async def test_a_delay_without_a_device_timer_offers_a_one_shot_rule(
    hass: HomeAssistant, agent: str, sim_admin: SimulatorAdmin, config_entry: MockConfigEntry
) -> None:
    asked = await say(hass, agent, "30分後にリビングの電気を消して", "ja")
    assert speech(asked).startswith("次の自動化を作ります:")
    assert asked.continue_conversation is True
    assert await commands(sim_admin, CEILING_LIGHT) == []  # nothing now

    saved = await say(hass, agent, "はい", "ja", asked.conversation_id)
    assert speech(saved).startswith("自動化「")
    (rule,) = get_shared(hass).automation.rules.values()
    assert rule["schedule"]["type"] == "once"
    minutes = datetime.fromisoformat(rule["schedule"]["at"]) - datetime.now().astimezone()
    assert 29 * 60 <= minutes.total_seconds() <= 30 * 60 + 5
    assert rule["actions"][0]["device_id"] == CEILING_LIGHT
    assert rule["actions"][0]["command"] == "turnOff"
    assert await commands(sim_admin, CEILING_LIGHT) == []


async def test_a_turn_that_sends_nothing_says_so(
    hass: HomeAssistant, agent: str, sim_admin: SimulatorAdmin
) -> None:
    before = len(await sim_admin.calls())
    result = await say(hass, agent, "Start the washing machine", "en")
    assert "didn't do anything" in speech(result)
    assert len(await sim_admin.calls()) == before


async def test_a_scene_and_a_command_in_one_sentence(
    hass: HomeAssistant, agent: str, sim_admin: SimulatorAdmin
) -> None:
    result = await say(hass, agent, "ただいま、テレビもつけて", "ja")
    assert speech(result) == "シーン「帰宅」を実行します。リビングのテレビをつけます。"
    assert len(await sim_admin.api_calls(f"/scenes/{HOME_SCENE}/execute")) == 1
    assert await commands(sim_admin, TV) == ["turnOn"]
