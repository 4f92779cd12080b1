"""What the adapters for model servers share: one call as a `Prompt`, library clients, errors.

`ServerAdapter` turns `_complete` and `_stream` into `_answer` and `_deltas` of a `Prompt`
(gpt-oss's adapter, which posts harmony text itself, stops there). `LibraryAdapter` adds
what the OpenAI and Ollama adapters share: the client of the server's Python library, made
on first use off the event loop; the request (model, messages, tools, then the adapter's
settings); the whole answer's round trip; and the mapping of the library's errors onto
`LLMError`.
"""

from __future__ import annotations

import asyncio
from abc import abstractmethod
from collections.abc import AsyncGenerator, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar, TypedDict, Unpack

from .base import LLMAdapter, LLMDelta, LLMResponse, Message, ToolSpec
from .errors import LLMError


def to_openai_tools(tools: Sequence[ToolSpec]) -> list[dict[str, Any]]:
    """Map our tool specs to chat-completion function tools (Ollama takes them too)."""
    return [
        {
            "type": "function",
            "function": {
                "name": tool.name,
                "description": tool.description,
                "parameters": tool.parameters or {"type": "object", "properties": {}},
            },
        }
        for tool in tools
    ]


class Sampling(TypedDict, total=False):
    """The per-call sampling settings `LLMAdapter` hands its back ends."""

    temperature: float | None


@dataclass(frozen=True, slots=True)
class Prompt:
    """One call: the conversation, the tools offered, and the call's own temperature."""

    messages: Sequence[Message]
    tools: Sequence[ToolSpec]
    temperature: float | None = None
    """None leaves it to the adapter's settings."""

    def temperature_or(self, configured: float | None) -> float | None:
        """The call's temperature, which wins over the configured one."""
        return configured if self.temperature is None else self.temperature


class ServerAdapter(LLMAdapter):
    """An adapter that asks a model server once per call, for a whole or a streamed answer."""

    async def _complete(
        self, messages: Sequence[Message], tools: Sequence[ToolSpec], **sampling: Unpack[Sampling]
    ) -> LLMResponse:
        return await self._answer(Prompt(messages, tools, sampling.get("temperature")))

    def _stream(
        self, messages: Sequence[Message], tools: Sequence[ToolSpec], **sampling: Unpack[Sampling]
    ) -> AsyncGenerator[LLMDelta]:
        return self._deltas(Prompt(messages, tools, sampling.get("temperature")))

    @abstractmethod
    async def _answer(self, prompt: Prompt) -> LLMResponse:
        """The whole answer, without timeout or error wrapping."""

    @abstractmethod
    def _deltas(self, prompt: Prompt) -> AsyncGenerator[LLMDelta]:
        """The streamed answer, its tool calls complete in the last delta."""


class LibraryAdapter[Client, Reply](ServerAdapter):
    """A `ServerAdapter` that talks through the server's own Python library.

    A whole answer is the library's `Reply` to `_ask`, read by `_read`; streams are the
    subclass's own (`_deltas`).
    """

    errors: ClassVar[tuple[type[Exception], ...]] = ()
    """What the library raises, for `_map_error` to translate."""

    def __init__(self, *, model: str, timeout: float) -> None:
        super().__init__(model=model, timeout=timeout)
        self._client: Client | None = None
        self._client_lock = asyncio.Lock()

    async def _get_client(self) -> Client:
        async with self._client_lock:
            if self._client is None:
                # The library builds an http client, which loads SSL certificates from disk
                # (and may import more of itself on first use): do it off the event loop.
                self._client = await asyncio.get_running_loop().run_in_executor(
                    None, self._make_client
                )
            return self._client

    async def _answer(self, prompt: Prompt) -> LLMResponse:
        client = await self._get_client()
        with self._library_errors():
            reply = await self._ask(client, self._request(prompt))
        return self._read(reply)

    def _request(self, prompt: Prompt) -> dict[str, Any]:
        """The library call's keyword arguments: model, messages, tools, then `_settings`."""
        request: dict[str, Any] = {
            "model": self.model,
            "messages": self._messages(prompt.messages),
        }
        if prompt.tools:
            request["tools"] = to_openai_tools(prompt.tools)
        self._settings(request, prompt)
        return request

    @abstractmethod
    def _messages(self, messages: Sequence[Message]) -> list[dict[str, Any]]:
        """The conversation as the library's chat messages."""

    @abstractmethod
    def _settings(self, request: dict[str, Any], prompt: Prompt) -> None:
        """Add the adapter's own keywords (sampling, limits) to a request."""

    @abstractmethod
    async def _ask(self, client: Client, request: dict[str, Any]) -> Reply:
        """The library's whole answer to a request."""

    @abstractmethod
    def _read(self, reply: Reply) -> LLMResponse:
        """The answer in a library's reply."""

    @abstractmethod
    def _make_client(self) -> Client:
        """A new client of the library (run in an executor)."""

    @abstractmethod
    def _map_error(self, err: Exception) -> LLMError:
        """The `LLMError` for one of `errors`."""

    @contextmanager
    def _library_errors(self) -> Iterator[None]:
        """Raise the library's errors inside as `LLMError`s."""
        try:
            yield
        except self.errors as err:
            raise self._map_error(err) from err
