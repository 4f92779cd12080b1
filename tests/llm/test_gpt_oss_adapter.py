"""GPTOSSAdapter against local llama.cpp `/completion` and Ollama `/api/generate` servers."""

from __future__ import annotations

import time
from typing import Any

import aiohttp
import pytest

from custom_components.roomsense.language_models import (
    GPTOSSAdapter,
    LLMConnectionError,
    LLMResponseError,
    LLMTimeoutError,
    Message,
    ToolCall,
    ToolSpec,
)

from .conftest import FakeServer, json_reply, ndjson_reply, sse_reply, text_reply

TURN_ON = ToolSpec(
    "turn_on",
    "Turn a device on",
    {"type": "object", "properties": {"device": {"type": "string"}}, "required": ["device"]},
)
CONVERSATION = [Message("system", "You run a home."), Message("user", "Turn on the fan")]
TOOL_CALL_TEXT = (
    "<|channel|>analysis<|message|>Need turn_on.<|end|><|start|>assistant<|channel|>"
    'commentary to=functions.turn_on <|constrain|>json<|message|>{"device":"fan"}'
)
FINAL_TEXT = (
    "<|channel|>analysis<|message|>Done.<|end|><|start|>assistant<|channel|>final"
    "<|message|>The fan is on."
)


def llama(server: FakeServer, session: aiohttp.ClientSession, **kwargs: Any) -> GPTOSSAdapter:
    kwargs.setdefault("timeout", 2.0)
    return GPTOSSAdapter(
        session=session,
        base_url=server.base_url,
        model="gpt-oss:20b",
        current_date=lambda: "2025-06-28",
        **kwargs,
    )


async def test_llama_cpp_tool_call_round_trip(
    server: FakeServer, session: aiohttp.ClientSession
) -> None:
    server.routes["/completion"] = json_reply(
        {"content": TOOL_CALL_TEXT, "stop": True, "stop_type": "eos", "tokens_predicted": 20}
    )
    adapter = llama(server, session, reasoning_effort="high", temperature=0.5)
    response = await adapter.complete(CONVERSATION, [TURN_ON])

    assert response.tool_calls == (ToolCall("call_0_turn_on", "turn_on", {"device": "fan"}),)
    assert response.reasoning == "Need turn_on."
    assert response.finish_reason == "tool_calls"
    (body,) = server.bodies("/completion")
    assert body["prompt"] == adapter.render(CONVERSATION, [TURN_ON])
    assert body["prompt"].startswith("<|start|>system<|message|>")
    assert "Reasoning: high" in body["prompt"]
    assert "Current date: 2025-06-28" in body["prompt"]
    assert "# Instructions\n\nYou run a home." in body["prompt"]
    assert "type turn_on = (_: {\ndevice: string,\n}) => any;" in body["prompt"]
    assert body["prompt"].endswith(
        "<|start|>user<|message|>Turn on the fan<|end|><|start|>assistant"
    )
    assert body["stop"] == ["<|return|>", "<|call|>"]
    assert body["n_predict"] == 1024
    assert body["temperature"] == 0.5
    assert body["stream"] is False


async def test_tool_results_are_fed_back(
    server: FakeServer, session: aiohttp.ClientSession
) -> None:
    server.routes["/completion"] = json_reply({"content": FINAL_TEXT, "stop_type": "word"})
    history = [
        *CONVERSATION,
        Message(
            "assistant",
            reasoning="Need turn_on.",
            tool_calls=(ToolCall("call_0_turn_on", "turn_on", {"device": "fan"}),),
        ),
        Message("tool", '{"success": true}', tool_call_id="call_0_turn_on"),
    ]
    response = await llama(server, session).complete(history, [TURN_ON])
    assert response.text == "The fan is on."
    assert response.finish_reason == "stop"
    prompt = server.bodies("/completion")[0]["prompt"]
    assert prompt.endswith(
        "<|start|>assistant<|channel|>analysis<|message|>Need turn_on.<|end|>"
        "<|start|>assistant to=functions.turn_on<|channel|>commentary <|constrain|>json"
        '<|message|>{"device":"fan"}<|call|>'
        "<|start|>functions.turn_on to=assistant<|channel|>commentary"
        '<|message|>{"success": true}<|end|><|start|>assistant'
    )


async def test_token_limit_gives_length(server: FakeServer, session: aiohttp.ClientSession) -> None:
    server.routes["/completion"] = json_reply({"content": FINAL_TEXT, "stop_type": "limit"})
    response = await llama(server, session).complete(CONVERSATION)
    assert (response.text, response.finish_reason) == ("The fan is on.", "length")


async def test_llama_cpp_stream(server: FakeServer, session: aiohttp.ClientSession) -> None:
    pieces = ["<|channel|>analysis<|message|>Do", "ne.<|end|><|start|>assistant<|chan", "nel|>fi"]
    pieces += ["nal<|message|>The fan", " is on.<", "|return|>"]
    events: list[dict[str, Any]] = [{"content": piece, "stop": False} for piece in pieces]
    events.append({"content": "", "stop": True, "stop_type": "eos"})
    server.routes["/completion"] = sse_reply(events, done=False)
    deltas = [d async for d in llama(server, session).stream(CONVERSATION)]

    assert "".join(d.reasoning for d in deltas) == "Done."
    assert [d.text for d in deltas if d.text] == ["The fan", " is on."]
    assert deltas[-1].finish_reason == "stop"
    assert server.bodies("/completion")[0]["stream"] is True


async def test_llama_cpp_stream_tool_call(
    server: FakeServer, session: aiohttp.ClientSession
) -> None:
    events = [{"content": TOOL_CALL_TEXT[:50]}, {"content": TOOL_CALL_TEXT[50:]}]
    events.append({"content": "", "stop": True, "stop_type": "word"})
    server.routes["/completion"] = sse_reply(events, done=False)
    deltas = [d async for d in llama(server, session).stream(CONVERSATION, [TURN_ON])]
    assert not any(d.text for d in deltas)
    assert deltas[-1].tool_calls == (ToolCall("call_0_turn_on", "turn_on", {"device": "fan"}),)
    assert deltas[-1].finish_reason == "tool_calls"


async def test_ollama_generate_raw(server: FakeServer, session: aiohttp.ClientSession) -> None:
    server.routes["/api/generate"] = json_reply(
        {"model": "gpt-oss:20b", "response": FINAL_TEXT, "done": True, "done_reason": "stop"}
    )
    adapter = llama(server, session, backend="ollama", max_tokens=64)
    response = await adapter.complete(CONVERSATION)
    assert response.text == "The fan is on."
    (body,) = server.bodies("/api/generate")
    assert body["raw"] is True
    assert body["stream"] is False
    assert body["model"] == "gpt-oss:20b"
    assert body["prompt"] == adapter.render(CONVERSATION, [])
    assert body["options"] == {"num_predict": 64, "stop": ["<|return|>", "<|call|>"]}


async def test_ollama_generate_stream(server: FakeServer, session: aiohttp.ClientSession) -> None:
    server.routes["/api/generate"] = ndjson_reply(
        [
            {"response": FINAL_TEXT[:60], "done": False},
            {"response": FINAL_TEXT[60:], "done": False},
            {"response": "", "done": True, "done_reason": "length"},
        ]
    )
    deltas = [d async for d in llama(server, session, backend="ollama").stream(CONVERSATION)]
    assert "".join(d.text for d in deltas) == "The fan is on."
    assert deltas[-1].finish_reason == "length"


@pytest.mark.parametrize(
    ("reply", "match"),
    [
        (json_reply({"error": "boom"}, status=500), "HTTP 500"),
        (text_reply("<html>garbage</html>"), "invalid JSON"),
        (json_reply({"unexpected": 1}), "no 'content'"),
        (json_reply(["a"]), "non-object"),
        (json_reply({"content": "<|channel|>analysis<|message|>Hmm, the user"}), "only reasoning"),
        (
            json_reply({"content": '<|channel|>commentary to=functions.turn_on<|message|>{"dev'}),
            "unusable tool call",
        ),
    ],
)
async def test_failures_raise_response_error(
    server: FakeServer, session: aiohttp.ClientSession, reply: Any, match: str
) -> None:
    server.routes["/completion"] = reply
    with pytest.raises(LLMResponseError, match=match):
        await llama(server, session).complete(CONVERSATION, [TURN_ON])


# httpx/openai/ollama leave nested async generators suspended when a stream fails;
# the loop closes them later, which the plugin would report as a lingering task.
@pytest.mark.parametrize("expected_lingering_tasks", [True])
@pytest.mark.usefixtures("drain_generators")
async def test_garbage_stream(server: FakeServer, session: aiohttp.ClientSession) -> None:
    server.routes["/completion"] = text_reply("data: {nope\n\n", content_type="text/event-stream")
    with pytest.raises(LLMResponseError, match="invalid JSON"):
        [d async for d in llama(server, session).stream(CONVERSATION)]


# httpx/openai/ollama leave nested async generators suspended when a stream fails;
# the loop closes them later, which the plugin would report as a lingering task.
@pytest.mark.parametrize("expected_lingering_tasks", [True])
@pytest.mark.usefixtures("drain_generators")
async def test_no_answer_times_out(server: FakeServer, session: aiohttp.ClientSession) -> None:
    server.routes["/completion"] = server.hang
    started = time.monotonic()
    with pytest.raises(LLMTimeoutError):
        await llama(server, session, timeout=0.3).complete(CONVERSATION)
    with pytest.raises(LLMTimeoutError):
        [d async for d in llama(server, session, timeout=0.3).stream(CONVERSATION)]
    assert time.monotonic() - started < 2


async def test_connection_refused(refused_url: str, session: aiohttp.ClientSession) -> None:
    adapter = GPTOSSAdapter(session=session, base_url=refused_url, model="m", timeout=2)
    with pytest.raises(LLMConnectionError):
        await adapter.complete(CONVERSATION)


def test_bad_settings_are_rejected(session: aiohttp.ClientSession) -> None:
    with pytest.raises(ValueError, match="backend"):
        GPTOSSAdapter(session=session, base_url="http://x", model="m", timeout=1, backend="vllm")
    with pytest.raises(ValueError, match="reasoning effort"):
        GPTOSSAdapter(
            session=session, base_url="http://x", model="m", timeout=1, reasoning_effort="max"
        )


LOST_TOKENS_TEXT = (
    'analysisNeed turn_on.assistantcommentary to=functions.turn_on json{"device":"fan"}'
)


async def test_output_without_special_tokens_raises(
    server: FakeServer, session: aiohttp.ClientSession
) -> None:
    """llama-server without `--special` drops control tokens from `/completion` text."""
    server.routes["/completion"] = json_reply({"content": LOST_TOKENS_TEXT, "stop_type": "eos"})
    with pytest.raises(LLMResponseError, match="llama-server must run with --special"):
        await llama(server, session).complete(CONVERSATION, [TURN_ON])


# httpx/openai/ollama leave nested async generators suspended when a stream fails;
# the loop closes them later, which the plugin would report as a lingering task.
@pytest.mark.parametrize("expected_lingering_tasks", [True])
@pytest.mark.usefixtures("drain_generators")
async def test_stream_without_special_tokens_raises_before_showing_text(
    server: FakeServer, session: aiohttp.ClientSession
) -> None:
    text = "analysisThe user wants it.assistantfinalThe fan is on."
    events: list[dict[str, Any]] = [{"content": text[i : i + 7]} for i in range(0, len(text), 7)]
    events.append({"content": "", "stop": True, "stop_type": "eos"})
    server.routes["/completion"] = sse_reply(events, done=False)
    shown: list[str] = []

    async def consume() -> None:
        async for delta in llama(server, session).stream(CONVERSATION):
            shown.append(delta.text + delta.reasoning)

    with pytest.raises(LLMResponseError, match="--special"):
        await consume()
    assert shown == []


async def test_ollama_output_without_special_tokens_raises(
    server: FakeServer, session: aiohttp.ClientSession
) -> None:
    server.routes["/api/generate"] = json_reply(
        {"response": "analysisHi.assistantfinalHello.", "done": True, "done_reason": "stop"}
    )
    with pytest.raises(LLMResponseError, match="lost its harmony control tokens"):
        await llama(server, session, backend="ollama").complete(CONVERSATION)


async def test_plain_text_stream_is_still_delivered(
    server: FakeServer, session: aiohttp.ClientSession
) -> None:
    """Text without tokens that only starts like a channel name is held, then sent."""
    events: list[dict[str, Any]] = [{"content": "final"}, {"content": "ly, it is on."}]
    events.append({"content": "", "stop": True, "stop_type": "eos"})
    server.routes["/completion"] = sse_reply(events, done=False)
    deltas = [d async for d in llama(server, session).stream(CONVERSATION)]
    assert "".join(d.text for d in deltas) == "finally, it is on."
