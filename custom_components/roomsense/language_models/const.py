"""Option keys and defaults of the RoomSense language-model adapters.

Kept here (not in the integration's const.py) so the llm package stays a
self-contained library.
"""

from __future__ import annotations

from typing import Final

CONF_LLM_PROVIDER: Final = "llm_provider"
CONF_LLM_BASE_URL: Final = "llm_base_url"
CONF_LLM_MODEL: Final = "llm_model"
CONF_LLM_API_KEY: Final = "llm_api_key"
CONF_LLM_TIMEOUT: Final = "llm_timeout"
# Optional extras for gpt-oss; absent means the defaults below.
CONF_LLM_GPT_OSS_BACKEND: Final = "llm_gpt_oss_backend"
CONF_LLM_REASONING_EFFORT: Final = "llm_reasoning_effort"

ENV_LLM_PROVIDER: Final = "LLM_PROVIDER"

PROVIDER_NONE: Final = "none"
PROVIDER_OPENAI: Final = "openai"
PROVIDER_OLLAMA: Final = "ollama"
PROVIDER_GPT_OSS: Final = "gpt_oss"
PROVIDERS: Final = (PROVIDER_NONE, PROVIDER_OPENAI, PROVIDER_OLLAMA, PROVIDER_GPT_OSS)

BACKEND_LLAMA_CPP: Final = "llama_cpp"
BACKEND_OLLAMA: Final = "ollama"
GPT_OSS_BACKENDS: Final = (BACKEND_LLAMA_CPP, BACKEND_OLLAMA)

REASONING_EFFORTS: Final = ("low", "medium", "high")

DEFAULT_TIMEOUT: Final = 30.0
DEFAULT_REASONING_EFFORT: Final = "low"
DEFAULT_MAX_TOKENS: Final = 1024

DEFAULT_BASE_URLS: Final[dict[str, str | None]] = {
    PROVIDER_OPENAI: None,  # the openai library's own default (api.openai.com)
    PROVIDER_OLLAMA: "http://localhost:11434",
    PROVIDER_GPT_OSS: "http://localhost:8080",  # llama.cpp llama-server
}
DEFAULT_MODELS: Final[dict[str, str]] = {
    PROVIDER_OPENAI: "gpt-4o-mini",
    PROVIDER_OLLAMA: "llama3.1",
    PROVIDER_GPT_OSS: "gpt-oss:20b",
}
