"""The RoomSense conversation agent for Assist, in Japanese and English.

This entity only connects Home Assistant's chat log to the agent's turn handler
(`agent.turn`): the model turn, the fallback turn, the confirmations and the phrases live
in the `agent` package. Every action runs through the same tools as the `roomsense.*`
services, so permissions, night safe mode, confirmation and the audit log apply alike.
"""

from __future__ import annotations

import time
from typing import Literal

from homeassistant.components import conversation
from homeassistant.components.conversation import (
    AssistantContent,
    ChatLog,
    ConversationEntity,
    ConversationEntityFeature,
    ConversationInput,
    ConversationResult,
)
from homeassistant.components.conversation.models import AbstractConversationAgent
from homeassistant.const import MATCH_ALL
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import intent
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.httpx_client import get_async_client

from .agent.phrases import language_of, say
from .agent.prompt import TOOL_SPECS
from .agent.turn import TurnHandler
from .const import LOGGER
from .data import RoomSenseConfigEntry
from .entity import account_device_info
from .language_models import LLMAdapter, LLMFactory
from .shared import get_shared

# Still importable from here, where the add-on's tests read them.
__all__ = ["TOOL_SPECS", "RoomSenseConversationEntity", "async_setup_entry"]


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RoomSenseConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the agent of this entry."""
    async_add_entities([RoomSenseConversationEntity(entry)])


class RoomSenseConversationEntity(ConversationEntity, AbstractConversationAgent):
    """The agent: a model with RoomSense's tools when configured, the fallback parser always."""

    _attr_has_entity_name = True
    _attr_name = None
    _attr_supported_features = ConversationEntityFeature.CONTROL
    # A model's answer streams to text-to-speech as it is written.
    _attr_supports_streaming = True

    def __init__(self, entry: RoomSenseConfigEntry) -> None:
        """One agent per account."""
        self.entry = entry
        self._attr_unique_id = f"{entry.entry_id}_conversation"
        self._attr_device_info = account_device_info(entry)
        # Made here, not when added: what waits for an answer outlives a re-add.
        self._turns = TurnHandler(entry)

    @property
    def _adapter(self) -> LLMAdapter | None:
        # Read under this name from outside (the add-on's config flow tests).
        return self._turns.adapter

    @property
    def supported_languages(self) -> list[str] | Literal["*"]:
        """Japanese and English replies; other languages are answered in English."""
        return MATCH_ALL

    async def async_added_to_hass(self) -> None:
        """Build the model adapter the options ask for, if any."""
        await super().async_added_to_hass()
        self._turns.attach(self.hass)
        conversation.async_set_agent(self.hass, self.entry, self)
        try:
            self._turns.adapter = LLMFactory.create(
                self.entry.options,
                async_get_clientsession(self.hass),
                http_client=get_async_client(self.hass),
            )
        except ValueError as err:
            LOGGER.warning("No language model, using the fallback parser only: %s", err)

    async def async_will_remove_from_hass(self) -> None:
        """Release the adapter."""
        conversation.async_unset_agent(self.hass, self.entry)
        if self._adapter is not None:
            await self._adapter.close()
        await super().async_will_remove_from_hass()

    async def _async_handle_message(
        self, user_input: ConversationInput, chat_log: ChatLog
    ) -> ConversationResult:
        """Answer one turn; the user always gets a reply."""
        language = language_of(user_input)
        started = time.perf_counter()
        try:
            speech, acted = await self._turns.respond(user_input, chat_log, language)
        except HomeAssistantError as err:
            # A device that left, or an entry that unloaded, mid-conversation.
            speech, acted = say(language, "failed", error=err), False
        get_shared(self.hass).tools.metrics.record(
            acted=acted, seconds=time.perf_counter() - started
        )
        last = chat_log.content[-1] if chat_log.content else None
        if not (isinstance(last, AssistantContent) and last.content == speech):
            # (A model's answer was streamed into the log already.)
            chat_log.async_add_assistant_content_without_tools(
                AssistantContent(agent_id=user_input.agent_id, content=speech)
            )
        response = intent.IntentResponse(language=user_input.language)
        response.async_set_speech(speech)
        return ConversationResult(
            response=response,
            conversation_id=chat_log.conversation_id,
            continue_conversation=self._turns.waits_for_answer(chat_log.conversation_id),
        )
