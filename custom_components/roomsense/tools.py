"""What the agent's tools and the `roomsense.*` services do: one implementation for both.

Looking devices up happens here; every command and scene goes through the device's
`CommandGateway`, which applies permission, night safe mode, confirmation, the audit
record, the transport, the queue and the assumed state, in that order, for every caller.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr

from .categories import device_kind
from .const import DOMAIN
from .data import RoomSenseConfigEntry, loaded_entries
from .gateway import (
    OUTCOME_DENIED,
    OUTCOME_FAILED,
    OUTCOME_SENT,
    SIGNAL_COMMAND_SENT,
    Source,
)
from .metrics import ConversationMetrics
from .safety import AuditLog, Confirmations
from .switchbot_cloud import Device, InfraredRemote, SwitchBotError

__all__ = ["OUTCOME_DENIED", "OUTCOME_FAILED", "OUTCOME_SENT", "SIGNAL_COMMAND_SENT"]

type LearnedSceneRunner = Callable[[str, str | None], Awaitable[dict[str, Any] | None]]


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
        return target.entry.runtime_data.gateway.may_reach(user_id, target.device)

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

    async def get_status(
        self, user_id: str | None, device_id: str, *, source: Source = Source.SERVICE
    ) -> dict[str, Any]:
        """The last known status of a device (no cloud call: pushes keep it current)."""
        target = self.resolve(device_id)
        self._check_reach(user_id, target, "get_status", source)
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
        source: Source = Source.SERVICE,
    ) -> dict[str, Any]:
        """Send a command through the device's gateway; says whether it was sent or queued."""
        target = self.resolve(device_id)
        outcome = await target.entry.runtime_data.gateway.async_send(
            target.device,
            command,
            parameter,
            command_type=command_type,
            source=source,
            user_id=user_id,
            confirmed=confirm,
        )
        return outcome.as_dict()

    async def get_scenes(self, user_id: str | None) -> dict[str, Any]:
        """The manual scenes of every account."""
        scenes: list[dict[str, str]] = []
        for entry in self.entries():
            if (client := entry.runtime_data.client) is None:
                continue  # a Bluetooth-only device: no account, no scenes
            try:
                found = await client.get_scenes()
            except SwitchBotError as err:
                raise HomeAssistantError(
                    translation_domain=DOMAIN,
                    translation_key="cloud_error",
                    translation_placeholders={"error": str(err)},
                ) from err
            scenes.extend({"scene_id": scene.scene_id, "name": scene.name} for scene in found)
        return {"scenes": scenes}

    async def execute_scene(
        self, *, user_id: str | None, scene_id: str, source: Source = Source.SERVICE
    ) -> dict[str, Any]:
        """Run a learned scene (command by command) or the account's manual scene."""
        entries = self.entries()
        if self.learned_scene_runner is not None:
            outcome = await self.learned_scene_runner(scene_id, user_id)
            if outcome is not None:
                return outcome
        # The account whose scene list has it; the first one if none was read.
        entry = next(
            (
                entry
                for entry in entries
                if any(scene.scene_id == scene_id for scene in entry.runtime_data.scenes)
            ),
            entries[0],
        )
        name = next(
            (scene.name for scene in entry.runtime_data.scenes if scene.scene_id == scene_id),
            None,
        )
        return await entry.runtime_data.gateway.async_execute_scene(
            scene_id, name, source=source, user_id=user_id
        )

    def _check_reach(
        self,
        user_id: str | None,
        target: Target,
        command: str,
        source: Source,
    ) -> None:
        if self._may_reach(user_id, target):
            return
        self.audit.record(
            request_id=uuid.uuid4().hex,
            user_id=user_id,
            device_id=target.device.device_id,
            command=command,
            outcome=OUTCOME_DENIED,
            source=source.value,
        )
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="permission_denied",
            translation_placeholders={"device": target.device.name},
        )
