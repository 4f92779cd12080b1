"""Webhook push end to end: the simulated cloud POSTs to Home Assistant's real HTTP server."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.roomsense.const import DOMAIN, EVENT_ROOMSENSE
from roomsense_simulator import Simulator

from ..conftest import SimulatorAdmin, home_with, listen_into, registry_device
from .conftest import entity_id, setup_webhook_directly
from .test_dynamic_devices import NEW_PLUG, add_to_account

METER, CONTACT, BLIND = (f"{n:012d}" for n in range(1, 4))


@pytest.fixture
def disable_http_server() -> None:
    """Keep Home Assistant's real HTTP server, which the test plugin stops by default."""


@pytest.fixture
def home() -> dict[str, Any]:
    return home_with("Meter", "Contact Sensor", "Blind Tilt")


async def physical_event(
    hass: HomeAssistant, sim_admin: SimulatorAdmin, device_id: str, status: dict[str, Any]
) -> None:
    """Something happens at the device; wait until the cloud's webhook was delivered."""
    await sim_admin.request("POST", f"devices/{device_id}/event", {"status": status})
    await sim_admin.request("POST", "webhooks/flush")
    await hass.async_block_till_done()


def webhook_url(entry: MockConfigEntry) -> str:
    url = entry.runtime_data.webhook_url
    assert url is not None
    return str(url)


async def test_registers_its_url_with_switchbot(
    hass: HomeAssistant, pushing_entry: MockConfigEntry, sim_admin: SimulatorAdmin, ha_url: str
) -> None:
    url = webhook_url(pushing_entry)
    assert url.startswith(f"{ha_url}/api/webhook/roomsense_")
    config = (await sim_admin.request("GET", "webhooks"))["config"]
    assert config["url"] == url
    assert pushing_entry.runtime_data.coordinator.push_active is True
    # The secret id is kept in the entry data, with the account; the options hold none.
    assert set(pushing_entry.data) == {"token", "secret", "base_url", "webhook_id"}
    assert url.endswith(pushing_entry.data["webhook_id"])
    assert "webhook_id" not in pushing_entry.options


async def test_push_updates_the_entity_and_fires_an_event(
    hass: HomeAssistant, pushing_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    events: list[Event] = []
    listen_into(hass, EVENT_ROOMSENSE, events)
    calls_before = len(await sim_admin.calls())

    await physical_event(hass, sim_admin, METER, {"temperature": 29.5, "humidity": 61})

    assert hass.states.get(entity_id(hass, "sensor", f"{METER}_temperature")).state == "29.5"
    assert hass.states.get(entity_id(hass, "sensor", f"{METER}_humidity")).state == "61"
    assert len(events) == 1
    assert events[0].data["device_id"] == METER
    assert events[0].data["device_type"] == "Meter"
    assert events[0].data["changed"] == {"temperature": 29.5, "humidity": 61}
    # Nothing was read from the cloud: the push carried the state.
    assert len(await sim_admin.calls()) == calls_before


async def test_replays_and_older_events_change_nothing(
    hass: HomeAssistant, pushing_entry: MockConfigEntry
) -> None:
    url = webhook_url(pushing_entry)
    temperature = entity_id(hass, "sensor", f"{METER}_temperature")

    def event(sample: int, value: float) -> dict[str, Any]:
        return {
            "eventType": "changeReport",
            "eventVersion": "1",
            "context": {
                "deviceType": "WoMeter",
                "deviceMac": METER,
                "temperature": value,
                "humidity": 50,
                "scale": "CELSIUS",
                "battery": 100,
                "timeOfSample": sample,
            },
        }

    async with aiohttp.ClientSession() as session:

        async def post(body: dict[str, Any]) -> dict[str, Any]:
            async with session.post(url, json=body) as response:
                assert response.status == 200
                return dict(await response.json())

        assert (await post(event(2_000_000_000_000, 22.0)))["result"] == "applied"
        assert (await post(event(2_000_000_000_000, 22.0)))["reason"] == "replay"
        assert (await post(event(1_900_000_000_000, 18.0)))["reason"] == "older than state"
        await hass.async_block_till_done()
        assert hass.states.get(temperature).state == "22.0"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "body is not valid JSON"),
        (b'{"eventType": "changeReport"}', "malformed event"),
        (b'{"eventType": "changeReport", "context": {"deviceMac": 5}}', "malformed event"),
        (b"[]", "malformed event"),
    ],
)
async def test_malformed_input_answers_400(
    hass: HomeAssistant, pushing_entry: MockConfigEntry, body: bytes, message: str
) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.post(webhook_url(pushing_entry), data=body) as response,
    ):
        assert response.status == 400
        assert (await response.json())["message"].startswith(message)
    assert pushing_entry.state is ConfigEntryState.LOADED


async def test_allowlist_refuses_other_senders(
    hass: HomeAssistant, ha_url: str, config_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry, options={"allowed_networks": ["192.0.2.0/24"]}
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    await physical_event(hass, sim_admin, CONTACT, {"openState": "open"})
    deliveries = (await sim_admin.request("GET", "webhooks"))["deliveries"]
    assert [delivery["http_status"] for delivery in deliveries] == [403]


async def test_someone_elses_url_is_kept_and_a_repair_asks(
    hass: HomeAssistant, ha_url: str, config_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    other = "https://other-app.example/hook"
    await setup_webhook_directly(config_entry, other)
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    assert (await sim_admin.request("GET", "webhooks"))["config"]["url"] == other
    assert config_entry.runtime_data.webhook_url is None
    assert config_entry.runtime_data.coordinator.push_active is False
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"webhook_in_use_{config_entry.entry_id}")
    assert issue is not None
    assert issue.translation_placeholders == {"url": other}


async def test_a_stale_roomsense_url_is_replaced(
    hass: HomeAssistant, ha_url: str, config_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    await setup_webhook_directly(config_entry, "https://old-home.example/api/webhook/roomsense_x")
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert (await sim_admin.request("GET", "webhooks"))["config"]["url"] == webhook_url(
        config_entry
    )


async def test_unload_removes_the_url(
    hass: HomeAssistant, pushing_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    url = webhook_url(pushing_entry)
    assert await hass.config_entries.async_unload(pushing_entry.entry_id)
    assert (await sim_admin.request("GET", "webhooks"))["config"] is None
    async with aiohttp.ClientSession() as session, session.post(url, json={}) as response:
        # Home Assistant answers unknown webhooks with 200 and does nothing.
        assert response.status == 200
        assert await response.text() == ""


async def test_an_internal_error_answers_500_and_the_next_event_still_works(
    hass: HomeAssistant,
    pushing_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(device_type: str, context: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("a bug")

    monkeypatch.setattr("custom_components.roomsense.webhook.status_from_context", broken)
    await physical_event(hass, sim_admin, METER, {"temperature": 30.5})
    deliveries = (await sim_admin.request("GET", "webhooks"))["deliveries"]
    assert deliveries[-1]["http_status"] == 500

    failed = deliveries[-1]

    monkeypatch.undo()
    # The sender retries the event the 500 answered: it is applied, not taken for a replay.
    async with (
        aiohttp.ClientSession() as session,
        session.post(failed["url"], json=failed["payload"]) as response,
    ):
        assert response.status == 200
        assert await response.json() == {"result": "applied"}
    assert hass.states.get(entity_id(hass, "sensor", f"{METER}_temperature")).state == "30.5"
    await physical_event(hass, sim_admin, METER, {"temperature": 31.0})
    assert hass.states.get(entity_id(hass, "sensor", f"{METER}_temperature")).state == "31.0"


async def test_a_push_from_a_device_added_later_brings_it_in(
    hass: HomeAssistant,
    pushing_entry: MockConfigEntry,
    simulator: Simulator,
    sim_admin: SimulatorAdmin,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The cloud pushes for a device the list read at start lacks: RoomSense reads it again.

    (The wait after the last list read, 10 minutes, is taken out here.)
    """
    monkeypatch.setattr("custom_components.roomsense.registry.UNKNOWN_DEVICE_COOLDOWN", 0)
    add_to_account(simulator)
    assert registry_device(hass, (DOMAIN, NEW_PLUG)) is None

    await physical_event(hass, sim_admin, NEW_PLUG, {"power": "off"})
    await hass.async_block_till_done(wait_background_tasks=True)

    assert registry_device(hass, (DOMAIN, NEW_PLUG)) is not None
    plug = entity_id(hass, "switch", f"{NEW_PLUG}_plug")
    assert hass.states.get(plug).state == "off"
    assert len(await sim_admin.api_calls("/devices")) == 2  # at start, and for the push
