"""Options flow, repairs issues and their fix flow, device housekeeping, diagnostics."""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.components.repairs import DOMAIN as REPAIRS_DOMAIN
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.roomsense import async_remove_config_entry_device
from custom_components.roomsense.const import DOMAIN
from custom_components.roomsense.shared import get_shared
from roomsense_simulator import Simulator

from ..conftest import SimulatorAdmin, home_with, listen_into, registry_device
from .conftest import setup_webhook_directly

PLUG, METER = "000000000001", "000000000002"


@pytest.fixture
def home() -> dict[str, Any]:
    return home_with("Plug", "Meter", "Indoor Cam")


async def options_step(
    hass: HomeAssistant, entry: MockConfigEntry, step: str, user_input: dict[str, Any]
) -> Any:
    """Open the options menu, pick a step, submit it."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": step}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == step
    result = await hass.config_entries.options.async_configure(result["flow_id"], user_input)
    await hass.async_block_till_done()
    return result


async def test_the_options_are_a_menu_of_short_steps(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    result = await hass.config_entries.options.async_init(setup_entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == [
        "cloud", "webhook", "model", "safety", "permissions", "bluetooth", "edge"
    ]  # fmt: skip
    for step in result["menu_options"]:
        opened = await hass.config_entries.options.async_init(setup_entry.entry_id)
        opened = await hass.config_entries.options.async_configure(
            opened["flow_id"], {"next_step_id": step}
        )
        assert opened["type"] is FlowResultType.FORM, step
        assert len(opened["data_schema"].schema) <= 6, step
        hass.config_entries.options.async_abort(opened["flow_id"])


async def test_each_step_saves_its_options_and_keeps_the_others(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    webhook_id = setup_entry.data["webhook_id"]
    steps = {
        "cloud": {"polling_share": 20, "staleness": 600, "queue_ttl": 120},
        "webhook": {"allowed_networks": ["192.0.2.0/24", " 2001:db8::/32 "]},
        "model": {
            "llm_provider": "ollama",
            "llm_base_url": "http://127.0.0.1:11434",
            "llm_model": "gpt-oss:20b",
            "llm_timeout": 15,
        },
        "safety": {
            "night_mode_start": "23:00:00",
            "night_mode_end": "06:00:00",
            "dangerous_commands": ["Plug Mini (JP):turnOn"],
        },
        "edge": {"device_result_timeout": 30, "max_completed_jobs": 50},
    }
    for step, user_input in steps.items():
        result = await options_step(hass, setup_entry, step, user_input)
        assert result["type"] is FlowResultType.CREATE_ENTRY, step
    # The webhook id is kept in the entry data, which the options leave alone.
    assert setup_entry.data["webhook_id"] == webhook_id
    assert setup_entry.options == {
        "polling_share": 20,
        "staleness": 600,
        "queue_ttl": 120,
        "device_result_timeout": 30,
        "max_completed_jobs": 50,
        "allowed_networks": ["192.0.2.0/24", "2001:db8::/32"],
        "llm_provider": "ollama",
        "llm_base_url": "http://127.0.0.1:11434",
        "llm_model": "gpt-oss:20b",
        "llm_timeout": 15.0,
        "llm_hass_api": False,
        "night_mode_admin_override": False,
        "night_mode_start": "23:00:00",
        "night_mode_end": "06:00:00",
        "dangerous_commands": ["Plug Mini (JP):turnOn"],
    }
    # The entry reloaded with the new options.
    assert setup_entry.runtime_data.coordinator.options["polling_share"] == 20
    edge = get_shared(hass).edge
    assert (edge.result_timeout, edge.max_completed_jobs) == (30, 50)
    # An emptied optional field removes the option.
    await options_step(hass, setup_entry, "model", {"llm_provider": "none", "llm_timeout": 30})
    assert "llm_base_url" not in setup_entry.options
    assert setup_entry.options["llm_provider"] == "none"


async def test_options_reject_a_bad_network_until_it_is_corrected(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    result = await options_step(hass, setup_entry, "webhook", {"allowed_networks": ["home"]})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"allowed_networks": "invalid_network"}
    assert result["description_placeholders"] == {"networks": "home"}
    assert "allowed_networks" not in setup_entry.options
    # The form keeps what was typed, to be corrected.
    assert result["data_schema"]({})["allowed_networks"] == ["home"]

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"allowed_networks": ["192.168.1.0/24", ""]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert setup_entry.options["allowed_networks"] == ["192.168.1.0/24"]


async def test_permissions_are_chosen_per_person_with_selectors(
    hass: HomeAssistant, setup_entry: MockConfigEntry, hass_admin_user: Any
) -> None:
    kid = await hass.auth.async_create_user("Kid")
    area = ar.async_get(hass).async_create("子供部屋")
    result = await hass.config_entries.options.async_init(setup_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "permissions"}
    )
    # People, not system users, by name; nobody restricted yet.
    choices = result["data_schema"].schema["user"].config["options"]
    assert {"value": kid.id, "label": "Kid"} in choices
    assert all(choice["label"] != "Home Assistant Content" for choice in choices)
    assert result["description_placeholders"] == {"restricted": "—"}
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"user": kid.id})
    assert result["step_id"] == "permissions_user"
    assert result["description_placeholders"] == {"user": "Kid"}
    # Restricted to nothing in particular: the form says what is missing.
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"restricted": True}
    )
    assert result["errors"] == {"base": "permissions_empty"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"restricted": True, "categories": ["light"], "areas": [area.id]},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert setup_entry.options["permissions"] == {
        kid.id: {"categories": ["light"], "areas": [area.id]}
    }
    # Opened again, the person's limits are filled in and the list names them.
    result = await hass.config_entries.options.async_init(setup_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "permissions"}
    )
    assert result["description_placeholders"] == {"restricted": "Kid"}
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"user": kid.id})
    suggested = {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description
    }
    assert suggested == {"restricted": True, "categories": ["light"], "areas": [area.id]}
    # Restriction off: the person may control everything again.
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"restricted": False}
    )
    await hass.async_block_till_done()
    assert setup_entry.options["permissions"] == {}


async def test_quota_issue_at_90_percent(hass: HomeAssistant, setup_entry: MockConfigEntry) -> None:
    coordinator = setup_entry.runtime_data.coordinator
    counter = coordinator.client.counter
    issue_id = f"quota_high_{setup_entry.entry_id}"
    counter.restore(counter.day, 8_999)
    await coordinator._async_poll_due()
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    counter.restore(counter.day, 9_000)
    await coordinator._async_poll_due()
    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders == {"calls": "9000", "limit": "10000"}
    # Raised once at the crossing: not rewritten on every poll while the count climbs.
    updates: list[Any] = []
    listen_into(hass, ir.EVENT_REPAIRS_ISSUE_REGISTRY_UPDATED, updates)
    counter.restore(counter.day, 9_500)
    await coordinator._async_poll_due()
    await hass.async_block_till_done()
    assert updates == []


async def test_fix_flow_takes_over_the_webhook(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    config_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
    simulator: Simulator,
) -> None:
    other = "https://other-app.example/hook"
    await sim_admin.request("POST", "reset")
    await setup_webhook_directly(config_entry, other)
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert await async_setup_component(hass, REPAIRS_DOMAIN, {})
    issue_id = f"webhook_in_use_{config_entry.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None

    client = await hass_client()
    response = await client.post(
        "/api/repairs/issues/fix", json={"handler": DOMAIN, "issue_id": issue_id}
    )
    flow = await response.json()
    assert flow["step_id"] == "confirm"
    response = await client.post(f"/api/repairs/issues/fix/{flow['flow_id']}", json={})
    assert (await response.json())["type"] == "create_entry"
    await hass.async_block_till_done()

    url = config_entry.runtime_data.webhook_url
    assert url is not None
    assert (await sim_admin.request("GET", "webhooks"))["config"]["url"] == url
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


async def test_devices_that_left_the_account_are_removed(
    hass: HomeAssistant, setup_entry: MockConfigEntry, simulator: Simulator
) -> None:
    meter = registry_device(hass, (DOMAIN, METER))
    assert meter is not None
    # While it is on the account, the user cannot delete it.
    assert not await async_remove_config_entry_device(hass, setup_entry, meter)

    simulator.state.devices.pop(METER)
    await hass.config_entries.async_reload(setup_entry.entry_id)
    await hass.async_block_till_done()
    assert registry_device(hass, (DOMAIN, METER)) is None
    assert registry_device(hass, (DOMAIN, PLUG)) is not None


async def test_diagnostics(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, setup_entry: MockConfigEntry
) -> None:
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, setup_entry)
    assert setup_entry.data["webhook_id"] not in str(diagnostics)
    assert diagnostics["entry"]["data"]["webhook_id"] == "**REDACTED**"
    assert diagnostics["push_active"] is True
    # The camera has no cloud status or commands: it is listed, not an error.
    assert {"name": "Indoor Cam", "model": "Indoor Cam"} in diagnostics["devices_without_entities"]
