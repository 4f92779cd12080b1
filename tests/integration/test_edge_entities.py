"""Edge devices in Home Assistant: their devices, entities, and `roomsense.edge_submit_job`."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import probatio
import pytest
from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError, Unauthorized
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockUser,
    async_fire_time_changed,
)

from custom_components.roomsense import async_remove_config_entry_device
from custom_components.roomsense.const import DOMAIN
from custom_components.roomsense.diagnostics import async_get_config_entry_diagnostics
from custom_components.roomsense.edge import EdgeManager
from custom_components.roomsense.edge.manager import ha_identifier
from custom_components.roomsense.shared import get_shared

from ..conftest import home_with, registry_device
from .conftest import entity_id
from .edge_helpers import BASE, EdgeDeviceClient, register, submit


@pytest.fixture
def home() -> dict[str, Any]:
    return home_with("Plug Mini (JP)")


@pytest.fixture
async def edge(hass: HomeAssistant, setup_entry: MockConfigEntry) -> EdgeManager:
    return get_shared(hass).edge


@pytest.fixture
async def jetson(
    hass: HomeAssistant, admin: TestClient, device_http: TestClient
) -> EdgeDeviceClient:
    device = await register(admin, device_http)
    await hass.async_block_till_done()
    return device


def states(hass: HomeAssistant, device_id: str) -> tuple[str, str, str]:
    """Connectivity, queue length and last job, as the user sees them."""
    found = []
    for platform, key in (
        ("binary_sensor", "connectivity"),
        ("sensor", "edge_queue_length"),
        ("sensor", "edge_last_job"),
    ):
        state = hass.states.get(entity_id(hass, platform, f"edge_{device_id}_{key}"))
        assert state is not None
        found.append(state.state)
    return found[0], found[1], found[2]


async def test_a_registered_device_appears_with_its_entities(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    admin: TestClient,
    jetson: EdgeDeviceClient,
    freezer: FrozenDateTimeFactory,
) -> None:
    device = registry_device(hass, ha_identifier(jetson.device_id))
    assert device is not None
    assert (device.name, device.model, device.sw_version) == (
        "Garage Jetson",
        "NVIDIA Jetson",
        "1.2.0",
    )
    assert device.config_entry_id == setup_entry.entry_id
    connectivity = entity_id(hass, "binary_sensor", f"edge_{jetson.device_id}_connectivity")
    assert connectivity == "binary_sensor.garage_jetson_connectivity"
    assert states(hass, jetson.device_id) == ("off", "0", "unknown")

    await submit(admin, jetson.device_id, command="gpio")
    await submit(admin, jetson.device_id, command="camera")
    await hass.async_block_till_done()
    assert states(hass, jetson.device_id) == ("off", "2", "unknown")

    _status, job = await jetson.next(wait=0)
    assert job is not None
    await jetson.report(job["job_id"], result="x" * 1000)
    await hass.async_block_till_done()
    assert states(hass, jetson.device_id) == ("on", "1", "succeeded")
    last_job = hass.states.get(entity_id(hass, "sensor", f"edge_{jetson.device_id}_edge_last_job"))
    assert last_job is not None
    assert last_job.attributes["job_id"] == job["job_id"]
    assert last_job.attributes["command"] == "gpio"
    assert len(last_job.attributes["result"]) == 255

    # Two long-poll windows (the device asked for wait=0, so the 5 s floor) without a word.
    freezer.tick(timedelta(seconds=11))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert states(hass, jetson.device_id)[0] == "off"


async def test_connectivity_is_on_during_a_long_poll(
    hass: HomeAssistant, jetson: EdgeDeviceClient
) -> None:
    poll = asyncio.create_task(jetson.next(wait=0.3))
    await asyncio.sleep(0.1)
    assert states(hass, jetson.device_id)[0] == "on"
    await poll
    await hass.async_block_till_done()
    # Seen just now, and the window is still open.
    assert states(hass, jetson.device_id)[0] == "on"


async def test_timeouts_show_as_failed_last_job(
    hass: HomeAssistant, admin: TestClient, jetson: EdgeDeviceClient
) -> None:
    await submit(admin, jetson.device_id, command="gpio")
    await jetson.next()
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=121))
    await hass.async_block_till_done()
    sensor = entity_id(hass, "sensor", f"edge_{jetson.device_id}_edge_last_job")
    state = hass.states.get(sensor)
    assert state is not None
    assert (state.state, state.attributes["reason"]) == ("failed", "timeout")


async def test_rename_and_delete_reach_the_device_registry(
    hass: HomeAssistant, admin: TestClient, jetson: EdgeDeviceClient
) -> None:
    await admin.patch(f"{BASE}/devices/{jetson.device_id}/name", json={"name": "Porch"})
    device = registry_device(hass, ha_identifier(jetson.device_id))
    assert device is not None
    assert device.name == "Porch"
    await admin.delete(f"{BASE}/devices/{jetson.device_id}")
    await hass.async_block_till_done()
    assert registry_device(hass, ha_identifier(jetson.device_id)) is None
    assert hass.states.get("binary_sensor.garage_jetson_connectivity") is None


async def test_edge_devices_survive_an_entry_reload(
    hass: HomeAssistant, setup_entry: MockConfigEntry, jetson: EdgeDeviceClient
) -> None:
    assert await hass.config_entries.async_reload(setup_entry.entry_id)
    await hass.async_block_till_done()
    assert states(hass, jetson.device_id) == ("off", "0", "unknown")
    device = registry_device(hass, ha_identifier(jetson.device_id))
    assert device is not None


# --- the service --------------------------------------------------------------------------


async def test_submit_job_service_waits_for_the_result(
    hass: HomeAssistant, jetson: EdgeDeviceClient, hass_admin_user: MockUser
) -> None:
    async def device_does_the_job() -> None:
        _status, job = await jetson.next(wait=10)
        assert job is not None
        assert job["payload"] == {"pin": 17, "value": 1}
        await jetson.report(job["job_id"], result={"pin": 17, "set": 1})

    worker = asyncio.create_task(device_does_the_job())
    response = await hass.services.async_call(
        DOMAIN,
        "edge_submit_job",
        {
            "device_id": "garage jetson",  # by name, as a person would write it
            "command": "gpio",
            "payload": {"pin": 17, "value": 1},
            "wait_for_result": True,
            "timeout": 10,
        },
        blocking=True,
        return_response=True,
        context=Context(user_id=hass_admin_user.id),
    )
    await worker
    assert response is not None
    assert (response["status"], response["result"], response["wait"]) == (
        "succeeded",
        {"pin": 17, "set": 1},
        "completed",
    )
    assert response["source"] == "service"


async def test_submit_job_service_without_waiting(
    hass: HomeAssistant, jetson: EdgeDeviceClient
) -> None:
    ha_device = registry_device(hass, ha_identifier(jetson.device_id))
    assert ha_device is not None
    response = await hass.services.async_call(
        DOMAIN,
        "edge_submit_job",
        {"device_id": ha_device.id, "instruction": "Count the cars."},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    assert (response["status"], response["instruction"]) == ("queued", "Count the cars.")
    _status, job = await jetson.next()
    assert job is not None
    assert job["job_id"] == response["job_id"]


async def test_submit_job_service_refusals(
    hass: HomeAssistant, jetson: EdgeDeviceClient, hass_read_only_user: MockUser
) -> None:
    with pytest.raises(ServiceValidationError) as refused:
        await hass.services.async_call(
            DOMAIN,
            "edge_submit_job",
            {"device_id": "Attic Pi", "command": "gpio"},
            blocking=True,
            return_response=True,
        )
    assert refused.value.translation_key == "unknown_edge_device"
    assert "no edge device Attic Pi" in str(refused.value)
    with pytest.raises(probatio.Invalid):
        await hass.services.async_call(
            DOMAIN,
            "edge_submit_job",
            {"device_id": jetson.device_id, "command": "gpio", "instruction": "both"},
            blocking=True,
            return_response=True,
        )
    with pytest.raises(Unauthorized):
        await hass.services.async_call(
            DOMAIN,
            "edge_submit_job",
            {"device_id": jetson.device_id, "command": "gpio"},
            blocking=True,
            return_response=True,
            context=Context(user_id=hass_read_only_user.id),
        )
    assert (await jetson.next())[0] == 204


async def test_diagnostics_show_edge_devices_without_secrets(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    jetson: EdgeDeviceClient,
    admin: TestClient,
) -> None:
    await submit(admin, jetson.device_id, instruction="Look for the cat.")
    # Called directly: the diagnostics views cannot join a router the test client froze.
    diagnostics = await async_get_config_entry_diagnostics(hass, setup_entry)
    (device,) = diagnostics["edge_devices"]
    assert (device["name"], device["queued"], device["jobs"]) == ("Garage Jetson", 1, 1)
    assert diagnostics["edge_options"] == {"device_result_timeout": 120, "max_completed_jobs": 200}
    dumped = json.dumps(diagnostics)
    assert jetson.token not in dumped
    assert "token_hash" not in dumped
    assert "Look for the cat" not in dumped


async def test_deleting_the_home_assistant_device_deletes_the_registration(
    hass: HomeAssistant, setup_entry: MockConfigEntry, edge: EdgeManager, jetson: EdgeDeviceClient
) -> None:
    device = registry_device(hass, ha_identifier(jetson.device_id))
    assert device is not None
    # What the device page's "Delete" asks first; Home Assistant then removes the device.
    assert await async_remove_config_entry_device(hass, setup_entry, device)
    assert jetson.device_id not in edge.devices
    assert registry_device(hass, ha_identifier(jetson.device_id)) is not None
    assert (await jetson.next())[0] == 404
