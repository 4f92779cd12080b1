"""The restart drill (issue 18.3): Home Assistant stopped with work in hand, and started again.

With the SwitchBot cloud down, the home has commands queued, edge jobs queued or dispatched
and rules waiting to run a delayed action. Home Assistant stops, cleanly or hard (a kill:
no final write), stays down for fifteen minutes and starts again; then the cloud comes back.
Every command must be delivered once or expire with its event, every job must end in a
terminal state, and every delayed action must run once or be skipped with a reason.

A hard stop loses what a `Store` had not written yet (its delayed write, a second). What a
person or a device was promised (a command queued, a job accepted or handed out, a rule's
run and each of its actions) is written ahead, so the drill checks that the last second
before the kill loses none of it; the tests after the drill pin each case down.

The counts print under `-s` and go to `.dev/restart_drill_<mode>.txt`. By default the drill
queues a quarter of the 1,000 commands (every other figure at full scale); `--long` runs
all of them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Event, HomeAssistant, ServiceCall, callback
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.roomsense.automation.history import MISSED_GRACE
from custom_components.roomsense.config_flow import account_unique_id
from custom_components.roomsense.const import (
    DOMAIN,
    EVENT_COMMAND_RESULT,
    OPT_DEVICE_RESULT_TIMEOUT,
    OPT_MAX_COMPLETED_JOBS,
    OPT_QUEUE_TTL,
)
from custom_components.roomsense.edge.errors import JobConflictError
from custom_components.roomsense.edge.jobs import EVENT_EDGE_JOB_FINISHED
from custom_components.roomsense.edge.manager import EdgeManager
from custom_components.roomsense.edge.models import JobStatus
from custom_components.roomsense.persisted import DEFAULT_SAVE_DELAY
from custom_components.roomsense.shared import get_shared
from roomsense_simulator import Simulator

from ..conftest import SECRET, TOKEN, home_with, long_run
from .restart_support import Disk, advance, home_assistant, stop, while_timers_run

ENTRY_ID: Final = "restart_drill_account"
DEVICES: Final = 50
EDGE_DEVICES: Final = 10
# How long Home Assistant stays down: longer than the grace of a missed delayed action.
DOWNTIME: Final = timedelta(minutes=15)
STOP: Final = datetime.fromisoformat("2026-12-01 10:00:00+00:00")
COMMAND_TTL: Final = 3600
# Commands queued this long before the stop expire while Home Assistant is down.
EARLY: Final = timedelta(minutes=50)
RESULT_TIMEOUT: Final = 3600
JOB_TTL: Final = 7200
FIGURES_DIR: Final = Path(__file__).parents[2] / ".dev"
SKIP_REASON: Final = "missed while Home Assistant was stopped"

# Delays of the rules' second action, from a run a minute before the stop: due during the
# downtime and past the grace at the start (skipped), due during it within the grace (run
# late), due after the start (run on time), due in the stop's last second (run before it).
SKIPPED_DELAY: Final = 120.0
LATE_DELAY: Final = (DOWNTIME - MISSED_GRACE / 2).total_seconds() + 60
ON_TIME_DELAY: Final = (DOWNTIME + timedelta(minutes=15)).total_seconds()
LAST_SECOND_DELAY: Final = 59.0


@dataclass(frozen=True)
class Scale:
    """How much work is in hand when Home Assistant stops."""

    commands: int
    jobs: int = 200
    rules: int = 50

    @property
    def per_device(self) -> int:
        return self.commands // DEVICES

    @property
    def last_second_jobs(self) -> int:
        """Jobs submitted, and as many fetched, within the write delay before the stop."""
        return max(1, self.jobs // 40)

    @property
    def last_second_rules(self) -> int:
        """Runs started, and as many delayed actions run, within that second."""
        return max(1, self.rules // 25)


FULL: Final = Scale(commands=1000)
DEFAULT: Final = Scale(commands=250)


@pytest.fixture
def home() -> dict[str, Any]:
    """Fifty colour bulbs behind one hub."""
    return home_with(*["Color Bulb"] * DEVICES)


def account_entry(base_url: str) -> MockConfigEntry:
    """The account's entry; each Home Assistant gets it anew (entries live in core's file)."""
    return MockConfigEntry(
        domain=DOMAIN,
        entry_id=ENTRY_ID,
        title="SwitchBot",
        unique_id=account_unique_id(TOKEN),
        data={"token": TOKEN, "secret": SECRET, "base_url": base_url},
        options={
            OPT_DEVICE_RESULT_TIMEOUT: RESULT_TIMEOUT,
            OPT_MAX_COMPLETED_JOBS: 10_000,
            OPT_QUEUE_TTL: COMMAND_TTL,
        },
    )


type CommandKey = tuple[str, str, str]


def command_key(device_id: str, command: str, parameter: Any) -> CommandKey:
    return device_id, command, str(parameter)


@dataclass
class Drill:
    """What the drill did, and what both Home Assistants and the cloud saw of it."""

    hard: bool
    scale: Scale
    base_url: str = ""
    # Commands: the service's answer to each, and the result events of each.
    commands: dict[CommandKey, str] = field(default_factory=dict)
    early_commands: set[CommandKey] = field(default_factory=set)
    command_results: dict[CommandKey, list[str]] = field(default_factory=dict)
    # Edge jobs: each one accepted (its device), and its finished events.
    jobs: dict[str, str] = field(default_factory=dict)
    jobs_last_second: set[str] = field(default_factory=set)
    job_finished: Counter[str] = field(default_factory=Counter)
    job_outcomes: Counter[str] = field(default_factory=Counter)
    jobs_missing: set[str] = field(default_factory=set)
    jobs_back_as_queued: set[str] = field(default_factory=set)
    reports_refused: int = 0
    dispatched_again: int = 0
    # Rules: by index, the rule id, the expected fate of its delayed action, and its runs.
    rules: dict[int, str] = field(default_factory=dict)
    rule_kinds: dict[int, str] = field(default_factory=dict)
    action_runs: Counter[int] = field(default_factory=Counter)
    unwritten: list[set[str]] = field(default_factory=list)

    @callback
    def count_action(self, call: ServiceCall) -> None:
        if call.data["step"] == 1:
            self.action_runs[call.data["rule"]] += 1

    @callback
    def count_job(self, event: Event) -> None:
        self.job_finished[event.data["job_id"]] += 1
        self.job_outcomes[event.data["reason"] or event.data["status"]] += 1

    @callback
    def count_command(self, event: Event) -> None:
        key = command_key(event.data["device_id"], event.data["command"], event.data["parameter"])
        self.command_results.setdefault(key, []).append(event.data["result"])


async def start_roomsense(hass: HomeAssistant, drill: Drill) -> None:
    """RoomSense with the account, counting the drill's actions, jobs and commands."""
    hass.services.async_register("drill", "act", drill.count_action)
    hass.bus.async_listen(EVENT_EDGE_JOB_FINISHED, drill.count_job)
    hass.bus.async_listen(EVENT_COMMAND_RESULT, drill.count_command)
    if drill.base_url:
        account_entry(drill.base_url).add_to_hass(hass)
    # With the cloud away, the account's first read backs off before the entry starts from
    # what it last knew.
    assert await while_timers_run(hass, async_setup_component(hass, DOMAIN, {}))
    await hass.async_block_till_done()


# --- commands -----------------------------------------------------------------------------


def device_commands(index: int, per_device: int) -> list[tuple[str, str, bool]]:
    """Bulb `index`'s commands: (command, parameter, queued early).

    Each differs, so the cloud's record tells them apart. One is a toggle: not idempotent,
    it may wait only because it provably never left. One is queued early and expires.
    """
    return [
        ("toggle", "default", False),
        ("setColorTemperature", str(2700 + index), True),
        *(("setColor", f"{index}:{n}:0", False) for n in range(2, per_device)),
    ]


async def send(
    hass: HomeAssistant, drill: Drill, device_id: str, command: str, parameter: str
) -> None:
    """A user's `roomsense.send_command`; with the cloud away it is queued at once."""
    response = await hass.services.async_call(
        DOMAIN,
        "send_command",
        {"device_id": device_id, "command": command, "parameter": parameter},
        blocking=True,
        return_response=True,
    )
    assert isinstance(response, dict)
    drill.commands[command_key(device_id, command, parameter)] = str(response["outcome"])


async def queue_commands(hass: HomeAssistant, drill: Drill, *, early: bool) -> None:
    """Every bulb's commands queued early (they expire while Home Assistant is down), or
    the others."""
    for index in range(1, DEVICES + 1):
        device_id = f"{index:012d}"
        for command, parameter, queued_early in device_commands(index, drill.scale.per_device):
            if queued_early == early:
                if early:
                    drill.early_commands.add(command_key(device_id, command, parameter))
                await while_timers_run(hass, send(hass, drill, device_id, command, parameter))


@dataclass
class CommandCounts:
    """What became of the commands."""

    queued: int = 0
    delivered_once: int = 0
    expired: int = 0
    lost: int = 0
    delivered_twice: int = 0
    # Delivered or expired, but its result event missing, repeated or saying otherwise.
    wrong_event: int = 0


def count_commands(simulator: Simulator, drill: Drill) -> CommandCounts:
    """Each command against what the cloud ran and the result events said."""
    delivered = Counter(
        command_key(call["path"].split("/")[-2], call["body"]["command"], call["body"]["parameter"])
        for call in simulator.calls
        if call["path"].endswith("/commands") and call["status_code"] == 100
    )
    counts = CommandCounts(queued=Counter(drill.commands.values())["queued"])
    for key in drill.commands:
        results = drill.command_results.get(key, [])
        if delivered[key] > 1:
            counts.delivered_twice += 1
        elif delivered[key] == 1:
            counts.delivered_once += 1
            counts.wrong_event += results != ["succeeded"]
        elif results == ["expired"]:
            counts.expired += 1
        else:
            counts.lost += 1
    return counts


# --- edge jobs ----------------------------------------------------------------------------


async def queue_edge_work(edge: EdgeManager, drill: Drill, count: int) -> list[str]:
    """`count` jobs over the edge devices; each device fetched about half of its jobs."""
    devices = [
        (await edge.async_register(f"Edge {n}", "raspberrypi4", ["gpio"], {}))[0].device_id
        for n in range(EDGE_DEVICES)
    ]
    for n in range(count):
        device_id = devices[n % EDGE_DEVICES]
        job = await edge.async_submit(device_id, command="blink", payload={"n": n}, ttl=JOB_TTL)
        drill.jobs[job.job_id] = device_id
    for device_id in devices:
        for _ in range(count // EDGE_DEVICES // 2):
            assert await edge.async_next_job(device_id, 0) is not None
    return devices


async def last_second_edge_work(edge: EdgeManager, drill: Drill, devices: list[str]) -> None:
    """Within the write delay before the stop: jobs submitted, and others fetched."""
    count = drill.scale.last_second_jobs
    for n in range(count):
        job = await edge.async_submit(devices[n % 2], command="late", ttl=JOB_TTL)
        drill.jobs[job.job_id] = job.device_id
        drill.jobs_last_second.add(job.job_id)
    for n in range(count):
        fetched = await edge.async_next_job(devices[2 + n % 2], 0)
        assert fetched is not None
        drill.jobs_last_second.add(fetched.job_id)


def compare_jobs(at_stop: dict[str, JobStatus], edge: EdgeManager, drill: Drill) -> None:
    """What the started Home Assistant knows of each job, against the stopped one."""
    for job_id, status in at_stop.items():
        job = edge.jobs.get(job_id)
        if job is None:
            drill.jobs_missing.add(job_id)
        elif status is JobStatus.DISPATCHED and job.status is JobStatus.QUEUED:
            drill.jobs_back_as_queued.add(job_id)


async def finish_edge_work(edge: EdgeManager, drill: Drill, devices: list[str]) -> None:
    """Half the devices report what they were running and fetch the rest; the other half
    are gone for good (their jobs time out or expire)."""
    answering = devices[: EDGE_DEVICES // 2]
    for job_id, device_id in drill.jobs.items():
        job = edge.jobs.get(job_id)
        if device_id in answering and job is not None and job.dispatched_at is not None:
            try:
                edge.report(device_id, job_id, JobStatus.SUCCEEDED, result={"ok": True})
            except JobConflictError:
                drill.reports_refused += 1
    for device_id in answering:
        while (job := await edge.async_next_job(device_id, 0)) is not None:
            drill.dispatched_again += job.job_id in drill.jobs_back_as_queued
            edge.report(device_id, job.job_id, JobStatus.SUCCEEDED, result={"ok": True})


# --- rules with delayed actions -----------------------------------------------------------


def rule_fields(index: int, *delays: float) -> dict[str, Any]:
    """A rule that acts at once and then after each delay; the drill runs it.

    Its second action (step 1) is the delayed action the drill follows.
    """
    return {
        "name": f"Drill rule {index}",
        "actions": [
            {
                "type": "service",
                "service": "drill.act",
                "data": {"rule": index, "step": step},
                "delay": delay,
            }
            for step, delay in enumerate((0, *delays))
        ],
        "schedule": {"type": "once", "at": "2099-01-01T00:00:00+00:00"},
    }


async def run_rule(hass: HomeAssistant, drill: Drill, kind: str, *delays: float) -> None:
    engine = get_shared(hass).automation
    index = len(drill.rules)
    rule = engine.create(rule_fields(index, *delays), None)
    drill.rules[index] = rule["id"]
    drill.rule_kinds[index] = kind
    await engine.async_execute(rule["id"], None)


async def run_rules(hass: HomeAssistant, drill: Drill) -> None:
    """A minute before the stop: every rule but the last second's runs."""
    plain = drill.scale.rules - 2 * drill.scale.last_second_rules
    kinds = (("skipped", SKIPPED_DELAY), ("late", LATE_DELAY), ("on time", ON_TIME_DELAY))
    for n in range(plain):
        await run_rule(hass, drill, *kinds[n % len(kinds)])
    # Their run still waits at the stop, for a third action.
    for _ in range(drill.scale.last_second_rules):
        await run_rule(hass, drill, "ran in the last second", LAST_SECOND_DELAY, ON_TIME_DELAY)


async def last_second_rules(hass: HomeAssistant, drill: Drill) -> None:
    """Within the write delay before the stop: runs start, their delayed action due later."""
    for _ in range(drill.scale.last_second_rules):
        await run_rule(hass, drill, "started in the last second", ON_TIME_DELAY)


@dataclass
class ActionCounts:
    """What became of the delayed actions."""

    ran_once: int = 0
    skipped: int = 0
    lost: int = 0
    ran_twice: int = 0
    # Ran before the stop, yet recorded as skipped after it.
    ran_but_recorded_skipped: int = 0
    skip_reasons: set[str] = field(default_factory=set)
    by_kind: dict[str, Counter[str]] = field(default_factory=dict)


def count_actions(hass: HomeAssistant, drill: Drill) -> ActionCounts:
    """Each delayed action against its runs and its rule's run history."""
    history = get_shared(hass).automation.history
    counts = ActionCounts()
    for index, rule_id in drill.rules.items():
        runs = drill.action_runs[index]
        skips = [
            result
            for record in history.get(rule_id, [])
            for result in record["results"]
            if result["index"] == 1 and result["status"] == "skipped"
        ]
        counts.skip_reasons.update(str(result["error"]) for result in skips)
        if runs > 1:
            fate = "ran twice"
            counts.ran_twice += 1
        elif runs == 1:
            fate = "ran once"
            counts.ran_once += 1
            counts.ran_but_recorded_skipped += bool(skips)
        elif skips and all(result["error"] for result in skips):
            fate = "skipped"
            counts.skipped += 1
        else:
            fate = "lost"
            counts.lost += 1
        counts.by_kind.setdefault(drill.rule_kinds[index], Counter())[fate] += 1
    return counts


# --- the drill ----------------------------------------------------------------------------


def report(drill: Drill, commands: CommandCounts, actions: ActionCounts) -> str:
    terminal = sum(drill.job_finished[job_id] == 1 for job_id in drill.jobs)
    outcomes = ", ".join(f"{name} {n}" for name, n in sorted(drill.job_outcomes.items()))
    lines = [
        f"restart drill ({'hard stop, no final write' if drill.hard else 'clean stop'}),"
        f" {DOWNTIME.total_seconds() / 60:.0f} min down, the cloud down throughout",
        f"commands: {len(drill.commands)} issued over {DEVICES} devices ({commands.queued}"
        f" queued); delivered once {commands.delivered_once}, expired with an event"
        f" {commands.expired}, lost {commands.lost}, delivered twice {commands.delivered_twice},"
        f" result event wrong or missing {commands.wrong_event}",
        f"edge jobs: {len(drill.jobs)} queued or dispatched at the stop; terminal {terminal},"
        f" not terminal {len(drill.jobs) - terminal}, finished twice"
        f" {sum(n > 1 for n in drill.job_finished.values())} ({outcomes}); results refused"
        f" after the start {drill.reports_refused}",
        f"delayed actions: {len(drill.rules)} pending at the stop; ran once {actions.ran_once},"
        f" skipped with a reason {actions.skipped}, lost {actions.lost},"
        f" ran twice {actions.ran_twice}",
    ]
    if drill.hard:
        unwritten = sorted(set().union(*drill.unwritten))
        lines += [
            f"the stop left unwritten ({DEFAULT_SAVE_DELAY:.0f} s delayed writes):"
            f" {', '.join(unwritten) or 'nothing'}; of the last second's work, lost:",
            f"  edge jobs accepted in the last second, gone: {len(drill.jobs_missing)};"
            f" fetched in the last second, back as queued: {len(drill.jobs_back_as_queued)}"
            f" (handed out again {drill.dispatched_again})",
            f"  delayed actions of runs started in the last second, lost: {actions.lost};"
            f" run in the last second, then recorded as skipped:"
            f" {actions.ran_but_recorded_skipped}",
        ]
    return "\n".join(lines)


@pytest.mark.slow
@pytest.mark.timeout(600)  # the full scale (--long) on a busy machine
@pytest.mark.parametrize("mode", ["clean", "hard"])
async def test_restart_drill(
    mode: str,
    request: pytest.FixtureRequest,
    simulator: Simulator,
    hass_storage: dict[str, Any],
    tmp_path: Path,
    freezer: FrozenDateTimeFactory,
) -> None:
    scale = FULL if long_run(request.config) else DEFAULT
    drill = Drill(hard=mode == "hard", scale=scale, base_url=simulator.base_url)
    disk = Disk(hass_storage, tmp_path)
    port = simulator.port
    freezer.move_to(STOP - EARLY - timedelta(minutes=10))

    async with home_assistant(tmp_path) as hass:
        await start_roomsense(hass, drill)
        shared = get_shared(hass)
        await simulator.stop()  # the cloud goes away
        await advance(hass, freezer, 600)
        await queue_commands(hass, drill, early=True)
        await advance(hass, freezer, (EARLY - timedelta(minutes=1)).total_seconds())
        await queue_commands(hass, drill, early=False)
        devices = await queue_edge_work(shared.edge, drill, scale.jobs - scale.last_second_jobs)
        await run_rules(hass, drill)
        await advance(hass, freezer, 59)
        # The last second: no delayed write has written any of it yet.
        await last_second_edge_work(shared.edge, drill, devices)
        await last_second_rules(hass, drill)
        at_stop = {job_id: job.status for job_id, job in shared.edge.jobs.items()}
        assert len(at_stop) == scale.jobs
        assert not any(job.finished for job in shared.edge.jobs.values())
        assert len(shared.automation.pending) == scale.rules
        await stop(hass, disk, hard=drill.hard)
    drill.unwritten = disk.unwritten

    freezer.tick(DOWNTIME)
    async with home_assistant(tmp_path) as hass:
        await start_roomsense(hass, drill)
        edge = get_shared(hass).edge
        compare_jobs(at_stop, edge, drill)
        await finish_edge_work(edge, drill, devices)
        await simulator.start(host="127.0.0.1", port=port)  # the cloud is back
        # Its pushes of the bulbs' changes would go to loopback's discard port: skip them.
        simulator.webhooks.dropping = True
        # Past every deadline: the delayed actions, the result timeouts, the expiries.
        await advance(hass, freezer, JOB_TTL + 60)
        actions = count_actions(hass, drill)
        for entry in hass.config_entries.async_entries(DOMAIN):
            await hass.config_entries.async_unload(entry.entry_id)
    commands = count_commands(simulator, drill)

    figures = report(drill, commands, actions)
    print(f"\n{figures}")
    FIGURES_DIR.mkdir(exist_ok=True)
    (FIGURES_DIR / f"restart_drill_{mode}.txt").write_text(f"{figures}\n")

    # Commands: in the log before the service answered, so no stop loses one.
    assert commands.queued == scale.commands
    assert (commands.lost, commands.delivered_twice, commands.wrong_event) == (0, 0, 0)
    assert commands.expired == len(drill.early_commands) == DEVICES
    # Jobs: each ends once, but for what a hard stop's unwritten second lost.
    written_jobs = drill.jobs.keys() - drill.jobs_last_second
    assert all(drill.job_finished[job_id] == 1 for job_id in written_jobs)
    assert all(count == 1 for count in drill.job_finished.values())
    # Delayed actions: due past the grace, skipped with the reason; the others ran once.
    kinds = Counter(drill.rule_kinds.values())
    assert actions.by_kind["skipped"] == {"skipped": kinds["skipped"]}
    assert actions.by_kind["late"] == {"ran once": kinds["late"]}
    assert actions.by_kind["on time"] == {"ran once": kinds["on time"]}
    assert actions.skip_reasons == {SKIP_REASON}
    assert actions.ran_twice == 0
    # Written ahead, so even a hard stop loses nothing of the last second.
    last_second = scale.last_second_rules
    assert len(drill.job_finished) == scale.jobs
    assert not drill.jobs_missing
    assert not drill.jobs_back_as_queued
    assert drill.reports_refused == 0
    assert actions.by_kind["started in the last second"] == {"ran once": last_second}
    assert actions.by_kind["ran in the last second"] == {"ran once": last_second}
    assert actions.ran_but_recorded_skipped == 0
    assert actions.lost == 0


# --- the last second before a stop, case by case ---------------------------------------


async def killed_after[T](
    tmp_path: Path,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    drill: Drill,
    before: Callable[[HomeAssistant], Awaitable[T]],
    downtime: timedelta = DOWNTIME,
) -> T:
    """Home Assistant does `before(hass)` and is killed at once; then `downtime` passes.

    Returns what `before` returned; the caller starts the next Home Assistant.
    """
    disk = Disk(hass_storage, tmp_path)
    freezer.move_to(STOP)
    async with home_assistant(tmp_path) as hass:
        await start_roomsense(hass, drill)
        result = await before(hass)
        await stop(hass, disk, hard=True)
    freezer.tick(downtime)
    return result


async def test_a_job_accepted_just_before_a_hard_stop_is_kept(
    hass_storage: dict[str, Any], tmp_path: Path, freezer: FrozenDateTimeFactory
) -> None:
    drill = Drill(hard=True, scale=DEFAULT)

    async def submit(hass: HomeAssistant) -> tuple[str, str]:
        edge = get_shared(hass).edge
        device, _token = await edge.async_register("Pi", "raspberrypi4", ["gpio"], {})
        await edge.async_flush()  # the device itself is old news
        return device.device_id, (await edge.async_submit(device.device_id, command="blink")).job_id

    device_id, job_id = await killed_after(tmp_path, hass_storage, freezer, drill, submit)
    async with home_assistant(tmp_path) as hass:
        await start_roomsense(hass, drill)
        edge = get_shared(hass).edge
        assert device_id in edge.devices
        assert job_id in edge.jobs


async def test_a_job_fetched_just_before_a_hard_stop_is_not_handed_out_again(
    hass_storage: dict[str, Any], tmp_path: Path, freezer: FrozenDateTimeFactory
) -> None:
    drill = Drill(hard=True, scale=DEFAULT)

    async def fetch(hass: HomeAssistant) -> tuple[str, str]:
        edge = get_shared(hass).edge
        device, _token = await edge.async_register("Pi", "raspberrypi4", ["gpio"], {})
        job = await edge.async_submit(device.device_id, command="blink")
        await edge.async_flush()
        assert await edge.async_next_job(device.device_id, 0) is job
        return device.device_id, job.job_id

    device_id, job_id = await killed_after(
        tmp_path, hass_storage, freezer, drill, fetch, downtime=timedelta(seconds=30)
    )
    async with home_assistant(tmp_path) as hass:
        await start_roomsense(hass, drill)
        edge = get_shared(hass).edge
        assert await edge.async_next_job(device_id, 0) is None
        # The device's result, once it comes, is taken.
        edge.report(device_id, job_id, JobStatus.SUCCEEDED)
        assert edge.jobs[job_id].status is JobStatus.SUCCEEDED


async def test_a_dispatched_job_keeps_its_result_timeout_across_a_restart(
    simulator: Simulator,
    hass_storage: dict[str, Any],
    tmp_path: Path,
    freezer: FrozenDateTimeFactory,
) -> None:
    drill = Drill(hard=False, scale=DEFAULT, base_url=simulator.base_url)
    disk = Disk(hass_storage, tmp_path)
    freezer.move_to(STOP)
    async with home_assistant(tmp_path) as hass:
        await start_roomsense(hass, drill)
        edge = get_shared(hass).edge
        assert edge.result_timeout == RESULT_TIMEOUT
        device, _token = await edge.async_register("Pi", "raspberrypi4", ["gpio"], {})
        job = await edge.async_submit(device.device_id, command="blink")
        assert await edge.async_next_job(device.device_id, 0) is job
        await stop(hass, disk, hard=False)
    # Down for five minutes: well within the job's hour.
    freezer.tick(timedelta(minutes=5))
    async with home_assistant(tmp_path) as hass:
        await start_roomsense(hass, drill)
        await hass.async_block_till_done()
        edge = get_shared(hass).edge
        edge.report(device.device_id, job.job_id, JobStatus.SUCCEEDED)
        assert edge.jobs[job.job_id].status is JobStatus.SUCCEEDED
        for entry in hass.config_entries.async_entries(DOMAIN):
            await hass.config_entries.async_unload(entry.entry_id)


async def test_a_run_started_just_before_a_hard_stop_keeps_its_delayed_action(
    hass_storage: dict[str, Any], tmp_path: Path, freezer: FrozenDateTimeFactory
) -> None:
    drill = Drill(hard=True, scale=DEFAULT)

    async def run(hass: HomeAssistant) -> None:
        engine = get_shared(hass).automation
        rule = engine.create(rule_fields(0, ON_TIME_DELAY), None)
        drill.rules[0] = rule["id"]
        await engine.async_flush()  # the rule itself is old news
        await engine.async_execute(rule["id"], None)

    await killed_after(tmp_path, hass_storage, freezer, drill, run)
    async with home_assistant(tmp_path) as hass:
        await start_roomsense(hass, drill)
        await advance(hass, freezer, ON_TIME_DELAY)
        assert drill.action_runs[0] == 1


async def test_an_action_run_just_before_a_hard_stop_does_not_run_again(
    hass_storage: dict[str, Any], tmp_path: Path, freezer: FrozenDateTimeFactory
) -> None:
    drill = Drill(hard=True, scale=DEFAULT)

    async def run(hass: HomeAssistant) -> None:
        engine = get_shared(hass).automation
        rule = engine.create(rule_fields(0, LAST_SECOND_DELAY, ON_TIME_DELAY), None)
        drill.rules[0] = rule["id"]
        await engine.async_execute(rule["id"], None)
        await advance(hass, freezer, LAST_SECOND_DELAY - 1)  # everything so far is written
        await advance(hass, freezer, 1)  # the delayed action runs; its end is not written
        assert drill.action_runs[0] == 1

    # Back within the grace: an action still pending would run late.
    await killed_after(tmp_path, hass_storage, freezer, drill, run, downtime=timedelta(minutes=1))
    async with home_assistant(tmp_path) as hass:
        await start_roomsense(hass, drill)
        await advance(hass, freezer, ON_TIME_DELAY)
        assert drill.action_runs[0] == 1
