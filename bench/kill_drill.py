"""The kill drill: commands queued during a cloud outage, Home Assistant SIGKILLed, counted.

Everything runs as a home runs it, in separate processes on free ports of 127.0.0.1: the
SwitchBot simulator (`python -m roomsense_simulator`, a home of bulbs, ceiling lights,
curtains, Bots and plugs) and Home Assistant (`python -m homeassistant -c DIR`, a fresh
configuration folder, RoomSense added through its config flow). The drill talks to them only
through public APIs: `roomsense.send_command` over Home Assistant's REST API, results and
persistent notifications over its websocket API, the simulator's `/_sim/` admin API for the
outage (`{"outage": true}`: every API connection dropped) and for its call log, which is
where deliveries are counted.

After RoomSense is added, Home Assistant is stopped cleanly once (it writes its config
entries with a delay, which a kill right away would lose) and started again. Then two
rounds, each of N commands (idempotent ones, all different, and non-idempotent presses and
toggles, about a third; the first idempotent, since it is the one that finds the cloud
away), sent one at a time while the cloud is down:

  1. no kill: the cloud comes back, the queue drains. Figures: the latency of the service
     calls answered `queued` (client side, without the first call, which finds the outage),
     the drain start (from the cloud's return to the first queued command at the
     simulator) and the drain throughput (first to last arrival).
  2. kills: SIGKILL (Home Assistant's process group) right after the last command was
     queued; Home Assistant started again on the same folder, the cloud back; then SIGKILL
     again each time a quarter, a half and three quarters of the commands have arrived
     (the call log is read every 25 ms), started again each time, until the queue is done.
     Persistent notifications live in memory only: before each kill the drill waits until
     its websocket has read the ones the running process shows.

Then, per (device, command, parameter), what was issued against what arrived (HTTP 200)
and what Home Assistant reported (`roomsense_command_result`, notifications whose id
starts with `roomsense_outcome_unknown_`): refused (a service call that failed: target 0);
delivered once; twice (a non-idempotent command that arrived more often than it was issued:
target 0); re-sent (an idempotent one that did, allowed when it was in flight at a kill);
reported `outcome_unknown` (target: at most one per kill, non-idempotent only; it may have
arrived or not); reported failed; lost (neither arrived nor reported: target 0).

    scripts/python bench/kill_drill.py                 # N = 40 (CI), 1 to 1.5 minutes here
    scripts/python bench/kill_drill.py --long          # N = 1,000, 1 to 2 minutes
    scripts/python bench/kill_drill.py --commands 300 --json figures.json
    scripts/python bench/kill_drill.py --integration OTHER/custom_components/roomsense

Exit status 0 when every target of the counts is met, 1 when not, 2 when the drill could
not run. `--integration` runs another copy of RoomSense (say, an older commit's, from
`git archive`); the default is the working tree's.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import random
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from http import HTTPStatus
from pathlib import Path
from types import ModuleType
from typing import Any, Final

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _processes import (
    INTEGRATION,
    DrillError,
    HomeAssistantProcess,
    SimulatorProcess,
    Watch,
    free_port,
    prepare_config_dir,
    stop_all,
)

SMALL_N: Final = 40
LONG_N: Final = 1000
KILL_FRACTIONS: Final = (0.25, 0.5, 0.75)
LATENCY_TARGET_P95_MS: Final = 50.0
DRAIN_START_TARGET_S: Final = 10.0
THROUGHPUT_TARGET: Final = 50.0

POLL_FOR_KILL_S: Final = 0.025
POLL_S: Final = 0.2
# Three times the target by default; the queue before the write-ahead log retried with a
# backoff of up to 120 s (`--drain-timeout 150` to measure it).
DRAIN_START_TIMEOUT_S: Final = 30.0
# Nothing new arrived or was reported for this long: what is missing stays missing.
QUIET_TIMEOUT_S: Final = 20.0
# Once every command is accounted for, a re-sent duplicate still has this long to show up.
SETTLE_S: Final = 3.0

HUB_ID: Final = "DA0000000000"
type Key = tuple[str, str, str]
"""(device id, command, parameter): how a command is told apart at the simulator."""
NOTIFICATION_PREFIX: Final = "roomsense_outcome_unknown_"
_EVENT_FIELDS: Final = ("id", "device_id", "command", "parameter", "result", "error", "attempts")


# -- the home and the commands ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DrillDevice:
    device_id: str
    name: str
    device_type: str


def drill_home() -> tuple[dict[str, Any], list[DrillDevice]]:
    """The simulator's home for the drill, and its devices that take commands."""
    kinds = [
        ("Color Bulb", "Bulb", 6),
        ("Ceiling Light", "Ceiling", 3),
        ("Curtain", "Curtain", 4),
        ("Bot", "Bot", 8),
        ("Plug Mini (JP)", "Plug", 8),
    ]
    devices = [
        DrillDevice(f"D{kind_index:01X}{index:010X}", f"Drill {label} {index:02d}", device_type)
        for kind_index, (device_type, label, count) in enumerate(kinds, start=1)
        for index in range(1, count + 1)
    ]
    home = {
        "name": "kill drill",
        "description": "The devices bench/kill_drill.py sends commands to.",
        "devices": [
            {
                "deviceId": HUB_ID,
                "deviceName": "Drill Hub",
                "deviceType": "Hub 2",
                "hubDeviceId": "000000000000",
            },
            *(
                {
                    "deviceId": device.device_id,
                    "deviceName": device.name,
                    "deviceType": device.device_type,
                    "hubDeviceId": HUB_ID,
                    # Bots press (their turnOn/turnOff press too: not idempotent).
                    **(
                        {"status": {"deviceMode": "pressMode"}}
                        if device.device_type == "Bot"
                        else {}
                    ),
                }
                for device in devices
            ),
        ],
        "infraredRemotes": [],
        "scenes": [],
    }
    return home, devices


@dataclass(frozen=True, slots=True)
class DrillCommand:
    device_id: str
    device_name: str
    command: str
    parameter: str
    idempotent: bool

    @property
    def key(self) -> Key:
        return (self.device_id, self.command, self.parameter)

    def service_data(self) -> dict[str, str]:
        return {
            "device_id": self.device_id,
            "command": self.command,
            "parameter": self.parameter,
            "command_type": "command",
        }


def _candidates(devices: list[DrillDevice], rng: random.Random) -> tuple[list[Any], list[Any]]:
    """(idempotent, other) (device, command, parameter) triples; the idempotent ones differ."""
    idempotent: list[tuple[DrillDevice, str, str]] = []
    other: list[tuple[DrillDevice, str, str]] = []
    for device in devices:
        match device.device_type:
            case "Color Bulb" | "Ceiling Light":
                idempotent += [(device, "setBrightness", str(v)) for v in range(1, 101)]
                idempotent += [(device, "setColorTemperature", str(v)) for v in range(2700, 6501)]
                if device.device_type == "Color Bulb":
                    idempotent += [
                        (device, "setColor", f"{rng.randrange(256)}:{rng.randrange(256)}:{i}")
                        for i in range(256)
                    ]
                idempotent += [(device, "turnOn", "default"), (device, "turnOff", "default")]
                other.append((device, "toggle", "default"))
            case "Curtain":
                idempotent += [(device, "setPosition", f"0,ff,{v}") for v in range(101)]
            case "Bot":
                other += [
                    (device, command, "default") for command in ("press", "turnOn", "turnOff")
                ]
            case "Plug Mini (JP)":
                idempotent += [(device, "turnOn", "default"), (device, "turnOff", "default")]
                other.append((device, "toggle", "default"))
    return idempotent, other


def load_catalog(integration: Path) -> ModuleType:
    """The catalog package of the RoomSense under test (it imports nothing of Home Assistant)."""
    folder = integration / "catalog"
    spec = importlib.util.spec_from_file_location(
        "_drill_catalog", folder / "__init__.py", submodule_search_locations=[str(folder)]
    )
    if spec is None or spec.loader is None:
        raise DrillError(f"No RoomSense catalog in {folder}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def drill_commands(
    devices: list[DrillDevice], per_round: int, rounds: int, seed: int, catalog: ModuleType
) -> list[DrillCommand]:
    """`per_round` commands for each round, about a third not idempotent.

    The first of each round is idempotent: it is the one that finds the cloud away, and a
    command that may have reached a cloud that did not answer is not sent again unless it
    is idempotent. Idempotency is the catalog's (`is_idempotent`), as RoomSense decides it.
    """
    rng = random.Random(seed)
    idempotent, other = _candidates(devices, rng)
    rng.shuffle(idempotent)
    picked: list[tuple[DrillDevice, str, str]] = []
    for index in range(per_round * rounds):
        if index % per_round and rng.random() < 1 / 3:
            picked.append(rng.choice(other))
        else:
            picked.append(idempotent.pop())
    return [
        DrillCommand(
            device.device_id,
            device.name,
            command,
            parameter,
            bool(catalog.is_idempotent(device.device_type, command)),
        )
        for device, command, parameter in picked
    ]


# -- what happened ---------------------------------------------------------------------------


@dataclass
class Sent:
    command: DrillCommand
    status: int
    outcome: str | None
    latency_ms: float
    error: str | None = None


@dataclass
class Kill:
    point: str
    arrived: int
    at_s: float


@dataclass
class Round:
    name: str
    commands: list[DrillCommand]
    calls_from: int = 0
    # Where this round's reports start: the index of the first watch, the events and the
    # notifications that watch had before.
    watch_from: int = 0
    events_from: int = 0
    notes_before: frozenset[str] = frozenset()
    sent: list[Sent] = field(default_factory=list)
    kills: list[Kill] = field(default_factory=list)
    cloud_back_wall: float | None = None
    arrivals: list[dict[str, Any]] = field(default_factory=list)
    drain_start_s: float | None = None
    throughput: float | None = None
    frozen: tuple[list[dict[str, Any]], dict[str, Any]] | None = None
    stalled: bool = False

    def expected(self) -> Counter[Key]:
        """What should arrive once each: every command Home Assistant accepted."""
        return Counter(s.command.key for s in self.sent if s.status == HTTPStatus.OK)

    def arrived(self) -> Counter[Key]:
        return Counter(_call_key(call) for call in self.arrivals)

    def finish(self, watches: list[Watch]) -> None:
        """The round is over: what comes later (the next round's) is not its."""
        self.frozen = self._watched(watches)

    def _watched(self, watches: list[Watch]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """This round's events, and its notifications by id."""
        if self.frozen is not None:
            return self.frozen
        events: list[dict[str, Any]] = []
        notes: dict[str, dict[str, Any]] = {}
        for index, watch in enumerate(watches[self.watch_from :]):
            notes.update(watch.notifications)
            events += watch.events[self.events_from if index == 0 else 0 :]
        for notification_id in self.notes_before:
            notes.pop(notification_id, None)
        return events, notes

    def report_list(self, watches: list[Watch]) -> list[dict[str, Any]]:
        """What Home Assistant reported other than success: for the figures' reader."""
        events, notes = self._watched(watches)
        return [
            *(
                {"event": {k: event.get(k) for k in _EVENT_FIELDS}}
                for event in events
                if event.get("result") != "succeeded"
            ),
            *(
                {"notification": notification_id, "message": note.get("message")}
                for notification_id, note in notes.items()
                if notification_id.startswith(NOTIFICATION_PREFIX)
            ),
        ]

    def reports(
        self, watches: list[Watch], names: dict[str, str]
    ) -> tuple[Counter[Key], Counter[Key]]:
        """(outcome_unknown, failed) reports per key, from events and notifications."""
        unknown_events: Counter[Key] = Counter()
        failed: Counter[Key] = Counter()
        events, notes = self._watched(watches)
        for event in events:
            key = (
                str(event.get("device_id")),
                str(event.get("command")),
                _parameter(event.get("parameter")),
            )
            result = event.get("result")
            error = str(event.get("error") or "")
            # Today's queue reports a possibly-run command as failed, "outcome unknown".
            if result == "outcome_unknown" or error.startswith("outcome unknown"):
                unknown_events[key] += 1
            elif result != "succeeded":
                failed[key] += 1
        unknown_notes: Counter[Key] = Counter(
            _named_in(str(note.get("message", "")), names)
            for notification_id, note in notes.items()
            if notification_id.startswith(NOTIFICATION_PREFIX)
        )
        # The same report, seen as an event, a notification or both; one of each at most
        # per command (an event fired at start, before the websocket, is only a notification).
        unknown = Counter(
            {
                key: max(unknown_events[key], unknown_notes[key])
                for key in {*unknown_events, *unknown_notes}
            }
        )
        return unknown, failed


def _parameter(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _call_key(call: dict[str, Any]) -> Key:
    device_id = call["path"].split("/")[-2]
    body = call.get("body") or {}
    return (device_id, str(body.get("command")), _parameter(body.get("parameter")))


def _is_command_arrival(call: dict[str, Any]) -> bool:
    return (
        call.get("method") == "POST"
        and str(call.get("path", "")).endswith("/commands")
        and call.get("http_status") == 200
    )


_COMMANDS_RE: Final = re.compile(r"\b(press|toggle|turnOn|turnOff)\b")


def _named_in(message: str, devices: dict[str, str]) -> Key:
    """The (device, command, "default") a notification names; its non-idempotent command."""
    device_id = next((i for i, name in devices.items() if name in message), "?")
    command = match.group(1) if (match := _COMMANDS_RE.search(message)) else "?"
    return (device_id, command, "default")


@dataclass
class Counts:
    issued: int = 0
    accepted: int = 0
    refused: int = 0
    delivered_once: int = 0
    twice: int = 0
    resent_idempotent: int = 0
    outcome_unknown: int = 0
    outcome_unknown_idempotent: int = 0
    failed_reported: int = 0
    lost: int = 0
    kills: int = 0


def count(
    round_: Round, watches: list[Watch], names: dict[str, str], idempotent: dict[Key, bool]
) -> Counts:
    """Issued against arrived and reported, per (device, command, parameter)."""
    expected, arrived = round_.expected(), round_.arrived()
    unknown, failed = round_.reports(watches, names)
    counts = Counts(
        issued=len(round_.sent),
        accepted=sum(expected.values()),
        refused=sum(1 for s in round_.sent if s.status != HTTPStatus.OK),
        kills=len(round_.kills),
    )
    for key in {*expected, *arrived, *unknown, *failed}:
        issued, came = expected[key], arrived[key]
        counts.delivered_once += min(issued, came)
        if came > issued:
            if idempotent.get(key, False):
                counts.resent_idempotent += came - issued
            else:
                counts.twice += came - issued
        counts.outcome_unknown += unknown[key]
        if idempotent.get(key, False):
            counts.outcome_unknown_idempotent += unknown[key]
        counts.failed_reported += failed[key]
        missing = max(0, issued - came)
        counts.lost += max(0, missing - unknown[key] - failed[key])
    return counts


def meets_targets(counts: Counts) -> bool:
    """The drill's targets: nothing lost or twice, outcome_unknown rare and never idempotent."""
    return (
        counts.lost == 0
        and counts.twice == 0
        and counts.refused == 0
        and counts.outcome_unknown <= counts.kills
        and counts.outcome_unknown_idempotent == 0
    )


# -- the drill -------------------------------------------------------------------------------


class Drill:
    """One drill: a simulator, a Home Assistant, two rounds."""

    def __init__(self, args: argparse.Namespace, workdir: Path, hass_port: int) -> None:
        self.args = args
        self.workdir = workdir
        self.hass_port = hass_port
        home, self.devices = drill_home()
        self.home_file = workdir / "home.json"
        self.home_file.write_text(json.dumps(home, indent=1), encoding="utf-8")
        self.names = {device.device_id: device.name for device in self.devices}
        self.started = time.monotonic()

    def say(self, message: str) -> None:
        if not self.args.quiet:
            print(f"[{time.monotonic() - self.started:6.1f} s] {message}", flush=True)

    async def run(self) -> dict[str, Any]:
        async with aiohttp.ClientSession() as session:
            self.sim = SimulatorProcess(self.home_file, self.workdir / "simulator.log", session)
            self.hass = HomeAssistantProcess(self.workdir / "config", self.hass_port, session)
            try:
                return await self._run()
            finally:
                await self.hass.close()
                await stop_all(self.sim.process)

    async def _run(self) -> dict[str, Any]:
        args = self.args
        await self.sim.start()
        self.say(f"simulator at {self.sim.url}; Home Assistant at {self.hass.url}")
        await self.hass.start()
        await self.hass.provision(self.sim.url)
        # A home's entry has been there for long: a clean stop writes what Home Assistant
        # keeps with a delay (the entry, the token), which a kill right away would lose.
        await self.hass.stop()
        await self._restart()
        self.say("RoomSense is set up")

        catalog = load_catalog(args.integration)
        commands = drill_commands(self.devices, args.commands, 2, args.seed, catalog)
        idempotent = {c.key: c.idempotent for c in commands}
        baseline = Round("no kill", commands[: args.commands])
        killed = Round("kills", commands[args.commands :])
        await self._round_without_kill(baseline)
        await self._round_with_kills(killed)

        rounds = {}
        for round_ in (baseline, killed):
            counts = count(round_, self.hass.watches, self.names, idempotent)
            rounds[round_.name] = {
                "counts": asdict(counts),
                "meets_targets": meets_targets(counts),
                "drain_start_s": round_.drain_start_s,
                "throughput_per_s": round_.throughput,
                "drain_stalled": round_.stalled,
                "kills": [asdict(kill) for kill in round_.kills],
                "reports": round_.report_list(self.hass.watches),
                "refused": [
                    {**asdict(s.command), "status": s.status, "error": s.error}
                    for s in round_.sent
                    if s.status != HTTPStatus.OK
                ][:10],
            }
        # Without each round's first call: it is the one that finds the cloud away.
        timed = [
            (s.latency_ms, f"{round_.name} #{index}")
            for round_ in (baseline, killed)
            for index, s in enumerate(round_.sent)
            if index > 0 and s.outcome == "queued"
        ]
        latencies = [latency for latency, _ in timed]
        return {
            "commands_per_round": args.commands,
            "non_idempotent_per_round": [
                sum(1 for c in r.commands if not c.idempotent) for r in (baseline, killed)
            ],
            "latency_ms": {
                "count": len(latencies),
                "p50": _percentile(latencies, 0.5),
                "p95": _percentile(latencies, 0.95),
                "max": max(latencies, default=None),
                "slowest": [where for _, where in sorted(timed, reverse=True)[:5]],
                "first_calls": [r.sent[0].latency_ms for r in (baseline, killed) if r.sent],
            },
            "rounds": rounds,
            "duration_s": round(time.monotonic() - self.started, 1),
        }

    async def _restart(self) -> None:
        await self.hass.start()
        await self.hass.wait_until_running()
        await self.hass.wait_until_watched()

    async def _send_all(self, round_: Round) -> None:
        """Every command of the round, one at a time, as a user or an automation would."""
        for command in round_.commands:
            started = time.perf_counter()
            status, body = await self.hass.call_service(
                "roomsense", "send_command", command.service_data()
            )
            latency = (time.perf_counter() - started) * 1000
            outcome = error = None
            if status == HTTPStatus.OK and isinstance(body, dict):
                outcome = (body.get("service_response") or {}).get("outcome")
            else:
                error = str(body)[:200]
            round_.sent.append(Sent(command, status, outcome, latency, error))
        outcomes = Counter(s.outcome or f"HTTP {s.status}" for s in round_.sent)
        first = round_.sent[0]
        self.say(
            f"{len(round_.sent)} commands answered: {dict(outcomes)}; "
            f"the first in {first.latency_ms:.0f} ms"
        )

    async def _delivered(self, round_: Round) -> int:
        """How many of the round's commands arrived (at least once): the drain's progress."""
        calls = await self.sim.calls()
        round_.arrivals = [c for c in calls[round_.calls_from :] if _is_command_arrival(c)]
        expected, arrived = round_.expected(), round_.arrived()
        return sum(min(issued, arrived[key]) for key, issued in expected.items())

    async def _begin(self, round_: Round) -> None:
        round_.calls_from = len(await self.sim.calls())
        round_.watch_from = len(self.hass.watches) - 1
        round_.events_from = len(self.hass.watch.events)
        round_.notes_before = frozenset(self.hass.watch.notifications)
        await self.sim.cloud_down()
        self.say(f"round {round_.name!r}: the cloud is down; sending {len(round_.commands)}")
        await self._send_all(round_)

    async def _cloud_up(self, round_: Round) -> None:
        round_.cloud_back_wall = time.time()
        await self.sim.cloud_up()
        self.say("the cloud is back")

    def _drain_figures(self, round_: Round) -> None:
        # The simulator's clock (ms since the epoch) against ours: one machine.
        times = [call["time"] / 1000 for call in round_.arrivals]
        if times and round_.cloud_back_wall is not None:
            round_.drain_start_s = times[0] - round_.cloud_back_wall
        if len(times) > 1 and times[-1] > times[0]:
            round_.throughput = (len(times) - 1) / (times[-1] - times[0])

    async def _round_without_kill(self, round_: Round) -> None:
        await self._begin(round_)
        await self._cloud_up(round_)
        await self._wait_for_drain(round_)
        self._drain_figures(round_)

    async def _round_with_kills(self, round_: Round) -> None:
        await self._begin(round_)
        await self._kill(round_, "after queueing")
        await self._restart()
        await self._cloud_up(round_)
        total = len(round_.commands)
        for fraction in self.args.kill_at:
            point = max(1, int(fraction * total))
            if not await self._wait_for_arrivals(round_, point):
                self.say(f"the drain ended before {point} arrivals: no kill there")
                break
            # A notification shown at start is in memory only: read it before the kill.
            await self.hass.wait_until_watched()
            await self._kill(round_, f"{point} of {total} arrived")
            await self.hass.start()
        await self._wait_for_drain(round_)
        self._drain_figures(round_)
        # Throughput is the undisturbed round's.
        round_.throughput = None

    async def _kill(self, round_: Round, point: str) -> None:
        await self.hass.kill()
        delivered = await self._delivered(round_)
        round_.kills.append(Kill(point, delivered, round(time.monotonic() - self.started, 1)))
        self.say(f"SIGKILL ({point}; {delivered} had arrived)")

    def _accounted(self, round_: Round) -> bool:
        """Whether every accepted command arrived or was reported."""
        expected, arrived = round_.expected(), round_.arrived()
        unknown, failed = round_.reports(self.hass.watches, self.names)
        return all(
            arrived[key] + unknown[key] + failed[key] >= issued for key, issued in expected.items()
        )

    async def _wait_for_arrivals(self, round_: Round, point: int) -> bool:
        """Wait until `point` commands arrived; False when the drain was done before."""
        started = last_change = time.monotonic()
        last = -1
        while True:
            arrived = await self._delivered(round_)
            now = time.monotonic()
            # A kill after the last command arrived tests nothing: the drain was too quick.
            if self._accounted(round_) or self._stalled(round_, arrived, started, last_change):
                return False
            if arrived >= point:
                return True
            if arrived != last:
                last, last_change = arrived, now
            await asyncio.sleep(POLL_FOR_KILL_S)

    def _stalled(self, round_: Round, arrived: int, started: float, last_change: float) -> bool:
        """Whether the drain never started or stopped moving; the round then ends."""
        now = time.monotonic()
        if not arrived and now - started > self.args.drain_timeout:
            self.say(f"nothing arrived within {self.args.drain_timeout:.0f} s")
            round_.stalled = True
        elif arrived and now - last_change > QUIET_TIMEOUT_S:
            self.say(f"nothing moved for {QUIET_TIMEOUT_S:.0f} s: what is missing is lost")
            round_.stalled = True
        return round_.stalled

    async def _wait_for_drain(self, round_: Round) -> None:
        """Until every command is accounted for (and SETTLE_S more), or nothing moves."""
        started = last_change = time.monotonic()
        state = (-1, -1)
        settled_since: float | None = None
        while not round_.stalled:
            await self._delivered(round_)
            arrived = len(round_.arrivals)
            now = time.monotonic()
            reports = sum(len(w.events) + len(w.notifications) for w in self.hass.watches)
            if (arrived, reports) != state:
                state, last_change = (arrived, reports), now
            if self._accounted(round_):
                settled_since = settled_since or now
                if now - settled_since >= SETTLE_S:
                    break
            else:
                settled_since = None
                if self._stalled(round_, arrived, started, last_change):
                    break
            await asyncio.sleep(POLL_S)
        round_.finish(self.hass.watches)
        self.say(f"round {round_.name!r} done: {len(round_.arrivals)} arrivals")


def _percentile(samples: list[float], fraction: float) -> float | None:
    if not samples:
        return None
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


# -- the command line ------------------------------------------------------------------------


def _fractions(text: str) -> list[float]:
    values = [float(part) for part in text.split(",") if part.strip()]
    if not all(0 < value < 1 for value in values) or values != sorted(values):
        raise argparse.ArgumentTypeError("ascending fractions between 0 and 1, e.g. 0.25,0.5")
    return values


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/kill_drill.py",
        description="Queue commands during an outage, SIGKILL Home Assistant, count deliveries.",
    )
    parser.add_argument("--commands", type=int, default=SMALL_N, help=f"N per round ({SMALL_N})")
    parser.add_argument("--long", action="store_true", help=f"N = {LONG_N}")
    parser.add_argument(
        "--kill-at",
        type=_fractions,
        default=list(KILL_FRACTIONS),
        help="kill once these fractions of N arrived (default 0.25,0.5,0.75)",
    )
    parser.add_argument(
        "--drain-timeout",
        type=float,
        default=DRAIN_START_TIMEOUT_S,
        help=f"seconds to wait for the first delivery (default {DRAIN_START_TIMEOUT_S:.0f})",
    )
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument(
        "--integration",
        type=Path,
        default=INTEGRATION,
        help="the custom_components/roomsense folder to run (default: the working tree's)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--workdir", type=Path, help="keep the logs and the config folder here")
    parser.add_argument("--quiet", action="store_true", help="print only the figures")
    args = parser.parse_args(argv)
    if args.long:
        args.commands = LONG_N
    if args.commands < 4:
        parser.error("--commands must be 4 or more")
    return args


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} ms"


def _s(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} s"


def print_figures(figures: dict[str, Any]) -> None:
    latency = figures["latency_ms"]
    rounds = figures["rounds"]
    baseline, killed = rounds["no kill"], rounds["kills"]
    throughput = baseline["throughput_per_s"]
    print()
    print(
        f"Kill drill, {figures['commands_per_round']} commands per round "
        f"({'/'.join(map(str, figures['non_idempotent_per_round']))} not idempotent), "
        f"{figures['duration_s']:.0f} s"
    )
    print(
        f"  service call during the outage: p50 {_ms(latency['p50'])}, "
        f"p95 {_ms(latency['p95'])} (target <= {LATENCY_TARGET_P95_MS:.0f} ms), "
        f"max {_ms(latency['max'])}, {latency['count']} calls"
    )
    print(
        f"  drain start after the cloud is back: {_s(baseline['drain_start_s'])}; "
        f"after a restart during the outage: {_s(killed['drain_start_s'])} "
        f"(target <= {DRAIN_START_TARGET_S:.0f} s)"
    )
    print(
        f"  drain throughput: "
        f"{'-' if throughput is None else f'{throughput:.0f}'} commands/s "
        f"(target >= {THROUGHPUT_TARGET:.0f})"
    )
    header = (
        "round",
        "issued",
        "refused",
        "once",
        "unknown",
        "failed",
        "lost",
        "twice",
        "re-sent",
        "kills",
    )
    print("  " + " ".join(f"{h:>8}" for h in header))
    for name, result in rounds.items():
        c = result["counts"]
        row = (
            name,
            c["issued"],
            c["refused"],
            c["delivered_once"],
            c["outcome_unknown"],
            c["failed_reported"],
            c["lost"],
            c["twice"],
            c["resent_idempotent"],
            c["kills"],
        )
        print("  " + " ".join(f"{v:>8}" for v in row))
    for kill in killed["kills"]:
        print(f"  kill {kill['point']}: {kill['arrived']} had arrived")
    for name, result in rounds.items():
        for refused in result["refused"][:3]:
            print(
                f"  refused in {name!r}: {refused['device_name']} {refused['command']} "
                f"{refused['parameter']}: HTTP {refused['status']} {refused['error']}"
            )
    for name, result in rounds.items():
        for report in result["reports"][:5]:
            print(f"  reported in {name!r}: {json.dumps(report, ensure_ascii=False)[:300]}")
    print(
        "  targets: lost 0, twice 0 (not idempotent), refused 0, outcome_unknown <= kills "
        "and only for commands that are not idempotent"
    )
    verdict = all(result["meets_targets"] for result in rounds.values())
    print(f"  {'met' if verdict else 'NOT met'}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="roomsense-kill-drill-"))
    workdir.mkdir(parents=True, exist_ok=True)
    hass_port = free_port()
    try:
        # A short-lived core of its own writes the HTTP settings: before our event loop.
        prepare_config_dir(workdir / "config", hass_port, args.integration)
        drill = Drill(args, workdir, hass_port)
        figures = asyncio.run(drill.run())
    except (DrillError, OSError) as err:
        print(f"bench/kill_drill.py: the drill could not run: {err}", file=sys.stderr)
        print(f"Logs: {workdir}", file=sys.stderr)
        return 2
    figures["integration"] = str(args.integration)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    print_figures(figures)
    if args.workdir is None:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if all(r["meets_targets"] for r in figures["rounds"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
