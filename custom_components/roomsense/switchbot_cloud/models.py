"""Typed models of SwitchBot Open API v1.1 bodies.

Only the fields documented in the v1.1 reference are typed; every model keeps the raw
body too, so fields the cloud adds later are never lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

NO_HUB = "000000000000"


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _number[N: (int, float)](value: Any, kind: type[N]) -> N | None:
    """`value` as an int or a float; None for none, a bool or what is not a number."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        return kind(value)
    except (TypeError, ValueError):
        return None


def _int(value: Any) -> int | None:
    return _number(value, int)


def _float(value: Any) -> float | None:
    return _number(value, float)


def as_bool(value: Any) -> bool | None:
    """A SwitchBot on/off value (bool, 0/1, "on"/"off", "open"...), None when it is none."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("on", "true", "1", "open", "online"):
            return True
        if lowered in ("off", "false", "0", "close", "closed", "offline"):
            return False
    return None


def _hub_id(value: Any) -> str | None:
    """Normalise the hub id: Wi-Fi devices say "000000000000" or null for "no hub"."""
    hub = _str(value)
    return None if hub in (None, "", NO_HUB) else hub


@dataclass(frozen=True, slots=True)
class Device:
    """A physical device of the `deviceList`."""

    device_id: str
    name: str
    device_type: str
    hub_device_id: str | None
    enable_cloud_service: bool
    raw: dict[str, Any] = field(repr=False, compare=False)

    @property
    def type_string(self) -> str:
        """The `deviceType`, named alike on infrared remotes (their `remoteType`)."""
        return self.device_type

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Device:
        """Build a device from one `deviceList` entry."""
        return cls(
            device_id=str(data["deviceId"]),
            name=str(data.get("deviceName") or data["deviceId"]),
            device_type=str(data.get("deviceType") or ""),
            hub_device_id=_hub_id(data.get("hubDeviceId")),
            enable_cloud_service=bool(data.get("enableCloudService", True)),
            raw=data,
        )


@dataclass(frozen=True, slots=True)
class InfraredRemote:
    """A virtual infrared remote of the `infraredRemoteList`."""

    device_id: str
    name: str
    remote_type: str
    hub_device_id: str | None
    raw: dict[str, Any] = field(repr=False, compare=False)

    @property
    def type_string(self) -> str:
        """The appliance type, named like a physical device's `device_type`."""
        return self.remote_type

    @property
    def is_diy(self) -> bool:
        """Learned remotes are reported as "DIY <type>"."""
        return self.remote_type.startswith("DIY ")

    @property
    def base_remote_type(self) -> str:
        """The appliance type without the "DIY " prefix."""
        return self.remote_type.removeprefix("DIY ")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InfraredRemote:
        """Build a remote from one `infraredRemoteList` entry."""
        return cls(
            device_id=str(data["deviceId"]),
            name=str(data.get("deviceName") or data["deviceId"]),
            remote_type=str(data.get("remoteType") or ""),
            hub_device_id=_hub_id(data.get("hubDeviceId")),
            raw=data,
        )


@dataclass(frozen=True, slots=True)
class DeviceList:
    """The body of `GET /v1.1/devices`."""

    devices: list[Device]
    infrared_remotes: list[InfraredRemote]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DeviceList:
        """Build the list, skipping entries without a device id."""
        return cls(
            devices=[
                Device.from_dict(item)
                for item in data.get("deviceList") or []
                if isinstance(item, dict) and item.get("deviceId")
            ],
            infrared_remotes=[
                InfraredRemote.from_dict(item)
                for item in data.get("infraredRemoteList") or []
                if isinstance(item, dict) and item.get("deviceId")
            ],
        )


class LockState(StrEnum):
    """Lock states, normalised from the status (`lock`) and webhook (`LOCKED`) spellings."""

    LOCKED = "locked"
    UNLOCKED = "unlocked"
    JAMMED = "jammed"
    LATCH_BOLT_LOCKED = "latch_bolt_locked"


_LOCK_STATES = {
    "lock": LockState.LOCKED,
    "locked": LockState.LOCKED,
    "unlock": LockState.UNLOCKED,
    "unlocked": LockState.UNLOCKED,
    "jammed": LockState.JAMMED,
    "latchboltlocked": LockState.LATCH_BOLT_LOCKED,
}


@dataclass(frozen=True, slots=True)
class DeviceStatus:
    """A status body of `GET /v1.1/devices/{id}/status`, typed where v1.1 documents it.

    A field is None when this device type does not report it.
    """

    device_id: str
    device_type: str
    hub_device_id: str | None
    raw: dict[str, Any] = field(repr=False, compare=False)
    power: bool | None = None
    battery: int | None = None
    version: str | None = None
    online: bool | None = None
    temperature: float | None = None
    humidity: int | None = None
    co2: int | None = None
    light_level: int | None = None
    brightness: int | str | None = None
    color: tuple[int, int, int] | None = None
    color_temperature: int | None = None
    slide_position: int | None = None
    moving: bool | None = None
    direction: str | None = None
    lock_state: LockState | None = None
    door_state: str | None = None
    move_detected: bool | None = None
    open_state: str | None = None
    device_mode: str | None = None
    mode: int | str | None = None
    fan_speed: int | None = None
    voltage: float | None = None
    power_watts: float | None = None
    electric_current: float | None = None
    working_status: str | None = None
    task_type: str | None = None
    child_lock: bool | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DeviceStatus:
        """Parse a flat status body."""
        online = as_bool(data["online"]) if "online" in data else None
        if online is None and "onlineStatus" in data:
            online = as_bool(data["onlineStatus"])
        power = as_bool(data["power"]) if isinstance(data.get("power"), str) else None
        if power is None and "switchStatus" in data:
            power = as_bool(data["switchStatus"])
        brightness = data.get("brightness")
        mode = data.get("mode")
        # The Presence Sensor reports a capitalised `Detected`.
        moved = data.get("moveDetected", data.get("Detected"))
        return cls(
            device_id=str(data.get("deviceId", "")),
            device_type=str(data.get("deviceType", "")),
            hub_device_id=_hub_id(data.get("hubDeviceId")),
            raw=data,
            power=power,
            battery=_int(data.get("battery")),
            version=_str(data.get("version")),
            online=online,
            temperature=_float(data.get("temperature")),
            humidity=_int(data.get("humidity")),
            co2=_int(data.get("CO2")),
            light_level=_int(data.get("lightLevel")),
            brightness=brightness if isinstance(brightness, str) else _int(brightness),
            color=_rgb(data.get("color")),
            color_temperature=_int(data.get("colorTemperature")),
            slide_position=_int(data.get("slidePosition")),
            moving=as_bool(data["moving"]) if "moving" in data else None,
            direction=_str(data.get("direction")),
            lock_state=_LOCK_STATES.get(data["lockState"].lower())
            if isinstance(data.get("lockState"), str)
            else None,
            door_state=_str(data.get("doorState")),
            move_detected=as_bool(moved) if moved is not None else None,
            open_state=_str(data.get("openState")),
            device_mode=_str(data.get("deviceMode")),
            mode=mode if isinstance(mode, str) else _int(mode),
            fan_speed=_int(data.get("fanSpeed")),
            voltage=_float(data.get("voltage")),
            power_watts=_watts(data),
            electric_current=_float(data.get("electricCurrent")),
            working_status=_str(data.get("workingStatus")),
            task_type=_str(data.get("taskType")),
            child_lock=as_bool(data["childLock"]) if "childLock" in data else None,
            extra={key: value for key, value in data.items() if key not in _TYPED_KEYS},
        )


def _rgb(value: Any) -> tuple[int, int, int] | None:
    """A colour "R:G:B" as three numbers."""
    parts = value.split(":") if isinstance(value, str) else []
    if len(parts) != 3 or not all(part.strip().isdigit() for part in parts):
        return None
    return (int(parts[0]), int(parts[1]), int(parts[2]))


def _watts(data: dict[str, Any]) -> float | None:
    """Plug Mini EU and relays report `power` in watts; the US/JP plugs report `weight`."""
    watts = None if isinstance(data.get("power"), str) else _float(data.get("power"))
    return _float(data.get("weight")) if watts is None else watts


_TYPED_KEYS = frozenset(
    {
        "deviceId", "deviceType", "hubDeviceId", "power", "battery", "version", "online",
        "onlineStatus", "temperature", "humidity", "CO2", "lightLevel", "brightness", "color",
        "colorTemperature", "slidePosition", "moving", "direction", "lockState", "doorState",
        "moveDetected", "Detected", "openState", "deviceMode", "mode", "fanSpeed", "voltage",
        "weight", "electricCurrent", "workingStatus", "taskType", "childLock", "switchStatus",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Scene:
    """A manual scene of `GET /v1.1/scenes`."""

    scene_id: str
    name: str

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Scene:
        """Build a scene from one entry of the scenes array."""
        return cls(scene_id=str(data["sceneId"]), name=str(data.get("sceneName") or ""))


@dataclass(frozen=True, slots=True)
class CommandResult:
    """The body of a successful command; some devices answer with a command id."""

    command_id: str | None
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_body(cls, body: Any) -> CommandResult:
        """Build from the `body` of a command answer (usually `{}`)."""
        data = body if isinstance(body, dict) else {}
        return cls(command_id=_str(data.get("commandId")), raw=data)


@dataclass(frozen=True, slots=True)
class WebhookDetails:
    """One entry of a `queryDetails` answer."""

    url: str
    enabled: bool
    device_list: str
    create_time: int | None
    last_update_time: int | None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> WebhookDetails:
        """Build from one `queryDetails` entry."""
        return cls(
            url=str(data.get("url", "")),
            enabled=bool(data.get("enable", True)),
            device_list=str(data.get("deviceList", "ALL")),
            create_time=_int(data.get("createTime")),
            last_update_time=_int(data.get("lastUpdateTime")),
        )
