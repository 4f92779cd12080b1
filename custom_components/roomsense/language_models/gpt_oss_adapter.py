"""Adapter for gpt-oss in its native harmony format over a raw completion endpoint.

The prompt is rendered by our own `harmony` module and sent as plain text to
llama.cpp's `POST /completion` or Ollama's `POST /api/generate` with `raw`;
the completion text is parsed back with the same module.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import aiohttp

from . import harmony
from .backend import Prompt, ServerAdapter
from .base import LLMDelta, LLMResponse, Message, ToolSpec
from .const import (
    BACKEND_LLAMA_CPP,
    BACKEND_OLLAMA,
    DEFAULT_MAX_TOKENS,
    DEFAULT_REASONING_EFFORT,
    GPT_OSS_BACKENDS,
    PROVIDER_GPT_OSS,
    REASONING_EFFORTS,
)
from .errors import LLMConnectionError, LLMResponseError


def _utc_today() -> str:
    return datetime.now(UTC).date().isoformat()


class GPTOSSAdapter(ServerAdapter):
    """gpt-oss through harmony text on llama.cpp `/completion` or Ollama `/api/generate`."""

    provider = PROVIDER_GPT_OSS

    def __init__(
        self,
        *,
        session: aiohttp.ClientSession,
        base_url: str,
        model: str,
        timeout: float,
        backend: str = BACKEND_LLAMA_CPP,
        reasoning_effort: str = DEFAULT_REASONING_EFFORT,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        temperature: float | None = None,
        knowledge_cutoff: str = harmony.DEFAULT_KNOWLEDGE_CUTOFF,
        current_date: Callable[[], str | None] = _utc_today,
        api_key: str | None = None,
    ) -> None:
        super().__init__(model=model, timeout=timeout)
        if backend not in GPT_OSS_BACKENDS:
            raise ValueError(f"unknown gpt-oss backend {backend!r}; use one of {GPT_OSS_BACKENDS}")
        if reasoning_effort.lower() not in REASONING_EFFORTS:
            raise ValueError(
                f"unknown reasoning effort {reasoning_effort!r}; use one of {REASONING_EFFORTS}"
            )
        self.session = session
        self.base_url = base_url.rstrip("/")
        self.backend = backend
        self.reasoning_effort = reasoning_effort.lower()
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.knowledge_cutoff = knowledge_cutoff
        self.current_date = current_date
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}

    def render(self, messages: Sequence[Message], tools: Sequence[ToolSpec]) -> str:
        """Render the prompt exactly as it is sent."""
        return harmony.render_conversation(
            messages,
            tools,
            reasoning_effort=self.reasoning_effort,
            knowledge_cutoff=self.knowledge_cutoff,
            current_date=self.current_date(),
        )

    def _request(
        self, prompt: str, *, stream: bool, temperature: float | None = None
    ) -> tuple[str, dict[str, Any]]:
        stop = list(harmony.STOP_TOKENS)
        # The call's temperature wins over the configured one.
        if temperature is None:
            temperature = self.temperature
        if self.backend == BACKEND_OLLAMA:
            options: dict[str, Any] = {"num_predict": self.max_tokens, "stop": stop}
            if temperature is not None:
                options["temperature"] = temperature
            return f"{self.base_url}/api/generate", {
                "model": self.model,
                "prompt": prompt,
                "raw": True,
                "stream": stream,
                "options": options,
            }
        body: dict[str, Any] = {
            "prompt": prompt,
            "n_predict": self.max_tokens,
            "stop": stop,
            "stream": stream,
            # Reuse the server's KV cache for the unchanged conversation prefix.
            "cache_prompt": True,
        }
        if temperature is not None:
            body["temperature"] = temperature
        return f"{self.base_url}/completion", body

    def _text_and_finish(self, data: Any) -> tuple[str, bool | None]:
        """Generated text of one JSON object and whether it hit the token limit."""
        if not isinstance(data, dict):
            raise LLMResponseError(f"gpt-oss server sent a non-object: {str(data)[:200]!r}")
        key = "response" if self.backend == BACKEND_OLLAMA else "content"
        text = data.get(key)
        if not isinstance(text, str):
            raise LLMResponseError(f"gpt-oss server reply has no {key!r}: {str(data)[:200]!r}")
        limited: bool | None = None
        if self.backend == BACKEND_OLLAMA and data.get("done"):
            limited = data.get("done_reason") == "length"
        elif self.backend == BACKEND_LLAMA_CPP and (data.get("stop") or "stop_type" in data):
            limited = data.get("stop_type") == "limit" or bool(data.get("stopped_limit"))
        return text, limited

    async def _send(self, prompt: Prompt, *, stream: bool) -> aiohttp.ClientResponse:
        """Post the rendered prompt; the server's answer, whole or streamed."""
        url, body = self._request(
            self.render(prompt.messages, prompt.tools),
            stream=stream,
            temperature=prompt.temperature,
        )
        return await self._post(url, body)

    async def _post(self, url: str, body: dict[str, Any]) -> aiohttp.ClientResponse:
        try:
            response = await self.session.post(url, json=body, headers=self._headers)
        except aiohttp.ClientConnectionError as err:
            raise LLMConnectionError(f"cannot reach gpt-oss server at {url}: {err}") from err
        if response.status >= 400:
            detail = (await response.text())[:200]
            response.release()
            raise LLMResponseError(
                f"gpt-oss server answered HTTP {response.status}: {detail}",
                status=response.status,
            )
        return response

    async def _answer(self, prompt: Prompt) -> LLMResponse:
        response = await self._send(prompt, stream=False)
        async with response:
            raw = await response.text()
        try:
            data = json.loads(raw)
        except ValueError as err:
            raise LLMResponseError(f"gpt-oss server sent invalid JSON: {raw[:200]!r}") from err
        text, limited = self._text_and_finish(data)
        return self._to_response(text, limited)

    async def _deltas(self, prompt: Prompt) -> AsyncGenerator[LLMDelta]:
        response = await self._send(prompt, stream=True)
        text = ""
        limited: bool | None = None
        sent_reasoning = sent_text = ""
        async with response:
            async for raw_line in response.content:
                line = raw_line.decode("utf-8", errors="replace").strip()
                # llama.cpp sends SSE `data: {...}` lines, Ollama NDJSON.
                line = line.removeprefix("data:").strip()
                if not line or line == "[DONE]":
                    continue
                try:
                    data = json.loads(line)
                except ValueError as err:
                    raise LLMResponseError(
                        f"gpt-oss server streamed invalid JSON: {line[:200]!r}"
                    ) from err
                piece, piece_limited = self._text_and_finish(data)
                text += piece
                if piece_limited is not None:
                    limited = piece_limited
                self._check_control_tokens(text)
                if harmony.may_lose_control_tokens(text):
                    continue
                reasoning, answer = harmony.visible_text_so_far(text)
                # Only ever send what extends what was sent; parsing is prefix-stable.
                new_reasoning = reasoning[len(sent_reasoning) :]
                new_text = answer[len(sent_text) :]
                if not reasoning.startswith(sent_reasoning):
                    new_reasoning = ""
                if not answer.startswith(sent_text):
                    new_text = ""
                if new_reasoning or new_text:
                    sent_reasoning += new_reasoning
                    sent_text += new_text
                    yield LLMDelta(text=new_text, reasoning=new_reasoning)
        final = self._to_response(text, limited)
        rest = final.text[len(sent_text) :] if final.text.startswith(sent_text) else ""
        yield LLMDelta(text=rest, tool_calls=final.tool_calls, finish_reason=final.finish_reason)

    def _check_control_tokens(self, text: str) -> None:
        """Raise when the server stripped harmony's control tokens from its output.

        llama-server writes special tokens into `/completion` text only when started
        with `--special`; without it `analysis…assistantfinal…` arrives run together,
        no tool call can be found and the reasoning would be shown as the answer.
        """
        if not harmony.lost_control_tokens(text):
            return
        if self.backend == BACKEND_LLAMA_CPP:
            hint = (
                "llama-server must run with --special (the RoomSense add-on's launcher "
                "passes it) so that /completion returns them"
            )
        else:
            hint = "the server must return special tokens in raw /api/generate output"
        raise LLMResponseError(
            f"gpt-oss output has lost its harmony control tokens; {hint}: {text[:120]!r}"
        )

    def _to_response(self, text: str, limited: bool | None) -> LLMResponse:
        self._check_control_tokens(text)
        return _to_response(text, limited)


def _to_response(text: str, limited: bool | None) -> LLMResponse:
    completion = harmony.parse_completion(text)
    # The server knows why it stopped (it leaves the stop token out of the text);
    # only when it does not say do we judge by a missing end token.
    finish = None
    if limited is not None and not completion.tool_calls:
        finish = "length" if limited else "stop"
    return harmony.completion_to_response(completion, finish_reason=finish)
