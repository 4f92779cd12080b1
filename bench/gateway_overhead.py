"""What the command gateway costs a command, next to the bare client call.

RoomSense runs in a real Home Assistant core against the simulator (in this process, so
both paths share the same loop and machine load). Three kinds of command to one plug are
interleaved, every call the opposite of the one before (so each changes the state):
  - client:  SwitchBotCloudClient.send_command() alone (signing, HTTP, envelope);
  - gateway: CommandGateway.async_send() (permission, night mode, confirmation, audit
             record and event, transport, assumed state, dispatcher signal);
  - entity:  the switch.turn_on/turn_off action a dashboard tap calls, end to end.
Prints p50/p95 of each and the gateway's overhead over the client.

    scripts/python bench/gateway_overhead.py [--commands 600]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from typing import Any

from _harness import (
    SECRET,
    TOKEN,
    entity_id,
    home_assistant_with_roomsense,
    home_of,
    percentile,
    quiet_logging,
)

from custom_components.roomsense.gateway import Source
from roomsense_simulator import Simulator

WARMUP = 20


async def measure(commands: int) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {"client": [], "gateway": [], "entity": []}
    async with (
        Simulator(TOKEN, SECRET, home=home_of(["Plug Mini (JP)"])) as sim,
        home_assistant_with_roomsense(sim) as (hass, entry),
    ):
        data = entry.runtime_data
        plug = data.devices.devices[-1]
        switch = entity_id(hass, "switch", f"{plug.device_id}_plug")

        async def by_client(command: str) -> None:
            await data.client.send_command(plug.device_id, command, idempotent=True)

        async def by_gateway(command: str) -> None:
            await data.gateway.async_send(plug, command, source=Source.SERVICE, user_id=None)

        async def by_entity(command: str) -> None:
            service = "turn_on" if command == "turnOn" else "turn_off"
            await hass.services.async_call("switch", service, {"entity_id": switch}, blocking=True)

        paths: dict[str, Any] = {"client": by_client, "gateway": by_gateway, "entity": by_entity}
        calls = 0
        for index in range(commands + WARMUP):
            for name, send in paths.items():
                # Every call asks the opposite of the one before, so each gateway and entity
                # call really changes the plug's state in Home Assistant.
                command = "turnOn" if calls % 2 == 0 else "turnOff"
                calls += 1
                start = time.perf_counter()
                await send(command)
                elapsed = time.perf_counter() - start
                if index >= WARMUP:
                    timings[name].append(elapsed)
        await hass.async_block_till_done()
    return timings


def report(timings: dict[str, list[float]]) -> None:
    print(f"{'path':<8} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8}")
    for name, samples in timings.items():
        print(
            f"{name:<8} {len(samples):>5} {percentile(samples, 0.5) * 1000:>8.2f} "
            f"{percentile(samples, 0.95) * 1000:>8.2f} {statistics.mean(samples) * 1000:>8.2f}"
        )
    overhead = [
        gateway - client
        for gateway, client in zip(timings["gateway"], timings["client"], strict=True)
    ]
    print(
        f"gateway overhead over the client: p50 {percentile(overhead, 0.5) * 1000:.2f} ms, "
        f"p95 {percentile(overhead, 0.95) * 1000:.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=600, help="commands per path")
    args = parser.parse_args()
    quiet_logging()
    report(asyncio.run(measure(args.commands)))


if __name__ == "__main__":
    main()
