"""A per-call temperature reaches every back end's request, and wins over the configured one."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Sequence
from typing import Any

import aiohttp

from custom_components.roomsense.language_models import (
    GPTOSSAdapter,
    LLMAdapter,
    LLMDelta,
    LLMResponse,
    Message,
    OllamaAdapter,
    OpenAIAdapter,
    ToolSpec,
)

from .conftest import FakeServer, json_reply, ndjson_reply, sse_reply

USER = [Message("user", "Make a rule")]
OPENAI_PATH = "/v1/chat/completions"
OLLAMA_PATH = "/api/chat"
FINAL_TEXT = "<|channel|>final<|message|>{}"


def openai_completion(text: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "m",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
        ],
    }


def openai_chunk(text: str, finish_reason: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": finish_reason}],
    }


def ollama_chat(text: str) -> dict[str, Any]:
    return {
        "model": "m",
        "created_at": "2025-01-01T00:00:00Z",
        "message": {"role": "assistant", "content": text},
        "done": True,
        "done_reason": "stop",
    }


def openai_for(
    server: FakeServer, closing: Callable[[LLMAdapter], LLMAdapter], **kwargs: Any
) -> OpenAIAdapter:
    adapter = OpenAIAdapter(
        model="m", timeout=2.0, base_url=f"{server.base_url}/v1", api_key="sk-test", **kwargs
    )
    closing(adapter)
    return adapter


def gpt_oss_for(server: FakeServer, session: aiohttp.ClientSession, **kwargs: Any) -> GPTOSSAdapter:
    return GPTOSSAdapter(
        session=session,
        base_url=server.base_url,
        model="gpt-oss:20b",
        timeout=2.0,
        current_date=lambda: "2025-06-28",
        **kwargs,
    )


async def test_openai_complete_and_stream_send_the_call_temperature(
    server: FakeServer, closing: Callable[[LLMAdapter], LLMAdapter]
) -> None:
    server.routes[OPENAI_PATH] = json_reply(openai_completion("ok"))
    adapter = openai_for(server, closing, temperature=0.7)
    await adapter.complete(USER, temperature=0.1)
    await adapter.complete(USER)
    server.routes[OPENAI_PATH] = sse_reply([openai_chunk("ok"), openai_chunk("", "stop")])
    deltas = [delta async for delta in adapter.stream(USER, temperature=0.2)]
    assert "".join(delta.text for delta in deltas) == "ok"
    first, configured, streamed = server.bodies(OPENAI_PATH)
    assert first["temperature"] == 0.1
    assert configured["temperature"] == 0.7
    assert streamed["temperature"] == 0.2
    assert streamed["stream"] is True


async def test_openai_without_any_temperature_sends_none(
    server: FakeServer, closing: Callable[[LLMAdapter], LLMAdapter]
) -> None:
    server.routes[OPENAI_PATH] = json_reply(openai_completion("ok"))
    await openai_for(server, closing).complete(USER)
    (body,) = server.bodies(OPENAI_PATH)
    assert "temperature" not in body


async def test_ollama_puts_the_temperature_into_options(
    server: FakeServer, closing: Callable[[LLMAdapter], LLMAdapter]
) -> None:
    server.routes[OLLAMA_PATH] = json_reply(ollama_chat("ok"))
    adapter = closing(
        OllamaAdapter(
            model="m",
            timeout=2.0,
            base_url=server.base_url,
            options={"num_ctx": 8192, "temperature": 0.8},
        )
    )
    await adapter.complete(USER, temperature=0.1)
    await adapter.complete(USER)
    server.routes[OLLAMA_PATH] = ndjson_reply([ollama_chat("ok")])
    deltas = [delta async for delta in adapter.stream(USER, temperature=0.3)]
    assert "".join(delta.text for delta in deltas) == "ok"
    first, configured, streamed = server.bodies(OLLAMA_PATH)
    assert first["options"] == {"num_ctx": 8192, "temperature": 0.1}
    assert configured["options"] == {"num_ctx": 8192, "temperature": 0.8}
    assert streamed["options"] == {"num_ctx": 8192, "temperature": 0.3}


async def test_ollama_without_options_gets_only_the_temperature(
    server: FakeServer, closing: Callable[[LLMAdapter], LLMAdapter]
) -> None:
    server.routes[OLLAMA_PATH] = json_reply(ollama_chat("ok"))
    adapter = closing(OllamaAdapter(model="m", timeout=2.0, base_url=server.base_url))
    await adapter.complete(USER, temperature=0.1)
    await adapter.complete(USER)
    with_temperature, without = server.bodies(OLLAMA_PATH)
    assert with_temperature["options"] == {"temperature": 0.1}
    assert "options" not in without


async def test_gpt_oss_llama_cpp_body_temperature(
    server: FakeServer, session: aiohttp.ClientSession
) -> None:
    server.routes["/completion"] = json_reply({"content": FINAL_TEXT, "stop": True})
    adapter = gpt_oss_for(server, session, temperature=0.6)
    await adapter.complete(USER, temperature=0.1)
    await adapter.complete(USER)
    server.routes["/completion"] = sse_reply([{"content": FINAL_TEXT, "stop": True}], done=False)
    deltas = [delta async for delta in adapter.stream(USER, temperature=0.2)]
    assert "".join(delta.text for delta in deltas) == "{}"
    first, configured, streamed = server.bodies("/completion")
    assert (first["temperature"], configured["temperature"]) == (0.1, 0.6)
    assert streamed["temperature"] == 0.2


async def test_gpt_oss_ollama_backend_options_temperature(
    server: FakeServer, session: aiohttp.ClientSession
) -> None:
    server.routes["/api/generate"] = json_reply(
        {"model": "gpt-oss:20b", "response": FINAL_TEXT, "done": True, "done_reason": "stop"}
    )
    adapter = gpt_oss_for(server, session, backend="ollama", max_tokens=64)
    await adapter.complete(USER, temperature=0.1)
    server.routes["/api/generate"] = ndjson_reply(
        [{"response": FINAL_TEXT, "done": True, "done_reason": "stop"}]
    )
    [delta async for delta in adapter.stream(USER, temperature=0.4)]
    completed, streamed = server.bodies("/api/generate")
    assert completed["options"]["temperature"] == 0.1
    assert completed["options"]["num_predict"] == 64
    assert streamed["options"]["temperature"] == 0.4


class _OlderAdapter(LLMAdapter):
    """A back end written before per-call temperatures: no `temperature` keyword."""

    provider = "older"

    async def _complete(  # type: ignore[override]
        self, messages: Sequence[Message], tools: Sequence[ToolSpec]
    ) -> LLMResponse:
        return LLMResponse(text="still fine")

    async def _stream(  # type: ignore[override]
        self, messages: Sequence[Message], tools: Sequence[ToolSpec]
    ) -> AsyncGenerator[LLMDelta]:
        yield LLMDelta(text="still fine")


async def test_back_ends_without_the_keyword_work_when_none_is_given() -> None:
    adapter = _OlderAdapter(model="m", timeout=1.0)
    assert (await adapter.complete(USER)).text == "still fine"
    assert [delta.text async for delta in adapter.stream(USER)] == ["still fine"]
