"""The RoomSense conversation agent for Assist, in Japanese and English.

A turn goes: a pending confirmation first (only an explicit yes within 60 s runs a
dangerous command), or the answer to the fallback parser's "which one?"; then the model
with RoomSense's tools, at most five rounds; when there is no model, or it fails or times
out, the deterministic fallback parser. Every action runs
through the same tools as the `roomsense.*` services, so permissions, night safe mode,
confirmation and the audit log apply alike.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any, Final, Literal

import probatio
from homeassistant.components import conversation
from homeassistant.components.conversation import (
    AssistantContent,
    AssistantContentDeltaDict,
    ChatLog,
    ConversationEntity,
    ConversationEntityFeature,
    ConversationInput,
    ConversationResult,
    ToolResultContent,
    UserContent,
)
from homeassistant.components.conversation.models import AbstractConversationAgent
from homeassistant.const import MATCH_ALL
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import intent, llm
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.httpx_client import get_async_client
from homeassistant.util import dt as dt_util

from . import catalog
from .automation import assist
from .automation.api import DATA_API, AutomationInputError
from .automation.parser import WorkflowParser
from .const import DOMAIN, LOGGER, OPT_LLM_HASS_API
from .data import RoomSenseConfigEntry
from .edge import DATA_EDGE
from .edge import agent as edge_agent
from .edge.models import EdgeDevice
from .entity import account_device_info
from .fallback import FallbackParser, detect_language, normalize
from .fallback.model import Action, HomeSnapshot, ParseResult
from .gateway import OUTCOME_DENIED, OUTCOME_FAILED, OUTCOME_QUEUED, OUTCOME_SENT, Source
from .language_models import LLMAdapter, LLMDelta, LLMError, LLMFactory, Message, ToolCall, ToolSpec
from .safety import user_permissions
from .snapshot import build_snapshot
from .tools import DATA_TOOLS, RoomSenseTools

type Language = Literal["ja", "en"]

MAX_TOOL_ROUNDS: Final = 5

# A reply confirms or refuses only as a whole: every part of it (parts split at punctuation)
# is one of these. "Yesterday the door was open" or 「はいらない」 is a new request.
_YES: Final = {
    "ja": (
        "はい",
        "うん",
        "ええ",
        "お願い",
        "お願いします",
        "おねがい",
        "おねがいします",
        "はいお願いします",
        "いいよ",
        "いいです",
        "実行",
        "実行して",
        "そうして",
        "ok",
        "オッケー",
    ),
    "en": (
        "yes",
        "yes please",
        "please",
        "please do",
        "yeah",
        "yep",
        "sure",
        "ok",
        "okay",
        "confirm",
        "do it",
        "go ahead",
    ),
}
_NO: Final = {
    "ja": (
        "いいえ",
        "いや",
        "やめて",
        "やめる",
        "キャンセル",
        "中止",
        "だめ",
        "しない",
        "しないで",
    ),
    "en": ("no", "nope", "cancel", "stop", "don't", "do not", "no thanks", "never mind"),
}
_TEXT: Final[dict[str, dict[Language, str]]] = {
    "ask": {
        "ja": "{device}の「{command}」を実行しますか？よければ60秒以内に「はい」と答えてください。",
        "en": "Shall I run {command} on {device}? Say yes within 60 seconds to go ahead.",
    },
    "confirmed": {
        "ja": "{device}の「{command}」を実行しました。",
        "en": "Done: {command} on {device}.",
    },
    # What an unlocking command does, in words (`_in_words` picks these for locks and garages).
    "ask_unlock": {
        "ja": "{device}を開けますか？よければ60秒以内に「はい」と答えてください。",
        "en": "Shall I unlock {device}? Say yes within 60 seconds to go ahead.",
    },
    "confirmed_unlock": {"ja": "{device}を開けました。", "en": "{device} is unlocked."},
    "ask_open_garage": {
        "ja": "{device}を開けますか？よければ60秒以内に「はい」と答えてください。",
        "en": "Shall I open {device}? Say yes within 60 seconds to go ahead.",
    },
    "confirmed_open_garage": {"ja": "{device}を開けました。", "en": "{device} is opening."},
    "ask_turn_on": {
        "ja": "{device}をオンにしますか？よければ60秒以内に「はい」と答えてください。",
        "en": "Shall I turn on {device}? Say yes within 60 seconds to go ahead.",
    },
    "confirmed_turn_on": {"ja": "{device}をオンにしました。", "en": "{device} is on."},
    "ask_turn_off": {
        "ja": "{device}をオフにしますか？よければ60秒以内に「はい」と答えてください。",
        "en": "Shall I turn off {device}? Say yes within 60 seconds to go ahead.",
    },
    "confirmed_turn_off": {"ja": "{device}をオフにしました。", "en": "{device} is off."},
    "ask_press": {
        "ja": "{device}を押しますか？よければ60秒以内に「はい」と答えてください。",
        "en": "Shall I press {device}? Say yes within 60 seconds to go ahead.",
    },
    "confirmed_press": {"ja": "{device}を押しました。", "en": "{device} was pressed."},
    "cancelled": {"ja": "取り消しました。", "en": "Cancelled."},
    # Replies built from what the gateway answered, when not everything went out at once.
    "report_sent": {"ja": "{devices}は操作しました。", "en": "Done for {devices}."},
    "report_queued": {
        "ja": "SwitchBotクラウドが応答しないため、{devices}への操作は待機中です。"
        "クラウドが戻ったら送ります。",
        "en": "The SwitchBot cloud is not answering, so the command for {devices} waits "
        "and goes out when the cloud is back.",
    },
    "report_failed": {
        "ja": "{device}は操作できませんでした: {error}",
        "en": "{device} was not changed: {error}",
    },
    "scene_partly": {
        "ja": "シーンの{total}件の操作のうち{done}件を実行しました。"
        "{device}は操作できませんでした: {error}",
        "en": "The scene ran {done} of its {total} commands; {device} was not changed: {error}",
    },
    "failed": {"ja": "実行できませんでした: {error}", "en": "That did not work: {error}"},
    "no_answer": {
        "ja": "すみません、うまく答えられませんでした。",
        "en": "Sorry, I could not come up with an answer.",
    },
}
_REFUSALS: Final[dict[str, dict[Language, str]]] = {
    "permission_denied": {
        "ja": "{device}を操作する権限がありません。",
        "en": "You are not allowed to control {device}.",
    },
    "scene_permission_denied": {
        "ja": "シーンを実行する権限がありません。",
        "en": "You are not allowed to run scenes.",
    },
    "night_mode": {
        "ja": "夜間安全モード中のため、{device}の「{command}」は実行できません。通知を送りました。",
        "en": "Night safe mode is on, so {command} on {device} was refused. "
        "A notification was sent.",
    },
}

TOOL_SPECS: Final = (
    ToolSpec("get_devices", "List the SwitchBot devices and infrared remotes of the home.", {
        "type": "object", "properties": {}}),
    ToolSpec("get_status", "Read the current status of one device.", {
        "type": "object",
        "properties": {"device_id": {"type": "string", "description": "The device id."}},
        "required": ["device_id"]}),
    ToolSpec(
        "send_command",
        "Send a SwitchBot Open API v1.1 command to a device, e.g. turnOn, turnOff, "
        "setBrightness (parameter 1-100), setColor (R:G:B), setColorTemperature (2700-6500), "
        "setAll for an infrared air conditioner (temp,mode,fan,on|off; mode 1 auto 2 cool "
        "3 dry 4 fan 5 heat), setPosition for curtains (0,ff,N with 0 open), lock, unlock.",
        {
            "type": "object",
            "properties": {
                "device_id": {"type": "string"},
                "command": {"type": "string"},
                "parameter": {"type": "string", "description": "default when none"},
                "command_type": {"type": "string", "enum": ["command", "customize"]},
            },
            "required": ["device_id", "command"],
        },
    ),
    ToolSpec("get_scenes", "List the SwitchBot manual scenes.", {
        "type": "object", "properties": {}}),
    ToolSpec("exec_scene", "Run a SwitchBot manual scene.", {
        "type": "object",
        "properties": {"scene_id": {"type": "string"}},
        "required": ["scene_id"]}),
)  # fmt: skip


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RoomSenseConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the agent of this entry."""
    async_add_entities([RoomSenseConversationEntity(entry)])


def _language(user_input: ConversationInput) -> Language:
    if user_input.language.lower().startswith("ja"):
        return "ja"
    if user_input.language.lower().startswith("en"):
        return "en"
    return detect_language(user_input.text)


def _in_words(text: str, device_type: str, command: str) -> str:
    """The key of the text that says what a command needing a yes does ("ask_unlock")."""
    if catalog.is_unlocking_command(device_type, command):
        is_lock = catalog.kind_of(device_type) is catalog.DeviceKind.LOCK
        return f"{text}_unlock" if is_lock else f"{text}_open_garage"
    # Commands a user may list as dangerous, said in words rather than by their API name.
    return {
        "turnOn": f"{text}_turn_on",
        "turnOff": f"{text}_turn_off",
        "press": f"{text}_press",
    }.get(command, text)


def _says(text: str, words: tuple[str, ...]) -> bool:
    """Whether the whole reply is made of these words ("yes, do it", 「はい、お願いします」)."""
    # normalize() folds full-width marks into ASCII ones and lower-cases.
    parts = [part.strip() for part in re.split(r"[。.!?、,]+", normalize(text))]
    parts = [" ".join(part.split()) for part in parts if part.strip()]
    return bool(parts) and all(part in words for part in parts)


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
        self._adapter: LLMAdapter | None = None
        self._workflows = assist.PendingWorkflows()
        # "Which one?" asked by the fallback parser: the request and the devices offered.
        self._choices: assist.PendingAnswers[tuple[str, tuple[str, ...]]] = assist.PendingAnswers()

    @property
    def supported_languages(self) -> list[str] | Literal["*"]:
        """Japanese and English replies; other languages are answered in English."""
        return MATCH_ALL

    async def async_added_to_hass(self) -> None:
        """Build the model adapter the options ask for, if any."""
        await super().async_added_to_hass()
        conversation.async_set_agent(self.hass, self.entry, self)
        try:
            self._adapter = LLMFactory.create(
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

    @property
    def _tools(self) -> RoomSenseTools:
        return self.hass.data[DATA_TOOLS]

    async def _async_handle_message(
        self, user_input: ConversationInput, chat_log: ChatLog
    ) -> ConversationResult:
        """Answer one turn; the user always gets a reply."""
        language = _language(user_input)
        started = time.perf_counter()
        try:
            speech, acted = await self._respond(user_input, chat_log, language)
        except HomeAssistantError as err:
            # A device that left, or an entry that unloaded, mid-conversation.
            speech, acted = _TEXT["failed"][language].format(error=err), False
        self._tools.metrics.record(acted=acted, seconds=time.perf_counter() - started)
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
            continue_conversation=self._tools.confirmations.pending(chat_log.conversation_id)
            or self._workflows.pending(chat_log.conversation_id)
            or self._choices.pending(chat_log.conversation_id),
        )

    async def _respond(
        self, user_input: ConversationInput, chat_log: ChatLog, language: Language
    ) -> tuple[str, bool]:
        """The reply, and whether the turn did what was asked."""
        conversation_id = chat_log.conversation_id
        user_id = user_input.context.user_id
        if self._tools.confirmations.pending(conversation_id):
            if _says(user_input.text, _YES[language]):
                return await self._run_confirmed(conversation_id, user_id, language)
            self._tools.confirmations.cancel(conversation_id)
            if _says(user_input.text, _NO[language]):
                return _TEXT["cancelled"][language], True
        if self._workflows.pending(conversation_id):
            if _says(user_input.text, _YES[language]):
                return self._save_workflow(conversation_id, user_id, language)
            self._workflows.cancel(conversation_id)
            if _says(user_input.text, _NO[language]):
                return _TEXT["cancelled"][language], True
        snapshot = build_snapshot(self.hass, self._tools.entries())
        if (asked := self._choices.take(conversation_id)) is not None:
            # The answer to "which one?": the earlier request on the device it picks.
            earlier, choices = asked
            chosen = FallbackParser(snapshot).answer_choice(earlier, choices, user_input.text)
            if chosen is not None:
                return await self._fallback_turn(chosen, conversation_id, user_id)
        if self._adapter is not None:
            try:
                return await self._model_turn(
                    self._adapter, user_input, chat_log, language, snapshot
                )
            except LLMError as err:
                LOGGER.warning("Language model failed, answering with the fallback parser: %s", err)
        request = edge_agent.find_request(user_input.text, self._edge_agents())
        if request is not None:
            return await self._fallback_edge_turn(request, user_input.text, user_id)
        # One reading of the words as a command now, for both questions below.
        command = FallbackParser(snapshot).parse(user_input.text)
        rule = self._fallback_automation(user_input.text, conversation_id, snapshot, command)
        if rule is not None:
            return rule
        if command.choices:
            self._choices.ask(conversation_id, (user_input.text, command.choices))
        return await self._fallback_turn(command, conversation_id, user_id)

    # --- automations by voice -----------------------------------------------------------

    def _fallback_automation(
        self, text: str, conversation_id: str, snapshot: HomeSnapshot, command: ParseResult
    ) -> tuple[str, bool] | None:
        """A rule said in words ("毎朝7時に…"): offer to save it instead of acting now.

        A delay the device's own timer carries out ("turn the fan off in 30 minutes") is a
        command now, not a rule.
        """
        if command.intent == "timer":
            return None
        result = WorkflowParser(self.hass.data[DATA_API].snapshot(snapshot)).parse_patterns(
            text, now=dt_util.now()
        )
        if result.success and result.workflow is not None:
            self._workflows.ask(conversation_id, result.workflow)
            reply_in: Language = "ja" if result.workflow.get("language") == "ja" else "en"
            return assist.TEXT["ask"][reply_in].format(summary=result.message), True
        if result.timing and (command.needs_confirmation or command.intent == "delayed"):
            # "毎朝7時に玄関の鍵を開けて": say why no rule, never offer to unlock now.
            return result.message, False
        return None

    async def _propose_automation(self, request: str, conversation_id: str) -> dict[str, Any]:
        """The model's tool: parse the request into a rule the user must confirm."""
        result = await WorkflowParser(self.hass.data[DATA_API].snapshot(), self._adapter).parse(
            request, now=dt_util.now()
        )
        if not result.success or result.workflow is None:
            return {"error": "not_understood", "message": result.message}
        self._workflows.ask(conversation_id, result.workflow)
        return {
            "error": "confirmation_required",
            "summary": result.message,
            "confidence": result.confidence,
            "message": "Tell the user what the rule will do and ask them to confirm; it is "
            "saved only if the user answers yes within 60 seconds.",
        }

    def _save_workflow(
        self, conversation_id: str, user_id: str | None, language: Language
    ) -> tuple[str, bool]:
        workflow = self._workflows.take(conversation_id)
        if workflow is None:  # expired meanwhile
            return _TEXT["cancelled"][language], False
        try:
            saved = self.hass.data[DATA_API].save(workflow, user_id)
        except AutomationInputError as err:
            return _TEXT["failed"][language].format(error=err), False
        return assist.TEXT["saved"][language].format(name=saved["rule"]["name"]), True

    async def _run_confirmed(
        self, conversation_id: str, user_id: str | None, language: Language
    ) -> tuple[str, bool]:
        pending = self._tools.confirmations.take(conversation_id)
        if pending is None:  # expired meanwhile
            return _TEXT["cancelled"][language], False
        target = self._tools.resolve(pending.device_id)
        try:
            outcome = await self._tools.send_command(
                user_id=user_id,
                device_id=pending.device_id,
                command=pending.command,
                parameter=pending.parameter,
                command_type=pending.command_type,
                confirm=True,
                source=Source.AGENT,
            )
        except HomeAssistantError as err:
            return self._refusal(err, language, target.device.name, pending.command), False
        if outcome["outcome"] == OUTCOME_QUEUED:
            return _TEXT["report_queued"][language].format(devices=target.device.name), True
        text = _TEXT[_in_words("confirmed", target.device_type, pending.command)][language]
        return text.format(device=target.device.name, command=pending.command), True

    # --- edge devices -------------------------------------------------------------------

    def _edge_agents(self) -> list[EdgeDevice]:
        """Edge devices that take instructions; the tool exists only when there are some."""
        return self.hass.data[DATA_EDGE].agent_devices()

    def _may_use_edge(self, user_id: str | None) -> bool:
        """An edge device can do anything its owner wrote: restricted users may not."""
        permissions = user_permissions(self.entry.options, user_id)
        return permissions.categories is None and permissions.areas is None

    async def _run_on_edge(
        self, device: str, instruction: str, user_id: str | None
    ) -> dict[str, Any]:
        request_id = uuid.uuid4().hex
        if not self._may_use_edge(user_id):
            outcome = {"error": "permission_denied", "device": device}
        else:
            outcome = await edge_agent.run_instruction(
                self.hass.data[DATA_EDGE], self._adapter, device, instruction
            )
        self._tools.audit.record(
            request_id=request_id,
            user_id=user_id,
            device_id=outcome.get("device_id"),
            command=f"{edge_agent.TOOL_NAME}:{device}",
            outcome=_edge_outcome(outcome),
            source=Source.EDGE.value,
        )
        return outcome

    async def _fallback_edge_turn(
        self, request: edge_agent.EdgeRequest, text: str, user_id: str | None
    ) -> tuple[str, bool]:
        language = detect_language(text)
        outcome = await self._run_on_edge(request.device.name, request.instruction, user_id)
        if outcome.get("error") == "permission_denied":
            return edge_agent.denied(language), False
        return edge_agent.summary(outcome, language), "error" not in outcome

    # --- without a model ----------------------------------------------------------------

    async def _fallback_turn(
        self, result: ParseResult, conversation_id: str, user_id: str | None
    ) -> tuple[str, bool]:
        language: Language = result.language
        if not result.understood:
            return result.reply, False
        if result.answer is not None:
            return result.answer, True
        try:
            if result.scene_id is not None:
                ran = await self._tools.execute_scene(
                    user_id=user_id, scene_id=result.scene_id, source=Source.AGENT
                )
                # A learned scene runs command by command: say which did not go out.
                failed = [step for step in ran.get("results", ()) if step.get("error")]
                if failed:
                    step = failed[0]
                    name = self._tools.resolve(step["device_id"]).device.name
                    text = _TEXT["scene_partly"][language]
                    return text.format(
                        done=len(ran["results"]) - len(failed),
                        total=len(ran["results"]),
                        device=name,
                        error=step["error"],
                    ), False
                if not result.actions:
                    return result.reply, True
                # "I'm home, and put the TV on too": the scene, then the commands.
            if dangerous := [action for action in result.actions if action.dangerous]:
                return self._ask(conversation_id, dangerous[0], language), True
            outcomes: list[dict[str, Any]] = []
            for action in result.actions:
                try:
                    outcomes.append(
                        await self._tools.send_command(
                            user_id=user_id,
                            device_id=action.device_id,
                            command=action.command,
                            parameter=action.parameter,
                            command_type=action.command_type,
                            source=Source.AGENT,
                        )
                    )
                except HomeAssistantError as err:
                    if err.translation_key == "confirmation_required" and not outcomes:
                        # A command the user listed as dangerous: ask, as for unlocking.
                        return self._ask(conversation_id, action, language), True
                    if not outcomes:
                        raise
                    # Some went out before this one failed: say exactly which.
                    failed_device = self._tools.resolve(action.device_id).device.name
                    return self._report(language, outcomes, (failed_device, err)), False
        except HomeAssistantError as err:
            device = ""
            if result.actions:
                device = self._tools.resolve(result.actions[0].device_id).device.name
            command = result.actions[0].command if result.actions else ""
            return self._refusal(err, language, device, command), False
        if any(outcome["outcome"] != OUTCOME_SENT for outcome in outcomes):
            return self._report(language, outcomes, None), True
        return result.reply, True

    def _ask(self, conversation_id: str, action: Action, language: Language) -> str:
        """Hold a dangerous command for the user's yes, and ask in words."""
        self._tools.confirmations.ask(
            conversation_id,
            action.device_id,
            action.command,
            action.parameter,
            action.command_type,
        )
        target = self._tools.resolve(action.device_id)
        text = _TEXT[_in_words("ask", target.device_type, action.command)][language]
        return text.format(device=target.device.name, command=action.command)

    def _report(
        self,
        language: Language,
        outcomes: list[dict[str, Any]],
        failure: tuple[str, HomeAssistantError] | None,
    ) -> str:
        """A reply built from what reached the cloud, what waits, and what failed."""
        names = {
            outcome["device_id"]: self._tools.resolve(outcome["device_id"]).device.name
            for outcome in outcomes
        }
        sent = [names[o["device_id"]] for o in outcomes if o["outcome"] == OUTCOME_SENT]
        queued = [names[o["device_id"]] for o in outcomes if o["outcome"] == OUTCOME_QUEUED]
        joiner = "、" if language == "ja" else ", "
        parts: list[str] = []
        if sent:
            parts.append(_TEXT["report_sent"][language].format(devices=joiner.join(sent)))
        if queued:
            parts.append(_TEXT["report_queued"][language].format(devices=joiner.join(queued)))
        if failure is not None:
            parts.append(
                _TEXT["report_failed"][language].format(device=failure[0], error=failure[1])
            )
        return ("" if language == "ja" else " ").join(parts)

    @staticmethod
    def _refusal(err: HomeAssistantError, language: Language, device: str, command: str) -> str:
        """A refusal in the user's language (the service errors speak Home Assistant's)."""
        texts = _REFUSALS.get(err.translation_key or "")
        if texts is not None:
            return texts[language].format(device=device, command=command)
        return _TEXT["failed"][language].format(error=err)

    # --- with a model -------------------------------------------------------------------

    async def _model_turn(
        self,
        adapter: LLMAdapter,
        user_input: ConversationInput,
        chat_log: ChatLog,
        language: Language,
        snapshot: HomeSnapshot,
    ) -> tuple[str, bool]:
        hass_api = await self._hass_api(user_input)
        tools: tuple[ToolSpec, ...] = (*TOOL_SPECS, assist.TOOL_SPEC)
        if (agents := self._edge_agents()) and self._may_use_edge(user_input.context.user_id):
            tools = (*tools, edge_agent.tool_spec(agents))
        prompt = self._instructions(language, snapshot)
        if hass_api is not None:
            tools = (
                *tools,
                *(
                    ToolSpec(
                        tool.name,
                        tool.description or "",
                        probatio.to_openapi(
                            tool.parameters, custom_serializer=hass_api.custom_serializer
                        ),
                    )
                    for tool in hass_api.tools
                ),
            )
            prompt = f"{prompt}\n\n{hass_api.api_prompt}"
        # Stable instructions first, the changing context last: a prompt cache reuses
        # everything before the first byte that differs from the previous request.
        messages = [
            Message("system", prompt),
            *self._history(chat_log),
            Message("system", self._turn_context(snapshot)),
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
                return "".join(answer).strip() or _TEXT["no_answer"][language], True
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
            for call in calls:
                result = await self._run_tool(call, user_input, chat_log.conversation_id, hass_api)
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
        LOGGER.debug("Tool loop stopped after %d rounds", MAX_TOOL_ROUNDS)
        return _TEXT["no_answer"][language], acted

    @staticmethod
    def _history(chat_log: ChatLog) -> list[Message]:
        """Earlier turns of this conversation (the current user text comes last, apart)."""
        history: list[Message] = []
        for content in chat_log.content[:-1]:
            if isinstance(content, UserContent):
                history.append(Message("user", content.content))
            elif isinstance(content, AssistantContent) and content.content:
                history.append(Message("assistant", content.content))
        return history

    async def _hass_api(self, user_input: ConversationInput) -> llm.APIInstance | None:
        """Home Assistant's own Assist tools, when the user enabled them in the options."""
        if not self.entry.options.get(OPT_LLM_HASS_API):
            return None
        context = llm.LLMContext(
            platform=DOMAIN,
            context=user_input.context,
            language=user_input.language,
            assistant=conversation.DOMAIN,
            device_id=user_input.device_id,
        )
        try:
            return await llm.async_get_api(self.hass, llm.LLM_API_ASSIST, context)
        except HomeAssistantError as err:
            LOGGER.warning("Home Assistant's Assist tools are not available: %s", err)
            return None

    async def _run_hass_tool(self, call: ToolCall, hass_api: llm.APIInstance) -> dict[str, Any]:
        """A tool of Home Assistant's Assist API, minus the ways around our confirmation."""
        if _opens_the_home(self.hass, call):
            return {
                "error": "confirmation_required",
                "message": "Unlocking or opening goes through send_command, which asks the "
                "user to confirm.",
            }
        result = await hass_api.async_call_tool(
            llm.ToolInput(tool_name=call.name, tool_args=call.arguments)
        )
        data: dict[str, Any] = dict(result.data)
        if result.error:
            # "error" in the answer is what tells the tool loop that nothing was done.
            data.setdefault("error", "tool_failed")
        return data

    async def _run_tool(
        self,
        call: ToolCall,
        user_input: ConversationInput,
        conversation_id: str,
        hass_api: llm.APIInstance | None = None,
    ) -> dict[str, Any]:
        """One tool call; a refusal or error goes back to the model as data, never raised."""
        user_id = user_input.context.user_id
        arguments = call.arguments
        try:
            if call.name == "get_devices":
                return await self._tools.get_devices(user_id)
            if call.name == "get_status":
                return await self._tools.get_status(
                    user_id, str(arguments["device_id"]), source=Source.AGENT
                )
            if call.name == "get_scenes":
                return await self._tools.get_scenes(user_id)
            if call.name == "exec_scene":
                return await self._tools.execute_scene(
                    user_id=user_id, scene_id=str(arguments["scene_id"]), source=Source.AGENT
                )
            if call.name == "send_command":
                return await self._send_from_model(arguments, user_id, conversation_id)
            if call.name == assist.TOOL_NAME:
                return await self._propose_automation(str(arguments["request"]), conversation_id)
            if call.name == edge_agent.TOOL_NAME and self._edge_agents():
                return await self._run_on_edge(
                    str(arguments["device"]), str(arguments["instruction"]), user_id
                )
            if hass_api is not None and any(tool.name == call.name for tool in hass_api.tools):
                return await self._run_hass_tool(call, hass_api)
        except KeyError as err:
            return {"error": "missing_argument", "message": f"missing {err}"}
        except HomeAssistantError as err:
            return {"error": err.translation_key or type(err).__name__, "message": str(err)}
        return {"error": "unknown_tool", "message": f"no tool named {call.name}"}

    async def _send_from_model(
        self, arguments: dict[str, Any], user_id: str | None, conversation_id: str
    ) -> dict[str, Any]:
        device_id = str(arguments["device_id"])
        command = str(arguments["command"])
        parameter = arguments.get("parameter", "default")
        command_type = str(arguments.get("command_type") or "command")
        try:
            outcome = await self._tools.send_command(
                user_id=user_id,
                device_id=device_id,
                command=command,
                parameter=parameter if isinstance(parameter, dict) else str(parameter),
                command_type=command_type,
                source=Source.AGENT,
            )
        except HomeAssistantError as err:
            if err.translation_key != "confirmation_required":
                raise
            # The model asks the user; only the user's explicit yes runs it (next turn).
            self._tools.confirmations.ask(
                conversation_id, device_id, command, str(parameter), command_type
            )
            return {
                "error": "confirmation_required",
                "message": "Dangerous command: ask the user to confirm. It runs only if "
                "the user answers yes within 60 seconds.",
            }
        if outcome["outcome"] == OUTCOME_QUEUED:
            outcome["message"] = (
                "Not done yet: the SwitchBot cloud is not answering. The command is "
                "queued and goes out when the cloud is back; tell the user exactly that."
            )
        return outcome

    def _instructions(self, language: Language, snapshot: HomeSnapshot) -> str:
        """The part of the prompt that stays the same from turn to turn.

        Byte-stable on purpose: llama-server (and other prompt caches) reuse the
        prefix up to the first changed byte, so nothing here may depend on the
        clock or on readings. Those go into `_turn_context`, sent just before the user.
        """
        options = self.entry.options
        reply_in = "Japanese" if language == "ja" else "English"
        devices = [
            f"{device.device_id}|{device.name}|{device.area or '-'}|{device.kind.value}"
            + ("|ir" if device.is_infrared else "")
            for device in snapshot.devices
        ]
        scenes = [f"{scene.scene_id}|{scene.name}" for scene in snapshot.scenes]
        return "\n".join(
            [
                "You are RoomSense, the assistant of a home run by SwitchBot devices.",
                f"Always reply in {reply_in}, briefly.",
                "Use the tools to act; never claim an action you did not take.",
                "Unlocking, opening the garage and other dangerous commands need the user's "
                "explicit confirmation: if a tool answers confirmation_required, ask the user.",
                "If a tool refuses for permissions or night safe mode, say so; do not retry.",
                "When the user wants something later, repeatedly or under a condition, call "
                "create_automation with their words instead of acting now.",
                f"Night safe hours: {options.get('night_mode_start', 'none')}"
                f"-{options.get('night_mode_end', 'none')}.",
                "Devices (id|name|room|kind, ir = infrared remote, state assumed):",
                *devices,
                "Scenes (id|name):",
                *(scenes or ["none"]),
            ]
        )

    def _turn_context(self, snapshot: HomeSnapshot) -> str:
        """What changes between turns: the time, who is home, the latest readings."""
        readings = [
            f"{device.name} "
            + " ".join(
                f"{key}={device.state[key]}"
                for key in ("temperature", "humidity", "CO2")
                if key in device.state
            )
            for device in snapshot.devices
            if any(key in device.state for key in ("temperature", "humidity", "CO2"))
        ]
        home = [
            state.name for state in self.hass.states.async_all("person") if state.state == "home"
        ]
        return "\n".join(
            [
                f"Now: {dt_util.now().strftime('%Y-%m-%d %H:%M %a')}",
                "At home: " + (", ".join(home) if home else "unknown"),
                "Readings: " + ("; ".join(readings) if readings else "none"),
            ]
        )


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


def _edge_outcome(outcome: dict[str, Any]) -> str:
    """What the audit log says of an edge tool call: only a queued job was sent."""
    if outcome.get("error") == "permission_denied":
        return OUTCOME_DENIED
    return OUTCOME_SENT if "job_id" in outcome else OUTCOME_FAILED


def _opens_the_home(hass: HomeAssistant, call: ToolCall) -> bool:
    """Whether an Assist intent would unlock a lock or open a garage door or gate.

    Through Home Assistant's API, HassTurnOff unlocks a lock and HassTurnOn opens a cover.
    The API names its tools after the integration that offers them (`intent__HassTurnOff`).
    """
    intent_type = call.name.rsplit("__", 1)[-1]
    if intent_type not in ("HassTurnOff", "HassTurnOn"):
        return False
    domains = call.arguments.get("domain") or []
    domains = [domains] if isinstance(domains, str) else list(domains)
    name = str(call.arguments.get("name") or "").strip().casefold()
    guarded = ("lock",) if intent_type == "HassTurnOff" else ("cover",)
    if any(domain in guarded for domain in domains):
        return True
    for state in hass.states.async_all(guarded):
        if intent_type == "HassTurnOn" and state.attributes.get("device_class") not in (
            "garage",
            "gate",
            "door",
        ):
            continue
        if not name or name in (state.name.casefold(), state.entity_id.casefold()):
            return True
    return False
