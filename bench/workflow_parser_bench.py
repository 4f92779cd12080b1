"""Workflow parser benchmark: sentences to automation rules, by patterns (no model).

Two corpora in the same format: `tests/automation/workflows.json` (the test corpus, written
before the parser) and `bench/workflows_holdout.json` (held out: written before the
parser's patterns were finished, in other phrasings, and never tuned against). A sentence
passes when the workflow has exactly the expected schedule, conditions (tolerances not
compared) and actions (device, command and parameter; scene; notification), or, for the
cases that must not make a rule, when none is made; cases with a dangerous action must
also say it was left out. The comparison is the test suite's own (`mismatch` in
tests/automation/test_parser.py).

The home is the simulator's demo home with the readings of tests/fallback/conftest.py; the
parser is built once (as the integration keeps one per snapshot) and every sentence is
parsed `--repeat` times after one untimed warm-up pass, with the garbage collector paused as
timeit does; the latency is per parse.

    scripts/python bench/workflow_parser_bench.py [--verbose] [--repeat N] [--corpus PATH]
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _harness import percentile

from custom_components.roomsense.automation.parser import WorkflowParser, WorkflowParseResult
from tests.automation.test_parser import mismatch
from tests.fallback.conftest import load_demo_snapshot

BENCH = Path(__file__).resolve().parent
CORPORA = (
    BENCH.parent / "tests" / "automation" / "workflows.json",
    BENCH / "workflows_holdout.json",
)
SUCCESS_TARGET = 0.90
P95_TARGET_MS = 5.0


def run_corpus(
    parser: WorkflowParser, path: Path, repeat: int
) -> list[tuple[dict[str, Any], WorkflowParseResult, str | None, list[float]]]:
    """Every case of one corpus: its result, why it failed (None: passed) and its timings."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    now = datetime.fromisoformat(doc["now"])
    for case in doc["cases"]:  # warm-up: compiled patterns, caches
        parser.parse_patterns(case["text"], now=now)
    rows = []
    # As timeit does: a collection of the large heap (Home Assistant is imported) is no
    # part of a parse.
    gc.collect()
    gc.disable()
    try:
        for case in doc["cases"]:
            times: list[float] = []
            result = None
            for _ in range(repeat):
                start = time.perf_counter()
                result = parser.parse_patterns(case["text"], now=now)
                times.append((time.perf_counter() - start) * 1000)
            assert result is not None
            rows.append((case, result, mismatch(result, case), times))
    finally:
        gc.enable()
    return rows


def rate(rows: list[Any]) -> str:
    if not rows:
        return "   -   "
    ok = sum(row[2] is None for row in rows)
    return f"{100 * ok / len(rows):5.1f} % ({ok}/{len(rows)})"


def report(name: str, rows: list[Any], verbose: bool) -> None:
    print(f"\n== {name}: success rate (exact schedule + conditions + actions) ==")
    for label, lang in (("overall", None), ("ja", "ja"), ("en", "en")):
        picked = [row for row in rows if lang is None or row[0]["lang"] == lang]
        print(f"{label:10}{rate(picked)}")
    samples = [ms for row in rows for ms in row[3]]
    print(
        f"parse ms   p50 {percentile(samples, 0.5):6.2f}  p95 {percentile(samples, 0.95):6.2f}"
        f"  max {max(samples):6.2f}  mean {statistics.fmean(samples):6.2f}"
        f"  ({len(samples)} parses)"
    )
    for lang in ("ja", "en"):
        by_lang = [ms for row in rows if row[0]["lang"] == lang for ms in row[3]]
        print(
            f"parse ({lang}) p50 {percentile(by_lang, 0.5):6.2f}  "
            f"p95 {percentile(by_lang, 0.95):6.2f}"
        )
    confidences = [row[1].confidence for row in rows if row[1].success]
    if confidences:
        print(
            f"confidence of the rules made: mean {statistics.fmean(confidences):.2f}, "
            f"min {min(confidences):.2f}"
        )
    failures = [row for row in rows if row[2] is not None]
    if verbose and failures:
        print(f"-- failures ({len(failures)}) --")
        for case, result, why, _times in failures:
            print(f"[{case['lang']}] {case['text']}")
            print(f"    why : {why}")
            print(f"    said: {result.message[:200]}")


def main(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    snapshot = load_demo_snapshot()
    parser = WorkflowParser(snapshot)
    built_ms = (time.perf_counter() - started) * 1000
    print(
        f"demo home: {len(snapshot.devices)} devices, {len(snapshot.scenes)} scenes; "
        f"parser built in {built_ms:.1f} ms; {args.repeat} timed parses per sentence"
    )
    corpora = [Path(path).resolve() for path in args.corpus] if args.corpus else CORPORA
    everything: list[Any] = []
    for path in corpora:
        rows = run_corpus(parser, path, args.repeat)
        everything.extend(rows)
        shown = path.relative_to(BENCH.parent) if path.is_relative_to(BENCH.parent) else path
        languages = [row[0]["lang"] for row in rows]
        print(
            f"\ncorpus: {len(rows)} sentences ({languages.count('ja')} ja, "
            f"{languages.count('en')} en) from {shown}"
        )
        report(shown.name, rows, args.verbose)
    if len(corpora) > 1:
        report("all corpora", everything, verbose=False)
    print("\n== targets ==")
    for path in corpora:
        rows = [row for row in everything if row[0]["text"] in _texts(path)]
        share = sum(row[2] is None for row in rows) / len(rows)
        verdict = "met" if share >= SUCCESS_TARGET else "NOT met"
        print(f"{path.name}: success >= {SUCCESS_TARGET:.0%}: {share:.1%} -> {verdict}")
    p95 = percentile([ms for row in everything for ms in row[3]], 0.95)
    verdict = "met" if p95 < P95_TARGET_MS else "NOT met"
    print(f"parse p95 < {P95_TARGET_MS:.0f} ms: {p95:.2f} ms -> {verdict}")


def _texts(path: Path) -> set[str]:
    return {case["text"] for case in json.loads(path.read_text(encoding="utf-8"))["cases"]}


if __name__ == "__main__":
    cli = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    cli.add_argument("--verbose", action="store_true", help="list every failure")
    cli.add_argument("--repeat", type=int, default=20, help="timed parses per sentence")
    cli.add_argument(
        "--corpus",
        action="append",
        help="corpus JSON file (repeatable; default: the test corpus and the held-out one)",
    )
    main(cli.parse_args())
