"""The RoomSense automation blueprints: Home Assistant accepts them, and they do their job.

Each blueprint is loaded the way Home Assistant loads it (its YAML loader with `!input`, the
blueprint schema, the automation's own checks), then runs in a real Home Assistant: an
automation made from it with `use_blueprint`, driven by entity states, with the services it
calls replaced by recorders.
"""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.automation.config import (
    AUTOMATION_BLUEPRINT_SCHEMA,
    ValidationStatus,
    async_validate_config_item,
)
from homeassistant.components.blueprint.models import Blueprint
from homeassistant.components.blueprint.schemas import BLUEPRINT_SCHEMA
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from homeassistant.util.yaml import extract_inputs, load_yaml_dict
from pytest_homeassistant_custom_component.common import (
    async_fire_time_changed,
    async_mock_service,
)

REPO = Path(__file__).resolve().parents[2]
BLUEPRINTS = REPO / "blueprints" / "automation" / "roomsense"
NAMES = ("home_mode_on_arrival.yaml", "leaving_mode.yaml", "heat_relief.yaml")
SOURCE = "https://github.com/roomsense/roomsense/blob/main/blueprints/automation/roomsense/"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")

# What each blueprint needs at least: its inputs without a default.
REQUIRED = {
    "home_mode_on_arrival.yaml": {"door_sensor": "binary_sensor.front_door"},
    "leaving_mode.yaml": {"presence_entities": ["person.alice"]},
    "heat_relief.yaml": {"temperature_sensor": "sensor.living_temperature"},
}
# Every option set, to validate the branches the defaults leave out.
ALL_OPTIONS: dict[str, dict[str, Any]] = {
    "home_mode_on_arrival.yaml": {
        "door_sensor": "binary_sensor.front_door",
        "only_after_sunset": True,
        "away_people": ["person.alice", "person.bob"],
        "arrival_window": 5,
        "notify_service": "notify.mobile_app_phone",
        "notification_title": "Hi",
        "notification_message": "Home mode?",
        "confirm_button": "Yes",
        "home_mode_targets": ["scene.home_mode", "script.welcome"],
        "run_without_confirmation": False,
        "confirm_timeout": 3,
    },
    "leaving_mode.yaml": {
        "presence_entities": ["zone.home", "person.alice", "group.family"],
        "leave_delay": 5,
        "lights": ["light.living"],
        "switches": ["switch.tv", "fan.ceiling"],
        "covers": ["cover.curtain"],
        "locks": ["lock.front_door"],
        "send_notification": True,
        "notify_service": "notify.mobile_app_phone",
        "notification_title": "Bye",
        "notification_message": "Locked up.",
    },
    "heat_relief.yaml": {
        "temperature_sensor": "sensor.living_temperature",
        "threshold": 30.5,
        "duration": 15,
        "presence_entities": ["zone.home"],
        "climate_entities": ["climate.living"],
        "target_temperature": 25,
        "fans": ["fan.ceiling"],
        "send_notification": True,
        "notify_service": "notify.mobile_app_phone",
        "notification_title": "Hot",
        "notification_message": "Cooling.",
    },
}


def load(name: str) -> dict[str, Any]:
    return load_yaml_dict(BLUEPRINTS / name)


# --- the files themselves -----------------------------------------------------------------


def test_there_are_the_three_blueprints() -> None:
    assert {path.name for path in BLUEPRINTS.glob("*.yaml")} >= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_blueprint_passes_home_assistant_schemas(name: str) -> None:
    data = load(name)
    BLUEPRINT_SCHEMA(data)
    # What Home Assistant's automation blueprints do on load: schema, domain, input names.
    blueprint = Blueprint(
        data,
        path=f"roomsense/{name}",
        expected_domain="automation",
        schema=AUTOMATION_BLUEPRINT_SCHEMA,
    )
    assert blueprint.validate() is None  # no newer Home Assistant needed than this one
    assert extract_inputs(blueprint.data) == set(blueprint.inputs), "unused or undefined inputs"


@pytest.mark.parametrize("name", NAMES)
def test_blueprint_metadata(name: str) -> None:
    data = load(name)
    meta = data["blueprint"]
    assert meta["domain"] == "automation"
    assert meta["name"].startswith("RoomSense")
    assert meta["source_url"] == SOURCE + name
    assert JAPANESE.search(meta["description"]), "a short Japanese line belongs in it"
    assert data["mode"] in ("single", "restart", "queued", "parallel")
    for key, spec in meta["input"].items():
        assert "selector" in spec, key
        assert "name" in spec, key
    # Inputs without a default are what a user must fill in: exactly the required ones.
    required = {key for key, spec in meta["input"].items() if "default" not in spec}
    assert required == set(REQUIRED[name])


# --- Home Assistant with the blueprints in its config folder ------------------------------


@pytest.fixture
def blueprints_installed(hass: HomeAssistant, tmp_path: Path) -> Path:
    """The blueprints where Home Assistant looks: <config>/blueprints/automation/roomsense.

    The test plugin's config folder is shared, so each test gets its own.
    """
    hass.config.config_dir = str(tmp_path)
    target = Path(hass.config.path("blueprints", "automation", "roomsense"))
    target.mkdir(parents=True)
    for name in NAMES:
        shutil.copy(BLUEPRINTS / name, target / name)
    return target


def use(name: str, inputs: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"use_blueprint": {"path": f"roomsense/{name}", "input": inputs}, **extra}


@pytest.mark.usefixtures("blueprints_installed")
@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("inputs", ["required", "all"])
async def test_automation_from_blueprint_validates(
    hass: HomeAssistant, name: str, inputs: str
) -> None:
    chosen = REQUIRED[name] if inputs == "required" else ALL_OPTIONS[name]
    config = await async_validate_config_item(hass, "test", use(name, chosen, alias=name))
    assert config is not None
    assert config.validation_status is ValidationStatus.OK
    assert config["triggers"]
    assert config["actions"]


async def setup_automation(hass: HomeAssistant, name: str, inputs: dict[str, Any]) -> None:
    assert await async_setup_component(
        hass,
        "automation",
        {"automation": [use(name, inputs, id="under_test", alias=name.removesuffix(".yaml"))]},
    )
    await hass.async_block_till_done()
    state = hass.states.get("automation." + name.removesuffix(".yaml"))
    assert state is not None, "the automation did not load"
    assert state.state == "on"


# --- home mode on arrival -----------------------------------------------------------------

HOME_MODE = "home_mode_on_arrival.yaml"
DOOR = "binary_sensor.front_door"


class Recorders:
    """The services the blueprints call, recorded instead of run."""

    def __init__(self, hass: HomeAssistant) -> None:
        self.persistent = async_mock_service(hass, "persistent_notification", "create")
        self.phone = async_mock_service(hass, "notify", "mobile_app_phone")
        self.turn_on = async_mock_service(hass, "homeassistant", "turn_on")
        self.turn_off = async_mock_service(hass, "homeassistant", "turn_off")
        self.light_off = async_mock_service(hass, "light", "turn_off")
        self.close = async_mock_service(hass, "cover", "close_cover")
        self.lock = async_mock_service(hass, "lock", "lock")
        self.unlock = async_mock_service(hass, "lock", "unlock")
        self.climate = async_mock_service(hass, "climate", "set_temperature")
        self.fan_on = async_mock_service(hass, "fan", "turn_on")


@pytest.fixture
def calls(hass: HomeAssistant, blueprints_installed: Path) -> Recorders:
    return Recorders(hass)


def entity_ids(call: ServiceCall) -> list[str]:
    value = call.data["entity_id"]
    return [value] if isinstance(value, str) else list(value)


async def open_door(hass: HomeAssistant) -> None:
    hass.states.async_set(DOOR, "on", {"device_class": "door"})
    await hass.async_block_till_done()


async def until(check: Callable[[], object]) -> None:
    """Let the loop run until `check()` holds (at most a few seconds).

    `async_block_till_done` would wait for the automation's run, which is waiting for an
    answer itself.
    """
    for _ in range(500):
        if check():
            return
        await asyncio.sleep(0.01)
    pytest.fail("it did not happen")


async def close_door(hass: HomeAssistant) -> None:
    hass.states.async_set(DOOR, "off", {"device_class": "door"})
    await hass.async_block_till_done()


async def test_home_mode_notifies_with_the_defaults(hass: HomeAssistant, calls: Recorders) -> None:
    await close_door(hass)
    await setup_automation(hass, HOME_MODE, {"door_sensor": DOOR})

    await open_door(hass)

    assert len(calls.persistent) == 1
    assert calls.persistent[0].data["title"] == "Welcome home / おかえりなさい"
    assert "home mode" in calls.persistent[0].data["message"]
    assert "data" not in calls.persistent[0].data  # no buttons on a persistent notification
    assert calls.turn_on == []


async def test_home_mode_runs_the_scene_when_the_button_is_pressed(
    hass: HomeAssistant, calls: Recorders
) -> None:
    await close_door(hass)
    await setup_automation(
        hass,
        HOME_MODE,
        {
            "door_sensor": DOOR,
            "notify_service": "notify.mobile_app_phone",
            "home_mode_targets": ["scene.home_mode", "script.welcome"],
        },
    )

    hass.states.async_set(DOOR, "on", {"device_class": "door"})
    await until(lambda: calls.phone)

    assert len(calls.phone) == 1
    [button] = calls.phone[0].data["data"]["actions"]
    assert button["title"] == "Home mode / ホームモード"
    assert button["action"].startswith("ROOMSENSE_HOME_MODE_")
    assert calls.turn_on == [], "it waits for the answer"

    # Another notification's button does nothing.
    hass.bus.async_fire("mobile_app_notification_action", {"action": "SOMETHING_ELSE"})
    await asyncio.sleep(0.1)
    assert calls.turn_on == []

    hass.bus.async_fire("mobile_app_notification_action", {"action": button["action"]})
    await hass.async_block_till_done()  # the run ends now
    assert len(calls.turn_on) == 1
    assert entity_ids(calls.turn_on[0]) == ["scene.home_mode", "script.welcome"]


async def test_home_mode_question_expires(hass: HomeAssistant, calls: Recorders) -> None:
    await close_door(hass)
    await setup_automation(
        hass,
        HOME_MODE,
        {
            "door_sensor": DOOR,
            "notify_service": "notify.mobile_app_phone",
            "home_mode_targets": ["scene.home_mode"],
            "confirm_timeout": 5,
        },
    )
    hass.states.async_set(DOOR, "on", {"device_class": "door"})
    await until(lambda: calls.phone)
    action = calls.phone[0].data["data"]["actions"][0]["action"]

    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=6))
    await hass.async_block_till_done()
    hass.bus.async_fire("mobile_app_notification_action", {"action": action})
    await hass.async_block_till_done()

    assert calls.turn_on == []


async def test_home_mode_phone_gets_no_button_with_nothing_to_confirm(
    hass: HomeAssistant, calls: Recorders
) -> None:
    await close_door(hass)
    await setup_automation(
        hass, HOME_MODE, {"door_sensor": DOOR, "notify_service": "notify.mobile_app_phone"}
    )

    await open_door(hass)

    [note] = calls.phone
    assert "data" not in note.data
    assert note.data["message"].startswith("The front door opened")


async def test_home_mode_without_asking(hass: HomeAssistant, calls: Recorders) -> None:
    await close_door(hass)
    await setup_automation(
        hass,
        HOME_MODE,
        {
            "door_sensor": DOOR,
            "home_mode_targets": ["scene.home_mode"],
            "run_without_confirmation": True,
        },
    )

    await open_door(hass)

    assert len(calls.persistent) == 1
    assert [entity_ids(call) for call in calls.turn_on] == [["scene.home_mode"]]


async def test_home_mode_only_when_someone_was_away(
    hass: HomeAssistant, calls: Recorders, freezer: FrozenDateTimeFactory
) -> None:
    await close_door(hass)
    hass.states.async_set("person.alice", "home")
    hass.states.async_set("person.bob", "home")
    await setup_automation(
        hass,
        HOME_MODE,
        {"door_sensor": DOOR, "away_people": ["person.alice", "person.bob"], "arrival_window": 10},
    )
    freezer.tick(timedelta(hours=1))

    # Both have been home for an hour: someone is just going out.
    await open_door(hass)
    assert calls.persistent == []
    await close_door(hass)

    # Bob is still on his way in (his phone has not caught up yet).
    hass.states.async_set("person.bob", "not_home")
    await open_door(hass)
    assert len(calls.persistent) == 1
    await close_door(hass)

    # Bob's phone says he arrived a few minutes ago.
    freezer.tick(timedelta(minutes=2))
    hass.states.async_set("person.bob", "home")
    freezer.tick(timedelta(minutes=3))
    await open_door(hass)
    assert len(calls.persistent) == 2
    await close_door(hass)

    # Long after that it is no arrival any more.
    freezer.tick(timedelta(minutes=30))
    await open_door(hass)
    assert len(calls.persistent) == 2


async def test_home_mode_only_after_sunset(
    hass: HomeAssistant, calls: Recorders, freezer: FrozenDateTimeFactory
) -> None:
    # The test Home Assistant lives in San Diego (US/Pacific): midsummer sunset is near 20:00.
    zone = dt_util.get_default_time_zone()
    freezer.move_to(
        dt_util.as_utc(dt_util.parse_datetime("2025-07-01T12:00:00").replace(tzinfo=zone))
    )
    await close_door(hass)
    await setup_automation(hass, HOME_MODE, {"door_sensor": DOOR, "only_after_sunset": True})

    await open_door(hass)
    assert calls.persistent == [], "noon is not after sunset"
    await close_door(hass)

    freezer.move_to(
        dt_util.as_utc(dt_util.parse_datetime("2025-07-01T22:30:00").replace(tzinfo=zone))
    )
    await open_door(hass)
    assert len(calls.persistent) == 1


# --- leaving mode -------------------------------------------------------------------------

LEAVING = "leaving_mode.yaml"
LEAVING_INPUTS: dict[str, Any] = {
    "presence_entities": ["person.alice", "person.bob"],
    "lights": ["light.living", "light.kitchen"],
    "switches": ["switch.tv"],
    "covers": ["cover.curtain"],
    "locks": ["lock.front_door"],
}


async def test_leaving_mode_when_the_last_person_leaves(
    hass: HomeAssistant, calls: Recorders
) -> None:
    hass.states.async_set("person.alice", "home")
    hass.states.async_set("person.bob", "home")
    await setup_automation(hass, LEAVING, LEAVING_INPUTS)

    hass.states.async_set("person.alice", "not_home")
    await hass.async_block_till_done()
    assert calls.light_off == [], "Bob is still home"

    hass.states.async_set("person.bob", "Work")  # another zone is away too
    await hass.async_block_till_done()

    assert [entity_ids(call) for call in calls.light_off] == [["light.living", "light.kitchen"]]
    assert [entity_ids(call) for call in calls.turn_off] == [["switch.tv"]]
    assert [entity_ids(call) for call in calls.close] == [["cover.curtain"]]
    assert [entity_ids(call) for call in calls.lock] == [["lock.front_door"]]
    assert calls.unlock == []
    assert len(calls.persistent) == 1
    assert calls.persistent[0].data["title"] == "Leaving mode / お出かけモード"


async def test_leaving_mode_waits_for_the_delay(hass: HomeAssistant, calls: Recorders) -> None:
    hass.states.async_set("person.alice", "home")
    await setup_automation(
        hass, LEAVING, {**LEAVING_INPUTS, "presence_entities": ["person.alice"], "leave_delay": 5}
    )

    # Out to the mailbox and back: nothing happens.
    hass.states.async_set("person.alice", "not_home")
    await hass.async_block_till_done()
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=2))
    await hass.async_block_till_done()
    hass.states.async_set("person.alice", "home")
    await hass.async_block_till_done()
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=10))
    await hass.async_block_till_done()
    assert calls.lock == []

    hass.states.async_set("person.alice", "not_home")
    await hass.async_block_till_done()
    assert calls.lock == []
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=6))
    await hass.async_block_till_done()
    assert len(calls.lock) == 1


async def test_leaving_mode_from_the_home_zone(hass: HomeAssistant, calls: Recorders) -> None:
    hass.states.async_set("zone.home", "2")
    await setup_automation(
        hass,
        LEAVING,
        {
            "presence_entities": ["zone.home"],
            "locks": ["lock.front_door"],
            "send_notification": False,
        },
    )

    hass.states.async_set("zone.home", "1")
    await hass.async_block_till_done()
    hass.states.async_set("zone.home", "unavailable")
    await hass.async_block_till_done()
    assert calls.lock == []

    hass.states.async_set("zone.home", "0")
    await hass.async_block_till_done()
    assert len(calls.lock) == 1
    # Nothing chosen, nothing called; the notification was switched off.
    assert calls.light_off == calls.turn_off == calls.close == calls.persistent == []


async def test_leaving_mode_from_a_trigger_entity(hass: HomeAssistant, calls: Recorders) -> None:
    hass.states.async_set("input_boolean.someone_home", "on")
    await setup_automation(
        hass,
        LEAVING,
        {
            "presence_entities": ["input_boolean.someone_home"],
            "lights": ["light.living"],
            "notify_service": "notify.mobile_app_phone",
        },
    )

    hass.states.async_set("input_boolean.someone_home", "off")
    await hass.async_block_till_done()

    assert len(calls.light_off) == 1
    assert len(calls.phone) == 1
    assert calls.persistent == []


# --- heat relief --------------------------------------------------------------------------

HEAT = "heat_relief.yaml"
SENSOR = "sensor.living_temperature"
TEMPERATURE = {"device_class": "temperature", "unit_of_measurement": "°C"}
HEAT_INPUTS: dict[str, Any] = {
    "temperature_sensor": SENSOR,
    "climate_entities": ["climate.living"],
    "fans": ["fan.ceiling"],
}


async def set_temperature(hass: HomeAssistant, value: float) -> None:
    hass.states.async_set(SENSOR, str(value), TEMPERATURE)
    await hass.async_block_till_done()


async def test_heat_relief_cools_above_the_threshold(hass: HomeAssistant, calls: Recorders) -> None:
    await set_temperature(hass, 25)
    await setup_automation(hass, HEAT, HEAT_INPUTS)

    await set_temperature(hass, 27.5)
    assert calls.climate == []

    await set_temperature(hass, 29.2)

    assert len(calls.climate) == 1
    assert entity_ids(calls.climate[0]) == ["climate.living"]
    assert calls.climate[0].data["hvac_mode"] == "cool"
    assert calls.climate[0].data["temperature"] == 26
    assert [entity_ids(call) for call in calls.fan_on] == [["fan.ceiling"]]
    [note] = calls.persistent
    assert "29.2 °C" in note.data["message"]
    assert note.data["message"].startswith("It is hot")

    # Still hot: it does not start again.
    await set_temperature(hass, 30)
    assert len(calls.climate) == 1


async def test_heat_relief_waits_for_the_heat_to_last(
    hass: HomeAssistant, calls: Recorders
) -> None:
    await set_temperature(hass, 25)
    await setup_automation(
        hass, HEAT, {**HEAT_INPUTS, "duration": 10, "threshold": 30, "target_temperature": 24}
    )

    await set_temperature(hass, 31)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=5))
    await hass.async_block_till_done()
    assert calls.climate == []

    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=11))
    await hass.async_block_till_done()
    assert len(calls.climate) == 1
    assert calls.climate[0].data["temperature"] == 24


async def test_heat_relief_only_while_someone_is_home(
    hass: HomeAssistant, calls: Recorders
) -> None:
    hass.states.async_set("person.alice", "not_home")
    await set_temperature(hass, 25)
    await setup_automation(
        hass,
        HEAT,
        {**HEAT_INPUTS, "presence_entities": ["person.alice"], "send_notification": False},
    )

    await set_temperature(hass, 29)
    assert calls.climate == []

    await set_temperature(hass, 25)
    hass.states.async_set("person.alice", "home")
    await set_temperature(hass, 29)
    assert len(calls.climate) == 1
    assert calls.persistent == []


async def test_heat_relief_with_only_a_fan(hass: HomeAssistant, calls: Recorders) -> None:
    await set_temperature(hass, 25)
    await setup_automation(hass, HEAT, {"temperature_sensor": SENSOR, "fans": ["fan.ceiling"]})

    await set_temperature(hass, 28.5)

    assert calls.climate == []
    assert len(calls.fan_on) == 1
