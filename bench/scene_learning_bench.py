"""Scene learning at scale: 100,000 operation records, patterns and candidates in under 2 s.

A seeded household of 100 devices over 90 days (Asia/Tokyo): four embedded routines, and
random use of every device (the routine devices included, each of its four commands about
2.5 times a day) at any time of day filling the rest up to 100,000 records, about 1,100 a
day. That is far busier than a real home: a command every 78 s on average, so random
neighbours within 120 s are the rule. The detector must find the routines through that
noise, and offer nothing else.

Embedded routines (times jitter by up to ±10 min, steps 15-90 s apart):

  morning   weekdays ~07:00  living light on -> living curtain open -> living AC 26 °C
  evening   daily    ~20:30  TV on -> living light 30 %
  coffee    weekdays ~06:45  coffee plug on (one command: time based)
  good night daily   ~23:15  bedroom lamp off -> front door lock

`detect_patterns` (window covering all 90 days, so all 100,000 records are analysed, and the
default 30-day window) then `scene_candidates` are timed: best of 3 and median. Recovered:
each routine appears among the candidates (sequences with their steps in order, the coffee
plug as a time-based candidate at about 06:45).

    scripts/python bench/scene_learning_bench.py [--records 100000] [--days 90] [--seed 7]
        [--runs 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from custom_components.roomsense.automation.learning import (
    OperationPattern,
    OperationRecord,
    SceneCandidate,
    detect_patterns,
    scene_candidates,
)

TARGET_SECONDS = 2.0
HOME_ZONE = ZoneInfo("Asia/Tokyo")

LIVING_LIGHT = "LIGHT-LIVING"
CURTAIN = "CURTAIN-LIVING"
AC = "AC-LIVING"
TV = "TV-LIVING"
COFFEE = "PLUG-COFFEE"
BEDROOM_LAMP = "LIGHT-BEDROOM"
LOCK = "LOCK-FRONT"

NAMES = {
    LIVING_LIGHT: "Living Light",
    CURTAIN: "Curtain",
    AC: "Living AC",
    TV: "TV",
    COFFEE: "Coffee Maker",
    BEDROOM_LAMP: "Bedroom Lamp",
    LOCK: "Front Door",
}

type Step = tuple[str, str, str]


@dataclass(frozen=True)
class Routine:
    name: str
    steps: tuple[Step, ...]
    minute: int  # local minute of the day
    weekdays_only: bool


ROUTINES = (
    Routine(
        "morning",
        ((LIVING_LIGHT, "turnOn", "default"), (CURTAIN, "turnOn", "default"),
         (AC, "setAll", "26,2,1,on")),
        7 * 60,
        weekdays_only=True,
    ),
    Routine(
        "evening",
        ((TV, "turnOn", "default"), (LIVING_LIGHT, "setBrightness", "30")),
        20 * 60 + 30,
        weekdays_only=False,
    ),
    Routine("coffee", ((COFFEE, "turnOn", "default"),), 6 * 60 + 45, weekdays_only=True),
    Routine(
        "good night",
        ((BEDROOM_LAMP, "turnOff", "default"), (LOCK, "lock", "default")),
        23 * 60 + 15,
        weekdays_only=False,
    ),
)  # fmt: skip

# Everything the household may do at random: the routine devices too, with their commands.
NOISE_DEVICES = [*NAMES, *(f"DEVICE-{number:02d}" for number in range(93))]
NOISE_COMMANDS: list[tuple[str, str]] = [
    ("turnOn", "default"),
    ("turnOff", "default"),
    ("setBrightness", "50"),
    ("toggle", "default"),
]


def generate(records: int, days: int, seed: int, end: datetime) -> list[OperationRecord]:
    """Routines on their days plus random operations, `records` in all, shuffled."""
    rng = random.Random(seed)
    start_day = (end - timedelta(days=days)).replace(hour=0, minute=0, second=0, microsecond=0)
    result: list[OperationRecord] = []
    for day in range(days):
        midnight = start_day + timedelta(days=day)
        for routine in ROUTINES:
            if routine.weekdays_only and midnight.weekday() >= 5:
                continue
            moment = midnight + timedelta(minutes=routine.minute + rng.uniform(-10, 10))
            for device_id, command, parameters in routine.steps:
                if moment < end:
                    result.append(
                        OperationRecord(
                            device_id=device_id,
                            command=command,
                            parameters=parameters,
                            timestamp=moment,
                            user_id="user-1",
                        )
                    )
                moment += timedelta(seconds=rng.uniform(15, 90))
    span = (end - start_day).total_seconds()
    while len(result) < records:
        command, parameters = rng.choice(NOISE_COMMANDS)
        result.append(
            OperationRecord(
                device_id=rng.choice(NOISE_DEVICES),
                command=command,
                parameters=parameters,
                timestamp=start_day + timedelta(seconds=rng.uniform(0, span)),
                user_id=rng.choice(("user-1", "user-2", None)),
                source=rng.choice(("command", "state", "api")),
            )
        )
    rng.shuffle(result)
    return result


def recovered(routine: Routine, candidates: list[SceneCandidate]) -> SceneCandidate | None:
    """The candidate that is this routine: the same steps (in order for a sequence)."""
    wanted = [list(step) for step in routine.steps]
    for candidate in candidates:
        steps = [
            [operation["device_id"], operation["command"], operation["parameters"]]
            for operation in candidate.operations
        ]
        if steps == wanted:
            return candidate
    return None


def timed(
    records: list[OperationRecord], now: datetime, window: timedelta, runs: int
) -> tuple[list[float], list[OperationPattern], list[SceneCandidate]]:
    durations: list[float] = []
    patterns: list[OperationPattern] = []
    candidates: list[SceneCandidate] = []
    for _ in range(runs):
        started = time.perf_counter()
        patterns = detect_patterns(records, now=now, time_zone=HOME_ZONE, window=window)
        candidates = scene_candidates(patterns, {"limit": 20, "language": "en"}, device_names=NAMES)
        durations.append(time.perf_counter() - started)
    return durations, patterns, candidates


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    now = datetime(2025, 6, 30, 23, 59, tzinfo=HOME_ZONE)
    started = time.perf_counter()
    records = generate(args.records, args.days, args.seed, now)
    print(
        f"generated {len(records):,} records over {args.days} days "
        f"in {time.perf_counter() - started:.2f} s (seed {args.seed})"
    )

    ok = True
    for label, window in (
        (f"all {args.days} days", timedelta(days=args.days + 1)),
        ("default 30-day window", timedelta(days=30)),
    ):
        durations, patterns, candidates = timed(records, now, window, args.runs)
        best, median = min(durations), statistics.median(durations)
        by_type: dict[str, int] = {}
        for pattern in patterns:
            by_type[pattern.pattern_type] = by_type.get(pattern.pattern_type, 0) + 1
        within = best < TARGET_SECONDS
        ok &= within
        print(f"\n{label}: detect_patterns + scene_candidates")
        print(
            f"  best of {args.runs} {best:.3f} s, p50 {median:.3f} s "
            f"(target < {TARGET_SECONDS:.0f} s: {'ok' if within else 'MISSED'})"
        )
        counts = ", ".join(f"{count} {kind}" for kind, count in sorted(by_type.items()))
        print(f"  {len(patterns)} patterns ({counts}), {len(candidates)} candidates")
        for routine in ROUTINES:
            candidate = recovered(routine, candidates)
            ok &= candidate is not None
            if candidate is None:
                print(f"  {routine.name:<10} NOT recovered")
                continue
            rank = candidates.index(candidate) + 1
            print(
                f"  {routine.name:<10} recovered: #{rank} {candidate.pattern_type}, "
                f"confidence {candidate.confidence:.2f}, seen {candidate.frequency}x, "
                f"at {candidate.time_of_day or '-'}: {candidate.name!r}"
            )
        strays = [
            candidate
            for candidate in candidates
            if not any(candidate is recovered(routine, candidates) for routine in ROUTINES)
        ]
        print(f"  other candidates (noise that passed): {len(strays)}")
        for candidate in strays[:5]:
            print(f"    {candidate.confidence:.2f} {candidate.pattern_type}: {candidate.name!r}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
