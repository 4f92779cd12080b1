"""Scenes: the account's manual scenes, run by the cloud."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.roomsense.const import DOMAIN

from ..conftest import SimulatorAdmin, home_with, registry_device
from .conftest import entity_id

PLUG, VACUUM = (f"{n:012d}" for n in range(1, 3))
LEAVING = "T01-202404011300-71820345"
COMING_HOME = "T01-202404011302-19283746"


@pytest.fixture
def home() -> dict[str, Any]:
    home = home_with("Plug Mini (JP)", "Robot Vacuum Cleaner S10")
    home["devices"][1]["status"] = {"power": "on"}
    home["scenes"] = [
        {
            "sceneId": LEAVING,
            "sceneName": "外出",
            "actions": [
                {"deviceId": PLUG, "command": "turnOff"},
                {
                    "deviceId": VACUUM,
                    "command": "startClean",
                    "parameter": {
                        "action": "sweep",
                        "param": {"fanLevel": 2, "waterLevel": 1, "times": 1},
                    },
                },
            ],
        },
        {
            "sceneId": COMING_HOME,
            "sceneName": "帰宅",
            "actions": [
                {"deviceId": PLUG, "command": "turnOn"},
                {"deviceId": VACUUM, "command": "dock"},
            ],
        },
    ]
    return home


async def activate(hass: HomeAssistant, scene_id: str) -> None:
    entity = entity_id(hass, "scene", f"scene_{scene_id}")
    await hass.services.async_call("scene", "turn_on", {"entity_id": entity}, blocking=True)


async def test_each_manual_scene_is_an_entity_of_the_account(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    registry = er.async_get(hass)
    account = registry_device(hass, (DOMAIN, setup_entry.entry_id))
    assert account is not None
    assert account.entry_type is dr.DeviceEntryType.SERVICE
    names = {}
    for scene_id in (LEAVING, COMING_HOME):
        entry = registry.async_get(entity_id(hass, "scene", f"scene_{scene_id}"))
        assert entry.device_id == account.id
        names[scene_id] = hass.states.get(entry.entity_id).attributes["friendly_name"]
        assert hass.states.get(entry.entity_id).state == STATE_UNKNOWN
    assert names == {LEAVING: "SwitchBot 外出", COMING_HOME: "SwitchBot 帰宅"}
    # The scenes share the account's device with the API-calls sensor.
    sensor = registry.async_get(
        entity_id(hass, "sensor", f"{setup_entry.entry_id}_api_calls_remaining")
    )
    assert sensor.device_id == account.id


async def test_activating_a_scene_runs_it_in_the_cloud(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    plug = entity_id(hass, "switch", f"{PLUG}_plug")
    vacuum = entity_id(hass, "vacuum", f"{VACUUM}_vacuum")
    assert (hass.states.get(plug).state, hass.states.get(vacuum).state) == ("on", "docked")

    await activate(hass, LEAVING)

    executed = await sim_admin.api_calls("/execute")
    assert [(call["method"], call["path"]) for call in executed] == [
        ("POST", f"/v1.1/scenes/{LEAVING}/execute")
    ]
    assert executed[0]["status_code"] == 100
    scene_state = hass.states.get(entity_id(hass, "scene", f"scene_{LEAVING}")).state
    assert scene_state != STATE_UNKNOWN  # the time it was last activated
    # The cloud ran the scene's actions on the devices...
    assert (await sim_admin.device(PLUG))["status"]["power"] == "off"
    assert (await sim_admin.device(VACUUM))["status"]["workingStatus"] == "Clearing"
    # ...and Home Assistant shows them once it reads the devices.
    coordinator = setup_entry.runtime_data.coordinator
    await coordinator.async_poll_device(PLUG)
    await coordinator.async_poll_device(VACUUM)
    assert (hass.states.get(plug).state, hass.states.get(vacuum).state) == ("off", "cleaning")

    await activate(hass, COMING_HOME)
    await coordinator.async_poll_device(PLUG)
    await coordinator.async_poll_device(VACUUM)
    assert (hass.states.get(plug).state, hass.states.get(vacuum).state) == ("on", "docked")
    assert [call["path"] for call in await sim_admin.api_calls("/execute")] == [
        f"/v1.1/scenes/{LEAVING}/execute",
        f"/v1.1/scenes/{COMING_HOME}/execute",
    ]


async def test_scene_the_cloud_fails_to_run_raises(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    await sim_admin.fault(http_status=403, count=1, paths="/v1.1/scenes/")
    with pytest.raises(HomeAssistantError) as caught:
        await activate(hass, LEAVING)
    assert caught.value.translation_key == "scene_failed"
    assert (await sim_admin.device(PLUG))["status"]["power"] == "on"


async def test_unreadable_scene_list_adds_no_scenes(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await sim_admin.fault(http_status=403, paths="/v1.1/scenes")
    config_entry.add_to_hass(hass)
    with caplog.at_level(logging.WARNING):
        assert await hass.config_entries.async_setup(config_entry.entry_id)
        await hass.async_block_till_done()

    assert hass.states.async_entity_ids("scene") == []
    assert "Could not read the SwitchBot scenes" in caplog.text
    # The devices are set up all the same.
    assert hass.states.get(entity_id(hass, "switch", f"{PLUG}_plug")).state == "on"
