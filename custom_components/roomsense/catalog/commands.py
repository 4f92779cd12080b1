"""The command tables of physical devices (reference §5), and how a command is declared."""

from __future__ import annotations

from typing import Final

from .types import (
    DEFAULT,
    FREE_TEXT,
    Choice,
    CommandSpec,
    IntRange,
    JsonObject,
    ParameterSpec,
    Pattern,
)


def command(name: str, parameter: ParameterSpec = DEFAULT) -> CommandSpec:
    """A command that sets an explicit state: sending it again changes nothing."""
    return CommandSpec(name, parameter, idempotent=True)


def step(name: str, parameter: ParameterSpec = DEFAULT) -> CommandSpec:
    """A relative step, a toggle, a press, a new run: each one sent changes the home again."""
    return CommandSpec(name, parameter, idempotent=False)


ON_OFF: Final = (command("turnOn"), command("turnOff"))
TOGGLE: Final = step("toggle")
PERCENT_FROM_ONE: Final = IntRange(1, 100)
PERCENT: Final = IntRange(0, 100)
KELVIN: Final = IntRange(2700, 6500)
RGB: Final = Pattern(r"(25[0-5]|2[0-4]\d|1?\d?\d)(:(25[0-5]|2[0-4]\d|1?\d?\d)){2}", "122:80:20")

BOT: Final = (
    # In press mode turnOn and turnOff are presses too, so none of the three is repeatable.
    step("turnOn"),
    step("turnOff"),
    step("press"),
)
PLUG: Final = ON_OFF
PLUG_MINI: Final = (*ON_OFF, TOGGLE)
# Relay modes: 0 toggle, 1 edge, 2 detached, 3 momentary.
RELAY: Final = (*ON_OFF, TOGGLE, command("setMode", IntRange(0, 3)))
RELAY_CHANNEL: Final = Choice(("1", "2"))
RELAY_2PM: Final = (
    command("turnOn", RELAY_CHANNEL),
    command("turnOff", RELAY_CHANNEL),
    step("toggle", RELAY_CHANNEL),
    command("setMode", Pattern(r"[12];[0-3]", "1;0")),
    command("setPosition", PERCENT),
)
GARAGE_DOOR: Final = ON_OFF
CURTAIN: Final = (
    *ON_OFF,
    command("pause"),
    command("setPosition", Pattern(r"\d+,(0|1|ff),(100|[1-9]?\d)", "0,ff,80")),
)
BLIND_TILT: Final = (
    command("setPosition", Pattern(r"(up|down);(100|[1-9]?[02468])", "up;60")),
    command("fullyOpen"),
    command("closeUp"),
    command("closeDown"),
)
ROLLER_SHADE: Final = (command("setPosition", PERCENT),)
LOCK: Final = (command("lock"), command("unlock"))
DEADBOLT: Final = command("deadbolt")
NIGHT_LATCH: Final = command("nightLatchUnlock")
KEYS: Final = (
    # A second createKey may add a second passcode; a second deleteKey finds nothing to delete.
    step("createKey", JsonObject(("name", "type", "password"), ("startTime", "endTime"))),
    command("deleteKey", JsonObject(("id",))),
)
WEATHER_STATION: Final = (
    command("customQuote", FREE_TEXT),
    command("cancelCustom"),
    command("customPage", FREE_TEXT),
)
LIGHT_BASE: Final = (*ON_OFF, TOGGLE)
SET_COLOR: Final = command("setColor", RGB)
SET_KELVIN: Final = command("setColorTemperature", KELVIN)
SIMPLE_VACUUM: Final = (
    command("start"),
    command("stop"),
    command("dock"),
    command("PowLevel", IntRange(0, 3)),
)
CLEAN: Final = JsonObject(("action", "param"))
TASK_VACUUM_BASE: Final = (
    command("startClean", CLEAN),
    command("pause"),
    command("dock"),
    command("setVolume", PERCENT),
)
CHANGE_PARAM: Final = command("changeParam", JsonObject(("fanLevel", "times")))
CHANGE_PARAM_WATER: Final = command("changeParam", JsonObject(("fanLevel", "waterLevel", "times")))
MOP_VACUUM: Final = (
    *TASK_VACUUM_BASE,
    CHANGE_PARAM_WATER,
    # Refilling and washing start a run each time they are sent.
    step("addWaterForHumi"),
    step("selfClean", Choice(("1", "2", "3"))),
)
HUMIDIFIER: Final = (
    *ON_OFF,
    command("setMode", Pattern(r"auto|10[0-3]|[1-9]?\d", "101")),
)
EVAPORATIVE_HUMIDIFIER: Final = (
    *ON_OFF,
    command("setMode", JsonObject(("mode",), ("targetHumidify",))),
    command("setChildLock", Choice(("true", "false"))),
)
AIR_PURIFIER: Final = (
    *ON_OFF,
    command("setMode", JsonObject(("mode",), ("fanGear",))),
    command("setChildLock", Choice(("0", "1"))),
)
THERMOSTAT: Final = (
    *ON_OFF,
    command("setMode", IntRange(0, 5)),
    command("setManualModeTemperature", IntRange(4, 35)),
)


def _circulator_fan(night_lights: tuple[str, ...]) -> tuple[CommandSpec, ...]:
    return (
        *ON_OFF,
        command("setNightLightMode", Choice(("off", *night_lights))),
        command("setWindMode", Choice(("direct", "natural", "sleep", "baby"))),
        command("setWindSpeed", PERCENT_FROM_ONE),
        # A second send restarts the countdown, so the fan stops later than asked.
        step("closeDelay", IntRange(1, 36000)),
    )


# Night lights: "1" bright and "2" dim (§5.14); the 2 Pro, undocumented, counts from "0" as
# Home Assistant's own integration sends it [UNV]. The choice lists off, bright, dim in that
# order, which is how the night light select names them.
CIRCULATOR_FAN: Final = _circulator_fan(("1", "2"))
CIRCULATOR_FAN_2_PRO: Final = _circulator_fan(("0", "1"))
SMART_FAN: Final = (
    *ON_OFF,
    # v1.0 only: "power,fanMode,speed,shakeRange", the whole state at once.
    command("setAllStatus", Pattern(r"(on|off),[12],[1-4],(120|1[01]\d|[1-9]?\d)", "on,1,1,60")),
)
VIDEO_DOORBELL: Final = (command("enableMotionDetection"), command("disableMotionDetection"))
ART_FRAME: Final = (
    step("next"),
    step("previous"),
    step("uploadImage", JsonObject((), ("imageUrl", "imageBase64"))),
)
