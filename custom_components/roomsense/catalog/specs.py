"""How the tables make a spec: of one type, of several alike, and the index by type string."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from types import MappingProxyType
from typing import TypedDict, Unpack

from .types import CommandSpec, DeviceKind, DeviceSpec, Family, Feature


class Options(TypedDict, total=False):
    """What a type may set beyond its kind, family and commands (see `spec`)."""

    platforms: Iterable[str]
    pushes: bool
    features: Iterable[Feature]
    unlocking: Iterable[str]
    infrared: bool


def spec(
    type_string: str,
    kind: DeviceKind,
    family: Family,
    commands: Iterable[CommandSpec] = (),
    *,
    platforms: Iterable[str] = (),
    pushes: bool = True,
    features: Iterable[Feature] = (),
    unlocking: Iterable[str] = (),
    infrared: bool = False,
) -> DeviceSpec:
    """One type's spec; the commands in `unlocking` are marked dangerous."""
    unlocking_commands = frozenset(unlocking)
    table = {
        command.name: replace(command, dangerous=command.name in unlocking_commands)
        for command in commands
    }
    return DeviceSpec(
        type_string=type_string,
        infrared=infrared,
        kind=kind,
        family=family,
        platforms=frozenset(platforms),
        pushes=pushes and not infrared,
        commands=MappingProxyType(table),
        features=frozenset(features),
        unlocking_commands=unlocking_commands,
    )


def specs(
    type_strings: Iterable[str],
    kind: DeviceKind,
    family: Family,
    commands: Iterable[CommandSpec] = (),
    **options: Unpack[Options],
) -> tuple[DeviceSpec, ...]:
    """The specs of types that differ in nothing but their names, in their order."""
    commands = tuple(commands)
    return tuple(
        spec(type_string, kind, family, commands, **options) for type_string in type_strings
    )


def index(table: Iterable[DeviceSpec]) -> dict[str, DeviceSpec]:
    """The specs by type string; a type listed twice is a mistake in the tables."""
    found: dict[str, DeviceSpec] = {}
    for device in table:
        if device.type_string in found:
            raise RuntimeError(f"{device.type_string!r} is in the catalog twice")
        found[device.type_string] = device
    return found
