"""Building blocks that describe one SwitchBot device type as data.

Every device type of the reference (§4-§5) is one `TypeSpec`: its default status fields, the
commands it accepts (name -> handler), the extra fields it shows in `GET /devices`, and how its
status maps onto a webhook `changeReport` context (§7). The engine never branches on a type
name; it only reads these tables.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

type JsonObject = dict[str, Any]

NO_HUB = "000000000000"
"""The `hubDeviceId` of hubs and Wi-Fi devices (reference §3.1)."""


class Missing:
    """Marker for a webhook field that a device does not report right now."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING = Missing()


@dataclass(frozen=True, slots=True)
class CommandRequest:
    """What a command handler sees: the device's current data and the decoded request."""

    device_id: str
    status: Mapping[str, Any]
    internal: Mapping[str, Any]
    listing: Mapping[str, Any]
    parameter: Any
    command_id: str
    now_ms: int


@dataclass(slots=True)
class Effect:
    """What a command does. The engine applies it only after the handler returned.

    Handlers validate first and describe the change afterwards, so a rejected parameter
    (statusCode 190) never leaves a half-changed device behind.
    """

    status: JsonObject = field(default_factory=dict)
    """Fields merged into the status body (`GET /status`)."""
    internal: JsonObject = field(default_factory=dict)
    """Simulator-only state the cloud does not expose (volume, target humidity, ...)."""
    listing: JsonObject = field(default_factory=dict)
    """Fields merged into the device's `GET /devices` entry (e.g. a keypad's `keyList`)."""
    body: JsonObject = field(default_factory=dict)
    """The `body` of the API reply, e.g. `{"commandId": "CMD..."}`."""
    events: list[JsonObject] = field(default_factory=list)
    """Extra webhook contexts to push, e.g. the result of an asynchronous keypad command."""


type CommandHandler = Callable[[CommandRequest], Effect]


@dataclass(frozen=True, slots=True)
class WebhookSource:
    """The device data a webhook field is computed from."""

    status: Mapping[str, Any]
    internal: Mapping[str, Any]
    online: bool


type WebhookField = Callable[[WebhookSource], Any]


@dataclass(frozen=True, slots=True)
class WebhookSpec:
    """How a device type reports changes to the webhook URL (reference §7)."""

    device_type: str
    """`context.deviceType`; it often differs from the list/status `deviceType` (§4)."""
    fields: Mapping[str, WebhookField]


type ListingFactory = Callable[[str], JsonObject]


def _no_listing(_device_id: str) -> JsonObject:
    return {}


@dataclass(frozen=True, slots=True)
class TypeSpec:
    """Everything the simulator knows about one `deviceType` string."""

    device_type: str
    status: Mapping[str, Any] | None
    """Default status fields; None for types whose status body is empty (Hub Mini, cameras)."""
    commands: Mapping[str, CommandHandler] = field(default_factory=dict)
    """Accepted commands; empty means the type takes no commands at all (statusCode 151)."""
    webhook: WebhookSpec | None = None
    """None for the types listed as sending no webhook (§7)."""
    listing: ListingFactory = _no_listing
    """Default extra `GET /devices` fields, built from the device id (group id lists)."""
    listing_from_status: tuple[str, ...] = ()
    """`GET /devices` fields that mirror live status fields (e.g. a Blind Tilt's position)."""
    internal: Mapping[str, Any] = field(default_factory=dict)
    """Default simulator-only state."""
    status_hub_is_self: bool = False
    """Hub 2/3 and relay switches report their own id as `hubDeviceId` in the status."""
    infrared_hub: bool = False
    """Whether infrared remotes can be attached to this device (§6, §8)."""


def spelled(spec: TypeSpec, device_type: str) -> TypeSpec:
    """The same device under another `deviceType` the cloud reports for it.

    The cloud's list says e.g. "Smart Lock Lite" where the reference says "Lock Lite" (§4);
    both spellings behave alike and push the same webhook.
    """
    return replace(spec, device_type=device_type)


# --- webhook field helpers ----------------------------------------------------------------


def copy(key: str) -> WebhookField:
    """Report a status field unchanged."""

    def extract(source: WebhookSource) -> Any:
        return source.status.get(key, MISSING)

    return extract


def const(value: Any) -> WebhookField:
    """Report a fixed value, e.g. `scale: "CELSIUS"`."""

    def extract(_source: WebhookSource) -> Any:
        return value

    return extract


def from_internal(key: str, default: Any) -> WebhookField:
    """Report a simulator-only value (e.g. a contact sensor's `doorMode`)."""

    def extract(source: WebhookSource) -> Any:
        return source.internal.get(key, default)

    return extract


def upper(key: str) -> WebhookField:
    """Status `power: "on"` becomes webhook `powerState: "ON"`."""

    def extract(source: WebhookSource) -> Any:
        value = source.status.get(key, MISSING)
        return value.upper() if isinstance(value, str) else value

    return extract


def detection(key: str) -> WebhookField:
    """Status `moveDetected: true` becomes webhook `detectionState: "DETECTED"`."""

    def extract(source: WebhookSource) -> Any:
        if key not in source.status:
            return MISSING
        return "DETECTED" if source.status[key] else "NOT_DETECTED"

    return extract


_LOCK_STATES = {"lock": "LOCKED", "unlock": "UNLOCKED", "jammed": "JAMMED"}


def lock_state(source: WebhookSource) -> Any:
    """Status `lockState: "lock"` becomes webhook `lockState: "LOCKED"`.

    `latchBoltLocked` has no documented webhook spelling; it is sent uppercased.
    """
    value = source.status.get("lockState", MISSING)
    if isinstance(value, str):
        return _LOCK_STATES.get(value, value.upper())
    return value


def online(source: WebhookSource) -> Any:
    """The device's connectivity, for the webhooks that carry `online`."""
    return source.online
