"""Language-model adapters of RoomSense: one async interface, several back ends."""

from __future__ import annotations

from .base import LLMAdapter, LLMDelta, LLMResponse, Message, ToolCall, ToolSpec
from .errors import LLMConnectionError, LLMError, LLMResponseError, LLMTimeoutError
from .factory import LLMFactory
from .gpt_oss_adapter import GPTOSSAdapter
from .ollama_adapter import OllamaAdapter
from .openai_adapter import OpenAIAdapter

__all__ = [
    "GPTOSSAdapter",
    "LLMAdapter",
    "LLMConnectionError",
    "LLMDelta",
    "LLMError",
    "LLMFactory",
    "LLMResponse",
    "LLMResponseError",
    "LLMTimeoutError",
    "Message",
    "OllamaAdapter",
    "OpenAIAdapter",
    "ToolCall",
    "ToolSpec",
]
