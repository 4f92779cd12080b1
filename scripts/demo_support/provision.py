"""Bring a running Home Assistant to the demo's state, through its own APIs.

Every step looks at what is there first, so a second run (or a run after an interrupted
first one) changes nothing that is already right:

1. onboarding: create the owner account (`/api/onboarding/users`), or log in as it
   (`/auth/login_flow`), then finish the remaining steps (`/api/onboarding/<step>`);
2. a person for the owner (websocket `person/create`), in case onboarding ran before the
   person integration was set up;
3. the core config (websocket `config/core/update`): country, units and time zone on the
   first run only, the internal URL whenever the port changed;
4. the RoomSense config entry against the simulator, through the config flow REST API
   (`/api/config/config_entries/flow`); a reconfigure flow when it does not load, e.g.
   because the simulator moved to another port.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from .ha_api import HomeAssistantClient
from .settings import (
    CORE_CONFIG,
    DEMO_LANGUAGE,
    DEMO_NAME,
    DEMO_PASSWORD,
    DEMO_USERNAME,
    HASS_START_TIMEOUT,
    SIM_SECRET,
    SIM_TOKEN,
    DemoError,
    DemoSettings,
)

DOMAIN: Final = "roomsense"
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
    """Set country, units and time zone once, and the internal URL on every run.

    A set country means the first part was done; the user may have changed it since. The
    internal URL follows the port, for whatever needs Home Assistant's own address (the
    simulator's webhooks, once RoomSense registers them).
    """
    current = await client.core_config()
    update: dict[str, Any] = {}
    if not current.get("country"):
        update.update(CORE_CONFIG)
        if time_zone := _host_time_zone():
            update["time_zone"] = time_zone
    if current.get("internal_url") != settings.hass_url:
        update["internal_url"] = settings.hass_url
    if update:
        await client.websocket({"type": "config/core/update", **update})


def _host_time_zone() -> str | None:
    """The IANA name of this machine's time zone, when it can be told without guessing."""
    candidates = [os.environ.get("TZ", "").removeprefix(":")]
    with contextlib.suppress(OSError):
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    localtime = Path("/etc/localtime")
    if localtime.is_symlink():
        target = str(localtime.resolve())
        if "/zoneinfo/" in target:
            candidates.append(target.split("/zoneinfo/", 1)[1])
    for name in candidates:
        if name and name in zoneinfo.available_timezones():
            return name
    return None


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
    return entry


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
