"""The automation engine: rules in a `Store`, their scheduler, their runs and history.

A scheduled rule waits on Home Assistant's time tracking for its next slot (no polling
loop). When a slot comes, the engine records it as taken *before* running anything, so a
slot runs at most once, across restarts too; then it evaluates the conditions and runs the
actions in order, each after its own delay. A run still waiting for a delayed action is
kept in the store: after a restart it goes on with the actions left (one overdue by more
than `MISSED_GRACE` is skipped, not run late). A rule without a schedule runs when its
conditions become true (watching the entities they read), not while they stay true.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any, Final

import probatio
from homeassistant.core import (
    CALLBACK_TYPE,
    Event,
    EventStateChangedData,
    HomeAssistant,
    callback,
)
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.event import (
    async_track_point_in_utc_time,
    async_track_state_change_event,
    async_track_time_change,
)
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from ..const import DOMAIN, LOGGER, SIGNAL_ENTRY_LOADED
from ..data import loaded_entries
from .actions import run_action
from .conditions import ConditionEvaluator, Evaluation, SourceResolver
from .models import (
    ACTION_DEVICE_COMMAND,
    ACTION_SCENE,
    CONDITION_TIME,
    MAX_HISTORY,
    RULE_FIELD_NAMES,
    RULE_INPUT_SCHEMA,
)
from .schedule import next_slot

STORAGE_KEY: Final = f"{DOMAIN}.automation"
HISTORY_STORAGE_KEY: Final = f"{DOMAIN}.automation_history"
STORAGE_VERSION: Final = 1
# Rules, taken slots and waiting runs are small and must be current; the history is large
# (up to 50 runs per rule) and may wait. Home Assistant writes both when it stops.
SAVE_DELAY: Final = 1.0
HISTORY_SAVE_DELAY: Final = 30.0
# A delayed action that should have run while Home Assistant was down: run it if it is no
# later than this, otherwise skip it (turning the heating on an hour late helps nobody).
MISSED_GRACE: Final = timedelta(minutes=10)
# Actions that need a loaded RoomSense entry (its devices and scenes).
ACTIONS_ON_DEVICES: Final = frozenset({ACTION_DEVICE_COMMAND, ACTION_SCENE})

EVENT_RULE_EXECUTED: Final = "roomsense_rule_executed"

STATUS_SUCCESS: Final = "success"
STATUS_FAILURE: Final = "failure"
STATUS_PARTIAL: Final = "partial"
TRIGGER_SCHEDULE: Final = "schedule"
TRIGGER_CONDITIONS: Final = "conditions"
TRIGGER_MANUAL: Final = "manual"


class UnknownRuleError(HomeAssistantError):
    """No rule has this id."""


def _iso(moment: datetime) -> str:
    return moment.isoformat()


class AutomationEngine:
    """Every rule of the home, scheduled and run."""

    def __init__(
        self,
        hass: HomeAssistant,
    ) -> None:
        """Nothing is read until `async_load`."""
        self.hass = hass
        self._store: Store[dict[str, Any]] = Store(hass, STORAGE_VERSION, STORAGE_KEY)
        self._history_store: Store[dict[str, list[dict[str, Any]]]] = Store(
            hass, STORAGE_VERSION, HISTORY_STORAGE_KEY
        )
        self.rules: dict[str, dict[str, Any]] = {}
        self.history: dict[str, list[dict[str, Any]]] = {}
        # The last slot each rule took (ISO time), so a slot never runs twice.
        self.slots: dict[str, str] = {}
        # Runs waiting for a delayed action, by execution id.
        self.pending: dict[str, dict[str, Any]] = {}
        self.resolver = SourceResolver(hass)
        self.evaluator = ConditionEvaluator(self.resolver, hass.states.get)
        self._timers: dict[str, CALLBACK_TYPE] = {}
        self._watchers: dict[str, list[CALLBACK_TYPE]] = {}
        self._step_timers: dict[str, CALLBACK_TYPE] = {}
        # Waiting runs whose next action needs RoomSense's devices while no entry is loaded.
        self._waiting_for_entry: set[str] = set()
        self._unsub_entry_loaded: CALLBACK_TYPE | None = None
        self._conditions_were_met: dict[str, bool] = {}
        self._running = False

    # --- storage ------------------------------------------------------------------------

    async def async_load(self) -> None:
        """Read the rules, arm their schedules, and resume runs a restart interrupted."""
        data = await self._store.async_load() or {}
        # One unreadable record must not take the others (or the integration) down.
        for raw in data.get("rules", []):
            try:
                rule = _readable_rule(raw)
            except (AttributeError, KeyError, TypeError, ValueError, probatio.Invalid) as err:
                LOGGER.warning("Skipping an unreadable automation rule: %r", err)
                continue
            self.rules[rule["id"]] = rule
        for raw in data.get("pending", []):
            try:
                run = _readable_run(raw, self.rules)
            except (AttributeError, KeyError, TypeError, ValueError) as err:
                LOGGER.warning("Dropping an unreadable waiting run: %r", err)
                continue
            self.pending[run["id"]] = run
        slots = data.get("slots")
        self.slots = {
            rule_id: slot
            for rule_id, slot in (slots.items() if isinstance(slots, dict) else ())
            if rule_id in self.rules and isinstance(slot, str)
        }
        history = await self._history_store.async_load()
        self.history = {
            rule_id: runs
            for rule_id, runs in (history.items() if isinstance(history, dict) else ())
            if rule_id in self.rules and isinstance(runs, list)
        }

    def _data(self) -> dict[str, Any]:
        return {
            "rules": list(self.rules.values()),
            "slots": self.slots,
            "pending": list(self.pending.values()),
        }

    def _save(self) -> None:
        self._store.async_delay_save(self._data, SAVE_DELAY)

    def _save_history(self) -> None:
        self._history_store.async_delay_save(lambda: self.history, HISTORY_SAVE_DELAY)

    async def async_flush(self) -> None:
        """Write everything now."""
        await self._store.async_save(self._data())
        await self._history_store.async_save(self.history)

    @callback
    def async_start(self) -> None:
        """Arm every enabled rule and resume interrupted runs."""
        self._running = True
        self._unsub_entry_loaded = async_dispatcher_connect(
            self.hass, SIGNAL_ENTRY_LOADED, self._entry_loaded
        )
        for rule in self.rules.values():
            self._arm(rule)
        for run in list(self.pending.values()):
            self._resume(run)

    @callback
    def async_stop(self) -> None:
        """Disarm everything; pending runs stay in the store for the next start."""
        self._running = False
        if self._unsub_entry_loaded is not None:
            self._unsub_entry_loaded()
            self._unsub_entry_loaded = None
        self._waiting_for_entry.clear()
        for rule_id in list(self.rules):
            self._disarm(rule_id)
        for unsub in self._step_timers.values():
            unsub()
        self._step_timers.clear()

    # --- rules --------------------------------------------------------------------------

    def get(self, rule_id: str) -> dict[str, Any]:
        """One rule, or UnknownRuleError."""
        if (rule := self.rules.get(rule_id)) is None:
            raise UnknownRuleError(rule_id)
        return rule

    def create(self, data: dict[str, Any], created_by: str | None) -> dict[str, Any]:
        """Save a new rule from validated fields (a workflow's extras are dropped)."""
        fields = RULE_INPUT_SCHEMA({key: data[key] for key in RULE_FIELD_NAMES if key in data})
        now = _iso(dt_util.utcnow())
        rule = {
            "id": uuid.uuid4().hex,
            **fields,
            "created_by": created_by,
            "updated_by": created_by,
            "created_at": now,
            "updated_at": now,
            "execution_count": 0,
            "last_executed": None,
        }
        self.rules[rule["id"]] = rule
        self.history[rule["id"]] = []
        self._save()
        self._arm(rule)
        return rule

    def update(self, rule_id: str, data: dict[str, Any], updated_by: str | None) -> dict[str, Any]:
        """Replace a rule's fields; its id, owner, history and bookkeeping stay."""
        rule = self.get(rule_id)
        fields = RULE_INPUT_SCHEMA({key: data[key] for key in RULE_FIELD_NAMES if key in data})
        rule.update(fields, updated_at=_iso(dt_util.utcnow()), updated_by=updated_by)
        # A changed schedule starts afresh from now, not from the old schedule's last slot.
        self.slots.pop(rule_id, None)
        self._save()
        self._arm(rule)
        return rule

    def set_enabled(self, rule_id: str, enabled: bool, updated_by: str | None) -> dict[str, Any]:
        """Turn a rule on or off."""
        rule = self.get(rule_id)
        rule["enabled"] = enabled
        rule["updated_at"] = _iso(dt_util.utcnow())
        rule["updated_by"] = updated_by
        self._save()
        self._arm(rule)
        return rule

    def delete(self, rule_id: str) -> None:
        """Forget a rule, its history and any run still waiting."""
        self.get(rule_id)
        self._disarm(rule_id)
        del self.rules[rule_id]
        self.history.pop(rule_id, None)
        self._save_history()
        self.slots.pop(rule_id, None)
        for run_id in [run_id for run_id, run in self.pending.items() if run["rule_id"] == rule_id]:
            self._drop_pending(run_id)
        self._save()

    def evaluate(self, conditions: list[dict[str, Any]]) -> Evaluation:
        """Evaluate conditions now (they are validated already)."""
        return self.evaluator.evaluate(conditions, dt_util.now())

    # --- scheduling ---------------------------------------------------------------------

    def next_run(self, rule: dict[str, Any]) -> datetime | None:
        """The rule's next slot after now and after the last slot it took."""
        if not rule["enabled"] or rule.get("schedule") is None:
            return None
        after = dt_util.now()
        if (taken := self.slots.get(rule["id"])) is not None:
            after = max(after, dt_util.as_local(datetime.fromisoformat(taken)))
        anchor = dt_util.as_local(datetime.fromisoformat(rule["created_at"]))
        return next_slot(rule["schedule"], after, anchor)

    def _arm(self, rule: dict[str, Any]) -> None:
        self._disarm(rule["id"])
        if not self._running or not rule["enabled"]:
            return
        if rule.get("schedule") is not None:
            self._arm_slot(rule)
        else:
            self._watch(rule)

    def _disarm(self, rule_id: str) -> None:
        if (unsub := self._timers.pop(rule_id, None)) is not None:
            unsub()
        for unsub in self._watchers.pop(rule_id, []):
            unsub()
        self._conditions_were_met.pop(rule_id, None)

    def _arm_slot(self, rule: dict[str, Any]) -> None:
        slot = self.next_run(rule)
        if slot is None:
            return
        rule_id = rule["id"]

        @callback
        def _due(_now: datetime) -> None:
            self._timers.pop(rule_id, None)
            self.hass.async_create_task(
                self._async_slot(rule_id, slot), f"{DOMAIN} rule {rule_id}", eager_start=True
            )

        self._timers[rule_id] = async_track_point_in_utc_time(self.hass, _due, slot)

    async def _async_slot(self, rule_id: str, slot: datetime) -> None:
        rule = self.rules.get(rule_id)
        if rule is None or not rule["enabled"]:
            return
        slot_id = _iso(dt_util.as_utc(slot))
        taken = self.slots.get(rule_id)
        if taken is not None and datetime.fromisoformat(taken) >= dt_util.as_utc(slot):
            return  # this slot ran already (or a later one did)
        self.slots[rule_id] = slot_id
        self._save()
        self._arm_slot(rule)
        evaluation = self.evaluator.evaluate(rule["conditions"], dt_util.now())
        if evaluation.met:
            await self._async_start_run(rule, TRIGGER_SCHEDULE, slot_id, evaluation)
        else:
            LOGGER.debug("Rule %s: conditions not met at %s", rule["name"], slot_id)

    def _watch(self, rule: dict[str, Any]) -> None:
        """A rule without a schedule: re-evaluate when what its conditions read changes."""
        rule_id = rule["id"]
        sources = sorted(
            {
                source
                for condition in rule["conditions"]
                for source in self.resolver.sources(condition)
            }
        )
        unsubs: list[CALLBACK_TYPE] = []

        @callback
        def _changed(_event: Event[EventStateChangedData] | datetime) -> None:
            self._on_conditions_changed(rule_id)

        if sources:
            unsubs.append(async_track_state_change_event(self.hass, sources, _changed))
        if any(condition["type"] == CONDITION_TIME for condition in rule["conditions"]):
            unsubs.append(async_track_time_change(self.hass, _changed, second=0))
        self._watchers[rule_id] = unsubs
        # Whatever holds now is the baseline: a restart does not fire a rule again.
        evaluation = self.evaluator.evaluate(rule["conditions"], dt_util.now(), late_only=True)
        self._conditions_were_met[rule_id] = evaluation.met

    @callback
    def _on_conditions_changed(self, rule_id: str) -> None:
        rule = self.rules.get(rule_id)
        if rule is None or not rule["enabled"]:
            return
        evaluation = self.evaluator.evaluate(rule["conditions"], dt_util.now(), late_only=True)
        was_met = self._conditions_were_met.get(rule_id, False)
        self._conditions_were_met[rule_id] = evaluation.met
        if evaluation.met and not was_met:
            slot_id = _iso(dt_util.utcnow())
            self.slots[rule_id] = slot_id
            self._save()
            self.hass.async_create_task(
                self._async_start_run(rule, TRIGGER_CONDITIONS, slot_id, evaluation),
                f"{DOMAIN} rule {rule_id}",
                eager_start=True,
            )

    # --- running ------------------------------------------------------------------------

    async def async_execute(self, rule_id: str, user_id: str | None) -> dict[str, Any]:
        """Run a rule now, whatever its schedule and conditions; its record when done."""
        rule = self.get(rule_id)
        evaluation = self.evaluator.evaluate(rule["conditions"], dt_util.now())
        return await self._async_start_run(
            rule, TRIGGER_MANUAL, _iso(dt_util.utcnow()), evaluation, user_id=user_id
        )

    async def _async_start_run(
        self,
        rule: dict[str, Any],
        trigger: str,
        slot_id: str,
        evaluation: Evaluation,
        *,
        user_id: str | None = None,
    ) -> dict[str, Any]:
        """Plan every action's moment from now and its delays, then run what is due."""
        started = dt_util.utcnow()
        due = started
        steps = []
        for index, action in enumerate(rule["actions"]):
            due += timedelta(seconds=float(action.get("delay", 0)))
            steps.append({"index": index, "due": _iso(due), "status": "pending"})
        run: dict[str, Any] = {
            "id": uuid.uuid4().hex,
            "rule_id": rule["id"],
            "trigger": trigger,
            "slot": slot_id,
            "executed_at": _iso(started),
            "user_id": user_id if user_id is not None else rule.get("created_by"),
            "conditions": [result.as_dict() for result in evaluation.results],
            "steps": steps,
            "actions": rule["actions"],
        }
        self.pending[run["id"]] = run
        self._save()
        await self._async_continue(run["id"])
        return self._record_of(run)

    def _resume(self, run: dict[str, Any], why: str = "Home Assistant was stopped") -> None:
        """After a restart, or once RoomSense is loaded again: skip what is too late, go on."""
        now = dt_util.utcnow()
        for step in run["steps"]:
            if (
                step["status"] == "pending"
                and now - datetime.fromisoformat(step["due"]) > MISSED_GRACE
            ):
                step.update(status="skipped", error=f"missed while {why}")
        self.hass.async_create_task(
            self._async_continue(run["id"]), f"{DOMAIN} resume {run['id']}", eager_start=True
        )

    async def _async_continue(self, run_id: str) -> None:
        """Run the due steps in order; wait (on a timer) for the next one that is not due."""
        run = self.pending.get(run_id)
        if run is None:
            return
        for step in run["steps"]:
            if run_id not in self.pending:
                return  # its rule was deleted while an action ran
            if step["status"] != "pending":
                continue
            due = datetime.fromisoformat(step["due"])
            if due > dt_util.utcnow():
                self._wait_for_step(run_id, due)
                return
            if run["actions"][step["index"]]["type"] in ACTIONS_ON_DEVICES and not loaded_entries(
                self.hass
            ):
                # Due while RoomSense is reloading or not set up yet: go on once it is.
                self._waiting_for_entry.add(run_id)
                return
            await self._async_run_step(run, step)
        self._finish(run)

    @callback
    def _entry_loaded(self) -> None:
        """RoomSense's devices are back: runs that waited for them go on (within the grace)."""
        waiting, self._waiting_for_entry = self._waiting_for_entry, set()

        # On the next loop turn: the entry sends this at the end of its setup, and counts as
        # loaded only once that setup has returned.
        @callback
        def _go_on() -> None:
            for run_id in waiting:
                if self._running and (run := self.pending.get(run_id)) is not None:
                    self._resume(run, "RoomSense was not loaded")

        self.hass.loop.call_soon(_go_on)

    def _wait_for_step(self, run_id: str, due: datetime) -> None:
        @callback
        def _due(_now: datetime) -> None:
            self._step_timers.pop(run_id, None)
            self.hass.async_create_task(
                self._async_continue(run_id), f"{DOMAIN} run {run_id}", eager_start=True
            )

        if (unsub := self._step_timers.pop(run_id, None)) is not None:
            unsub()
        self._step_timers[run_id] = async_track_point_in_utc_time(self.hass, _due, due)

    async def _async_run_step(self, run: dict[str, Any], step: dict[str, Any]) -> None:
        action = run["actions"][step["index"]]
        try:
            result = await run_action(self.hass, action, user_id=run["user_id"])
        except HomeAssistantError as err:
            step.update(status=STATUS_FAILURE, error=str(err) or type(err).__name__)
            LOGGER.info("Rule action %s failed: %s", action["type"], err)
        else:
            step.update(status=STATUS_SUCCESS, result=result)
        step["finished_at"] = _iso(dt_util.utcnow())
        self._save()

    def _finish(self, run: dict[str, Any]) -> None:
        self._drop_pending(run["id"])
        record = self._record_of(run)
        rule = self.rules.get(run["rule_id"])
        if rule is None:
            return
        runs = self.history.setdefault(rule["id"], [])
        runs.append(record)
        del runs[:-MAX_HISTORY]
        rule["execution_count"] = rule.get("execution_count", 0) + 1
        rule["last_executed"] = record["executed_at"]
        self._save()
        self._save_history()
        self.hass.bus.async_fire(
            EVENT_RULE_EXECUTED,
            {
                "rule_id": rule["id"],
                "name": rule["name"],
                "execution_id": record["id"],
                "status": record["status"],
                "trigger": record["trigger"],
                "slot": record["slot"],
            },
        )

    def _drop_pending(self, run_id: str) -> None:
        self.pending.pop(run_id, None)
        if (unsub := self._step_timers.pop(run_id, None)) is not None:
            unsub()

    @staticmethod
    def _record_of(run: dict[str, Any]) -> dict[str, Any]:
        """The history record: success when every action did, failure when none did."""
        steps = run["steps"]
        done = [step for step in steps if step["status"] != "pending"]
        succeeded = sum(step["status"] == STATUS_SUCCESS for step in steps)
        if len(done) < len(steps):
            status = "running"
        elif succeeded == len(steps):
            status = STATUS_SUCCESS
        elif succeeded == 0:
            status = STATUS_FAILURE
        else:
            status = STATUS_PARTIAL
        return {
            "id": run["id"],
            "rule_id": run["rule_id"],
            "executed_at": run["executed_at"],
            "status": status,
            "trigger": run["trigger"],
            "slot": run["slot"],
            "conditions": run["conditions"],
            "results": [
                {
                    "index": step["index"],
                    "type": run["actions"][step["index"]]["type"],
                    "status": step["status"],
                    "result": step.get("result"),
                    "error": step.get("error"),
                    "finished_at": step.get("finished_at"),
                }
                for step in steps
            ],
        }


def _readable_rule(raw: dict[str, Any]) -> dict[str, Any]:
    """A stored rule, its fields checked again and its bookkeeping present."""
    fields = RULE_INPUT_SCHEMA({key: raw[key] for key in RULE_FIELD_NAMES if key in raw})
    if not isinstance(raw["id"], str):
        raise TypeError("a rule id is a string")
    datetime.fromisoformat(raw["created_at"])
    return {
        "created_by": None,
        "updated_by": raw.get("created_by"),
        "updated_at": raw["created_at"],
        "execution_count": 0,
        "last_executed": None,
        **raw,
        **fields,
    }


def _readable_run(raw: dict[str, Any], rules: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A stored waiting run whose rule still exists, every step with its index and time."""
    if raw["rule_id"] not in rules or not isinstance(raw["id"], str):
        raise KeyError(raw.get("rule_id"))
    for step in raw["steps"]:
        datetime.fromisoformat(step["due"])
        if "type" not in raw["actions"][step["index"]]:
            raise KeyError("type")
    return raw
