"""Every branch of the config flow, against the simulated cloud.

In core's shape: the entry's set-up is mocked (`mock_setup_entry`), so each test is about the
flow alone: the form, the error it shows, the entry it writes, and that the entry was set up
(or reloaded) once. Every error the user can meet in the user, reauth and reconfigure steps is
shown, then the same form completes once the cause is gone.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from unittest.mock import AsyncMock

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


@dataclass(frozen=True)
class Trouble:
    """Why checking the credentials fails once: what the user typed, or what the cloud did."""

    error: str
    secret: str = SECRET
    fault: dict[str, Any] = field(default_factory=dict)
    """A fault for the simulated cloud's next request (spent by the failing check)."""
    quota_used: int | None = None
    """The account's calls today while the form fails (back to 0 before it is sent again)."""

    async def cause(self, sim_admin: SimulatorAdmin) -> None:
        if self.fault:
            await sim_admin.fault(**self.fault, count=1)
        if self.quota_used is not None:
            await sim_admin.set_quota(used=self.quota_used)

    async def cure(self, sim_admin: SimulatorAdmin) -> None:
        if self.quota_used is not None:
            await sim_admin.set_quota(used=0)  # a new day at the cloud


# Every error of the credential check, in every step that checks credentials.
TROUBLES = [
    pytest.param(Trouble("invalid_auth", secret="wrong-secret"), id="wrong secret"),
    pytest.param(Trouble("cannot_connect", fault={"http_status": 503}), id="cloud down"),
    pytest.param(Trouble("quota_exceeded", quota_used=10_000), id="quota spent"),
    pytest.param(Trouble("unknown", fault={"http_status": 400}), id="unexpected answer"),
]


async def start_user_flow(hass: HomeAssistant) -> str:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    return str(result["flow_id"])


async def assert_creates_the_entry(
    hass: HomeAssistant, flow_id: str, base_url: str, mock_setup_entry: AsyncMock
) -> None:
    """The form, submitted with what works, adds the account and sets it up once."""
    result = await hass.config_entries.flow.async_configure(flow_id, user_input(base_url))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "RoomSense"
    assert result["data"] == {"token": TOKEN, "secret": SECRET, "base_url": base_url}
    entry = result["result"]
    assert entry.unique_id == account_unique_id(TOKEN)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert len(mock_setup_entry.mock_calls) == 1


async def test_user_flow_creates_entry(
    hass: HomeAssistant, simulator: Simulator, mock_setup_entry: AsyncMock
) -> None:
    flow_id = await start_user_flow(hass)
    assert not mock_setup_entry.mock_calls
    # The URL as typed, with a trailing slash, is stored without it.
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
    assert len(mock_setup_entry.mock_calls) == 1
    # The flow checked the credentials with GET /v1.1/devices.
    assert [call["path"] for call in simulator.calls] == ["/v1.1/devices"]


async def test_default_cloud_url(hass: HomeAssistant) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    schema = result["data_schema"]({"token": "t", "secret": "s", "advanced": {}})
    assert schema["advanced"]["base_url"] == "https://api.switch-bot.com"


@pytest.mark.parametrize("trouble", TROUBLES)
async def test_user_flow_shows_each_error_then_completes(
    hass: HomeAssistant,
    simulator: Simulator,
    sim_admin: SimulatorAdmin,
    mock_setup_entry: AsyncMock,
    trouble: Trouble,
) -> None:
    flow_id = await start_user_flow(hass)
    await trouble.cause(sim_admin)
    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(simulator.base_url, secret=trouble.secret)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {"base": trouble.error}
    assert not hass.config_entries.async_entries(DOMAIN)

    await trouble.cure(sim_admin)
    await assert_creates_the_entry(hass, flow_id, simulator.base_url, mock_setup_entry)


async def test_unreachable_cloud_url_shows_cannot_connect_then_completes(
    hass: HomeAssistant, simulator: Simulator, mock_setup_entry: AsyncMock
) -> None:
    flow_id = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(f"http://127.0.0.1:{free_port()}")
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}
    await assert_creates_the_entry(hass, flow_id, simulator.base_url, mock_setup_entry)


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


async def test_undocumented_status_code_shows_unknown_then_completes(
    hass: HomeAssistant, odd_cloud: str, simulator: Simulator, mock_setup_entry: AsyncMock
) -> None:
    flow_id = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, user_input(odd_cloud))
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "unknown"}
    await assert_creates_the_entry(hass, flow_id, simulator.base_url, mock_setup_entry)


async def test_same_account_twice_is_aborted(
    hass: HomeAssistant,
    simulator: Simulator,
    config_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
) -> None:
    config_entry.add_to_hass(hass)
    flow_id = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, user_input(simulator.base_url))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1
    assert not mock_setup_entry.mock_calls


# --- reauth ----------------------------------------------------------------------------


async def test_a_rejected_secret_at_set_up_asks_for_it_again(
    hass: HomeAssistant, simulator: Simulator, config_entry: MockConfigEntry
) -> None:
    """Not mocked: the real set-up meets the stale secret and starts the reauth flow."""
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
        flow["flow_id"], {"token": TOKEN, "secret": SECRET}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.LOADED


async def start_reauth(hass: HomeAssistant, config_entry: MockConfigEntry) -> str:
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry, data={**config_entry.data, "secret": "stale-secret"}
    )
    result = await config_entry.start_reauth_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["errors"] == {}
    # The form offers the stored token.
    assert result["data_schema"]({"secret": "x"})["token"] == TOKEN
    return str(result["flow_id"])


async def assert_reauth_completes(
    hass: HomeAssistant,
    flow_id: str,
    config_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
    credentials: dict[str, str] | None = None,
) -> None:
    result = await hass.config_entries.flow.async_configure(
        flow_id, credentials or {"token": TOKEN, "secret": SECRET}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert (config_entry.data["token"], config_entry.data["secret"]) == (TOKEN, SECRET)
    await hass.async_block_till_done()
    # The entry is reloaded with the new secret.
    assert config_entry.state is ConfigEntryState.LOADED
    assert len(mock_setup_entry.mock_calls) == 1


async def test_reauth_takes_pasted_credentials(
    hass: HomeAssistant,
    simulator: Simulator,
    config_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
) -> None:
    flow_id = await start_reauth(hass, config_entry)
    # Pasted from the SwitchBot app, with the newline and spaces that come along.
    await assert_reauth_completes(
        hass,
        flow_id,
        config_entry,
        mock_setup_entry,
        {"token": f" {TOKEN}\n", "secret": f"{SECRET}\n"},
    )


@pytest.mark.parametrize("trouble", TROUBLES)
async def test_reauth_shows_each_error_then_completes(
    hass: HomeAssistant,
    simulator: Simulator,
    sim_admin: SimulatorAdmin,
    config_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
    trouble: Trouble,
) -> None:
    flow_id = await start_reauth(hass, config_entry)
    await trouble.cause(sim_admin)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"token": TOKEN, "secret": trouble.secret}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["errors"] == {"base": trouble.error}
    assert config_entry.data["secret"] == "stale-secret"

    await trouble.cure(sim_admin)
    await assert_reauth_completes(hass, flow_id, config_entry, mock_setup_entry)


async def test_reauth_with_another_account_is_refused(
    hass: HomeAssistant,
    simulator: Simulator,
    config_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
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
    assert not mock_setup_entry.mock_calls


# --- reconfigure -----------------------------------------------------------------------


async def start_reconfigure(hass: HomeAssistant, config_entry: MockConfigEntry) -> str:
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry, data={**config_entry.data, "base_url": "http://127.0.0.1:9"}
    )
    result = await config_entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert result["errors"] == {}
    # The form offers the stored token and URL.
    defaults = result["data_schema"]({"secret": "x", "advanced": {}})
    assert defaults["token"] == TOKEN
    assert defaults["advanced"]["base_url"] == "http://127.0.0.1:9"
    return str(result["flow_id"])


async def assert_reconfigure_completes(
    hass: HomeAssistant,
    flow_id: str,
    base_url: str,
    config_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
) -> None:
    result = await hass.config_entries.flow.async_configure(flow_id, user_input(base_url))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert config_entry.data == {"token": TOKEN, "secret": SECRET, "base_url": base_url}
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.LOADED
    assert len(mock_setup_entry.mock_calls) == 1


async def test_reconfigure_changes_the_cloud_url(
    hass: HomeAssistant,
    simulator: Simulator,
    config_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
) -> None:
    flow_id = await start_reconfigure(hass, config_entry)
    await assert_reconfigure_completes(
        hass, flow_id, simulator.base_url, config_entry, mock_setup_entry
    )


@pytest.mark.parametrize("trouble", TROUBLES)
async def test_reconfigure_shows_each_error_then_completes(
    hass: HomeAssistant,
    simulator: Simulator,
    sim_admin: SimulatorAdmin,
    config_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
    trouble: Trouble,
) -> None:
    flow_id = await start_reconfigure(hass, config_entry)
    await trouble.cause(sim_admin)
    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(simulator.base_url, secret=trouble.secret)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert result["errors"] == {"base": trouble.error}
    assert config_entry.data["base_url"] == "http://127.0.0.1:9"

    await trouble.cure(sim_admin)
    await assert_reconfigure_completes(
        hass, flow_id, simulator.base_url, config_entry, mock_setup_entry
    )


async def test_reconfigure_refuses_another_account(
    hass: HomeAssistant,
    simulator: Simulator,
    config_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
) -> None:
    flow_id = await start_reconfigure(hass, config_entry)
    other = Simulator(token="other-token", secret="other-secret", home="empty")
    await other.start(host="127.0.0.1", port=0)
    try:
        result = await hass.config_entries.flow.async_configure(
            flow_id, user_input(other.base_url, "other-token", "other-secret")
        )
    finally:
        await other.stop()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert config_entry.data["token"] == TOKEN
    assert config_entry.data["base_url"] == "http://127.0.0.1:9"
    assert not mock_setup_entry.mock_calls
