"""A turn with a model: RoomSense's tools, at most five rounds, streamed into the chat log."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Final

from homeassistant.components.conversation import (
    AssistantContent,
    AssistantContentDeltaDict,
    ChatLog,
    ConversationInput,
    ToolResultContent,
    UserContent,
)
from homeassistant.helpers import llm

from ..automation import assist
from ..const import LOGGER
from ..edge import agent as edge_agent
from ..home_model import HomeSnapshot
from ..language_models import LLMAdapter, LLMDelta, Message, ToolCall, ToolSpec
from . import hass_api
from .confirmations import PendingActions
from .context import AgentContext, Reply
from .edge_routing import edge_agents, may_use_edge
from .model_tools import ModelTools
from .phrases import Language, say
from .prompt import TOOL_SPECS, instructions, turn_context

MAX_TOOL_ROUNDS: Final = 5


class ModelTurn:
    """Answers a turn with the model; its `LLMError` sends the turn to the fallback parser."""

    def __init__(self, agent: AgentContext, pending: PendingActions) -> None:
        """A model turn for `agent`; what needs a yes is held in `pending`."""
        self._agent = agent
        self._tools = ModelTools(agent, pending)

    async def run(
        self,
        adapter: LLMAdapter,
        user_input: ConversationInput,
        chat_log: ChatLog,
        language: Language,
        snapshot: HomeSnapshot,
    ) -> Reply:
        """The model's answer, after the tool calls it made along the way."""
        api = await hass_api.get_api(self._agent, user_input)
        tools = self._tool_specs(api, user_input.context.user_id)
        prompt = instructions(self._agent.entry.options, language, snapshot)
        if api is not None:
            prompt = f"{prompt}\n\n{api.api_prompt}"
        # Stable instructions first, the changing context last: a prompt cache reuses
        # everything before the first byte that differs from the previous request.
        messages = [
            Message("system", prompt),
            *_history(chat_log),
            Message("system", turn_context(self._agent.hass, snapshot)),
            Message("user", user_input.text),
        ]
        acted = False
        for _round in range(MAX_TOOL_ROUNDS):
            answer: list[str] = []
            reasoning: list[str] = []
            calls: list[ToolCall] = []
            # The answer streams into the chat log (and on to text-to-speech); the model's
            # tool calls are recorded there too, run here, never by the chat log.
            async for _content in chat_log.async_add_delta_content_stream(
                user_input.agent_id,
                _deltas(adapter.stream(messages, tools), answer, reasoning, calls),
            ):
                pass
            if not calls:
                return "".join(answer).strip() or say(language, "no_answer"), True
            # The reasoning that led to the tool calls goes back with them (harmony keeps it
            # until the turn's final answer).
            messages.append(
                Message(
                    "assistant",
                    "".join(answer),
                    tool_calls=tuple(calls),
                    reasoning="".join(reasoning) or None,
                )
            )
            acted = await self._run_calls(calls, user_input, chat_log, messages, api) or acted
        LOGGER.debug("Tool loop stopped after %d rounds", MAX_TOOL_ROUNDS)
        return say(language, "no_answer"), acted

    def _tool_specs(self, api: llm.APIInstance | None, user_id: str | None) -> tuple[ToolSpec, ...]:
        tools: tuple[ToolSpec, ...] = (*TOOL_SPECS, assist.TOOL_SPEC)
        if (agents := edge_agents(self._agent)) and may_use_edge(self._agent, user_id):
            tools = (*tools, edge_agent.tool_spec(agents))
        if api is not None:
            tools = (*tools, *hass_api.tool_specs(api))
        return tools

    async def _run_calls(
        self,
        calls: list[ToolCall],
        user_input: ConversationInput,
        chat_log: ChatLog,
        messages: list[Message],
        api: llm.APIInstance | None,
    ) -> bool:
        """Run one round's tool calls into the log and the messages; whether any acted."""
        acted = False
        for call in calls:
            result = await self._tools.run(call, user_input, chat_log.conversation_id, api)
            acted = acted or "error" not in result
            chat_log.async_add_assistant_content_without_tools(
                ToolResultContent(
                    agent_id=user_input.agent_id,
                    tool_call_id=call.id,
                    tool_name=call.name,
                    result=llm.ToolResult(data=result, error="error" in result),
                )
            )
            messages.append(
                Message(
                    "tool",
                    json.dumps(result, ensure_ascii=False, default=str),
                    tool_call_id=call.id,
                    name=call.name,
                )
            )
        return acted


def _history(chat_log: ChatLog) -> list[Message]:
    """Earlier turns of this conversation (the current user text comes last, apart)."""
    history: list[Message] = []
    for content in chat_log.content[:-1]:
        if isinstance(content, UserContent):
            history.append(Message("user", content.content))
        elif isinstance(content, AssistantContent) and content.content:
            history.append(Message("assistant", content.content))
    return history


async def _deltas(
    stream: AsyncIterator[LLMDelta],
    answer: list[str],
    reasoning: list[str],
    calls: list[ToolCall],
) -> AsyncGenerator[AssistantContentDeltaDict]:
    """The model's stream as chat-log deltas; the answer and tool calls are kept aside too.

    Reasoning (harmony's analysis channel) goes to `thinking_content`, which Assist's debug
    view shows and nobody hears.
    """
    yield {"role": "assistant"}
    async for delta in stream:
        if delta.reasoning:
            reasoning.append(delta.reasoning)
            yield {"thinking_content": delta.reasoning}
        if delta.text:
            answer.append(delta.text)
            yield {"content": delta.text}
        if delta.tool_calls:
            calls.extend(delta.tool_calls)
            yield {
                "tool_calls": [
                    llm.ToolInput(
                        tool_name=call.name, tool_args=call.arguments, id=call.id, external=True
                    )
                    for call in delta.tool_calls
                ]
            }
