"""One turn of the agent, routed: a pending yes, "which one?", the model, the fallback.

A turn goes: a pending confirmation first (only an explicit yes within 60 s runs a
dangerous command or saves a rule), or the answer to the fallback parser's "which one?";
then the model with RoomSense's tools; when there is no model, or it fails or times out,
an instruction for an edge device, a rule said in words, or the deterministic fallback
parser.
"""

from __future__ import annotations

from homeassistant.components.conversation import ChatLog, ConversationInput
from homeassistant.core import HomeAssistant

from ..const import LOGGER
from ..data import RoomSenseConfigEntry
from ..edge import agent as edge_agent
from ..fallback import FallbackParser
from ..language_models import LLMAdapter, LLMError
from ..pending import PendingAnswers
from ..snapshot import build_snapshot
from .confirmations import PendingActions
from .context import AgentContext, Reply
from .edge_routing import edge_agents, fallback_edge_turn
from .fallback_turn import FallbackTurn
from .model_turn import ModelTurn
from .phrases import Language


class TurnHandler:
    """Answers the turns of one conversation agent and keeps what waits between them."""

    def __init__(self, entry: RoomSenseConfigEntry) -> None:
        """Nothing waits yet; `attach` gives Home Assistant once the entity is added."""
        self._agent = AgentContext(entry)
        self._pending = PendingActions(self._agent)
        # "Which one?" asked by the fallback parser: the request and the devices offered.
        self._choices: PendingAnswers[tuple[str, tuple[str, ...]]] = PendingAnswers()
        self._model = ModelTurn(self._agent, self._pending)
        self._fallback = FallbackTurn(self._agent, self._pending)

    def attach(self, hass: HomeAssistant) -> None:
        """Home Assistant, now that the entity is added."""
        self._agent.hass = hass

    @property
    def adapter(self) -> LLMAdapter | None:
        """The language model, None when the fallback parser answers alone."""
        return self._agent.adapter

    @adapter.setter
    def adapter(self, adapter: LLMAdapter | None) -> None:
        self._agent.adapter = adapter

    def waits_for_answer(self, conversation_id: str) -> bool:
        """Whether the next turn of this conversation answers a question of this one."""
        return self._pending.pending(conversation_id) or self._choices.pending(conversation_id)

    async def respond(
        self, user_input: ConversationInput, chat_log: ChatLog, language: Language
    ) -> Reply:
        """The reply, and whether the turn did what was asked."""
        conversation_id = chat_log.conversation_id
        user_id = user_input.context.user_id
        answered = await self._pending.answer(user_input.text, conversation_id, user_id, language)
        if answered is not None:
            return answered
        snapshot = build_snapshot(self._agent.hass, self._agent.tools.entries())
        if (asked := self._choices.take(conversation_id)) is not None:
            # The answer to "which one?": the earlier request on the device it picks.
            earlier, choices = asked
            chosen = FallbackParser(snapshot).answer_choice(earlier, choices, user_input.text)
            if chosen is not None:
                return await self._fallback.run(chosen, conversation_id, user_id)
        if (adapter := self._agent.adapter) is not None:
            try:
                return await self._model.run(adapter, user_input, chat_log, language, snapshot)
            except LLMError as err:
                LOGGER.warning("Language model failed, answering with the fallback parser: %s", err)
        request = edge_agent.find_request(user_input.text, edge_agents(self._agent))
        if request is not None:
            return await fallback_edge_turn(self._agent, request, user_input.text, user_id)
        # One reading of the words as a command now, for both questions below.
        command = FallbackParser(snapshot).parse(user_input.text)
        rule = self._fallback.propose_rule(user_input.text, conversation_id, snapshot, command)
        if rule is not None:
            return rule
        if command.choices:
            self._choices.ask(conversation_id, (user_input.text, command.choices))
        return await self._fallback.run(command, conversation_id, user_id)
