"""Setting up and unloading a RoomSense entry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from roomsense_simulator import Simulator

from ..conftest import SECRET, TOKEN, SimulatorAdmin
from .conftest import while_time_passes


async def test_setup_reads_the_account_and_unloads(
    hass: HomeAssistant, config_entry: MockConfigEntry, simulator: Simulator
) -> None:
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.LOADED
    data = config_entry.runtime_data
    assert len(data.devices.devices) >= 14
    # One status read per physical device; remotes have no status.
    status_reads = [call["path"] for call in simulator.calls if call["path"].endswith("/status")]
    assert sorted(status_reads) == sorted(
        f"/v1.1/devices/{device.device_id}/status" for device in data.devices.devices
    )
    # The counter agrees with what the cloud saw.
    assert data.client.counter.calls_today == len(simulator.calls)

    assert await hass.config_entries.async_unload(config_entry.entry_id)
    assert config_entry.state is ConfigEntryState.NOT_LOADED


async def test_removing_the_entry_leaves_none_of_its_files(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    simulator: Simulator,
    hass_storage: dict[str, Any],
) -> None:
    # What an entry keeps of its own: commands waiting for the cloud and an appliance's
    # assumed state (left by an earlier run), its call count and its account as last read.
    prefix = f"roomsense.{config_entry.entry_id}."
    hass_storage[prefix + "assumed_state"] = {
        "version": 1,
        "key": prefix + "assumed_state",
        "data": {},
    }
    command_log = Path(hass.config.path(".storage", prefix + "command_log"))
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    await simulator.stop()  # a command now waits in the log
    await while_time_passes(
        hass,
        hass.services.async_call(
            "roomsense",
            "send_command",
            {"device_id": "7C87CE5A10B2", "command": "turnOn"},  # the coffee maker's plug
            blocking=True,
        ),
        seconds=1,
    )
    await hass.config_entries.async_unload(config_entry.entry_id)
    await hass.async_block_till_done()
    kept = {key for key in hass_storage if key.startswith(prefix)}
    assert kept == {prefix + name for name in ("assumed_state", "account", "api_calls")}
    assert command_log.exists()

    assert await hass.config_entries.async_remove(config_entry.entry_id)
    await hass.async_block_till_done()
    assert not [key for key in hass_storage if key.startswith(prefix)]
    assert not command_log.exists()


async def test_an_entry_of_1_1_keeps_its_webhook_id_in_the_data(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    # Up to 1.1 the webhook id was kept with the options, which options flows rewrite.
    entry = MockConfigEntry(
        domain="roomsense",
        version=1,
        minor_version=1,
        data={"token": TOKEN, "secret": SECRET, "base_url": simulator.base_url},
        options={"webhook_id": "roomsense_kept", "polling_share": 30},
        unique_id="migrated",
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert (entry.version, entry.minor_version) == (1, 2)
    assert entry.data["webhook_id"] == "roomsense_kept"
    assert entry.options == {"polling_share": 30}
    # The same address still takes SwitchBot's pushes.
    assert "roomsense_kept" in hass.data["webhook"]
    await hass.config_entries.async_unload(entry.entry_id)


async def test_an_entry_of_a_newer_roomsense_is_not_set_up(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    entry = MockConfigEntry(
        domain="roomsense",
        version=2,
        data={"token": TOKEN, "secret": SECRET, "base_url": simulator.base_url},
    )
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.MIGRATION_ERROR


async def test_cloud_down_retries_setup(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    await sim_admin.fault(http_status=503)
    config_entry.add_to_hass(hass)
    # The client's tries, and its back-off between them, without the real wait.
    await while_time_passes(hass, hass.config_entries.async_setup(config_entry.entry_id), seconds=1)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.SETUP_RETRY
    assert "503" in (config_entry.reason or "")


async def test_spent_quota_retries_setup(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    await sim_admin.set_quota(used=10_000)
    config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.SETUP_RETRY


async def test_diagnostics_redact_credentials(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    config_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, config_entry)
    text = str(diagnostics)
    assert TOKEN not in text
    assert SECRET not in text
    assert diagnostics["entry"]["data"]["token"] == "**REDACTED**"
    assert diagnostics["api_calls"]["calls_today"] == len(simulator.calls)
    assert len(diagnostics["devices"]) >= 14


async def test_setup_serves_the_event_stream(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    config_entry: MockConfigEntry,
) -> None:
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    client = await hass_client()
    response = await client.get("/api/roomsense/events")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/event-stream")
    response.close()
