"""Child processes of the demo: started in their own session, stopped in order."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import socket
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from .settings import HOST, DemoError


def _parent_death_signal() -> Callable[[], None] | None:
    """On Linux: a pre-exec hook that makes a child get SIGTERM when the demo dies.

    The children run in their own session, so Ctrl-C in the terminal reaches only the demo,
    which then stops them in order. This hook covers the demo being killed outright.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        # The symbols of the running program, libc's among them.
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1

    def hook() -> None:
        prctl(pr_set_pdeathsig, signal.SIGTERM)

    return hook


_PREEXEC = _parent_death_signal()


def ensure_port_free(port: int, env_name: str) -> None:
    """Fail early, with a hint, when something already listens on the port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError as err:
            raise DemoError(
                f"Port {port} on {HOST} is in use ({err.strerror}). "
                f"Stop what uses it, or pick another port with {env_name}."
            ) from None


def home_assistant_argv(config_dir: Path) -> list[str]:
    """The command line of Home Assistant on `config_dir`, with this interpreter."""
    return [
        sys.executable,
        "-m",
        "homeassistant",
        "--config",
        str(config_dir),
        "--skip-pip",
        "--log-no-color",
    ]


class ManagedProcess:
    """One child process whose output goes to a log file."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        log_path: Path,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.log_path = log_path
        self.env = dict(os.environ if env is None else env)
        self._process: asyncio.subprocess.Process | None = None
        self._log_offset = 0

    @property
    def returncode(self) -> int | None:
        """The exit status once the process ended; None while it runs or before start."""
        return None if self._process is None else self._process.returncode

    @property
    def running(self) -> bool:
        """Whether the process was started and has not ended."""
        return self._process is not None and self._process.returncode is None

    async def start(self) -> None:
        """Start the process, appending its output to the log file."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self._log_offset = log.tell()
            self._process = await asyncio.create_subprocess_exec(
                *self.argv,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
                env=self.env,
                start_new_session=True,
                preexec_fn=_PREEXEC,
            )

    async def wait(self) -> int:
        """Wait for the process to end; its exit status."""
        if self._process is None:
            raise RuntimeError(f"{self.name} was not started")
        return await self._process.wait()

    def output(self) -> str:
        """What the process wrote since it was started."""
        try:
            with self.log_path.open("rb") as log:
                log.seek(self._log_offset)
                return log.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def output_tail(self, lines: int = 30) -> str:
        """The last lines the process wrote, for error messages."""
        return "\n".join(self.output().splitlines()[-lines:])

    def kill(self) -> None:
        """Kill the process and anything it started, without waiting."""
        if self.running and self._process is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self._process.pid, signal.SIGKILL)

    async def stop(self, sig: signal.Signals, grace: float) -> int | None:
        """Send the signal, wait up to `grace` seconds, then kill its process group.

        Returns the exit status, or None when it was not running.
        """
        process = self._process
        if process is None:
            return None
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(sig)
            try:
                async with asyncio.timeout(grace):
                    await process.wait()
            except TimeoutError:
                print(f"Killing {self.name}: it did not stop within {grace:.0f} s", flush=True)
                # It leads its own session and is not reaped yet: its group id is still
                # its own, and anything it started goes with it.
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, signal.SIGKILL)
        return await process.wait()
