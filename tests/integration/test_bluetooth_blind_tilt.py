"""A Blind Tilt of the account in Bluetooth range: read from its advertisements, driven locally.

The cloud is the simulator; Bluetooth is the simulated proxy of `roomsense_simulator.ble`,
reached by PySwitchbot's `SwitchbotBlindTilt` unpatched. The blind's advertisements stand in
for the cloud's status; its commands go over Bluetooth, in the cloud's own terms (direction
and openness) turned into PySwitchbot's one tilt scale (0 shut down, 50 open, 100 shut up).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from homeassistant.components.cover import ATTR_TILT_POSITION
from homeassistant.components.cover import DOMAIN as COVER_DOMAIN
from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_CLOSE_COVER_TILT,
    SERVICE_OPEN_COVER_TILT,
    SERVICE_SET_COVER_TILT_POSITION,
)
from homeassistant.core import HomeAssistant, State
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.roomsense.const import DOMAIN
from roomsense_simulator.ble import BleDevice, SimulatedBleProxy

from ..conftest import SimulatorAdmin, home_with
from ..simulator.test_ble_support import import_switchbot
from .conftest import entity_id

# Not 00:00:00:00:00:0N: the test plugin's mock Bluetooth adapter is 00:00:00:00:00:01.
BLIND = "C0FFEE000006"
HUB = "AA0000000000"
# Where the blind is when RoomSense starts: slats 60 % open, leaning down. The cloud says
# otherwise (the simulator's default, fully open leaning up), so a reading from the cloud
# shows.
START_TILT = 30


def address(device_id: str) -> str:
    return ":".join(device_id[i : i + 2] for i in range(0, 12, 2))


@pytest.fixture
def home() -> dict[str, Any]:
    home = home_with("Blind Tilt")
    home["devices"][1]["deviceId"] = BLIND
    return home


@pytest.fixture
async def radio(hass: HomeAssistant, enable_bluetooth: None) -> AsyncIterator[SimulatedBleProxy]:
    """The blind heard through a simulated Bluetooth proxy, before RoomSense starts."""
    import_switchbot()
    proxy = SimulatedBleProxy(
        hass, [BleDevice(address(BLIND), "WoBlindTilt", state={"tilt": START_TILT})]
    )
    unregister = proxy.async_start()
    proxy.advertise_all()
    yield proxy
    await proxy.async_disconnect()
    unregister()
    await hass.async_block_till_done(wait_background_tasks=True)


@pytest.fixture
async def entry(
    hass: HomeAssistant, radio: SimulatedBleProxy, setup_entry: MockConfigEntry
) -> AsyncIterator[MockConfigEntry]:
    yield setup_entry
    # Close PySwitchbot's connections before the proxy goes.
    await hass.config_entries.async_unload(setup_entry.entry_id)


def local_commands(radio: SimulatedBleProxy) -> list[tuple[Any, ...]]:
    """What the blind was told over Bluetooth (status reads left out)."""
    return [command for command in radio[address(BLIND)].commands if command[0] != "get_basic_info"]


async def cloud_commands(sim_admin: SimulatorAdmin) -> list[str]:
    calls = await sim_admin.api_calls(f"/devices/{BLIND}/commands")
    return [call["body"]["command"] for call in calls]


async def status_reads(sim_admin: SimulatorAdmin, device_id: str) -> int:
    return len(await sim_admin.api_calls(f"/devices/{device_id}/status"))


def cover(hass: HomeAssistant) -> str:
    return entity_id(hass, "cover", f"{BLIND}_tilt")


def cover_state(hass: HomeAssistant) -> State:
    state = hass.states.get(cover(hass))
    assert state is not None
    return state


def tilt_position(hass: HomeAssistant) -> Any:
    return cover_state(hass).attributes.get("current_tilt_position")


def status(entry: MockConfigEntry) -> dict[str, Any]:
    return dict(entry.runtime_data.coordinator.data[BLIND].status.raw)


async def heard(hass: HomeAssistant, radio: SimulatedBleProxy) -> None:
    """The blind advertises what it does now, and Home Assistant hears it."""
    assert radio.advertise(address(BLIND))
    await hass.async_block_till_done()


async def test_the_advertisement_shows_the_tilt_without_a_cloud_call(
    hass: HomeAssistant, entry: MockConfigEntry, radio: SimulatedBleProxy,
    sim_admin: SimulatorAdmin,
) -> None:  # fmt: skip
    # Heard before set-up: 60 % open leaning down, not the cloud's "up;100".
    assert tilt_position(hass) == 60
    assert status(entry)["direction"] == "down"
    reads = await status_reads(sim_admin, BLIND)
    # Someone shuts the slats upwards in the app.
    radio[address(BLIND)].set_state(tilt=100)
    await heard(hass, radio)
    assert tilt_position(hass) == 0
    assert cover_state(hass).state == "closed"
    assert {key: status(entry)[key] for key in ("direction", "slidePosition")} == {
        "direction": "up",
        "slidePosition": 0,
    }
    assert await status_reads(sim_admin, BLIND) == reads


async def test_a_blind_heard_over_bluetooth_is_not_polled_over_the_cloud(
    hass: HomeAssistant, entry: MockConfigEntry, radio: SimulatedBleProxy,
    sim_admin: SimulatorAdmin,
) -> None:  # fmt: skip
    blind_reads = await status_reads(sim_admin, BLIND)
    hub_reads = await status_reads(sim_admin, HUB)
    radio.advertise_all()
    plan = entry.runtime_data.coordinator._plan
    plan.next_poll.update({BLIND: 0.0, HUB: 0.0})
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=20))
    await hass.async_block_till_done()
    # The hub (never heard over Bluetooth) is read; the blind's advertisements stand in.
    assert await status_reads(sim_admin, HUB) == hub_reads + 1
    assert await status_reads(sim_admin, BLIND) == blind_reads
    assert plan.next_poll[BLIND] > 0


async def test_setting_the_tilt_goes_over_bluetooth(
    hass: HomeAssistant, entry: MockConfigEntry, radio: SimulatedBleProxy,
    sim_admin: SimulatorAdmin,
) -> None:  # fmt: skip
    await hass.services.async_call(
        COVER_DOMAIN,
        SERVICE_SET_COVER_TILT_POSITION,
        {ATTR_ENTITY_ID: cover(hass), ATTR_TILT_POSITION: 80},
        blocking=True,
    )
    # "down;80" (the slats lean down): PySwitchbot's tilt 40, both its position requests.
    assert local_commands(radio) == [("set_tilt", 40), ("set_tilt", 40, 255)]
    assert radio[address(BLIND)].state["tilt"] == 40
    assert await cloud_commands(sim_admin) == []
    assert cover_state(hass).attributes["last_command_path"] == "bluetooth"
    await heard(hass, radio)
    assert tilt_position(hass) == 80
    assert status(entry)["direction"] == "down"


async def test_closing_shuts_the_slats_the_way_they_lean_over_bluetooth(
    hass: HomeAssistant, entry: MockConfigEntry, radio: SimulatedBleProxy,
    sim_admin: SimulatorAdmin,
) -> None:  # fmt: skip
    radio[address(BLIND)].set_state(tilt=70)  # leaning up, 60 % open
    await heard(hass, radio)
    await hass.services.async_call(
        COVER_DOMAIN, SERVICE_CLOSE_COVER_TILT, {ATTR_ENTITY_ID: cover(hass)}, blocking=True
    )
    assert radio[address(BLIND)].state["tilt"] == 100  # closeUp, not closeDown
    await hass.services.async_call(
        COVER_DOMAIN, SERVICE_OPEN_COVER_TILT, {ATTR_ENTITY_ID: cover(hass)}, blocking=True
    )
    assert radio[address(BLIND)].state["tilt"] == 50
    assert await cloud_commands(sim_admin) == []
    await heard(hass, radio)
    assert tilt_position(hass) == 100
    # Level slats lean neither way: the way they leaned before stands.
    assert status(entry)["direction"] == "up"


@pytest.mark.parametrize(
    ("command", "parameter", "tilt", "decoded", "fields"),
    [
        ("fullyOpen", "default", 50, ("set_tilt", 50), {"slidePosition": 100}),
        ("closeUp", "default", 100, ("set_tilt", 100), {"direction": "up", "slidePosition": 0}),
        ("closeDown", "default", 0, ("set_tilt", 0), {"direction": "down", "slidePosition": 0}),
        ("setPosition", "up;60", 70, ("set_tilt", 70), {"direction": "up", "slidePosition": 60}),
        ("setPosition", "down;20", 10, ("set_tilt", 10),
         {"direction": "down", "slidePosition": 20}),
        ("setPosition", "up;100", 50, ("set_tilt", 50), {"slidePosition": 100}),
    ],
)  # fmt: skip
async def test_each_command_reaches_the_blind_over_bluetooth(
    hass: HomeAssistant, entry: MockConfigEntry, radio: SimulatedBleProxy,
    sim_admin: SimulatorAdmin, command: str, parameter: str, tilt: int,
    decoded: tuple[Any, ...], fields: dict[str, Any],
) -> None:  # fmt: skip
    answer = await hass.services.async_call(
        DOMAIN,
        "send_command",
        {"device_id": BLIND, "command": command, "parameter": parameter},
        blocking=True,
        return_response=True,
    )
    assert answer is not None
    assert (answer["outcome"], answer["path"]) == ("sent", "bluetooth")
    assert local_commands(radio)[0] == decoded
    assert radio[address(BLIND)].state["tilt"] == tilt
    assert await cloud_commands(sim_admin) == []
    # What the blind advertises next reads as the cloud's status after that command.
    await heard(hass, radio)
    assert {key: status(entry).get(key) for key in fields} == fields
