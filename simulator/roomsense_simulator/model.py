"""The simulated home: devices, infrared remotes and scenes, loaded from a home file.

A home file is JSON (schema in simulator/README.md). Loading validates it strictly, so a typo
in a device type, a status field or a scene action fails at start-up, not halfway into a test.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from .families import DEVICE_TYPES
from .infrared import InfraredFamily, infrared_family, supported_remote_types
from .spec import NO_HUB, Effect, JsonObject, TypeSpec, WebhookSource

type HomeSource = str | os.PathLike[str] | Mapping[str, Any]
""""demo", "empty", a path to a home file, or an already parsed home."""

BUILT_IN_HOMES = ("demo", "empty")
_HOME_KEYS = {"name", "description", "devices", "infraredRemotes", "scenes"}
_DEVICE_KEYS = {
    "deviceId",
    "deviceName",
    "deviceType",
    "hubDeviceId",
    "enableCloudService",
    "online",
    "alias",
    "status",
    "internal",
    "listFields",
    "webhookDeviceType",
}
_REMOTE_KEYS = {
    "deviceId",
    "deviceName",
    "remoteType",
    "hubDeviceId",
    "alias",
    "customButtons",
    "state",
}
_SCENE_KEYS = {"sceneId", "sceneName", "alias", "actions"}
_ACTION_KEYS = {"deviceId", "command", "parameter", "commandType"}
_HISTORY_LIMIT = 100


class HomeError(ValueError):
    """A home file that cannot be loaded."""


@dataclass(slots=True)
class Device:
    """A physical device and its live state."""

    device_id: str
    name: str
    spec: TypeSpec
    hub_device_id: str | None
    status: JsonObject
    internal: JsonObject
    listing: JsonObject
    enable_cloud_service: bool = True
    online: bool = True
    alias: str | None = None
    webhook_device_type: str | None = None

    @property
    def device_type(self) -> str:
        """The exact `deviceType` string."""
        return self.spec.device_type

    @property
    def parent_hub_id(self) -> str | None:
        """The id of the hub this device reaches the cloud through, if any."""
        if self.hub_device_id in (None, "", NO_HUB, self.device_id):
            return None
        return self.hub_device_id

    def status_body(self) -> JsonObject:
        """The `body` of `GET /devices/{id}/status`."""
        if self.spec.status is None:
            return {}
        hub_id = self.device_id if self.spec.status_hub_is_self else self.hub_device_id
        return {
            "deviceId": self.device_id,
            "deviceType": self.device_type,
            "hubDeviceId": hub_id,
            **copy.deepcopy(self.status),
        }

    def listing_entry(self) -> JsonObject:
        """The device's entry in `GET /devices` `deviceList`."""
        entry: JsonObject = {
            "deviceId": self.device_id,
            "deviceName": self.name,
            "deviceType": self.device_type,
            "enableCloudService": self.enable_cloud_service,
            "hubDeviceId": self.hub_device_id,
        }
        entry |= copy.deepcopy(self.listing)
        for key in self.spec.listing_from_status:
            if key in self.status:
                entry[key] = self.status[key]
        return entry

    def webhook_source(self) -> WebhookSource:
        """The data webhook fields are computed from."""
        return WebhookSource(status=self.status, internal=self.internal, online=self.online)

    def apply(self, effect: Effect) -> bool:
        """Apply a command's effect; True when a status field changed."""
        changed = any(self.status.get(key) != value for key, value in effect.status.items())
        self.status |= copy.deepcopy(effect.status)
        self.internal |= copy.deepcopy(effect.internal)
        self.listing |= copy.deepcopy(effect.listing)
        return changed

    def set_online(self, online: bool) -> None:
        """Change connectivity, and the status fields that report it, where the type has them."""
        self.online = online
        if "onlineStatus" in self.status:
            self.status["onlineStatus"] = "online" if online else "offline"
        if "online" in self.status:
            self.status["online"] = online

    def admin_view(self, *, hub_online: bool | None) -> JsonObject:
        """The device as `GET /_sim/devices` shows it."""
        return {
            "kind": "device",
            "deviceId": self.device_id,
            "deviceName": self.name,
            "alias": self.alias,
            "deviceType": self.device_type,
            "hubDeviceId": self.hub_device_id,
            "online": self.online,
            "hubOnline": hub_online,
            "status": self.status_body(),
            "internal": copy.deepcopy(self.internal),
            "listEntry": self.listing_entry(),
            "acceptsCommands": bool(self.spec.commands),
            "webhookDeviceType": self.webhook_device_type
            or (self.spec.webhook.device_type if self.spec.webhook else None),
        }


@dataclass(slots=True)
class InfraredRemote:
    """A virtual infrared remote and the state implied by the commands sent to it."""

    device_id: str
    name: str
    remote_type: str
    family: InfraredFamily
    hub_device_id: str
    custom_buttons: list[str]
    state: JsonObject
    alias: str | None = None
    history: list[JsonObject] = field(default_factory=list)

    def listing_entry(self) -> JsonObject:
        """The remote's entry in `GET /devices` `infraredRemoteList`."""
        return {
            "deviceId": self.device_id,
            "deviceName": self.name,
            "remoteType": self.remote_type,
            "hubDeviceId": self.hub_device_id,
        }

    def record(self, command: str, parameter: Any, command_type: str, time_ms: int) -> None:
        """Remember a forwarded command (the newest `_HISTORY_LIMIT` are kept)."""
        self.history.append(
            {
                "time": time_ms,
                "command": command,
                "parameter": parameter,
                "commandType": command_type,
            }
        )
        del self.history[:-_HISTORY_LIMIT]

    def admin_view(self, *, hub_online: bool | None) -> JsonObject:
        """The remote as `GET /_sim/devices` shows it."""
        return {
            "kind": "infraredRemote",
            "deviceId": self.device_id,
            "deviceName": self.name,
            "alias": self.alias,
            "remoteType": self.remote_type,
            "hubDeviceId": self.hub_device_id,
            "online": hub_online,
            "customButtons": list(self.custom_buttons),
            "state": copy.deepcopy(self.state),
            "history": copy.deepcopy(self.history),
        }


@dataclass(frozen=True, slots=True)
class SceneAction:
    """One device command run by a scene."""

    device_id: str
    command: str
    parameter: Any = "default"
    command_type: str = "command"


@dataclass(frozen=True, slots=True)
class Scene:
    """A manual scene (`GET /scenes`) and the commands it runs."""

    scene_id: str
    name: str
    actions: tuple[SceneAction, ...]
    alias: str | None = None

    def listing_entry(self) -> JsonObject:
        """The scene's entry in `GET /scenes`."""
        return {"sceneId": self.scene_id, "sceneName": self.name}


class Home:
    """Every device, remote and scene of one simulated account."""

    def __init__(
        self,
        devices: Mapping[str, Device],
        remotes: Mapping[str, InfraredRemote],
        scenes: Mapping[str, Scene],
    ) -> None:
        self.devices: dict[str, Device] = dict(devices)
        self.remotes: dict[str, InfraredRemote] = dict(remotes)
        self.scenes: dict[str, Scene] = dict(scenes)

    @classmethod
    def from_definition(cls, definition: Mapping[str, Any]) -> Home:
        """Build a fresh home from a parsed home file; raises `HomeError` when it is invalid."""
        return _HomeParser(definition).parse()

    def find(self, device_id: str) -> Device | InfraredRemote | None:
        """A device or an infrared remote by id."""
        return self.devices.get(device_id) or self.remotes.get(device_id)

    def hub_online(self, hub_id: str | None) -> bool | None:
        """Whether the hub with this id is online; None when it is not a device of the home."""
        hub = self.devices.get(hub_id) if hub_id else None
        return hub.online if hub is not None else None

    def parent_hub_online(self, device: Device) -> bool | None:
        """Whether the hub that bridges `device` is online (None: no hub in between)."""
        return self.hub_online(device.parent_hub_id)

    def admin_view(self) -> JsonObject:
        """`GET /_sim/devices`."""
        return {
            "devices": [
                device.admin_view(hub_online=self.parent_hub_online(device))
                for device in self.devices.values()
            ],
            "infraredRemotes": [
                remote.admin_view(hub_online=self.hub_online(remote.hub_device_id))
                for remote in self.remotes.values()
            ],
        }


def load_home_definition(source: HomeSource) -> dict[str, Any]:
    """Read a home ("demo", "empty", a file path or a mapping) and check that it is valid."""
    if isinstance(source, Mapping):
        definition: Any = copy.deepcopy(dict(source))
    else:
        if isinstance(source, str) and source in BUILT_IN_HOMES:
            text = (
                resources.files(__package__)
                .joinpath("homes", f"{source}.json")
                .read_text(encoding="utf-8")
            )
            origin = f"built-in home {source!r}"
        else:
            path = Path(source)
            origin = str(path)
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as error:
                raise HomeError(f"cannot read home file {origin}: {error}") from error
        try:
            definition = json.loads(text)
        except ValueError as error:
            raise HomeError(f"{origin} is not valid JSON: {error}") from error
    if not isinstance(definition, dict):
        raise HomeError("a home must be a JSON object")
    Home.from_definition(definition)  # validate now rather than on first use
    return definition


class _HomeParser:
    """Turns a home definition into a `Home`, collecting the first problem as a `HomeError`."""

    def __init__(self, definition: Mapping[str, Any]) -> None:
        self._definition = definition

    def parse(self) -> Home:
        _check_keys(self._definition, _HOME_KEYS, "home")
        devices: dict[str, Device] = {}
        for raw in _list_of_objects(self._definition, "devices", "home"):
            device = self._device(raw)
            if device.device_id in devices:
                raise HomeError(f"device id {device.device_id!r} is used twice")
            devices[device.device_id] = device
        for device in devices.values():
            hub_id = device.parent_hub_id
            if hub_id is not None and hub_id not in devices:
                raise HomeError(
                    f"device {device.device_id!r}: hubDeviceId {hub_id!r} is not a device of "
                    f'this home (use "{NO_HUB}" for Wi-Fi devices)'
                )
        remotes: dict[str, InfraredRemote] = {}
        for raw in _list_of_objects(self._definition, "infraredRemotes", "home"):
            remote = self._remote(raw, devices)
            if remote.device_id in remotes or remote.device_id in devices:
                raise HomeError(f"device id {remote.device_id!r} is used twice")
            remotes[remote.device_id] = remote
        scenes: dict[str, Scene] = {}
        for raw in _list_of_objects(self._definition, "scenes", "home"):
            scene = self._scene(raw, devices.keys() | remotes.keys())
            if scene.scene_id in scenes:
                raise HomeError(f"scene id {scene.scene_id!r} is used twice")
            scenes[scene.scene_id] = scene
        return Home(devices, remotes, scenes)

    @staticmethod
    def _device(raw: Mapping[str, Any]) -> Device:
        device_id = _string(raw, "deviceId", "device")
        where = f"device {device_id!r}"
        _check_keys(raw, _DEVICE_KEYS, where)
        device_type = _string(raw, "deviceType", where)
        spec = DEVICE_TYPES.get(device_type)
        if spec is None:
            raise HomeError(
                f"{where}: unknown deviceType {device_type!r}; supported: {sorted(DEVICE_TYPES)}"
            )
        status = copy.deepcopy(dict(spec.status or {}))
        overrides = _object(raw, "status", where)
        unknown = overrides.keys() - status.keys()
        if unknown:
            raise HomeError(
                f"{where}: status fields {sorted(unknown)} are not fields of {device_type!r} "
                f"(known: {sorted(status)})"
            )
        status |= copy.deepcopy(overrides)
        hub_device_id = raw.get("hubDeviceId", NO_HUB)
        if hub_device_id is not None and not isinstance(hub_device_id, str):
            raise HomeError(f"{where}: hubDeviceId must be a string or null")
        device = Device(
            device_id=device_id,
            name=_string(raw, "deviceName", where),
            spec=spec,
            hub_device_id=hub_device_id,
            status=status,
            internal=copy.deepcopy(dict(spec.internal)) | _object(raw, "internal", where),
            listing=spec.listing(device_id) | _object(raw, "listFields", where),
            enable_cloud_service=_boolean(raw, "enableCloudService", where, default=True),
            alias=_optional_string(raw, "alias", where),
            webhook_device_type=_optional_string(raw, "webhookDeviceType", where),
        )
        device.set_online(_boolean(raw, "online", where, default=True))
        return device

    @staticmethod
    def _remote(raw: Mapping[str, Any], devices: Mapping[str, Device]) -> InfraredRemote:
        device_id = _string(raw, "deviceId", "infrared remote")
        where = f"infrared remote {device_id!r}"
        _check_keys(raw, _REMOTE_KEYS, where)
        remote_type = _string(raw, "remoteType", where)
        family = infrared_family(remote_type)
        if family is None:
            raise HomeError(
                f"{where}: unknown remoteType {remote_type!r}; supported: "
                f'{supported_remote_types()} (each also with a "DIY " prefix)'
            )
        hub_id = _string(raw, "hubDeviceId", where)
        hub = devices.get(hub_id)
        if hub is None or not hub.spec.infrared_hub:
            raise HomeError(f"{where}: hubDeviceId {hub_id!r} must be an infrared-capable hub")
        buttons = raw.get("customButtons", [])
        if not isinstance(buttons, list) or not all(isinstance(b, str) and b for b in buttons):
            raise HomeError(f"{where}: customButtons must be a list of button names")
        state = copy.deepcopy(dict(family.state))
        overrides = _object(raw, "state", where)
        if overrides.keys() - state.keys():
            raise HomeError(f"{where}: state fields must be among {sorted(state)}")
        return InfraredRemote(
            device_id=device_id,
            name=_string(raw, "deviceName", where),
            remote_type=remote_type,
            family=family,
            hub_device_id=hub_id,
            custom_buttons=list(buttons),
            state=state | overrides,
            alias=_optional_string(raw, "alias", where),
        )

    @staticmethod
    def _scene(raw: Mapping[str, Any], device_ids: set[str]) -> Scene:
        scene_id = _string(raw, "sceneId", "scene")
        where = f"scene {scene_id!r}"
        _check_keys(raw, _SCENE_KEYS, where)
        actions: list[SceneAction] = []
        for action in _list_of_objects(raw, "actions", where):
            _check_keys(action, _ACTION_KEYS, f"{where} action")
            device_id = _string(action, "deviceId", f"{where} action")
            if device_id not in device_ids:
                raise HomeError(f"{where}: action targets unknown device {device_id!r}")
            actions.append(
                SceneAction(
                    device_id=device_id,
                    command=_string(action, "command", f"{where} action"),
                    parameter=action.get("parameter", "default"),
                    command_type=action.get("commandType", "command"),
                )
            )
        return Scene(
            scene_id=scene_id,
            name=_string(raw, "sceneName", where),
            actions=tuple(actions),
            alias=_optional_string(raw, "alias", where),
        )


def _check_keys(raw: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = raw.keys() - allowed
    if unknown:
        raise HomeError(f"{where}: unknown keys {sorted(unknown)} (allowed: {sorted(allowed)})")


def _string(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value:
        raise HomeError(f"{where}: {key} must be a non-empty string")
    return value


def _optional_string(raw: Mapping[str, Any], key: str, where: str) -> str | None:
    value = raw.get(key)
    if value is not None and not isinstance(value, str):
        raise HomeError(f"{where}: {key} must be a string")
    return value


def _boolean(raw: Mapping[str, Any], key: str, where: str, *, default: bool) -> bool:
    value = raw.get(key, default)
    if not isinstance(value, bool):
        raise HomeError(f"{where}: {key} must be true or false")
    return value


def _object(raw: Mapping[str, Any], key: str, where: str) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise HomeError(f"{where}: {key} must be an object")
    return copy.deepcopy(value)


def _list_of_objects(raw: Mapping[str, Any], key: str, where: str) -> list[Mapping[str, Any]]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise HomeError(f"{where}: {key} must be a list of objects")
    return value
