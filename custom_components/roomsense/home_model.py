"""The home as the agent and the parsers read it: devices, areas, scenes; actions and results.

`snapshot.build_snapshot` makes a `HomeSnapshot` from Home Assistant's registries and the
coordinator; the fallback parser, the workflow parser, the proposals and the agent read only
these plain data classes, so they run (and are tested) without Home Assistant and without
any I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

# Re-exported: the parser and its callers have always imported the kinds from here.
from .catalog import DeviceKind as DeviceKind

type Language = Literal["ja", "en"]
type CommandParameter = str | dict[str, Any]


@dataclass(frozen=True, slots=True)
class HomeDevice:
    """One SwitchBot device or infrared remote, as the parsers and the agent see it."""

    device_id: str
    name: str
    kind: DeviceKind
    device_type: str = ""
    aliases: tuple[str, ...] = ()
    area: str | None = None
    is_infrared: bool = False
    # Current status in SwitchBot status-field names ("power", "brightness", ...).
    state: Mapping[str, Any] = field(default_factory=dict)
    # Learned buttons of an infrared remote, sent with commandType "customize".
    custom_buttons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SceneInfo:
    """One SwitchBot manual scene."""

    scene_id: str
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AreaInfo:
    """One Home Assistant area; `HomeDevice.area` holds its `name`."""

    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class HomeSnapshot:
    """Everything the parser may know about the home at the moment of the utterance."""

    devices: tuple[HomeDevice, ...] | list[HomeDevice] = ()
    scenes: tuple[SceneInfo, ...] | list[SceneInfo] = ()
    areas: tuple[AreaInfo, ...] | list[AreaInfo] = ()


@dataclass(frozen=True, slots=True)
class Action:
    """One SwitchBot Open API v1.1 command to send; nothing here has been executed."""

    device_id: str
    command: str
    parameter: CommandParameter = "default"
    command_type: Literal["command", "customize"] = "command"
    # Unlocking, deadbolt and garage opening need the user's confirmation first.
    dangerous: bool = False


@dataclass(frozen=True, slots=True)
class ParseResult:
    """What the parser understood and what should happen (nothing has happened yet)."""

    language: Language
    understood: bool
    reply: str
    actions: tuple[Action, ...] = ()
    scene_id: str | None = None
    answer: str | None = None
    # A short machine-readable label ("turn_off", "scene", "question", "ambiguous", ...).
    intent: str | None = None
    # When it asks which device: the device ids it asks between (the next turn may answer).
    choices: tuple[str, ...] = ()

    @property
    def needs_confirmation(self) -> bool:
        """Whether any action must be confirmed by the user before it is sent."""
        return any(action.dangerous for action in self.actions)
