"""Command handler factories shared by several device families."""

from __future__ import annotations

from typing import Any

from .. import params
from ..spec import CommandHandler, CommandRequest, Effect


def sets(**status: Any) -> CommandHandler:
    """A command that always moves the device to the same status (e.g. `turnOff`)."""

    def handle(_request: CommandRequest) -> Effect:
        return Effect(status=dict(status))

    return handle


def toggles(key: str, on: Any, off: Any) -> CommandHandler:
    """A `toggle` command flipping `key` between `on` and `off`."""

    def handle(request: CommandRequest) -> Effect:
        return Effect(status={key: off if request.status.get(key) == on else on})

    return handle


def power_commands(
    key: str = "power", on: Any = "on", off: Any = "off", *, toggle: bool = False
) -> dict[str, CommandHandler]:
    """`turnOn`/`turnOff` (and optionally `toggle`) acting on one status field."""
    commands = {"turnOn": sets(**{key: on}), "turnOff": sets(**{key: off})}
    if toggle:
        commands["toggle"] = toggles(key, on, off)
    return commands


def ranged(key: str, minimum: int, maximum: int, *, internal: bool = False) -> CommandHandler:
    """A command whose parameter is an integer stored as-is (e.g. `setWindSpeed`)."""

    def handle(request: CommandRequest) -> Effect:
        value = params.integer(request.parameter, minimum, maximum)
        return Effect(internal={key: value}) if internal else Effect(status={key: value})

    return handle


def one_of(key: str, options: tuple[str, ...], *, internal: bool = False) -> CommandHandler:
    """A command whose parameter is one of a few words (e.g. `setWindMode`)."""

    def handle(request: CommandRequest) -> Effect:
        value = params.choice(request.parameter, options)
        return Effect(internal={key: value}) if internal else Effect(status={key: value})

    return handle


def no_change(_request: CommandRequest) -> Effect:
    """A command that the device performs without any lasting state change (e.g. `press`)."""
    return Effect()
