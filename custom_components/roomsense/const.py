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

# The title of an account's entry: the name of its account device, and so of its conversation
# agent (what Settings > Voice assistants and the Assist dialog call it).
DEFAULT_TITLE: Final = "RoomSense"
MANUFACTURER: Final = "SwitchBot"
DEFAULT_CLOUD_URL: Final = DEFAULT_BASE_URL

# Options.
OPT_POLLING_SHARE: Final = "polling_share"
OPT_STALENESS: Final = "staleness"
# Percent of the daily quota that polling may spend.
DEFAULT_POLLING_SHARE: Final = 50
# Seconds a last known state may be shown before the entity becomes unavailable.
DEFAULT_STALENESS: Final = 3600
OPT_ALLOWED_NETWORKS: Final = "allowed_networks"
OPT_QUEUE_TTL: Final = "queue_ttl"
DEFAULT_QUEUE_TTL: Final = 600
# Offer Home Assistant's own Assist tools to the model too.
OPT_LLM_HASS_API: Final = "llm_hass_api"
# Edge devices: a dispatched job with no result this long fails with reason `timeout`;
# finished jobs past the maximum are forgotten, oldest first.
OPT_DEVICE_RESULT_TIMEOUT: Final = "device_result_timeout"
DEFAULT_DEVICE_RESULT_TIMEOUT: Final = 120
OPT_MAX_COMPLETED_JOBS: Final = "max_completed_jobs"
DEFAULT_MAX_COMPLETED_JOBS: Final = 200

# What the webhook ids RoomSense registers start with (so a URL tells it is one of them).
WEBHOOK_ID_PREFIX: Final = "roomsense_"

# Events on the Home Assistant bus: a contract.
EVENT_ROOMSENSE: Final = "roomsense_event"
EVENT_COMMAND_RESULT: Final = "roomsense_command_result"
EVENT_AUDIT: Final = "roomsense_audit"

# Sent when a RoomSense entry has finished setting up: work that waited for devices goes on.
SIGNAL_ENTRY_LOADED: Final = f"{DOMAIN}_entry_loaded"

# Supervisor discovery of the RoomSense LLM add-on (service `roomsense`): the add-on an
# entry's language model was pointed at, as {"slug": ..., "base_url": ...}. A later
# discovery of the same add-on at a new address updates only entries still pointed at it.
OPT_LLM_ADDON: Final = "llm_addon"
ADDON_CONF_HOST: Final = "host"
ADDON_CONF_PORT: Final = "port"
ADDON_CONF_MODEL: Final = "model"

# Every acting platform's PARALLEL_UPDATES. Actions are not limited: each is one cloud
# request (the cloud takes several at once) or one Bluetooth exchange, which PySwitchbot
# already holds to one at a time per device.
UNLIMITED_ACTIONS: Final = 0
