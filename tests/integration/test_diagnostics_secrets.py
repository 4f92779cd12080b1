"""Diagnostics never show a secret: the API key of the model included.

`SECRET_KEYS` is the one list of secret keys. The flows are read as the frontend gets them,
so a new password field that is not in the list fails here before it can leak.
"""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import section
from homeassistant.helpers.selector import TextSelector
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.roomsense.const import DOMAIN
from custom_components.roomsense.diagnostics import SECRET_KEYS

from ..conftest import SECRET, TOKEN

API_KEY = "sk-model-key-that-must-not-leak"


def password_fields(schema: Any) -> set[str]:
    """The keys of a form schema (sections included) shown as password fields."""
    found: set[str] = set()
    for key, value in schema.schema.items():
        if isinstance(value, section):
            found |= password_fields(value.schema)
        elif isinstance(value, TextSelector) and value.config.get("type") == "password":
            found.add(str(key))
    return found


async def test_every_password_field_of_the_flows_is_a_listed_secret(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    user = await hass.config_entries.flow.async_init(DOMAIN, context={"source": "user"})
    config_entry.add_to_hass(hass)
    menu = await hass.config_entries.options.async_init(config_entry.entry_id)
    fields = password_fields(user["data_schema"])
    for step in menu["menu_options"]:
        options = await hass.config_entries.options.async_init(config_entry.entry_id)
        options = await hass.config_entries.options.async_configure(
            options["flow_id"], {"next_step_id": step}
        )
        fields |= password_fields(options["data_schema"])
        hass.config_entries.options.async_abort(options["flow_id"])
    # The test would prove nothing if it found no field at all.
    assert {"token", "secret", "llm_api_key"} <= fields
    assert fields <= SECRET_KEYS


async def test_diagnostics_redact_the_model_api_key(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, config_entry: MockConfigEntry
) -> None:
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry, options={**config_entry.options, "llm_api_key": API_KEY}
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, config_entry)
    text = str(diagnostics)
    for secret in (API_KEY, TOKEN, SECRET):
        assert secret not in text
    assert diagnostics["entry"]["options"]["llm_api_key"] == "**REDACTED**"
