"""Adapter for OpenAI-compatible chat completion servers, through the `openai` library."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import openai

from .backend import LibraryAdapter, Prompt
from .backend import to_openai_tools as to_openai_tools
from .base import LLMDelta, LLMResponse, Message, ToolCall, system_first
from .const import PROVIDER_OPENAI
from .errors import LLMConnectionError, LLMError, LLMResponseError, LLMTimeoutError

if TYPE_CHECKING:
    import httpx

# Servers for local models (Ollama, llama.cpp) ignore the key but the library needs one.
_PLACEHOLDER_KEY = "not-needed"


def to_openai_messages(messages: Sequence[Message]) -> list[dict[str, Any]]:
    """Map our messages to chat-completion message dicts."""
    result: list[dict[str, Any]] = []
    for message in system_first(messages):
        if message.role == "tool":
            result.append(
                {
                    "role": "tool",
                    "tool_call_id": message.tool_call_id or "",
                    "content": message.content or "",
                }
            )
        elif message.role == "assistant" and message.tool_calls:
            result.append(
                {
                    "role": "assistant",
                    "content": message.content,
                    "tool_calls": [
                        {
                            "id": call.id,
                            "type": "function",
                            "function": {
                                "name": call.name,
                                "arguments": json.dumps(call.arguments),
                            },
                        }
                        for call in message.tool_calls
                    ],
                }
            )
        else:
            result.append({"role": message.role, "content": message.content or ""})
    return result


def _decode_arguments(name: str, raw: str | None) -> dict[str, Any]:
    try:
        arguments = json.loads(raw or "{}")
    except ValueError as err:
        raise LLMResponseError(
            f"tool call {name!r} has invalid JSON arguments: {(raw or '')[:200]!r}"
        ) from err
    if not isinstance(arguments, dict):
        raise LLMResponseError(f"tool call {name!r} arguments are not an object: {raw!r}")
    return arguments


def _reasoning_of(obj: Any) -> str | None:
    """Reasoning text that some servers add as an extra field (llama.cpp, Ollama)."""
    extra = getattr(obj, "model_extra", None) or {}
    for key in ("reasoning_content", "reasoning"):
        value = extra.get(key)
        if isinstance(value, str) and value:
            return value
    return None


@dataclass(slots=True)
class _PartialCall:
    id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list)


class OpenAIAdapter(LibraryAdapter[openai.AsyncOpenAI, Any]):
    """Chat completions with tools against any OpenAI-compatible base URL."""

    provider = PROVIDER_OPENAI
    errors = (openai.OpenAIError,)

    def __init__(
        self,
        *,
        model: str,
        timeout: float,
        base_url: str | None = None,
        api_key: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
    ) -> None:
        super().__init__(model=model, timeout=timeout)
        self.base_url = base_url
        self._api_key = api_key or _PLACEHOLDER_KEY
        self._http_client = http_client
        self.temperature = temperature
        self.max_tokens = max_tokens

    def _make_client(self) -> openai.AsyncOpenAI:
        client = openai.AsyncOpenAI(
            api_key=self._api_key,
            base_url=self.base_url,
            timeout=self.timeout,
            # Retries would only delay the caller's fallback.
            max_retries=0,
            # Home Assistant's shared client is an httpx one; openai 3 takes it as well as
            # its own httpx2 clients, but types only the latter.
            http_client=cast(Any, self._http_client),
        )
        # The first access to `chat.completions` imports most of the library (about 0.3 s
        # with openai 3): pay for it here, in the executor, not on the first request.
        _ = client.chat.completions
        return client

    def _messages(self, messages: Sequence[Message]) -> list[dict[str, Any]]:
        return to_openai_messages(messages)

    def _settings(self, request: dict[str, Any], prompt: Prompt) -> None:
        if prompt.tools:
            request["tool_choice"] = "auto"
        temperature = prompt.temperature_or(self.temperature)
        if temperature is not None:
            request["temperature"] = temperature
        if self.max_tokens is not None:
            request["max_tokens"] = self.max_tokens

    async def _ask(self, client: openai.AsyncOpenAI, request: dict[str, Any]) -> Any:
        return await client.chat.completions.create(**request)

    def _read(self, response: Any) -> LLMResponse:
        if not getattr(response, "choices", None):
            raise LLMResponseError(f"OpenAI-compatible server returned no choices: {response!r}")
        choice = response.choices[0]
        message = choice.message
        calls = tuple(
            ToolCall(
                id=call.id,
                name=call.function.name,
                arguments=_decode_arguments(call.function.name, call.function.arguments),
            )
            for call in message.tool_calls or ()
        )
        return LLMResponse(
            text=message.content or "",
            tool_calls=calls,
            reasoning=_reasoning_of(message),
            finish_reason=choice.finish_reason,
        )

    async def _deltas(self, prompt: Prompt) -> AsyncGenerator[LLMDelta]:
        client = await self._get_client()
        with self._library_errors():
            stream = await client.chat.completions.create(**self._request(prompt), stream=True)
        partial: dict[int, _PartialCall] = {}
        finish_reason: str | None = None
        received = False
        try:
            with self._library_errors():
                async for chunk in stream:
                    received = True
                    if not chunk.choices:
                        continue
                    choice = chunk.choices[0]
                    delta = choice.delta
                    finish_reason = choice.finish_reason or finish_reason
                    _add_fragments(partial, delta.tool_calls or ())
                    reasoning = _reasoning_of(delta) or ""
                    if delta.content or reasoning:
                        yield LLMDelta(text=delta.content or "", reasoning=reasoning)
        finally:
            await stream.close()
        if finish_reason is None and not partial and not received:
            # A body that is not an SSE stream parses as no chunks at all.
            raise LLMResponseError("OpenAI-compatible server streamed no chunks")
        calls = []
        for index in sorted(partial):
            call = partial[index]
            if not call.name:
                raise LLMResponseError(f"streamed tool call {index} has no name")
            calls.append(
                ToolCall(
                    id=call.id or f"call_{index}",
                    name=call.name,
                    arguments=_decode_arguments(call.name, "".join(call.arguments)),
                )
            )
        yield LLMDelta(tool_calls=tuple(calls), finish_reason=finish_reason)

    async def close(self) -> None:
        """Close the client if we created its http client."""
        if self._client is not None and self._http_client is None:
            await self._client.close()
        self._client = None

    def _map_error(self, err: Exception) -> LLMError:
        if isinstance(err, openai.APITimeoutError):
            return LLMTimeoutError(f"OpenAI-compatible server timed out: {err}")
        if isinstance(err, openai.APIConnectionError):
            return LLMConnectionError(f"cannot reach OpenAI-compatible server: {err}")
        if isinstance(err, openai.APIStatusError):
            return LLMResponseError(
                f"OpenAI-compatible server answered HTTP {err.status_code}: {err.message}",
                status=err.status_code,
            )
        return LLMResponseError(f"OpenAI-compatible server error: {err}")


def _add_fragments(partial: dict[int, _PartialCall], fragments: Iterable[Any]) -> None:
    """Add streamed tool-call fragments, keyed by index: id and name first, then JSON pieces."""
    for fragment in fragments:
        call = partial.setdefault(fragment.index, _PartialCall())
        if fragment.id:
            call.id = fragment.id
        if fragment.function is not None:
            if fragment.function.name:
                call.name += fragment.function.name
            if fragment.function.arguments:
                call.arguments.append(fragment.function.arguments)
