"""Config flow of RoomSense: a SwitchBot account given by its token and secret."""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import aiohttp
import probatio
from homeassistant.components import bluetooth
from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    ConfigEntry,
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlow,
)
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant, callback
from homeassistant.data_entry_flow import section
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    AreaSelector,
    AreaSelectorConfig,
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    ObjectSelector,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
    TimeSelector,
)
from homeassistant.helpers.service_info.hassio import HassioServiceInfo

from .ble.discovery import (
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
from .ble.link import OPT_BLUETOOTH_KEYS, keys_from_options, pyswitchbot
from .ble.models import device_id_of, model_for
from .const import (
    ADDON_CONF_HOST,
    ADDON_CONF_MODEL,
    ADDON_CONF_PORT,
    CONF_BASE_URL,
    CONF_SECRET,
    CONF_TOKEN,
    DEFAULT_CLOUD_URL,
    DEFAULT_DEVICE_RESULT_TIMEOUT,
    DEFAULT_MAX_COMPLETED_JOBS,
    DEFAULT_POLLING_SHARE,
    DEFAULT_QUEUE_TTL,
    DEFAULT_STALENESS,
    DEFAULT_TITLE,
    DOMAIN,
    LOGGER,
    OPT_ALLOWED_NETWORKS,
    OPT_DEVICE_RESULT_TIMEOUT,
    OPT_LLM_ADDON,
    OPT_LLM_HASS_API,
    OPT_MAX_COMPLETED_JOBS,
    OPT_POLLING_SHARE,
    OPT_QUEUE_TTL,
    OPT_STALENESS,
)
from .fallback.model import DeviceKind
from .language_models.const import (
    CONF_LLM_API_KEY,
    CONF_LLM_BASE_URL,
    CONF_LLM_GPT_OSS_BACKEND,
    CONF_LLM_MODEL,
    CONF_LLM_PROVIDER,
    CONF_LLM_TIMEOUT,
    DEFAULT_MODELS,
    PROVIDER_GPT_OSS,
    PROVIDER_NONE,
    PROVIDERS,
)
from .language_models.const import DEFAULT_TIMEOUT as DEFAULT_LLM_TIMEOUT
from .safety import (
    OPT_DANGEROUS_COMMANDS,
    OPT_NIGHT_MODE_ADMIN_OVERRIDE,
    OPT_NIGHT_MODE_END,
    OPT_NIGHT_MODE_START,
    OPT_PERMISSIONS,
)
from .switchbot_cloud import (
    SwitchBotAuthenticationError,
    SwitchBotCloudClient,
    SwitchBotConnectionError,
    SwitchBotQuotaExceededError,
)

SECTION_ADVANCED = "advanced"
# How long trying a key on a device may take before the form says it did not answer.
KEY_CHECK_TIMEOUT = 30.0
_PASSWORD = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
_URL = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))


def account_unique_id(token: str) -> str:
    """A stable id for the account that does not reveal the token."""
    return hashlib.sha256(token.strip().encode()).hexdigest()[:32]


def _user_schema(defaults: Mapping[str, Any]) -> probatio.Schema:
    return probatio.Schema(
        {
            probatio.Required(
                CONF_TOKEN, default=defaults.get(CONF_TOKEN, probatio.UNDEFINED)
            ): _PASSWORD,
            probatio.Required(CONF_SECRET): _PASSWORD,
            probatio.Required(SECTION_ADVANCED): section(
                probatio.Schema(
                    {
                        probatio.Required(
                            CONF_BASE_URL,
                            default=defaults.get(CONF_BASE_URL, DEFAULT_CLOUD_URL),
                        ): _URL
                    }
                ),
                {"collapsed": True},
            ),
        }
    )


@dataclass(frozen=True, slots=True)
class AddonTarget:
    """Where a discovered RoomSense LLM add-on serves its model."""

    slug: str
    name: str
    base_url: str
    model: str | None

    @classmethod
    def from_discovery(cls, info: HassioServiceInfo) -> AddonTarget | None:
        """Read the add-on's `{"host", "port", "model"}`; None when host or port is unusable."""
        host = str(info.config.get(ADDON_CONF_HOST) or "").strip()
        try:
            port = int(info.config.get(ADDON_CONF_PORT))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None
        if not host or not 0 < port < 65536:
            return None
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"  # an IPv6 address
        model = str(info.config.get(ADDON_CONF_MODEL) or "").strip() or None
        return cls(
            slug=info.slug,
            name=info.name or info.slug,
            base_url=f"http://{host}:{port}",
            model=model,
        )

    def serves(self, entry: ConfigEntry) -> bool:
        """Whether the entry's model still is this add-on, as a discovery last set it."""
        options = entry.options
        link = options.get(OPT_LLM_ADDON)
        return (
            isinstance(link, Mapping)
            and link.get("slug") == self.slug
            and options.get(CONF_LLM_PROVIDER) == PROVIDER_GPT_OSS
            and options.get(CONF_LLM_BASE_URL) == link.get("base_url")
        )

    def options_for(self, entry: ConfigEntry, *, new_server: bool) -> dict[str, Any]:
        """The entry's options with its language model pointed at the add-on.

        The keys and value formats are those the options flow writes; every other option
        stays. An API key kept for another server is not sent to the add-on.
        """
        options: dict[str, Any] = {
            **entry.options,
            CONF_LLM_PROVIDER: PROVIDER_GPT_OSS,
            CONF_LLM_BASE_URL: self.base_url,
            OPT_LLM_ADDON: {"slug": self.slug, "base_url": self.base_url},
        }
        # The add-on runs llama-server: the gpt-oss adapter's default backend.
        options.pop(CONF_LLM_GPT_OSS_BACKEND, None)
        options.pop(CONF_LLM_MODEL, None)
        if self.model:
            options[CONF_LLM_MODEL] = self.model
        if new_server:
            options.pop(CONF_LLM_API_KEY, None)
        return options


def switchbot_app_session(hass: HomeAssistant) -> aiohttp.ClientSession:
    """The session that reaches the SwitchBot app's account backend (for a lock's key).

    Tests point it at a stand-in of that backend.
    """
    return async_get_clientsession(hass)


class RoomSenseConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up a SwitchBot account, or one SwitchBot device found over Bluetooth."""

    VERSION = 1
    MINOR_VERSION = 1

    _addon: AddonTarget | None = None
    # The Bluetooth device being set up, and the account that lists it (it then only
    # needs its key).
    _found: FoundDevice | None = None
    _account: ConfigEntry | None = None

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

    # --- a device found over Bluetooth -----------------------------------------------------

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

    async def async_step_bluetooth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Add the device on its own: no account, Bluetooth only."""
        found = self._found
        if found is None:  # only async_step_bluetooth leads here
            return self.async_abort(reason="not_supported")
        if user_input is None:
            self._set_confirm_only()
            return self.async_show_form(
                step_id="bluetooth_confirm",
                description_placeholders={"name": found.default_name, "address": found.address},
            )
        return self._create_local_entry(found, {})

    async def async_step_encrypted_choose_method(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """A lock or a relay switch: its key from the SwitchBot account, or typed in."""
        return self.async_show_menu(
            step_id="encrypted_choose_method",
            menu_options=["encrypted_auth", "encrypted_key"],
            description_placeholders=self._key_placeholders(),
        )

    async def async_step_encrypted_auth(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Sign in to the SwitchBot account (as in the app) and fetch the key from it."""
        found = self._found
        if found is None:
            return self.async_abort(reason="not_supported")
        errors: dict[str, str] = {}
        if user_input is not None:
            switchbot = pyswitchbot()
            driver_class = getattr(switchbot, found.model.device_class or "")
            try:
                key = await driver_class.async_retrieve_encryption_key(
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
            data_schema=probatio.Schema(
                {
                    probatio.Required(
                        CONF_USERNAME,
                        default=(user_input or {}).get(CONF_USERNAME, probatio.UNDEFINED),
                    ): TextSelector(TextSelectorConfig(type=TextSelectorType.EMAIL)),
                    probatio.Required(CONF_PASSWORD): _PASSWORD,
                }
            ),
            errors=errors,
            description_placeholders=self._key_placeholders(),
        )

    async def async_step_encrypted_key(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Type the key id and the encryption key in."""
        found = self._found
        if found is None:
            return self.async_abort(reason="not_supported")
        errors: dict[str, str] = {}
        if user_input is not None:
            key_id = str(user_input[CONF_KEY_ID]).strip()
            encryption_key = str(user_input[CONF_ENCRYPTION_KEY]).strip()
            if not _HEX_KEY_ID.fullmatch(key_id):
                errors[CONF_KEY_ID] = "key_id_invalid"
            if not _HEX_KEY.fullmatch(encryption_key):
                errors[CONF_ENCRYPTION_KEY] = "encryption_key_malformed"
            if not errors and (
                kept := await self._keep_working_key(found, key_id, encryption_key, errors)
            ):
                return kept
        return self.async_show_form(
            step_id="encrypted_key",
            data_schema=self.add_suggested_values_to_schema(
                probatio.Schema(
                    {
                        probatio.Required(CONF_KEY_ID): _TEXT,
                        probatio.Required(CONF_ENCRYPTION_KEY): _SECRET,
                    }
                ),
                user_input or {},
            ),
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
        driver_class = getattr(switchbot, found.model.device_class or "")
        try:
            # A path that vanished mid-connect must not hold the form up for long.
            async with asyncio.timeout(KEY_CHECK_TIMEOUT):
                works = await driver_class.verify_encryption_key(
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

    # --- a SwitchBot account ---------------------------------------------------------------

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the token and secret and check them against the cloud."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data = _flatten(user_input)
            errors = await self._validate(data)
            if not errors:
                await self.async_set_unique_id(account_unique_id(data[CONF_TOKEN]))
                if self.source == SOURCE_RECONFIGURE:
                    self._abort_if_unique_id_mismatch(reason="wrong_account")
                    return self.async_update_reload_and_abort(
                        self._get_reconfigure_entry(), data_updates=data
                    )
                self._abort_if_unique_id_configured()
                return self.async_create_entry(title=DEFAULT_TITLE, data=data)
        defaults: Mapping[str, Any] = _flatten(user_input) if user_input else {}
        if self.source == SOURCE_RECONFIGURE and not user_input:
            defaults = self._get_reconfigure_entry().data
        return self.async_show_form(
            step_id="reconfigure" if self.source == SOURCE_RECONFIGURE else "user",
            data_schema=_user_schema(defaults),
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the token, secret or cloud URL of the account; a lock's key."""
        entry = self._get_reconfigure_entry()
        if CONF_ADDRESS not in entry.data:
            return await self.async_step_user(user_input)
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
                self._abort_if_unique_id_mismatch(reason="wrong_account")
                return self.async_update_reload_and_abort(entry, data_updates=credentials)
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=probatio.Schema(
                {
                    probatio.Required(CONF_TOKEN, default=entry.data[CONF_TOKEN]): _PASSWORD,
                    probatio.Required(CONF_SECRET): _PASSWORD,
                }
            ),
            errors=errors,
        )

    async def async_step_hassio(self, discovery_info: HassioServiceInfo) -> ConfigFlowResult:
        """The RoomSense LLM add-on announced itself to the Supervisor.

        Discovery never adds an entry (a SwitchBot account is added by the user step): it
        points the language model of the existing entries at the add-on. Entries a confirmed
        discovery pointed at this add-on follow it to a new address without asking again.
        """
        await self.async_set_unique_id(discovery_info.slug)
        addon = AddonTarget.from_discovery(discovery_info)
        if addon is None:
            LOGGER.warning(
                "Add-on %s announced no usable host and port: %s",
                discovery_info.slug,
                {key: discovery_info.config.get(key) for key in (ADDON_CONF_HOST, ADDON_CONF_PORT)},
            )
            return self.async_abort(reason="invalid_discovery_info")
        self._addon = addon
        self.context["title_placeholders"] = {"name": addon.name}
        entries = self._async_current_entries(include_ignore=False)
        if following := [entry for entry in entries if addon.serves(entry)]:
            updated = False
            for entry in following:
                options = addon.options_for(entry, new_server=False)
                if options != dict(entry.options):
                    # The options update listener reloads a loaded entry.
                    self.hass.config_entries.async_update_entry(entry, options=options)
                    updated = True
            return self.async_abort(
                reason="addon_updated" if updated else "addon_already_configured",
                description_placeholders=self._addon_placeholders(addon, following),
            )
        self._abort_if_unique_id_configured()  # the user ignored this add-on's discovery
        if not entries:
            return self.async_abort(
                reason="account_first", description_placeholders=self._addon_placeholders(addon, [])
            )
        return await self.async_step_hassio_confirm()

    async def async_step_hassio_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask before pointing every SwitchBot account's conversation agent at the add-on."""
        addon = self._addon
        if addon is None:  # only async_step_hassio leads here
            return self.async_abort(reason="invalid_discovery_info")
        entries = self._async_current_entries(include_ignore=False)
        if not entries:  # removed while the form was open
            return self.async_abort(
                reason="account_first", description_placeholders=self._addon_placeholders(addon, [])
            )
        if user_input is None:
            self._set_confirm_only()
            return self.async_show_form(
                step_id="hassio_confirm",
                description_placeholders=self._addon_placeholders(addon, entries),
            )
        for entry in entries:
            # The options update listener reloads a loaded entry.
            self.hass.config_entries.async_update_entry(
                entry, options=addon.options_for(entry, new_server=True)
            )
        return self.async_abort(
            reason="addon_configured",
            description_placeholders=self._addon_placeholders(addon, entries),
        )

    @staticmethod
    def _addon_placeholders(addon: AddonTarget, entries: list[ConfigEntry]) -> dict[str, str]:
        return {
            "addon": addon.name,
            "model": addon.model or DEFAULT_MODELS[PROVIDER_GPT_OSS],
            "url": addon.base_url,
            "accounts": ", ".join(entry.title for entry in entries),
        }

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


def _flatten(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Entry data keys are exactly token, secret and base_url."""
    advanced = user_input.get(SECTION_ADVANCED) or {}
    return {
        CONF_TOKEN: str(user_input[CONF_TOKEN]).strip(),
        CONF_SECRET: str(user_input[CONF_SECRET]).strip(),
        CONF_BASE_URL: str(advanced.get(CONF_BASE_URL) or DEFAULT_CLOUD_URL).strip().rstrip("/"),
    }


def _number(minimum: int, maximum: int, step: int, unit: str) -> NumberSelector:
    return NumberSelector(
        NumberSelectorConfig(
            min=minimum,
            max=maximum,
            step=step,
            unit_of_measurement=unit,
            mode=NumberSelectorMode.BOX,
        )
    )


def _invalid_networks(networks: list[str]) -> list[str]:
    invalid = []
    for network in networks:
        try:
            ipaddress.ip_network(network.strip(), strict=False)
        except ValueError:
            invalid.append(network)
    return invalid


_HEX_KEY = re.compile(r"[0-9a-fA-F]{32}")
_HEX_KEY_ID = re.compile(r"[0-9a-fA-F]{2}")


def _bluetooth_key_problem(entry: ConfigEntry, keys: Any) -> str | None:
    """What is wrong with the Bluetooth keys typed in, or None.

    Each is `{"<device id>": {"key_id": "<2 hex digits>", "encryption_key": "<32 hex
    digits>"}}` for a device of this account that needs one (a lock, a relay switch).
    """
    if not isinstance(keys, Mapping):
        return "not an object of device ids"
    encrypted: set[str] = set()
    if entry.state is ConfigEntryState.LOADED and (link := entry.runtime_data.bluetooth):
        encrypted = {
            device_id for device_id, local in link.devices.items() if local.model.encrypted
        }
    for device_id, key in keys.items():
        if str(device_id).upper() not in encrypted:
            return f"{device_id} is not a device of this account that needs a key"
        if not isinstance(key, Mapping):
            return f"{device_id}: not an object with key_id and encryption_key"
        key_id, encryption_key = key.get("key_id"), key.get("encryption_key")
        if not isinstance(key_id, str) or not _HEX_KEY_ID.fullmatch(key_id):
            return f"{device_id}: key_id must be 2 hexadecimal digits"
        if not isinstance(encryption_key, str) or not _HEX_KEY.fullmatch(encryption_key):
            return f"{device_id}: encryption_key must be 32 hexadecimal digits"
    return None


_TEXT = TextSelector()
_SECRET = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))


def _suggested(values: Mapping[str, Any], key: str) -> dict[str, Any]:
    """Prefill a field that may stay empty."""
    return {"suggested_value": values.get(key)}


# The options menu, in the order it shows.
OPTION_STEPS: Final = ["cloud", "webhook", "model", "safety", "permissions", "bluetooth", "edge"]
# The permissions steps' fields (the options keep `categories` and `areas` per user id).
CONF_USER: Final = "user"
OPT_RESTRICTED: Final = "restricted"
OPT_CATEGORIES: Final = "categories"
OPT_AREAS: Final = "areas"


class RoomSenseOptionsFlow(OptionsFlow):
    """The account's options, one short step per subject; each step saves what it shows."""

    _user_id: str = ""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """What to change."""
        return self.async_show_menu(step_id="init", menu_options=OPTION_STEPS)

    def _save(self, changes: Mapping[str, Any], *, drop: tuple[str, ...] = ()) -> ConfigFlowResult:
        """The options with these changed; the others (the webhook id too) stay as they are."""
        data = {key: value for key, value in self.config_entry.options.items() if key not in drop}
        return self.async_create_entry(data={**data, **changes})

    async def async_step_cloud(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The poll budget, how long states are trusted, how long commands wait."""
        if user_input is not None:
            return self._save(
                {
                    OPT_POLLING_SHARE: int(user_input[OPT_POLLING_SHARE]),
                    OPT_STALENESS: int(user_input[OPT_STALENESS]),
                    OPT_QUEUE_TTL: int(user_input[OPT_QUEUE_TTL]),
                }
            )
        values = self.config_entry.options
        return self.async_show_form(
            step_id="cloud",
            data_schema=probatio.Schema(
                {
                    probatio.Required(
                        OPT_POLLING_SHARE,
                        default=values.get(OPT_POLLING_SHARE, DEFAULT_POLLING_SHARE),
                    ): _number(5, 90, 5, "%"),
                    probatio.Required(
                        OPT_STALENESS, default=values.get(OPT_STALENESS, DEFAULT_STALENESS)
                    ): _number(300, 86_400, 60, "s"),
                    probatio.Required(
                        OPT_QUEUE_TTL, default=values.get(OPT_QUEUE_TTL, DEFAULT_QUEUE_TTL)
                    ): _number(0, 3_600, 30, "s"),
                }
            ),
        )

    async def async_step_webhook(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The networks webhook events may come from."""
        errors: dict[str, str] = {}
        placeholders = {"networks": ""}
        if user_input is not None:
            networks = [
                network.strip()
                for network in user_input.get(OPT_ALLOWED_NETWORKS) or []
                if network.strip()
            ]
            if not (invalid := _invalid_networks(networks)):
                return self._save({OPT_ALLOWED_NETWORKS: networks})
            errors[OPT_ALLOWED_NETWORKS] = "invalid_network"
            placeholders["networks"] = ", ".join(invalid)
        values = {**self.config_entry.options, **(user_input or {})}
        return self.async_show_form(
            step_id="webhook",
            data_schema=probatio.Schema(
                {
                    probatio.Optional(
                        OPT_ALLOWED_NETWORKS, default=values.get(OPT_ALLOWED_NETWORKS, [])
                    ): TextSelector(TextSelectorConfig(multiple=True)),
                }
            ),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_model(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The conversation agent's language model."""
        if user_input is not None:
            changes: dict[str, Any] = {
                CONF_LLM_PROVIDER: user_input[CONF_LLM_PROVIDER],
                CONF_LLM_TIMEOUT: float(user_input[CONF_LLM_TIMEOUT]),
                OPT_LLM_HASS_API: bool(user_input.get(OPT_LLM_HASS_API, False)),
            }
            # Optional text: an emptied field removes the option.
            optional = (CONF_LLM_BASE_URL, CONF_LLM_MODEL, CONF_LLM_API_KEY)
            changes.update({key: user_input[key] for key in optional if user_input.get(key)})
            return self._save(changes, drop=optional)
        values = self.config_entry.options
        return self.async_show_form(
            step_id="model",
            data_schema=probatio.Schema(
                {
                    probatio.Required(
                        CONF_LLM_PROVIDER, default=values.get(CONF_LLM_PROVIDER, PROVIDER_NONE)
                    ): SelectSelector(
                        SelectSelectorConfig(
                            options=list(PROVIDERS),
                            translation_key=CONF_LLM_PROVIDER,
                            mode=SelectSelectorMode.DROPDOWN,
                        )
                    ),
                    probatio.Optional(
                        CONF_LLM_BASE_URL, description=_suggested(values, CONF_LLM_BASE_URL)
                    ): _URL,
                    probatio.Optional(
                        CONF_LLM_MODEL, description=_suggested(values, CONF_LLM_MODEL)
                    ): _TEXT,
                    probatio.Optional(
                        CONF_LLM_API_KEY, description=_suggested(values, CONF_LLM_API_KEY)
                    ): _SECRET,
                    probatio.Required(
                        CONF_LLM_TIMEOUT,
                        default=values.get(CONF_LLM_TIMEOUT, DEFAULT_LLM_TIMEOUT),
                    ): _number(1, 300, 1, "s"),
                    probatio.Optional(
                        OPT_LLM_HASS_API, default=values.get(OPT_LLM_HASS_API, False)
                    ): BooleanSelector(),
                }
            ),
        )

    async def async_step_safety(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Night safe hours and the commands that need a yes."""
        optional = (OPT_NIGHT_MODE_START, OPT_NIGHT_MODE_END)
        if user_input is not None:
            changes: dict[str, Any] = {
                OPT_NIGHT_MODE_ADMIN_OVERRIDE: bool(
                    user_input.get(OPT_NIGHT_MODE_ADMIN_OVERRIDE, False)
                ),
                OPT_DANGEROUS_COMMANDS: [
                    command.strip()
                    for command in user_input.get(OPT_DANGEROUS_COMMANDS) or []
                    if command.strip()
                ],
            }
            changes.update({key: user_input[key] for key in optional if user_input.get(key)})
            return self._save(changes, drop=optional)
        values = self.config_entry.options
        return self.async_show_form(
            step_id="safety",
            data_schema=probatio.Schema(
                {
                    probatio.Optional(
                        OPT_NIGHT_MODE_START, description=_suggested(values, OPT_NIGHT_MODE_START)
                    ): TimeSelector(),
                    probatio.Optional(
                        OPT_NIGHT_MODE_END, description=_suggested(values, OPT_NIGHT_MODE_END)
                    ): TimeSelector(),
                    probatio.Optional(
                        OPT_NIGHT_MODE_ADMIN_OVERRIDE,
                        default=values.get(OPT_NIGHT_MODE_ADMIN_OVERRIDE, False),
                    ): BooleanSelector(),
                    probatio.Optional(
                        OPT_DANGEROUS_COMMANDS, default=values.get(OPT_DANGEROUS_COMMANDS, [])
                    ): TextSelector(TextSelectorConfig(multiple=True)),
                }
            ),
        )

    async def async_step_permissions(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Whose permissions to change; the description says who is restricted now."""
        users = await _people(self.hass)
        if user_input is not None and user_input.get(CONF_USER) in users:
            self._user_id = user_input[CONF_USER]
            return await self.async_step_permissions_user()
        permissions = self.config_entry.options.get(OPT_PERMISSIONS) or {}
        restricted = [
            users.get(user_id, user_id)
            for user_id in permissions
            if isinstance(permissions.get(user_id), Mapping)
        ]
        return self.async_show_form(
            step_id="permissions",
            data_schema=probatio.Schema(
                {
                    probatio.Required(CONF_USER): SelectSelector(
                        SelectSelectorConfig(
                            options=[
                                SelectOptionDict(value=user_id, label=name)
                                for user_id, name in users.items()
                            ],
                            mode=SelectSelectorMode.DROPDOWN,
                        )
                    )
                }
            ),
            description_placeholders={"restricted": ", ".join(sorted(restricted)) or "—"},
        )

    async def async_step_permissions_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """What one person may control: every device, or only some kinds, areas, or both."""
        users = await _people(self.hass)
        name = users.get(self._user_id, self._user_id)
        permissions = dict(self.config_entry.options.get(OPT_PERMISSIONS) or {})
        current = permissions.get(self._user_id)
        current = current if isinstance(current, Mapping) else {}
        errors: dict[str, str] = {}
        if user_input is not None:
            if not user_input.get(OPT_RESTRICTED):
                permissions.pop(self._user_id, None)
                return self._save({OPT_PERMISSIONS: permissions})
            limits = {
                key: list(user_input[key])
                for key in (OPT_CATEGORIES, OPT_AREAS)
                if user_input.get(key)
            }
            if limits:
                permissions[self._user_id] = limits
                return self._save({OPT_PERMISSIONS: permissions})
            errors["base"] = "permissions_empty"
        values = {
            OPT_RESTRICTED: bool(current),
            OPT_CATEGORIES: list(current.get(OPT_CATEGORIES) or []),
            OPT_AREAS: list(current.get(OPT_AREAS) or []),
            **(user_input or {}),
        }
        return self.async_show_form(
            step_id="permissions_user",
            data_schema=self.add_suggested_values_to_schema(
                probatio.Schema(
                    {
                        probatio.Optional(OPT_RESTRICTED): BooleanSelector(),
                        probatio.Optional(OPT_CATEGORIES): SelectSelector(
                            SelectSelectorConfig(
                                options=[kind.value for kind in DeviceKind],
                                multiple=True,
                                translation_key="device_kind",
                                mode=SelectSelectorMode.DROPDOWN,
                            )
                        ),
                        probatio.Optional(OPT_AREAS): AreaSelector(
                            AreaSelectorConfig(multiple=True)
                        ),
                    }
                ),
                values,
            ),
            errors=errors,
            description_placeholders={"user": name},
        )

    async def async_step_bluetooth(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Keys of the account's locks and relay switches, for driving them over Bluetooth."""
        errors: dict[str, str] = {}
        placeholders = {"problem": ""}
        if user_input is not None:
            keys = user_input.get(OPT_BLUETOOTH_KEYS) or {}
            if not (problem := _bluetooth_key_problem(self.config_entry, keys)):
                return self._save(
                    {
                        OPT_BLUETOOTH_KEYS: {
                            device_id.upper(): {
                                "key_id": key["key_id"].lower(),
                                "encryption_key": key["encryption_key"].lower(),
                            }
                            for device_id, key in keys.items()
                        }
                    }
                )
            errors[OPT_BLUETOOTH_KEYS] = "invalid_bluetooth_keys"
            placeholders["problem"] = problem
        values = {**self.config_entry.options, **(user_input or {})}
        return self.async_show_form(
            step_id="bluetooth",
            data_schema=probatio.Schema(
                {
                    probatio.Optional(
                        OPT_BLUETOOTH_KEYS, default=values.get(OPT_BLUETOOTH_KEYS, {})
                    ): ObjectSelector(),
                }
            ),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_edge(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """How long an edge job may take, and how many finished ones are kept."""
        if user_input is not None:
            return self._save(
                {
                    OPT_DEVICE_RESULT_TIMEOUT: int(user_input[OPT_DEVICE_RESULT_TIMEOUT]),
                    OPT_MAX_COMPLETED_JOBS: int(user_input[OPT_MAX_COMPLETED_JOBS]),
                }
            )
        values = self.config_entry.options
        return self.async_show_form(
            step_id="edge",
            data_schema=probatio.Schema(
                {
                    probatio.Required(
                        OPT_DEVICE_RESULT_TIMEOUT,
                        default=values.get(
                            OPT_DEVICE_RESULT_TIMEOUT, DEFAULT_DEVICE_RESULT_TIMEOUT
                        ),
                    ): _number(5, 3_600, 5, "s"),
                    probatio.Required(
                        OPT_MAX_COMPLETED_JOBS,
                        default=values.get(OPT_MAX_COMPLETED_JOBS, DEFAULT_MAX_COMPLETED_JOBS),
                    ): _number(10, 10_000, 10, "jobs"),
                }
            ),
        )


async def _people(hass: HomeAssistant) -> dict[str, str]:
    """The people who use Home Assistant (not its system users), by user id."""
    return {
        user.id: user.name or user.id
        for user in await hass.auth.async_get_users()
        if not user.system_generated and user.is_active
    }
