"""Command latency over the simulated Bluetooth path next to the cloud path, in one run.

RoomSense runs in a real Home Assistant core (`bluetooth` set up first with a mock adapter,
as the test plugin's `enable_bluetooth`) against the cloud simulator, with a simulated
Bluetooth proxy (`roomsense_simulator.ble.SimulatedBleProxy`) that Home Assistant's own
Bluetooth stack drives and PySwitchbot reaches unpatched. The home has two Plug Mini (JP):
one in range of the proxy, one never heard over Bluetooth. Each command is
`CommandGateway.async_send(plug, "turnOn"/"turnOff", source=Source.SERVICE)`, every one the
opposite of the one before, timed end to end:
  - bluetooth: the plug in range (PySwitchbot's exchange through the proxy);
  - cloud:     the plug never heard over Bluetooth (one signed POST to the simulator),
               interleaved with the above;
  - fallback:  the first plug after `faults.out_of_range = True` (Home Assistant still has
               its last advertisement, so Bluetooth is tried, fails to connect, and the
               gateway falls back to the cloud): what a device that just left range costs.
The path each command took is read from its `roomsense_audit` event (`path`), and printed.

The simulated radio has no air time: the Bluetooth figure measures RoomSense, Home
Assistant's Bluetooth stack and PySwitchbot's protocol exchange (a command and the settings
read after it; the link stays up 8.5 s between commands), not radio latency. The cloud
figure is a loopback simulator, not SwitchBot's servers either.

    scripts/python bench/ble_latency.py [--commands 200] [--fallback-commands 20]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections import Counter
from typing import Any

from _harness import (
    SECRET,
    TOKEN,
    home_assistant_with_roomsense,
    home_of,
    percentile,
    quiet_logging,
)

from custom_components.roomsense.gateway import Source
from roomsense_simulator import Simulator
from roomsense_simulator.ble import BleDevice, SimulatedBleProxy

WARMUP = 5
IN_RANGE, CLOUD_ONLY = "C0FFEE000001", "C0FFEE000002"


def address(device_id: str) -> str:
    return ":".join(device_id[i : i + 2] for i in range(0, 12, 2))


async def measure(commands: int, fallback_commands: int) -> dict[str, dict[str, Any]]:
    home = home_of(["Hub Mini", "Plug Mini (JP)", "Plug Mini (JP)"], mac_ids=True)
    proxy: SimulatedBleProxy | None = None

    async def start_radio(hass: Any) -> Any:
        nonlocal proxy
        device = BleDevice(address(IN_RANGE), "WoPlug", product="plug_mini_jp")
        proxy = SimulatedBleProxy(hass, [device])
        unregister = proxy.async_start()
        proxy.advertise_all()

        async def stop() -> None:
            assert proxy is not None
            await proxy.async_disconnect()
            unregister()
            await hass.async_block_till_done(wait_background_tasks=True)

        return stop

    results: dict[str, dict[str, Any]] = {
        name: {"samples": [], "paths": Counter()} for name in ("bluetooth", "cloud", "fallback")
    }
    async with (
        Simulator(TOKEN, SECRET, home=home) as sim,
        home_assistant_with_roomsense(sim, bluetooth=True, before_roomsense=start_radio) as (
            hass,
            entry,
        ),
    ):
        assert proxy is not None
        data = entry.runtime_data
        devices = {device.device_id: device for device in data.devices.devices}
        events: list[Any] = []
        hass.bus.async_listen("roomsense_audit", events.append)
        sent = 0

        async def send(name: str, device_id: str, record: bool) -> None:
            nonlocal sent
            command = "turnOn" if sent % 2 == 0 else "turnOff"
            sent += 1
            before = len(events)
            start = time.perf_counter()
            await data.gateway.async_send(
                devices[device_id], command, source=Source.SERVICE, user_id=None
            )
            elapsed = time.perf_counter() - start
            await hass.async_block_till_done()
            paths = [event.data.get("path") for event in events[before:]]
            if record:
                results[name]["samples"].append(elapsed)
                results[name]["paths"][paths[-1] if paths else None] += 1

        for index in range(commands + WARMUP):
            await send("bluetooth", IN_RANGE, index >= WARMUP)
            await send("cloud", CLOUD_ONLY, index >= WARMUP)
        proxy[address(IN_RANGE)].faults.out_of_range = True
        await proxy.async_disconnect()
        for _ in range(fallback_commands):
            await send("fallback", IN_RANGE, True)
        results["bluetooth"]["local_commands"] = len(
            [c for c in proxy[address(IN_RANGE)].commands if c[0] in ("turn_on", "turn_off")]
        )
    return results


def report(results: dict[str, dict[str, Any]]) -> None:
    print(f"{'path':<10} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8}  path taken (audit)")
    for name, result in results.items():
        samples = result["samples"]
        if not samples:
            continue
        taken = ", ".join(f"{path}: {count}" for path, count in result["paths"].items())
        print(
            f"{name:<10} {len(samples):>5} {percentile(samples, 0.5) * 1000:>8.2f} "
            f"{percentile(samples, 0.95) * 1000:>8.2f} {statistics.mean(samples) * 1000:>8.2f}"
            f"  {taken}"
        )
    print(
        f"on/off commands the in-range plug received over Bluetooth: "
        f"{results['bluetooth']['local_commands']} (warm-up included)"
    )
    print(
        "caveat: the simulated radio has no air time; the bluetooth figure is RoomSense + "
        "Home Assistant's Bluetooth stack + PySwitchbot's protocol exchange, not radio "
        "latency (a real proxy adds tens to hundreds of ms per exchange); the cloud figure "
        "is a loopback simulator, not SwitchBot's servers."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=200, help="commands per path")
    parser.add_argument("--fallback-commands", type=int, default=20, help="commands out of range")
    args = parser.parse_args()
    quiet_logging()
    started = time.monotonic()
    report(asyncio.run(measure(args.commands, args.fallback_commands)))
    print(f"took {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
