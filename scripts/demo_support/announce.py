"""`scripts/demo --announce-addon [HOST:PORT]`: the LLM add-on announces itself to the demo.

Calls the add-on launcher's own `announce()` (addon/launcher/roomsense_llm_launcher.py,
loaded from its file) against the running demo's simulated Supervisor, with the simulated
add-on's token, exactly as the add-on does on Home Assistant OS once its llama-server
answers. The Supervisor passes the message on to Home Assistant, which starts RoomSense's
discovery flow. This command then logs in as the demo user and reports what Home Assistant
made of it: a "Discovered" card to confirm, or RoomSense already using that address.

Where the Supervisor is comes from the file the running demo keeps in its configuration
folder (settings.SUPERVISOR_STATE_FILE).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any, Final

import aiohttp

from .ha_api import HomeAssistantClient
from .settings import (
    DEMO_PASSWORD,
    DEMO_USERNAME,
    ROOT,
    SUPERVISOR_STATE_FILE,
    DemoError,
    DemoSettings,
)
from .supervisor import SupervisorState

PREFIX: Final = "scripts/demo:"
DEFAULT_ADDRESS: Final = "127.0.0.1:8080"
LAUNCHER_PATH: Final = ROOT / "addon" / "launcher" / "roomsense_llm_launcher.py"
_LAUNCHER_MODULE: Final = "roomsense_llm_launcher"
DOMAIN: Final = "roomsense"
# How long Home Assistant gets to show the discovery (the Supervisor pushes in the background).
OUTCOME_TIMEOUT: Final = 20.0


def say(message: str = "") -> None:
    """Print for the user, at once."""
    print(message, flush=True)


def load_launcher() -> ModuleType:
    """The add-on's launcher script as a module (it is a script, not a package)."""
    if _LAUNCHER_MODULE in sys.modules:
        return sys.modules[_LAUNCHER_MODULE]
    spec = importlib.util.spec_from_file_location(_LAUNCHER_MODULE, LAUNCHER_PATH)
    if spec is None or spec.loader is None:
        raise DemoError(f"Cannot load the add-on launcher from {LAUNCHER_PATH}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[_LAUNCHER_MODULE] = module
    spec.loader.exec_module(module)
    return module


def parse_address(address: str) -> tuple[str, int]:
    """HOST:PORT (an IPv6 host in brackets) as the host and the port."""
    host, colon, port_text = address.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not colon or not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise DemoError(
            f"--announce-addon takes HOST:PORT, where llama-server would answer "
            f"(default {DEFAULT_ADDRESS}), not {address!r}"
        )
    return host, int(port_text)


def base_url(host: str, port: int) -> str:
    """The URL RoomSense makes of an announced host and port."""
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@contextmanager
def _launcher_log_shown(launcher: ModuleType) -> Iterator[None]:
    """Show what the launcher logs while announcing, as the add-on's log would."""
    logger: logging.Logger = launcher._LOGGER  # the launcher's own logger
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("  add-on log: %(levelname)s %(message)s"))
    level, propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


def main(args: list[str]) -> int:
    """Announce the add-on at args[0] (HOST:PORT, else the default); the exit status."""
    if len(args) > 1:
        say(f"{PREFIX} --announce-addon takes one HOST:PORT at most")
        return 2
    try:
        host, port = parse_address(args[0] if args else DEFAULT_ADDRESS)
    except DemoError as err:
        say(f"{PREFIX} {err}")
        return 2
    try:
        settings = DemoSettings.from_env()
        state = SupervisorState.read(settings.config_dir / SUPERVISOR_STATE_FILE)
        launcher = load_launcher()
    except DemoError as err:
        say(f"{PREFIX} {err}")
        return 1
    model = str(launcher.DEFAULT_MODEL)
    say(
        f"The add-on {state.addon_name} ({state.addon_slug}) announces llama-server at "
        f"{host}:{port}, model {model}, to the simulated Supervisor at {state.supervisor_url}"
    )
    with _launcher_log_shown(launcher):
        announced = launcher.announce(state.supervisor_url, state.addon_token, host, port, model)
    if not announced:
        say(f"{PREFIX} The Supervisor did not take the announcement (see above). Is the demo")
        say(f"{PREFIX} running? Its log: {settings.shown_path(settings.config_dir)}/supervisor.log")
        return 1
    say("The Supervisor took it and passes it on to Home Assistant.")
    outcome = asyncio.run(_home_assistant_outcome(state, base_url(host, port)))
    for line in outcome:
        say(line)
    return 0


async def _home_assistant_outcome(state: SupervisorState, url: str) -> list[str]:
    """Look in Home Assistant for the discovery, as the demo user; give up after a while."""
    dashboard = f"{state.hass_url}/config/integrations/dashboard"
    async with aiohttp.ClientSession() as session:
        client = HomeAssistantClient(session, state.hass_url)
        try:
            await client.login(DEMO_USERNAME, DEMO_PASSWORD)
        except (DemoError, aiohttp.ClientError) as err:
            return [
                f"Could not log in to Home Assistant to check ({err}).",
                f"Look for the add-on under Settings > Devices & services: {dashboard}",
            ]
        try:
            async with asyncio.timeout(OUTCOME_TIMEOUT):
                while True:
                    if outcome := await _look(client, state, url, dashboard):
                        return outcome
                    await asyncio.sleep(0.5)
        except TimeoutError:
            return [
                f"Home Assistant shows no discovery of {state.addon_name} after "
                f"{OUTCOME_TIMEOUT:.0f} s.",
                "Was it ignored before (Settings > Devices & services > Ignored), or is no "
                "SwitchBot account set up? See the logs the demo printed.",
            ]
        except (DemoError, aiohttp.ClientError) as err:
            return [f"Could not check Home Assistant: {err}"]
        finally:
            with contextlib.suppress(DemoError, aiohttp.ClientError):
                await client.revoke()


async def _look(
    client: HomeAssistantClient, state: SupervisorState, url: str, dashboard: str
) -> list[str] | None:
    """The outcome once Home Assistant shows one; None while it shows nothing yet."""
    (flows,) = await client.websocket({"type": "config_entries/flow/progress"})
    for flow in flows:
        context: dict[str, Any] = flow.get("context") or {}
        if (
            flow.get("handler") == DOMAIN
            and context.get("source") == "hassio"
            and context.get("unique_id") == state.addon_slug
        ):
            return [
                "Home Assistant discovered it: Settings > Devices & services shows "
                f'"{state.addon_name}" under "Discovered" ({dashboard}).',
                "Choose Add, then Submit, and RoomSense's conversation agent uses the model "
                f"at {url}.",
            ]
    link = {"slug": state.addon_slug, "base_url": url}
    following = [
        entry["title"]
        for entry in await client.config_entries(DOMAIN)
        if (await _options(client, entry["entry_id"])).get("llm_addon") == link
    ]
    if following:
        return [
            f"RoomSense ({', '.join(following)}) uses the add-on at {url}: nothing to confirm, "
            "since this add-on was confirmed before (a new address is taken without asking)."
        ]
    return None


async def _options(client: HomeAssistantClient, entry_id: str) -> dict[str, Any]:
    """A RoomSense entry's options, from its diagnostics (secrets redacted); {} if none."""
    try:
        _, body = await client.request("GET", f"/api/diagnostics/config_entry/{entry_id}")
        return dict(body["data"]["entry"]["options"])
    except (DemoError, KeyError, TypeError):
        return {}
