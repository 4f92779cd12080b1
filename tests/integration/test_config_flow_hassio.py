"""Supervisor discovery of the RoomSense LLM add-on, as Home Assistant runs it.

The add-on announces service `roomsense` with `{"host", "port", "model"}`; the flow points
the conversation agent of the existing SwitchBot account(s) at it and never adds an entry.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from homeassistant import config_entries
from homeassistant.components import conversation
from homeassistant.components.conversation.agent_manager import async_get_agent
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Context, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.service_info.hassio import HassioServiceInfo
from homeassistant.helpers.translation import async_get_translations
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.roomsense.config_flow import account_unique_id
from custom_components.roomsense.const import DOMAIN
from custom_components.roomsense.language_models import GPTOSSAdapter
from roomsense_simulator import Clock, Simulator

from .conftest import entity_id

SLUG = "local_roomsense_llm"
ADDON_NAME = "RoomSense LLM (gpt-oss-20b)"
MODEL = "gpt-oss-20b"
OTHER_TOKEN = "other-token-fedcba9876543210"
OTHER_SECRET = "other-secret-9876543210"
# What a user set in the options before the add-on came.
USER_OPTIONS: dict[str, Any] = {
    "polling_share": 30,
    "staleness": 1800,
    "queue_ttl": 120,
    "allowed_networks": ["192.168.1.0/24"],
    "llm_provider": "openai",
    "llm_base_url": "https://api.openai.example/v1",
    "llm_model": "gpt-4o-mini",
    "llm_api_key": "sk-not-for-the-addon",
    "llm_timeout": 45.0,
    "llm_hass_api": True,
    "dangerous_commands": ["unlock"],
    "permissions": {"guest": {"categories": ["light"]}},
}


def discovery(host: str = "local-roomsense-llm", port: int | str = 8080, **config: Any) -> Any:
    """What the Supervisor hands Home Assistant (config gets the add-on's name added)."""
    return HassioServiceInfo(
        config={"host": host, "port": port, "model": MODEL, "addon": ADDON_NAME, **config},
        name=ADDON_NAME,
        slug=SLUG,
        uuid="0123456789abcdef0123456789abcdef",
    )


async def discover(hass: HomeAssistant, info: Any) -> Any:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_HASSIO}, data=info
    )
    await hass.async_block_till_done()
    return result


async def confirm(hass: HomeAssistant, result: Any) -> Any:
    assert result["type"] is FlowResultType.FORM, result
    assert result["step_id"] == "hassio_confirm"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    await hass.async_block_till_done()
    return result


async def shown(hass: HomeAssistant, key: str, placeholders: dict[str, str]) -> str:
    """The text the frontend shows for a translation key of the config flow."""
    strings = await async_get_translations(hass, "en", "config", [DOMAIN])
    text = strings[f"component.{DOMAIN}.config.{key}"]
    return text.format(**placeholders)


def user_options(entry: MockConfigEntry) -> dict[str, Any]:
    """The options (the webhook id that setting up adds is in the entry data)."""
    return dict(entry.options)


def flows(hass: HomeAssistant) -> list[Any]:
    return hass.config_entries.flow.async_progress_by_handler(DOMAIN)


@pytest.fixture
async def entry(hass: HomeAssistant, config_entry: MockConfigEntry) -> MockConfigEntry:
    """The SwitchBot account, set up, with the options a user chose earlier."""
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(config_entry, options=dict(USER_OPTIONS))
    assert await async_setup_component(hass, "conversation", {})
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.LOADED
    return config_entry


async def test_confirm_form_names_the_addon_and_model(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    result = await discover(hass, discovery())
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "hassio_confirm"
    assert result["data_schema"] is None or not result["data_schema"].schema
    placeholders = result["description_placeholders"]
    assert placeholders["addon"] == ADDON_NAME
    assert placeholders["model"] == MODEL
    text = await shown(hass, "step.hassio_confirm.description", placeholders)
    assert ADDON_NAME in text
    assert MODEL in text
    assert "http://local-roomsense-llm:8080" in text
    assert "SwitchBot" in text
    # The discovered card is titled by the add-on.
    (progress,) = flows(hass)
    assert progress["context"]["title_placeholders"] == {"name": ADDON_NAME}
    assert progress["context"]["unique_id"] == SLUG
    # Nothing changes before the user confirms.
    assert user_options(entry) == USER_OPTIONS


async def test_confirm_points_the_agent_at_the_addon(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    agent = entity_id(hass, "conversation", f"{entry.entry_id}_conversation")
    before = async_get_agent(hass, agent)
    assert not isinstance(getattr(before, "_adapter", None), GPTOSSAdapter)

    result = await confirm(hass, await discover(hass, discovery()))

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "addon_configured"
    text = await shown(hass, "abort.addon_configured", result["description_placeholders"])
    assert ADDON_NAME in text
    assert MODEL in text
    # No second entry: the account's entry carries the model now.
    assert hass.config_entries.async_entries(DOMAIN) == [entry]
    assert entry.options["llm_provider"] == "gpt_oss"
    assert entry.options["llm_base_url"] == "http://local-roomsense-llm:8080"
    assert entry.options["llm_model"] == MODEL
    # The key kept for OpenAI is not sent to the add-on; everything else stays.
    assert "llm_api_key" not in entry.options
    for key, value in USER_OPTIONS.items():
        if not key.startswith(("llm_provider", "llm_base_url", "llm_model", "llm_api_key")):
            assert entry.options[key] == value, key
    assert entry.data["webhook_id"]
    # The entry was reloaded with the new options: the agent talks to the add-on.
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.coordinator.options == dict(entry.options)
    after = async_get_agent(hass, agent)
    adapter = getattr(after, "_adapter", None)
    assert isinstance(adapter, GPTOSSAdapter)
    assert adapter.base_url == "http://local-roomsense-llm:8080"
    assert adapter.model == MODEL
    assert not flows(hass)


@pytest.fixture
async def llama_server(socket_enabled: None) -> AsyncIterator[tuple[TestServer, list[Any]]]:
    """A llama-server stand-in on loopback that answers every completion with one sentence."""
    received: list[Any] = []
    answer = "<|channel|>final<|message|>Hello from the add-on."

    async def completion(request: web.Request) -> web.StreamResponse:
        body = await request.json()
        received.append(body)
        if not body.get("stream"):
            return web.json_response({"content": answer, "stop": True, "stop_type": "eos"})
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        for chunk in (
            {"content": answer, "stop": False},
            {"content": "", "stop": True, "stop_type": "eos"},
        ):
            await response.write(f"data: {json.dumps(chunk)}\n\n".encode())
        await response.write_eof()
        return response

    app = web.Application()
    app.router.add_post("/completion", completion)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    try:
        yield server, received
    finally:
        await server.close()


async def test_the_agent_answers_with_the_addons_model(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    llama_server: tuple[TestServer, list[Any]],
) -> None:
    server, received = llama_server
    result = await confirm(hass, await discover(hass, discovery("127.0.0.1", server.port)))
    assert result["reason"] == "addon_configured"
    agent = entity_id(hass, "conversation", f"{entry.entry_id}_conversation")

    reply = await conversation.async_converse(
        hass, "hello", None, Context(), language="en", agent_id=agent
    )

    assert received, "the agent did not call the add-on's llama-server"
    assert "hello" in received[0]["prompt"]
    assert reply.response.speech["plain"]["speech"] == "Hello from the add-on."


async def test_no_account_yet_aborts_and_adds_nothing(hass: HomeAssistant) -> None:
    result = await discover(hass, discovery())
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "account_first"
    text = await shown(hass, "abort.account_first", result["description_placeholders"])
    assert ADDON_NAME in text
    assert "SwitchBot account first" in text
    assert hass.config_entries.async_entries(DOMAIN) == []
    assert not flows(hass)


async def test_account_removed_while_the_form_is_open(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    result = await discover(hass, discovery())
    assert result["step_id"] == "hassio_confirm"
    assert await hass.config_entries.async_remove(entry.entry_id)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "account_first"
    assert hass.config_entries.async_entries(DOMAIN) == []


async def test_rediscovery_at_a_new_port_updates_the_base_url(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    await confirm(hass, await discover(hass, discovery()))
    chosen_later = {**entry.options, "llm_timeout": 90.0, "llm_api_key": "addon-key"}
    hass.config_entries.async_update_entry(entry, options=chosen_later)
    await hass.async_block_till_done()

    result = await discover(hass, discovery("addon-host", "8081"))

    # No question again: the user already chose this add-on.
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "addon_updated"
    text = await shown(hass, "abort.addon_updated", result["description_placeholders"])
    assert "http://addon-host:8081" in text
    assert entry.options["llm_base_url"] == "http://addon-host:8081"
    assert entry.options["llm_provider"] == "gpt_oss"
    assert entry.options["llm_model"] == MODEL
    # Options set after the first discovery survive, the add-on's own key included.
    assert entry.options["llm_timeout"] == 90.0
    assert entry.options["llm_api_key"] == "addon-key"
    assert entry.options["polling_share"] == USER_OPTIONS["polling_share"]
    assert entry.runtime_data.coordinator.options == dict(entry.options)
    adapter = getattr(
        async_get_agent(hass, entity_id(hass, "conversation", f"{entry.entry_id}_conversation")),
        "_adapter",
        None,
    )
    assert isinstance(adapter, GPTOSSAdapter)
    assert adapter.base_url == "http://addon-host:8081"
    assert hass.config_entries.async_entries(DOMAIN) == [entry]


async def test_same_discovery_twice_changes_nothing(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    await confirm(hass, await discover(hass, discovery()))
    options = dict(entry.options)
    setups = entry.runtime_data

    result = await discover(hass, discovery())

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "addon_already_configured"
    assert dict(entry.options) == options
    assert entry.runtime_data is setups  # not reloaded
    assert hass.config_entries.async_entries(DOMAIN) == [entry]
    assert not flows(hass)


async def test_a_second_discovery_while_the_form_is_open_is_not_a_second_card(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    first = await discover(hass, discovery())
    assert first["step_id"] == "hassio_confirm"
    second = await discover(hass, discovery())
    assert second["type"] is FlowResultType.ABORT
    assert second["reason"] == "already_in_progress"
    assert len(flows(hass)) == 1


async def test_the_user_moved_away_from_the_addon(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """Chosen another server in the options: a rediscovery asks again, changes nothing."""
    await confirm(hass, await discover(hass, discovery()))
    own_server = {**entry.options, "llm_base_url": "http://my-own-llama:8080"}
    hass.config_entries.async_update_entry(entry, options=own_server)
    await hass.async_block_till_done()

    result = await discover(hass, discovery("addon-host", 8081))

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "hassio_confirm"
    assert entry.options["llm_base_url"] == "http://my-own-llama:8080"


async def test_an_ignored_addon_is_not_offered_again(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    result = await discover(hass, discovery())
    await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": config_entries.SOURCE_IGNORE},
        data={"unique_id": SLUG, "title": ADDON_NAME},
    )
    await hass.async_block_till_done()
    assert not flows(hass)
    assert result["flow_id"]

    again = await discover(hass, discovery())

    assert again["type"] is FlowResultType.ABORT
    assert again["reason"] == "already_configured"
    assert entry.options["llm_provider"] == "openai"


@pytest.mark.parametrize("config", [{"host": ""}, {"port": "eighty"}, {"port": 0}])
async def test_unusable_address_is_refused(
    hass: HomeAssistant, entry: MockConfigEntry, config: dict[str, Any]
) -> None:
    result = await discover(hass, discovery(**config))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "invalid_discovery_info"
    assert user_options(entry) == USER_OPTIONS


@pytest.mark.parametrize("host", ["fd00::1", "[fd00::1]"])
async def test_an_ipv6_address_is_put_in_brackets(
    hass: HomeAssistant, entry: MockConfigEntry, host: str
) -> None:
    result = await discover(hass, discovery(host))
    assert result["description_placeholders"]["url"] == "http://[fd00::1]:8080"

    result = await confirm(hass, result)

    assert result["reason"] == "addon_configured"
    assert entry.options["llm_base_url"] == "http://[fd00::1]:8080"


async def test_the_confirm_step_without_a_discovery_is_aborted(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": "hassio_confirm"})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "invalid_discovery_info"
    assert user_options(entry) == USER_OPTIONS
    assert not flows(hass)


@pytest.fixture
async def second_account(
    hass: HomeAssistant, entry: MockConfigEntry, home: Any, socket_enabled: None
) -> AsyncIterator[MockConfigEntry]:
    """Another SwitchBot account on its own simulated cloud, set up without a model."""
    sim = Simulator(
        token=OTHER_TOKEN, secret=OTHER_SECRET, home=home, clock=Clock(lambda: time.time())
    )
    await sim.start(host="127.0.0.1", port=0)
    other = MockConfigEntry(
        domain=DOMAIN,
        title="SwitchBot (office)",
        unique_id=account_unique_id(OTHER_TOKEN),
        data={"token": OTHER_TOKEN, "secret": OTHER_SECRET, "base_url": sim.base_url},
        options={"polling_share": 20},
    )
    other.add_to_hass(hass)
    assert await hass.config_entries.async_setup(other.entry_id)
    await hass.async_block_till_done()
    assert other.state is ConfigEntryState.LOADED
    try:
        yield other
    finally:
        if other.state is ConfigEntryState.LOADED:
            await hass.config_entries.async_unload(other.entry_id)
        await sim.stop()


async def test_several_accounts_all_use_the_addon(
    hass: HomeAssistant, entry: MockConfigEntry, second_account: MockConfigEntry
) -> None:
    result = await discover(hass, discovery())
    # The form says which accounts change.
    text = await shown(hass, "step.hassio_confirm.description", result["description_placeholders"])
    assert "SwitchBot, SwitchBot (office)" in text

    result = await confirm(hass, result)

    assert result["reason"] == "addon_configured"
    assert len(hass.config_entries.async_entries(DOMAIN)) == 2
    for account in (entry, second_account):
        assert account.options["llm_provider"] == "gpt_oss"
        assert account.options["llm_base_url"] == "http://local-roomsense-llm:8080"
        assert account.options["llm_model"] == MODEL
        assert account.state is ConfigEntryState.LOADED
        adapter = getattr(
            async_get_agent(
                hass, entity_id(hass, "conversation", f"{account.entry_id}_conversation")
            ),
            "_adapter",
            None,
        )
        assert isinstance(adapter, GPTOSSAdapter)
    assert second_account.options["polling_share"] == 20
    assert entry.options["polling_share"] == USER_OPTIONS["polling_share"]

    # A restart elsewhere moves both.
    result = await discover(hass, discovery(port=9090))
    assert result["reason"] == "addon_updated"
    for account in (entry, second_account):
        assert account.options["llm_base_url"] == "http://local-roomsense-llm:9090"


async def test_an_account_added_later_is_not_changed_without_asking(
    hass: HomeAssistant, entry: MockConfigEntry, second_account: MockConfigEntry
) -> None:
    """One account follows the add-on; the one the user pointed elsewhere is left alone."""
    await confirm(hass, await discover(hass, discovery()))
    own = {**second_account.options, "llm_provider": "ollama", "llm_base_url": "http://nas:11434"}
    hass.config_entries.async_update_entry(second_account, options=own)
    await hass.async_block_till_done()

    result = await discover(hass, discovery(port=9090))

    assert result["reason"] == "addon_updated"
    assert result["description_placeholders"]["accounts"] == "SwitchBot"
    assert entry.options["llm_base_url"] == "http://local-roomsense-llm:9090"
    assert second_account.options["llm_provider"] == "ollama"
    assert second_account.options["llm_base_url"] == "http://nas:11434"
