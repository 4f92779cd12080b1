"""Virtual infrared remotes (§6): command tables per `remoteType`.

Infrared is one-way, so the real cloud has no status for these remotes. The simulator still
keeps the state implied by the commands it forwarded (the last `setAll`, the channel...) so
tests can look at it through the admin API.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import params
from .families.common import no_change, power_commands, sets
from .spec import CommandHandler, CommandRequest, Effect

AIR_CONDITIONER_TEMPERATURE = (16, 30)
"""`setAll` temperatures the simulator accepts (the README gives no range)."""


@dataclass(frozen=True, slots=True)
class InfraredFamily:
    """The commands and tracked state of one kind of remote."""

    name: str
    state: Mapping[str, Any] = field(default_factory=dict)
    commands: Mapping[str, CommandHandler] = field(default_factory=dict)


def _set_all(request: CommandRequest) -> Effect:
    """Air conditioner `setAll` "temperature,mode,fan,power", e.g. "26,1,3,on"."""
    temperature, mode, fan, power = params.fields(request.parameter, ",", 4)
    return Effect(
        status={
            "temperature": params.integer(
                temperature, *AIR_CONDITIONER_TEMPERATURE, name="temperature"
            ),
            # 0 and 1 both mean auto; 2 cool, 3 dry, 4 fan, 5 heat.
            "mode": params.integer(mode, 0, 5, name="mode"),
            # 1 auto, 2 low, 3 medium, 4 high.
            "fanSpeed": params.integer(fan, 1, 4, name="fan speed"),
            "power": params.choice(power, ("on", "off"), name="power"),
        }
    )


def _set_channel(request: CommandRequest) -> Effect:
    return Effect(status={"channel": params.integer(request.parameter, 1, 9999)})


def _step_channel(step: int) -> CommandHandler:
    def handle(request: CommandRequest) -> Effect:
        return Effect(status={"channel": max(1, int(request.status.get("channel", 1)) + step)})

    return handle


def _toggle_mute(request: CommandRequest) -> Effect:
    return Effect(status={"muted": not request.status.get("muted", False)})


_POWER = power_commands()
_VOLUME = {"volumeAdd": no_change, "volumeSub": no_change}
_TELEVISION = InfraredFamily(
    "TV",
    state={"power": "off", "channel": 1},
    commands=_POWER
    | _VOLUME
    | {
        "SetChannel": _set_channel,
        "channelAdd": _step_channel(1),
        "channelSub": _step_channel(-1),
    },
)
_PLAYER_COMMANDS = {
    "setMute": _toggle_mute,
    "FastForward": no_change,
    "Rewind": no_change,
    "Next": no_change,
    "Previous": no_change,
    "Pause": sets(playback="paused"),
    "Play": sets(playback="playing"),
    "Stop": sets(playback="stopped"),
}
_PLAYER_STATE = {"power": "off", "playback": "stopped", "muted": False}


def _power_only(name: str) -> InfraredFamily:
    return InfraredFamily(name, state={"power": "off"}, commands=_POWER)


_FAMILIES = [
    InfraredFamily(
        "Air Conditioner",
        state={"power": "off", "temperature": 26, "mode": 1, "fanSpeed": 1},
        commands=_POWER | {"setAll": _set_all},
    ),
    _TELEVISION,
    InfraredFamily("Set Top Box", state=_TELEVISION.state, commands=_TELEVISION.commands),
    InfraredFamily("IPTV", state=_TELEVISION.state, commands=_TELEVISION.commands),
    InfraredFamily("DVD", state=_PLAYER_STATE, commands=_POWER | _PLAYER_COMMANDS),
    InfraredFamily("Speaker", state=_PLAYER_STATE, commands=_POWER | _PLAYER_COMMANDS | _VOLUME),
    InfraredFamily(
        "Fan",
        state={"power": "off", "speed": "low", "swing": False},
        commands=_POWER
        | {
            "swing": lambda request: Effect(status={"swing": not request.status.get("swing")}),
            "timer": no_change,
            "lowSpeed": sets(speed="low"),
            "middleSpeed": sets(speed="middle"),
            "highSpeed": sets(speed="high"),
        },
    ),
    InfraredFamily(
        "Light",
        state={"power": "off"},
        commands=_POWER | {"brightnessUp": no_change, "brightnessDown": no_change},
    ),
    _power_only("Projector"),
    _power_only("Camera"),
    _power_only("Air Purifier"),
    _power_only("Water Heater"),
    _power_only("Vacuum Cleaner"),
    # "Others" has only user-learned buttons, sent with commandType "customize".
    InfraredFamily("Others"),
]

_ALIASES = {
    "IPTV/Streamer": "IPTV",
    "Streamer": "IPTV",
    "DVD Player": "DVD",
    "Robot Vacuum Cleaner": "Vacuum Cleaner",
}

INFRARED_FAMILIES: dict[str, InfraredFamily] = {family.name: family for family in _FAMILIES}


def infrared_family(remote_type: str) -> InfraredFamily | None:
    """The family of a `remoteType`, also for learned "DIY ..." variants and README spellings."""
    base = remote_type.removeprefix("DIY ")
    return INFRARED_FAMILIES.get(_ALIASES.get(base, base))


def supported_remote_types() -> list[str]:
    """Every `remoteType` spelling the simulator understands (without the "DIY " variants)."""
    return sorted([*INFRARED_FAMILIES, *_ALIASES])
