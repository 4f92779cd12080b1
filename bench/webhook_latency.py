"""SwitchBot webhook push through Home Assistant's real HTTP stack: latency and throughput.

Home Assistant (a real core from the test plugin, its `http` server on 127.0.0.1) runs
RoomSense against the simulator, with a home of Meters, and the webhook RoomSense
registered. A sender then POSTs `changeReport` events (reference §7) for the Meters'
temperature straight to that webhook URL, each with a new `timeOfSample` and a new value.

By default the sender is a separate process (its own core where the machine has two:
Home Assistant is pinned to one CPU, the sender to another), so Home Assistant's event
loop only does Home Assistant's work; `--same-process` runs it in Home Assistant's loop.
Times are CLOCK_MONOTONIC (`time.monotonic()`), the same clock in both processes.

  (a) latency: events one at a time; "POST -> state" is from just before the POST is sent
      to the `state_changed` event of the temperature sensor in `hass.states` (RoomSense
      writes the state while it handles the request, before answering), "round trip" until
      the sender has read the answer. Targets: p95 under 20 ms.
  (b) throughput: a fixed number of events over several Meters with N requests in flight
      (each Meter's events in order, one in flight per Meter); events/s from the first POST
      to the last answer, then a check that every event became a state. Target: 500/s.

    scripts/python bench/webhook_latency.py [--events 2000] [--concurrency 8,16,32]
        [--throughput-events 15000] [--same-process]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import (
    SECRET,
    TOKEN,
    entity_id,
    home_assistant_with_roomsense,
    home_of,
    percentile,
    quiet_logging,
)
from homeassistant import const as ha_const
from homeassistant.core import Event, EventStateChangedData, callback
from homeassistant.helpers.event import async_track_state_change_event

from roomsense_simulator import Simulator

LATENCY_TARGET_MS = 20.0
THROUGHPUT_TARGET = 500.0


def temperature(index: int) -> float:
    """The temperature of a Meter's `index`-th event: never the same twice in a row.

    Two decimals, so no value equals the simulator's 22.3 starting temperature.
    """
    return round(10.01 + (index % 1000) * 0.02, 2)


def change_report(device_id: str, index: int, sample_base: int) -> bytes:
    """One Meter `changeReport` as SwitchBot sends it (reference §7)."""
    event = {
        "eventType": "changeReport",
        "eventVersion": "1",
        "context": {
            "deviceType": "WoMeter",
            "deviceMac": device_id,
            "temperature": temperature(index),
            "scale": "CELSIUS",
            "humidity": 50,
            "battery": 100,
            "timeOfSample": sample_base + index,
        },
    }
    return json.dumps(event).encode()


# --- the sender: runs in its own process (or in Home Assistant's loop) --------------------


async def send(plan: dict[str, Any]) -> dict[str, Any]:
    """POST the planned events; returns per-device (index, sent, answered, result) lists.

    `plan`: url, workers (one list of device ids per worker, sent in turn, one request in
    flight per worker), first (the first event index of each device), count (events per
    device), sample_base.
    """
    url: str = plan["url"]
    workers: list[list[str]] = plan["workers"]
    first: dict[str, int] = plan["first"]
    count: int = plan["count"]
    sample_base: int = plan["sample_base"]
    headers = {"Content-Type": "application/json"}
    records: dict[str, list[tuple[int, float, float, str]]] = {}
    # Bodies are built before the clock starts: the cloud has its event ready to send.
    bodies = {
        device_id: [
            change_report(device_id, first[device_id] + k, sample_base) for k in range(count)
        ]
        for devices in workers
        for device_id in devices
    }
    connector = aiohttp.TCPConnector(limit=len(workers))
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker(devices: list[str]) -> None:
            for k in range(count):
                for device_id in devices:
                    sent = time.monotonic()
                    async with session.post(url, data=bodies[device_id][k], headers=headers) as r:
                        answer = await r.read()
                    answered = time.monotonic()
                    result = json.loads(answer).get("result", "?") if r.status == 200 else "?"
                    records.setdefault(device_id, []).append(
                        (first[device_id] + k, sent, answered, str(result))
                    )

        await asyncio.gather(*(worker(devices) for devices in workers))
    return {"records": records}


def sender_main() -> None:
    """`--sender`: read a plan on stdin, send it, write the records on stdout."""
    plan = json.loads(sys.stdin.read())
    if plan.get("cpu") is not None:
        os.sched_setaffinity(0, {plan["cpu"]})
    print(json.dumps(asyncio.run(send(plan))))


# --- Home Assistant's side ----------------------------------------------------------------


class Bench:
    """Home Assistant with RoomSense, the Meters' sensors, and the arrivals of their states."""

    def __init__(self, hass: Any, url: str, devices: list[str], sender_cpu: int | None) -> None:
        self.hass = hass
        self.url = url
        self.devices = devices
        self.sender_cpu = sender_cpu
        self.same_process = False
        self.next_index = dict.fromkeys(devices, 0)
        self.sample_base = int(time.time() * 1000)
        self.entity_of = {
            device_id: entity_id(hass, "sensor", f"{device_id}_temperature")
            for device_id in devices
        }
        self.device_of = {entity: device_id for device_id, entity in self.entity_of.items()}
        self.arrivals: dict[str, list[tuple[float, str]]] = {d: [] for d in devices}
        async_track_state_change_event(hass, list(self.entity_of.values()), self._arrived)

    @callback
    def _arrived(self, event: Event[EventStateChangedData]) -> None:
        new_state = event.data["new_state"]
        device_id = self.device_of[event.data["entity_id"]]
        self.arrivals[device_id].append((time.monotonic(), new_state.state if new_state else ""))

    async def run(self, workers: list[list[str]], count: int) -> dict[str, Any]:
        """Send `count` events per device of `workers`; match them with their states."""
        devices = [device_id for group in workers for device_id in group]
        seen_before = {device_id: len(self.arrivals[device_id]) for device_id in devices}
        plan = {
            "url": self.url,
            "workers": workers,
            "first": {device_id: self.next_index[device_id] for device_id in devices},
            "count": count,
            "sample_base": self.sample_base,
            "cpu": self.sender_cpu,
        }
        for device_id in devices:
            self.next_index[device_id] += count
        cpu_before = time.process_time()
        if self.same_process:
            records = (await send(plan))["records"]
        else:
            records = (await self._send_in_a_process(plan))["records"]
        await self.hass.async_block_till_done()
        result = self._match(records, seen_before)
        # CPU of this process (Home Assistant, the idle simulator, and the sender when it
        # runs here); includes the sender process's start-up wait, which costs no CPU.
        result["cpu"] = time.process_time() - cpu_before
        return result

    async def _send_in_a_process(self, plan: dict[str, Any]) -> dict[str, Any]:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            "--sender",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        out, _ = await process.communicate(json.dumps(plan).encode())
        if process.returncode != 0:
            raise RuntimeError(f"the sender failed with status {process.returncode}")
        return dict(json.loads(out))

    def _match(
        self, records: dict[str, list[list[Any]]], seen_before: dict[str, int]
    ) -> dict[str, Any]:
        to_state: list[float] = []
        round_trip: list[float] = []
        applied = wrong = missing = 0
        first_sent = min(record[1] for rows in records.values() for record in rows)
        last_answer = max(record[2] for rows in records.values() for record in rows)
        last_state = first_sent
        for device_id, rows in records.items():
            arrivals = self.arrivals[device_id][seen_before[device_id] :]
            missing += max(0, len(rows) - len(arrivals))
            for (index, sent, answered, result), (arrived, state) in zip(
                rows, arrivals, strict=False
            ):
                applied += result == "applied"
                if abs(float(state) - temperature(index)) > 1e-6:
                    wrong += 1
                    continue
                to_state.append((arrived - sent) * 1000)
                round_trip.append((answered - sent) * 1000)
                last_state = max(last_state, arrived)
        return {
            "events": sum(len(rows) for rows in records.values()),
            "applied": applied,
            "wrong": wrong,
            "missing": missing,
            "to_state": to_state,
            "round_trip": round_trip,
            "wall": last_answer - first_sent,
            "wall_to_last_state": last_state - first_sent,
        }


def row(name: str, samples: list[float]) -> str:
    return (
        f"{name:22} {percentile(samples, 0.50):8.2f} {percentile(samples, 0.95):8.2f} "
        f"{percentile(samples, 0.99):8.2f} {max(samples):8.2f} {statistics.fmean(samples):8.2f}"
    )


async def measure(args: argparse.Namespace) -> None:
    concurrencies = [int(value) for value in args.concurrency.split(",")]
    meters = max(*concurrencies, args.devices)
    cpus = sorted(os.sched_getaffinity(0))
    ha_cpu, sender_cpu = (cpus[0], cpus[1]) if len(cpus) >= 2 and not args.no_pin else (None, None)
    if ha_cpu is not None and not args.same_process:
        os.sched_setaffinity(0, {ha_cpu})

    sim = Simulator(TOKEN, SECRET, home=home_of(["Hub Mini", *["Meter"] * meters]))
    await sim.start(host="127.0.0.1", port=0)
    try:
        async with home_assistant_with_roomsense(sim) as (hass, entry):
            url = entry.runtime_data.webhook_url
            if url is None:
                raise RuntimeError("RoomSense registered no webhook")
            devices = [f"{index:012d}" for index in range(1, meters + 1)]
            bench = Bench(hass, url, devices, sender_cpu)
            bench.same_process = args.same_process
            report_header(args, bench, ha_cpu, len(cpus), hass)

            await bench.run([devices[:1]], args.warmup)  # warm-up, not reported
            latency = await bench.run([devices[:1]], args.events)
            report_latency(args, latency)

            throughputs: list[tuple[int, dict[str, Any]]] = []
            for concurrency in concurrencies:
                per_device = max(1, args.throughput_events // concurrency)
                result = await bench.run([[d] for d in devices[:concurrency]], per_device)
                throughputs.append((concurrency, result))
            report_throughput(args, latency, throughputs)
    finally:
        await sim.stop()


def report_header(
    args: argparse.Namespace, bench: Bench, ha_cpu: int | None, cpu_count: int, hass: Any
) -> None:
    print(f"webhook_latency: changeReport POST -> sensor state, HA {ha_const.__version__}")
    print(f"  webhook: {bench.url.split('/api/')[0]}/api/webhook/<RoomSense id> (HA http stack)")
    if args.same_process:
        print("  sender: aiohttp in Home Assistant's own event loop (one process, one core)")
    else:
        where = (
            f"Home Assistant + simulator pinned to CPU {ha_cpu}, sender to CPU {bench.sender_cpu}"
            if ha_cpu is not None
            else f"not pinned ({cpu_count} CPU)"
        )
        print(f"  sender: aiohttp in a separate process, keep-alive connections; {where}")


def report_latency(args: argparse.Namespace, latency: dict[str, Any]) -> None:
    print(
        f"(a) sequential: {latency['events']} events to one Meter after {args.warmup} "
        f"warm-up, one in flight; applied {latency['applied']}, state wrong {latency['wrong']}, "
        f"missing {latency['missing']}"
    )
    print(f"{'':22} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'mean ms':>8}")
    print(row("POST -> state written", latency["to_state"]))
    print(row("POST -> answer read", latency["round_trip"]))


def report_throughput(
    args: argparse.Namespace, latency: dict[str, Any], throughputs: list[tuple[int, dict[str, Any]]]
) -> None:
    print(
        f"(b) throughput: about {args.throughput_events} events per run, "
        "one Meter per request in flight"
    )
    print(
        f"{'in flight':>9} {'events':>7} {'wall s':>7} {'events/s':>9} {'applied':>8} "
        f"{'states ok':>9} {'p50 ms':>7} {'p95 ms':>7} {'HA cpu/ev':>9} {'HA cpu':>6}"
    )
    best = 0.0
    best_at = 0
    for concurrency, result in throughputs:
        rate = result["events"] / result["wall"]
        complete = result["missing"] == 0 and result["wrong"] == 0
        states_ok = len(result["to_state"])
        if complete and rate > best:
            best, best_at = rate, concurrency
        print(
            f"{concurrency:9d} {result['events']:7d} {result['wall']:7.2f} {rate:9.0f} "
            f"{result['applied']:8d} {states_ok:9d} {percentile(result['to_state'], 0.5):7.2f} "
            f"{percentile(result['to_state'], 0.95):7.2f} "
            f"{result['cpu'] / result['events'] * 1e6:7.0f}us {result['cpu'] / result['wall']:6.0%}"
        )
    p95 = percentile(latency["to_state"], 0.95)
    verdict = "met" if p95 < LATENCY_TARGET_MS else "NOT met"
    print(f"target p95 POST -> state < {LATENCY_TARGET_MS:.0f} ms: {verdict} ({p95:.2f} ms)")
    verdict = "met" if best >= THROUGHPUT_TARGET else "NOT met"
    core = "one core" if not args.same_process else "one core, sender included"
    print(
        f"target >= {THROUGHPUT_TARGET:.0f} events/s on {core}: {verdict} "
        f"(best {best:.0f} events/s with {best_at} in flight, every state arrived)"
    )
    cpu_per_event = min(result["cpu"] / result["events"] for _, result in throughputs)
    print(
        f"  CPU of the Home Assistant process{' (sender included)' if args.same_process else ''}: "
        f"{cpu_per_event * 1e6:.0f} us per event at best, "
        f"so one fully busy core would take about {1 / cpu_per_event:.0f} events/s"
    )


def main() -> None:
    if "--sender" in sys.argv[1:]:
        sender_main()
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000, help="sequential events (a)")
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--concurrency", default="8,16,32", help="requests in flight (b)")
    parser.add_argument("--throughput-events", type=int, default=15000, help="events per run (b)")
    parser.add_argument("--devices", type=int, default=8, help="Meters in the home (at least)")
    parser.add_argument("--same-process", action="store_true", help="sender in HA's loop")
    parser.add_argument("--no-pin", action="store_true", help="do not pin processes to CPUs")
    args = parser.parse_args()
    quiet_logging()
    started = time.monotonic()
    asyncio.run(measure(args))
    print(f"took {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
