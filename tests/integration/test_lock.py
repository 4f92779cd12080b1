"""Locks: lock, unlock and open reach the cloud as the right commands; states follow."""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.components.lock import LockEntityFeature, LockState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceNotSupported
from pytest_homeassistant_custom_component.common import MockConfigEntry

from ..conftest import SimulatorAdmin, commands_sent, home_with
from .conftest import entity_id, entity_service

LOCK_TYPES = (
    "Smart Lock",
    "Smart Lock Pro",
    "Smart Lock Pro Wifi",
    "Smart Lock Ultra",
    "Lock Vision",
    "Lock Vision Pro",
    "Lock Lite",
    # The spellings the cloud's list reports, and the Ultra Max the reference lacks.
    "Smart Lock Vision",
    "Smart Lock Vision Pro",
    "Smart Lock Lite",
    "Smart Lock Ultra Max",
)
(
    LOCK,
    LOCK_PRO,
    LOCK_PRO_WIFI,
    LOCK_ULTRA,
    VISION,
    VISION_PRO,
    LITE,
    SMART_VISION,
    SMART_VISION_PRO,
    SMART_LITE,
    ULTRA_MAX,
) = (f"{n:012d}" for n in range(1, len(LOCK_TYPES) + 1))
DEADBOLT_LOCKS = (LOCK, LOCK_PRO, LOCK_PRO_WIFI, LOCK_ULTRA, ULTRA_MAX)
PLAIN_LOCKS = (VISION, VISION_PRO, LITE, SMART_VISION, SMART_VISION_PRO, SMART_LITE)


@pytest.fixture
def home() -> dict[str, Any]:
    home = home_with(*LOCK_TYPES)
    home["devices"][3]["status"] = {"lockState": "unlock"}
    return home


def command(name: str) -> dict[str, Any]:
    return {"command": name, "parameter": "default", "commandType": "command"}


def lock_entity(hass: HomeAssistant, device_id: str) -> str:
    return entity_id(hass, "lock", f"{device_id}_lock")


async def test_states_and_features_after_setup(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    for device_id in (LOCK, LOCK_PRO, LOCK_ULTRA, *PLAIN_LOCKS):
        assert hass.states.get(lock_entity(hass, device_id)).state == LockState.LOCKED
    assert hass.states.get(lock_entity(hass, LOCK_PRO_WIFI)).state == LockState.UNLOCKED
    for device_id in DEADBOLT_LOCKS:
        features = hass.states.get(lock_entity(hass, device_id)).attributes["supported_features"]
        assert features == LockEntityFeature.OPEN
    for device_id in PLAIN_LOCKS:
        features = hass.states.get(lock_entity(hass, device_id)).attributes["supported_features"]
        assert features == 0


@pytest.mark.parametrize("device_id", [*DEADBOLT_LOCKS, *PLAIN_LOCKS])
async def test_unlock_and_lock(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin, device_id: str
) -> None:
    entity = lock_entity(hass, device_id)
    coordinator = setup_entry.runtime_data.coordinator

    await entity_service(hass, "lock", "unlock", entity)
    assert hass.states.get(entity).state == LockState.UNLOCKED
    await coordinator.async_poll_device(device_id)
    assert hass.states.get(entity).state == LockState.UNLOCKED

    await entity_service(hass, "lock", "lock", entity)
    assert hass.states.get(entity).state == LockState.LOCKED
    await coordinator.async_poll_device(device_id)
    assert (await sim_admin.device(device_id))["status"]["lockState"] == "lock"
    assert hass.states.get(entity).state == LockState.LOCKED

    assert await commands_sent(sim_admin, device_id) == [command("unlock"), command("lock")]


@pytest.mark.parametrize("device_id", DEADBOLT_LOCKS)
async def test_open_disengages_the_deadbolt(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin, device_id: str
) -> None:
    entity = lock_entity(hass, device_id)
    await entity_service(hass, "lock", "open", entity)
    assert hass.states.get(entity).state == LockState.UNLOCKED
    assert await commands_sent(sim_admin, device_id) == [command("deadbolt")]
    await setup_entry.runtime_data.coordinator.async_poll_device(device_id)
    assert hass.states.get(entity).state == LockState.UNLOCKED


@pytest.mark.parametrize("device_id", PLAIN_LOCKS)
async def test_open_is_not_offered_without_deadbolt(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin, device_id: str
) -> None:
    entity = lock_entity(hass, device_id)
    with pytest.raises(ServiceNotSupported):
        await entity_service(hass, "lock", "open", entity)
    assert await commands_sent(sim_admin, device_id) == []
    assert hass.states.get(entity).state == LockState.LOCKED


@pytest.mark.parametrize(
    ("device_id", "lock_state", "expected"),
    [
        (LOCK_PRO_WIFI, "jammed", LockState.JAMMED),
        # Only the latch bolt is out: the door is still held shut.
        (LOCK_PRO_WIFI, "latchBoltLocked", LockState.LOCKED),
        (LOCK_PRO_WIFI, "lock", LockState.LOCKED),
        (LOCK, "unlock", LockState.UNLOCKED),
        (LITE, "jammed", LockState.JAMMED),
        (SMART_LITE, "jammed", LockState.JAMMED),
        (ULTRA_MAX, "jammed", LockState.JAMMED),
        (SMART_VISION_PRO, "unlock", LockState.UNLOCKED),
    ],
)
async def test_physical_lock_states(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
    device_id: str,
    lock_state: str,
    expected: LockState,
) -> None:
    entity = lock_entity(hass, device_id)
    assert hass.states.get(entity).state != expected
    await sim_admin.request(
        "POST", f"devices/{device_id}/event", {"status": {"lockState": lock_state}}
    )
    await setup_entry.runtime_data.coordinator.async_poll_device(device_id)
    assert hass.states.get(entity).state == expected


async def test_lock_clears_a_jam(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    entity = lock_entity(hass, LOCK)
    coordinator = setup_entry.runtime_data.coordinator
    await sim_admin.request("POST", f"devices/{LOCK}/event", {"status": {"lockState": "jammed"}})
    await coordinator.async_poll_device(LOCK)
    assert hass.states.get(entity).state == LockState.JAMMED

    await entity_service(hass, "lock", "lock", entity)
    assert hass.states.get(entity).state == LockState.LOCKED
    await coordinator.async_poll_device(LOCK)
    assert hass.states.get(entity).state == LockState.LOCKED
    assert await commands_sent(sim_admin, LOCK) == [command("lock")]


async def test_offline_lock_raises_and_keeps_its_state(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    entity = lock_entity(hass, LOCK)
    await sim_admin.set_online(LOCK, False)
    with pytest.raises(HomeAssistantError) as caught:
        await entity_service(hass, "lock", "unlock", entity)
    assert caught.value.translation_key == "device_offline"
    assert hass.states.get(entity).state == LockState.LOCKED
