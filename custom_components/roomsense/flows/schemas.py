"""The fields of RoomSense's config and options forms, and how typed-in values are read."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

import probatio
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.data_entry_flow import section
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

from ..ble.discovery import CONF_ENCRYPTION_KEY, CONF_KEY_ID
from ..ble.link import OPT_BLUETOOTH_KEYS
from ..const import (
    CONF_BASE_URL,
    CONF_SECRET,
    CONF_TOKEN,
    DEFAULT_CLOUD_URL,
    OPT_ALLOWED_NETWORKS,
    OPT_LLM_HASS_API,
)
from ..home_model import DeviceKind
from ..language_models.const import (
    CONF_LLM_API_KEY,
    CONF_LLM_BASE_URL,
    CONF_LLM_MODEL,
    CONF_LLM_PROVIDER,
    CONF_LLM_TIMEOUT,
    PROVIDER_NONE,
    PROVIDERS,
)
from ..language_models.const import DEFAULT_TIMEOUT as DEFAULT_LLM_TIMEOUT
from ..safety import (
    OPT_DANGEROUS_COMMANDS,
    OPT_NIGHT_MODE_ADMIN_OVERRIDE,
    OPT_NIGHT_MODE_END,
    OPT_NIGHT_MODE_START,
)

SECTION_ADVANCED = "advanced"
# The permissions steps' fields (the options keep `categories` and `areas` per user id).
CONF_USER: Final = "user"
OPT_RESTRICTED: Final = "restricted"
OPT_CATEGORIES: Final = "categories"
OPT_AREAS: Final = "areas"
# A Bluetooth key: its id is 2 hexadecimal digits, the key itself 32.
HEX_KEY = re.compile(r"[0-9a-fA-F]{32}")
HEX_KEY_ID = re.compile(r"[0-9a-fA-F]{2}")

_PASSWORD = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
_URL = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
_TEXT = TextSelector()
_TEXT_LIST = TextSelector(TextSelectorConfig(multiple=True))

# The whole-number options of a step: each one's default and its field's min, max, step, unit.
type Numbers = Mapping[str, tuple[int, int, int, int, str]]
# Optional text fields: an emptied one removes the option.
MODEL_TEXTS: Final = (CONF_LLM_BASE_URL, CONF_LLM_MODEL, CONF_LLM_API_KEY)
NIGHT_TIMES: Final = (OPT_NIGHT_MODE_START, OPT_NIGHT_MODE_END)


# --- the config flow ---------------------------------------------------------------------------


def user_schema(defaults: Mapping[str, Any]) -> probatio.Schema:
    """The token, the secret, and the cloud URL folded away in a section."""
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


def flatten(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Entry data keys are exactly token, secret and base_url."""
    advanced = user_input.get(SECTION_ADVANCED) or {}
    return {
        CONF_TOKEN: str(user_input[CONF_TOKEN]).strip(),
        CONF_SECRET: str(user_input[CONF_SECRET]).strip(),
        CONF_BASE_URL: str(advanced.get(CONF_BASE_URL) or DEFAULT_CLOUD_URL).strip().rstrip("/"),
    }


def reauth_schema(token: str) -> probatio.Schema:
    """The token (the stored one offered) and the secret again."""
    return probatio.Schema(
        {
            probatio.Required(CONF_TOKEN, default=token): _PASSWORD,
            probatio.Required(CONF_SECRET): _PASSWORD,
        }
    )


def sign_in_schema(user_input: Mapping[str, Any] | None) -> probatio.Schema:
    """The SwitchBot app's email (kept after an error) and password."""
    return probatio.Schema(
        {
            probatio.Required(
                CONF_USERNAME,
                default=(user_input or {}).get(CONF_USERNAME, probatio.UNDEFINED),
            ): TextSelector(TextSelectorConfig(type=TextSelectorType.EMAIL)),
            probatio.Required(CONF_PASSWORD): _PASSWORD,
        }
    )


KEY_SCHEMA: Final = probatio.Schema(
    {probatio.Required(CONF_KEY_ID): _TEXT, probatio.Required(CONF_ENCRYPTION_KEY): _PASSWORD}
)


# --- the options flow --------------------------------------------------------------------------


def numbers_schema(values: Mapping[str, Any], numbers: Numbers) -> probatio.Schema:
    """A box for each whole number, filled with the option or its default."""
    return probatio.Schema(
        {
            probatio.Required(key, default=values.get(key, default)): _number(
                minimum, maximum, step, unit
            )
            for key, (default, minimum, maximum, step, unit) in numbers.items()
        }
    )


def whole_numbers(user_input: Mapping[str, Any], numbers: Numbers) -> dict[str, int]:
    """The numbers as typed in, as the options keep them."""
    return {key: int(user_input[key]) for key in numbers}


def filled(user_input: Mapping[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    """The optional fields that were filled in."""
    return {key: user_input[key] for key in keys if user_input.get(key)}


def text_list(values: Iterable[str] | None) -> list[str]:
    """The lines of a list field, trimmed, without the empty ones."""
    return [value.strip() for value in values or [] if value.strip()]


def webhook_schema(values: Mapping[str, Any]) -> probatio.Schema:
    """The networks webhook events may come from."""
    return probatio.Schema(
        {
            probatio.Optional(
                OPT_ALLOWED_NETWORKS, default=values.get(OPT_ALLOWED_NETWORKS, [])
            ): _TEXT_LIST,
        }
    )


def model_schema(values: Mapping[str, Any]) -> probatio.Schema:
    """The provider, its server, model and key, how long it may take, and Assist's tools."""
    return probatio.Schema(
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
            ): _PASSWORD,
            probatio.Required(
                CONF_LLM_TIMEOUT, default=values.get(CONF_LLM_TIMEOUT, DEFAULT_LLM_TIMEOUT)
            ): _number(1, 300, 1, "s"),
            probatio.Optional(
                OPT_LLM_HASS_API, default=values.get(OPT_LLM_HASS_API, False)
            ): BooleanSelector(),
        }
    )


def safety_schema(values: Mapping[str, Any]) -> probatio.Schema:
    """Night safe hours, whether an administrator may override them, commands that need a yes."""
    return probatio.Schema(
        {
            **{
                probatio.Optional(key, description=_suggested(values, key)): TimeSelector()
                for key in NIGHT_TIMES
            },
            probatio.Optional(
                OPT_NIGHT_MODE_ADMIN_OVERRIDE,
                default=values.get(OPT_NIGHT_MODE_ADMIN_OVERRIDE, False),
            ): BooleanSelector(),
            probatio.Optional(
                OPT_DANGEROUS_COMMANDS, default=values.get(OPT_DANGEROUS_COMMANDS, [])
            ): _TEXT_LIST,
        }
    )


def person_schema(users: Mapping[str, str]) -> probatio.Schema:
    """A choice of one person, by name."""
    options = [SelectOptionDict(value=user_id, label=name) for user_id, name in users.items()]
    return probatio.Schema(
        {
            probatio.Required(CONF_USER): SelectSelector(
                SelectSelectorConfig(options=options, mode=SelectSelectorMode.DROPDOWN)
            )
        }
    )


PERMISSIONS_SCHEMA: Final = probatio.Schema(
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
        probatio.Optional(OPT_AREAS): AreaSelector(AreaSelectorConfig(multiple=True)),
    }
)


def bluetooth_keys_schema(values: Mapping[str, Any]) -> probatio.Schema:
    """The keys of the account's encrypted devices, as one object."""
    return probatio.Schema(
        {
            probatio.Optional(
                OPT_BLUETOOTH_KEYS, default=values.get(OPT_BLUETOOTH_KEYS, {})
            ): ObjectSelector(),
        }
    )


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


def _suggested(values: Mapping[str, Any], key: str) -> dict[str, Any]:
    """Prefill a field that may stay empty."""
    return {"suggested_value": values.get(key)}
