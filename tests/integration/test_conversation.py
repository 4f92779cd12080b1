"""The agent end to end through Assist: commands reach the cloud, dangerous ones wait for a yes."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from homeassistant.components import conversation
from homeassistant.core import Context, HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser

from roomsense_simulator import Simulator

from ..conftest import SimulatorAdmin, commands_sent
from .conftest import entity_id

CEILING_LIGHT = "94A99021C3F4"
LOCK = "F8C9A1B2E3D4"
LEAVING = "T01-202404011300-71820345"


async def say(
    hass: HomeAssistant,
    agent: str,
    text: str,
    language: str,
    conversation_id: str | None = None,
    user: MockUser | None = None,
) -> conversation.ConversationResult:
    return await conversation.async_converse(
        hass,
        text,
        conversation_id,
        Context(user_id=user.id if user else None),
        language=language,
        agent_id=agent,
    )


def speech(result: conversation.ConversationResult) -> str:
    return str(result.response.speech["plain"]["speech"])


async def test_a_japanese_command_reaches_the_cloud(
    hass: HomeAssistant, agent: str, sim_admin: SimulatorAdmin
) -> None:
    result = await say(hass, agent, "リビングの電気を全部消して", "ja")
    assert result.response.response_type is not conversation.intent.IntentResponseType.ERROR
    assert [body["command"] for body in await commands_sent(sim_admin, CEILING_LIGHT)] == [
        "turnOff"
    ]
    assert speech(result)


async def test_an_english_scene(hass: HomeAssistant, agent: str, sim_admin: SimulatorAdmin) -> None:
    await say(hass, agent, "I'm leaving", "en")
    assert len(await sim_admin.api_calls(f"/scenes/{LEAVING}/execute")) == 1


async def test_unknown_input_does_nothing_and_says_so(
    hass: HomeAssistant, agent: str, sim_admin: SimulatorAdmin
) -> None:
    before = len(await sim_admin.calls())
    result = await say(hass, agent, "sing me a song about penguins", "en")
    assert speech(result)
    assert len(await sim_admin.calls()) == before


async def test_unlock_runs_only_after_yes(
    hass: HomeAssistant, agent: str, sim_admin: SimulatorAdmin
) -> None:
    asked = await say(hass, agent, "玄関の鍵を開けて", "ja")
    assert "はい" in speech(asked)
    assert asked.continue_conversation is True
    assert await commands_sent(sim_admin, LOCK) == []

    done = await say(hass, agent, "はい", "ja", asked.conversation_id)
    assert [body["command"] for body in await commands_sent(sim_admin, LOCK)] == ["unlock"]
    assert done.continue_conversation is False


@pytest.mark.parametrize(
    ("language", "utterance", "question", "answer"),
    [
        ("ja", "玄関の鍵を開けて", "玄関の鍵を開けますか？", "玄関の鍵を開けました。"),
        ("en", "unlock the front door", "Shall I unlock 玄関の鍵?", "玄関の鍵 is unlocked."),
    ],
)
async def test_the_question_and_the_answer_say_what_happens_in_words(
    hass: HomeAssistant,
    agent: str,
    sim_admin: SimulatorAdmin,
    language: str,
    utterance: str,
    question: str,
    answer: str,
) -> None:
    asked = await say(hass, agent, utterance, language)
    assert speech(asked).startswith(question)
    # The API's command name is for the cloud, not for people.
    assert "unlock」" not in speech(asked)
    assert "「unlock" not in speech(asked)
    done = await say(
        hass, agent, "はい" if language == "ja" else "yes", language, asked.conversation_id
    )
    assert speech(done) == answer
    assert [body["command"] for body in await commands_sent(sim_admin, LOCK)] == ["unlock"]


@pytest.mark.parametrize(
    ("language", "reply"),
    [
        ("en", "yesterday the door was open"),
        ("en", "yes and no"),
        ("ja", "はいらない"),
        ("ja", "うんざりだ"),
    ],
)
async def test_a_reply_that_only_starts_like_yes_does_not_unlock(
    hass: HomeAssistant, agent: str, sim_admin: SimulatorAdmin, language: str, reply: str
) -> None:
    asked = await say(hass, agent, "玄関の鍵を開けて", "ja")
    assert asked.continue_conversation is True
    await say(hass, agent, reply, language, asked.conversation_id)
    assert await commands_sent(sim_admin, LOCK) == []


@pytest.mark.parametrize(("language", "reply"), [("en", "yes and no"), ("ja", "はいらない")])
async def test_any_other_reply_cancels_the_pending_unlock(
    hass: HomeAssistant, agent: str, sim_admin: SimulatorAdmin, language: str, reply: str
) -> None:
    asked = await say(hass, agent, "玄関の鍵を開けて", "ja")
    await say(hass, agent, reply, language, asked.conversation_id)
    # Nothing is left to confirm: a "yes" now sends nothing.
    await say(hass, agent, "はい", "ja", asked.conversation_id)
    assert await commands_sent(sim_admin, LOCK) == []


@pytest.mark.parametrize(
    ("language", "reply"),
    [("en", "Yes, do it!"), ("en", "yes please"), ("ja", "はい、お願いします。"), ("ja", "うん")],
)
async def test_a_whole_yes_unlocks(
    hass: HomeAssistant, agent: str, sim_admin: SimulatorAdmin, language: str, reply: str
) -> None:
    asked = await say(hass, agent, "玄関の鍵を開けて", "ja")
    await say(hass, agent, reply, language, asked.conversation_id)
    assert [body["command"] for body in await commands_sent(sim_admin, LOCK)] == ["unlock"]


async def test_no_cancels_and_another_conversation_cannot_confirm(
    hass: HomeAssistant, agent: str, sim_admin: SimulatorAdmin
) -> None:
    asked = await say(hass, agent, "unlock the front door", "en")
    await say(hass, agent, "yes", "en")  # a new conversation: not an answer to the question
    cancelled = await say(hass, agent, "no", "en", asked.conversation_id)
    assert "Cancelled" in speech(cancelled)
    await say(hass, agent, "yes", "en", asked.conversation_id)
    assert await commands_sent(sim_admin, LOCK) == []


@pytest.mark.parametrize(("after", "unlocked"), [(59, True), (61, False)])
async def test_a_yes_counts_for_60_seconds(
    hass: HomeAssistant,
    agent: str,
    sim_admin: SimulatorAdmin,
    monkeypatch: pytest.MonkeyPatch,
    after: float,
    unlocked: bool,
) -> None:
    asked = await say(hass, agent, "unlock the front door", "en")
    later = time.monotonic() + after
    monkeypatch.setattr("custom_components.roomsense.pending.time.monotonic", lambda: later)
    await say(hass, agent, "yes", "en", asked.conversation_id)
    assert [call["command"] for call in await commands_sent(sim_admin, LOCK)] == (
        ["unlock"] if unlocked else []
    )


async def test_permissions_are_respected(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
    hass_read_only_user: MockUser,
) -> None:
    assert await async_setup_component(hass, "conversation", {})
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry,
        options={"permissions": {hass_read_only_user.id: {"categories": ["light"]}}},
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    agent = entity_id(hass, "conversation", f"{config_entry.entry_id}_conversation")

    refused = await say(hass, agent, "lock the front door", "en", user=hass_read_only_user)
    assert "not allowed" in speech(refused)
    assert await commands_sent(sim_admin, LOCK) == []
    await say(hass, agent, "リビングの電気を消して", "ja", user=hass_read_only_user)
    assert [body["command"] for body in await commands_sent(sim_admin, CEILING_LIGHT)] == [
        "turnOff"
    ]


async def test_night_mode_refuses_a_confirmed_unlock(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    assert await async_setup_component(hass, "conversation", {})
    assert await async_setup_component(hass, "persistent_notification", {})
    now = dt_util.now()
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry,
        options={
            "night_mode_start": (now - timedelta(hours=1)).strftime("%H:%M"),
            "night_mode_end": (now + timedelta(hours=1)).strftime("%H:%M"),
        },
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    agent = entity_id(hass, "conversation", f"{config_entry.entry_id}_conversation")

    asked = await say(hass, agent, "玄関の鍵を開けて", "ja")
    refused = await say(hass, agent, "はい", "ja", asked.conversation_id)
    assert "夜間安全モード" in speech(refused)
    assert await commands_sent(sim_admin, LOCK) == []


async def test_metrics_over_the_last_turns(
    hass: HomeAssistant, agent: str, config_entry: MockConfigEntry
) -> None:
    await say(hass, agent, "リビングの電気を消して", "ja")
    await say(hass, agent, "sing me a song about penguins", "en")
    await hass.async_block_till_done()
    rate = entity_id(hass, "sensor", f"{config_entry.entry_id}_intent_success_rate")
    p95 = entity_id(hass, "sensor", f"{config_entry.entry_id}_conversation_latency_p95")
    assert hass.states.get(rate).state == "50.0"
    assert float(hass.states.get(p95).state) > 0


async def test_a_yes_for_a_device_that_left_still_gets_an_answer(
    hass: HomeAssistant,
    agent: str,
    config_entry: MockConfigEntry,
    simulator: Simulator,
    sim_admin: SimulatorAdmin,
) -> None:
    asked = await say(hass, agent, "unlock the front door", "en")
    simulator.state.devices.pop(LOCK)
    await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()
    answered = await say(hass, agent, "yes", "en", asked.conversation_id)
    assert "did not work" in speech(answered)
    assert await commands_sent(sim_admin, LOCK) == []


# --- replies say what reached the cloud -----------------------------------------------------

BULB = "6055F93A8B21"
PLUG = "7C87CE5A10B2"


async def test_a_command_waiting_for_the_cloud_is_not_reported_as_done(
    hass: HomeAssistant, agent: str, sim_admin: SimulatorAdmin
) -> None:
    await sim_admin.fault(http_status=503, paths=["/v1.1/devices/"])

    english = speech(await say(hass, agent, "turn off the living room ceiling light", "en"))
    japanese = speech(await say(hass, agent, "リビングのシーリングライトを消して", "ja"))

    assert "not answering" in english
    assert "queued until the SwitchBot cloud is back" in english
    assert "クラウドが戻るまで待機中" in japanese
    assert all(call["status_code"] != 100 for call in await sim_admin.api_calls("/commands"))


async def test_a_reply_names_what_was_done_and_what_failed(
    hass: HomeAssistant, agent: str, sim_admin: SimulatorAdmin
) -> None:
    await sim_admin.set_online(BULB, False)

    reply = speech(await say(hass, agent, "turn off all the lights", "en"))

    done = [
        body["command"]
        for call in await sim_admin.api_calls(f"/devices/{CEILING_LIGHT}/commands")
        if call["status_code"] == 100
        for body in [call["body"]]
    ]
    assert "寝室の電球" in reply
    assert ("リビングのシーリングライト" in reply) == (done == ["turnOff"])


async def test_a_command_listed_as_dangerous_is_asked_in_words(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    assert await async_setup_component(hass, "conversation", {})
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry, options={"dangerous_commands": ["Plug Mini (JP):turnOn"]}
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    agent = entity_id(hass, "conversation", f"{config_entry.entry_id}_conversation")

    asked = await say(hass, agent, "コーヒーメーカーのプラグをつけて", "ja")

    assert speech(asked).startswith("コーヒーメーカーのプラグをオンにしますか")
    assert "turnOn" not in speech(asked)
    assert await commands_sent(sim_admin, PLUG) == []
    done = await say(hass, agent, "はい", "ja", asked.conversation_id)
    assert speech(done) == "コーヒーメーカーのプラグをオンにしました。"
    assert [body["command"] for body in await commands_sent(sim_admin, PLUG)] == ["turnOn"]
