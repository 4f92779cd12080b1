"""The options of a SwitchBot account: a menu of short steps, each saving what it shows."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any, Final

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigEntryState,
    ConfigFlowResult,
    OptionsFlow,
)
from homeassistant.core import HomeAssistant

from ..ble.link import OPT_BLUETOOTH_KEYS
from ..const import (
    DEFAULT_DEVICE_RESULT_TIMEOUT,
    DEFAULT_MAX_COMPLETED_JOBS,
    DEFAULT_POLLING_SHARE,
    DEFAULT_QUEUE_TTL,
    DEFAULT_STALENESS,
    OPT_ALLOWED_NETWORKS,
    OPT_DEVICE_RESULT_TIMEOUT,
    OPT_LLM_HASS_API,
    OPT_MAX_COMPLETED_JOBS,
    OPT_POLLING_SHARE,
    OPT_QUEUE_TTL,
    OPT_STALENESS,
)
from ..language_models.const import CONF_LLM_PROVIDER, CONF_LLM_TIMEOUT
from ..safety import OPT_DANGEROUS_COMMANDS, OPT_NIGHT_MODE_ADMIN_OVERRIDE, OPT_PERMISSIONS
from .schemas import (
    CONF_USER,
    HEX_KEY,
    HEX_KEY_ID,
    MODEL_TEXTS,
    NIGHT_TIMES,
    OPT_AREAS,
    OPT_CATEGORIES,
    OPT_RESTRICTED,
    PERMISSIONS_SCHEMA,
    Numbers,
    bluetooth_keys_schema,
    filled,
    model_schema,
    numbers_schema,
    person_schema,
    safety_schema,
    text_list,
    webhook_schema,
    whole_numbers,
)

CLOUD_NUMBERS: Final[Numbers] = {
    OPT_POLLING_SHARE: (DEFAULT_POLLING_SHARE, 5, 90, 5, "%"),
    OPT_STALENESS: (DEFAULT_STALENESS, 300, 86_400, 60, "s"),
    OPT_QUEUE_TTL: (DEFAULT_QUEUE_TTL, 0, 3_600, 30, "s"),
}
EDGE_NUMBERS: Final[Numbers] = {
    OPT_DEVICE_RESULT_TIMEOUT: (DEFAULT_DEVICE_RESULT_TIMEOUT, 5, 3_600, 5, "s"),
    OPT_MAX_COMPLETED_JOBS: (DEFAULT_MAX_COMPLETED_JOBS, 10, 10_000, 10, "jobs"),
}
# The options menu, in the order it shows.
OPTION_STEPS: Final = ["cloud", "webhook", "model", "safety", "permissions", "bluetooth", "edge"]


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

    def _shown(self, user_input: Mapping[str, Any] | None) -> dict[str, Any]:
        """What a form shows again: the options, with what was just typed in over them."""
        return {**self.config_entry.options, **(user_input or {})}

    async def async_step_cloud(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The poll budget, how long states are trusted, how long commands wait."""
        if user_input is not None:
            return self._save(whole_numbers(user_input, CLOUD_NUMBERS))
        return self.async_show_form(
            step_id="cloud", data_schema=numbers_schema(self.config_entry.options, CLOUD_NUMBERS)
        )

    async def async_step_webhook(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The networks webhook events may come from."""
        networks = text_list((user_input or {}).get(OPT_ALLOWED_NETWORKS))
        invalid = _invalid_networks(networks)
        if user_input is not None and not invalid:
            return self._save({OPT_ALLOWED_NETWORKS: networks})
        errors: dict[str, str] = {}
        if invalid:
            errors[OPT_ALLOWED_NETWORKS] = "invalid_network"
        return self.async_show_form(
            step_id="webhook",
            data_schema=webhook_schema(self._shown(user_input)),
            errors=errors,
            description_placeholders={"networks": ", ".join(invalid)},
        )

    async def async_step_model(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The conversation agent's language model."""
        if user_input is not None:
            changes: dict[str, Any] = {
                CONF_LLM_PROVIDER: user_input[CONF_LLM_PROVIDER],
                CONF_LLM_TIMEOUT: float(user_input[CONF_LLM_TIMEOUT]),
                OPT_LLM_HASS_API: bool(user_input.get(OPT_LLM_HASS_API, False)),
            }
            return self._save({**changes, **filled(user_input, MODEL_TEXTS)}, drop=MODEL_TEXTS)
        return self.async_show_form(
            step_id="model", data_schema=model_schema(self.config_entry.options)
        )

    async def async_step_safety(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Night safe hours and the commands that need a yes."""
        if user_input is not None:
            changes: dict[str, Any] = {
                OPT_NIGHT_MODE_ADMIN_OVERRIDE: bool(
                    user_input.get(OPT_NIGHT_MODE_ADMIN_OVERRIDE, False)
                ),
                OPT_DANGEROUS_COMMANDS: text_list(user_input.get(OPT_DANGEROUS_COMMANDS)),
            }
            return self._save({**changes, **filled(user_input, NIGHT_TIMES)}, drop=NIGHT_TIMES)
        return self.async_show_form(
            step_id="safety", data_schema=safety_schema(self.config_entry.options)
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
            data_schema=person_schema(users),
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
            if limits := {key: list(value) for key, value in filled(user_input, _LIMITS).items()}:
                permissions[self._user_id] = limits
                return self._save({OPT_PERMISSIONS: permissions})
            errors["base"] = "permissions_empty"
        values = {
            OPT_RESTRICTED: bool(current),
            **{key: list(current.get(key) or []) for key in _LIMITS},
            **(user_input or {}),
        }
        return self.async_show_form(
            step_id="permissions_user",
            data_schema=self.add_suggested_values_to_schema(PERMISSIONS_SCHEMA, values),
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
                return self._save({OPT_BLUETOOTH_KEYS: _lower_case_keys(keys)})
            errors[OPT_BLUETOOTH_KEYS] = "invalid_bluetooth_keys"
            placeholders["problem"] = problem
        return self.async_show_form(
            step_id="bluetooth",
            data_schema=bluetooth_keys_schema(self._shown(user_input)),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_edge(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """How long an edge job may take, and how many finished ones are kept."""
        if user_input is not None:
            return self._save(whole_numbers(user_input, EDGE_NUMBERS))
        return self.async_show_form(
            step_id="edge", data_schema=numbers_schema(self.config_entry.options, EDGE_NUMBERS)
        )


# What a restricted person may control: devices of these kinds, in these areas.
_LIMITS: Final = (OPT_CATEGORIES, OPT_AREAS)


def _invalid_networks(networks: list[str]) -> list[str]:
    invalid = []
    for network in networks:
        try:
            ipaddress.ip_network(network.strip(), strict=False)
        except ValueError:
            invalid.append(network)
    return invalid


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
        if not isinstance(key_id, str) or not HEX_KEY_ID.fullmatch(key_id):
            return f"{device_id}: key_id must be 2 hexadecimal digits"
        if not isinstance(encryption_key, str) or not HEX_KEY.fullmatch(encryption_key):
            return f"{device_id}: encryption_key must be 32 hexadecimal digits"
    return None


def _lower_case_keys(keys: Mapping[str, Mapping[str, str]]) -> dict[str, dict[str, str]]:
    """Checked keys as the options keep them: device ids upper case, the keys lower case."""
    return {
        device_id.upper(): {
            "key_id": key["key_id"].lower(),
            "encryption_key": key["encryption_key"].lower(),
        }
        for device_id, key in keys.items()
    }


async def _people(hass: HomeAssistant) -> dict[str, str]:
    """The people who use Home Assistant (not its system users), by user id."""
    return {
        user.id: user.name or user.id
        for user in await hass.auth.async_get_users()
        if not user.system_generated and user.is_active
    }
