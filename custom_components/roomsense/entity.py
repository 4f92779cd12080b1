"""Base entities of RoomSense: one Home Assistant device per SwitchBot device."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from homeassistant.config_entries import ConfigEntry
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN, LOGGER, MANUFACTURER
from .coordinator import DeviceState, RoomSenseCoordinator
from .switchbot_cloud import (
    Device,
    DeviceStatus,
    InfraredRemote,
    SwitchBotCommandError,
    SwitchBotConnectionError,
    SwitchBotError,
    SwitchBotOfflineError,
)


def account_device_info(entry: ConfigEntry[Any]) -> DeviceInfo:
    """The service device that stands for the SwitchBot account itself."""
    return DeviceInfo(
        identifiers={(DOMAIN, entry.entry_id)},
        name=entry.title,
        manufacturer=MANUFACTURER,
        model="SwitchBot Open API v1.1",
        entry_type=DeviceEntryType.SERVICE,
    )


def device_info(device: Device | InfraredRemote) -> DeviceInfo:
    """The Home Assistant device of a SwitchBot device.

    The link to its hub (`via_device_id`) is made when the devices are registered at setup,
    where the hub's registry id is known.
    """
    model = device.device_type if isinstance(device, Device) else device.remote_type
    return DeviceInfo(
        identifiers={(DOMAIN, device.device_id)},
        name=device.name,
        manufacturer=MANUFACTURER,
        model=model,
    )


class DeviceTypeDescription(Protocol):
    """An entity description that serves some SwitchBot device types."""

    @property
    def device_types(self) -> frozenset[str]:
        """The `deviceType` strings it serves."""


def described_devices[DescriptionT: DeviceTypeDescription](
    coordinator: RoomSenseCoordinator, descriptions: Iterable[DescriptionT]
) -> Iterator[tuple[Device, DeviceStatus, DescriptionT]]:
    """Each device read at setup, with each description that serves its type."""
    for device_id, device in coordinator.devices.items():
        if (state := coordinator.data.get(device_id)) is None:
            continue
        for description in descriptions:
            if device.device_type in description.device_types:
                yield device, state.status, description


class RoomSenseEntity(CoordinatorEntity[RoomSenseCoordinator]):
    """An entity of one SwitchBot device, described by an `EntityDescription`."""

    _attr_has_entity_name = True

    def __init__(
        self,
        coordinator: RoomSenseCoordinator,
        device: Device | InfraredRemote,
        description: EntityDescription,
    ) -> None:
        """Name the entity after its description, on the device's Home Assistant device."""
        super().__init__(coordinator, context=device.device_id)
        self.device = device
        self.entity_description = description
        self._attr_unique_id = f"{device.device_id}_{description.key}"
        self._attr_device_info = device_info(device)

    async def async_added_to_hass(self) -> None:
        """Listen to this device's own updates too (pushes update no other entity)."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.coordinator.async_add_device_listener(
                self.device.device_id, self._handle_coordinator_update
            )
        )

    @property
    def device_state(self) -> DeviceState | None:
        """What is known of the device, or None before its first read."""
        return (self.coordinator.data or {}).get(self.device.device_id)

    @property
    def status(self) -> DeviceStatus:
        """The device's last known status (empty before its first read)."""
        state = self.device_state
        if state is None:
            return DeviceStatus.from_dict({"deviceId": self.device.device_id})
        return state.status

    @property
    def available(self) -> bool:
        """Known, reachable as far as the cloud says, and not older than allowed.

        A cloud outage alone does not make an entity unavailable: it keeps its last
        known state until that state is older than the staleness option.
        """
        if self.device_state is None or self.status.online is False:
            return False
        return not self.coordinator.is_stale(self.device.device_id)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Say when the state shown is not fresh from the cloud."""
        state = self.device_state
        if state is None:
            return None
        stale = self.coordinator.cloud_error is not None or state.optimistic
        if not stale:
            return None
        return {
            "stale": True,
            "last_confirmed": state.confirmed_at.isoformat() if state.confirmed_at else None,
        }

    async def async_send_device_command(
        self,
        command: str,
        parameter: str | int | dict[str, Any] = "default",
        *,
        command_type: str = "command",
        optimistic: dict[str, Any] | None = None,
    ) -> None:
        """Send a command to this device and show its expected result at once."""
        await send_command(
            self.coordinator,
            self.device.device_id,
            command,
            parameter,
            command_type=command_type,
            optimistic=optimistic,
        )


async def send_command(
    coordinator: RoomSenseCoordinator,
    device_id: str,
    command: str,
    parameter: str | int | dict[str, Any] = "default",
    *,
    command_type: str = "command",
    optimistic: dict[str, Any] | None = None,
) -> None:
    """Send a command, turning cloud errors into translated Home Assistant errors."""
    try:
        await coordinator.client.send_command(device_id, command, parameter, command_type)
    except SwitchBotConnectionError as err:
        queue = coordinator.command_queue
        if err.request_sent or queue is None:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="command_failed",
                translation_placeholders={"command": command, "error": str(err)},
            ) from err
        # The cloud never saw it: keep it and send it when the cloud is back.
        await queue.async_enqueue(
            device_id,
            command,
            parameter if isinstance(parameter, dict) else str(parameter),
            command_type,
        )
        LOGGER.info("SwitchBot cloud unreachable, queued %s for %s", command, device_id)
        if optimistic:
            coordinator.async_set_optimistic(device_id, optimistic)
        return
    except SwitchBotOfflineError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="device_offline",
            translation_placeholders={"command": command},
        ) from err
    except SwitchBotCommandError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="command_rejected",
            translation_placeholders={"command": command, "error": err.api_message},
        ) from err
    except SwitchBotError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="command_failed",
            translation_placeholders={"command": command, "error": str(err)},
        ) from err
    if optimistic:
        coordinator.async_set_optimistic(device_id, optimistic)
    coordinator.async_schedule_confirm(device_id)


class RoomSenseInfraredEntity(RoomSenseEntity):
    """An entity of an infrared remote: commands are one-way, so its state is assumed."""

    _attr_assumed_state = True

    @property
    def available(self) -> bool:
        """A remote has no status to go stale; it is there while the entry is loaded."""
        return True

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Remotes carry no freshness attributes."""
        return None
