"""What the agent's tools and the `roomsense.*` services do: one implementation for both.

Every action goes through the same checks, in this order: the device exists, the user may
reach it, night safe mode, the confirmation of dangerous commands; security-relevant actions
and every refusal are written to the audit log.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Final

from homeassistant.components import persistent_notification
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.util.hass_dict import HassKey

from .categories import device_kind
from .const import DOMAIN
from .data import RoomSenseConfigEntry, loaded_entries
from .entity import send_command
from .metrics import ConversationMetrics
from .safety import (
    OPT_DANGEROUS_COMMANDS,
    AuditLog,
    Confirmations,
    device_type_is_lock,
    is_dangerous,
    is_unlocking,
    night_mode_active,
    user_permissions,
)
from .switchbot_cloud import Device, InfraredRemote, SwitchBotError

DATA_TOOLS: Final[HassKey[RoomSenseTools]] = HassKey(DOMAIN)
type LearnedSceneRunner = Callable[[str, str | None], Awaitable[dict[str, Any] | None]]
# Sent after every command that went out: (user_id, device_id, command, parameter, source).
SIGNAL_COMMAND_SENT: Final = f"{DOMAIN}_command_sent"

OUTCOME_SENT: Final = "sent"
OUTCOME_FAILED: Final = "failed"
OUTCOME_DENIED: Final = "denied_permission"
OUTCOME_NIGHT: Final = "refused_night_mode"
OUTCOME_UNCONFIRMED: Final = "confirmation_required"


@dataclass(frozen=True, slots=True)
class Target:
    """A resolved device: its entry, the SwitchBot device and its Home Assistant device."""

    entry: RoomSenseConfigEntry
    device: Device | InfraredRemote
    ha_device: dr.DeviceEntry | None

    @property
    def device_type(self) -> str:
        """The deviceType of a physical device, the remoteType of a remote."""
        return self.device.type_string


@dataclass
class RoomSenseTools:
    """The actions of RoomSense, shared by the services and the conversation agent."""

    hass: HomeAssistant
    audit: AuditLog
    confirmations: Confirmations = field(default_factory=Confirmations)
    metrics: ConversationMetrics = field(default_factory=ConversationMetrics)
    # RoomSense's learned scenes, run before asking the cloud for a SwitchBot scene: returns
    # None when the id is not a learned scene.
    learned_scene_runner: LearnedSceneRunner | None = None

    # --- looking things up --------------------------------------------------------------

    def entries(self) -> list[RoomSenseConfigEntry]:
        """The loaded RoomSense entries."""
        if not (entries := loaded_entries(self.hass)):
            raise ServiceValidationError(translation_domain=DOMAIN, translation_key="not_loaded")
        return entries

    def resolve(self, device_id: str) -> Target:
        """A SwitchBot device id or a Home Assistant device id, to its device."""
        registry = dr.async_get(self.hass)
        switchbot_id = device_id
        if (ha_device := registry.async_get(device_id)) is not None:
            switchbot_id = next(
                (key for domain, key in ha_device.identifiers if domain == DOMAIN), device_id
            )
        for entry in self.entries():
            for device in entry.runtime_data.all_devices():
                if device.device_id == switchbot_id:
                    return Target(
                        entry,
                        device,
                        registry.async_get_device_by_identifier(
                            (DOMAIN, switchbot_id), entry.entry_id
                        ),
                    )
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unknown_device",
            translation_placeholders={"device_id": device_id},
        )

    def describe(self, target: Target) -> dict[str, Any]:
        """What the agent and the services tell about a device."""
        device = target.device
        return {
            "device_id": device.device_id,
            "ha_device_id": target.ha_device.id if target.ha_device else None,
            "name": device.name,
            "type": target.device_type,
            "category": device_kind(device).value,
            "area": target.ha_device.area_id if target.ha_device else None,
            "infrared": isinstance(device, InfraredRemote),
        }

    def _may_reach(self, user_id: str | None, target: Target) -> bool:
        permissions = user_permissions(target.entry.options, user_id)
        area = target.ha_device.area_id if target.ha_device else None
        return permissions.allows(device_kind(target.device), area)

    # --- tools --------------------------------------------------------------------------

    async def get_devices(self, user_id: str | None) -> dict[str, Any]:
        """Every device the user may control."""
        registry = dr.async_get(self.hass)
        targets = [
            Target(
                entry,
                device,
                registry.async_get_device_by_identifier((DOMAIN, device.device_id), entry.entry_id),
            )
            for entry in self.entries()
            for device in entry.runtime_data.all_devices()
        ]
        return {
            "devices": [
                self.describe(target) for target in targets if self._may_reach(user_id, target)
            ]
        }

    async def get_status(self, user_id: str | None, device_id: str) -> dict[str, Any]:
        """The last known status of a device (no cloud call: pushes keep it current)."""
        target = self.resolve(device_id)
        self._check_reach(user_id, target, "get_status", "status")
        coordinator = target.entry.runtime_data.coordinator
        state = (coordinator.data or {}).get(target.device.device_id)
        return {
            **self.describe(target),
            "status": dict(state.status.raw) if state else None,
            "last_confirmed": state.confirmed_at.isoformat()
            if state and state.confirmed_at
            else None,
            "stale": coordinator.cloud_error is not None,
        }

    async def send_command(
        self,
        *,
        user_id: str | None,
        device_id: str,
        command: str,
        parameter: str | dict[str, Any] = "default",
        command_type: str = "command",
        confirm: bool = False,
        source: str = "service",
    ) -> dict[str, Any]:
        """Send a command after the permission, night-mode and confirmation checks."""
        request_id = uuid.uuid4().hex
        target = self.resolve(device_id)
        switchbot_id = target.device.device_id
        audit = self._auditor(request_id, user_id, switchbot_id, command, source)
        self._check_reach(user_id, target, command, source, request_id)
        options = target.entry.options
        dangerous = is_dangerous(
            switchbot_id, target.device_type, command, options.get(OPT_DANGEROUS_COMMANDS) or ()
        )
        if is_unlocking(target.device_type, command) and night_mode_active(options):
            audit(OUTCOME_NIGHT)
            persistent_notification.async_create(
                self.hass,
                f"{target.device.name}: {command} was refused during night safe mode.",
                title="RoomSense",
                notification_id=f"{DOMAIN}_night_mode_{request_id}",
            )
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="night_mode",
                translation_placeholders={"device": target.device.name, "command": command},
            )
        if dangerous and not confirm:
            audit(OUTCOME_UNCONFIRMED)
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="confirmation_required",
                translation_placeholders={"device": target.device.name, "command": command},
            )
        try:
            await send_command(
                target.entry.runtime_data.coordinator,
                switchbot_id,
                command,
                parameter,
                command_type=command_type,
            )
        except HomeAssistantError:
            if dangerous or device_type_is_lock(target.device_type):
                audit(OUTCOME_FAILED)
            raise
        if dangerous or device_type_is_lock(target.device_type):
            audit(OUTCOME_SENT)
        async_dispatcher_send(
            self.hass, SIGNAL_COMMAND_SENT, user_id, switchbot_id, command, parameter, source
        )
        return {
            "request_id": request_id,
            "device_id": switchbot_id,
            "command": command,
            "outcome": OUTCOME_SENT,
        }

    async def get_scenes(self, user_id: str | None) -> dict[str, Any]:
        """The manual scenes of every account."""
        scenes: list[dict[str, str]] = []
        for entry in self.entries():
            try:
                found = await entry.runtime_data.client.get_scenes()
            except SwitchBotError as err:
                raise HomeAssistantError(
                    translation_domain=DOMAIN,
                    translation_key="cloud_error",
                    translation_placeholders={"error": str(err)},
                ) from err
            scenes.extend({"scene_id": scene.scene_id, "name": scene.name} for scene in found)
        return {"scenes": scenes}

    async def execute_scene(
        self, *, user_id: str | None, scene_id: str, source: str = "service"
    ) -> dict[str, Any]:
        """Run a manual scene; logged, since a scene can do anything a command can."""
        request_id = uuid.uuid4().hex
        audit = self._auditor(request_id, user_id, None, f"scene:{scene_id}", source)
        entries = self.entries()
        if user_permissions(entries[0].options, user_id).categories is not None:
            # A scene reaches devices of any kind: only unrestricted users may run one.
            audit(OUTCOME_DENIED)
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="scene_permission_denied"
            )
        if self.learned_scene_runner is not None:
            try:
                outcome = await self.learned_scene_runner(scene_id, user_id)
            except HomeAssistantError:
                audit(OUTCOME_FAILED)
                raise
            if outcome is not None:
                audit(OUTCOME_SENT)
                return {"request_id": request_id, **outcome, "outcome": OUTCOME_SENT}
        last_error: SwitchBotError | None = None
        for entry in entries:
            try:
                await entry.runtime_data.client.execute_scene(scene_id)
            except SwitchBotError as err:
                last_error = err
                continue
            audit(OUTCOME_SENT)
            return {"request_id": request_id, "scene_id": scene_id, "outcome": OUTCOME_SENT}
        audit(OUTCOME_FAILED)
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="scene_failed",
            translation_placeholders={"error": str(last_error)},
        )

    def _auditor(
        self,
        request_id: str,
        user_id: str | None,
        device_id: str | None,
        command: str,
        source: str,
    ) -> Callable[[str], None]:
        """A function that logs the outcome of this one request."""

        def record(outcome: str) -> None:
            self.audit.record(
                request_id=request_id,
                user_id=user_id,
                device_id=device_id,
                command=command,
                outcome=outcome,
                source=source,
            )

        return record

    def _check_reach(
        self,
        user_id: str | None,
        target: Target,
        command: str,
        source: str,
        request_id: str | None = None,
    ) -> None:
        if self._may_reach(user_id, target):
            return
        self.audit.record(
            request_id=request_id or uuid.uuid4().hex,
            user_id=user_id,
            device_id=target.device.device_id,
            command=command,
            outcome=OUTCOME_DENIED,
            source=source,
        )
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="permission_denied",
            translation_placeholders={"device": target.device.name},
        )
