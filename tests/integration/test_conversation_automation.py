"""Automations said to Assist become rules after a yes, instead of acting now."""

from __future__ import annotations

import json
from typing import Any

from homeassistant.components import conversation
from homeassistant.core import Context, HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.roomsense.shared import get_shared

from ..conftest import SimulatorAdmin
from ..llm.conftest import FakeServer
from .conftest import entity_id
from .test_conversation_model import PATH, model, scripted, text, tool_call  # noqa: F401

PLUG = "7C87CE5A10B2"
LOCK = "F8C9A1B2E3D4"


async def start_agent(
    hass: HomeAssistant, config_entry: MockConfigEntry, options: dict[str, Any]
) -> str:
    assert await async_setup_component(hass, "conversation", {})
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(config_entry, options=options)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    return entity_id(hass, "conversation", f"{config_entry.entry_id}_conversation")


async def say(
    hass: HomeAssistant, agent: str, words: str, conversation_id: str | None = None
) -> conversation.ConversationResult:
    return await conversation.async_converse(
        hass, words, conversation_id, Context(), language="ja", agent_id=agent
    )


def speech(result: conversation.ConversationResult) -> str:
    return str(result.response.speech["plain"]["speech"])


async def commands(sim_admin: SimulatorAdmin, device_id: str) -> list[str]:
    calls = await sim_admin.api_calls(f"/devices/{device_id}/commands")
    return [call["body"]["command"] for call in calls]


async def test_a_rule_in_words_is_saved_after_yes(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    agent = await start_agent(hass, config_entry, {})
    asked = await say(hass, agent, "毎朝7時にコーヒーメーカーのプラグをつけて")
    assert speech(asked).startswith("次の自動化を作ります: 毎日 07:00に")
    assert asked.continue_conversation is True
    # Nothing happened now: the user asked for mornings.
    assert await commands(sim_admin, PLUG) == []
    assert get_shared(hass).automation.rules == {}

    saved = await say(hass, agent, "はい", asked.conversation_id)
    assert speech(saved).startswith("自動化「")
    assert saved.continue_conversation is False
    (rule,) = get_shared(hass).automation.rules.values()
    assert rule["schedule"] == {"type": "daily", "time": "07:00"}
    assert rule["actions"][0]["device_id"] == PLUG


async def test_no_means_no_rule(hass: HomeAssistant, config_entry: MockConfigEntry) -> None:
    agent = await start_agent(hass, config_entry, {})
    asked = await say(hass, agent, "暑かったらエアコンつけて")
    assert speech(asked).startswith("次の自動化を作ります: 温度が28℃以上のとき")
    cancelled = await say(hass, agent, "いいえ", asked.conversation_id)
    assert speech(cancelled) == "取り消しました。"
    assert get_shared(hass).automation.rules == {}


async def test_an_unlocking_rule_is_explained_not_offered(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    agent = await start_agent(hass, config_entry, {})
    answer = await say(hass, agent, "毎朝7時に玄関の鍵を開けて")
    assert "自動化できない" in speech(answer)
    assert answer.continue_conversation is False
    follow_up = await say(hass, agent, "はい", answer.conversation_id)
    assert "解錠" not in speech(follow_up)
    assert await commands(sim_admin, LOCK) == []
    assert get_shared(hass).automation.rules == {}


async def test_a_command_for_now_still_acts_now(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    agent = await start_agent(hass, config_entry, {})
    await say(hass, agent, "コーヒーメーカーのプラグをつけて")
    assert await commands(sim_admin, PLUG) == ["turnOn"]
    assert get_shared(hass).automation.rules == {}


async def test_the_model_proposes_the_rule_and_the_user_confirms(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    model: FakeServer,  # noqa: F811 - the fixture
    sim_admin: SimulatorAdmin,
) -> None:
    agent = await start_agent(
        hass,
        config_entry,
        {
            "llm_provider": "openai",
            "llm_base_url": f"{model.base_url}/v1",
            "llm_model": "test-model",
            "llm_api_key": "sk-test",
            "llm_timeout": 5,
        },
    )
    workflow = {
        "name": "Coffee at seven",
        "actions": [{"type": "device_command", "device_id": PLUG, "command": "turnOn"}],
        "schedule": {"type": "daily", "time": "07:00"},
    }
    model.routes[PATH] = scripted(
        tool_call("create_automation", {"request": "毎朝7時にコーヒーを"}),
        text(json.dumps(workflow)),  # the parser's own call, in model mode
        text("毎朝7時にコーヒーメーカーをつける自動化を作りますか？"),
    )
    asked = await say(hass, agent, "毎朝7時にコーヒーを淹れられるようにして")
    assert speech(asked) == "毎朝7時にコーヒーメーカーをつける自動化を作りますか？"
    assert asked.continue_conversation is True
    tool_result = json.loads(model.bodies(PATH)[2]["messages"][-1]["content"])
    assert tool_result["error"] == "confirmation_required"
    assert await commands(sim_admin, PLUG) == []

    saved = await say(hass, agent, "はい", asked.conversation_id)
    assert speech(saved) == "自動化「Coffee at seven」を保存しました。"
    assert len(model.bodies(PATH)) == 3  # the yes needs no model
    (rule,) = get_shared(hass).automation.rules.values()
    assert rule["name"] == "Coffee at seven"
