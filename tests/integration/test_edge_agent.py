"""The agent hands instructions to edge devices with the `agent` capability."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from homeassistant.components import conversation
from homeassistant.core import Context, HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser

from custom_components.roomsense.edge import EdgeManager
from custom_components.roomsense.edge import agent as edge_agent
from custom_components.roomsense.shared import get_shared

from ..llm.conftest import FakeServer
from .conftest import entity_id
from .edge_helpers import EdgeDeviceClient, register
from .test_conversation_model import (  # noqa: F401 - the fixture
    PATH,
    model,
    scripted,
    streamed,
    text,
    tool_call,
)

ENGLISH = "Check whether the garage door is open"


async def start_agent(
    hass: HomeAssistant, config_entry: MockConfigEntry, options: dict[str, Any]
) -> str:
    assert await async_setup_component(hass, "conversation", {})
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(config_entry, options=options)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    return entity_id(hass, "conversation", f"{config_entry.entry_id}_conversation")


def model_options(server: FakeServer) -> dict[str, Any]:
    return {
        "llm_provider": "openai",
        "llm_base_url": f"{server.base_url}/v1",
        "llm_model": "test-model",
        "llm_api_key": "sk-test",
        "llm_timeout": 5,
    }


async def say(
    hass: HomeAssistant, agent: str, words: str, language: str, user_id: str | None = None
) -> str:
    result = await conversation.async_converse(
        hass, words, None, Context(user_id=user_id), language=language, agent_id=agent
    )
    return str(result.response.speech["plain"]["speech"])


async def serve_one_job(device: EdgeDeviceClient, result: Any) -> dict[str, Any]:
    """The device's firmware: wait for a job, answer it, return what it was asked."""
    status, job = await device.next(wait=10)
    assert status == 200
    assert job is not None
    response = await device.report(job["job_id"], result=result)
    assert response.status == 200
    return job


async def test_the_model_sends_an_english_instruction_and_summarises_in_japanese(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    model: FakeServer,  # noqa: F811 - the fixture
    admin: TestClient,
    device_http: TestClient,
) -> None:
    jetson = await register(admin, device_http, capabilities=["agent", "camera"])
    await register(admin, device_http, "Pico", "pico_w", capabilities=["gpio"])
    agent = await start_agent(hass, config_entry, model_options(model))
    turns = iter(
        [
            tool_call(
                "run_on_edge_device",
                {"device": "Garage Jetson", "instruction": "ガレージのドアが開いているか見て"},
            ),
            text("ガレージのドアは閉まっています。"),
        ]
    )

    async def handler(request: web.Request) -> web.StreamResponse:
        body = await request.json()
        if body["messages"][0]["content"] == edge_agent.TRANSLATE_PROMPT:
            return web.json_response(text(ENGLISH))
        # The agent's own turns stream; the translation is one request.
        return await streamed(request, next(turns))

    model.routes[PATH] = handler
    device = asyncio.create_task(serve_one_job(jetson, {"answer": "The door is closed."}))
    await asyncio.sleep(0.05)  # the device is long-polling, so it counts as connected
    reply = await say(hass, agent, "ガレージのドアが開いてるか確認して", "ja")
    job = await asyncio.wait_for(device, 5)

    assert reply == "ガレージのドアは閉まっています。"
    assert job["instruction"] == ENGLISH
    first, translation, last = model.bodies(PATH)
    tools = {tool["function"]["name"]: tool["function"] for tool in first["tools"]}
    assert "run_on_edge_device" in tools
    assert "Garage Jetson (jetson)" in tools["run_on_edge_device"]["description"]
    assert "Pico" not in tools["run_on_edge_device"]["description"]
    assert translation["messages"][1]["content"] == "ガレージのドアが開いているか見て"
    outcome = json.loads(last["messages"][-1]["content"])
    assert (outcome["status"], outcome["result"]) == (
        "succeeded",
        {"answer": "The door is closed."},
    )
    record = get_shared(hass).tools.audit.records[-1]
    assert (record.command, record.source) == ("run_on_edge_device:Garage Jetson", "edge")


async def test_without_an_agent_device_there_is_no_edge_tool(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    model: FakeServer,  # noqa: F811 - the fixture
    admin: TestClient,
    device_http: TestClient,
) -> None:
    await register(admin, device_http, "Pico", "pico_w", capabilities=["gpio"])
    agent = await start_agent(hass, config_entry, model_options(model))
    model.routes[PATH] = scripted(text("I can only answer from what I know."))
    assert await say(hass, agent, "Is the garage door open?", "en") == (
        "I can only answer from what I know."
    )
    (only,) = model.bodies(PATH)
    assert "run_on_edge_device" not in {tool["function"]["name"] for tool in only["tools"]}


# --- without a model ----------------------------------------------------------------------


@pytest.fixture
async def fallback_agent(
    hass: HomeAssistant, config_entry: MockConfigEntry, edge: EdgeManager
) -> str:
    return await start_agent(hass, config_entry, {})


@pytest.mark.parametrize(
    ("words", "language", "instruction", "reply"),
    [
        (
            "Ask the Garage Jetson to count the cars in the driveway.",
            "en",
            "count the cars in the driveway",
            "Garage Jetson says: 3 cars",
        ),
        (
            "garage jetsonに車の数を数えてと頼んで",
            "ja",
            "車の数を数えて",
            "Garage Jetsonの結果: 3 cars",
        ),
    ],
)
async def test_without_a_model_the_words_go_as_they_are(
    hass: HomeAssistant,
    fallback_agent: str,
    admin: TestClient,
    device_http: TestClient,
    words: str,
    language: str,
    instruction: str,
    reply: str,
) -> None:
    jetson = await register(admin, device_http, capabilities=["agent"])
    device = asyncio.create_task(serve_one_job(jetson, {"answer": "3 cars"}))
    await asyncio.sleep(0.05)
    assert await say(hass, fallback_agent, words, language) == reply
    job = await asyncio.wait_for(device, 5)
    assert job["instruction"] == instruction


async def test_an_offline_device_gets_no_job(
    hass: HomeAssistant,
    fallback_agent: str,
    edge: EdgeManager,
    admin: TestClient,
    device_http: TestClient,
) -> None:
    jetson = await register(admin, device_http, capabilities=["agent"])
    reply = await say(hass, fallback_agent, "ask garage jetson to look outside", "en")
    assert reply == "Garage Jetson is offline right now."
    assert edge.device_jobs(jetson.device_id) == []
    # Nothing was sent, and the audit log says so.
    assert get_shared(hass).tools.audit.records[-1].outcome == "failed"


async def test_a_job_nobody_takes_in_time_is_cancelled(
    hass: HomeAssistant,
    fallback_agent: str,
    edge: EdgeManager,
    admin: TestClient,
    device_http: TestClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(edge_agent, "AGENT_WAIT", 0.1)
    jetson = await register(admin, device_http, capabilities=["agent"])
    assert (await jetson.next(wait=0))[0] == 204  # seen: connected, but busy elsewhere
    reply = await say(hass, fallback_agent, "ask garage jetson to look outside", "en")
    assert reply == "Garage Jetson did not answer in time."
    (job,) = edge.device_jobs(jetson.device_id)
    assert job.status == "cancelled"
    assert (await jetson.next(wait=0))[0] == 204


async def test_a_restricted_user_may_not_use_edge_devices(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    edge: EdgeManager,
    admin: TestClient,
    device_http: TestClient,
    hass_read_only_user: MockUser,
) -> None:
    agent = await start_agent(
        hass,
        config_entry,
        {"permissions": {hass_read_only_user.id: {"categories": ["light"]}}},
    )
    jetson = await register(admin, device_http, capabilities=["agent"])
    assert (await jetson.next(wait=0))[0] == 204
    reply = await say(
        hass, agent, "ask garage jetson to open the gate", "en", user_id=hass_read_only_user.id
    )
    assert reply == "You are not allowed to use the edge devices."
    assert edge.device_jobs(jetson.device_id) == []
    record = get_shared(hass).tools.audit.records[-1]
    assert (record.user_id, record.outcome, record.source) == (
        hass_read_only_user.id,
        "denied_permission",
        "edge",
    )
