"""The demo run: simulator, Home Assistant, setup through Home Assistant's APIs, Ctrl-C.

Order of a run:

1. check that the three ports are free; write the configuration (see `config_dir`);
2. start the simulated Supervisor in this process (see `supervisor`) and write where it is,
   with the simulated add-on's token, for `scripts/demo --announce-addon` (see `announce`);
3. start the SwitchBot simulator with the demo home and wait for its "listening" line;
4. start Home Assistant (`python -m homeassistant -c <dir> --skip-pip`) and wait for HTTP;
5. onboard, set up the home, add RoomSense, its rooms and its assistants through Home
   Assistant's APIs (see `provision`);
6. print the URL, the login and the simulator's credentials, then watch both processes.
   When Home Assistant exits to restart (the UI's Restart button), start it again.

Ctrl-C (SIGINT) or SIGTERM at any point stops Home Assistant first, so RoomSense unloads
while the simulator still answers, then the simulator, then the simulated Supervisor. A
second Ctrl-C kills both processes at once. The exit status is 0 when both stopped cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, Final

import aiohttp
import yaml  # type: ignore[import-untyped,unused-ignore]

from .config_dir import prepare_config_dir
from .ha_api import HomeAssistantClient
from .processes import ManagedProcess, ensure_port_free, home_assistant_argv
from .provision import provision
from .settings import (
    ASSISTANTS,
    DEMO_PASSWORD,
    DEMO_USERNAME,
    HASS_START_TIMEOUT,
    HASS_STOP_TIMEOUT,
    HOST,
    RESTART_EXIT_CODE,
    SIM_HOME,
    SIM_READY_LINE,
    SIM_SECRET,
    SIM_START_TIMEOUT,
    SIM_STOP_TIMEOUT,
    SIM_TOKEN,
    SUPERVISOR_LOG,
    SUPERVISOR_STATE_FILE,
    SUPERVISOR_STORE_FILE,
    DemoError,
    DemoSettings,
)
from .supervisor import FakeSupervisor, SimulatedAddon, SupervisorState, new_token

PREFIX: Final = "scripts/demo:"
# A request for the Assist dialog that RoomSense's own parser answers, with no model.
ASSIST_EXAMPLE: Final = "「リビングの電気を消して」"
SIM_LOG: Final = "simulator.log"
HASS_CONSOLE_LOG: Final = "hass-console.log"


def say(message: str = "") -> None:
    """Print progress for the user, at once (the output may be a pipe)."""
    print(message, flush=True)


class Demo:
    """One run of the demo."""

    def __init__(
        self, settings: DemoSettings, addon: SimulatedAddon, homeassistant_token: str
    ) -> None:
        self.settings = settings
        config_dir = settings.config_dir
        self.supervisor = FakeSupervisor(
            addon=addon,
            core_url=settings.hass_url,
            homeassistant_token=homeassistant_token,
            addon_token=new_token(),
            host=HOST,
            port=settings.supervisor_port,
            store_path=config_dir / SUPERVISOR_STORE_FILE,
        )
        self._supervisor_log: logging.Handler | None = None
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.sim = ManagedProcess(
            "the SwitchBot simulator",
            [
                sys.executable,
                "-m",
                "roomsense_simulator",
                "--host",
                HOST,
                "--port",
                str(settings.sim_port),
                "--token",
                SIM_TOKEN,
                "--secret",
                SIM_SECRET,
                "--home",
                SIM_HOME,
            ],
            config_dir / SIM_LOG,
            env,
        )
        self.hass = ManagedProcess(
            "Home Assistant",
            home_assistant_argv(config_dir),
            config_dir / HASS_CONSOLE_LOG,
            env,
        )
        self._stop_requested = asyncio.Event()
        self._signals = 0

    # -- signals -----------------------------------------------------------------------

    def _on_signal(self) -> None:
        self._signals += 1
        self._stop_requested.set()
        if self._signals > 1:
            say("Killing Home Assistant and the simulator")
            self.hass.kill()
            self.sim.kill()

    async def run(self) -> int:
        """Run until Ctrl-C or until a process ends by itself; the exit status."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self._on_signal)
        for name in (SIM_LOG, HASS_CONSOLE_LOG, SUPERVISOR_LOG):
            (self.settings.config_dir / name).write_bytes(b"")
        status = 1
        try:
            result = await self._unless_stopped(self._run())
            status = 0 if result is None else result
        except DemoError as err:
            say(f"{PREFIX} {err}")
            say(f"{PREFIX} Home Assistant's log: {self._hass_log}")
        finally:
            clean = await self._shutdown()
        if not clean:
            return 1
        return status

    async def _unless_stopped(self, coro: Coroutine[Any, Any, int]) -> int | None:
        """Run coro until it ends or a stop is requested; None when stopped."""
        work = asyncio.create_task(coro)
        stop = asyncio.create_task(self._stop_requested.wait())
        try:
            await asyncio.wait({work, stop}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
        if work.done():
            return work.result()
        work.cancel()
        with contextlib.suppress(asyncio.CancelledError, DemoError, aiohttp.ClientError):
            await work
        return None

    # -- the run -----------------------------------------------------------------------

    async def _run(self) -> int:
        settings = self.settings
        await self._start_supervisor()
        await self._start_simulator()
        async with aiohttp.ClientSession() as session:
            client = HomeAssistantClient(session, settings.hass_url)
            await self._start_hass(client)
            say("Setting up: onboarding, the demo user, RoomSense, its rooms and assistants")
            try:
                result = await provision(client, settings, lambda: self.hass.running)
            except aiohttp.ClientError as err:
                raise DemoError(self._failed(self.hass, f"could not be reached ({err})")) from None
            self._print_ready(result.entry_state)
            return await self._supervise(client)

    async def _start_supervisor(self) -> None:
        """Start the simulated Supervisor, its log in the configuration folder."""
        settings = self.settings
        say(f"Starting the simulated Supervisor on {settings.supervisor_url}")
        handler = logging.FileHandler(settings.config_dir / SUPERVISOR_LOG, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger = logging.getLogger(FakeSupervisor.__module__)
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
        self._supervisor_log = handler
        try:
            await self.supervisor.start()
        except OSError as err:
            raise DemoError(
                f"The simulated Supervisor cannot listen on {settings.supervisor_url}: "
                f"{err.strerror or err}. Pick another port with ROOMSENSE_SUPERVISOR_PORT."
            ) from None
        SupervisorState(
            supervisor_url=self.supervisor.url,
            addon_slug=self.supervisor.addon.slug,
            addon_name=self.supervisor.addon.name,
            addon_token=self.supervisor.addon_token,
            hass_url=settings.hass_url,
        ).write(self._state_path)

    @property
    def _state_path(self) -> Path:
        return self.settings.config_dir / SUPERVISOR_STATE_FILE

    async def _start_simulator(self) -> None:
        say(f"Starting the SwitchBot simulator on {self.settings.sim_url}")
        await self.sim.start()
        deadline = asyncio.get_running_loop().time() + SIM_START_TIMEOUT
        while SIM_READY_LINE not in self.sim.output():
            if not self.sim.running:
                raise DemoError(self._failed(self.sim, "stopped while starting"))
            if asyncio.get_running_loop().time() > deadline:
                raise DemoError(self._failed(self.sim, "did not start in time"))
            await asyncio.sleep(0.1)

    async def _start_hass(self, client: HomeAssistantClient) -> None:
        say(f"Starting Home Assistant on {self.settings.hass_url}")
        await self.hass.start()
        try:
            async with asyncio.timeout(HASS_START_TIMEOUT):
                await client.wait_until_serving(lambda: self.hass.running)
        except TimeoutError:
            raise DemoError(self._failed(self.hass, "did not answer in time")) from None
        except DemoError:
            raise DemoError(self._failed(self.hass, "stopped while starting")) from None

    async def _supervise(self, client: HomeAssistantClient) -> int:
        """Watch both processes; restart Home Assistant when it asks for it."""
        while True:
            hass_done = asyncio.create_task(self.hass.wait())
            sim_done = asyncio.create_task(self.sim.wait())
            done, pending = await asyncio.wait(
                {hass_done, sim_done}, return_when=asyncio.FIRST_COMPLETED
            )
            for task in pending:
                task.cancel()
            if sim_done in done:
                raise DemoError(self._failed(self.sim, "stopped unexpectedly"))
            if self.hass.returncode == RESTART_EXIT_CODE:
                say("Home Assistant is restarting")
                await self._start_hass(client)
                say(f"Home Assistant is back at {self.settings.hass_url}")
                continue
            say(f"Home Assistant stopped (exit status {self.hass.returncode})")
            return 0 if self.hass.returncode == 0 else 1

    def _print_ready(self, entry_state: str) -> None:
        settings = self.settings
        config_dir = settings.shown_path(settings.config_dir)
        say()
        say("RoomSense demo is running.")
        say(f"  Home Assistant:  {settings.hass_url}")
        say(f"  Username:        {DEMO_USERNAME}")
        say(f"  Password:        {DEMO_PASSWORD}")
        say(f"  Assist:          {', '.join(a.name for a in ASSISTANTS)}; try {ASSIST_EXAMPLE}")
        say(f"  Simulator:       {settings.sim_url} (home {SIM_HOME!r}), a SwitchBot account:")
        say(f"    Token:         {SIM_TOKEN}")
        say(f"    Secret:        {SIM_SECRET}")
        say(f"    Cloud URL:     {settings.sim_url}")
        say("    Add it yourself: Settings > Devices & services > Add integration > RoomSense,")
        say("    the Cloud URL under Advanced. The demo added this account already: delete that")
        say("    entry first, or the form says it is already set up (a next run adds it back).")
        say(f"  Supervisor:      {settings.supervisor_url} (simulated)")
        say(f"  Configuration:   {config_dir}")
        say(
            f"  Logs:            {self._hass_log}, {config_dir}/{SIM_LOG}, "
            f"{config_dir}/{SUPERVISOR_LOG}"
        )
        if entry_state != "loaded":
            say(
                f"  Warning: the RoomSense entry is {entry_state!r}, not loaded; "
                f"see {self._hass_log}"
            )
        say(
            "Announce the RoomSense LLM add-on to Home Assistant, as the Supervisor would, "
            "with: scripts/demo --announce-addon"
        )
        say("Press Ctrl-C to stop.")
        say()

    @property
    def _hass_log(self) -> str:
        return self.settings.shown_path(self.settings.config_dir / "home-assistant.log")

    def _failed(self, process: ManagedProcess, what: str) -> str:
        status = process.returncode
        detail = "" if status is None else f" (exit status {status})"
        tail = process.output_tail()
        log = self.settings.shown_path(process.log_path)
        name = process.name[:1].upper() + process.name[1:]
        return f"{name} {what}{detail}. Last output, from {log}:\n{tail}"

    # -- shutdown ----------------------------------------------------------------------

    async def _shutdown(self) -> bool:
        """Stop Home Assistant, the simulator, then the Supervisor; whether all went cleanly."""
        clean = True
        for process, grace in ((self.hass, HASS_STOP_TIMEOUT), (self.sim, SIM_STOP_TIMEOUT)):
            if not process.running:
                continue
            say(f"Stopping {process.name}")
            status = await process.stop(signal.SIGTERM, grace)
            # Ending by the signal it was sent is a clean stop too: Home Assistant ends
            # that way when the signal comes before it set up its own handler.
            if status not in (0, -signal.SIGTERM):
                say(f"{PREFIX} {process.name} exited with status {status}")
                clean = False
        self._state_path.unlink(missing_ok=True)
        await self.supervisor.stop()
        if self._supervisor_log is not None:
            logging.getLogger(FakeSupervisor.__module__).removeHandler(self._supervisor_log)
            self._supervisor_log.close()
        say("Stopped." if clean else "Stopped, not cleanly.")
        return clean


def main() -> int:
    """Run the demo; the exit status."""
    try:
        settings = DemoSettings.from_env()
        ensure_port_free(settings.hass_port, "ROOMSENSE_DEMO_PORT")
        ensure_port_free(settings.sim_port, "ROOMSENSE_SIM_PORT")
        ensure_port_free(settings.supervisor_port, "ROOMSENSE_SUPERVISOR_PORT")
        addon = _simulated_addon()
        homeassistant_token = new_token()
        say(f"Preparing {settings.shown_path(settings.config_dir)}")
        if not prepare_config_dir(settings, homeassistant_token):
            say("First run: a new Home Assistant with the demo user and RoomSense")
        return asyncio.run(_run(settings, addon, homeassistant_token))
    except DemoError as err:
        say(f"{PREFIX} {err}")
        return 1
    except KeyboardInterrupt:
        # Ctrl-C before anything was started.
        return 0


def _simulated_addon() -> SimulatedAddon:
    try:
        return SimulatedAddon.from_repository()
    except (OSError, yaml.YAMLError, KeyError, TypeError) as err:
        raise DemoError(f"Cannot read the add-on's addon/config.yaml: {err}") from None


async def _run(settings: DemoSettings, addon: SimulatedAddon, homeassistant_token: str) -> int:
    return await Demo(settings, addon, homeassistant_token).run()
