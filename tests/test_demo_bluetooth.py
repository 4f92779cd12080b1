"""The demo-only integration `roomsense_demo_bluetooth`: simulated devices heard over Bluetooth.

In a test Home Assistant with its Bluetooth stack (`enable_bluetooth`), the integration, found
next to RoomSense as the demo links it, starts a simulated proxy: the demo home's Bot, Meter
and Plug Mini are heard at their addresses, they advertise again on a timer with the Meter's
temperature drifting, and stopping leaves no scanner and no timer behind.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from homeassistant.components import bluetooth
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from roomsense_simulator import Simulator
from scripts.demo_support.config_dir import CONFIGURATION_YAML, CUSTOM_COMPONENTS

from .conftest import SimulatorAdmin
from .demo_integrations import demo_integration_fixtures

DEMO_INTEGRATION = "roomsense_demo_bluetooth"


demo_integrations, demo_integration_found = demo_integration_fixtures(DEMO_INTEGRATION)


@pytest.fixture
async def demo(
    hass: HomeAssistant, enable_bluetooth: None, demo_integration_found: None
) -> AsyncIterator[Any]:
    """The integration set up as configuration.yaml sets it up; stopped afterwards."""
    assert await async_setup_component(hass, DEMO_INTEGRATION, {DEMO_INTEGRATION: None})
    await hass.async_block_till_done()
    running = hass.data[DEMO_INTEGRATION]
    yield running
    running.async_stop()
    await hass.async_block_till_done(wait_background_tasks=True)


def test_the_demo_enables_and_links_it() -> None:
    assert f"\n{DEMO_INTEGRATION}:\n" in CONFIGURATION_YAML
    source = CUSTOM_COMPONENTS[DEMO_INTEGRATION]
    assert (source / "manifest.json").is_file()
    assert '"bluetooth_adapters"' in (source / "manifest.json").read_text(encoding="utf-8")


async def test_the_demo_devices_are_heard(hass: HomeAssistant, demo: Any) -> None:
    from scripts.demo_support.roomsense_demo_bluetooth import (
        ADDRESSES,
        BOT_ADDRESS,
        LOCK_ADDRESS,
        OUTDOOR_METER_ADDRESS,
        PLUG_ADDRESS,
    )

    assert len(ADDRESSES) == 6
    for address in ADDRESSES:
        assert bluetooth.async_last_service_info(hass, address, connectable=False) is not None
    # The Bot, the Plug and the Lock can be connected to (commands go over Bluetooth).
    for address in (BOT_ADDRESS, PLUG_ADDRESS, LOCK_ADDRESS):
        assert bluetooth.async_ble_device_from_address(hass, address, True) is not None
    assert demo.proxy.device(BOT_ADDRESS).state["switchMode"] is False
    assert demo.proxy.device(PLUG_ADDRESS).state["isOn"] is False
    # The Outdoor Meter is on no account: only Bluetooth discovery can offer it.
    assert demo.proxy.device(OUTDOOR_METER_ADDRESS).product == "outdoor_meter"


async def test_the_lock_opens_only_to_the_key_the_readme_gives(
    hass: HomeAssistant, demo: Any
) -> None:
    from switchbot import SwitchbotLock, SwitchbotModel

    from scripts.demo_support.roomsense_demo_bluetooth import (
        DEMO_ENCRYPTION_KEY,
        DEMO_KEY_ID,
        LOCK_ADDRESS,
    )

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert DEMO_KEY_ID in readme
    assert DEMO_ENCRYPTION_KEY in readme
    device = bluetooth.async_ble_device_from_address(hass, LOCK_ADDRESS, True)
    for key, works in ((DEMO_ENCRYPTION_KEY, True), ("0f" * 16, False)):
        assert (
            await SwitchbotLock.verify_encryption_key(
                device, DEMO_KEY_ID, key, model=SwitchbotModel.LOCK_PRO
            )
            is works
        )


async def test_the_meter_drifts_on_each_advertisement(hass: HomeAssistant, demo: Any) -> None:
    from scripts.demo_support.roomsense_demo_bluetooth import (
        ADVERTISE_INTERVAL,
        METER_ADDRESS,
        METER_TEMPERATURE,
        meter_temperature,
    )

    sent = demo.proxy.advertisements_sent
    meter = demo.proxy.device(METER_ADDRESS)
    assert meter.state["temperature"] == METER_TEMPERATURE
    seen = set()
    now = dt_util.utcnow()
    for step in range(1, 13):
        async_fire_time_changed(hass, now + ADVERTISE_INTERVAL * step)
        await hass.async_block_till_done()
        seen.add(meter.state["temperature"])
    assert demo.proxy.advertisements_sent >= sent + 12 * 3
    assert len(seen) > 1  # it changes ...
    assert all(abs(t - METER_TEMPERATURE) <= 0.5 for t in seen)  # ... slowly, near the cloud's
    assert meter_temperature(0) == METER_TEMPERATURE
    # One step of the timer moves it by 0.1 °C at most.
    assert all(
        abs(meter_temperature(s + 5) - meter_temperature(s)) <= 0.1 + 1e-9 for s in range(600)
    )


async def test_it_stops_cleanly(hass: HomeAssistant, demo: Any) -> None:
    scanners = bluetooth.async_scanner_count(hass, connectable=False)
    demo.async_stop()
    await hass.async_block_till_done()
    assert not demo.proxy.started
    assert bluetooth.async_scanner_count(hass, connectable=False) == scanners - 1
    demo.async_stop()  # idempotent
    # No timer of it left: the test plugin fails a test that leaves one behind.


async def test_it_stops_with_home_assistant(hass: HomeAssistant, demo: Any) -> None:
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()
    assert not demo.proxy.started


@pytest.fixture
async def demo_with_cloud(
    hass: HomeAssistant,
    enable_bluetooth: None,
    demo_integration_found: None,
    simulator: Simulator,
) -> AsyncIterator[Any]:
    """Set up as scripts/demo sets it up: with the cloud simulator's URL."""
    assert await async_setup_component(
        hass, DEMO_INTEGRATION, {DEMO_INTEGRATION: {"simulator_url": simulator.base_url}}
    )
    await hass.async_block_till_done()
    running = hass.data[DEMO_INTEGRATION]
    yield running
    running.async_stop()
    await hass.async_block_till_done(wait_background_tasks=True)


async def _advertise_round(hass: HomeAssistant, demo: Any) -> None:
    from scripts.demo_support.roomsense_demo_bluetooth import ADVERTISE_INTERVAL

    async_fire_time_changed(hass, dt_util.utcnow() + ADVERTISE_INTERVAL * (demo.ticks + 1))
    # The timer runs its rounds as background tasks.
    await hass.async_block_till_done(wait_background_tasks=True)


def test_scripts_demo_gives_it_the_simulator() -> None:
    assert f"\n{DEMO_INTEGRATION}:\n  simulator_url: {{simulator_url}}\n" in CONFIGURATION_YAML


async def test_a_lock_unlocked_through_the_cloud_advertises_unlocked(
    hass: HomeAssistant, demo_with_cloud: Any, sim_admin: SimulatorAdmin
) -> None:
    from roomsense_simulator.ble import LockState
    from scripts.demo_support.roomsense_demo_bluetooth import LOCK_ADDRESS

    lock = demo_with_cloud.proxy.device(LOCK_ADDRESS)
    await _advertise_round(hass, demo_with_cloud)
    assert lock.state["status"] == LockState.LOCKED
    await sim_admin.request(
        "POST", "devices/F8C9A1B2E3D4/event", {"status": {"lockState": "unlock"}}
    )
    await _advertise_round(hass, demo_with_cloud)
    assert lock.state["status"] == LockState.UNLOCKED
    # ... and stays so: the cloud is not told back what it said.
    await _advertise_round(hass, demo_with_cloud)
    assert lock.state["status"] == LockState.UNLOCKED
    assert (await sim_admin.device("F8C9A1B2E3D4"))["status"]["lockState"] == "unlock"


async def test_a_plug_switched_over_bluetooth_is_switched_in_the_cloud(
    hass: HomeAssistant, demo_with_cloud: Any, sim_admin: SimulatorAdmin
) -> None:
    from scripts.demo_support.roomsense_demo_bluetooth import PLUG_ADDRESS

    plug = demo_with_cloud.proxy.device(PLUG_ADDRESS)
    await _advertise_round(hass, demo_with_cloud)
    assert (await sim_admin.device("7C87CE5A10B2"))["status"]["power"] == "off"
    plug.set_state(isOn=True, power=650.0)  # as the plug does when RoomSense turns it on
    await _advertise_round(hass, demo_with_cloud)
    status = (await sim_admin.device("7C87CE5A10B2"))["status"]
    assert status["power"] == "on"
    assert status["weight"] == 650.0
    assert plug.state["isOn"] is True


async def test_a_blind_tilted_in_the_cloud_tilts_over_bluetooth_and_back(
    hass: HomeAssistant, demo_with_cloud: Any, sim_admin: SimulatorAdmin
) -> None:
    from scripts.demo_support.roomsense_demo_bluetooth import BLIND_ADDRESS

    blind = demo_with_cloud.proxy.device(BLIND_ADDRESS)
    await _advertise_round(hass, demo_with_cloud)
    assert blind.state["tilt"] == 50  # open: the cloud's slidePosition 100
    await sim_admin.request(
        "POST",
        "devices/C8B2E4A19F73/event",
        {"status": {"direction": "down", "slidePosition": 0}},
    )
    await _advertise_round(hass, demo_with_cloud)
    assert blind.state["tilt"] == 0  # shut downwards
    blind.set_state(tilt=80)
    await _advertise_round(hass, demo_with_cloud)
    status = (await sim_admin.device("C8B2E4A19F73"))["status"]
    assert (status["direction"], status["slidePosition"]) == ("up", 40)


async def test_without_the_cloud_the_devices_still_advertise(
    hass: HomeAssistant, demo_with_cloud: Any, simulator: Simulator
) -> None:
    sent = demo_with_cloud.proxy.advertisements_sent
    await simulator.stop()
    await _advertise_round(hass, demo_with_cloud)
    assert demo_with_cloud.proxy.advertisements_sent > sent
