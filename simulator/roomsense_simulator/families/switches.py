"""Bot (§5.2), plugs, relay switches and the garage door opener (§5.10)."""

from __future__ import annotations

from typing import Any

from .. import params
from ..spec import (
    CommandHandler,
    CommandRequest,
    Effect,
    TypeSpec,
    WebhookSpec,
    const,
    copy,
    online,
    upper,
)
from .common import power_commands

# --- Bot ----------------------------------------------------------------------------------


def _bot_switch(target: str | None) -> CommandHandler:
    """Only a Bot in switchMode has an on/off state; in press/customize mode it just presses.

    `target` None means `press`, which flips the state of a Bot in switchMode.
    """

    def handle(request: CommandRequest) -> Effect:
        if request.status.get("deviceMode") != "switchMode":
            return Effect()
        if target is None:
            return Effect(status={"power": "off" if request.status.get("power") == "on" else "on"})
        return Effect(status={"power": target})

    return handle


BOT = TypeSpec(
    "Bot",
    # Real Bots report lowercase "on"/"off" (reference §5.2, observed).
    status={"power": "off", "battery": 100, "version": "V6.3", "deviceMode": "pressMode"},
    commands={
        "turnOn": _bot_switch("on"),
        "turnOff": _bot_switch("off"),
        "press": _bot_switch(None),
    },
    webhook=WebhookSpec(
        "WoHand",
        {"power": copy("power"), "battery": copy("battery"), "deviceMode": copy("deviceMode")},
    ),
)

# --- Plugs --------------------------------------------------------------------------------


def _metered_power(
    on: bool, request: CommandRequest, *, current_scale: float
) -> tuple[float, float]:
    """Watts and current drawn by the simulated load (`internal.loadWatts`) when switched on."""
    if not on:
        return 0.0, 0.0
    watts = float(request.internal.get("loadWatts", 0.0))
    voltage = float(request.status.get("voltage") or 100.0)
    return watts, round(watts / voltage * current_scale, 2)


def _plug_mini_switch(target: bool | None) -> CommandHandler:
    """Plug Mini (US/JP): lowercase `power` plus the `weight`/`electricCurrent` readings.

    `weight` behaves like instantaneous watts and `electricCurrent` like 0.1 A units in real
    data (reference §5.10), so the simulator reports them that way.
    """

    def handle(request: CommandRequest) -> Effect:
        on = request.status.get("power") != "on" if target is None else target
        watts, current = _metered_power(on, request, current_scale=10.0)
        return Effect(
            status={"power": "on" if on else "off", "weight": watts, "electricCurrent": current}
        )

    return handle


def _single_switch(target: bool | None, *, metered: bool) -> CommandHandler:
    """`switchStatus` 0/1 plus, for metered devices, `power` (W) and `electricCurrent` (mA)."""

    def handle(request: CommandRequest) -> Effect:
        on = request.status.get("switchStatus") != 1 if target is None else target
        changes: dict[str, Any] = {"switchStatus": 1 if on else 0}
        if metered:
            watts, milliamps = _metered_power(on, request, current_scale=1000.0)
            changes["power"] = watts
            # Keep the type the device reports: an int for the relay, a float for the plug.
            is_integer = isinstance(request.status.get("electricCurrent"), int)
            changes["electricCurrent"] = round(milliamps) if is_integer else milliamps
        return Effect(status=changes)

    return handle


def _single_switch_commands(*, metered: bool) -> dict[str, CommandHandler]:
    return {
        "turnOn": _single_switch(True, metered=metered),
        "turnOff": _single_switch(False, metered=metered),
        "toggle": _single_switch(None, metered=metered),
    }


def _relay_mode(request: CommandRequest) -> Effect:
    """`setMode` 0-3: 0 toggle, 1 edge, 2 detached, 3 momentary (wiring mode, not a state)."""
    return Effect(internal={"mode": params.integer(request.parameter, 0, 3)})


PLUG = TypeSpec(
    "Plug",
    status={"power": "off", "version": "V1.2"},
    commands=power_commands(),
)


def _plug_mini(device_type: str, webhook_type: str) -> TypeSpec:
    return TypeSpec(
        device_type,
        status={
            "power": "off",
            "voltage": 100.6,
            "weight": 0.0,
            "electricityOfDay": 0,
            "electricCurrent": 0.0,
            "version": "V1.5-1.4",
        },
        internal={"loadWatts": 42.0},
        commands={
            "turnOn": _plug_mini_switch(True),
            "turnOff": _plug_mini_switch(False),
            "toggle": _plug_mini_switch(None),
        },
        webhook=WebhookSpec(webhook_type, {"powerState": upper("power")}),
    )


_OVERLOAD_FIELDS = {"overTemperature": const(False), "overload": const(False)}

PLUG_MINI_EU = TypeSpec(
    "Plug Mini (EU)",
    status={
        "switchStatus": 0,
        "voltage": 230.1,
        "power": 0.0,
        "electricCurrent": 0.0,
        "usedElectricity": 0,
        "version": "V1.0-1.0",
    },
    internal={"loadWatts": 60.0},
    commands=_single_switch_commands(metered=True),
    # The README's table says "WoPlugEU", its sample "Plug Mini (EU)"; the sample is used.
    webhook=WebhookSpec(
        "Plug Mini (EU)",
        {"online": online, **_OVERLOAD_FIELDS, "switchStatus": copy("switchStatus")},
    ),
)

# --- Relay switches -----------------------------------------------------------------------

RELAY_SWITCH_1PM = TypeSpec(
    "Relay Switch 1PM",
    status={
        "switchStatus": 0,
        "voltage": 100.2,
        "power": 0.0,
        "usedElectricity": 0,
        "electricCurrent": 0,
        "version": "V1.2-1.0",
    },
    internal={"mode": 0, "loadWatts": 40.0},
    commands=_single_switch_commands(metered=True) | {"setMode": _relay_mode},
    webhook=WebhookSpec(
        "Relay Switch 1PM",
        {"online": online, "switchStatus": copy("switchStatus"), **_OVERLOAD_FIELDS},
    ),
    status_hub_is_self=True,
)

RELAY_SWITCH_1 = TypeSpec(
    "Relay Switch 1",
    status={"switchStatus": 0, "version": "V1.2-1.0"},
    internal={"mode": 0},
    commands=_single_switch_commands(metered=False) | {"setMode": _relay_mode},
    webhook=WebhookSpec(
        "Relay Switch 1",
        {
            "online": online,
            "switchStatus": copy("switchStatus"),
            "overTemperature": const(False),
        },
    ),
    status_hub_is_self=True,
)


def _channel(value: Any) -> str:
    return params.choice(value, ("1", "2"), name="channel")


def _two_channel_switch(target: bool | None) -> CommandHandler:
    """Relay Switch 2PM `turnOn`/`turnOff`/`toggle`: the parameter is the channel "1"/"2"."""

    def handle(request: CommandRequest) -> Effect:
        prefix = f"switch{_channel(request.parameter)}"
        status_key = f"{prefix}Status"
        on = request.status.get(status_key) != 1 if target is None else target
        watts = float(request.internal.get(f"{prefix}LoadWatts", 0.0)) if on else 0.0
        voltage = float(request.status.get(f"{prefix}Voltage") or 100.0)
        return Effect(
            status={
                status_key: 1 if on else 0,
                f"{prefix}Power": watts,
                f"{prefix}ElectricCurrent": round(watts / voltage * 1000),
            }
        )

    return handle


def _two_channel_mode(request: CommandRequest) -> Effect:
    """`setMode` "channel;mode", e.g. "1;0"."""
    channel, mode = params.fields(request.parameter, ";", 2)
    return Effect(
        internal={f"switch{_channel(channel)}Mode": params.integer(mode, 0, 3, name="mode")}
    )


def _two_channel_position(request: CommandRequest) -> Effect:
    """Roller-blind mode: 0 fully open, 100 fully closed."""
    return Effect(status={"position": params.integer(request.parameter, 0, 100)})


RELAY_SWITCH_2PM = TypeSpec(
    "Relay Switch 2PM",
    status={
        "online": True,
        "switch1Status": 0,
        "switch2Status": 0,
        "switch1Voltage": 100.1,
        "switch2Voltage": 100.1,
        "switch1Power": 0.0,
        "switch2Power": 0.0,
        "switch1UsedElectricity": 0,
        "switch2UsedElectricity": 0,
        "switch1ElectricCurrent": 0,
        "switch2ElectricCurrent": 0,
        "calibrate": True,
        "position": 0,
        "isStuck": "false",
        "version": "V1.0-1.0",
    },
    internal={
        "switch1Mode": 0,
        "switch2Mode": 0,
        "switch1LoadWatts": 40.0,
        "switch2LoadWatts": 25.0,
    },
    commands={
        "turnOn": _two_channel_switch(True),
        "turnOff": _two_channel_switch(False),
        "toggle": _two_channel_switch(None),
        "setMode": _two_channel_mode,
        "setPosition": _two_channel_position,
    },
    # Fields of the README's JSON sample (its table lists single-channel names instead).
    webhook=WebhookSpec(
        "Relay Switch 2PM",
        {
            "online": online,
            "overTemperature": const(False),
            "switch1Status": copy("switch1Status"),
            "switch2Status": copy("switch2Status"),
            "switch1Overload": const(False),
            "switch2Overload": const(False),
            "calibrate": copy("calibrate"),
            "position": copy("position"),
            "isStuck": lambda source: str(source.status.get("isStuck")).lower() == "true",
        },
    ),
    status_hub_is_self=True,
)

# --- Garage door --------------------------------------------------------------------------

GARAGE_DOOR_OPENER = TypeSpec(
    "Garage Door Opener",
    # README: doorStatus "0 on, 1 off"; read as 0 = open (turned on), 1 = closed.
    status={"doorStatus": 1, "online": True, "version": "V1.0"},
    commands=power_commands("doorStatus", on=0, off=1),
    webhook=WebhookSpec("Garage Door Opener", {"doorStatus": copy("doorStatus")}),
)

TYPES = [
    BOT,
    PLUG,
    _plug_mini("Plug Mini (US)", "WoPlugUS"),
    _plug_mini("Plug Mini (JP)", "WoPlugJP"),
    PLUG_MINI_EU,
    RELAY_SWITCH_1PM,
    RELAY_SWITCH_1,
    RELAY_SWITCH_2PM,
    GARAGE_DOOR_OPENER,
]
