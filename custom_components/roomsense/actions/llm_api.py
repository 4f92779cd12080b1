"""The actions with a tool, for language models: RoomSense's agent and any other.

RoomSense's own agent describes them with `tool_specs` and runs them with
`async_run_tool`. Home Assistant's LLM API offers the same tools to every conversation
agent (`LLM_API_ID`, chosen in that agent's options), run the same way.

A dangerous command (unlocking) needs a person's yes. RoomSense's agent holds it and asks;
through the LLM API nobody can answer, so the tool says to ask through RoomSense's
assistant or the device itself, and nothing is done.
"""

from __future__ import annotations

from typing import Any, Final, override

import probatio
from homeassistant.core import Context, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import llm
from homeassistant.util.json import JsonObjectType

from ..const import DOMAIN
from ..gateway import OUTCOME_QUEUED, Source
from ..language_models import ToolSpec
from .registry import Action, ActionRefusedError, AgentTool, Caller, async_run

LLM_API_ID: Final = DOMAIN
LLM_API_NAME: Final = "RoomSense"
CONFIRMATION_REQUIRED: Final = "confirmation_required"
QUEUED_MESSAGE: Final = (
    "Not done yet: the SwitchBot cloud is not answering. The command is "
    "queued and goes out when the cloud is back; tell the user exactly that."
)
API_PROMPT: Final = (
    "RoomSense runs the home's SwitchBot devices. Call get_devices to find a device's id, "
    "then get_status or send_command. Unlocking and other dangerous commands need the "
    "user's confirmation, which only RoomSense's own assistant can take: if a tool answers "
    "confirmation_required, tell the user so and do not retry."
)


def tool_actions(actions: tuple[Action, ...]) -> tuple[tuple[Action, AgentTool], ...]:
    """The actions that are tools, in their declared order."""
    return tuple((action, action.tool) for action in actions if action.tool is not None)


def tool_specs(actions: tuple[Action, ...]) -> tuple[ToolSpec, ...]:
    """The tools as RoomSense's agent describes them to its model."""
    return tuple(
        ToolSpec(tool.name, tool.description, tool.parameters)
        for _action, tool in tool_actions(actions)
    )


async def async_run_tool(
    hass: HomeAssistant,
    actions: tuple[Action, ...],
    name: str,
    arguments: dict[str, Any],
    context: Context | None,
) -> dict[str, Any] | None:
    """Run the tool `name` for the person of `context`; None when no action is that tool.

    A refusal or error is an answer the model can read, never raised; a command left
    queued says so.
    """
    found = [(action, tool) for action, tool in tool_actions(actions) if tool.name == name]
    if not found:
        return None
    action, tool = found[0]
    given = {key: value for key, value in arguments.items() if key in tool.properties}
    caller = Caller(hass, context.user_id if context else None, Source.AGENT, context)
    try:
        result = await async_run(action, caller, action.schema(given))
    except probatio.Invalid as err:
        return {"error": "invalid_arguments", "message": str(err)}
    except ActionRefusedError as refusal:
        return {"error": refusal.translation_key, "message": refusal.message}
    except HomeAssistantError as err:
        return {"error": err.translation_key or type(err).__name__, "message": str(err)}
    if result.get("outcome") == OUTCOME_QUEUED:
        result = {**result, "message": QUEUED_MESSAGE}
    return result


def _parameters(tool: AgentTool) -> probatio.Schema:
    """The tool's JSON schema as the LLM API's schema (the action's checks it again)."""
    required = set(tool.parameters.get("required", ()))
    fields: dict[Any, Any] = {}
    for name, spec in tool.parameters.get("properties", {}).items():
        marker = probatio.Required if name in required else probatio.Optional
        key = marker(name, description=spec.get("description"))
        fields[key] = probatio.In(spec["enum"]) if "enum" in spec else str
    return probatio.Schema(fields)


class ActionTool(llm.Tool):
    """One action, offered to any agent through Home Assistant's LLM API."""

    def __init__(self, actions: tuple[Action, ...], tool: AgentTool) -> None:
        """The tool `tool` of `actions`."""
        self._actions = actions
        self.name = tool.name
        self.description = tool.description
        self.parameters = _parameters(tool)
        self.integration = DOMAIN

    @override
    async def async_call(
        self, hass: HomeAssistant, tool_input: llm.ToolInput, llm_context: llm.LLMContext
    ) -> llm.ToolResult:
        """Run the action for the person talking to the agent."""
        result = await async_run_tool(
            hass, self._actions, self.name, tool_input.tool_args, llm_context.context
        )
        data: JsonObjectType = dict(result or {})
        if data.get("error") == CONFIRMATION_REQUIRED:
            data["message"] = (
                "This command needs the user's explicit confirmation, which this assistant "
                "cannot take. Tell the user to ask RoomSense's assistant or to use the "
                "device itself. Nothing was done."
            )
        return llm.ToolResult(data=data, error="error" in data)


class RoomSenseLLMAPI(llm.API):
    """RoomSense's tools for every conversation agent of Home Assistant."""

    def __init__(self, hass: HomeAssistant, actions: tuple[Action, ...]) -> None:
        """The tools of `actions`."""
        super().__init__(hass=hass, id=LLM_API_ID, name=LLM_API_NAME)
        self._actions = actions

    @override
    async def async_get_api_instance(self, llm_context: llm.LLMContext) -> llm.APIInstance:
        """The tools, for one conversation."""
        return llm.APIInstance(
            api=self,
            api_prompt=API_PROMPT,
            llm_context=llm_context,
            tools=[
                ActionTool(self._actions, tool) for _action, tool in tool_actions(self._actions)
            ],
            custom_serializer=llm.selector_serializer,
        )


@callback
def async_register_llm_api(hass: HomeAssistant, actions: tuple[Action, ...]) -> None:
    """Offer the tools through Home Assistant's LLM API, until Home Assistant stops."""
    llm.async_register_api(hass, RoomSenseLLMAPI(hass, actions))
