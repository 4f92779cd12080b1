"""The assumed state of infrared appliances: what they were last told, from any path.

An infrared remote cannot report back, so its state is what RoomSense last sent, whoever
sent it: the entity, the agent, a service, an automation or a learned scene. The command
gateway applies every accepted command here; the entities only read. The states are kept
in a `Store`, so a restart shows what the appliance was last told.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.storage import Store

from .catalog import DeviceKind
from .const import DOMAIN

STORAGE_VERSION: Final = 1
SAVE_DELAY: Final = 1.0

# The power a command leaves a device with, as its status says it.
_POWER_AFTER: Final = {"turnOn": "on", "turnOff": "off"}
# `setAll` of an air conditioner: "temperature,mode,fan speed,on|off" (reference §6.3).
SET_ALL: Final = "setAll"
SET_CHANNEL: Final = "SetChannel"
SWING: Final = "swing"
FAN_SPEED_COMMANDS: Final = {"lowSpeed": "low", "middleSpeed": "middle", "highSpeed": "high"}

type Fields = dict[str, Any]


def command_effect(
    kind: DeviceKind,
    command: str,
    parameter: str | int | dict[str, Any],
    command_type: str,
    current: Mapping[str, Any],
) -> Fields:
    """The fields an infrared command changes in the appliance's assumed state.

    Learned buttons (`customize`) change nothing anyone can know.
    """
    if command_type != "command":
        return {}
    if command in _POWER_AFTER:
        return {"power": _POWER_AFTER[command]}
    if kind is DeviceKind.AIR_CONDITIONER and command == SET_ALL:
        return _set_all_fields(parameter)
    if kind is DeviceKind.FAN:
        if command in FAN_SPEED_COMMANDS:
            return {"speed": FAN_SPEED_COMMANDS[command]}
        if command == SWING:
            # The button toggles: the new state is the opposite of the assumed one.
            return {"oscillating": not current.get("oscillating", False)}
    if command == SET_CHANNEL and str(parameter).isdigit():
        return {"channel": int(str(parameter))}
    return {}


# Commands whose effect on a device's reported status is plain: the field they set.
_STATUS_FIELDS: Final = {
    "setBrightness": "brightness",
    "setColor": "color",
    "setColorTemperature": "colorTemperature",
}


def status_effect(
    command: str, parameter: str | int | dict[str, Any], status: Mapping[str, Any]
) -> Fields:
    """What a command to a physical device makes its status show until the cloud confirms.

    Only fields the device reports are touched; anything less plain is left to the entity
    that knows the device (or to the read-back after the command).
    """
    if command in _POWER_AFTER and isinstance(status.get("power"), str):
        power = _POWER_AFTER[command]
        # Some families report ON/OFF in capitals.
        return {"power": power.upper() if status["power"].isupper() else power}
    field = _STATUS_FIELDS.get(command)
    if field is not None and field in status and not isinstance(parameter, dict):
        value = str(parameter)
        return {field: int(value) if value.isdigit() else value}
    return {}


def _set_all_fields(parameter: str | int | dict[str, Any]) -> Fields:
    parts = [part.strip() for part in str(parameter).split(",")]
    if len(parts) != 4 or not all(part.isdigit() for part in parts[:3]):
        return {}
    temperature, mode, fan_speed, power = parts
    if power not in _POWER_AFTER.values():
        return {}
    return {
        "temperature": int(temperature),
        "mode": int(mode),
        "fanSpeed": int(fan_speed),
        "power": power,
    }


class AssumedStates:
    """The assumed states of one entry's infrared remotes, by SwitchBot device id."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Kept in `.storage/roomsense.<entry_id>.assumed_state`."""
        self._store = _assumed_store(hass, entry_id)
        self._states: dict[str, Fields] = {}
        self._unsaved = False
        self._listeners: dict[str, list[Callable[[], None]]] = {}

    def _saved(self) -> dict[str, Fields]:
        self._unsaved = False
        return self._states

    async def async_flush(self) -> None:
        """Write what is not written yet (the entry unloading), so no write comes later."""
        if self._unsaved:
            await self._store.async_save(self._saved())

    async def async_load(self) -> None:
        """Read what was assumed before the restart."""
        stored = await self._store.async_load()
        if isinstance(stored, dict):
            self._states = {
                device_id: dict(fields)
                for device_id, fields in stored.items()
                if isinstance(fields, dict)
            }

    def get(self, device_id: str) -> Fields | None:
        """The assumed fields of an appliance; None when nothing was ever assumed."""
        return self._states.get(device_id)

    @callback
    def async_apply(self, device_id: str, fields: Mapping[str, Any]) -> None:
        """Take on new fields, tell the appliance's entities, and save soon."""
        if not fields:
            return
        self._states[device_id] = {**self._states.get(device_id, {}), **fields}
        self._unsaved = True
        self._store.async_delay_save(self._saved, SAVE_DELAY)
        for listener in list(self._listeners.get(device_id, ())):
            listener()

    @callback
    def async_seed(self, device_id: str, fields: Mapping[str, Any]) -> None:
        """Fill in a state restored some other way (an entity's last state), if none is kept."""
        if device_id not in self._states and fields:
            self.async_apply(device_id, fields)

    @callback
    def async_listen(self, device_id: str, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Call `listener` whenever this appliance's assumed state changes."""
        self._listeners.setdefault(device_id, []).append(listener)

        @callback
        def remove() -> None:
            self._listeners[device_id].remove(listener)

        return remove


def _assumed_store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Fields]]:
    return Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.assumed_state")


async def async_remove_assumed_states(hass: HomeAssistant, entry_id: str) -> None:
    """Forget a removed entry's assumed states."""
    await _assumed_store(hass, entry_id).async_remove()
