"""Async client of the SwitchBot Open API v1.1, independent of Home Assistant."""

from .client import DEFAULT_BASE_URL, SwitchBotCloudClient
from .counter import DEFAULT_DAILY_LIMIT, CallCounter
from .exceptions import (
    SwitchBotApiError,
    SwitchBotAuthenticationError,
    SwitchBotCommandError,
    SwitchBotConnectionError,
    SwitchBotDeviceError,
    SwitchBotDeviceNotFoundError,
    SwitchBotDeviceOfflineError,
    SwitchBotDeviceTypeError,
    SwitchBotError,
    SwitchBotHubOfflineError,
    SwitchBotOfflineError,
    SwitchBotQuotaExceededError,
    SwitchBotUnsupportedCommandError,
    SwitchBotWebhookExistsError,
)
from .models import (
    CommandResult,
    Device,
    DeviceList,
    DeviceStatus,
    InfraredRemote,
    LockState,
    Scene,
    WebhookDetails,
    as_bool,
)
from .signing import compute_signature, signed_headers

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_DAILY_LIMIT",
    "CallCounter",
    "CommandResult",
    "Device",
    "DeviceList",
    "DeviceStatus",
    "InfraredRemote",
    "LockState",
    "Scene",
    "SwitchBotApiError",
    "SwitchBotAuthenticationError",
    "SwitchBotCloudClient",
    "SwitchBotCommandError",
    "SwitchBotConnectionError",
    "SwitchBotDeviceError",
    "SwitchBotDeviceNotFoundError",
    "SwitchBotDeviceOfflineError",
    "SwitchBotDeviceTypeError",
    "SwitchBotError",
    "SwitchBotHubOfflineError",
    "SwitchBotOfflineError",
    "SwitchBotQuotaExceededError",
    "SwitchBotUnsupportedCommandError",
    "SwitchBotWebhookExistsError",
    "WebhookDetails",
    "as_bool",
    "compute_signature",
    "signed_headers",
]
