"""The tools the model calls: RoomSense's, the automation tool, edge devices, Assist's."""

from __future__ import annotations

from typing import Any

from homeassistant.components.conversation import ConversationInput
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import llm
from homeassistant.util import dt as dt_util

from ..automation import assist
from ..automation.api import DATA_API
from ..automation.parser import WorkflowParser
from ..edge import agent as edge_agent
from ..gateway import OUTCOME_QUEUED, Source
from ..language_models import ToolCall
from ..safety import PendingAction
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
        tools = self._agent.tools
        user_id = user_input.context.user_id
        arguments = call.arguments
        try:
            if call.name == "get_devices":
                return await tools.get_devices(user_id)
            if call.name == "get_status":
                return await tools.get_status(
                    user_id, str(arguments["device_id"]), source=Source.AGENT
                )
            if call.name == "get_scenes":
                return await tools.get_scenes(user_id)
            if call.name == "exec_scene":
                return await tools.execute_scene(
                    user_id=user_id, scene_id=str(arguments["scene_id"]), source=Source.AGENT
                )
            if call.name == "send_command":
                return await self._send_command(arguments, user_id, conversation_id)
            if call.name == assist.TOOL_NAME:
                return await self._propose_automation(str(arguments["request"]), conversation_id)
            if call.name == edge_agent.TOOL_NAME and edge_agents(self._agent):
                return await run_on_edge(
                    self._agent, str(arguments["device"]), str(arguments["instruction"]), user_id
                )
            if api is not None and hass_api.offers(api, call.name):
                return await hass_api.run_tool(self._agent.hass, call, api)
        except KeyError as err:
            return {"error": "missing_argument", "message": f"missing {err}"}
        except HomeAssistantError as err:
            return {"error": err.translation_key or type(err).__name__, "message": str(err)}
        return {"error": "unknown_tool", "message": f"no tool named {call.name}"}

    async def _send_command(
        self, arguments: dict[str, Any], user_id: str | None, conversation_id: str
    ) -> dict[str, Any]:
        device_id = str(arguments["device_id"])
        command = str(arguments["command"])
        parameter = arguments.get("parameter", "default")
        command_type = str(arguments.get("command_type") or "command")
        try:
            outcome = await self._agent.tools.send_command(
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
            self._pending.commands.ask(
                conversation_id,
                PendingAction(device_id, command, str(parameter), command_type),
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

    async def _propose_automation(self, request: str, conversation_id: str) -> dict[str, Any]:
        """Parse the request into a rule the user must confirm."""
        result = await WorkflowParser(
            self._agent.hass.data[DATA_API].snapshot(), self._agent.adapter
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
