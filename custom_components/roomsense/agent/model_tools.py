"""The tools the model calls: RoomSense's, the automation tool, edge devices, Assist's."""

from __future__ import annotations

from typing import Any

from homeassistant.components.conversation import ConversationInput
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import llm
from homeassistant.util import dt as dt_util

from ..actions import ACTIONS
from ..actions.llm_api import CONFIRMATION_REQUIRED, async_run_tool
from ..automation import assist
from ..automation.parser import WorkflowParser
from ..edge import agent as edge_agent
from ..language_models import ToolCall
from ..safety import PendingAction
from ..shared import get_shared
from . import hass_api
from .confirmations import PendingActions
from .context import AgentContext
from .edge_routing import edge_agents, run_on_edge


class ModelTools:
    """Runs the model's tool calls; a refusal or error goes back to it as data."""

    def __init__(self, agent: AgentContext, pending: PendingActions) -> None:
        """Tools act for `agent` and hold what needs a yes in `pending`."""
        self._agent = agent
        self._pending = pending

    async def run(
        self,
        call: ToolCall,
        user_input: ConversationInput,
        conversation_id: str,
        api: llm.APIInstance | None = None,
    ) -> dict[str, Any]:
        """One tool call; a refusal or error goes back to the model as data, never raised."""
        arguments = call.arguments
        try:
            if call.name == "send_command":
                return await self._send_command(arguments, user_input, conversation_id)
            answer = await async_run_tool(
                self._agent.hass, ACTIONS, call.name, arguments, user_input.context
            )
            if answer is not None:
                return answer
            if call.name == assist.TOOL_NAME:
                return await self._propose_automation(str(arguments["request"]), conversation_id)
            if call.name == edge_agent.TOOL_NAME and edge_agents(self._agent):
                return await run_on_edge(
                    self._agent,
                    str(arguments["device"]),
                    str(arguments["instruction"]),
                    user_input.context.user_id,
                )
            if api is not None and hass_api.offers(api, call.name):
                return await hass_api.run_tool(self._agent.hass, call, api)
        except KeyError as err:
            return {"error": "missing_argument", "message": f"missing {err}"}
        except HomeAssistantError as err:
            return {"error": err.translation_key or type(err).__name__, "message": str(err)}
        return {"error": "unknown_tool", "message": f"no tool named {call.name}"}

    async def _send_command(
        self, arguments: dict[str, Any], user_input: ConversationInput, conversation_id: str
    ) -> dict[str, Any]:
        """The registry's send_command; a dangerous command is held for the user's yes."""
        answer = (
            await async_run_tool(
                self._agent.hass, ACTIONS, "send_command", arguments, user_input.context
            )
            or {}
        )
        if answer.get("error") != CONFIRMATION_REQUIRED:
            return answer
        # The model asks the user; only the user's explicit yes runs it (next turn).
        self._pending.commands.ask(
            conversation_id,
            PendingAction(
                str(arguments["device_id"]),
                str(arguments["command"]),
                str(arguments.get("parameter", "default")),
                str(arguments.get("command_type") or "command"),
            ),
        )
        return {
            "error": CONFIRMATION_REQUIRED,
            "message": "Dangerous command: ask the user to confirm. It runs only if "
            "the user answers yes within 60 seconds.",
        }

    async def _propose_automation(self, request: str, conversation_id: str) -> dict[str, Any]:
        """Parse the request into a rule the user must confirm."""
        result = await WorkflowParser(
            get_shared(self._agent.hass).automation_api.snapshot(), self._agent.adapter
        ).parse(request, now=dt_util.now())
        if not result.success or result.workflow is None:
            return {"error": "not_understood", "message": result.message}
        self._pending.hold_rule(conversation_id, result.workflow)
        return {
            "error": "confirmation_required",
            "summary": result.message,
            "confidence": result.confidence,
            "message": "Tell the user what the rule will do and ask them to confirm; it is "
            "saved only if the user answers yes within 60 seconds.",
        }
