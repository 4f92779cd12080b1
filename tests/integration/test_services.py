"""The roomsense.* services: device ids both ways, confirmation, night mode, permissions, audit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import probatio
import pytest
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import ServiceValidationError, Unauthorized
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockUser,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.roomsense.const import DOMAIN, EVENT_AUDIT

from ..conftest import SimulatorAdmin, commands_sent, listen_into, registry_device
from .conftest import roomsense_service

BULB = "6055F93A8B21"
LOCK = "F8C9A1B2E3D4"
LEAVING = "T01-202404011300-71820345"


async def test_get_devices_and_status(hass: HomeAssistant, setup_entry: MockConfigEntry) -> None:
    devices = (await roomsense_service(hass, "get_devices", {}))["devices"]
    bulb = next(device for device in devices if device["device_id"] == BULB)
    assert bulb["category"] == "light"
    assert bulb["ha_device_id"] is not None
    assert any(device["infrared"] for device in devices)

    status = await roomsense_service(hass, "get_status", {"device_id": bulb["ha_device_id"]})
    assert status["device_id"] == BULB
    assert status["status"]["power"] in ("on", "off")


async def test_send_command_by_home_assistant_device_id(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    ha_device = registry_device(hass, (DOMAIN, BULB))
    assert ha_device is not None
    response = await roomsense_service(
        hass,
        "send_command",
        {"device_id": ha_device.id, "command": "setBrightness", "parameter": 40},
    )
    assert response["outcome"] == "sent"
    assert await commands_sent(sim_admin, BULB) == [
        {"command": "setBrightness", "parameter": "40", "commandType": "command"}
    ]


async def test_unlock_needs_confirm_and_is_audited(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
    hass_admin_user: MockUser,
) -> None:
    audited: list[Event] = []
    listen_into(hass, EVENT_AUDIT, audited)
    with pytest.raises(ServiceValidationError) as caught:
        await roomsense_service(
            hass, "send_command", {"device_id": LOCK, "command": "unlock"}, hass_admin_user
        )
    assert caught.value.translation_key == "confirmation_required"
    assert await commands_sent(sim_admin, LOCK) == []

    await roomsense_service(
        hass,
        "send_command",
        {"device_id": LOCK, "command": "unlock", "confirm": True},
        hass_admin_user,
    )
    assert [body["command"] for body in await commands_sent(sim_admin, LOCK)] == ["unlock"]
    # Event listeners run as jobs of their own: let them.
    await hass.async_block_till_done()
    assert [(event.data["outcome"], event.data["user_id"]) for event in audited] == [
        ("confirmation_required", hass_admin_user.id),
        ("sent", hass_admin_user.id),
    ]
    assert audited[1].data["device_id"] == LOCK
    assert audited[1].data["command"] == "unlock"


async def test_night_safe_mode_refuses_unlocking(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
    hass_ws_client: WebSocketGenerator,
) -> None:
    assert await async_setup_component(hass, "persistent_notification", {})
    now = dt_util.now()
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry,
        options={
            "night_mode_start": (now - timedelta(hours=1)).strftime("%H:%M"),
            "night_mode_end": (now + timedelta(hours=1)).strftime("%H:%M"),
        },
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    with pytest.raises(ServiceValidationError) as caught:
        await roomsense_service(
            hass, "send_command", {"device_id": LOCK, "command": "unlock", "confirm": True}
        )
    assert caught.value.translation_key == "night_mode"
    assert await commands_sent(sim_admin, LOCK) == []
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "persistent_notification/get"})
    notifications = (await client.receive_json())["result"]
    assert [
        note["notification_id"].startswith(f"{DOMAIN}_night_mode") for note in notifications
    ] == [True]
    # Locking stays allowed at night.
    await roomsense_service(hass, "send_command", {"device_id": LOCK, "command": "lock"})
    assert [body["command"] for body in await commands_sent(sim_admin, LOCK)] == ["lock"]


async def test_permissions_limit_a_user_to_lights(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
    hass_read_only_user: MockUser,
) -> None:
    child = hass_read_only_user
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry, options={"permissions": {child.id: {"categories": ["light"]}}}
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    categories = {
        device["category"]
        for device in (await roomsense_service(hass, "get_devices", {}, child))["devices"]
    }
    assert categories == {"light"}
    await roomsense_service(hass, "send_command", {"device_id": BULB, "command": "turnOn"}, child)
    with pytest.raises(ServiceValidationError) as caught:
        await roomsense_service(hass, "send_command", {"device_id": LOCK, "command": "lock"}, child)
    assert caught.value.translation_key == "permission_denied"
    with pytest.raises(ServiceValidationError):
        await roomsense_service(hass, "execute_scene", {"scene_id": LEAVING}, child)
    assert await commands_sent(sim_admin, LOCK) == []
    assert len(await commands_sent(sim_admin, BULB)) == 1


async def test_scene_and_audit_log_for_admins_only(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
    hass_admin_user: MockUser,
    hass_read_only_user: MockUser,
    hass_storage: dict[str, Any],
) -> None:
    await roomsense_service(hass, "execute_scene", {"scene_id": LEAVING}, hass_admin_user)
    assert len(await sim_admin.api_calls(f"/scenes/{LEAVING}/execute")) == 1

    records = (await roomsense_service(hass, "get_audit_log", {"limit": 10}, hass_admin_user))[
        "records"
    ]
    assert records[0]["command"] == f"scene:{LEAVING}"
    assert records[0]["outcome"] == "sent"
    assert records[0]["user_id"] == hass_admin_user.id
    with pytest.raises(Unauthorized):
        await roomsense_service(hass, "get_audit_log", {}, hass_read_only_user)

    # Kept in a Store (written shortly after, so a burst costs one write).
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=5))
    await hass.async_block_till_done()
    stored = hass_storage["roomsense.audit_log"]["data"]
    assert stored[-1]["command"] == f"scene:{LEAVING}"


@pytest.mark.parametrize(
    ("service", "data", "error"),
    [
        ("send_command", {"command": "turnOn"}, probatio.Invalid),
        ("send_command", {"device_id": BULB, "command": ""}, probatio.Invalid),
        (
            "send_command",
            {"device_id": BULB, "command": "x", "command_type": "y"},
            probatio.Invalid,
        ),
        ("get_status", {"device_id": "nope"}, ServiceValidationError),
        ("get_audit_log", {"limit": 0}, probatio.Invalid),
    ],
)
async def test_bad_input_is_refused_clearly(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    service: str,
    data: dict[str, Any],
    error: type[Exception],
) -> None:
    with pytest.raises(error):
        await roomsense_service(hass, service, data)
