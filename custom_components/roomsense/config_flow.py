"""Config flow of RoomSense: a SwitchBot account given by its token and secret.

The Bluetooth discovery steps (`flows/bluetooth.py`) and the add-on discovery
(`flows/addon.py`) are mixed in; the options flow is `flows/options.py`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
)
from homeassistant.core import callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .ble.discovery import CONF_ADDRESS
from .const import CONF_BASE_URL, CONF_SECRET, CONF_TOKEN, DEFAULT_TITLE, DOMAIN, LOGGER
from .flows.addon import AddonDiscoverySteps
from .flows.bluetooth import BluetoothDiscoverySteps
from .flows.options import RoomSenseOptionsFlow
from .flows.schemas import flatten, reauth_schema, user_schema
from .switchbot_cloud import (
    SwitchBotAuthenticationError,
    SwitchBotCloudClient,
    SwitchBotConnectionError,
    SwitchBotQuotaExceededError,
)


def account_unique_id(token: str) -> str:
    """A stable id for the account that does not reveal the token."""
    return hashlib.sha256(token.strip().encode()).hexdigest()[:32]


class RoomSenseConfigFlow(BluetoothDiscoverySteps, AddonDiscoverySteps, ConfigFlow, domain=DOMAIN):
    """Set up a SwitchBot account, or one SwitchBot device found over Bluetooth."""

    VERSION = 1
    # 1.2: the webhook id is kept in the entry data (1.1: in the options).
    MINOR_VERSION = 2

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> RoomSenseOptionsFlow:
        """How often to poll, how long to trust old states, who may push, how long to queue."""
        return RoomSenseOptionsFlow()

    @classmethod
    @callback
    def async_supports_options_flow(cls, config_entry: ConfigEntry) -> bool:
        """An account has options; a Bluetooth-only device has none."""
        return CONF_ADDRESS not in config_entry.data

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the token and secret and check them against the cloud."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data = flatten(user_input)
            errors = await self._validate(data)
            if not errors:
                await self.async_set_unique_id(account_unique_id(data[CONF_TOKEN]))
                if self.source == SOURCE_RECONFIGURE:
                    return self._update_account(self._get_reconfigure_entry(), data)
                self._abort_if_unique_id_configured()
                return self.async_create_entry(title=DEFAULT_TITLE, data=data)
        defaults: Mapping[str, Any] = flatten(user_input) if user_input else {}
        if self.source == SOURCE_RECONFIGURE and not user_input:
            defaults = self._get_reconfigure_entry().data
        return self.async_show_form(
            step_id="reconfigure" if self.source == SOURCE_RECONFIGURE else "user",
            data_schema=user_schema(defaults),
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the token, secret or cloud URL of the account; a lock's key."""
        entry = self._get_reconfigure_entry()
        if CONF_ADDRESS not in entry.data:
            return await self.async_step_user(user_input)
        return await self._reconfigure_device(entry)

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """The cloud rejected the stored credentials."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the token and secret again."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            # Pasted credentials often carry a newline or a space, as in the user step.
            credentials = {key: str(value).strip() for key, value in user_input.items()}
            data = {**entry.data, **credentials}
            errors = await self._validate(data)
            if not errors:
                await self.async_set_unique_id(account_unique_id(data[CONF_TOKEN]))
                return self._update_account(entry, credentials)
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=reauth_schema(entry.data[CONF_TOKEN]),
            errors=errors,
        )

    def _update_account(self, entry: ConfigEntry, updates: Mapping[str, Any]) -> ConfigFlowResult:
        """Store the checked credentials in the account's entry, if they are of that account."""
        self._abort_if_unique_id_mismatch(reason="wrong_account")
        return self.async_update_reload_and_abort(entry, data_updates=updates)

    async def _validate(self, data: Mapping[str, Any]) -> dict[str, str]:
        """Call `GET /v1.1/devices` with the credentials; return form errors."""
        client = SwitchBotCloudClient(
            data[CONF_TOKEN],
            data[CONF_SECRET],
            async_get_clientsession(self.hass),
            base_url=data[CONF_BASE_URL],
            max_attempts=1,
        )
        try:
            await client.get_devices()
        except SwitchBotAuthenticationError:
            return {"base": "invalid_auth"}
        except SwitchBotQuotaExceededError:
            return {"base": "quota_exceeded"}
        except SwitchBotConnectionError:
            return {"base": "cannot_connect"}
        except Exception:  # noqa: BLE001 - any other failure is shown, never a traceback
            LOGGER.exception("Unexpected error while checking the SwitchBot credentials")
            return {"base": "unknown"}
        return {}
