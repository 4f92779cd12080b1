"""The Bluetooth keys of encrypted devices, typed into the options."""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from ..conftest import home_with


@pytest.fixture
def home() -> dict[str, Any]:
    return home_with("Smart Lock Pro", "Meter")


FRONT_DOOR_LOCK = "000000000001"
KEY = "0123456789abcdef0123456789ABCDEF"


async def options_with_keys(
    hass: HomeAssistant, entry: MockConfigEntry, keys: object
) -> dict[str, object]:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "bluetooth"}
    )
    return dict(
        await hass.config_entries.options.async_configure(
            result["flow_id"], {"bluetooth_keys": keys}
        )
    )


async def test_options_take_the_bluetooth_key_of_the_lock(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    result = await options_with_keys(
        hass, setup_entry, {FRONT_DOOR_LOCK.lower(): {"key_id": "A1", "encryption_key": KEY}}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert setup_entry.options["bluetooth_keys"] == {
        FRONT_DOOR_LOCK: {"key_id": "a1", "encryption_key": KEY.lower()}
    }
    link = setup_entry.runtime_data.bluetooth
    assert link is not None
    key = link.devices[FRONT_DOOR_LOCK].key
    assert key is not None
    assert (key.key_id, key.encryption_key) == ("a1", KEY.lower())


@pytest.mark.parametrize(
    ("keys", "problem"),
    [
        ("000000000001", "not an object of device ids"),
        (
            {"000000000002": {"key_id": "a1", "encryption_key": KEY}},
            "000000000002 is not a device of this account that needs a key",
        ),
        (
            {FRONT_DOOR_LOCK: {"key_id": "a", "encryption_key": KEY}},
            f"{FRONT_DOOR_LOCK}: key_id must be 2 hexadecimal digits",
        ),
        (
            {FRONT_DOOR_LOCK: {"key_id": "a1", "encryption_key": KEY[:-1] + "g"}},
            f"{FRONT_DOOR_LOCK}: encryption_key must be 32 hexadecimal digits",
        ),
        (
            {FRONT_DOOR_LOCK: "a1"},
            f"{FRONT_DOOR_LOCK}: not an object with key_id and encryption_key",
        ),
    ],
)
async def test_options_name_what_is_wrong_with_a_bluetooth_key(
    hass: HomeAssistant, setup_entry: MockConfigEntry, keys: object, problem: str
) -> None:
    result = await options_with_keys(hass, setup_entry, keys)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"bluetooth_keys": "invalid_bluetooth_keys"}
    assert result["description_placeholders"] == {"problem": problem}
    assert "bluetooth_keys" not in setup_entry.options
