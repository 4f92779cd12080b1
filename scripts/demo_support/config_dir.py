"""The Home Assistant configuration folder of the demo, prepared before Home Assistant starts."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Final

from .settings import HOST, DemoSettings

CONFIGURATION_YAML: Final = """\
# Written by scripts/demo each time it starts: changes here are overwritten.
#
# No default_config: it sets up integrations that look for hardware or reach the internet.
# Home Assistant also sets up its default integrations (person, automation, backup, ...).
http:
  server_host: {host}
  server_port: {port}

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
    """Write configuration.yaml and mark onboarding's core config step done.

    Returns whether Home Assistant was onboarded before this run.
    """
    config_dir = settings.config_dir
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "configuration.yaml").write_text(
        CONFIGURATION_YAML.format(host=HOST, port=settings.hass_port), encoding="utf-8"
    )
    for name, content in INCLUDED_FILES.items():
        path = config_dir / name
        if not path.exists():
            path.write_text(content, encoding="utf-8")
    return asyncio.run(_skip_core_config_step(config_dir))


async def _skip_core_config_step(config_dir: Path) -> bool:
    """Mark the core config step of onboarding done, through Home Assistant's own store.

    Finishing that step over HTTP (`/api/onboarding/core_config`) also sets up Google
    Translate, Met.no and Radio Browser, which need the internet and packages the demo does
    not install. The demo sets the core config over the websocket API instead, once Home
    Assistant runs. The other steps go through the onboarding HTTP API.

    Returns whether every onboarding step was already done.
    """
    # Imported here: loading Home Assistant's modules takes a moment.
    from homeassistant.components.onboarding import (
        STORAGE_KEY,
        STORAGE_VERSION,
        OnboardingStorage,
    )
    from homeassistant.components.onboarding.const import (
        STEP_CORE_CONFIG,
        STEPS,
    )
    from homeassistant.core import HomeAssistant

    hass = HomeAssistant(str(config_dir))
    try:
        store = OnboardingStorage(hass, STORAGE_VERSION, STORAGE_KEY, private=True)
        data = await store.async_load() or {"done": []}
        if set(data["done"]) >= set(STEPS):
            return True
        if STEP_CORE_CONFIG not in data["done"]:
            data["done"].append(STEP_CORE_CONFIG)
            await store.async_save(data)
        return False
    finally:
        await hass.async_stop(force=True)
