"""What the demo runs with: fixed demo values, ports and folder from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).resolve().parents[2]

HOST: Final = "127.0.0.1"

# The demo login. Home Assistant only listens on 127.0.0.1, so a fixed password is fine
# here, and it lets every run print the same login.
DEMO_NAME: Final = "Demo"
DEMO_USERNAME: Final = "demo"
DEMO_PASSWORD: Final = "roomsense-demo"  # noqa: S105 - the documented demo login
# Onboarding's language: the default areas it makes (リビングルーム, 台所, 寝室), which the demo
# turns into the demo home's rooms. The frontend's language stays the browser's.
DEMO_LANGUAGE: Final = "ja"

# Credentials of the simulated SwitchBot account; the simulator accepts only these.
SIM_TOKEN: Final = "roomsense-demo-token"  # noqa: S105 - a made-up demo value
SIM_SECRET: Final = "roomsense-demo-secret"  # noqa: S105 - a made-up demo value
SIM_HOME: Final = "demo"
SIM_READY_LINE: Final = "SwitchBot simulator listening on"

# The simulated Supervisor (see `supervisor`): what `scripts/demo --announce-addon` reads to
# find it, in the configuration folder while the demo runs, and where it keeps its messages.
SUPERVISOR_STATE_FILE: Final = "supervisor.json"
SUPERVISOR_STORE_FILE: Final = "supervisor-discovery.json"
SUPERVISOR_LOG: Final = "supervisor.log"

# Core settings made once, on the first run; the user may change them in the UI later. The
# demo home is a flat in Tokyo. The language is the server's: the names Home Assistant gives
# entities (温度, バッテリー) and the default of new assistants; each user's frontend language
# is their own (the browser's until set in their profile).
CORE_CONFIG: Final[Mapping[str, str | float]] = {
    "location_name": "RoomSense demo",
    "country": "JP",
    "currency": "JPY",
    "language": "ja",
    "time_zone": "Asia/Tokyo",
    "unit_system": "metric",
    "latitude": 35.6812,
    "longitude": 139.7671,
    "elevation": 3,
}
# What earlier versions of the demo set, with the host's time zone: a configuration folder
# that still has these is brought to CORE_CONFIG once, like a new one.
OLD_CORE_CONFIG: Final[Mapping[str, str]] = {"country": "US", "currency": "USD"}

# The title of the RoomSense entry, and so the name of its account device and of its
# conversation agent; earlier versions of the demo (and of RoomSense) called it this.
ENTRY_TITLE: Final = "RoomSense"
OLD_ENTRY_TITLE: Final = "SwitchBot"


@dataclass(frozen=True, slots=True)
class AssistantSpec:
    """An Assist pipeline ("voice assistant") with the RoomSense agent, in one language."""

    name: str
    language: str
    preferred: bool = False


# Text only: speech needs engines that download models or reach the internet.
ASSISTANTS: Final = (
    AssistantSpec("RoomSense (日本語)", "ja", preferred=True),
    AssistantSpec("RoomSense (English)", "en"),
)

# Exit code of Home Assistant when the UI asks it to restart.
RESTART_EXIT_CODE: Final = 100

HASS_START_TIMEOUT: Final = 300.0
SIM_START_TIMEOUT: Final = 60.0
HASS_STOP_TIMEOUT: Final = 120.0
SIM_STOP_TIMEOUT: Final = 20.0


class DemoError(Exception):
    """A problem the demo reports in one message, without a traceback."""


@dataclass(frozen=True, slots=True)
class DemoSettings:
    """Ports and folder of one demo run."""

    hass_port: int
    sim_port: int
    config_dir: Path
    supervisor_port: int = 8711

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> DemoSettings:
        """Read the ports and the folder from the ROOMSENSE_* variables `scripts/demo` lists."""
        ports = {
            name: _port(env, name, default)
            for name, default in (
                ("ROOMSENSE_DEMO_PORT", 8123),
                ("ROOMSENSE_SIM_PORT", 8710),
                ("ROOMSENSE_SUPERVISOR_PORT", 8711),
            )
        }
        if len(set(ports.values())) < len(ports):
            raise DemoError(f"{', '.join(ports)} must all differ")
        config_dir = Path(env.get("ROOMSENSE_DEMO_DIR") or "demo_config")
        if not config_dir.is_absolute():
            config_dir = ROOT / config_dir
        return cls(
            hass_port=ports["ROOMSENSE_DEMO_PORT"],
            sim_port=ports["ROOMSENSE_SIM_PORT"],
            config_dir=config_dir,
            supervisor_port=ports["ROOMSENSE_SUPERVISOR_PORT"],
        )

    @property
    def hass_url(self) -> str:
        """Where the Home Assistant UI is."""
        return f"http://{HOST}:{self.hass_port}"

    @property
    def sim_url(self) -> str:
        """Where the simulator is; the base_url of the RoomSense entry."""
        return f"http://{HOST}:{self.sim_port}"

    @property
    def supervisor_url(self) -> str:
        """Where the simulated Supervisor is (`http://supervisor` inside an add-on)."""
        return f"http://{HOST}:{self.supervisor_port}"

    def shown_path(self, path: Path) -> str:
        """A path as the user will want to read it: relative to the repository if inside."""
        try:
            return str(path.relative_to(ROOT))
        except ValueError:
            return str(path)


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name) or str(default)
    try:
        port = int(raw)
    except ValueError:
        raise DemoError(f"{name} must be a port number, not {raw!r}") from None
    if not 0 < port < 65536:
        raise DemoError(f"{name} must be a port number from 1 to 65535, not {port}")
    return port
