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
        [--bluetooth-share 0.5 [--bluetooth-pick random|poll-only-first|push-first|all]
         [--advertise-every 60]]

With `--no-push-url` the home has no address SwitchBot can reach (no Home Assistant Cloud,
no public external URL): nothing is registered and every device is polled within the
budget; every change then counts as a poll-only one.

With `--bluetooth-share S` (the 50-device home only) the home's device ids are Bluetooth
addresses (`C0FFEE0000NN`), Home Assistant's `bluetooth` integration is set up before
RoomSense (a mock adapter whose scanner never starts, as the test plugin's
`enable_bluetooth`), and the day runs once with no device in Bluetooth range, then once per
pick with the share S of the devices that have a Bluetooth model (`catalog.bluetooth_model`)
in range: a `SimulatedBleProxy` with a `BleDevice` per such device, its advertised state
taken from the cloud simulator's status. Every device in range advertises every
`--advertise-every` s of Home Assistant time, and at once after an injected change (the
change is mirrored into its advertised state where the product advertises that field).
Which devices are in range: `random` (seeded), `poll-only-first` (the devices that do not
push, polled every few minutes, first) or `push-first`; `all` runs the three. RoomSense
reads "heard recently" (15 min) on the real monotonic clock, which this bench does not move:
the periodic advertisements keep it true, as they would in a real day.
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

from custom_components.roomsense.catalog import bluetooth_model
from custom_components.roomsense.coordinator import (
    POLL_TICK,
    SAFETY_POLL_INTERVAL,
    RoomSenseCoordinator,
)
from custom_components.roomsense.push import device_pushes
from roomsense_simulator import Simulator
from roomsense_simulator.ble import BleDevice, LockState, SimulatedBleProxy
from roomsense_simulator.ble.model import PRODUCTS

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
# The target with half of the devices that have a Bluetooth model in range.
BLUETOOTH_TODAY = 1600
BLUETOOTH_TARGET = 0.25

# The simulated Bluetooth product of each Open API type of the 50-device home.
BLE_PRODUCT = {
    "Hub 2": "hub2", "Meter": "meter", "MeterPlus": "meter_plus",
    "MeterPro(CO2)": "meter_pro_co2", "WoIOSensor": "outdoor_meter",
    "Motion Sensor": "motion_sensor", "Contact Sensor": "contact_sensor",
    "Water Detector": "leak_detector", "Color Bulb": "color_bulb", "Strip Light": "light_strip",
    "Ceiling Light": "ceiling_light", "Curtain": "curtain", "Smart Lock Pro": "lock_pro",
    "Bot": "bot", "Plug Mini (JP)": "plug_mini_jp", "Humidifier": "humidifier",
    "Blind Tilt": "blind_tilt",
}  # fmt: skip
BLE_KEY = {"key_id": "a1", "encryption_key": "0123456789abcdef0123456789abcdef"}
# Open API status field -> (advertised field, conversion), where the product advertises it.
BLE_FIELDS: dict[str, tuple[str, Any]] = {
    "temperature": ("temperature", float),
    "humidity": ("humidity", int),
    "CO2": ("co2", int),
    "battery": ("battery", int),
    "power": ("isOn", lambda v: v == "on"),
    "brightness": ("brightness", int),
    "openState": ("contact_open", lambda v: v == "open"),
    "moveDetected": ("motion_detected", bool),
    "status": ("leak", bool),
    "lockState": ("status", lambda v: LockState.LOCKED if v == "lock" else LockState.UNLOCKED),
    "slidePosition": ("position", int),
}


def _tilt(status: dict[str, Any]) -> int:
    """A Blind Tilt's advertised tilt (0 closed down, 50 open, 100 closed up) of its status."""
    half = int(status["slidePosition"]) // 2
    return half if status.get("direction", "down") == "down" else 100 - half


def advertised(product: str, status: dict[str, Any]) -> dict[str, Any]:
    """The advertised fields of `product` that these Open API status fields set."""
    fields = PRODUCTS[product].state_defaults
    state: dict[str, Any] = {}
    if "tilt" in fields and isinstance(status.get("slidePosition"), int):
        # The blind advertises one tilt where the Open API has a position and a direction.
        state["tilt"] = _tilt(status)
    for name, value in status.items():
        if name not in BLE_FIELDS or value is None or isinstance(value, dict | list):
            continue
        target, convert = BLE_FIELDS[name]
        if target not in fields or (isinstance(value, str) and convert in (int, float)):
            continue
        try:
            state[target] = convert(value)
        except (TypeError, ValueError):
            continue
    return state


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

    def __init__(
        self,
        name: str,
        home: str | dict[str, Any],
        args: argparse.Namespace,
        in_range: list[str] | None = None,
    ) -> None:
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
        # Bluetooth: None (not set up), else the device ids in range of the proxy.
        self.in_range = in_range
        self.proxy: SimulatedBleProxy | None = None
        self.advertisements = 0

    async def _start_radio(self, hass: Any, sim: Simulator) -> Any:
        """The proxy and the devices in its range, heard once before RoomSense starts."""
        devices = []
        for device_id in self.in_range or []:
            sim_device = sim.state.devices[device_id]
            product = BLE_PRODUCT[sim_device.device_type]
            spec = PRODUCTS[product]
            key = BLE_KEY if spec.encrypted else {}
            state = advertised(product, sim_device.status)
            devices.append(
                BleDevice(address(device_id), spec.model, product=product, state=state, **key)
            )
        proxy = SimulatedBleProxy(hass, devices)
        unregister = proxy.async_start()
        proxy.advertise_all()
        self.proxy = proxy

        async def stop() -> None:
            await proxy.async_disconnect()
            unregister()
            await hass.async_block_till_done(wait_background_tasks=True)

        return stop

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
                bluetooth = self.in_range is not None

                async def before(hass: Any) -> Any:
                    return await self._start_radio(hass, sim) if self.in_range else None

                async with (
                    home_assistant_with_roomsense(
                        sim, bluetooth=bluetooth, before_roomsense=before
                    ) as (hass, entry),
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
            if self.proxy is not None and tick_at % self.args.advertise_every < tick:
                self.advertisements += self.proxy.advertise_all()
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
        if self.proxy is not None and device_id in (self.in_range or []):
            # A device in range advertises a change as it happens (where it advertises it).
            ble = self.proxy[address(device_id)]
            product = ble.product or ""
            # The whole status: a Blind Tilt's tilt needs its direction too.
            status = {**sim.state.devices[device_id].status, track.field: value}
            if state := advertised(product, status):
                ble.set_state(**state)
                self.proxy.advertise(ble.address)

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
        local = set(self.in_range or [])
        return {
            **facts,
            "calls": len(self.day_calls) * scale,
            "reads": len(reads) * scale,
            "reads_push": sum(device_of(c) in push for c in reads) * scale,
            "reads_poll": sum(device_of(c) in poll_only for c in reads) * scale,
            "reads_empty": sum(device_of(c) not in facts["with_status"] for c in reads) * scale,
            "other": (len(self.day_calls) - len(reads)) * scale,
            "refused": sum(c["status_code"] != 100 for c in self.day_calls),
            # A body with ids alone holds nothing to go stale, so such devices are not read;
            # nor are devices in Bluetooth range (their advertisements, every minute, stand in:
            # the staleness figures measure them).
            "gap_poll": gaps((set(poll_only) & set(facts["with_status"])) - local),
            "gap_push": gaps((set(push) & set(facts["with_status"])) - local),
            "stale_push": staleness(True),
            "stale_poll": staleness(False),
            "setup_calls": self.setup_calls,
            "in_range": list(self.in_range or []),
            "unseen_in_range": sorted(
                f"{c.device_id}.{self.tracks[c.device_id].field}"
                for c in self.changes
                if c.staleness is None and c.device_id in (self.in_range or [])
            ),
            "advertisements": self.advertisements,
        }


def address(device_id: str) -> str:
    return ":".join(device_id[i : i + 2] for i in range(0, 12, 2))


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


def bluetooth_picks(
    home: dict[str, Any], share: float, pick: str, seed: int
) -> tuple[list[str], list[str]]:
    """(The devices with a Bluetooth model, the share of them in range by `pick`)."""
    types = {d["deviceId"]: d["deviceType"] for d in home["devices"]}
    eligible = [device_id for device_id, t in types.items() if bluetooth_model(t) is not None]
    count = round(share * len(eligible))
    if pick == "random":
        chosen = set(random.Random(seed).sample(eligible, count))
        return eligible, [d for d in eligible if d in chosen]
    # Stable sort: the home's order within each group.
    first_push = pick == "push-first"
    ordered = sorted(eligible, key=lambda d: device_pushes(types[d]) is not first_push)
    return eligible, ordered[:count]


def report_bluetooth(
    home: dict[str, Any], eligible: list[str], runs: list[tuple[str, dict[str, Any]]]
) -> None:
    """Cloud calls a day with and without devices in Bluetooth range, side by side."""
    types = {d["deviceId"]: d["deviceType"] for d in home["devices"]}
    without = runs[0][1]["calls"]
    print(
        f"bluetooth: {len(eligible)} of {len(types)} devices have a Bluetooth model; "
        f"today's figure {BLUETOOTH_TODAY} calls/day, target <= "
        f"{BLUETOOTH_TARGET:.0%} of it ({BLUETOOTH_TODAY * BLUETOOTH_TARGET:.0f}) "
        "with half in range"
    )
    print(f"  {'in range':32} {'calls/day':>10} {'vs without':>11} {'vs 1,600':>9}  target")
    for label, result in runs:
        calls = result["calls"]
        ok = calls <= BLUETOOTH_TODAY * BLUETOOTH_TARGET
        print(
            f"  {label:32} {calls:10.0f} {calls / without:11.0%} "
            f"{calls / BLUETOOTH_TODAY:9.0%}  {'met' if ok else 'NOT met'}"
        )
    for label, result in runs[1:]:
        in_range = result["in_range"]
        groups: dict[str, int] = {}
        for device_id in in_range:
            kind = "push" if device_pushes(types[device_id]) else "poll-only"
            key = f"{types[device_id]} ({kind})"
            groups[key] = groups.get(key, 0) + 1
        listed = ", ".join(f"{n} {t}" for t, n in groups.items())
        print(
            f"  {label}: {len(in_range)} in range "
            f"({result['advertisements']} advertisements): {listed}"
        )
        print(f"    ids: {' '.join(in_range)}")
        unseen: dict[str, int] = {}
        for item in result["unseen_in_range"]:
            device_id, name = item.split(".")
            key = f"{types[device_id]} {name}"
            unseen[key] = unseen.get(key, 0) + 1
        if unseen:
            print(
                "    changes never seen on devices in range (a field the advertisement does not "
                "carry, and the cloud no longer polled): "
                + ", ".join(f"{n} x {k}" for k, n in unseen.items())
            )
    poll_reads = [
        device_id for device_id in types
        if not device_pushes(types[device_id]) and device_id in runs[0][1]["with_status"]
    ]  # fmt: skip
    local = [d for d in poll_reads if d in eligible]
    print(
        f"  the calls are the poll-only devices' reads: {len(poll_reads)} devices read, "
        f"{len(local)} of them with a Bluetooth model "
        f"({', '.join(sorted({types[d] for d in local})) or 'none'}); not local: "
        f"{', '.join(sorted({types[d] for d in poll_reads if d not in eligible}))}"
    )


async def measure_bluetooth(args: argparse.Namespace) -> None:
    home = home_of([*FIFTY_PUSH, *FIFTY_POLL_ONLY], remotes=FIFTY_REMOTES, mac_ids=True)
    picks = (
        ["random", "poll-only-first", "push-first"]
        if args.bluetooth_pick == "all"
        else [args.bluetooth_pick]
    )
    print(
        f"polling_day (Bluetooth): {args.hours:g} h of Home Assistant time, 50-device home, "
        f"{args.bluetooth_share:.0%} of its Bluetooth-capable devices in range, advertising "
        f"every {args.advertise_every:g} s (seed {args.seed})"
    )
    runs: list[tuple[str, dict[str, Any]]] = []
    eligible: list[str] = []
    for label, pick in [("none", None), *((p, p) for p in picks)]:
        in_range: list[str] = []
        if pick is not None:
            eligible, in_range = bluetooth_picks(home, args.bluetooth_share, pick, args.seed)
        started = time.monotonic()
        result = await Day(f"50 devices, in range: {label}", home, args, in_range).run()
        report(f"50 devices, Bluetooth in range: {label}", result, args)
        print(f"  ({time.monotonic() - started:.0f} s)")
        runs.append((label, result))
    report_bluetooth(home, eligible, runs)


async def measure(args: argparse.Namespace) -> None:
    if args.bluetooth_share is not None:
        await measure_bluetooth(args)
        return
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
    parser.add_argument(
        "--bluetooth-share",
        type=float,
        help="share of the 50-device home's Bluetooth-capable devices in range (e.g. 0.5)",
    )
    parser.add_argument(
        "--bluetooth-pick",
        choices=["random", "poll-only-first", "push-first", "all"],
        default="all",
        help="which devices are in range",
    )
    parser.add_argument(
        "--advertise-every", type=float, default=60.0, help="Home Assistant seconds"
    )
    args = parser.parse_args()
    quiet_logging()
    started = time.monotonic()
    asyncio.run(measure(args))
    print(f"took {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
