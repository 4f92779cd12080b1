"""Instructions for edge devices (a Raspberry Pi, a Jetson) that run their own agent."""

from __future__ import annotations

import uuid
from typing import Any

from ..edge import agent as edge_agent
from ..edge.models import EdgeDevice
from ..fallback import detect_language
from ..gateway import OUTCOME_DENIED, OUTCOME_FAILED, OUTCOME_SENT, Source
from ..safety import user_permissions
from ..shared import get_shared
from .context import AgentContext, Reply


def edge_agents(agent: AgentContext) -> list[EdgeDevice]:
    """Edge devices that take instructions; the tool exists only when there are some."""
    return get_shared(agent.hass).edge.agent_devices()


def may_use_edge(agent: AgentContext, user_id: str | None) -> bool:
    """An edge device can do anything its owner wrote: restricted users may not."""
    permissions = user_permissions(agent.entry.options, user_id)
    return permissions.categories is None and permissions.areas is None


async def run_on_edge(
    agent: AgentContext, device: str, instruction: str, user_id: str | None
) -> dict[str, Any]:
    """Send one instruction to an edge device, and audit it whatever came of it."""
    request_id = uuid.uuid4().hex
    if not may_use_edge(agent, user_id):
        outcome = {"error": "permission_denied", "device": device}
    else:
        outcome = await edge_agent.run_instruction(
            get_shared(agent.hass).edge, agent.adapter, device, instruction
        )
    agent.tools.audit.record(
        request_id=request_id,
        user_id=user_id,
        device_id=outcome.get("device_id"),
        command=f"{edge_agent.TOOL_NAME}:{device}",
        outcome=_edge_outcome(outcome),
        source=Source.EDGE.value,
    )
    return outcome


async def fallback_edge_turn(
    agent: AgentContext, request: edge_agent.EdgeRequest, text: str, user_id: str | None
) -> Reply:
    """A turn without a model that words found to be meant for an edge device."""
    language = detect_language(text)
    outcome = await run_on_edge(agent, request.device.name, request.instruction, user_id)
    if outcome.get("error") == "permission_denied":
        return edge_agent.denied(language), False
    return edge_agent.summary(outcome, language), "error" not in outcome


def _edge_outcome(outcome: dict[str, Any]) -> str:
    """What the audit log says of an edge tool call: only a queued job was sent."""
    if outcome.get("error") == "permission_denied":
        return OUTCOME_DENIED
    return OUTCOME_SENT if "job_id" in outcome else OUTCOME_FAILED
