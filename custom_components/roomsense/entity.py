"""Base entities of RoomSense: one Home Assistant device per SwitchBot device."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, Protocol, cast

from homeassistant.config_entries import ConfigEntry
from homeassistant.helpers.device_registry import (
    CONNECTION_BLUETOOTH,
    DeviceEntryType,
    DeviceInfo,
)
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .ble.models import address_of, model_for
from .const import DOMAIN, MANUFACTURER
from .coordinator import DeviceState, RoomSenseCoordinator
from .gateway import CommandGateway, CommandOutcome, Source
from .switchbot_cloud import Device, DeviceStatus, InfraredRemote

if TYPE_CHECKING:
    from .data import RoomSenseConfigEntry


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
    info = DeviceInfo(
        identifiers={(DOMAIN, device.device_id)},
        name=device.name,
        manufacturer=MANUFACTURER,
        model=model,
    )
    # The same physical device over Bluetooth: its address (the cloud id) joins the two.
    if (
        isinstance(device, Device)
        and model_for(device.device_type) is not None
        and (address := address_of(device.device_id)) is not None
    ):
        info["connections"] = {(CONNECTION_BLUETOOTH, address)}
    return info


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
        """Say when the state shown is not fresh, and which way the last command went."""
        state = self.device_state
        if state is None:
            return None
        attributes: dict[str, Any] = {}
        if path := self.gateway.last_path.get(self.device.device_id):
            attributes["last_command_path"] = path
        # A device heard over Bluetooth stays fresh while the cloud is away.
        cloud_only = not self.coordinator.heard_locally(self.device.device_id)
        if (self.coordinator.cloud_error is not None and cloud_only) or state.optimistic:
            attributes["stale"] = True
            attributes["last_confirmed"] = (
                state.confirmed_at.isoformat() if state.confirmed_at else None
            )
        return attributes or None

    @property
    def gateway(self) -> CommandGateway:
        """The entry's command gateway, the one path of every command."""
        entry = cast("RoomSenseConfigEntry", self.coordinator.config_entry)
        return entry.runtime_data.gateway

    async def async_send_device_command(
        self,
        command: str,
        parameter: str | int | dict[str, Any] = "default",
        *,
        command_type: str = "command",
        optimistic: dict[str, Any] | None = None,
    ) -> CommandOutcome:
        """Send a command through the gateway as the user who acted, and show its result.

        An action on an entity is a person's explicit act (a tap in the UI is the
        confirmation), but it is permission-checked, refused in night safe mode, and audited.
        """
        outcome = await self.gateway.async_send(
            self.device,
            command,
            parameter,
            command_type=command_type,
            source=Source.ENTITY,
            user_id=self._context.user_id if self._context else None,
            optimistic=optimistic,
        )
        # Its attributes say which way the command went.
        self.async_write_ha_state()
        return outcome


class RoomSenseInfraredEntity(RoomSenseEntity):
    """An entity of an infrared remote: commands are one-way, so its state is assumed.

    The assumed state is kept by the gateway, which applies every command sent to the
    remote from any path; the entity only shows it.
    """

    _attr_assumed_state = True

    async def async_added_to_hass(self) -> None:
        """Show the assumed state whenever any path changes it."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.gateway.assumed.async_listen(self.device.device_id, self.async_write_ha_state)
        )

    @property
    def assumed(self) -> dict[str, Any]:
        """What the appliance was last told (SwitchBot field names), empty if never."""
        return self.gateway.assumed.get(self.device.device_id) or {}

    @property
    def available(self) -> bool:
        """A remote has no status to go stale; it is there while the entry is loaded."""
        return True

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Remotes carry no freshness attributes."""
        return None
