"""The Bluetooth side of one SwitchBot account: advertisements in, local commands out.

A SwitchBot device's cloud id is its Bluetooth address without separators, so the devices
of the account that have a Bluetooth model (`models.py`) are listened for at setup: there is
one Home Assistant device per physical device, whichever way it is reached.

- **State**: every advertisement is read with PySwitchbot's parsers into Open API status
  fields and applied like a push (the newer reading wins), with no cloud call. A device
  heard recently whose advertisements carry its whole status is not polled over the cloud.
- **Commands**: `BluetoothTransport` sends the commands the model can do locally when a
  connectable path (an adapter or a proxy) hears the device; the gateway falls back to the
  cloud when it cannot, or when a local attempt fails before anything was written.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from bleak.exc import BleakDeviceNotFoundError
from bleak_retry_connector import (
    BleakAbortedError,
    BleakConnectionError,
    BleakNotFoundError,
    BleakOutOfConnectionSlotsError,
)
from homeassistant.components import bluetooth
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback

from .. import catalog
from ..const import LOGGER
from ..switchbot_cloud import Device, InfraredRemote, SwitchBotConnectionError
from .models import LocalModel, LocalParameterError, address_of, model_for

if TYPE_CHECKING:
    from ..coordinator import RoomSenseCoordinator
    from ..transport import OutgoingCommand

# A device heard within this long counts as in range (and its advertised state as fresh).
HEARD_RECENTLY: Final = 15 * 60.0
# How long one local command may take before the cloud is tried instead.
COMMAND_TIMEOUT: Final = 20.0
TRANSPORT_NAME: Final = "bluetooth"


def pyswitchbot() -> Any:
    """PySwitchbot, imported on first use.

    It binds bleak-retry-connector's client class when first imported; only after Home
    Assistant's `bluetooth` integration has swapped in its own (which reaches adapters and
    proxies alike) may it be imported, so never at module level.
    """
    import switchbot  # type: ignore[import-untyped]

    return switchbot


@dataclass(frozen=True, slots=True)
class LocalKey:
    """The key of an encrypted device (lock, relay switch)."""

    key_id: str
    encryption_key: str


@dataclass
class LocalDevice:
    """One device of the account that has a Bluetooth model."""

    device_id: str
    address: str
    model: LocalModel
    key: LocalKey | None = None
    heard_at: float | None = None
    # PySwitchbot's `SwitchbotModel` member name it advertises (a Lock Pro's commands differ
    # from a Lock's); known once heard.
    advertised_model: str | None = None
    # The PySwitchbot device, made on the first local command.
    driver: Any = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


# Option: the keys of encrypted devices, {device id: {"key_id": .., "encryption_key": ..}}.
OPT_BLUETOOTH_KEYS: Final = "bluetooth_keys"


def keys_from_options(options: Mapping[str, Any]) -> dict[str, LocalKey]:
    """The keys the options hold for encrypted devices (ill-formed ones are left out)."""
    keys: dict[str, LocalKey] = {}
    raw = options.get(OPT_BLUETOOTH_KEYS)
    if not isinstance(raw, Mapping):
        return keys
    for device_id, value in raw.items():
        if not isinstance(value, Mapping):
            continue
        key_id, encryption_key = value.get("key_id"), value.get("encryption_key")
        if isinstance(key_id, str) and isinstance(encryption_key, str):
            keys[str(device_id).upper()] = LocalKey(key_id, encryption_key)
    return keys


class LocalSendError(SwitchBotConnectionError):
    """A local command that did not get through; `request_sent` says whether it may have."""


class BluetoothLink:
    """Listens for the account's devices and drives them locally."""

    def __init__(
        self,
        hass: HomeAssistant,
        coordinator: RoomSenseCoordinator,
        devices: list[Device],
        keys: Mapping[str, LocalKey] | None = None,
    ) -> None:
        """Pick the devices with a Bluetooth model; nothing is listened for until started."""
        self.hass = hass
        self.coordinator = coordinator
        self.devices: dict[str, LocalDevice] = {}
        for device in devices:
            model = model_for(device.device_type)
            address = address_of(device.device_id)
            if model is None or address is None:
                continue
            key = (keys or {}).get(device.device_id)
            self.devices[device.device_id] = LocalDevice(device.device_id, address, model, key)

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Listen for every device's advertisements (passively: no scan requests)."""
        cancels = [
            bluetooth.async_register_callback(
                self.hass,
                self._on_advertisement,
                bluetooth.BluetoothCallbackMatcher(address=local.address, connectable=False),
                bluetooth.BluetoothScanningMode.PASSIVE,
            )
            for local in self.devices.values()
        ]
        # What was heard before setup (the manager keeps the last advertisement).
        for local in self.devices.values():
            if info := bluetooth.async_last_service_info(
                self.hass, local.address, connectable=False
            ):
                self._on_advertisement(info, bluetooth.BluetoothChange.ADVERTISEMENT)

        @callback
        def stop() -> None:
            for cancel in cancels:
                cancel()

        return stop

    async def async_shutdown(self) -> None:
        """Close the connections PySwitchbot keeps open after a command (8.5 s by default)."""
        for local in self.devices.values():
            if local.driver is not None:
                # PySwitchbot has no public way to close at once; its timer would outlive us.
                await local.driver._execute_forced_disconnect()
                local.driver = None

    def replaces_polls(self, device_id: str) -> bool:
        """Whether the device's advertisements say all its cloud reads would (heard lately)."""
        local = self.devices.get(device_id)
        return (
            local is not None
            and local.model.advertises_everything
            and self.heard_recently(device_id)
        )

    def heard_recently(self, device_id: str) -> bool:
        """Whether the device was heard over Bluetooth lately (its state is fresh)."""
        local = self.devices.get(device_id)
        return (
            local is not None
            and local.heard_at is not None
            and time.monotonic() - local.heard_at < HEARD_RECENTLY
        )

    @callback
    def _on_advertisement(
        self, info: bluetooth.BluetoothServiceInfoBleak, _change: bluetooth.BluetoothChange
    ) -> None:
        device_id = info.address.replace(":", "").upper()
        local = self.devices.get(device_id)
        if local is None:
            return
        parsed = pyswitchbot().parse_advertisement_data(info.device, info.advertisement)
        if parsed is None:
            return
        model_name = getattr(parsed.data.get("modelName"), "name", None)
        if model_name not in local.model.advertised_models:
            return
        fields = local.model.status(parsed.data.get("data") or {})
        local.heard_at = time.monotonic()
        local.advertised_model = model_name
        # The PySwitchbot driver is not told: fed advertisements, locks, relays and lights
        # connect on their own in the background. Commands get the state from the coordinator.
        if fields:
            self.coordinator.async_apply_local(device_id, fields, int(time.time() * 1000))


class BluetoothTransport:
    """The gateway's local path: commands over Bluetooth, where a connectable path exists."""

    name = TRANSPORT_NAME

    def __init__(self, link: BluetoothLink, *, sole_path: bool = False) -> None:
        """Send to the devices of `link`.

        As the `sole_path` (a device with no cloud) it takes its commands even out of range,
        to fail with that reason rather than with "no way to send".
        """
        self.link = link
        self.sole_path = sole_path

    def handles(self, device: Device | InfraredRemote, command: str) -> bool:
        """A local command of the model, a key if it needs one, and a connectable path now."""
        local = self.link.devices.get(device.device_id)
        if local is None or not isinstance(device, Device):
            return False
        spec = catalog.device_spec(device.device_type, infrared=False)
        if spec is None or command not in spec.local_commands:
            return False
        if local.model.encrypted and local.key is None:
            return False
        return self.sole_path or (
            bluetooth.async_ble_device_from_address(self.link.hass, local.address, connectable=True)
            is not None
        )

    async def async_send(self, outgoing: OutgoingCommand) -> None:
        """Run the command on the device; a failure raises `LocalSendError`."""
        device, command, parameter = outgoing.device, outgoing.command, outgoing.parameter
        local = self.link.devices[device.device_id]
        ble_device = bluetooth.async_ble_device_from_address(
            self.link.hass, local.address, connectable=True
        )
        if ble_device is None:
            raise LocalSendError(f"{device.name} is out of Bluetooth range", request_sent=False)
        run = local.model.commands[command]
        async with local.lock:
            try:
                driver = self._driver(local, ble_device)
                async with asyncio.timeout(COMMAND_TIMEOUT):
                    done = await run(driver, parameter, self._status(device.device_id))
            except LocalParameterError as err:
                # Nothing was written; the cloud reads the parameter its own way.
                raise LocalSendError(str(err), request_sent=False) from err
            except Exception as err:  # bleak and PySwitchbot raise many kinds
                LOGGER.debug("Bluetooth %s to %s failed: %r", command, device.name, err)
                # A connection that dropped may have dropped after the write.
                raise LocalSendError(
                    f"Bluetooth {command} to {device.name} failed: {err!r}",
                    request_sent=_may_have_written(err),
                ) from err
        if not done:
            # The device answered that it did not do it: nothing happened.
            raise LocalSendError(
                f"{device.name} refused {command} over Bluetooth", request_sent=False
            )

    def _status(self, device_id: str) -> dict[str, Any]:
        state = (self.link.coordinator.data or {}).get(device_id)
        return dict(state.status.raw) if state else {}

    @staticmethod
    def _driver(local: LocalDevice, ble_device: Any) -> Any:
        if local.driver is None:
            # One attempt: a second one could press a Bot twice. The gateway decides whether
            # the cloud may try instead.
            kwargs: dict[str, Any] = {**local.model.class_kwargs, "retry_count": 0}
            if local.key is not None:
                kwargs.update(key_id=local.key.key_id, encryption_key=local.key.encryption_key)
                if local.advertised_model is not None:
                    kwargs["model"] = pyswitchbot().SwitchbotModel[local.advertised_model]
            driver_class = getattr(pyswitchbot(), local.model.device_class or "")
            local.driver = driver_class(ble_device, **kwargs)
        else:
            # The path may have changed (another proxy hears it best now). PySwitchbot only
            # takes a new BLEDevice through an advertisement, which would also set off its
            # own background connections; its connection code reads this attribute.
            local.driver._device = ble_device
        return local.driver


def _may_have_written(err: BaseException) -> bool:
    """Whether a failed local command may still have reached the device.

    Failing to connect (not found, no free connection slot, refused) writes nothing;
    anything after the connection (a drop, no answer in time) may have come after the
    device read the command.
    """
    return not isinstance(
        err,
        BleakNotFoundError
        | BleakConnectionError
        | BleakAbortedError
        | BleakOutOfConnectionSlotsError
        | BleakDeviceNotFoundError,
    )
