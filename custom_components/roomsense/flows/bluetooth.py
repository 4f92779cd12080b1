"""A SwitchBot device heard over Bluetooth: added on its own, or given its key.

A lock or a relay switch needs its key: signed in to the SwitchBot account (as in the app)
or typed in, and tried on the device before it is kept.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from homeassistant.components import bluetooth
from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
)
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import AbortFlow
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from ..ble.discovery import (
    CONF_ADDRESS,
    CONF_ADVERTISED_MODEL,
    CONF_DEVICE_TYPE,
    CONF_ENCRYPTION_KEY,
    CONF_KEY_ID,
    FoundDevice,
    account_entry_of,
    core_switchbot_ids,
    found_device,
)
from ..ble.link import OPT_BLUETOOTH_KEYS, keys_from_options, pyswitchbot
from ..ble.models import device_id_of, model_for
from ..const import LOGGER
from .schemas import HEX_KEY, HEX_KEY_ID, KEY_SCHEMA, sign_in_schema

# How long trying a key on a device may take before the form says it did not answer.
KEY_CHECK_TIMEOUT = 30.0


def switchbot_app_session(hass: HomeAssistant) -> aiohttp.ClientSession:
    """The session that reaches the SwitchBot app's account backend (for a lock's key).

    Tests point it at a stand-in of that backend.
    """
    return async_get_clientsession(hass)


class BluetoothDiscoverySteps(ConfigFlow):
    """The config flow's Bluetooth steps (mixed into RoomSense's ConfigFlow)."""

    # The Bluetooth device being set up, and the account that lists it (it then only
    # needs its key).
    _found: FoundDevice | None = None
    _account: ConfigEntry | None = None

    @property
    def _device(self) -> FoundDevice:
        """The device being set up; a flow started at a later step, without one, ends."""
        if self._found is None:
            raise AbortFlow("not_supported")
        return self._found

    async def async_step_bluetooth(
        self, discovery_info: bluetooth.BluetoothServiceInfoBleak
    ) -> ConfigFlowResult:
        """A SwitchBot device was heard: offer it, unless someone already drives it."""
        found = found_device(discovery_info)
        if found is None:
            return self.async_abort(reason="not_supported")
        await self.async_set_unique_id(found.device_id)
        self._abort_if_unique_id_configured(error="device_already_configured")
        self._found = found
        self.context["title_placeholders"] = {"name": found.default_name}
        placeholders = {"name": found.default_name, "address": found.address}
        if found.device_id in core_switchbot_ids(self.hass):
            return self.async_abort(
                reason="switchbot_configured", description_placeholders=placeholders
            )
        if (account := account_entry_of(self.hass, found.device_id)) is not None:
            device = next(
                device
                for device in account.runtime_data.devices.devices
                if device.device_id == found.device_id
            )
            placeholders = {**placeholders, "name": device.name, "account": account.title}
            if found.model.encrypted and found.device_id not in keys_from_options(account.options):
                # One device of the account already; over Bluetooth it needs its key.
                self._account = account
                self.context["title_placeholders"] = {"name": device.name}
                return await self.async_step_encrypted_choose_method()
            return self.async_abort(reason="account_device", description_placeholders=placeholders)
        if found.model.encrypted:
            return await self.async_step_encrypted_choose_method()
        return await self.async_step_bluetooth_confirm()

    async def async_step_encrypted_choose_method(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """A lock or a relay switch: its key from the SwitchBot account, or typed in."""
        return self.async_show_menu(
            step_id="encrypted_choose_method",
            menu_options=["encrypted_auth", "encrypted_key"],
            description_placeholders=self._key_placeholders(),
        )

    async def async_step_bluetooth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Add the device on its own: no account, Bluetooth only."""
        found = self._device
        if user_input is None:
            self._set_confirm_only()
            return self.async_show_form(
                step_id="bluetooth_confirm",
                description_placeholders={"name": found.default_name, "address": found.address},
            )
        return self._create_local_entry(found, {})

    async def _reconfigure_device(self, entry: ConfigEntry) -> ConfigFlowResult:
        """A Bluetooth-only device's reconfiguration: a new key for a lock or relay switch."""
        model = model_for(entry.data[CONF_DEVICE_TYPE])
        address = str(entry.data[CONF_ADDRESS])
        if model is None or not model.encrypted:
            return self.async_abort(reason="nothing_to_reconfigure")
        self._found = FoundDevice(
            device_id=device_id_of(address),
            address=address,
            device_type=entry.data[CONF_DEVICE_TYPE],
            model=model,
            connectable=True,
            advertised_model=entry.data[CONF_ADVERTISED_MODEL],
        )
        self.context["title_placeholders"] = {"name": entry.title}
        return await self.async_step_encrypted_choose_method()

    async def async_step_encrypted_auth(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Sign in to the SwitchBot account (as in the app) and fetch the key from it."""
        errors: dict[str, str] = {}
        found = self._device
        if user_input is not None:
            switchbot = pyswitchbot()
            try:
                key = await _driver(found).async_retrieve_encryption_key(
                    switchbot_app_session(self.hass),
                    found.address,
                    user_input[CONF_USERNAME],
                    user_input[CONF_PASSWORD],
                )
            except switchbot.SwitchbotAuthenticationError as err:
                LOGGER.debug("SwitchBot account sign-in failed: %s", err)
                errors["base"] = _sign_in_error(err)
            except switchbot.SwitchbotAccountConnectionError as err:
                LOGGER.debug("SwitchBot account unreachable: %s", err)
                errors["base"] = "account_unreachable"
            except switchbot.SwitchbotApiError as err:
                LOGGER.debug("SwitchBot account gave no key: %s", err)
                errors["base"] = "key_not_found"
            else:
                key_id, encryption_key = str(key["key_id"]), str(key["encryption_key"])
                if kept := await self._keep_working_key(found, key_id, encryption_key, errors):
                    return kept
        return self.async_show_form(
            step_id="encrypted_auth",
            data_schema=sign_in_schema(user_input),
            errors=errors,
            description_placeholders=self._key_placeholders(),
        )

    async def async_step_encrypted_key(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Type the key id and the encryption key in."""
        found = self._device
        errors: dict[str, str] = {}
        if user_input is not None:
            key_id = str(user_input[CONF_KEY_ID]).strip()
            encryption_key = str(user_input[CONF_ENCRYPTION_KEY]).strip()
            if not HEX_KEY_ID.fullmatch(key_id):
                errors[CONF_KEY_ID] = "key_id_invalid"
            if not HEX_KEY.fullmatch(encryption_key):
                errors[CONF_ENCRYPTION_KEY] = "encryption_key_malformed"
            if not errors and (
                kept := await self._keep_working_key(found, key_id, encryption_key, errors)
            ):
                return kept
        return self.async_show_form(
            step_id="encrypted_key",
            data_schema=self.add_suggested_values_to_schema(KEY_SCHEMA, user_input or {}),
            errors=errors,
            description_placeholders=self._key_placeholders(),
        )

    def _key_placeholders(self) -> dict[str, str]:
        found = self._found
        return {
            "name": str(self.context.get("title_placeholders", {}).get("name", "")),
            "address": found.address if found else "",
        }

    async def _keep_working_key(
        self, found: FoundDevice, key_id: str, encryption_key: str, errors: dict[str, str]
    ) -> ConfigFlowResult | None:
        """Keep the key if the device takes it; otherwise say why in `errors`."""
        if problem := await self._key_problem(found, key_id, encryption_key):
            errors["base"] = problem
            return None
        return self._save_key(found, key_id, encryption_key)

    async def _key_problem(
        self, found: FoundDevice, key_id: str, encryption_key: str
    ) -> str | None:
        """Try the key on the device itself; the form error, or None when it works."""
        ble_device = bluetooth.async_ble_device_from_address(
            self.hass, found.address, connectable=True
        )
        if ble_device is None:
            return "no_connectable_path"
        switchbot = pyswitchbot()
        try:
            # A path that vanished mid-connect must not hold the form up for long.
            async with asyncio.timeout(KEY_CHECK_TIMEOUT):
                works = await _driver(found).verify_encryption_key(
                    ble_device,
                    key_id,
                    encryption_key,
                    model=switchbot.SwitchbotModel[found.advertised_model],
                )
        except Exception as err:  # noqa: BLE001 - bleak and PySwitchbot raise many kinds
            LOGGER.debug("Could not try the key on %s: %r", found.address, err)
            return "cannot_reach_device"
        return None if works else "encryption_key_invalid"

    def _save_key(self, found: FoundDevice, key_id: str, encryption_key: str) -> ConfigFlowResult:
        """Keep a working key: in the account's options, the entry's data, or a new entry."""
        key = {CONF_KEY_ID: key_id, CONF_ENCRYPTION_KEY: encryption_key}
        if self.source == SOURCE_RECONFIGURE:
            return self.async_update_reload_and_abort(
                self._get_reconfigure_entry(), data_updates=key
            )
        if (account := self._account) is not None:
            keys = {**(account.options.get(OPT_BLUETOOTH_KEYS) or {}), found.device_id: key}
            # The options listener reloads the account with the key.
            self.hass.config_entries.async_update_entry(
                account, options={**account.options, OPT_BLUETOOTH_KEYS: keys}
            )
            return self.async_abort(
                reason="key_saved",
                description_placeholders={**self._key_placeholders(), "account": account.title},
            )
        return self._create_local_entry(found, key)

    def _create_local_entry(self, found: FoundDevice, key: dict[str, str]) -> ConfigFlowResult:
        return self.async_create_entry(
            title=found.default_name,
            data={
                CONF_ADDRESS: found.address,
                CONF_DEVICE_TYPE: found.device_type,
                CONF_ADVERTISED_MODEL: found.advertised_model,
                **key,
            },
        )


def _driver(found: FoundDevice) -> Any:
    """PySwitchbot's class for the device's model."""
    return getattr(pyswitchbot(), found.model.device_class or "")


def _sign_in_error(err: BaseException) -> str:
    """Tell a rejected password from a service that could not be reached.

    PySwitchbot wraps every failure of the sign-in in one authentication error; its cause
    says which it was: the connection, the service failing (an HTTP error status), or the
    account answering that the email or password is wrong.
    """
    cause: BaseException | None = err.__cause__
    while cause is not None:
        if isinstance(cause, OSError | aiohttp.ClientError | TimeoutError):
            return "account_unreachable"
        if "Unexpected status code" in str(cause):
            return "account_unreachable"
        cause = cause.__cause__
    return "auth_failed"
