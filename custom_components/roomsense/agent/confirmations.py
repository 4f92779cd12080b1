"""What waits for the user's explicit yes: a dangerous command or a new automation rule.

Both are held for 60 s per conversation. The next turn either says yes (it runs), says
no (it is dropped), or says something else (it is dropped and the words are a new request).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from homeassistant.exceptions import HomeAssistantError

from ..automation import assist
from ..automation.api import AutomationInputError
from ..gateway import OUTCOME_QUEUED, Source
from ..home_model import Action
from ..safety import Confirmations, PendingAction
from ..shared import get_shared
from .context import AgentContext, Reply
from .phrases import NO, YES, Language, in_words, refusal, say, says

type _Run = Callable[[str, str | None, Language], Awaitable[Reply]]


class _Held(Protocol):
    """A store of one held thing per conversation."""

    def pending(self, conversation_id: str) -> bool: ...
    def cancel(self, conversation_id: str) -> object: ...


class PendingActions:
    """Every action the agent holds for a yes: dangerous commands first, then rules."""

    def __init__(self, agent: AgentContext) -> None:
        """Nothing waits yet."""
        self._agent = agent
        self._rules = assist.PendingWorkflows()

    @property
    def commands(self) -> Confirmations:
        """The dangerous commands held, one per conversation, for 60 s."""
        # Held with the shared tools, so every agent of the home sees the same question.
        return self._agent.tools.confirmations

    def _queue(self) -> list[tuple[_Held, _Run]]:
        # The order in which a yes is taken to answer them.
        return [(self.commands, self._run_command), (self._rules, self._save_rule)]

    def pending(self, conversation_id: str) -> bool:
        """Whether anything of this conversation still waits for a yes."""
        return any(held.pending(conversation_id) for held, _run in self._queue())

    def ask_command(self, conversation_id: str, action: Action, language: Language) -> str:
        """Hold a dangerous command for the user's yes, and ask in words."""
        self.commands.ask(
            conversation_id,
            PendingAction(action.device_id, action.command, action.parameter, action.command_type),
        )
        target = self._agent.tools.resolve(action.device_id)
        key = in_words("ask", target.device_type, action.command)
        return say(language, key, device=target.device.name, command=action.command)

    def hold_rule(self, conversation_id: str, workflow: dict[str, Any]) -> None:
        """Keep a parsed automation rule until the user says yes (or 60 s pass)."""
        self._rules.ask(conversation_id, workflow)

    async def answer(
        self, text: str, conversation_id: str, user_id: str | None, language: Language
    ) -> Reply | None:
        """The reply to a yes or a no; None when nothing waits or the words ask anew."""
        for held, run in self._queue():
            if not held.pending(conversation_id):
                continue
            if says(text, YES[language]):
                return await run(conversation_id, user_id, language)
            held.cancel(conversation_id)
            if says(text, NO[language]):
                return say(language, "cancelled"), True
        return None

    async def _run_command(
        self, conversation_id: str, user_id: str | None, language: Language
    ) -> Reply:
        tools = self._agent.tools
        pending = self.commands.take(conversation_id)
        if pending is None:  # expired meanwhile
            return say(language, "cancelled"), False
        target = tools.resolve(pending.device_id)
        try:
            outcome = await tools.send_command(
                user_id=user_id,
                device_id=pending.device_id,
                command=pending.command,
                parameter=pending.parameter,
                command_type=pending.command_type,
                confirm=True,
                source=Source.AGENT,
            )
        except HomeAssistantError as err:
            return refusal(err, language, target.device.name, pending.command), False
        if outcome["outcome"] == OUTCOME_QUEUED:
            return say(language, "report_queued", devices=target.device.name), True
        key = in_words("confirmed", target.device_type, pending.command)
        return say(language, key, device=target.device.name, command=pending.command), True

    async def _save_rule(
        self, conversation_id: str, user_id: str | None, language: Language
    ) -> Reply:
        workflow = self._rules.take(conversation_id)
        if workflow is None:  # expired meanwhile
            return say(language, "cancelled"), False
        try:
            saved = get_shared(self._agent.hass).automation_api.save(workflow, user_id)
        except AutomationInputError as err:
            return say(language, "failed", error=err), False
        return assist.TEXT["saved"][language].format(name=saved["rule"]["name"]), True
