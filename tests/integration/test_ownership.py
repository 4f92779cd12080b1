"""Who holds the home's entities (edge devices, learned scenes, the home's figures), and the
state every entry shares: set up once, before the entries; platforms only read it."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.roomsense.config_flow import account_unique_id
from custom_components.roomsense.const import DOMAIN
from custom_components.roomsense.edge.manager import ha_identifier
from custom_components.roomsense.shared import (
    DATA_SHARED,
    OWNER_STORAGE_KEY,
    RoomSenseShared,
    get_shared,
)
from roomsense_simulator import Clock, Simulator

from ..conftest import SimulatorAdmin, home_with, registry_device
from .conftest import entity_id

OTHER_TOKEN = "other-token-0123456789abcdef"
OTHER_SECRET = "other-secret-0123456789"


@pytest.fixture
def home() -> dict[str, Any]:
    home = home_with("Plug Mini (JP)")
    home["scenes"] = [{"sceneId": "T01-leaving", "sceneName": "Leaving", "actions": []}]
    return home


@pytest.fixture
async def other_simulator(hass: HomeAssistant, socket_enabled: None) -> AsyncIterator[Simulator]:
    """A second SwitchBot account, with devices of its own."""
    home = {
        "name": "other home",
        "devices": [
            {"deviceId": "BB0000000000", "deviceName": "Hub B", "deviceType": "Hub 2"},
            {
                "deviceId": "BB0000000001",
                "deviceName": "Plug B",
                "deviceType": "Plug Mini (JP)",
                "hubDeviceId": "BB0000000000",
            },
        ],
        "infraredRemotes": [],
        "scenes": [],
    }
    sim = Simulator(
        token=OTHER_TOKEN, secret=OTHER_SECRET, home=home, clock=Clock(lambda: time.time())
    )
    await sim.start(host="127.0.0.1", port=0)
    try:
        yield sim
    finally:
        # Unload while this cloud is up, as `unload_while_the_cloud_is_up` does for the first.
        for entry in hass.config_entries.async_entries(DOMAIN):
            if entry.state is ConfigEntryState.LOADED:
                await hass.config_entries.async_unload(entry.entry_id)
        await sim.stop()


@pytest.fixture
def other_entry(other_simulator: Simulator) -> MockConfigEntry:
    """The second account's entry, added after `config_entry` (not yet added to hass)."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Other",
        unique_id=account_unique_id(OTHER_TOKEN),
        data={"token": OTHER_TOKEN, "secret": OTHER_SECRET, "base_url": other_simulator.base_url},
    )


def stored_holder(hass_storage: dict[str, Any]) -> str | None:
    return hass_storage[OWNER_STORAGE_KEY]["data"]["entry_id"]


def store_holder(hass_storage: dict[str, Any], entry_id: str) -> None:
    """What an earlier run of Home Assistant recorded."""
    hass_storage[OWNER_STORAGE_KEY] = {
        "version": 1,
        "key": OWNER_STORAGE_KEY,
        "data": {"entry_id": entry_id},
    }


async def set_up_in_order(
    hass: HomeAssistant, oldest: MockConfigEntry, *others: MockConfigEntry, reverse: bool = False
) -> None:
    """Add the entries, oldest first; set them up one at a time (newest first if `reverse`).

    RoomSense itself is set up first: set up with the entries there, it would start them all
    at once.
    """
    assert await async_setup_component(hass, DOMAIN, {})
    entries = [oldest, *others]
    for entry in entries:
        entry.add_to_hass(hass)
    for entry in reversed(entries) if reverse else entries:
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()


async def add_home_entities(hass: HomeAssistant) -> tuple[str, str]:
    """An edge device and a learned scene; their ids."""
    shared = get_shared(hass)
    device, _token = await shared.edge.async_register("Garage Jetson", "jetson", ["gpio"], {})
    shared.learning.offered["candidate"] = {
        "name": "Evening",
        "operations": [],
        "confidence": 0.9,
    }
    scene = shared.learning.approve("candidate")
    await hass.async_block_till_done()
    return device.device_id, scene["id"]


def home_entity_ids(hass: HomeAssistant, edge_id: str, scene_id: str, holder: str) -> list[str]:
    """The entity ids of the home's entities, as registered for `holder`."""
    return [
        entity_id(hass, "binary_sensor", f"edge_{edge_id}_connectivity"),
        entity_id(hass, "sensor", f"edge_{edge_id}_edge_queue_length"),
        entity_id(hass, "scene", f"learned_scene_{scene_id}"),
        entity_id(hass, "sensor", f"{holder}_scene_acceptance_rate"),
        entity_id(hass, "sensor", f"{holder}_automation_runs"),
    ]


def assert_held_by(
    hass: HomeAssistant, edge_id: str, scene_id: str, holder: str, other: str
) -> None:
    """The home's entities are `holder`'s, shown, and `other` has none of them."""
    assert get_shared(hass).owner.entry_id == holder
    device = registry_device(hass, ha_identifier(edge_id))
    assert device is not None
    assert device.config_entry_id == holder
    registry = er.async_get(hass)
    for shown in home_entity_ids(hass, edge_id, scene_id, holder):
        entry = registry.async_get(shown)
        assert entry is not None
        assert entry.config_entry_id == holder
        assert hass.states.get(shown) is not None, shown
    for figure in ("scene_acceptance_rate", "automation_runs"):
        assert registry.async_get_entity_id("sensor", DOMAIN, f"{other}_{figure}") is None


@pytest.mark.parametrize("newest_first", [False, True], ids=["oldest_first", "newest_first"])
async def test_the_oldest_account_holds_them_whichever_loads_first(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    other_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    newest_first: bool,
) -> None:
    await set_up_in_order(hass, config_entry, other_entry, reverse=newest_first)

    edge_id, scene_id = await add_home_entities(hass)

    assert_held_by(hass, edge_id, scene_id, config_entry.entry_id, other_entry.entry_id)
    assert stored_holder(hass_storage) == config_entry.entry_id


@pytest.mark.parametrize("newest_first", [False, True], ids=["holder_last", "holder_first"])
async def test_the_recorded_holder_stays_after_a_restart(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    other_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    newest_first: bool,
) -> None:
    # An earlier run recorded the newer entry (the older one was added back since, say).
    store_holder(hass_storage, other_entry.entry_id)
    await set_up_in_order(hass, config_entry, other_entry, reverse=newest_first)

    edge_id, scene_id = await add_home_entities(hass)

    assert_held_by(hass, edge_id, scene_id, other_entry.entry_id, config_entry.entry_id)
    assert stored_holder(hass_storage) == other_entry.entry_id


async def test_reloading_the_holder_does_not_hand_them_over(
    hass: HomeAssistant, config_entry: MockConfigEntry, other_entry: MockConfigEntry
) -> None:
    await set_up_in_order(hass, config_entry, other_entry)
    edge_id, scene_id = await add_home_entities(hass)

    # While the holder is unloaded, the other entry reloads: it takes nothing.
    assert await hass.config_entries.async_unload(config_entry.entry_id)
    assert await hass.config_entries.async_reload(other_entry.entry_id)
    await hass.async_block_till_done()
    assert get_shared(hass).owner.entry_id == config_entry.entry_id
    registry = er.async_get(hass)
    for figure in ("scene_acceptance_rate", "automation_runs"):
        assert (
            registry.async_get_entity_id("sensor", DOMAIN, f"{other_entry.entry_id}_{figure}")
            is None
        )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    assert_held_by(hass, edge_id, scene_id, config_entry.entry_id, other_entry.entry_id)


async def test_an_upgrade_keeps_the_entry_they_are_registered_with(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    other_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """Before the record, the entry that loaded first showed them: it keeps them."""
    config_entry.add_to_hass(hass)
    other_entry.add_to_hass(hass)
    er.async_get(hass).async_get_or_create(
        "sensor",
        DOMAIN,
        f"{other_entry.entry_id}_scene_acceptance_rate",
        config_entry=other_entry,
    )
    assert OWNER_STORAGE_KEY not in hass_storage

    # Home Assistant starting: RoomSense sets up with every entry there, all at once.
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert other_entry.state is ConfigEntryState.LOADED
    edge_id, scene_id = await add_home_entities(hass)

    assert_held_by(hass, edge_id, scene_id, other_entry.entry_id, config_entry.entry_id)
    assert stored_holder(hass_storage) == other_entry.entry_id


async def test_removing_the_holder_hands_them_over_with_their_ids_and_settings(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    other_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    await set_up_in_order(hass, config_entry, other_entry)
    edge_id, scene_id = await add_home_entities(hass)
    before = home_entity_ids(hass, edge_id, scene_id, config_entry.entry_id)
    devices = dr.async_get(hass)
    jetson = registry_device(hass, ha_identifier(edge_id))
    assert jetson is not None
    devices.async_update_device(jetson.id, name_by_user="Jetson in the garage")
    registry = er.async_get(hass)
    registry.async_update_entity(before[2], name="Evening lights")

    await hass.config_entries.async_remove(config_entry.entry_id)
    await hass.async_block_till_done()

    assert other_entry.state is ConfigEntryState.LOADED
    assert_held_by(hass, edge_id, scene_id, other_entry.entry_id, config_entry.entry_id)
    assert stored_holder(hass_storage) == other_entry.entry_id
    # The same entities and device, with what the user set on them.
    assert home_entity_ids(hass, edge_id, scene_id, other_entry.entry_id) == before
    moved = registry_device(hass, ha_identifier(edge_id))
    assert moved is not None
    assert moved.id == jetson.id
    assert moved.name_by_user == "Jetson in the garage"
    learned = registry.async_get(before[2])
    assert learned is not None
    assert learned.name == "Evening lights"
    account = registry_device(hass, (DOMAIN, other_entry.entry_id))
    assert account is not None
    assert learned.device_id == account.id
    # The edge device still works under its new entry.
    await get_shared(hass).edge.async_submit(edge_id, command="gpio")
    await hass.async_block_till_done()
    assert hass.states.get(before[1]).state == "1"


async def test_removing_the_last_account_leaves_no_holder(
    hass: HomeAssistant, config_entry: MockConfigEntry, hass_storage: dict[str, Any]
) -> None:
    await set_up_in_order(hass, config_entry)
    edge_id, _scene_id = await add_home_entities(hass)

    await hass.config_entries.async_remove(config_entry.entry_id)
    await hass.async_block_till_done()

    assert get_shared(hass).owner.entry_id is None
    assert stored_holder(hass_storage) is None
    # The edge device is still registered with RoomSense, shown again by the next account.
    assert edge_id in get_shared(hass).edge.devices
    assert registry_device(hass, ha_identifier(edge_id)) is None


async def test_a_bluetooth_only_entry_never_holds_them(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    assert await async_setup_component(hass, DOMAIN, {})
    local = MockConfigEntry(
        domain=DOMAIN,
        title="Bot",
        unique_id="C1D2E3F4A5B6",
        data={"address": "C1:D2:E3:F4:A5:B6"},
    )
    local.add_to_hass(hass)  # older than the account, and never set up here
    owner = get_shared(hass).owner
    assert await owner.async_settle() is None

    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    assert owner.entry_id == config_entry.entry_id


async def test_one_key_holds_what_the_entries_share_from_the_start(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`async_setup` fills it before any entry; an entry's platforms find its scenes read."""
    seen: list[tuple[RoomSenseShared | None, list[str]]] = []
    forward: Callable[..., Any] = hass.config_entries.async_forward_entry_setups

    async def spy(entry: MockConfigEntry, platforms: Any) -> None:
        seen.append(
            (
                hass.data.get(DATA_SHARED),
                [scene.scene_id for scene in entry.runtime_data.scenes],
            )
        )
        await forward(entry, platforms)

    monkeypatch.setattr(hass.config_entries, "async_forward_entry_setups", spy)
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    ((shared, scenes),) = seen
    assert shared is get_shared(hass)
    assert scenes == ["T01-leaving"]
    assert hass.states.get(entity_id(hass, "scene", "scene_T01-leaving")) is not None


async def test_the_scenes_are_read_once_per_setup(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert len(await sim_admin.api_calls("/v1.1/scenes")) == 1

    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()
    assert len(await sim_admin.api_calls("/v1.1/scenes")) == 2
