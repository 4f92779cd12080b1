"""The command gateway: the one path from any caller to a SwitchBot device.

Entity actions, the agent's tools, the `roomsense.*` services, automation actions, learned
scenes and the edge agent all send through `CommandGateway.async_send`, which applies, in
this order:

1. permission: the Home Assistant user of the call may reach the device (kind and area);
2. night safe mode: unlocking is refused during the night hours, on every path (an admin
   may pass when the `night_mode_admin_override` option is on; automations never do);
3. confirmation: a dangerous command runs only when confirmed. A tap in the UI is the
   confirmation; the agent asks and waits for a yes; automations, scenes and the edge
   agent can never confirm, so they never unlock;
4. the audit record of what happened (`roomsense_audit`, with its `source`);
5. the transport (the SwitchBot cloud today; Bluetooth later declares its own commands);
6. the queue: while the cloud is known to be away, a command waits at once, with no
   network attempt (a dangerous one is refused); an idempotent command that failed for a
   transport reason waits too, and a non-idempotent one only if it never left. A device
   with commands waiting gets the next one behind them. The queue delivers each once;
7. the assumed state of infrared appliances and the optimistic state of devices.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final, cast

from homeassistant.components import persistent_notification
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.dispatcher import async_dispatcher_send

from . import catalog
from .assumed import AssumedStates, command_effect, status_effect
from .cloud_reach import CloudReach
from .commands import CommandQueue, QueuedCommand
from .const import DOMAIN, LOGGER
from .coordinator import RoomSenseCoordinator
from .safety import (
    OPT_DANGEROUS_COMMANDS,
    OPT_NIGHT_MODE_ADMIN_OVERRIDE,
    AuditLog,
    night_mode_active,
    user_listed_dangerous,
    user_permissions,
)
from .switchbot_cloud import (
    Device,
    InfraredRemote,
    SwitchBotCommandError,
    SwitchBotConnectionError,
    SwitchBotError,
    SwitchBotOfflineError,
)
from .transport import CloudTransport, OutgoingCommand, Transport

# Sent after every command that went out or was queued:
# (user_id, device_id, command, parameter, source).
SIGNAL_COMMAND_SENT: Final = f"{DOMAIN}_command_sent"

OUTCOME_SENT: Final = "sent"
OUTCOME_QUEUED: Final = "queued"
OUTCOME_FAILED: Final = "failed"
OUTCOME_UNKNOWN: Final = "outcome_unknown"
OUTCOME_DENIED: Final = "denied_permission"
OUTCOME_NIGHT: Final = "refused_night_mode"
OUTCOME_UNCONFIRMED: Final = "confirmation_required"

# What a queued command's answer says, for people and models alike: it has not run yet.
QUEUED_MESSAGE: Final = "Queued until the SwitchBot cloud is back; not done yet."
CLOUD_AWAY: Final = "the SwitchBot cloud is not reachable now"


class Source(StrEnum):
    """Who asked for a command: the `source` of its audit record."""

    AGENT = "agent"
    SERVICE = "service"
    ENTITY = "entity"
    AUTOMATION = "automation"
    SCENE = "scene"
    EDGE = "edge"


# Callers that act on their own: they can never confirm a dangerous command.
_UNATTENDED: Final = frozenset({Source.AUTOMATION, Source.SCENE, Source.EDGE})


@dataclass(frozen=True, slots=True)
class CommandOutcome:
    """What became of one command: sent to the device, or queued for the cloud's return."""

    request_id: str
    device_id: str
    device_name: str
    command: str
    parameter: str | dict[str, Any]
    command_type: str
    outcome: str
    # The way it went: "bluetooth" or "cloud" (a queued command waits for the cloud).
    path: str = "cloud"

    def as_dict(self) -> dict[str, Any]:
        """The answer of a service or a tool."""
        answer = {
            "request_id": self.request_id,
            "device_id": self.device_id,
            "command": self.command,
            "parameter": self.parameter,
            "outcome": self.outcome,
            "path": self.path,
        }
        if self.outcome == OUTCOME_QUEUED:
            answer["message"] = QUEUED_MESSAGE
        return answer


def _parameter(parameter: str | int | dict[str, Any]) -> str | dict[str, Any]:
    return parameter if isinstance(parameter, dict) else str(parameter)


class CommandGateway:
    """The commands of one config entry, from whatever asked to the device."""

    def __init__(
        self,
        hass: HomeAssistant,
        *,
        options: Mapping[str, Any],
        coordinator: RoomSenseCoordinator,
        queue: CommandQueue | None,
        assumed: AssumedStates,
        audit: AuditLog,
        transports: list[Transport],
        reach: CloudReach | None = None,
    ) -> None:
        """Send through the first transport that handles a command; queue for the cloud."""
        self.hass = hass
        self.options = options
        self.coordinator = coordinator
        self.queue = queue
        self.reach = reach
        self.assumed = assumed
        self.audit = audit
        self.transports = transports
        # The path of each device's last command that went out: "bluetooth" or "cloud".
        self.last_path: dict[str, str] = {}

    # --- the checks ---------------------------------------------------------------------

    def area_of(self, device: Device | InfraredRemote) -> str | None:
        """The Home Assistant area of a device, which permissions may limit."""
        entry_id = self.coordinator.config_entry.entry_id if self.coordinator.config_entry else ""
        registered = dr.async_get(self.hass).async_get_device_by_identifier(
            (DOMAIN, device.device_id), entry_id
        )
        return registered.area_id if registered else None

    def may_reach(self, user_id: str | None, device: Device | InfraredRemote) -> bool:
        """Whether the user's permissions cover this device."""
        kind = catalog.kind_of(device.type_string, infrared=isinstance(device, InfraredRemote))
        return user_permissions(self.options, user_id).allows(kind, self.area_of(device))

    def is_dangerous(self, device: Device | InfraredRemote, command: str) -> bool:
        """Whether the command needs a confirmation: by the catalog or the user's list."""
        infrared = isinstance(device, InfraredRemote)
        return catalog.is_dangerous_command(
            device.type_string, command, infrared=infrared
        ) or user_listed_dangerous(
            device.device_id,
            device.type_string,
            command,
            self.options.get(OPT_DANGEROUS_COMMANDS) or (),
        )

    async def _night_override(self, user_id: str | None, source: Source) -> bool:
        """An admin may unlock at night when the option allows; automations never."""
        if not self.options.get(OPT_NIGHT_MODE_ADMIN_OVERRIDE) or user_id is None:
            return False
        if source in _UNATTENDED:
            return False
        user = await self.hass.auth.async_get_user(user_id)
        return user is not None and user.is_admin

    # --- sending ------------------------------------------------------------------------

    async def async_send(
        self,
        device: Device | InfraredRemote,
        command: str,
        parameter: str | int | dict[str, Any] = "default",
        *,
        command_type: str = "command",
        source: Source,
        user_id: str | None,
        confirmed: bool = False,
        optimistic: Mapping[str, Any] | None = None,
    ) -> CommandOutcome:
        """Check, log, send (or queue) one command, and update what is assumed of it."""
        request_id = uuid.uuid4().hex
        parameter = _parameter(parameter)
        infrared = isinstance(device, InfraredRemote)
        audit = self._auditor(request_id, user_id, device.device_id, command, source)

        dangerous = await self._async_check(
            device, command, source, user_id, confirmed=confirmed, request_id=request_id
        )
        # 4-6. Transport, or the queue; the audit record says which.
        idempotent = catalog.is_idempotent(
            device.type_string, command, infrared=infrared, command_type=command_type
        )
        try:
            outcome, path = await self._async_transport(
                OutgoingCommand(device, command, parameter, command_type, idempotent),
                # Opening the home later, when nobody is there to see it, is never wanted.
                may_wait=not dangerous,
            )
        except SwitchBotError as err:
            audit(OUTCOME_UNKNOWN if _may_have_run(err) else OUTCOME_FAILED)
            raise _user_error(err, device, command, idempotent=idempotent) from err
        audit(outcome, path)
        self.last_path[device.device_id] = path
        # Before the state changes, so listeners know which state change this command made.
        async_dispatcher_send(
            self.hass, SIGNAL_COMMAND_SENT, user_id, device.device_id, command, parameter, source
        )
        # 7. What the device is now believed to be.
        self._assume(device, command, parameter, command_type, optimistic)
        if outcome == OUTCOME_SENT:
            self.coordinator.async_schedule_confirm(device.device_id)
        return CommandOutcome(
            request_id,
            device.device_id,
            device.name,
            command,
            parameter,
            command_type,
            outcome,
            path,
        )

    async def _async_check(
        self,
        device: Device | InfraredRemote,
        command: str,
        source: Source,
        user_id: str | None,
        *,
        confirmed: bool,
        request_id: str,
    ) -> bool:
        """Steps 1-3: refuse (audited, with the reason) what may not be sent now.

        Returns whether the command is dangerous (it then never waits in the queue).
        """
        audit = self._auditor(request_id, user_id, device.device_id, command, source)
        # 1. Permission.
        if not self.may_reach(user_id, device):
            audit(OUTCOME_DENIED)
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="permission_denied",
                translation_placeholders={"device": device.name},
            )
        # 2. Night safe mode.
        infrared = isinstance(device, InfraredRemote)
        if (
            catalog.is_unlocking_command(device.type_string, command, infrared=infrared)
            and night_mode_active(self.options)
            and not await self._night_override(user_id, source)
        ):
            audit(OUTCOME_NIGHT)
            persistent_notification.async_create(
                self.hass,
                f"{device.name}: {command} was refused during night safe mode.",
                title="RoomSense",
                notification_id=f"{DOMAIN}_night_mode_{request_id}",
            )
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="night_mode",
                translation_placeholders={"device": device.name, "command": command},
            )
        # 3. Confirmation.
        dangerous = self.is_dangerous(device, command)
        confirmed = source is Source.ENTITY or (confirmed and source not in _UNATTENDED)
        if dangerous and not confirmed:
            audit(OUTCOME_UNCONFIRMED)
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="unattended_dangerous"
                if source in _UNATTENDED
                else "confirmation_required",
                translation_placeholders={"device": device.name, "command": command},
            )
        return dangerous

    async def _async_transport(
        self, outgoing: OutgoingCommand, *, may_wait: bool
    ) -> tuple[str, str]:
        """Send through the first transport that takes it; queue what may wait.

        A local path (Bluetooth) comes first where it can take the command. When it fails,
        the next path (the cloud) is tried once, unless the command may already have run
        and must not run twice. Returns the outcome and the path that carried it.
        """
        device, command, idempotent = outgoing.device, outgoing.command, outgoing.idempotent
        candidates = [
            transport for transport in self.transports if transport.handles(device, command)
        ]
        if not candidates:
            raise SwitchBotCommandError(160, f"no transport takes {command}")
        for transport in candidates[:-1]:
            try:
                await transport.async_send(outgoing)
            except SwitchBotConnectionError as err:
                if err.request_sent and not idempotent:
                    raise
                LOGGER.info(
                    "%s did not take %s for %s (%s); trying the next way", transport.name,
                    command, device.name, err,
                )  # fmt: skip
                continue
            return OUTCOME_SENT, transport.name
        last = candidates[-1]
        if last.name == CloudTransport.name and self.queue is not None:
            away = self.reach is not None and not self.reach.reachable
            if away and not may_wait:
                raise SwitchBotConnectionError(CLOUD_AWAY, request_sent=False)
            if may_wait and (away or self.queue.has_pending(device.device_id)):
                # No network attempt: the queue sends it, in order, when the cloud is back.
                await self._async_queue(outgoing, CLOUD_AWAY if away else "commands wait")
                return OUTCOME_QUEUED, last.name
        try:
            await last.async_send(outgoing)
        except SwitchBotConnectionError as err:
            # Idempotent: delivering it later, once, is what was asked. Otherwise only a
            # command that provably never left may wait; one that may have run is not re-sent.
            if self.queue is None or not may_wait or (err.request_sent and not idempotent):
                raise
            await self._async_queue(outgoing, str(err))
            return OUTCOME_QUEUED, last.name
        return OUTCOME_SENT, last.name

    async def _async_queue(self, outgoing: OutgoingCommand, reason: str) -> None:
        device = outgoing.device
        await cast(CommandQueue, self.queue).async_enqueue(
            device.device_id,
            outgoing.command,
            outgoing.parameter,
            outgoing.command_type,
            idempotent=outgoing.idempotent,
            device_name=device.name,
        )
        LOGGER.info("Queued %s for %s (%s)", outgoing.command, device.name, reason)

    def queued_for(self, device_id: str) -> QueuedCommand | None:
        """The device's newest command waiting for the cloud, if any."""
        return self.queue.latest_for(device_id) if self.queue is not None else None

    async def async_execute_scene(
        self, scene_id: str, scene_name: str | None, *, source: Source, user_id: str | None
    ) -> dict[str, Any]:
        """Run a manual scene of the account, audited.

        A scene reaches any device, so only unrestricted users may. Never queued: a scene
        may toggle.
        """
        request_id = uuid.uuid4().hex
        audit = self._auditor(request_id, user_id, None, f"scene:{scene_id}", source)

        permissions = user_permissions(self.options, user_id)
        if permissions.categories is not None or permissions.areas is not None:
            audit(OUTCOME_DENIED)
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="scene_permission_denied"
            )
        try:
            if (client := self.coordinator.client) is None:
                raise SwitchBotConnectionError("no SwitchBot account", request_sent=False)
            await client.execute_scene(scene_id)
        except SwitchBotError as err:
            audit(OUTCOME_UNKNOWN if _may_have_run(err) else OUTCOME_FAILED)
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="scene_failed",
                translation_placeholders={"scene": scene_name or scene_id, "error": str(err)},
            ) from err
        audit(OUTCOME_SENT)
        return {"request_id": request_id, "scene_id": scene_id, "outcome": OUTCOME_SENT}

    def _auditor(
        self,
        request_id: str,
        user_id: str | None,
        device_id: str | None,
        command: str,
        source: Source,
    ) -> Callable[..., None]:
        """A function that writes this request's audit record: the outcome (and the path)."""

        def record(outcome: str, path: str | None = None) -> None:
            self.audit.record(
                request_id=request_id,
                user_id=user_id,
                device_id=device_id,
                command=command,
                outcome=outcome,
                source=source.value,
                path=path,
            )

        return record

    def _assume(
        self,
        device: Device | InfraredRemote,
        command: str,
        parameter: str | dict[str, Any],
        command_type: str,
        optimistic: Mapping[str, Any] | None,
    ) -> None:
        if isinstance(device, InfraredRemote):
            kind = catalog.kind_of(device.type_string, infrared=True)
            current = self.assumed.get(device.device_id) or {}
            effect = command_effect(kind, command, parameter, command_type, current)
            self.assumed.async_apply(device.device_id, {**effect, **(optimistic or {})})
        else:
            state = (self.coordinator.data or {}).get(device.device_id)
            fields = status_effect(command, parameter, state.status.raw) if state else {}
            if fields or optimistic:
                self.coordinator.async_set_optimistic(
                    device.device_id, {**fields, **(optimistic or {})}
                )


def _may_have_run(err: SwitchBotError) -> bool:
    return isinstance(err, SwitchBotConnectionError) and err.request_sent


def _user_error(
    err: SwitchBotError, device: Device | InfraredRemote, command: str, *, idempotent: bool
) -> HomeAssistantError:
    """What the user is told when a command was neither sent nor queued."""
    placeholders = {"device": device.name, "command": command, "error": str(err)}
    if isinstance(err, SwitchBotConnectionError):
        key = "command_outcome_unknown" if err.request_sent else "command_failed"
        if not idempotent and err.request_sent:
            key = "command_not_repeated"
        return HomeAssistantError(
            translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
        )
    if isinstance(err, SwitchBotOfflineError):
        return HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="device_offline",
            translation_placeholders=placeholders,
        )
    if isinstance(err, SwitchBotCommandError):
        placeholders["error"] = err.api_message
        return HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="command_rejected",
            translation_placeholders=placeholders,
        )
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key="command_failed",
        translation_placeholders=placeholders,
    )
