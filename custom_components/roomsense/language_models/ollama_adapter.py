"""Adapter for Ollama's native chat API, through the `ollama` library."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Sequence
from typing import Any

import httpx
import ollama

from .backend import LibraryAdapter, Prompt
from .base import LLMDelta, LLMResponse, Message, ToolCall, system_first
from .const import PROVIDER_OLLAMA
from .errors import LLMConnectionError, LLMError, LLMResponseError, LLMTimeoutError


def to_ollama_messages(messages: Sequence[Message]) -> list[dict[str, Any]]:
    """Map our messages to Ollama chat messages.

    Ollama has no tool call ids (and ollama 0.4.7 no tool name on results):
    results are matched to calls by order, as Home Assistant's own integration does.
    """
    result: list[dict[str, Any]] = []
    for message in system_first(messages):
        item: dict[str, Any] = {"role": message.role, "content": message.content or ""}
        if message.tool_calls:
            item["tool_calls"] = [
                {"function": {"name": call.name, "arguments": call.arguments}}
                for call in message.tool_calls
            ]
        result.append(item)
    return result


def _tool_calls(message: ollama.Message) -> tuple[ToolCall, ...]:
    calls = []
    for index, call in enumerate(message.tool_calls or ()):
        arguments: Any = call.function.arguments
        if isinstance(arguments, str):
            # Some models emit a JSON string; accept it when it decodes to an object.
            try:
                arguments = json.loads(arguments)
            except ValueError as err:
                raise LLMResponseError(
                    f"tool call {call.function.name!r} has invalid arguments: {arguments!r}"
                ) from err
        if not isinstance(arguments, dict):
            raise LLMResponseError(
                f"tool call {call.function.name!r} arguments are not an object: {arguments!r}"
            )
        calls.append(ToolCall(id=f"call_{index}", name=call.function.name, arguments=arguments))
    return tuple(calls)


class OllamaAdapter(LibraryAdapter[ollama.AsyncClient, ollama.ChatResponse]):
    """`AsyncClient.chat` with tools against an Ollama server."""

    provider = PROVIDER_OLLAMA
    errors = (ollama.ResponseError, ollama.RequestError, httpx.HTTPError, OSError)

    def __init__(
        self,
        *,
        model: str,
        timeout: float,
        base_url: str | None = None,
        options: dict[str, Any] | None = None,
        keep_alive: str | None = None,
    ) -> None:
        super().__init__(model=model, timeout=timeout)
        self.base_url = base_url
        self.options = options
        self.keep_alive = keep_alive

    def _make_client(self) -> ollama.AsyncClient:
        return ollama.AsyncClient(host=self.base_url, timeout=self.timeout)

    async def close(self) -> None:
        """Close the httpx client the library made for us."""
        if self._client is not None:
            # The library has no close() of its own; its httpx client is `_client`.
            await self._client._client.aclose()
            self._client = None

    def _messages(self, messages: Sequence[Message]) -> list[dict[str, Any]]:
        return to_ollama_messages(messages)

    def _settings(self, request: dict[str, Any], prompt: Prompt) -> None:
        options = dict(self.options or {})
        # The call's temperature wins over one in the configured options.
        if prompt.temperature is not None:
            options["temperature"] = prompt.temperature
        if options:
            request["options"] = options
        if self.keep_alive is not None:
            request["keep_alive"] = self.keep_alive

    async def _ask(
        self, client: ollama.AsyncClient, request: dict[str, Any]
    ) -> ollama.ChatResponse:
        return await client.chat(**request, stream=False)

    def _read(self, response: ollama.ChatResponse) -> LLMResponse:
        return LLMResponse(
            text=response.message.content or "",
            tool_calls=_tool_calls(response.message),
            finish_reason=response.done_reason,
        )

    async def _deltas(self, prompt: Prompt) -> AsyncGenerator[LLMDelta]:
        client = await self._get_client()
        calls: list[ToolCall] = []
        finish_reason: str | None = None
        received = False
        chunks = await client.chat(**self._request(prompt), stream=True)
        try:
            with self._library_errors():
                async for chunk in chunks:
                    received = True
                    # Ollama sends whole tool calls in one chunk, not fragments.
                    for call in _tool_calls(chunk.message):
                        calls.append(
                            ToolCall(
                                id=f"call_{len(calls)}", name=call.name, arguments=call.arguments
                            )
                        )
                    if chunk.message.content:
                        yield LLMDelta(text=chunk.message.content)
                    if chunk.done:
                        finish_reason = chunk.done_reason
        finally:
            # Close the library's generator (and its HTTP response) on any exit.
            aclose = getattr(chunks, "aclose", None)
            if aclose is not None:
                await aclose()
        if finish_reason is None and not calls and not received:
            raise LLMResponseError("Ollama server streamed no chunks")
        yield LLMDelta(tool_calls=tuple(calls), finish_reason=finish_reason or "stop")

    def _map_error(self, err: Exception) -> LLMError:
        if isinstance(err, httpx.TimeoutException | TimeoutError):
            return LLMTimeoutError(f"Ollama server timed out: {err!r}")
        if isinstance(err, ollama.ResponseError):
            return LLMResponseError(
                f"Ollama server answered HTTP {err.status_code}: {err.error}",
                status=err.status_code,
            )
        if isinstance(err, ConnectionError | httpx.TransportError | OSError):
            return LLMConnectionError(f"cannot reach Ollama server: {err}")
        return LLMResponseError(f"Ollama request failed: {err!r}")
