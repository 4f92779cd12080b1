"""An outage as a person lives it: how fast commands are answered, and how the queue drains.

RoomSense runs in a real Home Assistant core against the simulator, in this process. The
simulator is stopped (connection refused, as when the cloud or the home's internet is down);
one command finds the cloud gone; then commands go through each way a person or a model
sends them, interleaved:
  - service: `roomsense.send_command` (what automations and scripts call);
  - entity:  `switch.turn_on` / `turn_off` on a plug, a dashboard tap;
  - tool:    the `send_command` tool of Home Assistant's LLM API (what a model calls).
Each is queued at once (on disk in the write-ahead log before it answers). After
`--outage-seconds` the simulator starts again; the bench prints when the first queued command
reached it (the drain start, which the probe's cadence decides) and how fast the queue
drained, at the simulator.

    scripts/python bench/outage.py [--commands 300] [--outage-seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
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
from homeassistant.auth.models import User
from homeassistant.core import Context, Event, callback
from homeassistant.helpers import llm

from custom_components.roomsense.actions.llm_api import LLM_API_ID
from custom_components.roomsense.const import EVENT_COMMAND_RESULT
from roomsense_simulator import Simulator

PLUGS = 10
TIMEOUT = 120.0


async def measure(commands: int, outage_seconds: float) -> dict[str, Any]:
    home = home_of(["Plug Mini (JP)"] * PLUGS + ["Bot"] * 2)
    async with (
        Simulator(TOKEN, SECRET, home=home) as sim,
        home_assistant_with_roomsense(sim) as (hass, entry),
    ):
        data = entry.runtime_data
        plugs = [device for device in data.devices.devices if device.device_type.startswith("Plug")]
        switches = [entity_id(hass, "switch", f"{plug.device_id}_plug") for plug in plugs]
        user: User = await hass.auth.async_create_user("bench", group_ids=["system-admin"])
        api = await llm.async_get_api(
            hass,
            LLM_API_ID,
            llm.LLMContext(
                platform="bench",
                context=Context(user_id=user.id),
                language="en",
                assistant="conversation",
                device_id=None,
            ),
        )
        drained = asyncio.Event()

        @callback
        def _result(_event: Event) -> None:
            if not data.gateway.queue.pending:
                drained.set()

        hass.bus.async_listen(EVENT_COMMAND_RESULT, _result)
        port = sim.port
        await sim.stop()
        started = time.perf_counter()
        await hass.services.async_call(
            "switch", "turn_on", {"entity_id": switches[0]}, blocking=True
        )
        discovery = time.perf_counter() - started

        async def by_service(index: int) -> dict[str, Any]:
            return await hass.services.async_call(
                "roomsense",
                "send_command",
                {"device_id": plugs[index % PLUGS].device_id, "command": _command(index)},
                blocking=True,
                return_response=True,
            )

        async def by_entity(index: int) -> None:
            service = "turn_on" if _command(index) == "turnOn" else "turn_off"
            await hass.services.async_call(
                "switch", service, {"entity_id": switches[index % PLUGS]}, blocking=True
            )

        async def by_tool(index: int) -> Any:
            return await api.async_call_tool(
                llm.ToolInput(
                    "send_command",
                    {"device_id": plugs[index % PLUGS].device_id, "command": _command(index)},
                )
            )

        paths = {"service": by_service, "entity": by_entity, "tool": by_tool}
        timings: dict[str, list[float]] = {name: [] for name in paths}
        sent = 1
        for index in range(commands // len(paths)):
            for name, send in paths.items():
                began = time.perf_counter()
                await send(index)
                timings[name].append(time.perf_counter() - began)
                sent += 1
        queued = len(data.gateway.queue.pending)
        # The cloud stays away a while longer: the probe backs off meanwhile.
        await asyncio.sleep(max(0.0, outage_seconds - (time.perf_counter() - started)))
        await sim.start(host="127.0.0.1", port=port)
        back_ms = sim.clock.now_ms()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(drained.wait(), TIMEOUT)
        arrivals = [
            call["time"]
            for call in sim.calls
            if call["path"].endswith("/commands") and call["http_status"] == 200
        ]
        await hass.async_block_till_done()
    return {
        "discovery": discovery,
        "timings": timings,
        "sent": sent,
        "queued": queued,
        "delivered": len(arrivals),
        "drain_start": (min(arrivals) - back_ms) / 1000 if arrivals else None,
        "drain_seconds": (max(arrivals) - min(arrivals)) / 1000 if arrivals else None,
    }


def _command(index: int) -> str:
    return "turnOff" if index % 2 == 0 else "turnOn"


def report(result: dict[str, Any]) -> None:
    print(f"the first command, which found the cloud gone: {result['discovery'] * 1000:.1f} ms")
    print(f"{'path':<8} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    every: list[float] = []
    for name, samples in result["timings"].items():
        every += samples
        print(
            f"{name:<8} {len(samples):>5} {percentile(samples, 0.5) * 1000:>8.2f} "
            f"{percentile(samples, 0.95) * 1000:>8.2f} {max(samples) * 1000:>8.2f}"
        )
    print(
        f"{'all':<8} {len(every):>5} {percentile(every, 0.5) * 1000:>8.2f} "
        f"{percentile(every, 0.95) * 1000:>8.2f} {max(every) * 1000:>8.2f}"
    )
    print(
        f"commands: {result['sent']} sent, {result['queued']} queued, "
        f"{result['delivered']} delivered once the cloud was back"
    )
    if result["drain_start"] is not None:
        rate = (result["delivered"] - 1) / result["drain_seconds"] if result["drain_seconds"] else 0
        print(f"drain start after the cloud answered again: {result['drain_start']:.2f} s")
        print(
            f"drain: {result['delivered']} commands in {result['drain_seconds']:.2f} s "
            f"({rate:.0f} commands/s at the simulator)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--commands", type=int, default=300)
    parser.add_argument("--outage-seconds", type=float, default=60.0)
    args = parser.parse_args()
    quiet_logging()
    report(asyncio.run(measure(args.commands, args.outage_seconds)))


if __name__ == "__main__":
    main()
