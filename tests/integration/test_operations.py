"""Operations figures and the RoomSense dashboard.

Commands per device, cloud calls today, automation runs and failures, and energy (metered
or estimated), each after real actions against the simulator; their state and device
classes; their counts over a restart; and `roomsense.create_dashboard`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.sensor import ATTR_STATE_CLASS, SensorDeviceClass, SensorStateClass
from homeassistant.const import ATTR_DEVICE_CLASS, ATTR_UNIT_OF_MEASUREMENT, UnitOfEnergy
from homeassistant.core import Context, HomeAssistant, State
from homeassistant.exceptions import ServiceValidationError, Unauthorized
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_component import async_update_entity
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.roomsense.catalog import (
    DeviceKind,
    device_spec,
    known_types,
    typical_wattage,
    typical_wattages,
)
from custom_components.roomsense.const import DOMAIN
from custom_components.roomsense.operations import STORAGE_KEY
from custom_components.roomsense.shared import get_shared

from ..conftest import SimulatorAdmin, commands_sent, home_with, registry_device
from .conftest import entity_id, roomsense_service

PLUG, BULB = (f"{n:012d}" for n in range(1, 3))
PLUG_WATTS = 120.0
NIGHTLY = {"type": "daily", "time": "03:00"}


@pytest.fixture
def home() -> dict[str, Any]:
    home = home_with("Plug Mini (JP)", "Color Bulb")
    home["devices"][1]["status"] = {
        "power": "on",
        "voltage": 100.0,
        "weight": PLUG_WATTS,
        "electricCurrent": 12,
        "electricityOfDay": 0,
    }
    home["devices"][2]["status"] = {"power": "on", "brightness": 100}
    return home


def state(hass: HomeAssistant, entity: str) -> State:
    found = hass.states.get(entity)
    assert found is not None, entity
    return found


async def send(hass: HomeAssistant, device_id: str, command: str) -> None:
    await roomsense_service(hass, "send_command", {"device_id": device_id, "command": command})
    await hass.async_block_till_done()


async def test_commands_are_counted_per_device(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    plug = entity_id(hass, "sensor", f"{PLUG}_commands_sent")
    bulb = entity_id(hass, "sensor", f"{BULB}_commands_sent")
    assert state(hass, plug).state == "0"
    assert state(hass, plug).attributes[ATTR_STATE_CLASS] == SensorStateClass.TOTAL_INCREASING

    await send(hass, PLUG, "turnOff")
    await send(hass, PLUG, "turnOn")
    # A tap on the bulb's light entity goes through the same gateway.
    await hass.services.async_call(
        "light", "turn_off", {"entity_id": entity_id(hass, "light", f"{BULB}_light")}, blocking=True
    )
    await hass.async_block_till_done()

    assert await commands_sent(sim_admin, PLUG, "command") == ["turnOff", "turnOn"]
    assert state(hass, plug).state == "2"
    assert state(hass, bulb).state == "1"
    # The count sits on the device's own Home Assistant device.
    device = registry_device(hass, (DOMAIN, PLUG))
    assert device is not None
    registered = er.async_get(hass).async_get(plug)
    assert registered is not None
    assert registered.device_id == device.id


async def test_command_counts_survive_a_restart(
    hass: HomeAssistant, config_entry: MockConfigEntry, hass_storage: dict[str, Any]
) -> None:
    # What the previous run of Home Assistant saved.
    hass_storage[STORAGE_KEY] = {
        "version": 1,
        "key": STORAGE_KEY,
        "data": {
            "commands": {PLUG: 41},
            "automation_runs": 5,
            "automation_failures": 2,
            "energy": {PLUG: 1.5},
        },
    }
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    plug = entity_id(hass, "sensor", f"{PLUG}_commands_sent")
    assert state(hass, plug).state == "41"
    assert state(hass, entity_id(hass, "sensor", f"{PLUG}_energy_estimate")).state == "1.5"
    runs = entity_id(hass, "sensor", f"{config_entry.entry_id}_automation_runs")
    assert state(hass, runs).state == "5"

    await send(hass, PLUG, "turnOff")
    assert state(hass, plug).state == "42"
    # And it is saved for the next start.
    await get_shared(hass).operations.async_flush()
    assert hass_storage[STORAGE_KEY]["data"]["commands"][PLUG] == 42


async def test_cloud_calls_today(hass: HomeAssistant, setup_entry: MockConfigEntry) -> None:
    today = entity_id(hass, "sensor", f"{setup_entry.entry_id}_api_calls_today")
    await async_update_entity(hass, today)
    before = state(hass, today)
    assert before.attributes[ATTR_STATE_CLASS] == SensorStateClass.TOTAL
    midnight = datetime.combine(datetime.now(UTC).date(), datetime.min.time(), tzinfo=UTC)
    assert before.attributes["last_reset"] == midnight.isoformat()
    # Setting up read the device list and each status: the cloud was called.
    assert int(before.state) >= 1
    counter = setup_entry.runtime_data.client.counter
    assert int(before.state) == counter.calls_today

    await send(hass, PLUG, "turnOff")
    await async_update_entity(hass, today)
    assert int(state(hass, today).state) > int(before.state)
    assert int(state(hass, today).state) == counter.calls_today


async def test_automation_runs_and_failures(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    runs = entity_id(hass, "sensor", f"{setup_entry.entry_id}_automation_runs")
    failures = entity_id(hass, "sensor", f"{setup_entry.entry_id}_automation_failures")
    for entity in (runs, failures):
        assert state(hass, entity).state == "0"
        assert state(hass, entity).attributes[ATTR_STATE_CLASS] == (
            SensorStateClass.TOTAL_INCREASING
        )
    engine = get_shared(hass).automation
    works = engine.create(
        {
            "name": "Plug on",
            "actions": [{"type": "device_command", "device_id": PLUG, "command": "turnOn"}],
            "schedule": NIGHTLY,
        },
        None,
    )
    breaks = engine.create(
        {
            "name": "Nowhere",
            "actions": [
                {"type": "device_command", "device_id": "FFFFFFFFFFFF", "command": "turnOn"}
            ],
            "schedule": NIGHTLY,
        },
        None,
    )
    await engine.async_execute(works["id"], None)
    await engine.async_execute(works["id"], None)
    await engine.async_execute(breaks["id"], None)
    await hass.async_block_till_done()

    assert await commands_sent(sim_admin, PLUG, "command") == ["turnOn", "turnOn"]
    assert [run["status"] for run in engine.history[breaks["id"]]] == ["failure"]
    assert state(hass, runs).state == "3"
    assert state(hass, failures).state == "1"
    # The rule's command is a command to the plug too.
    assert state(hass, entity_id(hass, "sensor", f"{PLUG}_commands_sent")).state == "2"


async def test_conversation_figures_have_state_classes(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    for key in ("intent_success_rate", "conversation_latency_p50", "conversation_latency_p95"):
        found = state(hass, entity_id(hass, "sensor", f"{setup_entry.entry_id}_{key}"))
        assert found.attributes[ATTR_STATE_CLASS] == SensorStateClass.MEASUREMENT


async def move(hass: HomeAssistant, freezer: FrozenDateTimeFactory, by: timedelta) -> None:
    freezer.tick(by)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


@pytest.fixture
async def loaded_at_noon(
    hass: HomeAssistant, config_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """The entry set up at a fixed time, so the tests can move the clock on."""
    freezer.move_to("2026-11-23 12:00:00+00:00")
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()


@pytest.mark.usefixtures("loaded_at_noon")
async def test_metered_energy_integrates_the_plug_power(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    energy = entity_id(hass, "sensor", f"{PLUG}_energy_estimate")
    assert state(hass, energy).state == "0.0"
    attributes = state(hass, energy).attributes
    assert attributes[ATTR_DEVICE_CLASS] == SensorDeviceClass.ENERGY
    assert attributes[ATTR_UNIT_OF_MEASUREMENT] == UnitOfEnergy.KILO_WATT_HOUR
    assert attributes[ATTR_STATE_CLASS] == SensorStateClass.TOTAL_INCREASING
    assert attributes["method"] == "metered"

    await move(hass, freezer, timedelta(minutes=30))
    # 120 W for half an hour.
    assert float(state(hass, energy).state) == pytest.approx(PLUG_WATTS * 0.5 / 1000)


@pytest.mark.usefixtures("loaded_at_noon")
async def test_estimated_energy_counts_the_typical_wattage_while_on(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    energy = entity_id(hass, "sensor", f"{BULB}_energy_estimate")
    typical = typical_wattage("Color Bulb")
    assert typical is not None
    assert typical.watts == 9
    attributes = state(hass, energy).attributes
    assert attributes["method"] == "typical_wattage"
    assert attributes["typical_watts"] == typical.watts
    assert attributes["wattage_source"] == typical.source
    assert "estimate" in typical.source

    await move(hass, freezer, timedelta(hours=1))
    on_for_an_hour = typical.watts / 1000
    assert float(state(hass, energy).state) == pytest.approx(on_for_an_hour)

    await hass.services.async_call(
        "light", "turn_off", {"entity_id": entity_id(hass, "light", f"{BULB}_light")}, blocking=True
    )
    await hass.async_block_till_done()
    await move(hass, freezer, timedelta(hours=1))
    # Off: nothing more.
    assert float(state(hass, energy).state) == pytest.approx(on_for_an_hour, abs=1e-5)


def test_every_unmetered_light_fan_and_humidifier_has_a_typical_wattage() -> None:
    table = typical_wattages()
    for type_string, typical in table.items():
        spec = device_spec(type_string, infrared=False)
        assert spec is not None, f"{type_string!r} is not a catalog type"
        assert spec.kind in {DeviceKind.LIGHT, DeviceKind.FAN, DeviceKind.HUMIDIFIER}
        assert 0 < typical.watts <= 100
        assert typical.source.startswith("RoomSense estimate")
    specs = [
        device_spec(type_string, infrared=False) for type_string in known_types(infrared=False)
    ]
    wanted = {
        spec.type_string
        for spec in specs
        if spec and spec.kind in {DeviceKind.LIGHT, DeviceKind.FAN, DeviceKind.HUMIDIFIER}
    }
    assert wanted == set(table)


# --- the dashboard ------------------------------------------------------------------------


@pytest.fixture
async def lovelace(hass: HomeAssistant) -> None:
    assert await async_setup_component(hass, "lovelace", {})


async def lovelace_config(
    hass_ws_client: WebSocketGenerator, hass: HomeAssistant, url_path: str
) -> dict[str, Any]:
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "lovelace/config", "url_path": url_path})
    answer = await client.receive_json()
    assert answer["success"], answer
    result: dict[str, Any] = answer["result"]
    return result


async def dashboards(hass_ws_client: WebSocketGenerator, hass: HomeAssistant) -> list[Any]:
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "lovelace/dashboards/list"})
    answer = await client.receive_json()
    assert answer["success"], answer
    return list(answer["result"])


def cards(view: dict[str, Any]) -> list[dict[str, Any]]:
    return [card for section in view.get("sections", [view]) for card in section["cards"]]


async def test_create_dashboard_lays_out_rooms_and_operations(
    hass: HomeAssistant,
    lovelace: None,
    setup_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    living = ar.async_get(hass).async_create("Living Room")
    plug_device = registry_device(hass, (DOMAIN, PLUG))
    assert plug_device is not None
    dr.async_get(hass).async_update_device(plug_device.id, area_id=living.id)

    answer = await roomsense_service(hass, "create_dashboard")
    assert answer == {
        "url_path": "roomsense-home",
        "created": True,
        "views": ["Living Room", "Other devices", "Operations"],
    }
    config = await lovelace_config(hass_ws_client, hass, "roomsense-home")
    room, other, operations = config["views"]

    plug_switch = entity_id(hass, "switch", f"{PLUG}_plug")
    bulb_light = entity_id(hass, "light", f"{BULB}_light")
    room_entities = [e for card in cards(room) for e in card.get("entities", [])]
    assert plug_switch in room_entities
    assert bulb_light not in room_entities
    assert bulb_light in [e for card in cards(other) for e in card.get("entities", [])]

    by_type: dict[str, list[dict[str, Any]]] = {}
    for card in cards(operations):
        by_type.setdefault(card["type"], []).append(card)
    assert set(by_type) == {"statistics-graph", "history-graph", "gauge", "entities"}
    commands, energy, automation = by_type["statistics-graph"]
    assert commands["entities"] == sorted(
        entity_id(hass, "sensor", f"{device}_commands_sent") for device in (PLUG, BULB)
    )
    assert commands["stat_types"] == ["change"]
    assert commands["period"] == "day"
    assert energy["entities"] == sorted(
        entity_id(hass, "sensor", f"{device}_energy_estimate") for device in (PLUG, BULB)
    )
    entry_id = setup_entry.entry_id
    assert set(automation["entities"]) == {
        entity_id(hass, "sensor", f"{entry_id}_automation_runs"),
        entity_id(hass, "sensor", f"{entry_id}_automation_failures"),
    }
    assert {card["entity"] for card in by_type["gauge"]} == {
        entity_id(hass, "sensor", f"{entry_id}_intent_success_rate"),
        entity_id(hass, "sensor", f"{entry_id}_api_calls_remaining"),
    }
    assert by_type["history-graph"][0]["entities"] == [
        entity_id(hass, "sensor", f"{entry_id}_api_calls_today")
    ]

    # Again, with a new title and the bulb in a room: the same dashboard, updated.
    kitchen = ar.async_get(hass).async_create("Kitchen")
    bulb_device = registry_device(hass, (DOMAIN, BULB))
    assert bulb_device is not None
    dr.async_get(hass).async_update_device(bulb_device.id, area_id=kitchen.id)
    again = await roomsense_service(hass, "create_dashboard", {"title": "Home ops"})
    assert again["created"] is False
    assert again["views"] == ["Kitchen", "Living Room", "Other devices", "Operations"]
    listed = await dashboards(hass_ws_client, hass)
    ours = [item for item in listed if item["url_path"] == "roomsense-home"]
    assert len(ours) == 1
    assert ours[0]["title"] == "Home ops"
    config = await lovelace_config(hass_ws_client, hass, "roomsense-home")
    assert [view["title"] for view in config["views"]] == again["views"]


async def test_create_dashboard_speaks_the_server_language(
    hass: HomeAssistant,
    lovelace: None,
    setup_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    await hass.config.async_update(language="ja")
    answer = await roomsense_service(hass, "create_dashboard")
    assert answer["views"] == ["その他の機器", "運用状況"]
    config = await lovelace_config(hass_ws_client, hass, "roomsense-home")
    titles = {card.get("title") or card.get("name") for card in cards(config["views"][-1])}
    assert {"1日のコマンド数", "1日の電力量（推定）", "意図の理解率", "現在"} <= titles
    # A language RoomSense has no words for: English.
    await hass.config.async_update(language="fr")
    assert (await roomsense_service(hass, "create_dashboard"))["views"] == [
        "Other devices",
        "Operations",
    ]


@pytest.mark.parametrize("url_path", ["roomsense", "RoomSense-Home", "room sense-home", "-x"])
async def test_create_dashboard_rejects_a_bad_address(
    hass: HomeAssistant, lovelace: None, setup_entry: MockConfigEntry, url_path: str
) -> None:
    with pytest.raises(ServiceValidationError) as caught:
        await roomsense_service(hass, "create_dashboard", {"url_path": url_path})
    assert caught.value.translation_key == "invalid_dashboard_url_path"
    assert caught.value.translation_placeholders == {"url_path": url_path}


async def test_create_dashboard_leaves_other_dashboards_alone(
    hass: HomeAssistant,
    lovelace: None,
    setup_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {"type": "lovelace/dashboards/create", "url_path": "my-home", "title": "Mine"}
    )
    assert (await client.receive_json())["success"]

    with pytest.raises(ServiceValidationError) as caught:
        await roomsense_service(hass, "create_dashboard", {"url_path": "my-home"})
    assert caught.value.translation_key == "dashboard_url_taken"
    mine = next(
        item for item in await dashboards(hass_ws_client, hass) if item["url_path"] == "my-home"
    )
    assert mine["title"] == "Mine"


async def test_create_dashboard_needs_an_administrator(
    hass: HomeAssistant, lovelace: None, setup_entry: MockConfigEntry, hass_read_only_user: Any
) -> None:
    with pytest.raises(Unauthorized):
        await hass.services.async_call(
            DOMAIN,
            "create_dashboard",
            {},
            blocking=True,
            return_response=True,
            context=Context(user_id=hass_read_only_user.id),
        )


async def test_create_dashboard_without_lovelace(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    with pytest.raises(ServiceValidationError) as caught:
        await roomsense_service(hass, "create_dashboard")
    assert caught.value.translation_key == "dashboards_unavailable"
