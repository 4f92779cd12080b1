"""The fuzzing harness: RoomSense set up against the simulator, a request runner with its checks.

Hypothesis draws batches of requests in a worker thread; each batch runs on Home
Assistant's loop (`drive`), so one hass instance serves a whole run while Hypothesis still
generates, and shrinks a failing batch. Every request is checked: no 5xx, no ERROR record
in the log, and a refused one (4xx) changed nothing a request could change (`Probe`).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import (
    ClientConnectionResetError,
    ClientOSError,
    ClientResponse,
    ClientResponseError,
    ServerDisconnectedError,
    hdrs,
)
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.test_utils import TestClient
from aiohttp.web import RequestPayloadError
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.json import json_bytes
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from custom_components.roomsense.const import DOMAIN
from custom_components.roomsense.shared import get_shared
from roomsense_simulator import Simulator

from ..conftest import home_with
from ..integration.conftest import (  # noqa: F401 - the integration tests' fixtures
    auto_enable_custom_integrations,
    config_entry,
    core_integrations,
    loopback_internal_url,
    setup_entry,
    unload_while_the_cloud_is_up,
)

# Where the figures of the last run are written (git-ignored).
FIGURES_DIR = Path(__file__).parents[2] / ".dev" / "fuzz"
# A request (or a service call) that takes longer than this hangs: a failure.
REQUEST_TIMEOUT = 20.0
# The status counted for a request whose connection the server closed without an answer.
CLOSED = 0
# The home's devices, as `home_with` numbers them.
PLUG, BULB, METER, LOCK = (f"{n:012d}" for n in range(1, 5))


@pytest.fixture
def home() -> dict[str, Any]:
    """A small home: a plug, a bulb, a meter and a lock behind one hub."""
    return home_with("Plug Mini (US)", "Color Bulb", "Meter", "Smart Lock")


class RuleBrokenError(AssertionError):
    """A request broke a rule: a 5xx, an ERROR in the log, a refusal that changed state."""


@dataclass(frozen=True, slots=True)
class Sent:
    """What one request was, in words a failure report can show."""

    entry: str
    method: str
    path: str
    query: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    chunked: bool = False
    label: str = ""

    def describe(self) -> str:
        body = self.body if len(self.body) <= 300 else self.body[:300] + b"..."
        return (
            f"{self.entry}: {self.method} {self.path} query={list(self.query)} "
            f"headers={dict(self.headers)} chunked={self.chunked} body[{len(self.body)}]={body!r}"
            f" ({self.label})"
        )


@dataclass
class Tally:
    """The figures of a run: requests tried per entry, their statuses, the failures."""

    requests: Counter[str] = field(default_factory=Counter)
    statuses: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    server_errors: int = 0
    unhandled: int = 0
    refusals_checked: int = 0
    # Requests aiohttp's HTTP parser answered 400 itself, before any view ran.
    parser_refusals: int = 0

    @property
    def total(self) -> int:
        return sum(self.requests.values())

    def summary(self) -> dict[str, Any]:
        return {
            "requests": dict(self.requests),
            "total": self.total,
            "statuses": {entry: dict(sorted(c.items())) for entry, c in self.statuses.items()},
            "5xx": self.server_errors,
            "unhandled_exceptions": self.unhandled,
            "refusals_checked_for_state": self.refusals_checked,
            "refused_by_aiohttp_parser": self.parser_refusals,
        }

    def write(self, name: str) -> str:
        """Write the figures under .dev/fuzz/ and return the one-line summary."""
        FIGURES_DIR.mkdir(parents=True, exist_ok=True)
        summary = self.summary()
        (FIGURES_DIR / f"{name}.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
        per_entry = ", ".join(f"{entry} {count}" for entry, count in sorted(self.requests.items()))
        return (
            f"fuzz {name}: {self.total} requests ({per_entry}); 5xx {self.server_errors}; "
            f"unhandled exceptions {self.unhandled}; refusals checked for state "
            f"{self.refusals_checked}"
        )


def _follows_the_clock(unique_id: str) -> bool:
    """An entity whose state moves without any request.

    An edge device's connectivity (from when it was last seen), and the cloud call counters:
    a webhook event for a device the account does not list yet makes the account be read
    again, in the background, after its answer went out.
    """
    return unique_id.endswith(("_connectivity", "_api_calls_today", "_api_calls_remaining"))


class Probe:
    """What a request could change, read cheaply enough to compare around each request.

    The roomsense entities' states and devices, the automation rules and their history, the
    learning store, the edge devices and jobs (what their stores save), and the commands
    and scenes the simulated cloud carried out. An edge device's `last_seen` (and its
    connectivity entity) is left out: it follows the clock, and a device that speaks with
    its own token was seen, whatever it asked; so are the cloud call counters.
    """

    def __init__(self, hass: HomeAssistant, simulator: Simulator) -> None:
        self.hass = hass
        self.simulator = simulator
        self._calls_read = 0
        self._cloud_changes = 0

    def _cloud_effects(self) -> int:
        calls = self.simulator.calls
        for call in calls[self._calls_read :]:
            if call["method"] != "GET" and call.get("status_code") == 100:
                self._cloud_changes += 1
        self._calls_read = len(calls)
        return self._cloud_changes

    def snapshot(self) -> dict[str, Any]:
        hass = self.hass
        shared = get_shared(hass)
        states = {}
        for entity in er.async_get(hass).entities.values():
            if entity.platform == DOMAIN and not _follows_the_clock(entity.unique_id):
                state = hass.states.get(entity.entity_id)
                states[entity.entity_id] = (
                    None if state is None else (state.state, dict(state.attributes))
                )
        devices = sorted(
            (device.id, device.name, device.name_by_user)
            for device in dr.async_get(hass).devices
            if any(domain == DOMAIN for domain, _ in device.identifiers)
        )
        engine, learning, edge = shared.automation, shared.learning, shared.edge
        return {
            "states": states,
            "devices": devices,
            "rules": json_bytes([engine.rules, engine.history, engine.slots, engine.pending]),
            "learning": json_bytes(
                [
                    learning.operations,
                    learning.scenes,
                    learning.offered,
                    sorted(learning.decided),
                    learning.approved,
                    learning.rejected,
                ]
            ),
            "edge devices": json_bytes(
                [
                    {k: v for k, v in vars(d).items() if k not in ("last_seen", "poll_window")}
                    for d in edge.devices.values()
                ]
            ),
            "edge jobs": json_bytes([job.public() for job in edge.jobs.values()]),
            "cloud effects": self._cloud_effects(),
        }


def changed_parts(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What differs between two snapshots, for the failure report."""
    parts = []
    for key, value in before.items():
        if after[key] == value:
            continue
        if key == "states":
            moved = [
                entity
                for entity in {*value, *after[key]}
                if value.get(entity) != after[key].get(entity)
            ]
            parts.append(f"states of {sorted(moved)}")
        else:
            parts.append(key)
    return parts


def refused_by_the_parser(record: logging.LogRecord) -> bool:
    """aiohttp's own refusal of a body it cannot parse, logged at ERROR by aiohttp itself.

    Either before any view runs (a 400 for, say, `Content-Encoding: br` without Brotli), or
    when aiohttp drains what a view left unread after the answer went out (a ping with a
    gzip body that is not gzip). A view that fails on such a body is a 500: caught apart.
    """
    if record.name != "aiohttp.server":
        return False
    error = record.exc_info[1] if record.exc_info else None
    if isinstance(error, HttpProcessingError):
        return True
    return isinstance(error, RequestPayloadError) and record.getMessage() == "Unhandled exception"


class Runner:
    """Sends requests to Home Assistant's HTTP app and checks each one."""

    def __init__(
        self,
        hass: HomeAssistant,
        client: TestClient | None,
        probe: Probe,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        self.hass = hass
        self.client = client
        self.probe = probe
        self.caplog = caplog
        self.tally = Tally()

    def errors_since(self, mark: int) -> list[logging.LogRecord]:
        errors = []
        for record in self.caplog.records[mark:]:
            if record.levelno < logging.ERROR:
                continue
            if refused_by_the_parser(record):
                self.tally.parser_refusals += 1
                continue
            errors.append(record)
        return errors

    async def send(self, sent: Sent) -> int:
        """Send one request and check it; RuleBrokenError when it broke a rule."""
        before = self.probe.snapshot()
        mark = len(self.caplog.records)
        status = await self._request(sent)
        self.tally.requests[sent.entry] += 1
        self.tally.statuses[sent.entry][status] += 1
        # Whatever the request started gets its turn before the log is read; what a
        # success set off settles first, so it is not blamed on the next request.
        await asyncio.sleep(0)
        if status < 400:
            await self.hass.async_block_till_done()
        errors = self.errors_since(mark)
        self.check(sent.describe(), status, errors, before)
        return status

    def check(
        self,
        what: str,
        status: int,
        errors: list[logging.LogRecord],
        before: dict[str, Any],
    ) -> None:
        """The rules: no 5xx, no ERROR record, a refusal changes nothing."""
        problems = []
        if status >= 500:
            self.tally.server_errors += 1
            problems.append(f"answered {status}")
        if errors:
            self.tally.unhandled += 1
            problems.append(
                "logged " + "; ".join(f"{r.name}: {r.getMessage()[:300]}" for r in errors)
            )
        if status == CLOSED or 400 <= status < 500:
            self.tally.refusals_checked += 1
            if changed := changed_parts(before, self.probe.snapshot()):
                problems.append(f"refused with {status} but changed {', '.join(changed)}")
        if problems:
            raise RuleBrokenError(f"{what}: {'; '.join(problems)}")

    async def _request(self, sent: Sent) -> int:
        data: Any = sent.body
        if sent.chunked:
            data = _chunks(sent.body)
        elif not sent.body:
            data = None
        assert self.client is not None, "a runner for service calls sends no requests"
        async with asyncio.timeout(REQUEST_TIMEOUT):
            try:
                response = await self.client.request(
                    sent.method,
                    sent.path,
                    params=list(sent.query) or None,
                    headers=dict(sent.headers),
                    data=data,
                    allow_redirects=False,
                    # The body goes as given: never a Content-Type the client would add.
                    skip_auto_headers=[hdrs.CONTENT_TYPE],
                )
                try:
                    await _read(response)
                finally:
                    response.close()
            except (ServerDisconnectedError, ClientOSError, ClientResponseError):
                # aiohttp's parser refused the message: it closed the connection while the
                # body was still going, or its 400 came out garbled (the test client's parser
                # rejects the text it writes after `Connection: close`).
                return CLOSED
            except AttributeError as err:
                # The test client's own race when the server answers and closes while it
                # still sends a body: its response reader finds the connection gone.
                if "'NoneType' object has no attribute 'read'" not in str(err):
                    raise
                return CLOSED
        return response.status


async def _chunks(body: bytes) -> AsyncIterator[bytes]:
    """The body in chunks of uneven sizes (a chunked transfer)."""
    size, start = 1, 0
    while start < len(body):
        yield body[start : start + size]
        start += size
        size = size * 3 + 1


async def _read(response: ClientResponse) -> None:
    """Read the answer; of an event stream only its opening (it never ends)."""
    if response.content_type == "text/event-stream":
        await response.content.readline()
        return
    await response.read()


def fuzz_settings(examples: int, *, long: bool) -> settings:
    """Hypothesis' settings: deterministic in CI, no example database in the repository."""
    return settings(
        max_examples=examples,
        database=None,
        derandomize=not long,
        deadline=None,
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )


async def drive[T](
    hass: HomeAssistant,
    strategy: st.SearchStrategy[T],
    run: Callable[[T], Awaitable[None]],
    the_settings: settings,
) -> None:
    """Let Hypothesis draw examples in a worker thread and run each on hass' loop.

    The test's own coroutine waits in an executor job meanwhile, so the loop keeps serving
    the requests; a failing example is shrunk the same way.
    """
    loop = hass.loop
    previous = loop.get_exception_handler()

    def handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        # The same race leaves the test client's body writer failing in its own task.
        if isinstance(context.get("exception"), ClientConnectionResetError):
            return
        if previous is not None:
            previous(loop, context)
        else:
            loop.default_exception_handler(context)

    @the_settings
    @given(strategy)
    def fuzz(example: T) -> None:
        asyncio.run_coroutine_threadsafe(run(example), loop).result(timeout=600)

    loop.set_exception_handler(handler)
    try:
        await loop.run_in_executor(None, fuzz)
    finally:
        loop.set_exception_handler(previous)
