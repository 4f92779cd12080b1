"""The virtual infrared remotes (`remoteType`, reference §6): their command tables and specs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from .commands import command, step
from .specs import index, specs
from .types import CommandSpec, DeviceKind, DeviceSpec, Family, IntRange, Pattern

# Infrared codes cannot tell on from off: the power buttons of most appliances send one
# toggling code, so only an air conditioner's full-state `setAll` and explicit values repeat.
_IR_POWER: Final = (step("turnOn"), step("turnOff"))
_IR_AIR_CONDITIONER: Final = (
    *_IR_POWER,
    # "temperature,mode,fan,power", e.g. "26,1,3,on" (§6.3).
    command("setAll", Pattern(r"\d{1,2},[0-5],[1-4],(on|off)", "26,1,3,on")),
)
_IR_VOLUME: Final = (step("volumeAdd"), step("volumeSub"))
_IR_TV: Final = (
    *_IR_POWER,
    *_IR_VOLUME,
    command("SetChannel", IntRange(1, 9999)),
    step("channelAdd"),
    step("channelSub"),
)
_IR_PLAYER: Final = (
    *_IR_POWER,
    step("setMute"),
    step("FastForward"),
    step("Rewind"),
    step("Next"),
    step("Previous"),
    # Pause resumes on many players; Play and Stop are states of their own.
    step("Pause"),
    command("Play"),
    command("Stop"),
)
_IR_FAN: Final = (
    *_IR_POWER,
    step("swing"),
    step("timer"),
    command("lowSpeed"),
    command("middleSpeed"),
    command("highSpeed"),
)
_IR_LIGHT: Final = (*_IR_POWER, step("brightnessUp"), step("brightnessDown"))


def _remotes(
    type_strings: Iterable[str],
    kind: DeviceKind,
    family: Family,
    commands: Iterable[CommandSpec],
    platform: str = "remote",
) -> tuple[DeviceSpec, ...]:
    """The specs of remote types alike in all but their names, in their order."""
    return specs(type_strings, kind, family, commands, platforms=(platform,), infrared=True)


INFRARED: Final = (
    # Remote types without "DIY " (§6). The cloud's spellings vary, so each is listed.
    *_remotes(
        ("Air Conditioner",),
        DeviceKind.AIR_CONDITIONER,
        Family.AIR_CONDITIONER_REMOTE,
        _IR_AIR_CONDITIONER,
        "climate",
    ),
    *_remotes(("TV", "IPTV", "Streamer"), DeviceKind.TV, Family.TV_REMOTE, _IR_TV),
    # The reference's command-table spelling; it has never counted as a TV for permissions.
    *_remotes(("IPTV/Streamer",), DeviceKind.OTHER, Family.TV_REMOTE, _IR_TV),
    *_remotes(("Set Top Box",), DeviceKind.TV, Family.TV_REMOTE, _IR_TV),
    *_remotes(("DVD", "DVD Player"), DeviceKind.OTHER, Family.PLAYER_REMOTE, _IR_PLAYER),
    *_remotes(("Speaker",), DeviceKind.OTHER, Family.SPEAKER_REMOTE, (*_IR_PLAYER, *_IR_VOLUME)),
    *_remotes(("Fan",), DeviceKind.FAN, Family.FAN_REMOTE, _IR_FAN, "fan"),
    *_remotes(("Light",), DeviceKind.LIGHT, Family.LIGHT_REMOTE, _IR_LIGHT),
    *_remotes(
        ("Projector", "Camera", "Water Heater", "Vacuum Cleaner", "Robot Vacuum Cleaner"),
        DeviceKind.OTHER,
        Family.APPLIANCE_REMOTE,
        _IR_POWER,
    ),
    *_remotes(("Air Purifier",), DeviceKind.HUMIDIFIER, Family.APPLIANCE_REMOTE, _IR_POWER),
    # Only learned buttons, sent with commandType "customize"; not even turnOn/turnOff.
    *_remotes(("Others",), DeviceKind.OTHER, Family.CUSTOM_REMOTE, ()),
)

REMOTES: Final = index(INFRARED)
"""The remote specs by base `remoteType`."""
