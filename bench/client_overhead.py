"""Time per signed call of the SwitchBot Cloud client next to a bare aiohttp request.

Starts the simulator in its own process, then alternates two kinds of call to the same
endpoint, so both see the same server and the same machine load:
  - bare:   aiohttp GET /v1.1/scenes with headers signed before the clock starts;
  - client: SwitchBotCloudClient.get_scenes() (signing, envelope, models, counter).
Prints p50/p95 of each and the client's overhead.

    scripts/python bench/client_overhead.py [--calls 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from custom_components.roomsense.switchbot_cloud import (
    SwitchBotCloudClient,
    signed_headers,
)

TOKEN = "bench-token"
SECRET = "bench-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def measure(base_url: str, calls: int, warmup: int) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {"bare": [], "client": []}
    async with aiohttp.ClientSession() as session:
        client = SwitchBotCloudClient(TOKEN, SECRET, session, base_url=base_url)
        url = f"{base_url}/v1.1/scenes"
        # The cloud refuses a reused (t, nonce) pair, so every bare call gets its own.
        headers = [signed_headers(TOKEN, SECRET) for _ in range(calls + warmup)]
        for index in range(calls + warmup):
            start = time.perf_counter()
            async with session.get(url, headers=headers[index]) as response:
                await response.read()
                assert response.status == 200
            bare = time.perf_counter() - start

            start = time.perf_counter()
            await client.get_scenes()
            signed = time.perf_counter() - start
            if index >= warmup:
                timings["bare"].append(bare * 1000)
                timings["client"].append(signed * 1000)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=200)
    args = parser.parse_args()

    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable, "-m", "roomsense_simulator", "--host", "127.0.0.1",
            "--port", str(port), "--token", TOKEN, "--secret", SECRET,
            "--home", "demo", "--daily-limit", str(10 * (args.calls + args.warmup)),
            "--log-level", "WARNING",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        server.stdout.readline()  # the "listening" line
        timings = asyncio.run(measure(f"http://127.0.0.1:{port}", args.calls, args.warmup))
    finally:
        server.terminate()
        server.wait(timeout=10)

    print(f"client_overhead: {args.calls} calls each, GET /v1.1/scenes, simulator in a process")
    print(f"{'':8} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8}")
    for name, samples in timings.items():
        print(
            f"{name:8} {percentile(samples, 0.50):8.3f} {percentile(samples, 0.95):8.3f} "
            f"{statistics.fmean(samples):8.3f}"
        )
    overhead_p50 = percentile(timings["client"], 0.5) - percentile(timings["bare"], 0.5)
    overhead_p95 = percentile(timings["client"], 0.95) - percentile(timings["bare"], 0.95)
    verdict = "within" if overhead_p50 <= 0.5 else "OVER"
    print(
        f"overhead p50 {overhead_p50:+.3f} ms ({verdict} the 0.5 ms budget), "
        f"p95 {overhead_p95:+.3f} ms"
    )


if __name__ == "__main__":
    main()
