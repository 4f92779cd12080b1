"""RoomSense: run a SwitchBot home from Home Assistant."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .const import CONF_BASE_URL, CONF_SECRET, CONF_TOKEN, DEFAULT_CLOUD_URL, DOMAIN
from .data import RoomSenseConfigEntry, RoomSenseData
from .switchbot_cloud import (
    SwitchBotAuthenticationError,
    SwitchBotCloudClient,
    SwitchBotConnectionError,
    SwitchBotError,
    SwitchBotQuotaExceededError,
)


async def async_setup_entry(hass: HomeAssistant, entry: RoomSenseConfigEntry) -> bool:
    """Connect to the SwitchBot account and read its devices."""
    client = SwitchBotCloudClient(
        entry.data[CONF_TOKEN],
        entry.data[CONF_SECRET],
        async_get_clientsession(hass),
        base_url=entry.data.get(CONF_BASE_URL, DEFAULT_CLOUD_URL),
    )
    try:
        devices = await client.get_devices()
    except SwitchBotAuthenticationError as err:
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key="invalid_auth"
        ) from err
    except SwitchBotQuotaExceededError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN, translation_key="quota_exceeded"
        ) from err
    except SwitchBotConnectionError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="cannot_connect",
            translation_placeholders={"error": str(err)},
        ) from err
    except SwitchBotError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="cloud_error",
            translation_placeholders={"error": str(err)},
        ) from err

    entry.runtime_data = RoomSenseData(client=client, devices=devices)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: RoomSenseConfigEntry) -> bool:
    """Unload an entry; it holds no platforms or listeners yet."""
    return True
