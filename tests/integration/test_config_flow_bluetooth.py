"""The Bluetooth steps of the config flow where the setup tests do not go.

Flows started at a later step, a lock's key tried before the lock is heard, the account
backend failing half-way, a reconfiguration with nothing to change, and the options' keys
corrected after an error. The simulated proxy and account backend are those of
test_bluetooth_setup.py.
"""

from __future__ import annotations

from typing import Any
from unittest.mock import AsyncMock, patch

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.roomsense.const import DOMAIN
from roomsense_simulator.account import COMMUNICATE_PATH, SwitchBotAccountServer
from roomsense_simulator.ble import SimulatedBleProxy

from ..conftest import home_with
from ..simulator.test_ble_support import ENCRYPTION_KEY, KEY_ID
from .test_bluetooth_setup import (  # noqa: F401 - the fixtures
    BOT,
    EMAIL,
    LOCK,
    PASSWORD,
    account_server,
    address,
    configure,
    discovered,
    radio,
)

NEW_KEY = "a5" * 16


def bluetooth_only(device_id: str, device_type: str, model: str, **key: str) -> MockConfigEntry:
    """A device added on its own, over Bluetooth (not set up)."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=f"{device_type} {device_id[-4:]}",
        unique_id=device_id,
        data={"address": address(device_id), "device_type": device_type, "model": model, **key},
    )


@pytest.mark.parametrize("step", ["bluetooth_confirm", "encrypted_auth", "encrypted_key"])
async def test_a_step_started_without_a_device_is_aborted(
    hass: HomeAssistant, enable_bluetooth: None, step: str
) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": step})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_supported"
    assert not hass.config_entries.async_entries(DOMAIN)


async def test_a_device_without_a_key_has_nothing_to_reconfigure(
    hass: HomeAssistant, enable_bluetooth: None
) -> None:
    entry = bluetooth_only(BOT, "Bot", "BOT")
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "nothing_to_reconfigure"
    assert entry.data == {"address": address(BOT), "device_type": "Bot", "model": "BOT"}


async def test_a_key_for_a_lock_not_heard_yet_is_tried_once_it_is(
    hass: HomeAssistant,
    radio: SimulatedBleProxy,  # noqa: F811 - the fixture
) -> None:
    entry = bluetooth_only(
        LOCK, "Smart Lock Pro", "LOCK_PRO", key_id=KEY_ID, encryption_key=ENCRYPTION_KEY
    )
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.MENU
    assert result["description_placeholders"] == {"name": entry.title, "address": address(LOCK)}
    result = await configure(hass, result["flow_id"], {"next_step_id": "encrypted_key"})
    radio[address(LOCK)].encryption_key = NEW_KEY
    typed = {"key_id": KEY_ID, "encryption_key": NEW_KEY}
    # No proxy has heard the lock: nothing could connect to try the key.
    result = await configure(hass, result["flow_id"], typed)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "encrypted_key"
    assert result["errors"] == {"base": "no_connectable_path"}
    assert entry.data["encryption_key"] == ENCRYPTION_KEY

    radio.advertise(address(LOCK))
    await hass.async_block_till_done()
    result = await configure(hass, result["flow_id"], typed)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data["encryption_key"] == NEW_KEY
    assert entry.state is ConfigEntryState.LOADED


async def test_the_account_dropping_the_key_request_is_unreachable_then_recovers(
    hass: HomeAssistant,
    radio: SimulatedBleProxy,  # noqa: F811 - the fixture
    account_server: SwitchBotAccountServer,  # noqa: F811 - the fixture
) -> None:
    flow = await discovered(hass, radio, LOCK)
    await configure(hass, flow["flow_id"], {"next_step_id": "encrypted_auth"})
    # Signed in, but the key request's connection closes without an answer.
    account_server.drop_connections = True
    account_server.fail_paths = {COMMUNICATE_PATH}
    sign_in = {"username": EMAIL, "password": PASSWORD}
    result = await configure(hass, flow["flow_id"], sign_in)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "encrypted_auth"
    assert result["errors"] == {"base": "account_unreachable"}
    # The email stays filled in.
    assert result["data_schema"]({"password": PASSWORD})["username"] == EMAIL

    account_server.drop_connections = False
    result = await configure(hass, flow["flow_id"], sign_in)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert (result["data"]["key_id"], result["data"]["encryption_key"]) == (KEY_ID, ENCRYPTION_KEY)


async def test_the_key_is_fetched_over_home_assistants_web_session(
    hass: HomeAssistant,
    radio: SimulatedBleProxy,  # noqa: F811 - the fixture
) -> None:
    """Outside the tests the account backend is reached with Home Assistant's own session."""
    from switchbot import SwitchbotEncryptedDevice

    flow = await discovered(hass, radio, LOCK)
    await configure(hass, flow["flow_id"], {"next_step_id": "encrypted_auth"})
    retrieve = AsyncMock(return_value={"key_id": KEY_ID, "encryption_key": ENCRYPTION_KEY})
    with patch.object(SwitchbotEncryptedDevice, "async_retrieve_encryption_key", retrieve):
        result = await configure(hass, flow["flow_id"], {"username": EMAIL, "password": PASSWORD})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Lock Pro 0013"
    retrieve.assert_awaited_once_with(async_get_clientsession(hass), address(LOCK), EMAIL, PASSWORD)


@pytest.fixture
def home() -> dict[str, Any]:
    """The account lists a Lock Pro (the first device, 000000000001)."""
    return home_with("Smart Lock Pro")


async def test_the_options_take_a_corrected_bluetooth_key(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    lock = "000000000001"
    result = await hass.config_entries.options.async_init(setup_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "bluetooth"}
    )
    assert result["step_id"] == "bluetooth"
    assert result["description_placeholders"] == {"problem": ""}
    typo = {lock: {"key_id": "a1", "encryption_key": ENCRYPTION_KEY[:-1]}}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"bluetooth_keys": typo}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"bluetooth_keys": "invalid_bluetooth_keys"}
    # The form keeps what was typed, to be corrected.
    assert result["data_schema"]({})["bluetooth_keys"] == typo

    key = {"key_id": "A1", "encryption_key": ENCRYPTION_KEY.upper()}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"bluetooth_keys": {lock: key}}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert setup_entry.options["bluetooth_keys"] == {
        lock: {"key_id": "a1", "encryption_key": ENCRYPTION_KEY}
    }
