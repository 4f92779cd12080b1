"""The AI Art Frame: its picture as an image, next and previous as buttons (reference §5.16)."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from typing import Any

import probatio
import pytest
from aiohttp import web
from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.roomsense.const import DOMAIN

from ..conftest import SimulatorAdmin, commands_sent, home_with, registry_device
from .conftest import entity_id, roomsense_service

FRAME, BOT = (f"{n:012d}" for n in range(1, 3))
# Three pictures that differ, so each one fetched can be told apart.
PICTURES = {name: b"\x89PNG\r\n\x1a\n" + name.encode() for name in ("one", "two", "three")}


@pytest.fixture
async def pictures(socket_enabled: None) -> AsyncIterator[str]:
    """A web server with the frame's pictures, as the cloud's storage would be; its base URL."""

    async def picture(request: web.Request) -> web.Response:
        body = PICTURES.get(request.match_info["name"])
        if body is None:
            raise web.HTTPNotFound
        return web.Response(body=body, content_type="image/png")

    app = web.Application()
    app.router.add_get("/{name}", picture)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    await web.SockSite(runner, sock).start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        await runner.cleanup()


@pytest.fixture
def gallery(pictures: str) -> list[str]:
    return [f"{pictures}/{name}" for name in PICTURES]


@pytest.fixture
def home(gallery: list[str]) -> dict[str, Any]:
    home = home_with("AI Art Frame", "Bot")
    home["devices"][1]["status"] = {"imageUrl": gallery[0]}
    home["devices"][1]["internal"] = {"gallery": gallery}
    return home


def picture_entity(hass: HomeAssistant) -> str:
    return entity_id(hass, "image", f"{FRAME}_picture")


async def press(hass: HomeAssistant, key: str) -> None:
    entity = entity_id(hass, "button", f"{FRAME}_{key}")
    await hass.services.async_call("button", "press", {"entity_id": entity}, blocking=True)


async def shown(hass: HomeAssistant, hass_client: ClientSessionGenerator) -> bytes:
    """The picture Home Assistant serves for the frame."""
    client = await hass_client()
    response = await client.get(f"/api/image_proxy/{picture_entity(hass)}")
    assert response.status == 200, await response.text()
    assert response.content_type == "image/png"
    return await response.read()


async def test_the_frame_has_a_picture_two_buttons_and_a_battery(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    registry = er.async_get(hass)
    entities = {
        (entry.domain, entry.unique_id)
        for entry in er.async_entries_for_config_entry(registry, setup_entry.entry_id)
        if entry.unique_id.startswith((FRAME, BOT))
    }
    assert entities == {
        ("image", f"{FRAME}_picture"),
        ("button", f"{FRAME}_next_image"),
        ("button", f"{FRAME}_previous_image"),
        ("sensor", f"{FRAME}_battery"),
        # A Bot keeps its own button only: no picture buttons for other devices.
        ("button", f"{BOT}_press"),
        ("sensor", f"{BOT}_battery"),
        # How many commands each went through the gateway (the operations figures).
        ("sensor", f"{FRAME}_commands_sent"),
        ("sensor", f"{BOT}_commands_sent"),
    }
    assert hass.states.get(picture_entity(hass)).state != STATE_UNKNOWN
    assert hass.states.get(entity_id(hass, "sensor", f"{FRAME}_battery")).state == "100"
    next_button = hass.states.get(entity_id(hass, "button", f"{FRAME}_next_image"))
    assert next_button.name == "AI Art Frame Next picture"


async def test_next_and_previous_turn_the_frame_and_the_picture_follows(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
    hass_client: ClientSessionGenerator,
    gallery: list[str],
) -> None:
    coordinator = setup_entry.runtime_data.coordinator
    assert await shown(hass, hass_client) == PICTURES["one"]
    first_state = hass.states.get(picture_entity(hass)).state

    await press(hass, "next_image")
    assert (await sim_admin.device(FRAME))["status"]["imageUrl"] == gallery[1]
    await coordinator.async_poll_device(FRAME)
    assert hass.states.get(picture_entity(hass)).state != first_state
    assert await shown(hass, hass_client) == PICTURES["two"]

    await press(hass, "previous_image")
    await press(hass, "previous_image")
    await coordinator.async_poll_device(FRAME)
    # Back past the first picture to the last of the gallery.
    assert await shown(hass, hass_client) == PICTURES["three"]

    assert await commands_sent(sim_admin, FRAME, "command") == ["next", "previous", "previous"]


async def test_a_picture_changed_elsewhere_shows_after_a_poll(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
    hass_client: ClientSessionGenerator,
    gallery: list[str],
) -> None:
    coordinator = setup_entry.runtime_data.coordinator
    assert await shown(hass, hass_client) == PICTURES["one"]
    state = hass.states.get(picture_entity(hass)).state

    # The same picture again is no change.
    await coordinator.async_poll_device(FRAME)
    assert hass.states.get(picture_entity(hass)).state == state

    await sim_admin.request("POST", f"devices/{FRAME}/event", {"status": {"imageUrl": gallery[2]}})
    await coordinator.async_poll_device(FRAME)
    assert await shown(hass, hass_client) == PICTURES["three"]

    await sim_admin.request("POST", f"devices/{FRAME}/event", {"status": {"imageUrl": ""}})
    await coordinator.async_poll_device(FRAME)
    assert hass.states.get(picture_entity(hass)).state == STATE_UNKNOWN
    assert await commands_sent(sim_admin, FRAME, "command") == []


async def uploads(sim_admin: SimulatorAdmin) -> list[Any]:
    return [
        call["body"]["parameter"]
        for call in await sim_admin.api_calls(f"/{FRAME}/commands")
        if call["body"]["command"] == "uploadImage"
    ]


async def test_a_picture_uploaded_to_the_frame_shows(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
    hass_client: ClientSessionGenerator,
    pictures: str,
) -> None:
    coordinator = setup_entry.runtime_data.coordinator
    assert await shown(hass, hass_client) == PICTURES["one"]

    # Aimed at the frame's picture...
    await roomsense_service(
        hass,
        "upload_art_frame_image",
        {"entity_id": picture_entity(hass), "image_url": f"{pictures}/three"},
        return_response=False,
    )
    await coordinator.async_poll_device(FRAME)
    assert await shown(hass, hass_client) == PICTURES["three"]

    # ...or at the frame itself.
    frame = registry_device(hass, (DOMAIN, FRAME))
    assert frame is not None
    await roomsense_service(
        hass,
        "upload_art_frame_image",
        {"device_id": frame.id, "image_url": f"{pictures}/two"},
        return_response=False,
    )
    await coordinator.async_poll_device(FRAME)
    assert await shown(hass, hass_client) == PICTURES["two"]

    assert await uploads(sim_admin) == [
        {"imageUrl": f"{pictures}/three"},
        {"imageUrl": f"{pictures}/two"},
    ]
    # Through the command gateway, audited as an entity action.
    records = setup_entry.runtime_data.gateway.audit.records
    assert [(r.command, r.source) for r in records[-2:]] == [("uploadImage", "entity")] * 2


@pytest.mark.parametrize("image_url", ["not a url", "ftp://example.com/a.jpg", "", None])
async def test_an_upload_without_a_web_address_is_refused(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
    image_url: str | None,
) -> None:
    data = {"entity_id": picture_entity(hass)}
    if image_url is not None:
        data["image_url"] = image_url
    with pytest.raises(probatio.Invalid):
        await hass.services.async_call(DOMAIN, "upload_art_frame_image", data, blocking=True)
    assert await uploads(sim_admin) == []
