"""Every branch of the config flow, against the simulated cloud."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.roomsense.config_flow import account_unique_id
from custom_components.roomsense.const import DOMAIN
from roomsense_simulator import Simulator

from ..conftest import SECRET, TOKEN, SimulatorAdmin, free_port


def user_input(base_url: str, token: str = TOKEN, secret: str = SECRET) -> dict[str, Any]:
    return {"token": token, "secret": secret, "advanced": {"base_url": base_url}}


async def start_user_flow(hass: HomeAssistant) -> str:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    return str(result["flow_id"])


async def test_user_flow_creates_entry(hass: HomeAssistant, simulator: Simulator) -> None:
    flow_id = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(simulator.base_url + "/")
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "RoomSense"
    assert result["data"] == {"token": TOKEN, "secret": SECRET, "base_url": simulator.base_url}
    entry = result["result"]
    assert entry.unique_id == account_unique_id(TOKEN)
    assert TOKEN not in entry.unique_id
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    # The flow checked the credentials with GET /v1.1/devices.
    assert simulator.calls[0]["path"] == "/v1.1/devices"


async def test_default_cloud_url(hass: HomeAssistant) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    schema = result["data_schema"]({"token": "t", "secret": "s", "advanced": {}})
    assert schema["advanced"]["base_url"] == "https://api.switch-bot.com"


@pytest.mark.parametrize(
    ("secret", "error"),
    [("wrong-secret", "invalid_auth")],
)
async def test_wrong_secret_shows_invalid_auth_then_recovers(
    hass: HomeAssistant, simulator: Simulator, secret: str, error: str
) -> None:
    flow_id = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(simulator.base_url, secret=secret)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}

    result = await hass.config_entries.flow.async_configure(flow_id, user_input(simulator.base_url))
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_unreachable_cloud_shows_cannot_connect_then_recovers(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    flow_id = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(f"http://127.0.0.1:{free_port()}")
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}
    await assert_recovers(hass, flow_id, simulator.base_url)


async def assert_recovers(hass: HomeAssistant, flow_id: str, base_url: str) -> None:
    """The form shown after an error, submitted again with what works, adds the account."""
    result = await hass.config_entries.flow.async_configure(flow_id, user_input(base_url))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {"token": TOKEN, "secret": SECRET, "base_url": base_url}


async def test_spent_quota_shows_quota_exceeded_then_recovers(
    hass: HomeAssistant, simulator: Simulator, sim_admin: SimulatorAdmin
) -> None:
    await sim_admin.set_quota(used=10_000)
    flow_id = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, user_input(simulator.base_url))
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "quota_exceeded"}
    # A new day at the cloud: the quota is back.
    await sim_admin.set_quota(used=0)
    await assert_recovers(hass, flow_id, simulator.base_url)


@pytest.fixture
async def odd_cloud(socket_enabled: None) -> AsyncIterator[str]:
    """A server that answers every call with an undocumented application code."""

    async def handler(request: web.Request) -> web.Response:
        return web.json_response({"statusCode": 999, "body": {}, "message": "surprise"})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def test_unexpected_answer_shows_unknown_then_recovers(
    hass: HomeAssistant, odd_cloud: str, simulator: Simulator
) -> None:
    flow_id = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, user_input(odd_cloud))
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "unknown"}
    await assert_recovers(hass, flow_id, simulator.base_url)


async def test_same_account_twice_is_aborted(
    hass: HomeAssistant, simulator: Simulator, config_entry: MockConfigEntry
) -> None:
    config_entry.add_to_hass(hass)
    flow_id = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, user_input(simulator.base_url))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_reauth_after_the_secret_changed(
    hass: HomeAssistant, simulator: Simulator, config_entry: MockConfigEntry
) -> None:
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry, data={**config_entry.data, "secret": "stale-secret"}
    )
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.SETUP_ERROR

    (flow,) = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["context"]["source"] == "reauth"
    assert flow["step_id"] == "reauth_confirm"

    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"token": TOKEN, "secret": "still-wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}

    # Pasted from the SwitchBot app, with the newline and spaces that come along.
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"token": f" {TOKEN}\n", "secret": f"{SECRET}\n"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert (config_entry.data["token"], config_entry.data["secret"]) == (TOKEN, SECRET)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.LOADED


async def test_reauth_with_another_account_is_refused(
    hass: HomeAssistant, simulator: Simulator, config_entry: MockConfigEntry
) -> None:
    other = Simulator(token="other-token", secret="other-secret", home="empty")
    await other.start(host="127.0.0.1", port=0)
    try:
        config_entry.add_to_hass(hass)
        hass.config_entries.async_update_entry(
            config_entry, data={**config_entry.data, "base_url": other.base_url}
        )
        result = await config_entry.start_reauth_flow(hass)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {"token": "other-token", "secret": "other-secret"}
        )
    finally:
        await other.stop()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert config_entry.data["token"] == TOKEN


async def test_reconfigure_changes_the_cloud_url(
    hass: HomeAssistant, simulator: Simulator, config_entry: MockConfigEntry
) -> None:
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry, data={**config_entry.data, "base_url": "http://127.0.0.1:9"}
    )
    result = await config_entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    # The form offers the stored token and URL.
    defaults = result["data_schema"]({"secret": "x", "advanced": {}})
    assert defaults["token"] == TOKEN
    assert defaults["advanced"]["base_url"] == "http://127.0.0.1:9"

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator.base_url)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert config_entry.data == {"token": TOKEN, "secret": SECRET, "base_url": simulator.base_url}
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.LOADED


async def test_reconfigure_shows_errors_and_refuses_another_account(
    hass: HomeAssistant, simulator: Simulator, config_entry: MockConfigEntry
) -> None:
    config_entry.add_to_hass(hass)
    result = await config_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator.base_url, secret="wrong")
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}

    other = Simulator(token="other-token", secret="other-secret", home="empty")
    await other.start(host="127.0.0.1", port=0)
    try:
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], user_input(other.base_url, "other-token", "other-secret")
        )
    finally:
        await other.stop()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
