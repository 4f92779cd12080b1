"""LLMFactory option handling and falling back when a model call fails."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import aiohttp
import pytest

from custom_components.roomsense.language_models import (
    FallbackAdapter,
    GPTOSSAdapter,
    LLMAdapter,
    LLMError,
    LLMFactory,
    LLMResponse,
    LLMTimeoutError,
    Message,
    OllamaAdapter,
    OpenAIAdapter,
)
from custom_components.roomsense.language_models.const import BACKEND_OLLAMA

from .conftest import FakeServer, json_reply, text_reply

USER = [Message("user", "Turn on the fan")]


def test_none_and_env_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LLM_PROVIDER", raising=False)
    session = object()
    assert LLMFactory.create({}, session) is None  # type: ignore[arg-type]
    assert LLMFactory.create({"llm_provider": "none"}, session) is None  # type: ignore[arg-type]
    monkeypatch.setenv("LLM_PROVIDER", "ollama")
    adapter = LLMFactory.create({}, session)  # type: ignore[arg-type]
    assert isinstance(adapter, OllamaAdapter)
    assert adapter.base_url == "http://localhost:11434"
    assert adapter.timeout == 30.0
    # The option wins over the environment.
    assert LLMFactory.create({"llm_provider": "none"}, session) is None  # type: ignore[arg-type]


def test_each_provider_with_options(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LLM_PROVIDER", raising=False)
    session = aiohttp.ClientSession.__new__(aiohttp.ClientSession)
    common = {"llm_base_url": "http://h:1/v1", "llm_model": "m1", "llm_timeout": "7.5"}
    openai_adapter = LLMFactory.create(
        {**common, "llm_provider": "OpenAI", "llm_api_key": "sk-1"}, session
    )
    assert isinstance(openai_adapter, OpenAIAdapter)
    assert (openai_adapter.model, openai_adapter.timeout, openai_adapter.base_url) == (
        "m1",
        7.5,
        "http://h:1/v1",
    )
    gpt_oss = LLMFactory.create(
        {**common, "llm_provider": "gpt_oss", "llm_gpt_oss_backend": BACKEND_OLLAMA}, session
    )
    assert isinstance(gpt_oss, GPTOSSAdapter)
    assert (gpt_oss.backend, gpt_oss.session, gpt_oss.base_url) == (
        "ollama",
        session,
        "http://h:1/v1",
    )
    default_gpt_oss = LLMFactory.create({"llm_provider": "gpt_oss"}, session)
    assert isinstance(default_gpt_oss, GPTOSSAdapter)
    assert (default_gpt_oss.backend, default_gpt_oss.reasoning_effort) == ("llama_cpp", "low")


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"llm_provider": "claude"}, "unknown llm_provider 'claude'"),
        ({"llm_provider": "openai", "llm_timeout": "soon"}, "must be a number"),
        ({"llm_provider": "openai", "llm_timeout": 0}, "must be positive"),
        ({"llm_provider": "gpt_oss", "llm_gpt_oss_backend": "vllm"}, "backend"),
    ],
)
def test_bad_options(options: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        LLMFactory.create(options, object())  # type: ignore[arg-type]


def test_unknown_env_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLM_PROVIDER", "bogus")
    with pytest.raises(ValueError, match="bogus"):
        LLMFactory.create({}, object())  # type: ignore[arg-type]


async def apology(messages: Sequence[Message], error: LLMError) -> LLMResponse:
    return LLMResponse(text=f"Sorry, the assistant is unavailable ({type(error).__name__}).")


@pytest.mark.parametrize(
    ("route", "error_name"),
    [
        (json_reply({"error": "boom"}, status=500), "LLMResponseError"),
        (text_reply("garbage"), "LLMResponseError"),
        (None, "LLMTimeoutError"),
    ],
)
# httpx/openai/ollama leave nested async generators suspended when a stream fails;
# the loop closes them later, which the plugin would report as a lingering task.
@pytest.mark.parametrize("expected_lingering_tasks", [True])
@pytest.mark.usefixtures("drain_generators")
async def test_failed_model_call_falls_back(
    server: FakeServer,
    session: aiohttp.ClientSession,
    route: object,
    error_name: str,
    closing: Callable[[LLMAdapter], LLMAdapter],
) -> None:
    server.routes["/v1/chat/completions"] = route or server.hang  # type: ignore[assignment]
    primary = LLMFactory.create(
        {
            "llm_provider": "openai",
            "llm_base_url": f"{server.base_url}/v1",
            "llm_model": "m",
            # (Long enough that a loaded machine's first request is not taken for a hang.)
            "llm_timeout": 0.8,
        },
        session,
    )
    assert primary is not None
    adapter = closing(FallbackAdapter([primary], fallback=apology))
    started = time.monotonic()
    response = await adapter.complete(USER)
    assert response.text == f"Sorry, the assistant is unavailable ({error_name})."
    assert response.fallback is True
    assert type(adapter.last_error).__name__ == error_name
    deltas = [delta async for delta in adapter.stream(USER)]
    assert "".join(d.text for d in deltas) == response.text
    assert time.monotonic() - started < 4.0
    assert len(server.received) == 2


async def test_second_adapter_answers(
    server: FakeServer, session: aiohttp.ClientSession, refused_url: str
) -> None:
    server.routes["/completion"] = json_reply(
        {"content": "<|channel|>final<|message|>Hello.", "stop_type": "word"}
    )
    broken = OllamaAdapter(model="m", timeout=1, base_url=refused_url)
    working = GPTOSSAdapter(session=session, base_url=server.base_url, model="m", timeout=1)
    adapter = FallbackAdapter([broken, working])
    response = await adapter.complete(USER)
    assert (response.text, response.fallback) == ("Hello.", True)
    assert [d.text async for d in adapter.stream(USER) if d.text] == ["Hello."]


async def test_without_handler_the_error_is_raised(
    server: FakeServer, closing: Callable[[LLMAdapter], LLMAdapter]
) -> None:
    server.routes["/v1/chat/completions"] = server.hang
    primary = closing(OpenAIAdapter(model="m", timeout=0.2, base_url=f"{server.base_url}/v1"))
    with pytest.raises(LLMTimeoutError):
        await FallbackAdapter([primary]).complete(USER)
