"""The operations registry: one declaration gives the service, the REST endpoint and the tool.

Also RoomSense's tools through Home Assistant's LLM API, as any conversation agent uses
them: the same devices, the same gateway, and no way around a person's confirmation.
"""

from __future__ import annotations

import re
from pathlib import Path

import probatio
import pytest
import yaml
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError, Unauthorized
from homeassistant.helpers import llm
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.roomsense.actions import ACTIONS
from custom_components.roomsense.actions.llm_api import LLM_API_ID, async_run_tool
from custom_components.roomsense.actions.registry import Access
from custom_components.roomsense.const import DOMAIN

from ..conftest import SimulatorAdmin, commands_sent
from .conftest import roomsense_service

BULB = "6055F93A8B21"
LOCK = "F8C9A1B2E3D4"
SERVICES_YAML = Path(__file__).parents[2] / "custom_components/roomsense/services.yaml"


async def test_every_action_is_a_service_and_services_yaml_describes_it(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    registered = set(hass.services.async_services_for_domain(DOMAIN))
    names = {action.name for action in ACTIONS if action.service}
    # The picture upload acts on an entity, so it is an entity service, not an action.
    assert registered == names | {"upload_art_frame_image"}
    described = set(yaml.safe_load(SERVICES_YAML.read_text(encoding="utf-8")))
    assert described == registered
    assert len({action.name for action in ACTIONS}) == len(ACTIONS), "two share a name"


async def test_each_rest_endpoint_runs_its_action(
    hass: HomeAssistant, setup_entry: MockConfigEntry, hass_client: ClientSessionGenerator
) -> None:
    """Every declared method and path answers (never 405, never a bare 404 of no route)."""
    client = await hass_client()
    for action in ACTIONS:
        for rest in action.rest:
            path = re.sub(r"\{[a-z_]+\}", "nope", rest.path)
            response = await client.request(rest.method, f"/api/roomsense/{path}", json={})
            assert response.status in (200, 201, 400, 404), (action.name, response.status)
            assert response.content_type == "application/json", action.name
            body = await response.json()
            if response.status >= 400:
                assert body["success"] is False, action.name
                assert body["message"], action.name


async def test_admin_actions_refuse_other_people(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    hass_read_only_user: MockUser,
    hass_client: ClientSessionGenerator,
    hass_read_only_access_token: str,
) -> None:
    """Before its input is even read: a stranger learns nothing about it."""
    admin_only = [action for action in ACTIONS if action.access is Access.ADMIN]
    assert {action.name for action in admin_only if action.service} == {
        "get_audit_log",
        "edge_submit_job",
        "create_dashboard",
    }
    client = await hass_client(hass_read_only_access_token)
    for action in admin_only:
        if action.service:
            with pytest.raises(Unauthorized):
                await hass.services.async_call(
                    DOMAIN,
                    action.name,
                    {"device_id": "x", "command": "ping"}
                    if action.name == "edge_submit_job"
                    else {},
                    blocking=True,
                    return_response=True,
                    context=Context(user_id=hass_read_only_user.id),
                )
        for rest in action.rest:
            path = re.sub(r"\{[a-z_]+\}", "nope", rest.path)
            response = await client.request(rest.method, f"/api/roomsense/{path}", json={})
            assert response.status == 401, action.name


async def test_a_refusal_is_translated_for_a_service(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    with pytest.raises(ServiceValidationError) as caught:
        await roomsense_service(hass, "get_rule", {"rule_id": "nope"})
    assert caught.value.translation_key == "unknown_rule"
    assert caught.value.translation_placeholders == {"rule_id": "nope"}


async def test_a_model_can_never_confirm_for_the_user(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
    hass_admin_user: MockUser,
) -> None:
    """`confirm` is not one of the tool's arguments: a model that sends it is ignored."""
    answer = await async_run_tool(
        hass,
        ACTIONS,
        "send_command",
        {"device_id": LOCK, "command": "unlock", "confirm": True},
        Context(user_id=hass_admin_user.id),
    )
    assert answer is not None
    assert answer["error"] == "confirmation_required"
    assert await commands_sent(sim_admin, LOCK) == []


async def test_tool_arguments_are_checked_by_the_actions_schema(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    answer = await async_run_tool(hass, ACTIONS, "get_status", {}, Context())
    assert answer is not None
    assert answer["error"] == "invalid_arguments"
    assert "device_id" in answer["message"]
    assert await async_run_tool(hass, ACTIONS, "no_such_tool", {}, Context()) is None


def _llm_context(user: MockUser) -> llm.LLMContext:
    return llm.LLMContext(
        platform="another_agent",
        context=Context(user_id=user.id),
        language="en",
        assistant="conversation",
        device_id=None,
    )


async def test_other_agents_get_the_tools_through_the_llm_api(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
    hass_admin_user: MockUser,
) -> None:
    assert any(api.id == LLM_API_ID for api in llm.async_get_apis(hass))
    api = await llm.async_get_api(hass, LLM_API_ID, _llm_context(hass_admin_user))
    assert [tool.name for tool in api.tools] == [
        "get_devices",
        "get_status",
        "send_command",
        "get_scenes",
        "exec_scene",
    ]
    assert all(tool.integration == DOMAIN for tool in api.tools)
    # As an agent sends them to its model: the JSON schemas the tools declare.
    send = next(tool for tool in api.tools if tool.name == "send_command")
    schema = probatio.to_openapi(send.parameters, custom_serializer=api.custom_serializer)
    assert schema["required"] == ["device_id", "command"]
    assert schema["properties"]["command_type"]["enum"] == ["command", "customize"]
    assert "confirm" not in schema["properties"]
    assert "confirmation" in api.api_prompt

    devices = await api.async_call_tool(llm.ToolInput("get_devices", {}))
    assert not devices.error
    assert BULB in {device["device_id"] for device in devices.data["devices"]}

    sent = await api.async_call_tool(
        llm.ToolInput("send_command", {"device_id": BULB, "command": "turnOff"})
    )
    assert (sent.error, sent.data["outcome"]) == (False, "sent")
    assert await commands_sent(sim_admin, BULB, "command") == ["turnOff"]


async def test_the_llm_api_cannot_unlock(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
    hass_admin_user: MockUser,
) -> None:
    api = await llm.async_get_api(hass, LLM_API_ID, _llm_context(hass_admin_user))
    answer = await api.async_call_tool(
        llm.ToolInput("send_command", {"device_id": LOCK, "command": "unlock", "confirm": True})
    )
    assert answer.error is True
    assert answer.data["error"] == "confirmation_required"
    assert "RoomSense's assistant" in str(answer.data["message"])
    assert await commands_sent(sim_admin, LOCK) == []


async def test_the_llm_api_applies_each_persons_permissions(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
    hass_read_only_user: MockUser,
) -> None:
    """Someone allowed only lights is refused the lock through the API, as everywhere else."""
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry, options={"permissions": {hass_read_only_user.id: {"categories": ["light"]}}}
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    api = await llm.async_get_api(hass, LLM_API_ID, _llm_context(hass_read_only_user))
    devices = await api.async_call_tool(llm.ToolInput("get_devices", {}))
    assert {device["category"] for device in devices.data["devices"]} == {"light"}
    answer = await api.async_call_tool(
        llm.ToolInput("send_command", {"device_id": LOCK, "command": "lock"})
    )
    assert answer.error is True
    assert answer.data["error"] == "permission_denied"
    assert await commands_sent(sim_admin, LOCK) == []
