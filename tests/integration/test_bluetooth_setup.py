"""Setting up SwitchBot devices found over Bluetooth: on their own, or as one with the account.

Home Assistant's Bluetooth manager hears the simulated proxy and starts RoomSense's
discovery flows from the manifest's matchers, as it would for a real device. Keys come from
the device itself (typed in) or from a stand-in of the SwitchBot app's account backend over
real HTTPS (`roomsense_simulator.account`), which PySwitchbot's own key retrieval reaches.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from unittest.mock import patch

import pytest
from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN
from homeassistant.components.button import SERVICE_PRESS
from homeassistant.components.lock import DOMAIN as LOCK_DOMAIN
from homeassistant.components.lock import SERVICE_LOCK
from homeassistant.config_entries import SOURCE_BLUETOOTH, SOURCE_RECONFIGURE, ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.roomsense import catalog
from custom_components.roomsense.const import DOMAIN
from roomsense_simulator.account import SwitchBotAccountServer
from roomsense_simulator.ble import BleDevice, LockState, SimulatedBleProxy

from ..conftest import SimulatorAdmin, home_with
from ..simulator.test_ble_support import ENCRYPTION_KEY, KEY_ID, import_switchbot
from .conftest import entity_id

BOT, METER, LOCK = "C0FFEE000011", "C0FFEE000012", "C0FFEE000013"
EMAIL, PASSWORD = "owner@example.com", "correct horse"
WRONG_KEY = "0f" * 16


def address(device_id: str) -> str:
    return ":".join(device_id[i : i + 2] for i in range(0, 12, 2))


@pytest.fixture
async def radio(hass: HomeAssistant, enable_bluetooth: None) -> AsyncIterator[SimulatedBleProxy]:
    """A Bot, a Meter and a Lock Pro in range of a simulated proxy."""
    import_switchbot()
    proxy = SimulatedBleProxy(
        hass,
        [
            BleDevice(address(BOT), "WoHand", state={"switchMode": False, "battery": 80}),
            BleDevice(address(METER), "WoSensorTH", state={"temperature": 22.5, "humidity": 40}),
            BleDevice(
                address(LOCK), "WoLockPro", key_id=KEY_ID, encryption_key=ENCRYPTION_KEY,
                state={"status": LockState.UNLOCKED},
            ),
        ],
    )  # fmt: skip
    unregister = proxy.async_start()
    yield proxy
    for entry in hass.config_entries.async_entries(DOMAIN):
        if entry.state is ConfigEntryState.LOADED:
            await hass.config_entries.async_unload(entry.entry_id)
    await proxy.async_disconnect()
    unregister()
    await hass.async_block_till_done(wait_background_tasks=True)


@pytest.fixture
async def account_server() -> AsyncIterator[SwitchBotAccountServer]:
    """The SwitchBot app's account backend, where the Lock Pro's owner has its key."""
    async with SwitchBotAccountServer() as server:
        server.add_user(EMAIL, PASSWORD, region="ap")
        server.add_user("apple-user@example.com", sso=True)
        server.add_user("someone-else@example.com", "their password", region="ap")
        server.add_key(EMAIL, address(LOCK), KEY_ID, ENCRYPTION_KEY)
        session = server.client_session()
        with patch(
            "custom_components.roomsense.flows.bluetooth.switchbot_app_session",
            return_value=session,
        ):
            yield server
        await session.close()


async def discovered(hass: HomeAssistant, radio: SimulatedBleProxy, device_id: str) -> Any:
    """The flow Home Assistant started when the device was heard."""
    radio.advertise(address(device_id))
    # Discovery flows start as background tasks.
    await hass.async_block_till_done(wait_background_tasks=True)
    flows = [
        flow
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        if flow["context"].get("unique_id") == device_id
    ]
    assert len(flows) == 1, flows
    assert flows[0]["context"]["source"] == SOURCE_BLUETOOTH
    return flows[0]


async def configure(hass: HomeAssistant, flow_id: str, user_input: dict[str, Any]) -> Any:
    result = await hass.config_entries.flow.async_configure(flow_id, user_input)
    await hass.async_block_till_done()
    return result


def local_commands(radio: SimulatedBleProxy, device_id: str) -> list[tuple[Any, ...]]:
    return [
        command for command in radio[address(device_id)].commands
        if not command[0].startswith("get_") and command[0] != "enable_notifications"
    ]  # fmt: skip


async def test_a_bot_heard_over_bluetooth_is_set_up_without_an_account(
    hass: HomeAssistant, radio: SimulatedBleProxy
) -> None:
    flow = await discovered(hass, radio, BOT)
    assert flow["step_id"] == "bluetooth_confirm"
    assert flow["context"]["title_placeholders"] == {"name": "Bot 0011"}
    result = await configure(hass, flow["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Bot 0011"
    assert result["data"] == {"address": address(BOT), "device_type": "Bot", "model": "BOT"}
    entry = result["result"]
    assert entry.state is ConfigEntryState.LOADED
    assert entry.unique_id == BOT
    # The cloud twin's entity, its unique id and name; nothing of an account.
    button = entity_id(hass, "button", f"{BOT}_press")
    await hass.services.async_call(
        BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: button}, blocking=True
    )
    assert local_commands(radio, BOT) == [("press",)]
    assert hass.states.get(button).attributes["last_command_path"] == "bluetooth"
    platforms = {
        registry_entry.domain
        for registry_entry in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    }
    assert "conversation" not in platforms
    assert "scene" not in platforms
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, BOT), entry.entry_id)
    assert device is not None
    assert device.model == "Bot"
    assert (dr.CONNECTION_BLUETOOTH, address(BOT)) in device.connections
    # No options for a device without an account.
    assert not entry.supports_options


async def test_a_bluetooth_only_meter_keeps_updating_from_its_advertisements(
    hass: HomeAssistant, radio: SimulatedBleProxy
) -> None:
    flow = await discovered(hass, radio, METER)
    await configure(hass, flow["flow_id"], {})
    temperature = entity_id(hass, "sensor", f"{METER}_temperature")
    assert hass.states.get(temperature).state == "22.5"
    radio[address(METER)].set_state(temperature=18.25)
    radio.advertise(address(METER))
    await hass.async_block_till_done()
    assert hass.states.get(temperature).state == "18.2"


async def test_a_bluetooth_only_device_out_of_range_fails_with_the_reason(
    hass: HomeAssistant, radio: SimulatedBleProxy
) -> None:
    flow = await discovered(hass, radio, BOT)
    await configure(hass, flow["flow_id"], {})
    radio[address(BOT)].faults.out_of_range = True
    with pytest.raises(HomeAssistantError) as raised:
        await hass.services.async_call(
            BUTTON_DOMAIN,
            SERVICE_PRESS,
            {ATTR_ENTITY_ID: entity_id(hass, "button", f"{BOT}_press")},
            blocking=True,
        )
    # Nothing to fall back to and nothing to queue for: the reason, at once.
    assert raised.value.translation_key == "command_failed"
    assert "Bluetooth press to Bot 0011 failed" in raised.value.translation_placeholders["error"]
    assert local_commands(radio, BOT) == []


async def test_the_lock_key_typed_in_with_every_error_on_the_way(
    hass: HomeAssistant, radio: SimulatedBleProxy
) -> None:
    flow = await discovered(hass, radio, LOCK)
    assert flow["step_id"] == "encrypted_choose_method"
    result = await configure(hass, flow["flow_id"], {"next_step_id": "encrypted_key"})
    assert result["step_id"] == "encrypted_key"
    result = await configure(
        hass, flow["flow_id"], {"key_id": "zz", "encryption_key": ENCRYPTION_KEY[:30]}
    )
    assert result["errors"] == {
        "key_id": "key_id_invalid",
        "encryption_key": "encryption_key_malformed",
    }
    result = await configure(hass, flow["flow_id"], {"key_id": KEY_ID, "encryption_key": WRONG_KEY})
    assert result["errors"] == {"base": "encryption_key_invalid"}
    radio[address(LOCK)].faults.out_of_range = True
    result = await configure(
        hass, flow["flow_id"], {"key_id": KEY_ID, "encryption_key": ENCRYPTION_KEY}
    )
    assert result["errors"] == {"base": "cannot_reach_device"}
    radio[address(LOCK)].faults.out_of_range = False
    result = await configure(
        hass, flow["flow_id"], {"key_id": KEY_ID, "encryption_key": f" {ENCRYPTION_KEY} "}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Lock Pro 0013"
    assert result["data"] == {
        "address": address(LOCK),
        "device_type": "Smart Lock Pro",
        "model": "LOCK_PRO",
        "key_id": KEY_ID,
        "encryption_key": ENCRYPTION_KEY,
    }
    lock = entity_id(hass, "lock", f"{LOCK}_lock")
    await hass.services.async_call(LOCK_DOMAIN, SERVICE_LOCK, {ATTR_ENTITY_ID: lock}, blocking=True)
    assert radio[address(LOCK)].state["status"] == LockState.LOCKED


async def test_the_lock_key_from_the_switchbot_account_with_every_error_on_the_way(
    hass: HomeAssistant, radio: SimulatedBleProxy, account_server: SwitchBotAccountServer
) -> None:
    flow = await discovered(hass, radio, LOCK)
    result = await configure(hass, flow["flow_id"], {"next_step_id": "encrypted_auth"})
    assert result["step_id"] == "encrypted_auth"
    wrong = await configure(hass, flow["flow_id"], {"username": EMAIL, "password": "wrong"})
    assert wrong["errors"] == {"base": "auth_failed"}
    # Signed up with Apple: no password the account backend accepts (the text says so).
    sso = await configure(
        hass, flow["flow_id"], {"username": "apple-user@example.com", "password": "anything"}
    )
    assert sso["errors"] == {"base": "auth_failed"}
    other = await configure(
        hass,
        flow["flow_id"],
        {"username": "someone-else@example.com", "password": "their password"},
    )
    assert other["errors"] == {"base": "key_not_found"}
    account_server.fail_with_status = 503
    down = await configure(hass, flow["flow_id"], {"username": EMAIL, "password": PASSWORD})
    assert down["errors"] == {"base": "account_unreachable"}
    account_server.fail_with_status = None
    result = await configure(hass, flow["flow_id"], {"username": EMAIL, "password": PASSWORD})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["key_id"] == KEY_ID
    assert result["data"]["encryption_key"] == ENCRYPTION_KEY
    # The password is used once and kept nowhere.
    assert PASSWORD not in str(result["result"].as_dict())
    # What the backend was asked last: sign-in, who the user is, the key in their region.
    assert [(request.host, request.path) for request in account_server.requests[-3:]] == [
        ("account.api.switchbot.net", "/account/api/v1/user/login"),
        ("account.api.switchbot.net", "/account/api/v1/user/userinfo"),
        ("wonderlabs.ap.api.switchbot.net", "/wonder/keys/v1/communicate"),
    ]
    lock = entity_id(hass, "lock", f"{LOCK}_lock")
    await hass.services.async_call(LOCK_DOMAIN, SERVICE_LOCK, {ATTR_ENTITY_ID: lock}, blocking=True)
    assert radio[address(LOCK)].state["status"] == LockState.LOCKED


async def test_the_account_backend_stopped_is_unreachable_not_a_wrong_password(
    hass: HomeAssistant, radio: SimulatedBleProxy, account_server: SwitchBotAccountServer
) -> None:
    flow = await discovered(hass, radio, LOCK)
    await configure(hass, flow["flow_id"], {"next_step_id": "encrypted_auth"})
    await account_server.stop()
    result = await configure(hass, flow["flow_id"], {"username": EMAIL, "password": PASSWORD})
    assert result["errors"] == {"base": "account_unreachable"}


@pytest.fixture
def home() -> dict[str, Any]:
    """The account lists the Bot and the Lock Pro (by their Bluetooth addresses)."""
    home = home_with("Bot", "Smart Lock Pro")
    for device, device_id in zip(home["devices"][1:], (BOT, LOCK), strict=True):
        device["deviceId"] = device_id
    return home


async def test_a_device_of_the_account_is_one_device_not_a_second_entry(
    hass: HomeAssistant, radio: SimulatedBleProxy, setup_entry: MockConfigEntry
) -> None:
    radio.advertise(address(BOT))
    await hass.async_block_till_done()
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_BLUETOOTH},
        data=_service_info(hass, BOT),
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "account_device"
    assert result["description_placeholders"]["account"] == setup_entry.title
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1
    connection = (dr.CONNECTION_BLUETOOTH, address(BOT))
    assert len(dr.async_get(hass).async_get_devices(connections={connection})) == 1


async def test_a_lock_of_the_account_gets_its_key_saved_in_the_account(
    hass: HomeAssistant,
    radio: SimulatedBleProxy,
    setup_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
) -> None:
    flow = await discovered(hass, radio, LOCK)
    assert flow["step_id"] == "encrypted_choose_method"
    await configure(hass, flow["flow_id"], {"next_step_id": "encrypted_key"})
    result = await configure(
        hass, flow["flow_id"], {"key_id": KEY_ID, "encryption_key": ENCRYPTION_KEY}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "key_saved"
    assert setup_entry.options["bluetooth_keys"] == {
        LOCK: {"key_id": KEY_ID, "encryption_key": ENCRYPTION_KEY}
    }
    # The account reloaded with the key: the lock now goes over Bluetooth.
    assert setup_entry.state is ConfigEntryState.LOADED
    lock = entity_id(hass, "lock", f"{LOCK}_lock")
    await hass.services.async_call(LOCK_DOMAIN, SERVICE_LOCK, {ATTR_ENTITY_ID: lock}, blocking=True)
    assert radio[address(LOCK)].state["status"] == LockState.LOCKED
    assert await sim_admin.api_calls(f"/devices/{LOCK}/commands") == []
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


async def test_a_bluetooth_only_device_joins_the_account_that_lists_it(
    hass: HomeAssistant, radio: SimulatedBleProxy, config_entry: MockConfigEntry
) -> None:
    flow = await discovered(hass, radio, LOCK)
    await configure(hass, flow["flow_id"], {"next_step_id": "encrypted_key"})
    result = await configure(
        hass, flow["flow_id"], {"key_id": KEY_ID, "encryption_key": ENCRYPTION_KEY}
    )
    local_entry = result["result"]
    assert local_entry.state is ConfigEntryState.LOADED
    # Then the SwitchBot account is added; it lists the lock.
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.config_entries.async_entries(DOMAIN) == [config_entry]
    assert config_entry.options["bluetooth_keys"] == {
        LOCK: {"key_id": KEY_ID, "encryption_key": ENCRYPTION_KEY}
    }
    registry = dr.async_get(hass)
    devices = registry.async_get_devices(connections={(dr.CONNECTION_BLUETOOTH, address(LOCK))})
    assert [device.config_entry_id for device in devices] == [config_entry.entry_id]
    lock = entity_id(hass, "lock", f"{LOCK}_lock")
    assert er.async_get(hass).async_get(lock).config_entry_id == config_entry.entry_id
    await hass.services.async_call(LOCK_DOMAIN, SERVICE_LOCK, {ATTR_ENTITY_ID: lock}, blocking=True)
    assert hass.states.get(lock).attributes["last_command_path"] == "bluetooth"


async def test_a_device_set_up_in_switchbot_bluetooth_is_left_to_it(
    hass: HomeAssistant, radio: SimulatedBleProxy, config_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
) -> None:  # fmt: skip
    MockConfigEntry(
        domain="switchbot",
        unique_id=BOT.lower(),
        data={"address": address(BOT), "sensor_type": "bot"},
        title="Bot",
    ).add_to_hass(hass)
    radio.advertise(address(BOT))
    await hass.async_block_till_done()
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_BLUETOOTH}, data=_service_info(hass, BOT)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "switchbot_configured"
    # An account that lists it drives it through the cloud only, and says why.
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"left_to_switchbot_{config_entry.entry_id}")
    assert issue is not None
    assert issue.translation_placeholders["devices"] == "Bot"
    await hass.services.async_call(
        BUTTON_DOMAIN,
        SERVICE_PRESS,
        {ATTR_ENTITY_ID: entity_id(hass, "button", f"{BOT}_press")},
        blocking=True,
    )
    assert local_commands(radio, BOT) == []
    assert [call["body"]["command"] for call in await sim_admin.api_calls(
        f"/devices/{BOT}/commands"
    )] == ["press"]  # fmt: skip


async def test_an_advertisement_of_another_maker_is_not_offered(
    hass: HomeAssistant, radio: SimulatedBleProxy
) -> None:
    from bleak.backends.device import BLEDevice
    from bleak.backends.scanner import AdvertisementData
    from homeassistant.components.bluetooth import BluetoothServiceInfoBleak

    # A thermostat on a Nordic chip: the manufacturer id SwitchBot locks use too.
    advertisement = AdvertisementData(
        local_name="thermostat",
        manufacturer_data={89: b"\x01\x02\x03"},
        service_data={},
        service_uuids=[],
        tx_power=None,
        rssi=-60,
        platform_data=(),
    )
    other = BluetoothServiceInfoBleak.from_device_and_advertisement_data(
        BLEDevice("C0:FF:EE:00:00:99", "thermostat", {}), advertisement, "hci0", 0.0, True
    )
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_BLUETOOTH}, data=other
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_supported"


async def test_the_key_of_a_bluetooth_only_lock_can_be_changed(
    hass: HomeAssistant, radio: SimulatedBleProxy
) -> None:
    flow = await discovered(hass, radio, LOCK)
    await configure(hass, flow["flow_id"], {"next_step_id": "encrypted_key"})
    result = await configure(
        hass, flow["flow_id"], {"key_id": KEY_ID, "encryption_key": ENCRYPTION_KEY}
    )
    entry = result["result"]
    # The lock was given a new key in the SwitchBot app.
    new_key = "a5" * 16
    radio[address(LOCK)].encryption_key = new_key
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": entry.entry_id}
    )
    assert result["step_id"] == "encrypted_choose_method"
    await configure(hass, result["flow_id"], {"next_step_id": "encrypted_key"})
    result = await configure(hass, result["flow_id"], {"key_id": KEY_ID, "encryption_key": new_key})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data["encryption_key"] == new_key


def _service_info(hass: HomeAssistant, device_id: str) -> Any:
    from homeassistant.components import bluetooth

    info = bluetooth.async_last_service_info(hass, address(device_id), connectable=False)
    assert info is not None
    return info


async def test_discoveries_heard_before_the_account_loaded_end_when_it_does(
    hass: HomeAssistant, radio: SimulatedBleProxy, config_entry: MockConfigEntry
) -> None:
    # Home Assistant starting: the devices are heard before the account is set up.
    radio.advertise_all()
    await hass.async_block_till_done(wait_background_tasks=True)
    before = {
        flow["context"]["unique_id"]: flow
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    }
    assert set(before) == {BOT, METER, LOCK}
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    after = {
        flow["context"]["unique_id"]: flow
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    }
    # The Meter is on no account: still offered. The Bot is the account's: not offered.
    assert after[METER]["flow_id"] == before[METER]["flow_id"]
    assert BOT not in after
    # The lock is the account's too, but without its key: asked again, for the account.
    lock_name = next(
        device.name
        for device in config_entry.runtime_data.devices.devices
        if device.device_id == LOCK
    )
    assert after[LOCK]["flow_id"] != before[LOCK]["flow_id"]
    assert after[LOCK]["context"]["title_placeholders"] == {"name": lock_name}


def _simulated_models() -> list[str]:
    """What every simulated product advertises as its model (PySwitchbot's values)."""
    from roomsense_simulator.ble.model import DEFAULT_PRODUCT

    return sorted(DEFAULT_PRODUCT)


@pytest.mark.parametrize("advertised", _simulated_models())
async def test_every_supported_model_is_offered_and_set_up_with_its_entities(
    hass: HomeAssistant, enable_bluetooth: None, advertised: str
) -> None:
    # PySwitchbot only now: Home Assistant's Bluetooth stack is up.
    switchbot = import_switchbot()
    member = switchbot.SwitchbotModel(advertised).name
    device_id = "C0FFEE0000AA"
    keys = {"key_id": KEY_ID, "encryption_key": ENCRYPTION_KEY} if _encrypted(advertised) else {}
    proxy = SimulatedBleProxy(hass, [BleDevice(address(device_id), advertised, **keys)])
    unregister = proxy.async_start()
    try:
        if catalog.discovered_type(member) is None:
            # A SwitchBot model RoomSense does not drive: heard, but not offered.
            proxy.advertise(address(device_id))
            await hass.async_block_till_done(wait_background_tasks=True)
            assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)
            return
        flow = await discovered(hass, proxy, device_id)
        if keys:
            assert flow["step_id"] == "encrypted_choose_method"
            await configure(hass, flow["flow_id"], {"next_step_id": "encrypted_key"})
            result = await configure(hass, flow["flow_id"], keys)
        else:
            assert flow["step_id"] == "bluetooth_confirm"
            result = await configure(hass, flow["flow_id"], {})
        assert result["type"] is FlowResultType.CREATE_ENTRY, result
        entry = result["result"]
        assert entry.state is ConfigEntryState.LOADED
        device = dr.async_get(hass).async_get_device_by_identifier(
            (DOMAIN, device_id), entry.entry_id
        )
        assert device is not None
        assert device.model == result["data"]["device_type"]
        entities = er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        assert entities, f"{advertised}: no entities"
        for registry_entry in entities:
            state = hass.states.get(registry_entry.entity_id)
            assert state is not None
            assert state.state != "unavailable", registry_entry.entity_id
        await hass.config_entries.async_unload(entry.entry_id)
    finally:
        await proxy.async_disconnect()
        unregister()
        await hass.async_block_till_done(wait_background_tasks=True)


def _encrypted(advertised: str) -> bool:
    from roomsense_simulator.ble.model import DEFAULT_PRODUCT, PRODUCTS

    return PRODUCTS[DEFAULT_PRODUCT[advertised]].encrypted


async def test_a_proxy_gone_while_the_key_form_is_open_answers_in_time(
    hass: HomeAssistant, radio: SimulatedBleProxy
) -> None:
    flow = await discovered(hass, radio, LOCK)
    await configure(hass, flow["flow_id"], {"next_step_id": "encrypted_key"})
    # The only proxy that heard the lock goes away; its last advertisement is still held.
    radio.async_stop()
    await hass.async_block_till_done()
    with patch("custom_components.roomsense.flows.bluetooth.KEY_CHECK_TIMEOUT", 1.0):
        result = await configure(
            hass, flow["flow_id"], {"key_id": KEY_ID, "encryption_key": ENCRYPTION_KEY}
        )
    assert result["errors"] == {"base": "cannot_reach_device"}
