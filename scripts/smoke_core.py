"""Smoke test on the newest Home Assistant, which has no test plugin yet.

Boots a real core the way `hass` does (bootstrap, a configuration.yaml, RoomSense from a
custom_components folder) against the SwitchBot simulator, then checks what a user would:

1. RoomSense is added through the config flow and loads, with entities for the demo home;
2. one Assist turn through RoomSense's agent turns a bulb on in the simulated cloud;
3. one entity action (a plug's switch) reaches the simulated cloud and shows in the state;
4. the core logged no loop-blocking call and no deprecated-API use naming RoomSense.

Run it with the smoke environment's Python: `ROOMSENSE_VENV=.venv-smoke scripts/python
scripts/smoke_core.py` (`scripts/test --smoke` does this). Prints one line per check and a
closing "N passed, N failed" line; exits non-zero when a check fails.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

# The core first: 2026.11 replaces httpx with its own fork at import.
import homeassistant  # noqa: F401
from homeassistant import bootstrap, runner
from homeassistant.components import conversation
from homeassistant.const import __version__ as HA_VERSION  # noqa: N812
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er

from roomsense_simulator import Clock, Simulator

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = "roomsense"
TOKEN = "smoke-token-0123456789"
SECRET = "smoke-secret-0123456789"
BULB = "6055F93A8B21"  # 寝室の電球, a Color Bulb of the demo home
PLUG = "7C87CE5A10B2"  # コーヒーメーカーのプラグ, a Plug Mini (JP)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_config(config_dir: Path, port: int) -> None:
    (config_dir / "custom_components").mkdir()
    (config_dir / "custom_components" / DOMAIN).symlink_to(ROOT / "custom_components" / DOMAIN)
    (config_dir / "configuration.yaml").write_text(
        "homeassistant:\n"
        "  name: RoomSense smoke\n"
        "  latitude: 35.68\n"
        "  longitude: 139.76\n"
        "  elevation: 40\n"
        "  unit_system: metric\n"
        "  time_zone: Asia/Tokyo\n"
        "  country: JP\n"
        "  currency: JPY\n"
        f"http:\n  server_host: 127.0.0.1\n  server_port: {port}\n"
        "conversation:\n",
        encoding="utf-8",
    )


class CoreComplaints(logging.Handler):
    """Loop-blocking reports and deprecated-API reports that name RoomSense."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        names_us = "roomsense" in message or record.name.startswith("custom_components.roomsense")
        if "Detected blocking call" in message or (
            names_us and ("deprecat" in message.lower() or "Detected that custom" in message)
        ):
            self.messages.append(message)


async def wait_for(check: Callable[[], Awaitable[bool]], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await check():
            return True
        await asyncio.sleep(0.1)
    return False


class Smoke:
    def __init__(self, hass: HomeAssistant, simulator: Simulator) -> None:
        self.hass = hass
        self.simulator = simulator
        self.passed = 0
        self.failed = 0

    def report(self, name: str, ok: bool, detail: str = "") -> None:
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        print(f"{'PASS' if ok else 'FAIL'} {name}{f': {detail}' if detail else ''}", flush=True)

    def commands_sent(self, device_id: str) -> list[str]:
        return [
            str((call["body"] or {}).get("command"))
            for call in self.simulator.calls
            if call["path"].endswith(f"/devices/{device_id}/commands")
        ]

    def entity_of(self, device_id: str, domain: str) -> str | None:
        device = next(
            iter(dr.async_get(self.hass).async_get_devices(identifiers={(DOMAIN, device_id)})),
            None,
        )
        if device is None:
            return None
        return next(
            (
                entry.entity_id
                for entry in er.async_entries_for_device(er.async_get(self.hass), device.id)
                if entry.domain == domain
            ),
            None,
        )

    async def set_up_roomsense(self) -> None:
        flow = await self.hass.config_entries.flow.async_init(DOMAIN, context={"source": "user"})
        result: dict[str, Any] = dict(
            await self.hass.config_entries.flow.async_configure(
                flow["flow_id"],
                {
                    "token": TOKEN,
                    "secret": SECRET,
                    "advanced": {"base_url": self.simulator.base_url},
                },
            )
        )
        await self.hass.async_block_till_done()
        entries = self.hass.config_entries.async_entries(DOMAIN)
        loaded = bool(entries) and entries[0].state.value == "loaded"
        entities = (
            len(er.async_entries_for_config_entry(er.async_get(self.hass), entries[0].entry_id))
            if entries
            else 0
        )
        self.report(
            "config flow adds RoomSense and it loads",
            result.get("type") == "create_entry" and loaded and entities > 0,
            f"flow {result.get('type')}, {entities} entities",
        )

    async def agent_turn(self) -> None:
        agent = next(
            (
                entry.entity_id
                for entry in er.async_get(self.hass).entities.values()
                if entry.platform == DOMAIN and entry.domain == "conversation"
            ),
            None,
        )
        if agent is None:
            self.report("Assist turn through RoomSense's agent", False, "no agent entity")
            return
        result = await conversation.async_converse(
            self.hass, "寝室の電球をつけて", None, Context(), language="ja", agent_id=agent
        )
        speech = result.response.speech.get("plain", {}).get("speech", "")
        sent = "turnOn" in self.commands_sent(BULB)
        self.report("Assist turn through RoomSense's agent", sent, f"answered {speech!r}")

    async def entity_action(self) -> None:
        plug = self.entity_of(PLUG, "switch")
        if plug is None:
            self.report("switch.turn_off on a plug", False, "no switch entity")
            return
        await self.hass.services.async_call(
            "switch", "turn_off", {"entity_id": plug}, blocking=True
        )

        async def off() -> bool:
            state = self.hass.states.get(plug)
            return state is not None and state.state == "off"

        shown = await wait_for(off)
        sent = "turnOff" in self.commands_sent(PLUG)
        self.report(
            "switch.turn_off on a plug", sent and shown, f"{plug} sent={sent} shown={shown}"
        )


async def main() -> int:
    # The core's logging setup takes over standard error; results go to standard output.
    print(f"Home Assistant {HA_VERSION}", flush=True)
    complaints = CoreComplaints()
    logging.getLogger().addHandler(complaints)
    simulator = Simulator(token=TOKEN, secret=SECRET, home="demo", clock=Clock(time.time))
    await simulator.start(host="127.0.0.1", port=0)
    with tempfile.TemporaryDirectory(prefix="roomsense-smoke-") as folder:
        config_dir = Path(folder)
        write_config(config_dir, free_port())
        runtime = runner.RuntimeConfig(
            config_dir=str(config_dir), skip_pip=True, log_file=str(config_dir / "ha.log")
        )
        hass = await bootstrap.async_setup_hass(runtime)
        if hass is None:
            print("FAIL Home Assistant did not boot", flush=True)
            await simulator.stop()
            return 1
        await hass.async_start()
        smoke = Smoke(hass, simulator)
        try:
            await smoke.set_up_roomsense()
            await smoke.agent_turn()
            await smoke.entity_action()
        except Exception as err:  # noqa: BLE001 - any crash is a failed check, with its cause
            smoke.report("the checks ran to the end", False, f"{type(err).__name__}: {err}")
        finally:
            await hass.async_stop()
            await simulator.stop()
        if smoke.failed:
            # What the core logged explains most failures (an integration that did not load).
            log = await asyncio.to_thread(
                (config_dir / "ha.log").read_text, encoding="utf-8", errors="replace"
            )
            problems = [
                line for line in log.splitlines() if " ERROR " in line or "Traceback" in line
            ]
            print("\n".join(problems[:40]), flush=True)
        smoke.report(
            "no loop-blocking or deprecated-API report names RoomSense",
            not complaints.messages,
            "; ".join(complaints.messages),
        )
    print(f"smoke: {smoke.passed} passed, {smoke.failed} failed", flush=True)
    return 1 if smoke.failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
