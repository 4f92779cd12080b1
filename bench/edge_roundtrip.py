"""Edge jobs through Home Assistant's real HTTP stack: round trip and sustained throughput.

Home Assistant (a real core from the test plugin, its `http` server on 127.0.0.1) runs
RoomSense; edge devices are registered through `POST /api/roomsense/edge/devices/register`.
The devices are a separate process (pinned to another CPU where the machine has two), each
device an aiohttp loop doing what the reference clients do: `GET jobs/next`, then
`POST jobs/result` with the payload echoed back.

  (a) round trip, long poll: one device waits in `jobs/next?wait=25`; a job is queued in
      Home Assistant (as `roomsense.edge_submit_job` and the agent do) and timed until its
      result is stored. Target: p95 under 50 ms.
  (b) the same with a device polling every 5 s without waiting, as the old Flask design
      did; jobs are queued at random moments of the poll cycle.
  (c) throughput: 10 devices long-polling; a batch of jobs is queued for them at once;
      jobs/s from the first queued job to the last result stored.

    scripts/python bench/edge_roundtrip.py [--jobs 500] [--poll-jobs 20]
        [--throughput-jobs 3000] [--clients 10]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
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
    home_assistant_with_roomsense,
    home_of,
    percentile,
    quiet_logging,
)
from homeassistant import const as ha_const
from homeassistant.auth.models import User

from custom_components.roomsense.edge import EdgeManager
from custom_components.roomsense.edge.models import JobStatus
from custom_components.roomsense.shared import get_shared
from roomsense_simulator import Simulator

ROUND_TRIP_TARGET_MS = 50.0
OLD_POLL_INTERVAL = 5.0


# --- the devices' process -----------------------------------------------------------------


async def device_loop(
    session: aiohttp.ClientSession, base: str, device: dict[str, str], wait: float, every: float
) -> None:
    """One device: fetch a job, echo its payload back as the result, forever."""
    headers = {"Authorization": f"Bearer {device['token']}"}
    next_url = f"{base}/devices/{device['device_id']}/jobs/next?wait={wait}"
    result_url = f"{base}/devices/{device['device_id']}/jobs/result"
    while True:
        async with session.get(next_url, headers=headers) as response:
            job = await response.json() if response.status == 200 else None
        if job is None:
            if every:
                await asyncio.sleep(every)
            continue
        body = {"job_id": job["job_id"], "status": "succeeded", "result": job["payload"]}
        async with session.post(result_url, json=body, headers=headers) as response:
            await response.read()


async def devices_main_async(plan: dict[str, Any]) -> None:
    if plan["cpu"] is not None:
        os.sched_setaffinity(0, {plan["cpu"]})
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=None)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        loops = [
            device_loop(session, plan["base"], device, plan["wait"], plan["every"])
            for device in plan["devices"]
        ]
        print("ready", flush=True)
        await asyncio.gather(*loops)


def devices_main() -> None:
    asyncio.run(devices_main_async(json.loads(sys.stdin.readline())))


# --- Home Assistant's side ----------------------------------------------------------------


class Devices:
    """The devices' process, started for one measurement and stopped after it."""

    def __init__(self, plan: dict[str, Any]) -> None:
        self.plan = plan
        self.process: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> Devices:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            "--devices",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(json.dumps(self.plan).encode() + b"\n")
        await self.process.stdin.drain()
        await self.process.stdout.readline()  # "ready"
        return self

    async def __aexit__(self, *_exc: object) -> None:
        assert self.process is not None
        self.process.kill()
        await self.process.wait()


async def register(session: aiohttp.ClientSession, base: str, name: str) -> dict[str, str]:
    body = {"name": name, "device_type": "raspberrypi4", "capabilities": ["sensor"]}
    async with session.post(f"{base}/devices/register", json=body) as response:
        response.raise_for_status()
        data = await response.json()
    return {"device_id": data["device_id"], "token": data["token"]}


async def wait_connected(manager: EdgeManager, device_ids: list[str]) -> None:
    while not all(manager.is_connected(device_id) for device_id in device_ids):  # noqa: ASYNC110
        await asyncio.sleep(0.05)


async def round_trips(
    manager: EdgeManager, device_id: str, count: int, spread: float = 0.0
) -> list[float]:
    """Milliseconds from queueing each job to its result being stored, one at a time."""
    samples = []
    for index in range(count):
        if spread:
            await asyncio.sleep(random.uniform(0, spread))
        started = time.monotonic()
        job = await manager.async_submit(device_id, command="sensor_read", payload=index)
        job = await manager.async_wait(job.job_id, 60)
        if job.status is not JobStatus.SUCCEEDED or job.result != index:
            raise RuntimeError(f"job {index} ended {job.status}: {job.result!r}")
        samples.append((time.monotonic() - started) * 1000)
    return samples


async def throughput(manager: EdgeManager, device_ids: list[str], total: int) -> dict[str, Any]:
    per_device = total // len(device_ids)
    started = time.monotonic()
    cpu_before = time.process_time()
    # Queued together, as by many callers at once: they share their writes.
    jobs = await asyncio.gather(
        *(
            manager.async_submit(device_id, command="sensor_read", payload=index)
            for index in range(per_device)
            for device_id in device_ids
        )
    )
    finished = await asyncio.gather(*(manager.async_wait(job.job_id, 300) for job in jobs))
    wall = time.monotonic() - started
    ok = sum(
        1
        for queued, job in zip(jobs, finished, strict=True)
        if job.status is JobStatus.SUCCEEDED and job.result == queued.payload
    )
    return {
        "jobs": len(jobs),
        "ok": ok,
        "wall": wall,
        "cpu": time.process_time() - cpu_before,
    }


def row(name: str, samples: list[float]) -> str:
    return (
        f"{name:34} {percentile(samples, 0.50):9.2f} {percentile(samples, 0.95):9.2f} "
        f"{max(samples):9.2f} {statistics.fmean(samples):9.2f}"
    )


async def measure(args: argparse.Namespace) -> None:
    cpus = sorted(os.sched_getaffinity(0))
    ha_cpu, devices_cpu = (cpus[0], cpus[1]) if len(cpus) >= 2 else (None, None)
    if ha_cpu is not None:
        os.sched_setaffinity(0, {ha_cpu})
    sim = Simulator(TOKEN, SECRET, home=home_of(["Hub Mini", "Meter"]))
    await sim.start(host="127.0.0.1", port=0)
    try:
        async with home_assistant_with_roomsense(sim, options={"max_completed_jobs": 10_000}) as (
            hass,
            _entry,
        ):
            manager = get_shared(hass).edge
            admin: User = await hass.auth.async_create_user("bench", group_ids=["system-admin"])
            refresh = await hass.auth.async_create_refresh_token(admin, "http://bench/")
            token = hass.auth.async_create_access_token(refresh)
            base = f"{hass.config.internal_url}/api/roomsense/edge"
            headers = {"Authorization": f"Bearer {token}"}
            async with aiohttp.ClientSession(headers=headers) as session:
                devices = [await register(session, base, f"Pi {n}") for n in range(args.clients)]
            ids = [device["device_id"] for device in devices]
            where = (
                f"Home Assistant pinned to CPU {ha_cpu}, devices to CPU {devices_cpu}"
                if ha_cpu is not None
                else "not pinned (one CPU)"
            )
            print(
                f"edge_roundtrip: HA {ha_const.__version__}, devices in a separate process; {where}"
            )
            print(f"{'':34} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9} {'mean ms':>9}")

            plan = {
                "base": base,
                "devices": devices[:1],
                "wait": 25,
                "every": 0,
                "cpu": devices_cpu,
            }
            async with Devices(plan):
                await wait_connected(manager, ids[:1])
                await round_trips(manager, ids[0], 50)  # warm-up
                long_poll = await round_trips(manager, ids[0], args.jobs)
            print(row(f"(a) long poll, {args.jobs} jobs", long_poll))

            plan = {**plan, "wait": 0, "every": OLD_POLL_INTERVAL}
            async with Devices(plan):
                await wait_connected(manager, ids[:1])
                polled = await round_trips(manager, ids[0], args.poll_jobs, OLD_POLL_INTERVAL)
            print(row(f"(b) polling every 5 s, {args.poll_jobs} jobs", polled))

            plan = {**plan, "devices": devices, "wait": 25, "every": 0}
            async with Devices(plan):
                await wait_connected(manager, ids)
                await throughput(manager, ids, 200)  # warm-up
                result = await throughput(manager, ids, args.throughput_jobs)
            rate = result["jobs"] / result["wall"]
            print(
                f"(c) {args.clients} long-polling devices: {result['jobs']} jobs, "
                f"{result['ok']} with the right result, {result['wall']:.2f} s, "
                f"{rate:.0f} jobs/s; HA CPU {result['cpu'] / result['jobs'] * 1e6:.0f} us/job"
            )
            p95 = percentile(long_poll, 0.95)
            verdict = "met" if p95 < ROUND_TRIP_TARGET_MS else "NOT met"
            print(
                f"target p95 round trip < {ROUND_TRIP_TARGET_MS:.0f} ms: {verdict} ({p95:.2f} ms)"
            )
            speedup = statistics.median(polled) / statistics.median(long_poll)
            print(f"long poll vs 5 s polling: {speedup:.0f}x faster at the median")
    finally:
        await sim.stop()


def main() -> None:
    if "--devices" in sys.argv[1:]:
        devices_main()
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=500, help="round trips with a long poll (a)")
    parser.add_argument("--poll-jobs", type=int, default=20, help="round trips, 5 s polling (b)")
    parser.add_argument("--throughput-jobs", type=int, default=3000, help="jobs in (c)")
    parser.add_argument("--clients", type=int, default=10, help="devices in (c)")
    args = parser.parse_args()
    quiet_logging()
    started = time.monotonic()
    asyncio.run(measure(args))
    print(f"took {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
