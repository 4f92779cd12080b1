"""LLMFactory option handling and falling back when a model call fails."""

from __future__ import annotations

from collections.abc import Callable

import aiohttp
import pytest

from custom_components.roomsense.language_models import (
    GPTOSSAdapter,
    LLMAdapter,
    LLMFactory,
    LLMTimeoutError,
    Message,
    OllamaAdapter,
    OpenAIAdapter,
)
from custom_components.roomsense.language_models.const import BACKEND_OLLAMA

from .conftest import FakeServer

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


async def test_a_server_that_never_answers_times_out(
    server: FakeServer, closing: Callable[[LLMAdapter], LLMAdapter]
) -> None:
    server.routes["/v1/chat/completions"] = server.hang
    primary = closing(OpenAIAdapter(model="m", timeout=0.2, base_url=f"{server.base_url}/v1"))
    with pytest.raises(LLMTimeoutError):
        await primary.complete(USER)
