"""Push that really arrives: a URL SwitchBot can reach, cloudhooks, and lost pushes noticed.

Home Assistant Cloud is stood in for at its public helpers (`cloud.async_active_subscription`
and friends); its relay is played by Home Assistant's own webhook URL, so the simulator's
pushes still travel over real HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from unittest.mock import AsyncMock, patch

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.cloud import SIGNAL_CLOUD_CONNECTION_STATE, CloudConnectionState
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.dispatcher import async_dispatcher_send
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.roomsense.const import DOMAIN
from custom_components.roomsense.coordinator import SAFETY_POLL_INTERVAL
from custom_components.roomsense.push_health import PUSH_GRACE
from custom_components.roomsense.webhook import cloud_is_local

from ..conftest import SimulatorAdmin, home_with
from .conftest import entity_id

METER, CONTACT, HUB_MINI = (f"{n:012d}" for n in range(1, 4))


@pytest.fixture
def disable_http_server() -> None:
    """Keep Home Assistant's real HTTP server, which the test plugin stops by default."""


@pytest.fixture
def home() -> dict[str, Any]:
    return home_with("Meter", "Contact Sensor", "Hub Mini")


@pytest.fixture
def remote_cloud() -> Iterator[None]:
    """SwitchBot's cloud is on the internet, as for every user (the simulator is local)."""
    with patch("custom_components.roomsense.webhook.cloud_is_local", return_value=False):
        yield


class FakeCloud:
    """Home Assistant Cloud at its public helpers: subscription, connection, cloudhooks."""

    def __init__(self, relay_url: str) -> None:
        self.subscribed = True
        self.connected = True
        self.relay_url = relay_url
        self.create = AsyncMock(side_effect=self._create)
        self.delete = AsyncMock()

    async def _create(self, hass: HomeAssistant, webhook_id: str) -> str:
        return f"{self.relay_url}/api/webhook/{webhook_id}?via=cloudhook"


@pytest.fixture
def fake_cloud(ha_url: str) -> Iterator[FakeCloud]:
    fake = FakeCloud(ha_url)
    with (
        patch(
            "homeassistant.components.cloud.async_active_subscription",
            side_effect=lambda hass: fake.subscribed,
        ),
        patch(
            "homeassistant.components.cloud.async_is_connected",
            side_effect=lambda hass: fake.connected,
        ),
        patch("homeassistant.components.cloud.async_get_or_create_cloudhook", fake.create),
        patch("homeassistant.components.cloud.async_delete_cloudhook", fake.delete),
    ):
        yield fake


async def set_up(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


def issue(hass: HomeAssistant, key: str, entry: MockConfigEntry) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, f"{key}_{entry.entry_id}")


async def registered_url(sim_admin: SimulatorAdmin) -> str | None:
    config = (await sim_admin.request("GET", "webhooks"))["config"]
    return None if config is None else str(config["url"])


async def physical_event(
    hass: HomeAssistant, sim_admin: SimulatorAdmin, device_id: str, status: dict[str, Any]
) -> None:
    await sim_admin.request("POST", f"devices/{device_id}/event", {"status": status})
    await sim_admin.request("POST", "webhooks/flush")
    await hass.async_block_till_done()


async def advance(hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float) -> None:
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    # Polls run as background tasks of the poll timer.
    await hass.async_block_till_done(wait_background_tasks=True)


def contact(hass: HomeAssistant) -> str:
    return entity_id(hass, "binary_sensor", f"{CONTACT}_contact")


# --- which URL SwitchBot gets -------------------------------------------------------------


@pytest.mark.parametrize(
    ("base_url", "local"),
    [
        ("https://api.switch-bot.com", False),
        ("http://127.0.0.1:8710", True),
        ("http://localhost:8710", True),
        ("http://192.168.1.30:8710", True),
        ("http://switchbot-sim.local:8710", True),
    ],
)
def test_only_a_cloud_on_the_local_network_may_reach_an_internal_url(
    base_url: str, local: bool
) -> None:
    assert cloud_is_local(base_url) is local


@pytest.mark.usefixtures("remote_cloud")
async def test_a_home_with_only_an_internal_url_is_polled_and_told_why(
    hass: HomeAssistant, ha_url: str, config_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    await set_up(hass, config_entry)

    assert await registered_url(sim_admin) is None
    coordinator = config_entry.runtime_data.coordinator
    assert coordinator.push_active is False
    # The contact sensor pushes on a reachable home; here it is polled like the rest.
    assert coordinator._interval_for(CONTACT) == coordinator.poll_interval()
    found = issue(hass, "no_push_url", config_entry)
    assert found is not None
    assert found.translation_key == "no_push_url"


@pytest.mark.usefixtures("remote_cloud")
@pytest.mark.parametrize(
    "external_url", ["http://192.168.1.20:8123", "http://homeassistant.local:8123"]
)
async def test_a_private_external_url_is_never_registered(
    hass: HomeAssistant,
    ha_url: str,
    config_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
    external_url: str,
) -> None:
    await hass.config.async_update(external_url=external_url)
    await set_up(hass, config_entry)
    assert await registered_url(sim_admin) is None
    assert issue(hass, "no_push_url", config_entry) is not None


@pytest.mark.usefixtures("remote_cloud")
async def test_a_public_external_url_is_registered(
    hass: HomeAssistant, ha_url: str, config_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    await hass.config.async_update(external_url="https://home.example.com")
    await set_up(hass, config_entry)
    url = await registered_url(sim_admin)
    assert url is not None
    assert url.startswith("https://home.example.com/api/webhook/roomsense_")
    assert issue(hass, "no_push_url", config_entry) is None


@pytest.mark.usefixtures("remote_cloud")
async def test_with_a_cloud_subscription_push_arrives_through_a_cloudhook(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
    fake_cloud: FakeCloud,
) -> None:
    await set_up(hass, config_entry)

    webhook_id = config_entry.data["webhook_id"]
    cloudhook = f"{fake_cloud.relay_url}/api/webhook/{webhook_id}?via=cloudhook"
    assert await registered_url(sim_admin) == cloudhook
    assert config_entry.data["cloudhook_url"] == cloudhook
    assert config_entry.runtime_data.coordinator.push_active is True
    await physical_event(hass, sim_admin, CONTACT, {"openState": "open"})
    assert hass.states.get(contact(hass)).state == STATE_ON

    # A reload registers the same cloudhook; none is made twice.
    await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()
    assert await registered_url(sim_admin) == cloudhook
    assert fake_cloud.create.await_count == 1

    assert await hass.config_entries.async_remove(config_entry.entry_id)
    await hass.async_block_till_done()
    fake_cloud.delete.assert_awaited_once_with(hass, webhook_id)


@pytest.mark.usefixtures("remote_cloud")
async def test_a_cloud_that_connects_later_brings_push(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
    fake_cloud: FakeCloud,
) -> None:
    fake_cloud.connected = False
    await set_up(hass, config_entry)
    coordinator = config_entry.runtime_data.coordinator
    assert coordinator.push_active is False
    assert issue(hass, "no_push_url", config_entry) is not None

    fake_cloud.connected = True
    async_dispatcher_send(hass, SIGNAL_CLOUD_CONNECTION_STATE, CloudConnectionState.CLOUD_CONNECTED)
    await hass.async_block_till_done()

    assert config_entry.runtime_data.coordinator is coordinator  # no reload was needed
    assert coordinator.push_active is True
    assert await registered_url(sim_admin) == config_entry.data["cloudhook_url"]
    assert issue(hass, "no_push_url", config_entry) is None
    await physical_event(hass, sim_admin, CONTACT, {"openState": "open"})
    assert hass.states.get(contact(hass)).state == STATE_ON


# --- push health --------------------------------------------------------------------------


@pytest.fixture
async def pushing_entry(
    hass: HomeAssistant, ha_url: str, config_entry: MockConfigEntry
) -> MockConfigEntry:
    """Pushing to the local simulator, which may reach the internal URL."""
    await set_up(hass, config_entry)
    assert config_entry.runtime_data.coordinator.push_active is True
    return config_entry


async def test_lost_pushes_send_every_device_back_to_polling_until_pushes_return(
    hass: HomeAssistant,
    pushing_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
    freezer: FrozenDateTimeFactory,
) -> None:
    coordinator = pushing_entry.runtime_data.coordinator
    await sim_admin.request("POST", "webhooks/drop", {"drop": True})
    await physical_event(hass, sim_admin, CONTACT, {"openState": "open"})
    assert hass.states.get(contact(hass)).state == STATE_OFF  # the push was lost

    # The safety read finds the door open; no push for it comes within the grace.
    await advance(hass, freezer, SAFETY_POLL_INTERVAL + 20)
    assert hass.states.get(contact(hass)).state == STATE_ON
    assert coordinator.push_trusted is True
    await advance(hass, freezer, PUSH_GRACE + 1)
    assert coordinator.push_trusted is False
    found = issue(hass, "push_not_arriving", pushing_entry)
    assert found is not None
    assert found.translation_placeholders["url"] == pushing_entry.runtime_data.webhook_url

    # Polled within the budget now: the next change shows without any push.
    await physical_event(hass, sim_admin, CONTACT, {"openState": "close"})
    await advance(hass, freezer, coordinator.poll_interval() + 20)
    assert hass.states.get(contact(hass)).state == STATE_OFF

    # Deliveries resume: the first push makes push trusted again.
    await sim_admin.request("POST", "webhooks/drop", {"drop": False})
    await physical_event(hass, sim_admin, CONTACT, {"openState": "open"})
    assert hass.states.get(contact(hass)).state == STATE_ON
    assert coordinator.push_trusted is True
    assert issue(hass, "push_not_arriving", pushing_entry) is None
    assert coordinator._interval_for(CONTACT) == SAFETY_POLL_INTERVAL


async def test_a_push_that_comes_just_after_the_read_is_a_race_not_a_loss(
    hass: HomeAssistant,
    pushing_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
    freezer: FrozenDateTimeFactory,
) -> None:
    coordinator = pushing_entry.runtime_data.coordinator
    await sim_admin.request("POST", "webhooks/drop", {"drop": True})
    await physical_event(hass, sim_admin, CONTACT, {"openState": "open"})
    await advance(hass, freezer, SAFETY_POLL_INTERVAL + 20)
    # The read saw the change first; the device's push arrives within the grace.
    await sim_admin.request("POST", "webhooks/drop", {"drop": False})
    await physical_event(hass, sim_admin, CONTACT, {"openState": "close"})
    await advance(hass, freezer, PUSH_GRACE + 1)

    assert coordinator.push_trusted is True
    assert issue(hass, "push_not_arriving", pushing_entry) is None


@pytest.mark.usefixtures("remote_cloud")
async def test_a_public_external_url_set_later_brings_push_at_once(
    hass: HomeAssistant, ha_url: str, config_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    await set_up(hass, config_entry)
    assert issue(hass, "no_push_url", config_entry) is not None

    await hass.config.async_update(external_url="https://home.example.com")
    await hass.async_block_till_done()

    url = await registered_url(sim_admin)
    assert url is not None
    assert url.startswith("https://home.example.com/api/webhook/roomsense_")
    assert config_entry.runtime_data.coordinator.push_active is True
    assert issue(hass, "no_push_url", config_entry) is None
