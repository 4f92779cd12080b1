"""What the rest of the integration asks the catalog: a type's spec, kind, family, commands.

A physical type may be asked for by any of its spellings (`ALIASES`), a remote type with or
without "DIY ".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from .devices import ALIASES as _ALIASES
from .devices import DEVICES as _DEVICES
from .infrared import REMOTES as _REMOTES
from .types import COMMAND, DIY_PREFIX, CommandSpec, DeviceKind, DeviceSpec, Family, Feature


def base_remote_type(remote_type: str) -> str:
    """A `remoteType` without the "DIY " of learned remotes."""
    return remote_type.removeprefix(DIY_PREFIX)


def canonical_type(device_type: str) -> str:
    """The catalog's spelling of a physical `deviceType`: an alias gives the type it names."""
    return _ALIASES.get(device_type, device_type)


def device_spec(type_string: str, *, infrared: bool) -> DeviceSpec | None:
    """The spec of a `deviceType` (or alias), or of a `remoteType` (with or without "DIY ")."""
    if infrared:
        return _REMOTES.get(base_remote_type(type_string))
    return _DEVICES.get(canonical_type(type_string))


def known_types(*, infrared: bool) -> frozenset[str]:
    """Every `deviceType` the catalog holds, aliases included, or every base `remoteType`."""
    return frozenset(_REMOTES) if infrared else frozenset({*_DEVICES, *_ALIASES})


def kind_of(type_string: str, *, infrared: bool = False) -> DeviceKind:
    """The kind of a type; OTHER for types the catalog does not know."""
    spec = device_spec(type_string, infrared=infrared)
    return DeviceKind.OTHER if spec is None else spec.kind


def family_of(type_string: str, *, infrared: bool = False) -> Family | None:
    """The family of a type; None for types the catalog does not know."""
    spec = device_spec(type_string, infrared=infrared)
    return None if spec is None else spec.family


def has_feature(device_type: str, feature: Feature) -> bool:
    """Whether a physical device type reports this."""
    spec = device_spec(device_type, infrared=False)
    return spec is not None and feature in spec.features


def pushes(device_type: str) -> bool:
    """Whether the cloud sends webhooks for a device type; unknown types are assumed to."""
    spec = device_spec(device_type, infrared=False)
    return True if spec is None else spec.pushes


def command_spec(type_string: str, command: str, *, infrared: bool = False) -> CommandSpec | None:
    """One command of a type's table; None when the type or the command is unknown."""
    spec = device_spec(type_string, infrared=infrared)
    return None if spec is None else spec.commands.get(command)


def supports(type_string: str, command: str, *, infrared: bool = False) -> bool:
    """Whether a type's command table has this command."""
    return command_spec(type_string, command, infrared=infrared) is not None


def is_dangerous_command(type_string: str, command: str, *, infrared: bool = False) -> bool:
    """Whether a command lets someone in and so needs the user's yes first."""
    spec = device_spec(type_string, infrared=infrared)
    return spec is not None and command in spec.unlocking_commands


def is_unlocking_command(type_string: str, command: str, *, infrared: bool = False) -> bool:
    """Whether night safe mode refuses a command: every dangerous command opens the home."""
    return is_dangerous_command(type_string, command, infrared=infrared)


def is_idempotent(
    type_string: str,
    command: str,
    *,
    infrared: bool = False,
    command_type: str = COMMAND,
) -> bool:
    """Whether sending a command twice leaves the home as sending it once.

    Learned buttons ("customize") and unknown types or commands are never taken to be.
    """
    if command_type != COMMAND:
        return False
    spec = command_spec(type_string, command, infrared=infrared)
    return spec is not None and spec.idempotent


def types_with(
    *families: Family,
    features: Iterable[Feature] = (),
    without: Iterable[Feature] = (),
    commands: Iterable[str] = (),
    lacking: Iterable[str] = (),
    platform: str | None = None,
    infrared: bool | None = None,
) -> frozenset[str]:
    """The type strings of any of `families` (of all when none is given) that match.

    They have every feature in `features` and none in `without`, every command in
    `commands` and none in `lacking`, show on `platform` when one is given, and are
    physical or infrared as `infrared` says (either when None). The aliases of a matching
    physical type come with it. Remote types come without "DIY ": compare them with
    `base_remote_type`.
    """
    wanted_families = frozenset(families)
    needed, excluded = frozenset(features), frozenset(without)
    present, absent = frozenset(commands), frozenset(lacking)

    def matching(specs: Iterable[DeviceSpec]) -> set[str]:
        return {
            spec.type_string
            for spec in specs
            if (infrared is None or spec.infrared is infrared)
            and (not wanted_families or spec.family in wanted_families)
            and needed <= spec.features
            and not excluded & spec.features
            and present <= spec.commands.keys()
            and not absent & spec.commands.keys()
            and (platform is None or platform in spec.platforms)
        }

    physical = matching(_DEVICES.values())
    aliases = {alias for alias, type_string in _ALIASES.items() if type_string in physical}
    return frozenset({*physical, *aliases, *matching(_REMOTES.values())})


def register_local_commands(device_type: str, commands: Iterable[str]) -> None:
    """Declare the commands a local transport (Bluetooth) can send to a physical type.

    Only commands of the type's cloud table qualify, so every command that can be sent has
    its idempotency and danger on record here. Registering again replaces the set, for the
    type and its aliases alike.
    """
    spec = device_spec(device_type, infrared=False)
    if spec is None:
        raise ValueError(f"unknown device type {device_type!r}")
    local = frozenset(commands)
    if unknown := local - spec.commands.keys():
        raise ValueError(f"{device_type!r} has no command {', '.join(sorted(unknown))}")
    _DEVICES[spec.type_string] = replace(spec, local_commands=local)
