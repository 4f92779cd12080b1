"""The agent with a language model: the tool loop, and the parser whenever the model fails."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from homeassistant.components import conversation
from homeassistant.components.conversation.chat_log import DATA_CHAT_LOGS
from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.core import Context, HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from ..conftest import SimulatorAdmin
from ..llm.conftest import FakeServer
from .conftest import entity_id, set_up_agent

CEILING_LIGHT = "94A99021C3F4"
LOCK = "F8C9A1B2E3D4"
PATH = "/v1/chat/completions"


def reply(message: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "test-model",
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
    }


def tool_call(name: str, arguments: dict[str, Any], call_id: str = "call_1") -> dict[str, Any]:
    return reply(
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": call_id,
                    "type": "function",
                    "function": {"name": name, "arguments": json.dumps(arguments)},
                }
            ],
        }
    )


def text(content: str) -> dict[str, Any]:
    return reply({"role": "assistant", "content": content})


def scripted(*answers: dict[str, Any]) -> Callable[[web.Request], Any]:
    """Answer the n-th request with the n-th answer (the last one repeats)."""
    count = 0

    async def handler(request: web.Request) -> web.StreamResponse:
        nonlocal count
        answer = answers[min(count, len(answers) - 1)]
        count += 1
        raw = await request.read()  # (read once by the fake server, kept by aiohttp)
        body = json.loads(raw) if raw else {}
        if body.get("stream"):
            return await streamed(request, answer)
        return web.json_response(answer)

    return handler


async def streamed(request: web.Request, answer: dict[str, Any]) -> web.StreamResponse:
    """The same answer as a server streams it: SSE chunks, tool calls by index, [DONE]."""
    message = answer["choices"][0]["message"]
    calls = message.get("tool_calls") or []
    events: list[dict[str, Any]] = [{"role": "assistant", "content": message.get("content") or ""}]
    events += [{"tool_calls": [{"index": index, **call}]} for index, call in enumerate(calls)]
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
    await response.prepare(request)
    for delta in events:
        chunk = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1}
        chunk |= {
            "model": "test-model",
            "choices": [{"index": 0, "delta": delta, "finish_reason": None}],
        }
        await response.write(f"data: {json.dumps(chunk)}\n\n".encode())
    finish = "tool_calls" if calls else "stop"
    last = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1}
    last |= {"model": "test-model", "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]}
    await response.write(f"data: {json.dumps(last)}\n\ndata: [DONE]\n\n".encode())
    await response.write_eof()
    return response


@pytest.fixture
async def model(socket_enabled: None) -> AsyncIterator[FakeServer]:
    """An OpenAI-compatible server on 127.0.0.1."""
    fake = FakeServer()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", fake.dispatch)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    fake.base_url = str(server.make_url("")).rstrip("/")
    yield fake
    fake.release.set()
    await server.close()


@pytest.fixture
def hass_api() -> bool:
    """Whether the model also gets Home Assistant's Assist tools."""
    return False


@pytest.fixture
async def agent(
    hass: HomeAssistant, config_entry: MockConfigEntry, model: FakeServer, hass_api: bool
) -> str:
    return await set_up_agent(
        hass,
        config_entry,
        {
            "llm_provider": "openai",
            "llm_base_url": f"{model.base_url}/v1",
            "llm_model": "test-model",
            "llm_api_key": "sk-test",
            "llm_timeout": 3,
            "llm_hass_api": hass_api,
        },
    )


async def say(
    hass: HomeAssistant, agent: str, words: str, language: str, conversation_id: str | None = None
) -> conversation.ConversationResult:
    return await conversation.async_converse(
        hass, words, conversation_id, Context(), language=language, agent_id=agent
    )


def speech(result: conversation.ConversationResult) -> str:
    return str(result.response.speech["plain"]["speech"])


async def commands(sim_admin: SimulatorAdmin, device_id: str) -> list[str]:
    calls = await sim_admin.api_calls(f"/devices/{device_id}/commands")
    return [call["body"]["command"] for call in calls]


async def test_the_model_acts_through_the_tools(
    hass: HomeAssistant, agent: str, model: FakeServer, sim_admin: SimulatorAdmin
) -> None:
    model.routes[PATH] = scripted(
        tool_call("send_command", {"device_id": CEILING_LIGHT, "command": "turnOff"}),
        text("リビングの電気を消しました。"),
    )
    result = await say(hass, agent, "暑いし眩しいから電気消して", "ja")
    assert speech(result) == "リビングの電気を消しました。"
    assert await commands(sim_admin, CEILING_LIGHT) == ["turnOff"]

    first, second = model.bodies(PATH)
    assert {tool["function"]["name"] for tool in first["tools"]} == {
        "get_devices", "get_status", "send_command", "get_scenes", "exec_scene",
        "create_automation",
    }  # fmt: skip
    assert first["messages"][0]["role"] == "system"
    assert CEILING_LIGHT in first["messages"][0]["content"]
    tool_result = second["messages"][-1]
    assert tool_result["role"] == "tool"
    assert json.loads(tool_result["content"])["outcome"] == "sent"


async def test_the_chat_log_shows_the_streamed_answer_and_every_tool_call(
    hass: HomeAssistant, agent: str, model: FakeServer, sim_admin: SimulatorAdmin
) -> None:
    # What Assist's debug view shows: the tool call, its result, the answer (once).
    model.routes[PATH] = scripted(
        tool_call("send_command", {"device_id": CEILING_LIGHT, "command": "turnOff"}),
        text("リビングの電気を消しました。"),
    )
    result = await say(hass, agent, "電気消して", "ja")
    chat_log = hass.data[DATA_CHAT_LOGS][result.conversation_id]
    contents = [content.as_dict() for content in chat_log.content]
    assert [content["role"] for content in contents] == [
        "system", "user", "assistant", "tool_result", "assistant",
    ]  # fmt: skip
    call = contents[2]["tool_calls"][0]
    assert (call.tool_name, call.tool_args["device_id"]) == ("send_command", CEILING_LIGHT)
    assert call.external  # run by RoomSense's gateway, never by the chat log
    assert contents[3]["tool_name"] == "send_command"
    assert chat_log.content[3].result.data["outcome"] == "sent"  # type: ignore[union-attr]
    assert contents[4]["content"] == "リビングの電気を消しました。"
    assert speech(result) == "リビングの電気を消しました。"


async def test_a_dangerous_command_from_the_model_waits_for_the_user(
    hass: HomeAssistant, agent: str, model: FakeServer, sim_admin: SimulatorAdmin
) -> None:
    model.routes[PATH] = scripted(
        tool_call("send_command", {"device_id": LOCK, "command": "unlock"}),
        text("玄関の鍵を開けてもいいですか？"),
    )
    asked = await say(hass, agent, "鍵開けといて", "ja")
    assert await commands(sim_admin, LOCK) == []
    assert json.loads(model.bodies(PATH)[1]["messages"][-1]["content"])["error"] == (
        "confirmation_required"
    )
    assert asked.continue_conversation is True
    await say(hass, agent, "はい", "ja", asked.conversation_id)
    assert await commands(sim_admin, LOCK) == ["unlock"]


async def test_the_tool_loop_stops_after_five_rounds(
    hass: HomeAssistant, agent: str, model: FakeServer
) -> None:
    model.routes[PATH] = scripted(tool_call("get_devices", {}))
    result = await say(hass, agent, "what do I have?", "en")
    assert len(model.bodies(PATH)) == 5
    assert speech(result)


@pytest.mark.parametrize(
    "answer",
    [
        web.json_response({"error": "boom"}, status=500),
        web.Response(text="<html>not json</html>", content_type="text/html"),
        None,  # never answers within llm_timeout
    ],
    ids=["500", "garbage", "timeout"],
)
async def test_a_failing_model_falls_back_to_the_parser(
    hass: HomeAssistant,
    agent: str,
    model: FakeServer,
    sim_admin: SimulatorAdmin,
    answer: web.Response | None,
) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        if answer is None:
            return await model.hang(request)
        return answer

    model.routes[PATH] = handler
    result = await say(hass, agent, "リビングの電気を消して", "ja")
    assert await commands(sim_admin, CEILING_LIGHT) == ["turnOff"]
    assert speech(result)


@pytest.mark.parametrize("hass_api", [True])
async def test_home_assistant_tools_drive_exposed_entities(
    hass: HomeAssistant,
    agent: str,
    model: FakeServer,
    sim_admin: SimulatorAdmin,
    config_entry: MockConfigEntry,
) -> None:
    light = entity_id(hass, "light", f"{CEILING_LIGHT}_light")
    lock = entity_id(hass, "lock", f"{LOCK}_lock")
    for entity in (light, lock):
        async_expose_entity(hass, conversation.DOMAIN, entity, True)
    light_name = hass.states.get(light).name
    lock_name = hass.states.get(lock).name
    model.routes[PATH] = scripted(
        tool_call("intent__HassTurnOn", {"name": light_name}, "call_1"),
        tool_call("intent__HassTurnOff", {"name": lock_name}, "call_2"),
        text("done"),
    )
    await say(hass, agent, "lights on, and open the door", "en")
    await hass.async_block_till_done()

    offered = {tool["function"]["name"] for tool in model.bodies(PATH)[0]["tools"]}
    # Home Assistant's tools come on top of RoomSense's own, never instead of them.
    assert {
        "intent__HassTurnOn",
        "intent__HassTurnOff",
        "send_command",
        "create_automation",
    } <= offered
    assert await commands(sim_admin, CEILING_LIGHT) == ["turnOn"]
    # Unlocking through Home Assistant's tools would skip the confirmation: refused.
    refusal = json.loads(model.bodies(PATH)[2]["messages"][-1]["content"])
    assert refusal["error"] == "confirmation_required"
    assert await commands(sim_admin, LOCK) == []
