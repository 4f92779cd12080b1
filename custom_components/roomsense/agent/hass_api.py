"""The bridge to Home Assistant's own Assist tools, when the options enable them."""

from __future__ import annotations

from typing import Any

import probatio
from homeassistant.components import conversation
from homeassistant.components.conversation import ConversationInput
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import llm

from ..const import DOMAIN, LOGGER, OPT_LLM_HASS_API
from ..language_models import ToolCall, ToolSpec
from .context import AgentContext


async def get_api(agent: AgentContext, user_input: ConversationInput) -> llm.APIInstance | None:
    """Home Assistant's own Assist tools, when the user enabled them in the options."""
    if not agent.entry.options.get(OPT_LLM_HASS_API):
        return None
    context = llm.LLMContext(
        platform=DOMAIN,
        context=user_input.context,
        language=user_input.language,
        assistant=conversation.DOMAIN,
        device_id=user_input.device_id,
    )
    try:
        return await llm.async_get_api(agent.hass, llm.LLM_API_ASSIST, context)
    except HomeAssistantError as err:
        LOGGER.warning("Home Assistant's Assist tools are not available: %s", err)
        return None


def tool_specs(api: llm.APIInstance) -> tuple[ToolSpec, ...]:
    """Home Assistant's tools, described to the model like RoomSense's own."""
    return tuple(
        ToolSpec(
            tool.name,
            tool.description or "",
            probatio.to_openapi(tool.parameters, custom_serializer=api.custom_serializer),
        )
        for tool in api.tools
    )


def offers(api: llm.APIInstance, name: str) -> bool:
    """Whether Home Assistant's API has a tool of this name."""
    return any(tool.name == name for tool in api.tools)


async def run_tool(hass: HomeAssistant, call: ToolCall, api: llm.APIInstance) -> dict[str, Any]:
    """A tool of Home Assistant's Assist API, minus the ways around our confirmation."""
    if _opens_the_home(hass, call):
        return {
            "error": "confirmation_required",
            "message": "Unlocking or opening goes through send_command, which asks the "
            "user to confirm.",
        }
    result = await api.async_call_tool(llm.ToolInput(tool_name=call.name, tool_args=call.arguments))
    data: dict[str, Any] = dict(result.data)
    if result.error:
        # "error" in the answer is what tells the tool loop that nothing was done.
        data.setdefault("error", "tool_failed")
    return data


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
