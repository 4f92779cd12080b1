"""Entity ids that read well: a device without a Latin name is named by its type and id.

Home Assistant would transliterate a Japanese name into Chinese readings ("玄関の鍵"
becomes `lock.xuan_guan_nojian`); RoomSense suggests `<product>_<last 4 of the id>`
instead, with the entity's own name appended, and only for ids not registered yet.
"""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.util import slugify
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.roomsense.const import DOMAIN
from custom_components.roomsense.entity_ids import has_latin_form, readable_object_id
from roomsense_simulator import Simulator

from ..conftest import registry_device
from .conftest import entity_id
from .edge_helpers import register

HUB = "EC1A3F9B2C10"
LOCK_JA = "F8C9A1B2E3D4"
METER_JA = "D04E7A2B9C15"
PLUG_JA = "7C87CE5A10B2"
HUB_MINI_JA = "F1C2A3B4D5E6"
LOCK_EN = "C1D2E3F4A5B6"
CO2_MIXED = "B0E9FE5C1A22"
AIRCON_JA = "02-202404011230-10482736"
CO2_NAME = "リビングのCO2センサー"


@pytest.fixture
def home() -> dict[str, Any]:
    """Demo-like devices: Japanese names, one Latin name, one name with both."""

    def device(device_id: str, name: str, device_type: str, **status: Any) -> dict[str, Any]:
        found: dict[str, Any] = {
            "deviceId": device_id,
            "deviceName": name,
            "deviceType": device_type,
            "hubDeviceId": HUB,
        }
        if status:
            found["status"] = status
        return found

    return {
        "name": "entity id home",
        "devices": [
            {"deviceId": HUB, "deviceName": "リビングのハブ2", "deviceType": "Hub 2"},
            device(LOCK_JA, "玄関の鍵", "Smart Lock Pro", lockState="lock", battery=90),
            device(METER_JA, "寝室の温湿度計", "Meter", temperature=21.5, humidity=48, battery=80),
            device(PLUG_JA, "コーヒーメーカーのプラグ", "Plug Mini (JP)"),
            device(LOCK_EN, "Front Door", "Smart Lock", lockState="lock", battery=70),
            device(CO2_MIXED, CO2_NAME, "MeterPro(CO2)", temperature=22.0, humidity=45, CO2=600),
        ],
        "infraredRemotes": [
            {
                "deviceId": AIRCON_JA,
                "deviceName": "リビングのエアコン",
                "remoteType": "Air Conditioner",
                "hubDeviceId": HUB,
            }
        ],
        "scenes": [],
    }


@pytest.mark.parametrize(
    ("name", "latin"),
    [
        ("Front Door", True),
        (CO2_NAME, True),
        ("ＴＶ台", True),  # full-width letters are Latin once NFKC-normalised
        ("玄関の鍵", False),
        ("リビングのハブ2", False),  # digits alone are not a Latin form
        ("Ωμέγα", False),
        ("", False),
        (None, False),
    ],
)
def test_the_latin_form_rule(name: str | None, latin: bool) -> None:
    assert has_latin_form(name) is latin


def test_the_object_id_scheme() -> None:
    assert readable_object_id("Lock Pro", LOCK_JA, None) == "lock_pro_e3d4"
    assert readable_object_id("Meter", METER_JA, "Temperature") == "meter_9c15_temperature"
    # A remote's id has dashes; only letters and digits count.
    assert readable_object_id("Air Conditioner", "02-2024-1-3", None) == "air_conditioner_2413"


async def test_a_japanese_named_lock_is_named_by_its_product_and_id(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    lock = entity_id(hass, "lock", f"{LOCK_JA}_lock")
    assert lock == "lock.lock_pro_e3d4"
    state = hass.states.get(lock)
    assert state is not None
    # The friendly name stays the device's own.
    assert state.attributes["friendly_name"] == "玄関の鍵"


async def test_entities_append_their_own_name_as_home_assistant_would(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    assert entity_id(hass, "sensor", f"{METER_JA}_temperature") == "sensor.meter_9c15_temperature"
    assert entity_id(hass, "sensor", f"{METER_JA}_humidity") == "sensor.meter_9c15_humidity"
    assert entity_id(hass, "sensor", f"{LOCK_JA}_battery") == "sensor.lock_pro_e3d4_battery"
    # Named from a translation key: the English name, as Home Assistant takes it.
    assert entity_id(hass, "sensor", f"{HUB}_light_level") == "sensor.hub_2_2c10_light_level"
    state = hass.states.get("sensor.meter_9c15_temperature")
    assert state is not None
    assert state.attributes["friendly_name"] == "寝室の温湿度計 Temperature"


async def test_types_without_a_product_name_are_named_by_their_open_api_type(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    assert entity_id(hass, "switch", f"{PLUG_JA}_plug") == "switch.plug_mini_jp_10b2"
    # A remote by its remote type, and the last four letters and digits of its id.
    assert (
        entity_id(hass, "climate", f"{AIRCON_JA}_air_conditioner") == "climate.air_conditioner_2736"
    )


async def test_a_latin_named_device_keeps_the_slug_of_its_name(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    assert entity_id(hass, "lock", f"{LOCK_EN}_lock") == "lock.front_door"
    assert entity_id(hass, "sensor", f"{LOCK_EN}_battery") == "sensor.front_door_battery"
    # Some Latin letters are enough: Home Assistant's own slug, as before.
    assert entity_id(hass, "sensor", f"{CO2_MIXED}_temperature") == (
        f"sensor.{slugify(f'{CO2_NAME} Temperature')}"
    )


async def test_an_id_registered_before_is_kept(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    """An id an earlier RoomSense registered (Home Assistant's transliteration) stays."""
    config_entry.add_to_hass(hass)
    er.async_get(hass).async_get_or_create(
        "lock",
        DOMAIN,
        f"{LOCK_JA}_lock",
        config_entry=config_entry,
        suggested_object_id="xuan_guan_nojian",
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    assert entity_id(hass, "lock", f"{LOCK_JA}_lock") == "lock.xuan_guan_nojian"
    assert hass.states.get("lock.xuan_guan_nojian") is not None
    assert hass.states.get("lock.lock_pro_e3d4") is None
    # New entities of the same device still get readable ids.
    assert entity_id(hass, "sensor", f"{LOCK_JA}_battery") == "sensor.lock_pro_e3d4_battery"


async def test_registered_ids_survive_a_rename_and_a_reload(
    hass: HomeAssistant, setup_entry: MockConfigEntry, simulator: Simulator
) -> None:
    registry = er.async_get(hass)
    registry.async_update_entity(
        entity_id(hass, "sensor", f"{METER_JA}_humidity"), new_entity_id="sensor.bedroom_humidity"
    )
    # Renamed in the SwitchBot app: the Japanese lock gets a Latin name, the Latin one a
    # Japanese name.
    simulator.state.devices[LOCK_JA].name = "Entrance"
    simulator.state.devices[LOCK_EN].name = "勝手口の鍵"

    assert await hass.config_entries.async_reload(setup_entry.entry_id)
    await hass.async_block_till_done()

    lock_device = registry_device(hass, (DOMAIN, LOCK_JA))
    assert lock_device is not None
    assert lock_device.name == "Entrance"
    assert entity_id(hass, "lock", f"{LOCK_JA}_lock") == "lock.lock_pro_e3d4"
    assert entity_id(hass, "lock", f"{LOCK_EN}_lock") == "lock.front_door"
    assert entity_id(hass, "sensor", f"{METER_JA}_humidity") == "sensor.bedroom_humidity"
    state = hass.states.get("lock.lock_pro_e3d4")
    assert state is not None
    assert state.attributes["friendly_name"] == "Entrance"


async def test_the_name_the_user_gave_the_device_is_the_one_judged(
    hass: HomeAssistant, config_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A device the user named in Latin letters gets Home Assistant's ids for new entities."""
    # The lock reports no battery at first: its battery sensor comes later, as a new entity.
    battery = simulator.state.devices[LOCK_JA].status.pop("battery")
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert er.async_get(hass).async_get_entity_id("sensor", DOMAIN, f"{LOCK_JA}_battery") is None
    device = registry_device(hass, (DOMAIN, LOCK_JA))
    assert device is not None
    dr.async_get(hass).async_update_device(device.id, name_by_user="Entrance")

    simulator.state.devices[LOCK_JA].status["battery"] = battery
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()

    assert entity_id(hass, "sensor", f"{LOCK_JA}_battery") == "sensor.entrance_battery"
    assert entity_id(hass, "lock", f"{LOCK_JA}_lock") == "lock.lock_pro_e3d4"


async def test_an_edge_device_without_a_latin_name_is_named_by_its_model(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    admin: TestClient,
    device_http: TestClient,
) -> None:
    japanese = await register(admin, device_http, name="車庫のジェットソン")
    latin = await register(admin, device_http, name="Garage Pi", device_type="raspberrypi4")
    await hass.async_block_till_done()

    tail = japanese.device_id[-4:]
    assert (
        entity_id(hass, "binary_sensor", f"edge_{japanese.device_id}_connectivity")
        == f"binary_sensor.nvidia_jetson_{tail}_connectivity"
    )
    assert (
        entity_id(hass, "sensor", f"edge_{japanese.device_id}_edge_queue_length")
        == f"sensor.nvidia_jetson_{tail}_queued_jobs"
    )
    assert (
        entity_id(hass, "binary_sensor", f"edge_{latin.device_id}_connectivity")
        == "binary_sensor.garage_pi_connectivity"
    )
