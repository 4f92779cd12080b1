"""Choose and build a language-model adapter from integration options."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .base import LLMAdapter
from .const import (
    BACKEND_LLAMA_CPP,
    CONF_LLM_API_KEY,
    CONF_LLM_BASE_URL,
    CONF_LLM_GPT_OSS_BACKEND,
    CONF_LLM_MODEL,
    CONF_LLM_PROVIDER,
    CONF_LLM_REASONING_EFFORT,
    CONF_LLM_TIMEOUT,
    DEFAULT_BASE_URLS,
    DEFAULT_MODELS,
    DEFAULT_REASONING_EFFORT,
    DEFAULT_TIMEOUT,
    ENV_LLM_PROVIDER,
    PROVIDER_NONE,
    PROVIDER_OLLAMA,
    PROVIDER_OPENAI,
    PROVIDERS,
)
from .gpt_oss_adapter import GPTOSSAdapter
from .ollama_adapter import OllamaAdapter
from .openai_adapter import OpenAIAdapter

if TYPE_CHECKING:
    import aiohttp
    import httpx


class LLMFactory:
    """Build the adapter the options ask for."""

    @staticmethod
    def provider(options: Mapping[str, Any]) -> str:
        """The chosen provider: the option, else env `LLM_PROVIDER`, else `none`."""
        value = options.get(CONF_LLM_PROVIDER)
        if value in (None, ""):
            value = os.environ.get(ENV_LLM_PROVIDER) or PROVIDER_NONE
        provider = str(value).strip().lower()
        if provider not in PROVIDERS:
            raise ValueError(
                f"unknown {CONF_LLM_PROVIDER} {value!r}; expected one of {', '.join(PROVIDERS)}"
            )
        return provider

    @staticmethod
    def timeout(options: Mapping[str, Any]) -> float:
        """The per-call timeout in seconds."""
        value = options.get(CONF_LLM_TIMEOUT)
        if value is None or value == "":
            return DEFAULT_TIMEOUT
        try:
            timeout = float(value)
        except (TypeError, ValueError) as err:
            raise ValueError(f"{CONF_LLM_TIMEOUT} must be a number, got {value!r}") from err
        if not timeout > 0:
            raise ValueError(f"{CONF_LLM_TIMEOUT} must be positive, got {value!r}")
        return timeout

    @classmethod
    def create(
        cls,
        options: Mapping[str, Any],
        session: aiohttp.ClientSession,
        *,
        http_client: httpx.AsyncClient | None = None,
    ) -> LLMAdapter | None:
        """Return the configured adapter, or None when the provider is `none`.

        `session` serves the gpt-oss adapter; `http_client` (optional, e.g. Home
        Assistant's shared httpx client) serves the openai library.
        """
        provider = cls.provider(options)
        if provider == PROVIDER_NONE:
            return None
        timeout = cls.timeout(options)
        base_url = options.get(CONF_LLM_BASE_URL) or DEFAULT_BASE_URLS[provider]
        model = options.get(CONF_LLM_MODEL) or DEFAULT_MODELS[provider]
        api_key = options.get(CONF_LLM_API_KEY) or None
        if provider == PROVIDER_OPENAI:
            return OpenAIAdapter(
                model=model,
                timeout=timeout,
                base_url=base_url,
                api_key=api_key,
                http_client=http_client,
            )
        if provider == PROVIDER_OLLAMA:
            return OllamaAdapter(model=model, timeout=timeout, base_url=base_url)
        # PROVIDER_GPT_OSS, the only one left.
        return GPTOSSAdapter(
            session=session,
            base_url=str(base_url),
            model=model,
            timeout=timeout,
            backend=options.get(CONF_LLM_GPT_OSS_BACKEND) or BACKEND_LLAMA_CPP,
            reasoning_effort=options.get(CONF_LLM_REASONING_EFFORT) or DEFAULT_REASONING_EFFORT,
            api_key=api_key,
        )
