"""OpenAIAdapter through the real openai library against a local chat-completions server."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from custom_components.roomsense.language_models import (
    LLMConnectionError,
    LLMResponseError,
    LLMTimeoutError,
    Message,
    OpenAIAdapter,
    ToolCall,
    ToolSpec,
)

from .conftest import FakeServer, json_reply, sse_reply, text_reply

PATH = "/v1/chat/completions"
TURN_ON = ToolSpec(
    "turn_on",
    "Turn a device on",
    {"type": "object", "properties": {"device": {"type": "string"}}, "required": ["device"]},
)
CONVERSATION = [Message("system", "You run a home."), Message("user", "Turn on the fan")]


def completion(message: dict[str, Any], finish_reason: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "test-model",
        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }


def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "test-model",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    }


CREATED: list[OpenAIAdapter] = []


@pytest.fixture(autouse=True)
async def close_adapters() -> AsyncIterator[None]:
    """Close every client made by `adapter_for` (the library would do it in __del__)."""
    yield
    while CREATED:
        await CREATED.pop().close()


def adapter_for(server: FakeServer, timeout: float = 2.0) -> OpenAIAdapter:
    adapter = OpenAIAdapter(
        model="test-model", timeout=timeout, base_url=f"{server.base_url}/v1", api_key="sk-test"
    )
    CREATED.append(adapter)
    return adapter


async def test_complete_with_tool_call(server: FakeServer) -> None:
    server.routes[PATH] = json_reply(
        completion(
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_abc",
                        "type": "function",
                        "function": {"name": "turn_on", "arguments": '{"device": "fan"}'},
                    }
                ],
            },
            "tool_calls",
        )
    )
    adapter = adapter_for(server)
    response = await adapter.complete(CONVERSATION, [TURN_ON])
    await adapter.close()

    assert response.tool_calls == (ToolCall("call_abc", "turn_on", {"device": "fan"}),)
    assert response.text == ""
    assert response.finish_reason == "tool_calls"
    (body,) = server.bodies(PATH)
    assert body["model"] == "test-model"
    assert body["messages"] == [
        {"role": "system", "content": "You run a home."},
        {"role": "user", "content": "Turn on the fan"},
    ]
    assert body["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "turn_on",
                "description": "Turn a device on",
                "parameters": TURN_ON.parameters,
            },
        }
    ]
    assert "stream" not in body or body["stream"] is False
    assert server.received[0].headers["Authorization"] == "Bearer sk-test"


async def test_tool_results_are_fed_back(server: FakeServer) -> None:
    server.routes[PATH] = json_reply(
        completion({"role": "assistant", "content": "The fan is on."}, "stop")
    )
    adapter = adapter_for(server)
    history = [
        *CONVERSATION,
        Message("assistant", tool_calls=(ToolCall("call_abc", "turn_on", {"device": "fan"}),)),
        Message("tool", '{"success": true}', tool_call_id="call_abc", name="turn_on"),
    ]
    response = await adapter.complete(history, [TURN_ON])

    assert response.text == "The fan is on."
    assert response.tool_calls == ()
    messages = server.bodies(PATH)[0]["messages"]
    assert messages[2] == {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_abc",
                "type": "function",
                "function": {"name": "turn_on", "arguments": '{"device": "fan"}'},
            }
        ],
    }
    assert messages[3] == {
        "role": "tool",
        "tool_call_id": "call_abc",
        "content": '{"success": true}',
    }


async def test_reasoning_extra_field_is_read(server: FakeServer) -> None:
    server.routes[PATH] = json_reply(
        completion(
            {"role": "assistant", "content": "Hi", "reasoning_content": "User says hi."}, "stop"
        )
    )
    response = await adapter_for(server).complete([Message("user", "hi")])
    assert (response.text, response.reasoning) == ("Hi", "User says hi.")


async def test_stream_text_and_fragmented_tool_calls(server: FakeServer) -> None:
    server.routes[PATH] = sse_reply(
        [
            chunk({"role": "assistant", "content": "Turning "}),
            chunk({"content": "on."}),
            chunk(
                {
                    "tool_calls": [
                        {
                            "index": 0,
                            "id": "call_1",
                            "type": "function",
                            "function": {"name": "turn_on", "arguments": ""},
                        }
                    ]
                }
            ),
            chunk(
                {
                    "tool_calls": [
                        {
                            "index": 1,
                            "id": "call_2",
                            "type": "function",
                            "function": {"name": "turn_on", "arguments": '{"dev'},
                        }
                    ]
                }
            ),
            chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"device"'}}]}),
            chunk({"tool_calls": [{"index": 0, "function": {"arguments": ': "fan"}'}}]}),
            chunk({"tool_calls": [{"index": 1, "function": {"arguments": 'ice": "lamp"}'}}]}),
            chunk({}, "tool_calls"),
        ]
    )
    adapter = adapter_for(server)
    deltas = [delta async for delta in adapter.stream(CONVERSATION, [TURN_ON])]

    assert [delta.text for delta in deltas if delta.text] == ["Turning ", "on."]
    assert deltas[-1].tool_calls == (
        ToolCall("call_1", "turn_on", {"device": "fan"}),
        ToolCall("call_2", "turn_on", {"device": "lamp"}),
    )
    assert deltas[-1].finish_reason == "tool_calls"
    body = server.bodies(PATH)[0]
    assert body["stream"] is True
    assert body["tools"][0]["function"]["name"] == "turn_on"


# httpx/openai/ollama leave nested async generators suspended when a stream fails;
# the loop closes them later, which the plugin would report as a lingering task.
@pytest.mark.parametrize("expected_lingering_tasks", [True])
@pytest.mark.usefixtures("drain_generators")
async def test_stream_with_broken_tool_arguments_raises(server: FakeServer) -> None:
    server.routes[PATH] = sse_reply(
        [
            chunk(
                {
                    "tool_calls": [
                        {"index": 0, "id": "c", "function": {"name": "turn_on", "arguments": "{"}}
                    ]
                }
            ),
            chunk({}, "tool_calls"),
        ]
    )
    with pytest.raises(LLMResponseError, match="invalid JSON arguments"):
        [delta async for delta in adapter_for(server).stream(CONVERSATION, [TURN_ON])]


async def test_invalid_tool_arguments_raise(server: FakeServer) -> None:
    message = {
        "role": "assistant",
        "tool_calls": [
            {"id": "c", "type": "function", "function": {"name": "turn_on", "arguments": "nope"}}
        ],
    }
    server.routes[PATH] = json_reply(completion(message, "tool_calls"))
    with pytest.raises(LLMResponseError, match="invalid JSON arguments"):
        await adapter_for(server).complete(CONVERSATION, [TURN_ON])


async def test_http_500_raises_response_error(server: FakeServer) -> None:
    server.routes[PATH] = json_reply({"error": {"message": "model crashed"}}, status=500)
    with pytest.raises(LLMResponseError, match="HTTP 500") as err:
        await adapter_for(server).complete(CONVERSATION)
    assert err.value.status == 500
    # No retries: the caller falls back at once.
    assert len(server.received) == 1


@pytest.mark.parametrize(
    "reply",
    [
        text_reply("<html>not json</html>", content_type="text/html"),
        text_reply("{not json", content_type="application/json"),
        json_reply({"unexpected": True}),
        json_reply({"choices": []}),
    ],
)
async def test_garbage_raises_response_error(server: FakeServer, reply: Any) -> None:
    server.routes[PATH] = reply
    with pytest.raises(LLMResponseError):
        await adapter_for(server).complete(CONVERSATION)


# httpx/openai/ollama leave nested async generators suspended when a stream fails;
# the loop closes them later, which the plugin would report as a lingering task.
@pytest.mark.parametrize("expected_lingering_tasks", [True])
@pytest.mark.usefixtures("drain_generators")
async def test_garbage_stream_raises_response_error(server: FakeServer) -> None:
    server.routes[PATH] = text_reply("data: {broken\n\n", content_type="text/event-stream")
    with pytest.raises(LLMResponseError):
        [delta async for delta in adapter_for(server).stream(CONVERSATION)]


async def test_no_answer_times_out(server: FakeServer) -> None:
    server.routes[PATH] = server.hang
    started = time.monotonic()
    with pytest.raises(LLMTimeoutError):
        await adapter_for(server, timeout=0.3).complete(CONVERSATION)
    assert time.monotonic() - started < 1.5


# httpx/openai/ollama leave nested async generators suspended when a stream fails;
# the loop closes them later, which the plugin would report as a lingering task.
@pytest.mark.parametrize("expected_lingering_tasks", [True])
@pytest.mark.usefixtures("drain_generators")
async def test_stream_no_answer_times_out(server: FakeServer) -> None:
    server.routes[PATH] = server.hang
    started = time.monotonic()
    with pytest.raises(LLMTimeoutError):
        [delta async for delta in adapter_for(server, timeout=0.3).stream(CONVERSATION)]
    assert time.monotonic() - started < 1.5


async def test_connection_refused(refused_url: str) -> None:
    adapter = OpenAIAdapter(model="m", timeout=2, base_url=f"{refused_url}/v1")
    CREATED.append(adapter)
    with pytest.raises(LLMConnectionError):
        await adapter.complete(CONVERSATION)


def test_tool_arguments_round_trip_as_json_string() -> None:
    """The library wants arguments as a JSON string; ours are a dict."""
    from custom_components.roomsense.language_models.openai_adapter import to_openai_messages

    (item,) = to_openai_messages([Message("assistant", tool_calls=(ToolCall("i", "f", {"a": 1}),))])
    assert json.loads(item["tool_calls"][0]["function"]["arguments"]) == {"a": 1}


# httpx/openai/ollama leave nested async generators suspended when a stream fails;
# the loop closes them later, which the plugin would report as a lingering task.
@pytest.mark.parametrize("expected_lingering_tasks", [True])
@pytest.mark.usefixtures("drain_generators")
async def test_stream_of_plain_text_raises_response_error(server: FakeServer) -> None:
    server.routes[PATH] = text_reply("hello, not a stream")
    with pytest.raises(LLMResponseError, match="no chunks"):
        [delta async for delta in adapter_for(server).stream(CONVERSATION)]


def test_the_turn_context_joins_the_leading_system_message_for_chat_apis() -> None:
    """Many chat templates take a system message only first: a later one is moved there."""
    from custom_components.roomsense.language_models.ollama_adapter import to_ollama_messages
    from custom_components.roomsense.language_models.openai_adapter import to_openai_messages

    messages = [
        Message("system", "Rules."),
        Message("user", "hi"),
        Message("assistant", "hello"),
        Message("system", "Now: 18:00"),
        Message("user", "again"),
    ]
    for convert in (to_openai_messages, to_ollama_messages):
        converted = convert(messages)
        assert [item["role"] for item in converted] == ["system", "user", "assistant", "user"]
        assert converted[0]["content"] == "Rules.\n\nNow: 18:00"
        assert converted[-1]["content"] == "again"
    # A single leading system message passes unchanged.
    assert to_openai_messages(messages[:3])[0] == {"role": "system", "content": "Rules."}
