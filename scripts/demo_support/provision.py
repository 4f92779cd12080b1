"""Bring a running Home Assistant to the demo's state, through its own APIs.

Every step looks at what is there first, so a second run (or a run after an interrupted
first one) changes nothing that is already right:

1. onboarding: create the owner account (`/api/onboarding/users`), or log in as it
   (`/auth/login_flow`), then finish the remaining steps (`/api/onboarding/<step>`);
2. a person for the owner (websocket `person/create`), in case onboarding ran before the
   person integration was set up;
3. the core config (websocket `config/core/update`): a home in Tokyo (country, currency,
   language, time zone, units, location) on the first run only, the internal URL whenever
   the port changed;
4. the RoomSense config entry against the simulator, through the config flow REST API
   (`/api/config/config_entries/flow`); a reconfigure flow when it does not load, e.g.
   because the simulator moved to another port;
5. the rooms (see `home`): an area for each (websocket `config/area_registry/create`, or
   `update` to rename one that onboarding made for it), and each demo device that has no
   area yet put in its room (`config/device_registry/update`);
6. the assistants: an Assist pipeline with RoomSense's conversation agent in Japanese and
   one in English (`assist_pipeline/pipeline/create`), the Japanese one preferred when it
   is made (`assist_pipeline/pipeline/set_preferred`), as Settings > Voice assistants
   would make them;
7. RoomSense's dashboard (a view per room and the operations view) through the
   `roomsense.create_dashboard` service, when no dashboard is at its address yet.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from .ha_api import HomeAssistantClient
from .home import ROOMS, device_rooms
from .settings import (
    ASSISTANTS,
    CORE_CONFIG,
    DEMO_LANGUAGE,
    DEMO_NAME,
    DEMO_PASSWORD,
    DEMO_USERNAME,
    ENTRY_TITLE,
    HASS_START_TIMEOUT,
    OLD_CORE_CONFIG,
    OLD_ENTRY_TITLE,
    SIM_SECRET,
    SIM_TOKEN,
    DemoError,
    DemoSettings,
)

DOMAIN: Final = "roomsense"
# The address roomsense.create_dashboard uses unless told otherwise.
DASHBOARD_URL_PATH: Final = "roomsense-home"
ENTRY_LOAD_TIMEOUT: Final = 60.0
# Entry states that setting up does not leave by itself; setup_in_progress, setup_retry
# and not_loaded (a reload) may still turn into loaded.
_SETTLED: Final = {"loaded", "setup_error", "migration_error", "failed_unload"}


@dataclass(frozen=True, slots=True)
class ProvisionResult:
    """What the run found or made."""

    first_run: bool
    entry_id: str
    entry_state: str


async def provision(
    client: HomeAssistantClient, settings: DemoSettings, alive: Callable[[], bool]
) -> ProvisionResult:
    """Onboard, then set up RoomSense; `alive()` tells whether Home Assistant still runs."""
    todo = await client.onboarding_todo()
    first_run = "user" in todo
    if first_run:
        await client.onboard_owner(DEMO_NAME, DEMO_USERNAME, DEMO_PASSWORD, DEMO_LANGUAGE)
    else:
        try:
            await client.login(DEMO_USERNAME, DEMO_PASSWORD)
        except DemoError as err:
            raise DemoError(
                f"{err}. The demo login no longer works (was the password changed?). "
                f"Stop the demo and delete {settings.shown_path(settings.config_dir)} "
                "to start over."
            ) from None
    try:
        for step in ("analytics", "integration"):
            if step in todo:
                await client.finish_onboarding_step(step)
        if todo := await client.onboarding_todo():
            raise DemoError(f"Onboarding is not finished; still to do: {sorted(todo)}")

        try:
            async with asyncio.timeout(HASS_START_TIMEOUT):
                await client.wait_until_running(alive)
        except TimeoutError:
            raise DemoError("Home Assistant did not finish starting in time") from None
        await _ensure_person(client)
        await _ensure_core_config(client, settings)
        entry = await _ensure_roomsense_entry(client, settings)
        await _ensure_rooms(client, entry["entry_id"])
        await _ensure_assistants(client, entry["entry_id"])
        await _ensure_dashboard(client)
    finally:
        await client.revoke()
    return ProvisionResult(
        first_run=first_run, entry_id=entry["entry_id"], entry_state=entry["state"]
    )


async def _ensure_person(client: HomeAssistantClient) -> None:
    user, persons = await client.websocket({"type": "auth/current_user"}, {"type": "person/list"})
    everyone = [*persons.get("storage", []), *persons.get("config", [])]
    if not any(person.get("user_id") == user["id"] for person in everyone):
        await client.websocket(
            {"type": "person/create", "name": user["name"], "user_id": user["id"]}
        )


async def _ensure_core_config(client: HomeAssistantClient, settings: DemoSettings) -> None:
    """Set the home (Tokyo) once, and the internal URL on every run.

    A set country means the first part was done; the user may have changed it since, unless
    it is still what earlier versions of the demo set. The internal URL follows the port, for
    whatever needs Home Assistant's own address (the simulator's webhooks, once RoomSense
    registers them).
    """
    current = await client.core_config()
    update: dict[str, Any] = {}
    if not current.get("country") or all(
        current.get(key) == value for key, value in OLD_CORE_CONFIG.items()
    ):
        update.update(CORE_CONFIG)
    if current.get("internal_url") != settings.hass_url:
        update["internal_url"] = settings.hass_url
    if update:
        await client.websocket({"type": "config/core/update", **update})


async def _ensure_roomsense_entry(
    client: HomeAssistantClient, settings: DemoSettings
) -> dict[str, Any]:
    user_input = {
        "token": SIM_TOKEN,
        "secret": SIM_SECRET,
        "advanced": {"base_url": settings.sim_url},
    }
    entries = [e for e in await client.config_entries(DOMAIN) if e.get("source") != "ignore"]
    if not entries:
        result = await client.config_flow(DOMAIN, user_input)
        if result.get("type") != "create_entry":
            raise DemoError(f"Adding RoomSense failed: {_describe(result)}")
        return await _wait_for_entry(client, result["result"]["entry_id"], _SETTLED)

    entry_id = entries[0]["entry_id"]
    entry = await _wait_for_entry(client, entry_id, _SETTLED | {"setup_retry"})
    if entry["state"] != "loaded" and not entry.get("disabled_by"):
        # Most likely the simulator runs on another port than last time: a reconfigure
        # flow checks the URL, stores it and reloads the entry.
        result = await client.config_flow(DOMAIN, user_input, entry_id=entry_id)
        if result.get("type") != "abort" or result.get("reason") != "reconfigure_successful":
            raise DemoError(f"Reconfiguring RoomSense failed: {_describe(result)}")
        entry = await _wait_for_entry(client, entry_id, _SETTLED)
    if entry["title"] == OLD_ENTRY_TITLE and entry["state"] == "loaded":
        # Made by an earlier version: the agent would still be called that. The account
        # device takes the new title when the entry sets up again, and the agent its name.
        await client.websocket(
            {"type": "config_entries/update", "entry_id": entry_id, "title": ENTRY_TITLE}
        )
        await client.reload_entry(entry_id)
        entry = await _wait_for_entry(client, entry_id, _SETTLED)
    return entry


async def _ensure_rooms(client: HomeAssistantClient, entry_id: str) -> None:
    """An area for each room of the demo home; each of its devices without one in its room.

    An area onboarding made for a room (寝室, "リビングルーム", or "Living Room" from earlier
    versions) becomes the room: renamed, with its aliases, rather than left empty beside it.
    An area of the room's name that has aliases, and a device that has an area, are left as
    they are: the user may have changed them.
    """
    rooms = device_rooms()
    areas, devices = await client.websocket(
        {"type": "config/area_registry/list"}, {"type": "config/device_registry/list"}
    )
    by_name = {area["name"]: area for area in areas}
    area_ids: dict[str, str] = {}
    for room in ROOMS:
        fields = {"name": room.name, "aliases": list(room.aliases), "icon": room.icon}
        area = by_name.get(room.name) or next(
            (by_name[name] for name in room.onboarding_names if name in by_name), None
        )
        if area is None:
            (area,) = await client.websocket({"type": "config/area_registry/create", **fields})
        elif area["name"] != room.name or not area["aliases"]:
            (area,) = await client.websocket(
                {"type": "config/area_registry/update", "area_id": area["area_id"], **fields}
            )
        area_ids[room.name] = area["area_id"]

    updates = []
    for device in devices:
        if entry_id not in device.get("config_entries", ()) or device.get("area_id"):
            continue
        ids = [ident for domain, ident in device["identifiers"] if domain == DOMAIN]
        in_room = next((rooms[ident] for ident in ids if ident in rooms), None)
        if in_room is not None:
            updates.append(
                {
                    "type": "config/device_registry/update",
                    "device_id": device["id"],
                    "area_id": area_ids[in_room],
                }
            )
    if updates:
        await client.websocket(*updates)


async def _ensure_assistants(client: HomeAssistantClient, entry_id: str) -> None:
    """A text-only Assist pipeline with RoomSense's agent in each language of ASSISTANTS.

    An assistant counts as there when a pipeline has RoomSense's agent and its language,
    whatever the user has named it since. The preferred one is chosen only when it is made.
    """
    (entities,) = await client.websocket({"type": "config/entity_registry/list"})
    agent = next(
        (
            entity["entity_id"]
            for entity in entities
            if entity.get("config_entry_id") == entry_id
            and entity["entity_id"].startswith("conversation.")
        ),
        None,
    )
    if agent is None:
        raise DemoError("RoomSense's conversation agent is missing from the entity registry")
    (listed,) = await client.websocket({"type": "assist_pipeline/pipeline/list"})
    for assistant in ASSISTANTS:
        if any(
            pipeline["conversation_engine"] == agent and pipeline["language"] == assistant.language
            for pipeline in listed["pipelines"]
        ):
            continue
        (pipeline,) = await client.websocket(
            {
                "type": "assist_pipeline/pipeline/create",
                "name": assistant.name,
                "language": assistant.language,
                "conversation_engine": agent,
                "conversation_language": assistant.language,
                # RoomSense answers every request itself, rather than Home Assistant's own
                # sentences first.
                "prefer_local_intents": False,
                "stt_engine": None,
                "stt_language": None,
                "tts_engine": None,
                "tts_language": None,
                "tts_voice": None,
                "wake_word_entity": None,
                "wake_word_id": None,
            }
        )
        if assistant.preferred:
            await client.websocket(
                {"type": "assist_pipeline/pipeline/set_preferred", "pipeline_id": pipeline["id"]}
            )


async def _ensure_dashboard(client: HomeAssistantClient) -> None:
    """RoomSense's dashboard (rooms and operations), made once through its service.

    Made only when it is not there: the user may edit it afterwards, and calling the service
    again would lay it out anew.
    """
    (dashboards,) = await client.websocket({"type": "lovelace/dashboards/list"})
    if any(item.get("url_path") == DASHBOARD_URL_PATH for item in dashboards):
        return
    await client.websocket(
        {
            "type": "call_service",
            "domain": DOMAIN,
            "service": "create_dashboard",
            "service_data": {"url_path": DASHBOARD_URL_PATH},
            "return_response": True,
        }
    )


async def _wait_for_entry(
    client: HomeAssistantClient, entry_id: str, settled: set[str]
) -> dict[str, Any]:
    """Wait until the entry is disabled or in one of the settled states; the entry.

    Gives up after ENTRY_LOAD_TIMEOUT and returns the entry as last seen.
    """
    deadline = time.monotonic() + ENTRY_LOAD_TIMEOUT
    while True:
        entry = next(
            (e for e in await client.config_entries(DOMAIN) if e["entry_id"] == entry_id), None
        )
        if entry is None:
            raise DemoError("The RoomSense config entry disappeared")
        if entry.get("disabled_by") or entry["state"] in settled or time.monotonic() > deadline:
            return entry
        await asyncio.sleep(0.5)


def _describe(result: dict[str, Any]) -> str:
    if result.get("type") == "form":
        return f"the form came back with errors {result.get('errors')}"
    if result.get("type") == "abort":
        return f"the flow aborted: {result.get('reason')}"
    return str(result)
