"""A turn without a model: the deterministic fallback parser's reading of the words."""

from __future__ import annotations

from typing import Any

from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util

from ..automation import assist
from ..automation.parser import WorkflowParser
from ..gateway import OUTCOME_QUEUED, OUTCOME_SENT, Source
from ..home_model import Action, HomeSnapshot, ParseResult
from ..shared import get_shared
from .confirmations import PendingActions
from .context import AgentContext, Reply
from .phrases import Language, refusal, say


class FallbackTurn:
    """Carries out what the fallback parser understood, or offers the rule it heard."""

    def __init__(self, agent: AgentContext, pending: PendingActions) -> None:
        """A fallback turn for `agent`; what needs a yes is held in `pending`."""
        self._agent = agent
        self._pending = pending

    async def run(self, result: ParseResult, conversation_id: str, user_id: str | None) -> Reply:
        """The parser's answer, a scene and commands run, or the question a yes must answer."""
        language: Language = result.language
        if not result.understood:
            return result.reply, False
        if result.answer is not None:
            return result.answer, True
        outcomes: list[dict[str, Any]] = []
        try:
            if result.scene_id is not None:
                if (
                    partly := await self._run_scene(result.scene_id, user_id, language)
                ) is not None:
                    return partly
                if not result.actions:
                    return result.reply, True
                # "I'm home, and put the TV on too": the scene, then the commands.
            if dangerous := [action for action in result.actions if action.dangerous]:
                return self._pending.ask_command(conversation_id, dangerous[0], language), True
            stopped = await self._send(result.actions, outcomes, conversation_id, user_id, language)
            if stopped is not None:
                return stopped
        except HomeAssistantError as err:
            device = ""
            if result.actions:
                device = self._agent.tools.resolve(result.actions[0].device_id).device.name
            command = result.actions[0].command if result.actions else ""
            return refusal(err, language, device, command), False
        if any(outcome["outcome"] != OUTCOME_SENT for outcome in outcomes):
            return self._report(language, outcomes, None), True
        return result.reply, True

    async def _run_scene(
        self, scene_id: str, user_id: str | None, language: Language
    ) -> Reply | None:
        """Run a scene; the reply when part of it did not go out, else None."""
        ran = await self._agent.tools.execute_scene(
            user_id=user_id, scene_id=scene_id, source=Source.AGENT
        )
        # A learned scene runs command by command: say which did not go out.
        failed = [step for step in ran.get("results", ()) if step.get("error")]
        if not failed:
            return None
        step = failed[0]
        name = self._agent.tools.resolve(step["device_id"]).device.name
        return say(
            language,
            "scene_partly",
            done=len(ran["results"]) - len(failed),
            total=len(ran["results"]),
            device=name,
            error=step["error"],
        ), False

    async def _send(
        self,
        actions: tuple[Action, ...],
        outcomes: list[dict[str, Any]],
        conversation_id: str,
        user_id: str | None,
        language: Language,
    ) -> Reply | None:
        """Send the commands in order into `outcomes`; the reply when one stops the rest."""
        for action in actions:
            try:
                outcomes.append(
                    await self._agent.tools.send_command(
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
                    return self._pending.ask_command(conversation_id, action, language), True
                if not outcomes:
                    raise
                # Some went out before this one failed: say exactly which.
                failed_device = self._agent.tools.resolve(action.device_id).device.name
                return self._report(language, outcomes, (failed_device, err)), False
        return None

    def _report(
        self,
        language: Language,
        outcomes: list[dict[str, Any]],
        failure: tuple[str, HomeAssistantError] | None,
    ) -> str:
        """A reply built from what reached the cloud, what waits, and what failed."""
        names = {
            outcome["device_id"]: self._agent.tools.resolve(outcome["device_id"]).device.name
            for outcome in outcomes
        }
        sent = [names[o["device_id"]] for o in outcomes if o["outcome"] == OUTCOME_SENT]
        queued = [names[o["device_id"]] for o in outcomes if o["outcome"] == OUTCOME_QUEUED]
        joiner = "、" if language == "ja" else ", "
        parts: list[str] = []
        if sent:
            parts.append(say(language, "report_sent", devices=joiner.join(sent)))
        if queued:
            parts.append(say(language, "report_queued", devices=joiner.join(queued)))
        if failure is not None:
            parts.append(say(language, "report_failed", device=failure[0], error=failure[1]))
        return ("" if language == "ja" else " ").join(parts)

    def propose_rule(
        self, text: str, conversation_id: str, snapshot: HomeSnapshot, command: ParseResult
    ) -> Reply | None:
        """A rule said in words ("毎朝7時に…"): offer to save it instead of acting now.

        A delay the device's own timer carries out ("turn the fan off in 30 minutes") is a
        command now, not a rule.
        """
        if command.intent == "timer":
            return None
        automations = get_shared(self._agent.hass).automation_api
        result = WorkflowParser(automations.snapshot(snapshot)).parse_patterns(
            text, now=dt_util.now()
        )
        if result.success and result.workflow is not None:
            self._pending.hold_rule(conversation_id, result.workflow)
            reply_in: Language = "ja" if result.workflow.get("language") == "ja" else "en"
            return assist.TEXT["ask"][reply_in].format(summary=result.message), True
        if result.timing and (command.needs_confirmation or command.intent == "delayed"):
            # "毎朝7時に玄関の鍵を開けて": say why no rule, never offer to unlock now.
            return result.message, False
        return None
