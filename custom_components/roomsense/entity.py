"""Base entities of RoomSense: one Home Assistant device per SwitchBot device."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, cast

from homeassistant.components.sensor import SensorExtraStoredData
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import callback
from homeassistant.helpers.device_registry import (
    CONNECTION_BLUETOOTH,
    DeviceEntryType,
    DeviceInfo,
)
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity
from homeassistant.util.signal_type import SignalType

from .ble.models import address_of, model_for
from .const import DOMAIN, MANUFACTURER
from .coordinator import RoomSenseCoordinator
from .device_list import async_on_first_status
from .device_state import DeviceState
from .entity_ids import async_suggest_object_id, type_name
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


def restored_figure(data: SensorExtraStoredData | None, unit: str | None) -> float | None:
    """A figure sensor's last value before the restart, if it was a number in `unit`."""
    if data is None or data.native_unit_of_measurement != unit:
        return None
    value = data.native_value
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    return float(value)


def _always(_status: DeviceStatus) -> bool:
    return True


@dataclass(frozen=True, kw_only=True)
class RoomSenseEntityDescription(EntityDescription):
    """An entity of the SwitchBot device types it serves (infrared remote types if `infrared`).

    `device_types` None serves every device; `exists_fn` says whether a device of a served
    type has the entity, by the status it reported at setup.
    """

    device_types: frozenset[str] | None = None
    infrared: bool = False
    exists_fn: Callable[[DeviceStatus], bool] = _always

    def exists(self, status: DeviceStatus) -> bool:
        """Whether a device that reported this status at setup has the entity."""
        return self.exists_fn(status)

    @property
    def by_type(self) -> bool:
        """Whether the device's type alone decides the entity (its status does not).

        Such an entity is made before the device's first status is read, unavailable until
        it is; the others wait for that status.
        """
        return type(self).exists is RoomSenseEntityDescription.exists and self.exists_fn is _always


type EntityFactory[DescriptionT] = Callable[
    # A Device, or an InfraredRemote for an infrared description.
    [RoomSenseCoordinator, Any, DescriptionT],
    Entity | None,
]
"""Makes the entity of a description for a device; None when the device has none."""
type EntityFactories[DescriptionT] = (
    EntityFactory[DescriptionT] | Mapping[DescriptionT, EntityFactory[DescriptionT]]
)
"""One factory for every description, or each description's own."""


def _made_now(
    description: RoomSenseEntityDescription, state: DeviceState | None, *, first_status: bool
) -> bool:
    """Whether a device's entity of `description` is made now (see `described_entities`)."""
    if state is None:
        return description.by_type
    if first_status:
        return not description.by_type and description.exists(state.status)
    return description.exists(state.status)


def described_entities[DescriptionT: RoomSenseEntityDescription](
    coordinator: RoomSenseCoordinator,
    descriptions: Iterable[DescriptionT],
    factories: EntityFactories[DescriptionT],
    device_ids: Collection[str] | None = None,
    *,
    first_status: bool = False,
) -> list[Entity]:
    """The entities of each device of the list, then of each infrared remote.

    A device gets the entity of every description that serves its type and `exists` by
    its status; one whose status was never read, those decided `by_type` alone. A remote
    (without "DIY ") gets the entity of every infrared description of its type. With
    `device_ids`, only those devices' and remotes' (devices that joined later); with
    `first_status` too, only the entities their status decides, which waited for it.
    """

    def factory(
        coordinator: RoomSenseCoordinator, device: Any, description: DescriptionT
    ) -> Entity | None:
        if isinstance(factories, Mapping):
            return factories[description](coordinator, device, description)
        return factories(coordinator, device, description)

    def wanted_id(device_id: str) -> bool:
        return device_ids is None or device_id in device_ids

    wanted = list(descriptions)
    made: list[Entity | None] = []
    for device_id, device in coordinator.devices.items():
        if not wanted_id(device_id):
            continue
        state = coordinator.data.get(device_id)
        if first_status and state is None:
            continue

        made.extend(
            factory(coordinator, device, description)
            for description in wanted
            if not description.infrared
            and (description.device_types is None or device.device_type in description.device_types)
            and _made_now(description, state, first_status=first_status)
        )
    if first_status:
        return [entity for entity in made if entity is not None]
    made.extend(
        factory(coordinator, remote, description)
        for remote in coordinator.device_list.infrared_remotes
        if wanted_id(remote.device_id)
        for description in wanted
        if description.infrared
        and description.device_types is not None
        and remote.base_remote_type in description.device_types
    )
    return [entity for entity in made if entity is not None]


@callback
def async_add_described_entities[DescriptionT: RoomSenseEntityDescription](
    entry: RoomSenseConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    descriptions: Iterable[DescriptionT],
    factories: EntityFactories[DescriptionT],
) -> None:
    """Add the entry's `described_entities`: the set-up of every device platform.

    Devices that join the account later get theirs the same way, when they are announced.
    """
    coordinator = entry.runtime_data.coordinator
    wanted = list(descriptions)
    async_add_entities(described_entities(coordinator, wanted, factories))

    @callback
    def add_new(device_ids: set[str]) -> None:
        async_add_entities(described_entities(coordinator, wanted, factories, device_ids))

    async_on_new_devices(entry, add_new)

    @callback
    def add_decided(device_ids: set[str]) -> None:
        async_add_entities(
            described_entities(coordinator, wanted, factories, device_ids, first_status=True)
        )

    async_on_first_status(entry, add_decided)


def signal_new_devices(entry_id: str) -> SignalType[set[str]]:
    """The dispatcher signal that announces the ids of devices that joined an account."""
    return SignalType(f"{DOMAIN}_new_devices_{entry_id}")


@callback
def async_on_new_devices(entry: RoomSenseConfigEntry, add: Callable[[set[str]], None]) -> None:
    """Have `add` (a callback) make the entities of devices that join the account later.

    It gets their ids, devices and infrared remotes alike, while the entry is loaded; they
    are on the coordinator (with their first status) and in the device registry by then.
    """
    hass = entry.runtime_data.coordinator.hass
    entry.async_on_unload(async_dispatcher_connect(hass, signal_new_devices(entry.entry_id), add))


def code_name(codes: Mapping[str, int], code: object) -> str | None:
    """The name of the mode (or other setting) a device reports as `code`, if one has it."""
    return next((name for name, known in codes.items() if code == known), None)


# Platforms whose entities only show what a device reads.
_READINGS: Final = frozenset({"sensor", "binary_sensor", "image"})


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

    async def async_prepare_to_add_to_hass(self) -> None:
        """Name a new entity of a device without a Latin name by its type (`has_latin_form`)."""
        await super().async_prepare_to_add_to_hass()
        async_suggest_object_id(
            self,
            (DOMAIN, self.device.device_id),
            self.device.name,
            type_name(self.device),
            self.device.device_id,
        )

    async def async_added_to_hass(self) -> None:
        """Listen to this device's own updates too (pushes update no other entity)."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.coordinator.async_add_device_listener(
                self.device.device_id, self._handle_coordinator_update
            )
        )
        if (queue := self.gateway.queue) is not None:
            self.async_on_remove(
                queue.async_add_listener(self.device.device_id, self.async_write_ha_state)
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
        attributes = self.queued_attributes()
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

    def queued_attributes(self) -> dict[str, Any]:
        """The device's newest command waiting for the cloud, and since when.

        Shown by the entities that take commands, not by the device's readings.
        """
        if self.entity_id.partition(".")[0] in _READINGS:
            return {}
        if (queued := self.gateway.queued_for(self.device.device_id)) is None:
            return {}
        return {"queued_command": queued.command, "queued_at": queued.queued_at}

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


class RoomSenseOwnStateEntity(RoomSenseEntity):
    """An entity whose state RoomSense keeps itself, not the device's last status.

    It is there while the entry is loaded and carries no freshness attributes.
    """

    @property
    def available(self) -> bool:
        """RoomSense's own state has nothing to go stale."""
        return True

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """No freshness attributes; a command waiting for the cloud."""
        return self.queued_attributes() or None


class RoomSenseInfraredEntity(RoomSenseOwnStateEntity):
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
