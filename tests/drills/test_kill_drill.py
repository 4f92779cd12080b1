"""The kill drill (bench/kill_drill.py) end to end, as a home would suffer it.

The simulator and Home Assistant run as separate processes; the cloud goes down; commands
(idempotent ones and presses/toggles) go through `roomsense.send_command` over the REST API;
Home Assistant is SIGKILLed right after they were queued and at a quarter, a half and three
quarters of the drain, and started again each time. Counted at the simulator: nothing is
lost, no press or toggle arrives twice, and `outcome_unknown` is reported at most once per
kill and only for commands that are not idempotent. The drill's own figures (latency, drain
start, throughput) are the README's; here only the counts are held to their targets, since
timings on a shared CI machine vary.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
DRILL = REPO / "bench" / "kill_drill.py"

pytestmark = [
    pytest.mark.slow,  # Home Assistant and the simulator in their own processes
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SIGKILLs process groups"),
]


def run_drill(tmp_path: Path, *args: str, timeout: float) -> dict[str, Any]:
    """Run the drill; its figures. Its logs stay in tmp_path for a failure's reader."""
    figures = tmp_path / "figures.json"
    workdir = tmp_path / "drill"
    try:
        result = subprocess.run(  # noqa: S603 - our own script
            [sys.executable, str(DRILL), "--json", str(figures), "--workdir", str(workdir), *args],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as err:
        # The drill's children get SIGTERM when it dies (see scripts/demo_support/processes).
        # Its output so far comes as bytes, even with text=True.
        output = err.stdout.decode(errors="replace") if isinstance(err.stdout, bytes) else ""
        pytest.fail(f"the drill ran past {timeout:.0f} s; logs in {workdir}:\n{output}")
    # 0: every target met; 1: some not (checked below, one by one); 2: it could not run.
    assert result.returncode in (0, 1), f"{result.stdout}\n{result.stderr}\nlogs in {workdir}"
    print(result.stdout)
    return dict(json.loads(figures.read_text(encoding="utf-8")))


def assert_counts_meet_targets(figures: dict[str, Any]) -> None:
    commands = figures["commands_per_round"]
    for name, result in figures["rounds"].items():
        counts = result["counts"]
        where = f"round {name!r}: {counts}"
        # Every command was taken (queued) while the cloud was away, presses and toggles too.
        assert counts["refused"] == 0, f"{where}; refused: {result['refused']}"
        assert counts["accepted"] == commands, where
        assert not result["drain_stalled"], f"{where}: the drain stopped or never started"
        assert counts["lost"] == 0, where
        assert counts["twice"] == 0, where
        assert counts["outcome_unknown"] <= counts["kills"], where
        assert counts["outcome_unknown_idempotent"] == 0, where
        # The queue sends one command at a time: a kill finds one in flight at most, and only
        # an idempotent one is sent again.
        assert counts["resent_idempotent"] <= counts["kills"], where
        assert (
            counts["delivered_once"] + counts["outcome_unknown"] + counts["failed_reported"]
            >= commands
        ), where
    killed = figures["rounds"]["kills"]
    # The kills happened: after queueing, and at least one during the drain.
    assert killed["counts"]["kills"] >= 2, killed["kills"]
    assert figures["rounds"]["no kill"]["counts"]["kills"] == 0


@pytest.mark.timeout(200)
def test_kill_drill(tmp_path: Path) -> None:
    """The drill's default size within 3 minutes: 2 x 40 commands, 4 kills."""
    figures = run_drill(tmp_path, timeout=180)
    assert figures["commands_per_round"] == 40
    assert_counts_meet_targets(figures)


@pytest.mark.long
@pytest.mark.timeout(3600)
def test_kill_drill_long(tmp_path: Path) -> None:
    """The README's drill: 2 x 1,000 commands."""
    figures = run_drill(tmp_path, "--long", timeout=3300)
    assert_counts_meet_targets(figures)
