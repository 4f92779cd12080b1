"""The automation scheduler's cost: 1,000 rules over a simulated day, in CPU milliseconds.

A real Home Assistant core (the test plugin's, no HTTP server, no SwitchBot account) runs
RoomSense's automation engine with a mix of rules: daily, weekly (some days), every N
minutes (5 to 120) and once; half of them carry a temperature condition on a sensor that
is above its threshold half the time. Each action calls a no-op service, so what is
measured is RoomSense's work: timers, slot bookkeeping, condition evaluation, running and
recording. Home Assistant's clock is held and moved from slot to slot over 24 h.

    scripts/python bench/automation_scheduler.py [--rules 1000] [--seed 7]
"""

from __future__ import annotations

import argparse
import asyncio
import heapq
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from unittest.mock import patch

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _harness import quiet_logging
from homeassistant import loader
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import frame
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_test_home_assistant

from custom_components.roomsense.automation import AutomationEngine
from custom_components.roomsense.automation.models import WEEKDAYS
from custom_components.roomsense.const import DOMAIN
from custom_components.roomsense.shared import get_shared

START = "2026-11-23T00:00:00+09:00"  # a Monday, in Tokyo
SENSOR = "sensor.bench_temperature"


def make_rules(count: int, rng: random.Random) -> list[dict[str, Any]]:
    """A household's worth of rules, times a lot."""
    rules = []
    for index in range(count):
        kind = rng.choices(["daily", "weekly", "interval", "once"], weights=[40, 20, 30, 10])[0]
        clock = f"{rng.randrange(24):02d}:{rng.randrange(60):02d}"
        schedule: dict[str, Any]
        if kind == "daily":
            schedule = {"type": "daily", "time": clock}
        elif kind == "weekly":
            schedule = {"type": "weekly", "time": clock, "days": rng.sample(WEEKDAYS, 3)}
        elif kind == "interval":
            schedule = {"type": "interval", "minutes": rng.choice([5, 10, 15, 30, 60, 120])}
        else:
            moment = datetime.fromisoformat(START) + timedelta(minutes=rng.randrange(1440))
            schedule = {"type": "once", "at": moment.isoformat()}
        conditions = []
        if index % 2:
            conditions.append(
                {"type": "temperature", "operator": "above", "value": 27, "entity_id": SENSOR}
            )
        rules.append(
            {
                "name": f"rule {index}",
                "conditions": conditions,
                "actions": [{"type": "service", "service": "bench.noop"}],
                "schedule": schedule,
            }
        )
    return rules


class HeldClock:
    """Home Assistant's `dt_util.utcnow` and `now`, held at a moment the bench moves.

    Cheaper than freezegun, whose Home Assistant adaptation (the test plugin's) costs more per
    call than the scheduler's own work and would swamp the figure; and `dt_util.utcnow` is
    bound to the real `datetime.now`, so plain freezegun no longer reaches it.
    """

    def __init__(self, start: datetime) -> None:
        self.moment = start.astimezone(UTC)

    def move_to(self, moment: datetime) -> None:
        self.moment = moment.astimezone(UTC)

    def utcnow(self) -> datetime:
        return self.moment

    def now(self, time_zone: tzinfo | None = None) -> datetime:
        return self.moment.astimezone(time_zone or dt_util.get_default_time_zone())


async def run_a_day(hass: HomeAssistant, engine: AutomationEngine, frozen: HeldClock) -> float:
    """Take every slot of the day in time order, as the timers would; the CPU seconds.

    Each slot goes through the engine's own handler (slot bookkeeping, condition
    evaluation, the run and its record, arming the next timer). Home Assistant's timer
    dispatch itself is left out: driving it minute by minute through the test plugin's
    time travel costs far more than the scheduler and would swamp the figure.
    """
    end = datetime.fromisoformat(START) + timedelta(days=1)
    due: list[tuple[datetime, str]] = []
    for rule_id, rule in engine.rules.items():
        if (slot := engine.next_run(rule)) is not None:
            heapq.heappush(due, (slot, rule_id))
    cpu = time.process_time()
    while due and due[0][0] <= end:
        slot, rule_id = heapq.heappop(due)
        frozen.move_to(slot)
        # The sensor crosses the rules' threshold every half hour.
        hass.states.async_set(SENSOR, "29.0" if (slot.minute // 30) % 2 else "25.0")
        await engine._async_slot(rule_id, slot)
        if (following := engine.next_run(engine.rules[rule_id])) is not None:
            heapq.heappush(due, (following, rule_id))
    await hass.async_block_till_done()
    return time.process_time() - cpu


async def measure(rule_count: int, seed: int) -> dict[str, Any]:
    with (
        tempfile.TemporaryDirectory(prefix="roomsense-bench-") as config_dir,
        patch.object(
            dt_util, "utcnow", (frozen := HeldClock(datetime.fromisoformat(START))).utcnow
        ),
        patch.object(dt_util, "now", frozen.now),
    ):
        async with async_test_home_assistant(config_dir=config_dir) as hass:
            frame.async_setup(hass)
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)
            await hass.config.async_set_time_zone("Asia/Tokyo")
            calls = 0

            async def noop(_call: ServiceCall) -> None:
                nonlocal calls
                calls += 1

            hass.services.async_register("bench", "noop", noop)
            if not await async_setup_component(hass, "homeassistant", {}):
                raise RuntimeError("Home Assistant's core integration did not set up")
            if not await async_setup_component(hass, DOMAIN, {}):
                raise RuntimeError("RoomSense did not set up")
            await hass.async_block_till_done()
            engine = get_shared(hass).automation
            rules = make_rules(rule_count, random.Random(seed))
            started = time.process_time()
            for rule in rules:
                engine.create(rule, None)
            create_cpu = time.process_time() - started
            armed = len(engine._timers)
            day_cpu = await run_a_day(hass, engine, frozen)
            runs = sum(rule["execution_count"] for rule in engine.rules.values())
            slots = len(engine.slots)
            engine.async_stop()
            await hass.async_stop(force=True)
    return {
        "rules": rule_count,
        "armed": armed,
        "day": day_cpu,
        "create": create_cpu,
        "runs": runs,
        "rules_that_ran": slots,
        "service_calls": calls,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    quiet_logging()
    wall = time.monotonic()
    result = asyncio.run(measure(args.rules, args.seed))
    cost = result["day"]
    print(f"automation_scheduler: {result['rules']} rules over a simulated day")
    print(f"  timers armed: {result['armed']}; rules with a slot today: {result['rules_that_ran']}")
    print(
        f"  runs: {result['runs']} (conditions met; each ran its action, a service call: "
        f"{result['service_calls']})"
    )
    print(
        f"  scheduler cost: {cost * 1000:.0f} ms CPU per simulated day "
        f"({cost / max(result['runs'], 1) * 1e6:.0f} us per run, "
        f"{cost / result['rules'] * 1000:.2f} ms per rule per day)"
    )
    print(f"  creating (and arming) the rules: {result['create'] * 1000:.0f} ms CPU")
    print(f"took {time.monotonic() - wall:.1f} s")


if __name__ == "__main__":
    main()
