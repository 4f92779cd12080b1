"""Constants of the RoomSense integration."""

from __future__ import annotations

import logging
from typing import Final

from .switchbot_cloud import DEFAULT_BASE_URL

DOMAIN: Final = "roomsense"
LOGGER = logging.getLogger(__package__)

# Config entry data keys: a contract other code relies on.
CONF_TOKEN: Final = "token"  # noqa: S105 - a key name, not a secret
CONF_SECRET: Final = "secret"  # noqa: S105 - a key name, not a secret
CONF_BASE_URL: Final = "base_url"

DEFAULT_TITLE: Final = "SwitchBot"
MANUFACTURER: Final = "SwitchBot"
DEFAULT_CLOUD_URL: Final = DEFAULT_BASE_URL

# Options.
OPT_POLLING_SHARE: Final = "polling_share"
OPT_STALENESS: Final = "staleness"
DEFAULT_POLLING_SHARE: Final = 0.5
DEFAULT_STALENESS: Final = 3600
