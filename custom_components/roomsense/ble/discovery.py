"""What a Bluetooth discovery found, and who already drives it.

A SwitchBot device heard over Bluetooth is offered to the user once. It becomes a
Bluetooth-only entry unless a SwitchBot account set up in RoomSense lists it (then it is
already one device of that account, reached both ways) or Home Assistant's own SwitchBot
Bluetooth integration has it (then it is left there: two integrations would fight over
one connection).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from homeassistant.components import bluetooth
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant

from ..catalog import discovered_type, product_name
from ..const import DOMAIN
from .link import pyswitchbot
from .models import LocalModel, device_id_of, model_for

if TYPE_CHECKING:
    from ..data import RoomSenseConfigEntry

# Home Assistant's SwitchBot Bluetooth integration.
CORE_SWITCHBOT_DOMAIN: Final = "switchbot"

# Entry data of a Bluetooth-only device.
CONF_ADDRESS: Final = "address"
CONF_DEVICE_TYPE: Final = "device_type"
# PySwitchbot's `SwitchbotModel` member name of what it advertises (a Lock Pro's commands
# differ from a Lock's).
CONF_ADVERTISED_MODEL: Final = "model"
CONF_KEY_ID: Final = "key_id"
CONF_ENCRYPTION_KEY: Final = "encryption_key"


@dataclass(frozen=True, slots=True)
class FoundDevice:
    """A SwitchBot device heard over Bluetooth that RoomSense can drive."""

    device_id: str
    address: str
    device_type: str
    model: LocalModel
    advertised_model: str
    # Whether the path that heard it can also connect (commands need one).
    connectable: bool

    @property
    def default_name(self) -> str:
        """The product and the last four digits of the address, as the SwitchBot app names it."""
        return f"{product_name(self.advertised_model) or self.device_type} {self.device_id[-4:]}"


def parse(info: bluetooth.BluetoothServiceInfoBleak) -> Any:
    """PySwitchbot's reading of an advertisement, or None (imported late, see link.py)."""
    return pyswitchbot().parse_advertisement_data(info.device, info.advertisement)


def found_device(info: bluetooth.BluetoothServiceInfoBleak) -> FoundDevice | None:
    """The device an advertisement comes from, if it is a SwitchBot one RoomSense drives."""
    parsed = parse(info)
    if parsed is None:
        return None
    model_name = getattr(parsed.data.get("modelName"), "name", None)
    device_type = discovered_type(model_name or "")
    model = model_for(device_type) if device_type else None
    if (
        model_name is None
        or device_type is None
        or model is None
        or model_name not in model.advertised_models
    ):
        return None
    return FoundDevice(
        device_id=device_id_of(info.address),
        address=info.address.upper(),
        device_type=device_type,
        model=model,
        advertised_model=model_name,
        connectable=info.connectable,
    )


def core_switchbot_ids(hass: HomeAssistant) -> set[str]:
    """The device ids (addresses without separators) set up in SwitchBot Bluetooth."""
    ids: set[str] = set()
    for entry in hass.config_entries.async_entries(CORE_SWITCHBOT_DOMAIN, include_ignore=False):
        address = entry.data.get(CONF_ADDRESS)
        if isinstance(address, str):
            ids.add(device_id_of(address))
        elif entry.unique_id:
            ids.add(device_id_of(entry.unique_id))
    return ids


def account_entry_of(hass: HomeAssistant, device_id: str) -> RoomSenseConfigEntry | None:
    """The RoomSense account entry (loaded, or loading) whose device list has the device."""
    entry: RoomSenseConfigEntry
    for entry in hass.config_entries.async_entries(DOMAIN):
        if (
            entry.state in (ConfigEntryState.LOADED, ConfigEntryState.SETUP_IN_PROGRESS)
            and CONF_ADDRESS not in entry.data
            # Set once the account's devices are read.
            and (data := getattr(entry, "runtime_data", None)) is not None
            and any(device.device_id == device_id for device in data.devices.devices)
        ):
            return entry
    return None


def local_entries(hass: HomeAssistant) -> list[RoomSenseConfigEntry]:
    """The Bluetooth-only entries."""
    return [
        entry for entry in hass.config_entries.async_entries(DOMAIN) if CONF_ADDRESS in entry.data
    ]
