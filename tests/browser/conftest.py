"""Browser tests: the demo as a person sees it, in Debian's Chromium driven by Playwright.

They run only when asked for by path (`scripts/test --browser`, or
`scripts/python -m pytest tests/browser`): `pytest` with no path, or with another one, leaves
this folder out, so the default suite needs neither Playwright nor a browser.
`scripts/setup --browser` installs both: Playwright for Python (requirements_browser.txt) and
Debian's `chromium` package, which Playwright starts by its path. `playwright install`, which
downloads browsers, is never used.

One demo (`scripts/demo`, on free ports, in a temporary configuration folder) serves the whole
session and is stopped at its end; its ports must then be free again. Each test gets a fresh
browser context logged in as the demo user, in English (the browser's language) unless the
test picks another one. A failing test leaves a screenshot of its page, and the demo's logs,
in the artifacts folder printed at the end of the run: `browser-screenshots/` at the repository
root (it ignores itself in git), or $ROOMSENSE_BROWSER_ARTIFACTS.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
DEMO = REPO / "scripts" / "demo"

# What `scripts/demo` prints once Home Assistant is set up, and its login.
DEMO_READY = "RoomSense demo is running."
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "roomsense-demo"
DEMO_START_TIMEOUT = 300.0
DEMO_STOP_TIMEOUT = 150.0

CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # A container's /dev/shm may be small (64 MiB under Docker).
    "--disable-dev-shm-usage",
)
# Playwright's waits, in milliseconds: Home Assistant on two slow cores takes its time.
ACTION_TIMEOUT_MS = 30_000
EXPECT_TIMEOUT_MS = 20_000

# Collects the text of an element as it is shown: through shadow roots and slots, with the
# values of inputs in brackets. Playwright's inner_text stops at shadow roots.
DEEP_TEXT_JS = """(root) => {
  const parts = [];
  const walk = (node) => {
    if (node.nodeType === Node.TEXT_NODE) {
      const text = node.textContent.trim();
      if (text) parts.push(text);
      return;
    }
    if (node.nodeType === Node.ELEMENT_NODE) {
      const tag = node.tagName;
      if (tag === "STYLE" || tag === "SCRIPT" || tag === "TEMPLATE") return;
      if (tag === "SLOT") {
        for (const assigned of node.assignedNodes({flatten: true})) walk(assigned);
        return;
      }
      if ((tag === "INPUT" || tag === "TEXTAREA") && node.value) parts.push(`[${node.value}]`);
      if (node.shadowRoot) {
        walk(node.shadowRoot);
        return;
      }
    } else if (node.nodeType !== Node.DOCUMENT_FRAGMENT_NODE) {
      return;
    }
    for (const child of node.childNodes) walk(child);
  };
  walk(root);
  return parts.join("\\n");
}"""


# What the frontend shows or logs when a translation does not format.
TRANSLATION_PROBLEM = re.compile(r"Translation error|formatjs", re.IGNORECASE)
# Whether a test failed: the demo's logs are then kept with the screenshots.
_SESSION_FAILED = False
# Whether this run wrote to the artifacts folder: its path is then printed at the end.
_ARTIFACTS_USED = False


# -- only when asked for -------------------------------------------------------------------


def _asked_for(config: pytest.Config) -> bool:
    """Whether a path on the command line is this folder or inside it."""
    base = Path(config.invocation_params.dir)
    for arg in config.args:
        path = (base / arg.split("::", 1)[0]).resolve()
        if path == HERE or HERE in path.parents:
            return True
    return False


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Leave the browser tests out unless their folder (or a file in it) was named."""
    return None if _asked_for(config) else True


def pytest_configure(config: pytest.Config) -> None:
    if _asked_for(config) and importlib.util.find_spec("playwright") is None:
        raise pytest.UsageError(
            "The browser tests need Playwright and Chromium: run scripts/setup --browser "
            "(scripts/test --browser does)"
        )


# -- where things go ------------------------------------------------------------------------


def artifacts_dir() -> Path:
    """Screenshots and, after a failure, the demo's logs. Ignored by git."""
    global _ARTIFACTS_USED
    _ARTIFACTS_USED = True
    folder = Path(os.environ.get("ROOMSENSE_BROWSER_ARTIFACTS") or REPO / "browser-screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# Written by the browser tests (tests/browser).\n*\n")
    return folder


def chromium_path() -> str:
    """Debian's Chromium: $ROOMSENSE_CHROMIUM, else chromium on PATH."""
    if configured := os.environ.get("ROOMSENSE_CHROMIUM"):
        return configured
    for name in ("chromium", "chromium-browser"):
        if found := shutil.which(name):
            return found
    pytest.fail(
        "No Chromium found (chromium on PATH, or $ROOMSENSE_CHROMIUM): run "
        "scripts/setup --browser, which installs Debian's chromium package",
        pytrace=False,
    )


def _allow_sockets() -> None:
    """Undo the test plugin's socket block: these tests talk to the demo on 127.0.0.1."""
    try:
        import pytest_socket
    except ImportError:
        return
    pytest_socket.enable_socket()


# -- the demo ------------------------------------------------------------------------------


def _free_ports(count: int) -> list[int]:
    """Distinct TCP ports on 127.0.0.1 that nothing listens on now (never the demo's own)."""
    with contextlib.ExitStack() as stack:
        ports: list[int] = []
        while len(ports) < count:
            sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
            if port not in (8123, 8710, 8711):
                ports.append(port)
        return ports


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _die_with_parent() -> None:
    """In the child, before exec: get SIGTERM when pytest dies, so no demo is left behind."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@dataclass
class Demo:
    """A running `scripts/demo`, and what the tests ask its simulator."""

    url: str
    sim_url: str
    config_dir: Path
    output_path: Path
    ports: tuple[int, ...]
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def output(self) -> str:
        try:
            return self.output_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def sim(self, path: str) -> Any:
        """GET an admin endpoint of the simulator (`/_sim/...`)."""
        with urllib.request.urlopen(f"{self.sim_url}/_sim/{path}", timeout=10) as response:  # noqa: S310 - http on 127.0.0.1
            return json.load(response)

    def commands(self, device_id: str) -> list[dict[str, Any]]:
        """The commands the simulator received for a device, oldest first (request bodies)."""
        suffix = f"/v1.1/devices/{device_id}/commands"
        return [
            call["body"]
            for call in self.sim("calls")["calls"]
            if call["method"] == "POST" and call["path"].endswith(suffix)
        ]

    def status(self, device_id: str) -> dict[str, Any]:
        """A device's status in the simulated home."""
        status: dict[str, Any] = self.sim(f"devices/{device_id}")["status"]
        return status

    def wait_for_commands(
        self, device_id: str, before: int, count: int = 1, timeout: float = 20.0
    ) -> list[dict[str, Any]]:
        """The commands a device received after the first `before`, once there are `count`."""
        deadline = time.monotonic() + timeout
        while True:
            new = self.commands(device_id)[before:]
            if len(new) >= count or time.monotonic() > deadline:
                return new
            time.sleep(0.2)

    def start(self) -> None:
        hass_port, sim_port, supervisor_port = self.ports
        env = {
            **os.environ,
            "ROOMSENSE_DEMO_PORT": str(hass_port),
            "ROOMSENSE_SIM_PORT": str(sim_port),
            "ROOMSENSE_SUPERVISOR_PORT": str(supervisor_port),
            "ROOMSENSE_DEMO_DIR": str(self.config_dir),
            "PYTHONUNBUFFERED": "1",
        }
        with self.output_path.open("wb") as output:
            self.process = subprocess.Popen(  # noqa: S603 - the project's own script
                [str(DEMO)],
                cwd=REPO,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        deadline = time.monotonic() + DEMO_START_TIMEOUT
        while DEMO_READY not in self.output():
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"scripts/demo ended (exit status {self.process.returncode}) before it was "
                    f"ready:\n{self._tail()}"
                )
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"scripts/demo was not ready in {DEMO_START_TIMEOUT:.0f} s:\n{self._tail()}"
                )
            time.sleep(0.2)

    def stop(self) -> list[str]:
        """Stop it as Ctrl-C does; what went wrong (an empty list when it stopped cleanly)."""
        problems: list[str] = []
        process = self.process
        if process is None:
            return problems
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(DEMO_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                problems.append(f"scripts/demo did not stop within {DEMO_STOP_TIMEOUT:.0f} s")
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        if process.returncode != 0:
            problems.append(f"scripts/demo exited with status {process.returncode}")
        # Home Assistant, the simulator and the Supervisor are gone with it: their ports are free.
        deadline = time.monotonic() + 10
        while busy := [port for port in self.ports if not _port_free(port)]:
            if time.monotonic() > deadline:
                problems.append(f"ports still in use after the demo stopped: {busy}")
                break
            time.sleep(0.2)
        if problems:
            problems.append(self._tail())
        return problems

    def _tail(self, lines: int = 40) -> str:
        return "\n".join(self.output().splitlines()[-lines:])


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """`scripts/demo` on free ports with a new configuration folder, for the whole session."""
    _allow_sockets()
    _clear_artifacts()
    base = tmp_path_factory.mktemp("demo")
    hass_port, sim_port, supervisor_port = _free_ports(3)
    running = Demo(
        url=f"http://127.0.0.1:{hass_port}",
        sim_url=f"http://127.0.0.1:{sim_port}",
        config_dir=base / "config",
        output_path=base / "demo-output.log",
        ports=(hass_port, sim_port, supervisor_port),
    )
    started = time.monotonic()
    try:
        running.start()
        print(f"\nscripts/demo ready in {time.monotonic() - started:.1f} s at {running.url}")
        yield running
    finally:
        problems = running.stop()
        if _SESSION_FAILED or problems:
            _keep_demo_logs(running)
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def _clear_artifacts() -> None:
    """Remove what an earlier run left, so that every file there is from this run."""
    folder = artifacts_dir()
    for stale in [*folder.glob("*.png"), *folder.glob("demo-*.log")]:
        stale.unlink(missing_ok=True)


def _keep_demo_logs(demo: Demo) -> None:
    target = artifacts_dir()
    for name in ("home-assistant.log", "hass-console.log", "simulator.log", "supervisor.log"):
        with contextlib.suppress(OSError):
            shutil.copy(demo.config_dir / name, target / f"demo-{name}")
    with contextlib.suppress(OSError):
        shutil.copy(demo.output_path, target / "demo-output.log")


# -- the browser ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, started by Playwright from its path."""
    from playwright.sync_api import expect, sync_playwright

    executable = chromium_path()
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def log_in(page: Page, demo: Demo, password: str = DEMO_PASSWORD) -> None:
    """Fill in Home Assistant's login form as a person does, and press Log in."""
    from playwright.sync_api import expect

    page.goto(demo.url)
    username = page.get_by_role("textbox", name="Username")
    expect(username).to_be_visible()
    username.fill(DEMO_USERNAME)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Log in").click()


@pytest.fixture(scope="session")
def login_state(browser: Browser, demo: Demo) -> dict[str, Any]:
    """The browser storage of a logged-in demo user (Home Assistant keeps its tokens there)."""
    context = browser.new_context(locale="en-US")
    try:
        page = context.new_page()
        page.set_default_timeout(ACTION_TIMEOUT_MS)
        log_in(page, demo)
        wait_for_frontend(page)
        state: dict[str, Any] = dict(context.storage_state())
        return state
    finally:
        context.close()


def wait_for_frontend(page: Page) -> None:
    """Until the frontend is logged in and connected (its `hass` object has a user)."""
    page.wait_for_function(
        "() => document.querySelector('home-assistant')?.hass?.user?.name",
        timeout=ACTION_TIMEOUT_MS,
    )


@dataclass
class BrowserPage:
    """A test's page, and what its console said about translations."""

    page: Page
    translation_errors: list[str]


def _new_page(
    request: pytest.FixtureRequest, browser: Browser, storage_state: dict[str, Any] | None
) -> Iterator[BrowserPage]:
    """A page in a fresh browser context in English; a screenshot of it if the test fails."""
    context = browser.new_context(
        locale="en-US",
        timezone_id="Asia/Tokyo",
        viewport={"width": 1280, "height": 900},
        storage_state=storage_state,  # type: ignore[arg-type]
    )
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []

    def note(text: str) -> None:
        if TRANSLATION_PROBLEM.search(text):
            errors.append(text)

    page.on("console", lambda message: note(message.text))
    page.on("pageerror", lambda error: note(str(error)))
    try:
        yield BrowserPage(page, errors)
    finally:
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            with contextlib.suppress(Exception):
                page.screenshot(path=str(artifacts_dir() / f"{request.node.name}.png"))
        context.close()


@pytest.fixture
def ui(
    request: pytest.FixtureRequest, browser: Browser, login_state: dict[str, Any]
) -> Iterator[BrowserPage]:
    """A page of a fresh browser context, logged in as the demo user, in English."""
    yield from _new_page(request, browser, login_state)


@pytest.fixture
def logged_out(request: pytest.FixtureRequest, browser: Browser) -> Iterator[BrowserPage]:
    """A page of a fresh browser context that has never logged in."""
    yield from _new_page(request, browser, None)


def deep_text(locator: Locator) -> str:
    """The text shown inside an element, through its shadow roots."""
    text: str = locator.evaluate(DEEP_TEXT_JS)
    return text


# -- reports --------------------------------------------------------------------------------


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the test, so its page fixture knows it failed."""
    global _SESSION_FAILED
    report = yield
    setattr(item, f"rep_{report.when}", report)
    if report.failed:
        _SESSION_FAILED = True
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _ARTIFACTS_USED:
        folder = artifacts_dir()
        names = sorted(path.name for path in folder.iterdir() if path.name != ".gitignore")
        terminalreporter.write_line(f"browser tests: screenshots and logs in {folder}/")
        for name in names:
            terminalreporter.write_line(f"  {name}")


# -- the Home Assistant test plugin ---------------------------------------------------------
#
# pytest-homeassistant-custom-component's autouse fixtures check each test's asyncio loop for
# leftovers and run coroutines on it. Playwright's sync API runs its own loop in the test's
# thread and leaves it marked as running between calls, so those fixtures would trip over it.
# These tests start no Home Assistant in the process: the same names, doing nothing, replace
# them here.


@pytest.fixture
def verify_cleanup() -> None:
    """Replaces the plugin's check of the test's event loop (see above)."""


@pytest.fixture
def configure_event_loop() -> None:
    """Replaces the plugin's event loop setup (see above)."""


@pytest.fixture
def enable_event_loop_debug() -> None:
    """Replaces the plugin's event loop debug switch (see above)."""


@pytest.fixture(autouse=True)
def _sockets_allowed() -> None:
    _allow_sockets()
