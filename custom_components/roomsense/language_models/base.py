"""Provider-neutral types and the adapter interface for language models.

Every adapter turns a list of `Message` plus `ToolSpec` into an `LLMResponse`
(text and tool calls), optionally streamed as `LLMDelta`. Any failure surfaces
as an `LLMError` so callers can fall back on one exception type.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

# The errors are base's too, as they always were.
from .errors import LLMConnectionError as LLMConnectionError
from .errors import LLMError as LLMError
from .errors import LLMResponseError as LLMResponseError
from .errors import LLMTimeoutError as LLMTimeoutError

_LOGGER = logging.getLogger(__name__)

type Role = Literal["system", "user", "assistant", "tool"]


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """A tool the model may call; `parameters` is a JSON schema object."""

    name: str
    description: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A call of a tool requested by the model."""

    id: str
    name: str
    arguments: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Message:
    """One conversation turn.

    `tool_calls` only on assistant messages; `tool_call_id` and `name` (the tool
    name) on tool results; `reasoning` optionally carries an assistant's earlier
    chain of thought for back ends that want it fed back (gpt-oss).
    """

    role: Role
    content: str | None = None
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None
    name: str | None = None
    reasoning: str | None = None


@dataclass(frozen=True, slots=True)
class LLMResponse:
    """A complete model answer."""

    text: str
    tool_calls: tuple[ToolCall, ...] = ()
    reasoning: str | None = None
    finish_reason: str | None = None


@dataclass(frozen=True, slots=True)
class LLMDelta:
    """A piece of a streamed answer.

    Text and reasoning arrive as fragments; tool calls arrive complete (adapters
    assemble streamed fragments) and `finish_reason` is set on the last delta.
    """

    text: str = ""
    reasoning: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    finish_reason: str | None = None


def system_first(messages: Sequence[Message]) -> list[Message]:
    """The messages with every system message joined into one at the start.

    Callers put the changing context in a system message just before the user's
    text (so a prompt cache keeps the history); many chat templates accept a system
    message only first, so chat APIs get it appended to the leading one instead.
    """
    system = [message.content for message in messages if message.role == "system"]
    rest = [message for message in messages if message.role != "system"]
    if len(system) < 2 and (not system or messages[0].role == "system"):
        return list(messages)
    joined = "\n\n".join(text for text in system if text)
    return [Message("system", joined), *rest]


def tool_name_lookup(messages: Sequence[Message]) -> dict[str, str]:
    """Map tool call ids to tool names, for back ends that address results by name."""
    return {call.id: call.name for message in messages for call in message.tool_calls}


class LLMAdapter(ABC):
    """A language model behind one async interface.

    Subclasses implement `_complete` and, where the back end streams, `_stream`.
    The public methods bound every call by `timeout` seconds and turn every
    unexpected exception into an `LLMError`.
    """

    provider: str = ""

    def __init__(self, *, model: str, timeout: float) -> None:
        if timeout <= 0:
            raise ValueError(f"timeout must be positive, got {timeout}")
        self.model = model
        self.timeout = timeout

    async def complete(
        self,
        messages: Sequence[Message],
        tools: Sequence[ToolSpec] = (),
        *,
        temperature: float | None = None,
    ) -> LLMResponse:
        """Ask the model for one complete answer.

        `temperature`, when given, replaces the adapter's configured sampling temperature
        for this call only.
        """
        try:
            async with asyncio.timeout(self.timeout):
                return await self._complete(messages, tools, **_sampling(temperature))
        except LLMError:
            raise
        except TimeoutError as err:
            raise LLMTimeoutError(
                f"{self.provider} model {self.model} did not answer within {self.timeout} s"
            ) from err
        except Exception as err:
            raise LLMResponseError(
                f"{self.provider} model {self.model} call failed: {err!r}"
            ) from err

    async def stream(
        self,
        messages: Sequence[Message],
        tools: Sequence[ToolSpec] = (),
        *,
        temperature: float | None = None,
    ) -> AsyncIterator[LLMDelta]:
        """Stream the answer; the whole stream is bounded by `timeout` seconds.

        `temperature` as for `complete`.
        """
        deadline = asyncio.get_running_loop().time() + self.timeout
        iterator = self._stream(messages, tools, **_sampling(temperature))
        try:
            while True:
                # The deadline wraps only the wait for the next delta, never the
                # consumer's own work between deltas.
                try:
                    async with asyncio.timeout_at(deadline):
                        delta = await anext(iterator)
                except StopAsyncIteration:
                    return
                except LLMError:
                    raise
                except TimeoutError as err:
                    raise LLMTimeoutError(
                        f"{self.provider} model {self.model} stream did not finish "
                        f"within {self.timeout} s"
                    ) from err
                except Exception as err:
                    raise LLMResponseError(
                        f"{self.provider} model {self.model} stream failed: {err!r}"
                    ) from err
                yield delta
        finally:
            await iterator.aclose()

    async def close(self) -> None:  # noqa: B027 -- an optional hook, not abstract
        """Release clients the adapter created itself."""

    @abstractmethod
    async def _complete(
        self,
        messages: Sequence[Message],
        tools: Sequence[ToolSpec],
        *,
        temperature: float | None = None,
    ) -> LLMResponse:
        """Back-end specific completion, without timeout or error wrapping.

        `temperature` is None when the caller leaves it to the adapter's settings.
        """

    async def _stream(
        self,
        messages: Sequence[Message],
        tools: Sequence[ToolSpec],
        *,
        temperature: float | None = None,
    ) -> AsyncGenerator[LLMDelta]:
        """Back-end specific stream; by default one delta from `_complete`."""
        response = await self._complete(messages, tools, **_sampling(temperature))
        yield LLMDelta(
            text=response.text,
            reasoning=response.reasoning or "",
            tool_calls=response.tool_calls,
            finish_reason=response.finish_reason,
        )


def _sampling(temperature: float | None) -> dict[str, float]:
    """The temperature keyword for `_complete` / `_stream`, only when one is set.

    Back ends written before per-call temperatures existed keep working for every call
    that does not set one.
    """
    return {} if temperature is None else {"temperature": temperature}
