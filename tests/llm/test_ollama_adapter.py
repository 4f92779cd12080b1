"""OllamaAdapter through the real ollama library against a local /api/chat server."""

from __future__ import annotations

import time
from typing import Any

import pytest

from custom_components.roomsense.language_models import (
    LLMConnectionError,
    LLMResponseError,
    LLMTimeoutError,
    Message,
    OllamaAdapter,
    ToolCall,
    ToolSpec,
)

from .conftest import FakeServer, json_reply, ndjson_reply, text_reply

PATH = "/api/chat"
TURN_ON = ToolSpec(
    "turn_on",
    "Turn a device on",
    {"type": "object", "properties": {"device": {"type": "string"}}, "required": ["device"]},
)


def chat(message: dict[str, Any], done: bool = True, **extra: Any) -> dict[str, Any]:
    return {
        "model": "llama3.1",
        "created_at": "2025-01-01T00:00:00Z",
        "message": {"role": "assistant", "content": "", **message},
        "done": done,
        **extra,
    }


def adapter_for(server: FakeServer, timeout: float = 2.0) -> OllamaAdapter:
    return OllamaAdapter(model="llama3.1", timeout=timeout, base_url=server.base_url)


async def test_complete_with_tool_call_and_request_shape(server: FakeServer) -> None:
    server.routes[PATH] = json_reply(
        chat(
            {"tool_calls": [{"function": {"name": "turn_on", "arguments": {"device": "fan"}}}]},
            done_reason="stop",
        )
    )
    response = await adapter_for(server).complete(
        [Message("system", "Home."), Message("user", "Fan on")], [TURN_ON]
    )
    assert response.tool_calls == (ToolCall("call_0", "turn_on", {"device": "fan"}),)
    assert response.finish_reason == "stop"
    (body,) = server.bodies(PATH)
    assert body["model"] == "llama3.1"
    assert body["stream"] is False
    assert body["messages"] == [
        {"role": "system", "content": "Home."},
        {"role": "user", "content": "Fan on"},
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


async def test_tool_results_are_fed_back(server: FakeServer) -> None:
    server.routes[PATH] = json_reply(chat({"content": "Done, the fan is on."}))
    history = [
        Message("user", "Fan on"),
        Message("assistant", tool_calls=(ToolCall("call_0", "turn_on", {"device": "fan"}),)),
        Message("tool", '{"success": true}', tool_call_id="call_0", name="turn_on"),
    ]
    response = await adapter_for(server).complete(history, [TURN_ON])
    assert response.text == "Done, the fan is on."
    messages = server.bodies(PATH)[0]["messages"]
    assert messages[1]["role"] == "assistant"
    assert messages[1]["tool_calls"] == [
        {"function": {"name": "turn_on", "arguments": {"device": "fan"}}}
    ]
    assert messages[2] == {"role": "tool", "content": '{"success": true}'}


async def test_stream_text_and_tool_calls(server: FakeServer) -> None:
    server.routes[PATH] = ndjson_reply(
        [
            chat({"content": "Turning "}, done=False),
            chat({"content": "on."}, done=False),
            chat(
                {"tool_calls": [{"function": {"name": "turn_on", "arguments": {"device": "fan"}}}]},
                done=False,
            ),
            chat({}, done=True, done_reason="stop"),
        ]
    )
    deltas = [d async for d in adapter_for(server).stream([Message("user", "x")], [TURN_ON])]
    assert [d.text for d in deltas if d.text] == ["Turning ", "on."]
    assert deltas[-1].tool_calls == (ToolCall("call_0", "turn_on", {"device": "fan"}),)
    assert deltas[-1].finish_reason == "stop"
    assert server.bodies(PATH)[0]["stream"] is True


async def test_http_500_raises_response_error(server: FakeServer) -> None:
    server.routes[PATH] = json_reply({"error": "model crashed"}, status=500)
    with pytest.raises(LLMResponseError, match="HTTP 500: model crashed"):
        await adapter_for(server).complete([Message("user", "x")])


@pytest.mark.parametrize(
    "reply",
    [
        text_reply("<html>oops</html>", content_type="text/html"),
        json_reply({"unexpected": True}),
        json_reply(chat({"tool_calls": [{"function": {"name": "f", "arguments": "[1]"}}]})),
    ],
)
async def test_garbage_raises_response_error(server: FakeServer, reply: Any) -> None:
    server.routes[PATH] = reply
    with pytest.raises(LLMResponseError):
        await adapter_for(server).complete([Message("user", "x")])


# httpx/openai/ollama leave nested async generators suspended when a stream fails;
# the loop closes them later, which the plugin would report as a lingering task.
@pytest.mark.parametrize("expected_lingering_tasks", [True])
@pytest.mark.usefixtures("drain_generators")
async def test_garbage_stream_raises_response_error(server: FakeServer) -> None:
    server.routes[PATH] = text_reply("{broken\n", content_type="application/x-ndjson")
    with pytest.raises(LLMResponseError):
        [d async for d in adapter_for(server).stream([Message("user", "x")])]


async def test_no_answer_times_out(server: FakeServer) -> None:
    server.routes[PATH] = server.hang
    started = time.monotonic()
    with pytest.raises(LLMTimeoutError):
        await adapter_for(server, timeout=0.3).complete([Message("user", "x")])
    assert time.monotonic() - started < 1.5


async def test_connection_refused(refused_url: str) -> None:
    adapter = OllamaAdapter(model="m", timeout=2, base_url=refused_url)
    with pytest.raises(LLMConnectionError):
        await adapter.complete([Message("user", "x")])


# httpx/openai/ollama leave nested async generators suspended when a stream fails;
# the loop closes them later, which the plugin would report as a lingering task.
@pytest.mark.parametrize("expected_lingering_tasks", [True])
@pytest.mark.usefixtures("drain_generators")
async def test_empty_stream_raises_response_error(server: FakeServer) -> None:
    server.routes[PATH] = text_reply("", content_type="application/x-ndjson")
    with pytest.raises(LLMResponseError, match="no chunks"):
        [d async for d in adapter_for(server).stream([Message("user", "x")])]


async def test_close_releases_the_http_client(server: FakeServer) -> None:
    """The automation API makes an adapter per parse: each must give its connections back."""
    server.routes[PATH] = json_reply(chat({"content": "hi"}, done_reason="stop"))
    adapter = adapter_for(server)
    await adapter.complete([Message("user", "hi")])
    http = (await adapter._get_client())._client
    assert not http.is_closed
    await adapter.close()
    assert http.is_closed
    await adapter.close()  # twice is fine
