"""Running device commands, scenes and physical events against a `Home`.

Checks run in this order, each answered with the statusCode of reference §2/§9.3:

1. unknown device id -> 152
2. a `commandType` other than "command"/"customize" -> 190
3. a physical type that accepts no commands at all (sensors, hubs, ...) -> 151
4. a command (or custom button) the device does not have -> 160
5. a parameter the command cannot accept -> 190
6. the hub that bridges the device is offline -> 171
7. the device itself is offline -> 161

The parameter is validated before connectivity because the cloud can refuse a malformed
request without reaching the device.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import params
from .model import Device, Home, InfraredRemote, Scene
from .spec import MISSING, CommandRequest, Effect, JsonObject

_LOGGER = logging.getLogger(__name__)

COMMAND_TYPES = ("command", "customize")


class ApiError(Exception):
    """An application-level failure, answered with HTTP 200 and this statusCode."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message


@dataclass(slots=True)
class Outcome:
    """What a command or event produced: the reply body and the webhook contexts to push."""

    body: JsonObject = field(default_factory=dict)
    contexts: list[JsonObject] = field(default_factory=list)


def change_report_context(
    device: Device, now_ms: int, extra: JsonObject | None = None
) -> JsonObject | None:
    """The §7 `context` describing `device` now, or None for types without webhooks."""
    webhook = device.spec.webhook
    if webhook is None:
        return None
    context: JsonObject = {
        "deviceType": device.webhook_device_type or webhook.device_type,
        "deviceMac": device.device_id,
    }
    source = device.webhook_source()
    for name, extract in webhook.fields.items():
        value = extract(source)
        if value is not MISSING:
            context[name] = value
    context |= extra or {}
    context["timeOfSample"] = now_ms
    return context


def _event_context(device: Device, now_ms: int, event: JsonObject) -> JsonObject | None:
    """A standalone event such as a keypad's `createKey` result."""
    webhook = device.spec.webhook
    if webhook is None:
        return None
    return {
        "deviceType": device.webhook_device_type or webhook.device_type,
        "deviceMac": device.device_id,
        **event,
        "timeOfSample": now_ms,
    }


class CommandEngine:
    """Executes API commands, scenes and injected physical events."""

    def __init__(self, home: Callable[[], Home], now_ms: Callable[[], int]) -> None:
        self._home = home
        self._now_ms = now_ms
        self._sequence = itertools.count(1)

    def next_command_id(self) -> str:
        """A `commandId` shaped like the README sample "CMD166444044923602"."""
        return f"CMD{self._now_ms()}{next(self._sequence) % 100:02d}"

    def run_command(
        self, device_id: str, command: str, parameter: Any, command_type: str
    ) -> Outcome:
        """`POST /devices/{id}/commands`; raises `ApiError` for every failure."""
        home = self._home()
        target = home.find(device_id)
        if target is None:
            raise ApiError(152, "device not found")
        if command_type not in COMMAND_TYPES:
            raise ApiError(190, f"commandType must be one of {list(COMMAND_TYPES)}")
        if isinstance(target, InfraredRemote):
            return self._run_infrared(home, target, command, parameter, command_type)
        return self._run_physical(home, target, command, parameter, command_type)

    def run_scene(self, scene: Scene) -> Outcome:
        """Run every action of a scene; an action that fails is logged and skipped.

        The cloud answers a scene execution before its devices act, so per-action failures
        never reach the caller.
        """
        outcome = Outcome()
        for action in scene.actions:
            try:
                result = self.run_command(
                    action.device_id, action.command, action.parameter, action.command_type
                )
            except ApiError as error:
                _LOGGER.warning(
                    "Scene %s: %s %s failed with %s (%s)",
                    scene.name,
                    action.device_id,
                    action.command,
                    error.status_code,
                    error.message,
                )
                continue
            outcome.contexts.extend(result.contexts)
        return outcome

    def physical_event(
        self, device: Device, status: JsonObject, webhook_extra: JsonObject
    ) -> Outcome:
        """Something happened to the device itself (a door opened, the temperature moved).

        The change always lands in the simulator's state; the webhook is only pushed when
        the device can reach the cloud (it and its hub are online).
        """
        device.apply(Effect(status=status))
        outcome = Outcome()
        reachable = device.online and self._home().parent_hub_online(device) is not False
        context = change_report_context(device, self._now_ms(), webhook_extra)
        if reachable and context is not None:
            outcome.contexts.append(context)
        return outcome

    def _run_physical(
        self, home: Home, device: Device, command: str, parameter: Any, command_type: str
    ) -> Outcome:
        if not device.spec.commands:
            raise ApiError(151, "device type error")
        handler = device.spec.commands.get(command) if command_type == "command" else None
        if handler is None:
            raise ApiError(160, f"not this command:{command}")
        request = CommandRequest(
            device_id=device.device_id,
            status=device.status,
            internal=device.internal,
            listing=device.listing,
            parameter=parameter,
            command_id=self.next_command_id(),
            now_ms=self._now_ms(),
        )
        try:
            effect = handler(request)
        except params.InvalidParameterError as error:
            raise ApiError(190, f"invalid parameter: {error}") from None
        self._check_reachable(home.parent_hub_online(device), device.online)

        changed = device.apply(effect)
        outcome = Outcome(body=dict(effect.body))
        now = self._now_ms()
        if changed:
            context = change_report_context(device, now)
            if context is not None:
                outcome.contexts.append(context)
        for event in effect.events:
            context = _event_context(device, now, event)
            if context is not None:
                outcome.contexts.append(context)
        return outcome

    def _run_infrared(
        self,
        home: Home,
        remote: InfraredRemote,
        command: str,
        parameter: Any,
        command_type: str,
    ) -> Outcome:
        if command_type == "customize":
            # Learned buttons only work as "customize" and only if the remote has them.
            if command not in remote.custom_buttons:
                raise ApiError(160, f"not this command:{command}")
            effect = Effect()
        else:
            handler = remote.family.commands.get(command)
            if handler is None:
                raise ApiError(160, f"not this command:{command}")
            request = CommandRequest(
                device_id=remote.device_id,
                status=remote.state,
                internal={},
                listing={},
                parameter=parameter,
                command_id=self.next_command_id(),
                now_ms=self._now_ms(),
            )
            try:
                effect = handler(request)
            except params.InvalidParameterError as error:
                raise ApiError(190, f"invalid parameter: {error}") from None
        self._check_reachable(home.hub_online(remote.hub_device_id), True)
        remote.state |= effect.status
        remote.record(command, parameter, command_type, self._now_ms())
        # Infrared remotes never send webhooks (§7).
        return Outcome()

    @staticmethod
    def _check_reachable(hub_online: bool | None, device_online: bool) -> None:
        if hub_online is False:
            raise ApiError(171, "hub device is offline")
        if not device_online:
            raise ApiError(161, "device offline")
