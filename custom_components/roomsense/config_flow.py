"""Config flow of RoomSense: a SwitchBot account given by its token and secret."""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Mapping
from typing import Any

import probatio
from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlow,
)
from homeassistant.core import callback
from homeassistant.data_entry_flow import section
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    ObjectSelector,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
    TimeSelector,
)

from .const import (
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
    OPT_LLM_HASS_API,
    OPT_MAX_COMPLETED_JOBS,
    OPT_POLLING_SHARE,
    OPT_QUEUE_TTL,
    OPT_STALENESS,
)
from .fallback.model import DeviceKind
from .llm.const import (
    CONF_LLM_API_KEY,
    CONF_LLM_BASE_URL,
    CONF_LLM_MODEL,
    CONF_LLM_PROVIDER,
    CONF_LLM_TIMEOUT,
    PROVIDER_NONE,
    PROVIDERS,
)
from .llm.const import DEFAULT_TIMEOUT as DEFAULT_LLM_TIMEOUT
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


class RoomSenseConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up a SwitchBot account."""

    VERSION = 1
    MINOR_VERSION = 1

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> RoomSenseOptionsFlow:
        """How often to poll, how long to trust old states, who may push, how long to queue."""
        return RoomSenseOptionsFlow()

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
        """Change the token, secret or cloud URL of the account."""
        return await self.async_step_user(user_input)

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


_PERMISSION_SCHEMA = probatio.Schema(
    {
        str: probatio.Schema(
            {
                probatio.Optional("categories"): [probatio.In([kind.value for kind in DeviceKind])],
                probatio.Optional("areas"): [str],
            }
        )
    }
)
_TEXT = TextSelector()
_SECRET = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))


def _suggested(values: Mapping[str, Any], key: str) -> dict[str, Any]:
    """Prefill a field that may stay empty."""
    return {"suggested_value": values.get(key)}


class RoomSenseOptionsFlow(OptionsFlow):
    """Polling, webhook senders, the command queue, the language model, and safety."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show and save the options; the webhook id in the options is kept as it is."""
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {"networks": ""}
        current = self.config_entry.options
        if user_input is not None:
            networks = [
                network.strip()
                for network in user_input.get(OPT_ALLOWED_NETWORKS) or []
                if network.strip()
            ]
            permissions = user_input.get(OPT_PERMISSIONS) or {}
            if invalid := _invalid_networks(networks):
                errors[OPT_ALLOWED_NETWORKS] = "invalid_network"
                placeholders["networks"] = ", ".join(invalid)
            try:
                _PERMISSION_SCHEMA(permissions)
            except probatio.Invalid:
                errors[OPT_PERMISSIONS] = "invalid_permissions"
            if not errors:
                data: dict[str, Any] = {
                    **current,
                    OPT_POLLING_SHARE: int(user_input[OPT_POLLING_SHARE]),
                    OPT_STALENESS: int(user_input[OPT_STALENESS]),
                    OPT_QUEUE_TTL: int(user_input[OPT_QUEUE_TTL]),
                    OPT_DEVICE_RESULT_TIMEOUT: int(user_input[OPT_DEVICE_RESULT_TIMEOUT]),
                    OPT_MAX_COMPLETED_JOBS: int(user_input[OPT_MAX_COMPLETED_JOBS]),
                    OPT_ALLOWED_NETWORKS: networks,
                    CONF_LLM_PROVIDER: user_input[CONF_LLM_PROVIDER],
                    CONF_LLM_TIMEOUT: float(user_input[CONF_LLM_TIMEOUT]),
                    OPT_LLM_HASS_API: bool(user_input.get(OPT_LLM_HASS_API, False)),
                    OPT_NIGHT_MODE_ADMIN_OVERRIDE: bool(
                        user_input.get(OPT_NIGHT_MODE_ADMIN_OVERRIDE, False)
                    ),
                    OPT_DANGEROUS_COMMANDS: [
                        command.strip()
                        for command in user_input.get(OPT_DANGEROUS_COMMANDS) or []
                        if command.strip()
                    ],
                    OPT_PERMISSIONS: permissions,
                }
                # Optional text: an emptied field removes the option.
                for key in (
                    CONF_LLM_BASE_URL,
                    CONF_LLM_MODEL,
                    CONF_LLM_API_KEY,
                    OPT_NIGHT_MODE_START,
                    OPT_NIGHT_MODE_END,
                ):
                    data.pop(key, None)
                    if user_input.get(key):
                        data[key] = user_input[key]
                return self.async_create_entry(data=data)
        values = {**current, **(user_input or {})}
        schema = probatio.Schema(
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
                probatio.Required(
                    OPT_DEVICE_RESULT_TIMEOUT,
                    default=values.get(OPT_DEVICE_RESULT_TIMEOUT, DEFAULT_DEVICE_RESULT_TIMEOUT),
                ): _number(5, 3_600, 5, "s"),
                probatio.Required(
                    OPT_MAX_COMPLETED_JOBS,
                    default=values.get(OPT_MAX_COMPLETED_JOBS, DEFAULT_MAX_COMPLETED_JOBS),
                ): _number(10, 10_000, 10, "jobs"),
                probatio.Optional(
                    OPT_ALLOWED_NETWORKS, default=values.get(OPT_ALLOWED_NETWORKS, [])
                ): TextSelector(TextSelectorConfig(multiple=True)),
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
                    CONF_LLM_TIMEOUT, default=values.get(CONF_LLM_TIMEOUT, DEFAULT_LLM_TIMEOUT)
                ): _number(1, 300, 1, "s"),
                probatio.Optional(
                    OPT_LLM_HASS_API, default=values.get(OPT_LLM_HASS_API, False)
                ): BooleanSelector(),
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
                probatio.Optional(
                    OPT_PERMISSIONS, default=values.get(OPT_PERMISSIONS, {})
                ): ObjectSelector(),
            }
        )
        return self.async_show_form(
            step_id="init",
            data_schema=schema,
            errors=errors,
            description_placeholders=placeholders,
        )
