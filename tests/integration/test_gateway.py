"""The command gateway: every path checked, audited, sent or queued, and assumed alike."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from homeassistant.auth.const import GROUP_ID_USER
from homeassistant.auth.models import User
from homeassistant.components import conversation
from homeassistant.components.climate import HVACMode
from homeassistant.components.lock import LockState
from homeassistant.const import ATTR_TEMPERATURE, STATE_OFF, STATE_ON
from homeassistant.core import Context, Event, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockUser,
    async_fire_time_changed,
)

from custom_components.roomsense.automation.actions import run_action
from custom_components.roomsense.const import DOMAIN, EVENT_AUDIT, EVENT_COMMAND_RESULT
from custom_components.roomsense.gateway import Source
from custom_components.roomsense.shared import get_shared

from ..conftest import SimulatorAdmin, listen_into
from .conftest import entity_id

LOCK = "F8C9A1B2E3D4"
PLUG = "7C87CE5A10B2"
BOT = "E2F64B7A9C01"
AIRCON = "02-202404011230-10482736"
TV = "01-202404011235-55120943"


async def kid_user(hass: HomeAssistant) -> User:
    """A person who may use the dashboard (not read-only) but is no administrator."""
    return await hass.auth.async_create_user("Kid", group_ids=[GROUP_ID_USER])


async def set_up(
    hass: HomeAssistant, entry: MockConfigEntry, options: dict[str, Any] | None = None
) -> None:
    entry.add_to_hass(hass)
    if options:
        hass.config_entries.async_update_entry(entry, options=options)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


def night_now() -> dict[str, str]:
    now = dt_util.now()
    return {
        "night_mode_start": (now - timedelta(hours=1)).strftime("%H:%M"),
        "night_mode_end": (now + timedelta(hours=1)).strftime("%H:%M"),
    }


async def unlock_from_dashboard(hass: HomeAssistant, user_id: str | None) -> None:
    await hass.services.async_call(
        "lock",
        "unlock",
        {"entity_id": entity_id(hass, "lock", f"{LOCK}_lock")},
        blocking=True,
        context=Context(user_id=user_id),
    )


async def processed(sim_admin: SimulatorAdmin, device_id: str) -> list[dict[str, Any]]:
    """Commands the cloud actually ran (answered with statusCode 100)."""
    return [
        call["body"]
        for call in await sim_admin.api_calls(f"/devices/{device_id}/commands")
        if call["status_code"] == 100
    ]


def audits(hass: HomeAssistant) -> list[Event]:
    events: list[Event] = []
    listen_into(hass, EVENT_AUDIT, events)
    return events


async def later(hass: HomeAssistant, *, seconds: float) -> None:
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=seconds))
    await hass.async_block_till_done()


# --- permission, night mode, confirmation on every path -----------------------------------


async def test_a_non_admin_user_is_refused_on_the_dashboard_lock(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    kid = await kid_user(hass)
    await set_up(hass, config_entry, {"permissions": {kid.id: {"categories": ["light"]}}})
    audited = audits(hass)

    with pytest.raises(ServiceValidationError) as caught:
        await unlock_from_dashboard(hass, kid.id)

    assert caught.value.translation_key == "permission_denied"
    assert await processed(sim_admin, LOCK) == []
    assert hass.states.get(entity_id(hass, "lock", f"{LOCK}_lock")).state == LockState.LOCKED
    await hass.async_block_till_done()
    assert [(e.data["source"], e.data["user_id"], e.data["outcome"]) for e in audited] == [
        ("entity", kid.id, "denied_permission")
    ]


async def test_a_dashboard_unlock_is_audited_as_an_entity_action(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
    hass_admin_user: MockUser,
) -> None:
    await set_up(hass, config_entry)
    audited = audits(hass)

    await unlock_from_dashboard(hass, hass_admin_user.id)  # the tap is the confirmation

    assert [body["command"] for body in await processed(sim_admin, LOCK)] == ["unlock"]
    await hass.async_block_till_done()
    assert [(e.data["source"], e.data["command"], e.data["outcome"]) for e in audited] == [
        ("entity", "unlock", "sent")
    ]


async def test_night_mode_refuses_the_dashboard_unless_an_admin_may_override(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
    hass_admin_user: MockUser,
) -> None:
    await set_up(hass, config_entry, night_now())
    with pytest.raises(ServiceValidationError) as caught:
        await unlock_from_dashboard(hass, hass_admin_user.id)
    assert caught.value.translation_key == "night_mode"
    assert await processed(sim_admin, LOCK) == []

    hass.config_entries.async_update_entry(
        config_entry, options={**config_entry.options, "night_mode_admin_override": True}
    )
    await hass.async_block_till_done()  # the options reload the entry
    kid = await kid_user(hass)
    with pytest.raises(ServiceValidationError) as caught:
        await unlock_from_dashboard(hass, kid.id)
    assert caught.value.translation_key == "night_mode"
    await unlock_from_dashboard(hass, hass_admin_user.id)
    assert [body["command"] for body in await processed(sim_admin, LOCK)] == ["unlock"]


async def test_an_automation_can_never_unlock(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
    hass_admin_user: MockUser,
) -> None:
    await set_up(hass, config_entry, {"night_mode_admin_override": True})
    audited = audits(hass)
    action = {"type": "device_command", "device_id": LOCK, "command": "unlock"}

    with pytest.raises(ServiceValidationError) as caught:
        await run_action(hass, get_shared(hass).tools, action, user_id=hass_admin_user.id)
    assert caught.value.translation_key == "unattended_dangerous"
    # Not even when a caller claims a confirmation for it.
    with pytest.raises(ServiceValidationError):
        await get_shared(hass).tools.send_command(
            user_id=hass_admin_user.id,
            device_id=LOCK,
            command="unlock",
            confirm=True,
            source=Source.AUTOMATION,
        )

    assert await processed(sim_admin, LOCK) == []
    await hass.async_block_till_done()
    assert {(e.data["source"], e.data["outcome"]) for e in audited} == {
        ("automation", "confirmation_required")
    }


# --- outages: queue what is idempotent, never repeat what is not ---------------------------


async def test_an_idempotent_command_answered_503_is_queued_and_delivered_once(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
    hass_storage: dict[str, Any],
) -> None:
    await set_up(hass, config_entry)
    results: list[Event] = []
    listen_into(hass, EVENT_COMMAND_RESULT, results)
    await sim_admin.fault(http_status=503, paths=["/v1.1/devices/"])

    answer = await hass.services.async_call(
        DOMAIN,
        "send_command",
        {"device_id": PLUG, "command": "turnOn"},
        blocking=True,
        return_response=True,
    )

    assert answer["outcome"] == "queued"
    await hass.async_block_till_done()
    pending = config_entry.runtime_data.gateway.queue.pending
    assert [(item.command, item.idempotent) for item in pending] == [("turnOn", True)]
    plug = entity_id(hass, "switch", f"{PLUG}_plug")
    assert hass.states.get(plug).state == STATE_ON
    assert hass.states.get(plug).attributes["queued_command"] == "turnOn"

    await sim_admin.request("DELETE", "faults")
    await later(hass, seconds=30)
    assert await processed(sim_admin, PLUG) == [
        {"command": "turnOn", "parameter": "default", "commandType": "command"}
    ]
    assert [event.data["result"] for event in results] == ["succeeded"]
    await later(hass, seconds=300)
    assert len(await processed(sim_admin, PLUG)) == 1


async def test_a_dropped_connection_is_retried_at_once_for_an_idempotent_command(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    await set_up(hass, config_entry)
    await sim_admin.fault(outage=True, count=1, paths=["/v1.1/devices/"])

    answer = await hass.services.async_call(
        DOMAIN,
        "send_command",
        {"device_id": PLUG, "command": "turnOff"},
        blocking=True,
        return_response=True,
    )

    assert answer["outcome"] == "sent"
    calls = await sim_admin.api_calls(f"/devices/{PLUG}/commands")
    assert [call["status_code"] for call in calls] == [None, 100]


@pytest.mark.parametrize("fault", [{"outage": True}, {"http_status": 503}])
async def test_a_non_idempotent_command_is_never_sent_twice(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
    fault: dict[str, Any],
) -> None:
    await set_up(hass, config_entry)
    await sim_admin.fault(count=1, paths=["/v1.1/devices/"], **fault)

    with pytest.raises(HomeAssistantError) as caught:
        await hass.services.async_call(
            DOMAIN, "send_command", {"device_id": BOT, "command": "press"}, blocking=True
        )

    assert caught.value.translation_key == "command_not_repeated"
    assert "not sent again" in str(caught.value)
    assert len(await sim_admin.api_calls(f"/devices/{BOT}/commands")) == 1
    assert config_entry.runtime_data.gateway.queue.pending == []
    await later(hass, seconds=300)
    assert len(await sim_admin.api_calls(f"/devices/{BOT}/commands")) == 1


async def test_a_command_is_queued_while_the_cloud_stops_listening(
    hass: HomeAssistant, config_entry: MockConfigEntry, simulator: Any
) -> None:
    await set_up(hass, config_entry)
    port = simulator.port
    await simulator.stop()

    answer = await hass.services.async_call(
        DOMAIN,
        "send_command",
        {"device_id": BOT, "command": "press"},
        blocking=True,
        return_response=True,
    )
    # Never reached the cloud: even a press may wait, it cannot have run.
    assert answer["outcome"] == "queued"

    await simulator.start(host="127.0.0.1", port=port)
    await later(hass, seconds=30)
    commands = [call for call in simulator.calls if call["path"].endswith("/commands")]
    assert [call["body"]["command"] for call in commands] == ["press"]


# --- assumed state follows every path ------------------------------------------------------


async def test_the_air_conditioner_shows_what_any_path_sent_even_after_a_restart(
    hass: HomeAssistant, config_entry: MockConfigEntry, hass_admin_user: MockUser
) -> None:
    await set_up(hass, config_entry)
    climate = entity_id(hass, "climate", f"{AIRCON}_air_conditioner")

    async def agent_sends(command: str, parameter: str = "default") -> None:
        await get_shared(hass).tools.send_command(
            user_id=hass_admin_user.id,
            device_id=AIRCON,
            command=command,
            parameter=parameter,
            source=Source.AGENT,
        )

    await agent_sends("setAll", "26,2,1,on")
    state = hass.states.get(climate)
    assert (state.state, state.attributes[ATTR_TEMPERATURE]) == (HVACMode.COOL, 26)
    await run_action(
        hass,
        get_shared(hass).tools,
        {
            "type": "device_command",
            "device_id": AIRCON,
            "command": "setAll",
            "parameter": "22,5,2,on",
        },
        user_id=None,
    )
    state = hass.states.get(climate)
    assert (state.state, state.attributes[ATTR_TEMPERATURE], state.attributes["fan_mode"]) == (
        HVACMode.HEAT,
        22,
        "low",
    )
    await agent_sends("turnOff")
    assert hass.states.get(climate).state == HVACMode.OFF

    await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()
    state = hass.states.get(climate)
    assert (state.state, state.attributes[ATTR_TEMPERATURE]) == (HVACMode.OFF, 22)
    # Turning on goes back to the mode the automation sent.
    await hass.services.async_call("climate", "turn_on", {"entity_id": climate}, blocking=True)
    assert hass.states.get(climate).state == HVACMode.HEAT


async def test_the_tv_remote_shows_what_the_agent_sent(
    hass: HomeAssistant, config_entry: MockConfigEntry, hass_admin_user: MockUser
) -> None:
    await set_up(hass, config_entry)
    tv = entity_id(hass, "remote", f"{TV}_remote")
    assert hass.states.get(tv).state == STATE_OFF

    await get_shared(hass).tools.send_command(
        user_id=hass_admin_user.id, device_id=TV, command="turnOn", source=Source.AGENT
    )
    assert hass.states.get(tv).state == STATE_ON

    await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(entity_id(hass, "remote", f"{TV}_remote")).state == STATE_ON


async def test_entity_scene_activation_goes_through_the_gateway(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
) -> None:
    kid = await kid_user(hass)
    await set_up(hass, config_entry, {"permissions": {kid.id: {"categories": ["light"]}}})
    audited = audits(hass)
    scene = next(
        entry.entity_id
        for entry in er.async_entries_for_config_entry(er.async_get(hass), config_entry.entry_id)
        if entry.domain == "scene" and entry.unique_id.startswith("scene_")
    )

    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            "scene", "turn_on", {"entity_id": scene}, blocking=True, context=Context(user_id=kid.id)
        )

    assert caught.value.translation_key == "scene_permission_denied"
    assert await sim_admin.api_calls("/execute") == []
    await hass.async_block_till_done()
    assert [(e.data["source"], e.data["outcome"]) for e in audited] == [
        ("entity", "denied_permission")
    ]


# --- an unloaded entry leaves no timers behind ---------------------------------------------


def _owners(obj: Any, depth: int = 0) -> set[str]:
    """The modules of what a scheduled callback will run (through jobs and partials)."""
    if obj is None or depth > 4:
        return set()
    found = {getattr(obj, "__module__", None) or ""}
    if (bound := getattr(obj, "__self__", None)) is not None:
        found.add(type(bound).__module__)
        found |= _owners(getattr(bound, "job", None), depth + 1)
        found |= _owners(getattr(bound, "_run_job", None), depth + 1)
    for name in ("func", "target", "__func__"):
        found |= _owners(getattr(obj, name, None), depth + 1)
    return found


def roomsense_timers(hass: HomeAssistant) -> list[str]:
    """Scheduled callbacks that will run RoomSense code."""
    timers = []
    for handle in hass.loop._scheduled:
        if handle.cancelled():
            continue
        owners = _owners(handle._callback)
        for arg in handle._args or ():
            owners |= _owners(arg)
        if any(owner.startswith("custom_components.roomsense") for owner in owners):
            timers.append(repr(handle))
    return timers


async def test_an_unloaded_entry_cancels_its_timers(
    hass: HomeAssistant, config_entry: MockConfigEntry, simulator: Any
) -> None:
    await set_up(hass, config_entry)
    await simulator.stop()
    await hass.services.async_call(
        DOMAIN, "send_command", {"device_id": PLUG, "command": "turnOn"}, blocking=True
    )  # queued: a retry timer runs
    assert roomsense_timers(hass)

    assert await hass.config_entries.async_unload(config_entry.entry_id)
    await hass.async_block_till_done()

    assert roomsense_timers(hass) == []


async def test_every_path_is_audited_with_its_source(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    hass_admin_user: MockUser,
) -> None:
    assert await async_setup_component(hass, "conversation", {})
    await set_up(hass, config_entry)
    audited = audits(hass)
    admin = Context(user_id=hass_admin_user.id)

    # A person's tap on the dashboard.
    await hass.services.async_call(
        "switch",
        "turn_off",
        {"entity_id": entity_id(hass, "switch", f"{PLUG}_plug")},
        blocking=True,
        context=admin,
    )
    # The roomsense.send_command service.
    await hass.services.async_call(
        DOMAIN, "send_command", {"device_id": PLUG, "command": "turnOn"}, blocking=True,
        context=admin,
    )  # fmt: skip
    # The agent (the fallback parser, no model).
    agent = entity_id(hass, "conversation", f"{config_entry.entry_id}_conversation")
    await conversation.async_converse(
        hass, "コーヒーメーカーのプラグを消して", None, admin, language="ja", agent_id=agent
    )
    # A RoomSense automation.
    await run_action(
        hass,
        get_shared(hass).tools,
        {"type": "device_command", "device_id": PLUG, "command": "turnOn"},
        user_id=hass_admin_user.id,
    )
    # A learned scene.
    learning = get_shared(hass).learning
    learning.offered["c1"] = {
        "candidate_id": "c1",
        "name": "Coffee",
        "operations": [{"device_id": PLUG, "command": "turnOff", "parameters": "default"}],
        "confidence": 0.9,
    }
    scene = learning.approve("c1")
    await get_shared(hass).tools.execute_scene(
        user_id=hass_admin_user.id, scene_id=scene["id"], source=Source.SERVICE
    )
    await hass.async_block_till_done()

    assert [(e.data["source"], e.data["command"], e.data["outcome"]) for e in audited] == [
        ("entity", "turnOff", "sent"),
        ("service", "turnOn", "sent"),
        ("agent", "turnOff", "sent"),
        ("automation", "turnOn", "sent"),
        ("scene", "turnOff", "sent"),
    ]
    assert {e.data["user_id"] for e in audited} == {hass_admin_user.id}
