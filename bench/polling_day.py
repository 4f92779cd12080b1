"""A simulated 24 hours of RoomSense with webhook push: cloud calls and staleness.

For the simulator's demo home and for a 50-device home (40 devices that push per
`push.py`, 10 that do not, two infrared remotes), Home Assistant (a real core, its HTTP
server on 127.0.0.1, RoomSense's webhook registered with the simulator) runs for 24 hours
of Home Assistant time. Time moves in steps of the coordinator's POLL_TICK (15 s) with
`async_fire_time_changed`, as Home Assistant's tests do. Only Home Assistant's clock
(`homeassistant.util.dt.utcnow`, which the coordinator reads) is moved: `time.time()` stays
real, so request signatures and the simulator's 5-minute `t` window keep working, and the
whole simulated day falls in the simulator's current quota day.

During the day physical changes are injected at random times (Poisson, seeded) through the
simulator's `POST /_sim/devices/{id}/event`: push devices send their webhook at once
(delivered, then Home Assistant settles, before the clock moves on), poll-only devices
change silently until RoomSense reads them. A change is "seen" when RoomSense stores a
state of the device holding the new value (the device's entities are written in that same
callback). Staleness of a change: Home Assistant time from the change to that moment; where
that is 0 (a push, handled while the clock stands still) it is the real time from the
admin request to the state instead. A change overwritten before it was seen counts as seen
when the later one is. Calls are the simulator's record of /v1.1 requests during the day
(setup calls are shown apart).

The comparison is Home Assistant's core `switchbot_cloud` as of 2025.4: one status read per
device every 600 s and no push, computed, not run: devices with a status body x 86400/600
calls a day, up to 600 s stale.

    scripts/python bench/polling_day.py [--hours 24] [--seed 1] [--push-every 180]
        [--poll-only-every 120] [--home demo|fifty|both] [--no-push-url]

With `--no-push-url` the home has no address SwitchBot can reach (no Home Assistant Cloud,
no public external URL): nothing is registered and every device is polled within the
budget; every change then counts as a poll-only one.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from unittest.mock import patch

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import SECRET, TOKEN, home_assistant_with_roomsense, home_of, quiet_logging
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.roomsense.coordinator import (
    POLL_TICK,
    SAFETY_POLL_INTERVAL,
    RoomSenseCoordinator,
)
from custom_components.roomsense.push import device_pushes
from roomsense_simulator import Simulator

CORE_INTERVAL = 600.0
CALLS_TARGET = 3000
PUSH_STALE_TARGET = 5.0
POLL_STALE_TARGET = 600.0

# The 50-device home: 40 types that push, 10 that do not (push.py), two IR remotes.
FIFTY_PUSH = (
    ["Hub 2"] * 2 + ["Meter"] * 6 + ["MeterPlus"] * 2 + ["MeterPro(CO2)"] * 2
    + ["WoIOSensor"] * 2 + ["Motion Sensor"] * 4 + ["Contact Sensor"] * 4
    + ["Water Detector"] * 2 + ["Color Bulb"] * 3 + ["Strip Light"] * 2 + ["Ceiling Light"]
    + ["Curtain"] * 2 + ["Smart Lock Pro"] + ["Bot"] * 2 + ["Plug Mini (JP)"] * 2
    + ["Robot Vacuum Cleaner S10", "Circulator Fan", "Humidifier2"]
)  # fmt: skip
FIFTY_POLL_ONLY = ["Hub Mini"] + ["Plug"] * 3 + ["Blind Tilt"] * 3 + ["Humidifier"] * 3
FIFTY_REMOTES = ["Air Conditioner", "TV"]

# Status fields a physical change may move, most telling first: (values to cycle through,
# the webhook field that carries it). A numeric range never repeats a value soon after.
CHANGES: dict[str, tuple[list[Any], tuple[str, ...]]] = {
    "temperature": ([round(10.0 + 0.1 * n, 1) for n in range(200)], ("temperature",)),
    "CO2": (list(range(400, 1400, 5)), ("CO2",)),
    "openState": (["open", "close"], ("openState",)),
    "moveDetected": ([True, False], ("detectionState",)),
    "status": ([1, 0], ("detectionState",)),
    "lockState": (["unlock", "lock"], ("lockState",)),
    "slidePosition": (list(range(0, 101, 2)), ("slidePosition",)),
    "brightness": (list(range(1, 101)), ("brightness",)),
    "fanSpeed": (list(range(1, 101)), ("fanSpeed",)),
    "power": (["on", "off"], ("power", "powerState")),
    "humidity": (list(range(20, 80)), ("humidity",)),
    "battery": (list(range(30, 100)), ("battery",)),
}


class HomeAssistantClock:
    """What `dt_util.utcnow` answers: real time until frozen, then wherever it is moved."""

    def __init__(self) -> None:
        self._real = dt_util.utcnow
        self.frozen: datetime | None = None

    def utcnow(self) -> datetime:
        return self.frozen if self.frozen is not None else self._real()

    def real_utcnow(self) -> datetime:
        return self._real()


@dataclass
class Change:
    """One injected physical change and when Home Assistant first had it."""

    device_id: str
    pushes: bool
    value: Any
    at: float  # Home Assistant seconds since the day started
    real_at: float  # time.monotonic()
    staleness: float | None = None


@dataclass
class DeviceTrack:
    field: str
    values: list[Any]
    next_value: int = 0
    pending: list[Change] = field(default_factory=list)


def change_field(status: dict[str, Any], webhook_fields: set[str] | None) -> str | None:
    """The status field to move on this device; for a pushing one, a field it pushes."""
    for name, (values, carried_by) in CHANGES.items():
        if name not in status:
            continue
        current = status[name]
        if isinstance(values[0], bool | str):
            if current not in values:
                continue
        elif isinstance(current, bool) or not isinstance(current, int | float):
            continue
        if webhook_fields is not None and not set(carried_by) & webhook_fields:
            continue
        return name
    return None


class Day:
    """One simulated day of one home."""

    def __init__(self, name: str, home: str | dict[str, Any], args: argparse.Namespace) -> None:
        self.name = name
        self.home = home
        self.args = args
        self.rng = random.Random(args.seed)
        self.clock = HomeAssistantClock()
        self.start: datetime | None = None
        self.now = 0.0  # seconds since the day started
        self.tracks: dict[str, DeviceTrack] = {}
        self.changes: list[Change] = []
        self.status_reads: dict[str, list[float]] = {}
        self.day_calls: list[dict[str, Any]] = []
        self.setup_calls = 0
        self._push_ids: set[str] = set()

    async def run(self) -> dict[str, Any]:
        sim = Simulator(TOKEN, SECRET, home=self.home)
        await sim.start(host="127.0.0.1", port=0)
        # A home SwitchBot cannot push to: its cloud is on the internet (unlike the local
        # simulator), and Home Assistant has only its internal URL.
        unreachable = patch(
            "custom_components.roomsense.webhook.cloud_is_local",
            return_value=not self.args.no_push_url,
        )
        try:
            with patch.object(dt_util, "utcnow", self.clock.utcnow), unreachable:
                async with (
                    home_assistant_with_roomsense(sim) as (hass, entry),
                    aiohttp.ClientSession() as admin,
                ):
                    if (entry.runtime_data.webhook_url is None) is not self.args.no_push_url:
                        raise RuntimeError(f"webhook: {entry.runtime_data.webhook_url}")
                    coordinator = entry.runtime_data.coordinator
                    self.setup_calls = len(sim.calls)
                    self._track_devices(sim, coordinator)
                    facts = self._facts(sim, coordinator)
                    await self._live_the_day(hass, sim, admin, facts["poll_interval"])
                    return self._summary(facts)
        finally:
            await sim.stop()

    def _track_devices(self, sim: Simulator, coordinator: RoomSenseCoordinator) -> None:
        self._push_ids = {
            device_id
            for device_id, device in coordinator.devices.items()
            if coordinator.push_active and device_pushes(device.device_type)
        }
        for device_id in coordinator.devices:
            sim_device = sim.state.devices[device_id]
            pushes = device_id in self._push_ids
            webhook = sim_device.spec.webhook
            fields = set(webhook.fields) if webhook else set()
            name = change_field(sim_device.status, fields if pushes else None)
            if name is None:
                continue
            values = CHANGES[name][0]
            current = sim_device.status[name]
            track = DeviceTrack(name, values, values.index(current) + 1 if current in values else 0)
            self.tracks[device_id] = track

            def stored(device_id: str = device_id) -> None:
                self._stored(coordinator, device_id)

            coordinator.async_add_device_listener(device_id, stored)

    def _stored(self, coordinator: RoomSenseCoordinator, device_id: str) -> None:
        """RoomSense stored a state of the device: which pending changes does it hold?"""
        track = self.tracks[device_id]
        value = coordinator.data[device_id].status.raw.get(track.field)
        matched = [n for n, change in enumerate(track.pending) if change.value == value]
        if not matched:
            return
        real_now = time.monotonic()
        for change in track.pending[: matched[-1] + 1]:
            elapsed = self.now - change.at
            change.staleness = elapsed if elapsed > 0 else real_now - change.real_at
        del track.pending[: matched[-1] + 1]

    def _facts(self, sim: Simulator, coordinator: RoomSenseCoordinator) -> dict[str, Any]:
        physical = list(coordinator.devices.values())
        push = [d.device_id for d in physical if d.device_id in self._push_ids]
        poll_only = [d.device_id for d in physical if d.device_id not in self._push_ids]
        with_status = [
            device_id
            for device_id in coordinator.devices
            if sim.state.devices[device_id].spec.status
        ]
        return {
            "devices": len(physical),
            "remotes": len(coordinator.device_list.infrared_remotes),
            "push": push,
            "poll_only": poll_only,
            "with_status": with_status,
            "poll_interval": coordinator.poll_interval(),
        }

    def _schedule(self, seconds: float) -> list[tuple[float, str]]:
        """When which device changes: two Poisson streams, push and poll-only devices."""
        schedule: list[tuple[float, str]] = []
        streams = [
            ([d for d in self.tracks if self._pushes(d)], self.args.push_every),
            ([d for d in self.tracks if not self._pushes(d)], self.args.poll_only_every),
        ]
        for devices, mean in streams:
            at = 0.0
            while devices:
                at += self.rng.expovariate(1 / mean)
                if at >= seconds:
                    break
                schedule.append((at, self.rng.choice(devices)))
        return sorted(schedule)

    def _pushes(self, device_id: str) -> bool:
        return device_id in self._push_ids

    async def _live_the_day(
        self, hass: Any, sim: Simulator, admin: aiohttp.ClientSession, poll_interval: float
    ) -> None:
        seconds = self.args.hours * 3600
        schedule = self._schedule(seconds)
        tick = POLL_TICK.total_seconds()
        self.start = self.clock.real_utcnow()
        self.clock.frozen = self.start
        seen_calls = len(sim.calls)
        steps = int(seconds // tick)
        started = time.monotonic()
        for step in range(1, steps + 1):
            tick_at = step * tick
            while schedule and schedule[0][0] <= tick_at:
                at, device_id = schedule.pop(0)
                self._move_to(at)
                await self._inject(sim, admin, device_id)
                # The cloud pushes at once: delivered and handled before time moves on.
                await sim.flush_webhooks()
                await hass.async_block_till_done()
            self._move_to(tick_at)
            async_fire_time_changed(hass, self.clock.frozen)
            await hass.async_block_till_done(wait_background_tasks=True)
            for call in sim.calls[seen_calls:]:
                self.day_calls.append(call)
                if call["method"] == "GET" and call["path"].endswith("/status"):
                    device_id = call["path"].split("/")[-2]
                    self.status_reads.setdefault(device_id, []).append(self.now)
            seen_calls = len(sim.calls)
            if step % int(6 * 3600 // tick) == 0:
                print(
                    f"  {self.name}: {tick_at / 3600:4.0f} h simulated "
                    f"({time.monotonic() - started:.0f} s)",
                    flush=True,
                )
        # Changes of the day's last minutes: let the clock run on (no new changes, calls
        # not counted) until RoomSense has read them, for at most one more poll interval.
        drain_until = seconds + poll_interval + 2 * tick
        while self.now < drain_until and any(t.pending for t in self.tracks.values()):
            self._move_to(self.now + tick)
            async_fire_time_changed(hass, self.clock.frozen)
            await hass.async_block_till_done(wait_background_tasks=True)
        self.clock.frozen = None

    def _move_to(self, at: float) -> None:
        assert self.start is not None
        self.now = at
        self.clock.frozen = self.start + timedelta(seconds=at)

    async def _inject(self, sim: Simulator, admin: aiohttp.ClientSession, device_id: str) -> None:
        track = self.tracks[device_id]
        value = track.values[track.next_value % len(track.values)]
        track.next_value += 1
        change = Change(device_id, self._pushes(device_id), value, self.now, time.monotonic())
        track.pending.append(change)
        self.changes.append(change)
        url = f"{sim.base_url}/_sim/devices/{device_id}/event"
        async with admin.post(url, json={"status": {track.field: value}}) as response:
            if response.status != 200:
                raise RuntimeError(f"event refused: {response.status} {await response.text()}")

    def _summary(self, facts: dict[str, Any]) -> dict[str, Any]:
        seconds = self.args.hours * 3600
        push, poll_only = set(facts["push"]), set(facts["poll_only"])
        reads = [
            c for c in self.day_calls if c["method"] == "GET" and c["path"].endswith("/status")
        ]

        def device_of(call: dict[str, Any]) -> str:
            return str(call["path"].split("/")[-2])

        def gaps(devices: set[str]) -> float:
            """The longest Home Assistant time between two reads of one of these devices."""
            longest = 0.0
            for device_id in devices:
                times = [0.0, *self.status_reads.get(device_id, []), seconds]
                longest = max([longest, *(b - a for a, b in itertools.pairwise(times))])
            return longest

        def staleness(pushes: bool) -> dict[str, Any]:
            changes = [c for c in self.changes if c.pushes is pushes]
            seen = [c.staleness for c in changes if c.staleness is not None]
            return {
                "changes": len(changes),
                "devices": len({c.device_id for c in changes}),
                "unseen": len(changes) - len(seen),
                "worst": max(seen) if seen else None,
                "p95": sorted(seen)[int(0.95 * len(seen))] if seen else None,
                "mean": statistics.fmean(seen) if seen else None,
            }

        scale = 86400 / seconds
        return {
            **facts,
            "calls": len(self.day_calls) * scale,
            "reads": len(reads) * scale,
            "reads_push": sum(device_of(c) in push for c in reads) * scale,
            "reads_poll": sum(device_of(c) in poll_only for c in reads) * scale,
            "reads_empty": sum(device_of(c) not in facts["with_status"] for c in reads) * scale,
            "other": (len(self.day_calls) - len(reads)) * scale,
            "refused": sum(c["status_code"] != 100 for c in self.day_calls),
            # A body with ids alone holds nothing to go stale, so such devices are not read.
            "gap_poll": gaps(set(poll_only) & set(facts["with_status"])),
            "gap_push": gaps(set(push) & set(facts["with_status"])),
            "stale_push": staleness(True),
            "stale_poll": staleness(False),
            "setup_calls": self.setup_calls,
        }


def seconds_text(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.0f} s"


def report(name: str, result: dict[str, Any], args: argparse.Namespace) -> None:
    push, poll = result["stale_push"], result["stale_poll"]
    core_calls = len(result["with_status"]) * 86400 / CORE_INTERVAL
    print(
        f"home {name}: {result['devices']} devices ({len(result['push'])} push, "
        f"{len(result['poll_only'])} poll-only, {result['devices'] - len(result['with_status'])} "
        f"of them without a status body), {result['remotes']} IR remotes"
    )
    print(
        f"  RoomSense: poll-only every {result['poll_interval']:.0f} s, push devices every "
        f"{SAFETY_POLL_INTERVAL:.0f} s; {result['setup_calls']} calls at setup (not counted)"
    )
    print(
        f"  injected: {push['changes']} changes on {push['devices']} push devices, "
        f"{poll['changes']} on {poll['devices']} poll-only devices"
    )

    def line(label: str, ours: str, core: str = "") -> None:
        print(f"  {label:36} {ours:>14} {core:>12}")

    core_stale = seconds_text(CORE_INTERVAL)
    line("per 24 h", "RoomSense", "core 600 s")
    line("cloud calls", f"{result['calls']:.0f}", f"{core_calls:.0f}")
    line("  status reads", f"{result['reads']:.0f}", f"{core_calls:.0f}")
    line("    of push devices", f"{result['reads_push']:.0f}")
    line("    of poll-only devices", f"{result['reads_poll']:.0f}")
    line("      (without a status body)", f"{result['reads_empty']:.0f}", "0")
    line("  other calls", f"{result['other']:.0f}", "0")
    line("  refused (statusCode != 100)", f"{result['refused']}")
    line("push: worst staleness", seconds_text(push["worst"]), core_stale)
    line("push: p95 / mean", f"{seconds_text(push['p95'])} / {seconds_text(push['mean'])}")
    line("push: changes never seen", f"{push['unseen']}")
    line("poll-only: worst staleness", seconds_text(poll["worst"]), core_stale)
    line("poll-only: p95 / mean", f"{seconds_text(poll['p95'])} / {seconds_text(poll['mean'])}")
    line("poll-only: changes never seen", f"{poll['unseen']}")
    line("poll-only: longest gap between reads", seconds_text(result["gap_poll"]), core_stale)
    line("push: longest gap between reads", seconds_text(result["gap_push"]), core_stale)

    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    if result["devices"] >= 50:
        print(
            f"  target <= {CALLS_TARGET} calls/day for {result['devices']} devices: "
            f"{verdict(result['calls'] <= CALLS_TARGET)} ({result['calls']:.0f})"
        )
    worst_push = push["worst"] if push["unseen"] == 0 else float("inf")
    print(
        f"  target push devices stale <= {PUSH_STALE_TARGET:.0f} s: "
        f"{verdict(worst_push is not None and worst_push <= PUSH_STALE_TARGET)} "
        f"(worst {seconds_text(push['worst'])}, {push['unseen']} never seen)"
    )
    bound = max(poll["worst"] or 0.0, result["gap_poll"])
    print(
        f"  target poll-only devices stale <= {POLL_STALE_TARGET / 60:.0f} min: "
        f"{verdict(poll['unseen'] == 0 and bound <= POLL_STALE_TARGET)} (worst measured "
        f"{seconds_text(poll['worst'])}, longest gap between reads "
        f"{seconds_text(result['gap_poll'])})"
    )


async def measure(args: argparse.Namespace) -> None:
    homes: list[tuple[str, str | dict[str, Any]]] = []
    if args.home in ("demo", "both"):
        homes.append(("demo", "demo"))
    if args.home in ("fifty", "both"):
        fifty = home_of([*FIFTY_PUSH, *FIFTY_POLL_ONLY], remotes=FIFTY_REMOTES)
        homes.append(("50 devices", fifty))
    print(
        f"polling_day: {args.hours:g} h of Home Assistant time per home in {POLL_TICK.seconds} s "
        f"ticks; changes: a push device every {args.push_every:g} s, a poll-only device every "
        f"{args.poll_only_every:g} s on average (seed {args.seed})"
    )
    for name, home in homes:
        started = time.monotonic()
        result = await Day(name, home, args).run()
        report(name, result, args)
        print(f"  ({time.monotonic() - started:.0f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=24.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--push-every", type=float, default=180.0, help="mean seconds")
    parser.add_argument("--poll-only-every", type=float, default=120.0, help="mean seconds")
    parser.add_argument("--home", choices=["demo", "fifty", "both"], default="both")
    parser.add_argument(
        "--no-push-url",
        action="store_true",
        help="a home with no URL SwitchBot can reach: every device is polled",
    )
    args = parser.parse_args()
    quiet_logging()
    started = time.monotonic()
    asyncio.run(measure(args))
    print(f"took {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
