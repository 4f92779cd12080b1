"""The Home Assistant configuration folder of the demo, prepared before Home Assistant starts."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Final

from .settings import HOST, ROOT, DemoError, DemoSettings

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

CONFIGURATION_YAML: Final = """\
# Written by scripts/demo each time it starts: changes here are overwritten.
#
# No default_config: it sets up integrations that look for hardware or reach the internet.
# Home Assistant also sets up its default integrations (person, automation, backup, ...).
# The HTTP server's address and port live in .storage/http (Home Assistant keeps them there
# since 2026.10), written by scripts/demo before each start.
frontend:
config:
history:
logbook:

# Assist, as default_config has it: the chat dialog, Settings > Voice assistants, and the
# pipelines that scripts/demo makes with RoomSense's agent (text only: no speech engines).
assist_pipeline:
conversation:

automation: !include automations.yaml
script: !include scripts.yaml
scene: !include scenes.yaml

logger:
  default: warning
  logs:
    custom_components.roomsense: info
    custom_components.roomsense_demo_supervisor: info
    custom_components.roomsense_demo_bluetooth: info

# Core's side of add-on discovery with the demo's simulated Supervisor; demo only (see
# scripts/demo_support/roomsense_demo_supervisor). Its token is new on every run.
roomsense_demo_supervisor:
  url: {supervisor_url}
  token: {supervisor_token}

# SwitchBot devices of the demo home heard over Bluetooth through a simulated proxy; demo
# only (see scripts/demo_support/roomsense_demo_bluetooth). The lock, the plug and the blind
# follow the simulated cloud, so each is one device whichever way it is driven.
roomsense_demo_bluetooth:
  simulator_url: {simulator_url}
"""

# Integrations the demo links into the configuration's custom_components/. Home Assistant
# imports `custom_components` with the configuration folder first on sys.path, so that folder
# is a package of its own (with __init__.py) and holds RoomSense too; without it, RoomSense's
# package in the repository (the current folder when Home Assistant starts) would be the only
# one and hide the demo's integration.
CUSTOM_COMPONENTS: Final = {
    "roomsense": ROOT / "custom_components" / "roomsense",
    "roomsense_demo_supervisor": Path(__file__).resolve().parent / "roomsense_demo_supervisor",
    "roomsense_demo_bluetooth": Path(__file__).resolve().parent / "roomsense_demo_bluetooth",
}
CUSTOM_COMPONENTS_INIT: Final = (
    '"""Integrations of the RoomSense demo, linked here by scripts/demo."""\n'
)

# Files that the UI editors write to; created empty once, then they hold the user's work.
INCLUDED_FILES: Final = {
    "automations.yaml": "[]\n",
    "scripts.yaml": "{}\n",
    "scenes.yaml": "[]\n",
}


def prepare_config_dir(settings: DemoSettings, supervisor_token: str) -> bool:
    """Write configuration.yaml, the integrations' links and the HTTP settings; skip a step.

    configuration.yaml gets `supervisor_token`, Home Assistant's token for the simulated
    Supervisor; onboarding's core config step is marked done. Returns whether Home Assistant
    was onboarded before this run.
    """
    config_dir = settings.config_dir
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "configuration.yaml").write_text(
        CONFIGURATION_YAML.format(
            supervisor_url=settings.supervisor_url,
            supervisor_token=supervisor_token,
            simulator_url=settings.sim_url,
        ),
        encoding="utf-8",
    )
    for name, content in INCLUDED_FILES.items():
        path = config_dir / name
        if not path.exists():
            path.write_text(content, encoding="utf-8")
    link_custom_components(config_dir / "custom_components")
    return asyncio.run(prepare_stores(config_dir, settings.hass_port))


def link_custom_components(folder: Path) -> None:
    """Make `folder` the package of the demo's integrations: links to their sources.

    A link that points elsewhere is replaced; anything else by an integration's name is an
    error, since Home Assistant would load it instead of the repository's code.
    """
    folder.mkdir(parents=True, exist_ok=True)
    init = folder / "__init__.py"
    if not init.exists():
        init.write_text(CUSTOM_COMPONENTS_INIT, encoding="utf-8")
    for name, source in CUSTOM_COMPONENTS.items():
        link = folder / name
        if link.is_symlink():
            if link.readlink() == source:
                continue
            link.unlink()
        elif link.exists():
            raise DemoError(f"{link} is not the link to {source} that the demo makes: move it away")
        link.symlink_to(source, target_is_directory=True)


async def prepare_stores(config_dir: Path, port: int) -> bool:
    """Write what Home Assistant keeps in .storage before it starts.

    Returns whether every onboarding step was already done.
    """
    # Imported here: loading Home Assistant's modules takes a moment.
    from homeassistant.core import HomeAssistant

    hass = HomeAssistant(str(config_dir))
    try:
        await _set_http_config(hass, port)
        return await _skip_core_config_step(hass)
    finally:
        await hass.async_stop(force=True)


async def _set_http_config(hass: HomeAssistant, port: int) -> None:
    """Listen on 127.0.0.1 at the demo's port, as settings the user has confirmed.

    HTTP settings that arrive through configuration.yaml are only a trial since 2026.10: the
    UI asks to confirm them within minutes, or Home Assistant goes back to listening on every
    address. Written through Home Assistant's own store, they are the confirmed ones.
    """
    from homeassistant.components.http.config import HTTP_STORAGE_SCHEMA, HTTPConfigStore

    store = HTTPConfigStore(hass)
    await store.async_load()
    await store.async_mark_yaml_migration_done()
    # A no-op (nothing pending) when these are already the confirmed settings.
    await store.async_set_pending(HTTP_STORAGE_SCHEMA({"server_host": [HOST], "server_port": port}))
    if store.pending is not None:
        await store.async_promote_pending()


async def _skip_core_config_step(hass: HomeAssistant) -> bool:
    """Mark the core config step of onboarding done, through Home Assistant's own store.

    Finishing that step over HTTP (`/api/onboarding/core_config`) also sets up Google
    Translate, Met.no and Radio Browser, which need the internet and packages the demo does
    not install. The demo sets the core config over the websocket API instead, once Home
    Assistant runs. The other steps go through the onboarding HTTP API.

    Returns whether every onboarding step was already done.
    """
    from homeassistant.components.onboarding import (
        STORAGE_KEY,
        STORAGE_VERSION,
        OnboardingStorage,
    )
    from homeassistant.components.onboarding.const import (
        STEP_CORE_CONFIG,
        STEPS,
    )

    store = OnboardingStorage(hass, STORAGE_VERSION, STORAGE_KEY, private=True)
    data = await store.async_load() or {"done": []}
    if set(data["done"]) >= set(STEPS):
        return True
    if STEP_CORE_CONFIG not in data["done"]:
        data["done"].append(STEP_CORE_CONFIG)
        await store.async_save(data)
    return False
