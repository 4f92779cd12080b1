"""The Home Assistant configuration folder of the demo, prepared before Home Assistant starts."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Final

from .settings import HOST, DemoSettings

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

automation: !include automations.yaml
script: !include scripts.yaml
scene: !include scenes.yaml

logger:
  default: warning
  logs:
    custom_components.roomsense: info
"""

# Files that the UI editors write to; created empty once, then they hold the user's work.
INCLUDED_FILES: Final = {
    "automations.yaml": "[]\n",
    "scripts.yaml": "{}\n",
    "scenes.yaml": "[]\n",
}


def prepare_config_dir(settings: DemoSettings) -> bool:
    """Write configuration.yaml, the HTTP settings, and mark onboarding's core config step done.

    Returns whether Home Assistant was onboarded before this run.
    """
    config_dir = settings.config_dir
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "configuration.yaml").write_text(CONFIGURATION_YAML, encoding="utf-8")
    for name, content in INCLUDED_FILES.items():
        path = config_dir / name
        if not path.exists():
            path.write_text(content, encoding="utf-8")
    return asyncio.run(_prepare_stores(config_dir, settings.hass_port))


async def _prepare_stores(config_dir: Path, port: int) -> bool:
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
