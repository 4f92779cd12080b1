"""The automation engine: rules in a `Store`, their scheduler, and their runs.

A scheduled rule waits on Home Assistant's time tracking for its next slot (no polling
loop). When a slot comes, the engine records it as taken *before* running anything, so a
slot runs at most once, across restarts too; then it evaluates the conditions and runs the
actions in order, each after its own delay. A run still waiting for a delayed action is
kept in the store: after a restart it goes on with the actions left (one overdue by more
than `MISSED_GRACE` is skipped, not run late). A rule without a schedule runs when its
conditions become true (watching the entities they read), not while they stay true. What a
run looks like, stored and recorded, is `history.py`'s.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

import probatio
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.util import dt as dt_util

from ..const import DOMAIN, LOGGER, SIGNAL_ENTRY_LOADED
from ..data import loaded_entries
from ..persisted import DelayedStore, readable_records
from .actions import run_action
from .conditions import ConditionEvaluator, Evaluation, SourceResolver
from .history import (
    HISTORY_SAVE_DELAY,
    HISTORY_STORAGE_KEY,
    STATUS_FAILURE,
    STATUS_RUNNING,
    STATUS_SUCCESS,
    add_to_history,
    executed_event_data,
    iso,
    planned_run,
    readable_history,
    readable_rule,
    readable_run,
    readable_slots,
    run_record,
    skip_missed_steps,
)
from .models import ACTION_DEVICE_COMMAND, ACTION_SCENE, RULE_FIELD_NAMES, RULE_INPUT_SCHEMA
from .schedule import next_slot
from .watch import ConditionWatch

if TYPE_CHECKING:
    from ..tools import RoomSenseTools

# Re-exported: the operations log reads the outcomes of runs from here.

STORAGE_KEY: Final = f"{DOMAIN}.automation"
# Actions that need a loaded RoomSense entry (its devices and scenes).
ACTIONS_ON_DEVICES: Final = frozenset({ACTION_DEVICE_COMMAND, ACTION_SCENE})

EVENT_RULE_EXECUTED: Final = "roomsense_rule_executed"

TRIGGER_SCHEDULE: Final = "schedule"
TRIGGER_CONDITIONS: Final = "conditions"
TRIGGER_MANUAL: Final = "manual"


class UnknownRuleError(HomeAssistantError):
    """No rule has this id."""


class AutomationEngine:
    """Every rule of the home, scheduled and run."""

    def __init__(self, hass: HomeAssistant, tools: RoomSenseTools) -> None:
        """Nothing is read until `async_load`; rules act through `tools`."""
        self.hass = hass
        self.tools = tools
        # Rules, taken slots and waiting runs are small and must be current: written after
        # the default moment. The history is large and may wait.
        self._store = DelayedStore(hass, STORAGE_KEY, self._data)
        self._history_store = DelayedStore(
            hass, HISTORY_STORAGE_KEY, lambda: self.history, delay=HISTORY_SAVE_DELAY
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
        self._conditions = ConditionWatch(hass, self.evaluator, self.rules, self._conditions_met)
        self._step_timers: dict[str, CALLBACK_TYPE] = {}
        # Waiting runs whose next action needs RoomSense's devices while no entry is loaded.
        self._waiting_for_entry: set[str] = set()
        self._unsub_entry_loaded: CALLBACK_TYPE | None = None
        self._running = False

    # --- storage ------------------------------------------------------------------------

    async def async_load(self) -> None:
        """Read the rules, arm their schedules, and resume runs a restart interrupted."""
        data = await self._store.async_load() or {}
        for rule in readable_records(
            data.get("rules", []),
            readable_rule,
            (AttributeError, KeyError, TypeError, ValueError, probatio.Invalid),
            "Skipping an unreadable automation rule: %r",
        ):
            self.rules[rule["id"]] = rule
        for run in readable_records(
            data.get("pending", []),
            lambda raw: readable_run(raw, self.rules),
            (AttributeError, KeyError, TypeError, ValueError),
            "Dropping an unreadable waiting run: %r",
        ):
            self.pending[run["id"]] = run
        self.slots = readable_slots(data.get("slots"), self.rules)
        self.history = readable_history(await self._history_store.async_load(), self.rules)

    def _data(self) -> dict[str, Any]:
        return {
            "rules": list(self.rules.values()),
            "slots": self.slots,
            "pending": list(self.pending.values()),
        }

    async def async_flush(self) -> None:
        """Write everything now."""
        await self._store.async_flush()
        await self._history_store.async_flush()

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
        now = iso(dt_util.utcnow())
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
        self._store.save()
        self._arm(rule)
        return rule

    def update(self, rule_id: str, data: dict[str, Any], updated_by: str | None) -> dict[str, Any]:
        """Replace a rule's fields; its id, owner, history and bookkeeping stay."""
        rule = self.get(rule_id)
        fields = RULE_INPUT_SCHEMA({key: data[key] for key in RULE_FIELD_NAMES if key in data})
        rule.update(fields, updated_at=iso(dt_util.utcnow()), updated_by=updated_by)
        # A changed schedule starts afresh from now, not from the old schedule's last slot.
        self.slots.pop(rule_id, None)
        self._store.save()
        self._arm(rule)
        return rule

    def set_enabled(self, rule_id: str, enabled: bool, updated_by: str | None) -> dict[str, Any]:
        """Turn a rule on or off."""
        rule = self.get(rule_id)
        rule["enabled"] = enabled
        rule["updated_at"] = iso(dt_util.utcnow())
        rule["updated_by"] = updated_by
        self._store.save()
        self._arm(rule)
        return rule

    def delete(self, rule_id: str) -> None:
        """Forget a rule, its history and any run still waiting."""
        self.get(rule_id)
        self._disarm(rule_id)
        del self.rules[rule_id]
        self.history.pop(rule_id, None)
        self._history_store.save()
        self.slots.pop(rule_id, None)
        for run_id in [run_id for run_id, run in self.pending.items() if run["rule_id"] == rule_id]:
            self._drop_pending(run_id)
        self._store.save()

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
            self._conditions.watch(rule)

    def _disarm(self, rule_id: str) -> None:
        if (unsub := self._timers.pop(rule_id, None)) is not None:
            unsub()
        self._conditions.unwatch(rule_id)

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
        slot_id = iso(dt_util.as_utc(slot))
        taken = self.slots.get(rule_id)
        if taken is not None and datetime.fromisoformat(taken) >= dt_util.as_utc(slot):
            return  # this slot ran already (or a later one did)
        self.slots[rule_id] = slot_id
        self._store.save()
        self._arm_slot(rule)
        evaluation = self.evaluator.evaluate(rule["conditions"], dt_util.now())
        if evaluation.met:
            await self._async_start_run(rule, TRIGGER_SCHEDULE, slot_id, evaluation)
        else:
            LOGGER.debug("Rule %s: conditions not met at %s", rule["name"], slot_id)

    @callback
    def _conditions_met(self, rule: dict[str, Any], evaluation: Evaluation) -> None:
        """A rule without a schedule fires: its conditions just became true."""
        rule_id = rule["id"]
        slot_id = iso(dt_util.utcnow())
        self.slots[rule_id] = slot_id
        self._store.save()
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
            rule, TRIGGER_MANUAL, iso(dt_util.utcnow()), evaluation, user_id=user_id
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
        run = planned_run(rule, trigger, slot_id, evaluation, user_id)
        self.pending[run["id"]] = run
        # On disk before its first action: a kill must not lose its delayed ones.
        await self._store.async_write_now()
        await self._async_continue(run["id"])
        return run_record(run)

    def _resume(self, run: dict[str, Any], why: str = "Home Assistant was stopped") -> None:
        """After a restart, or once RoomSense is loaded again: skip what is too late, go on."""
        skip_missed_steps(run, why)
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
        """Run one action, written ahead: a step found running after a kill is not run again."""
        action = run["actions"][step["index"]]
        step["status"] = STATUS_RUNNING
        await self._store.async_write_now()
        try:
            result = await run_action(self.hass, self.tools, action, user_id=run["user_id"])
        except HomeAssistantError as err:
            step.update(status=STATUS_FAILURE, error=str(err) or type(err).__name__)
            LOGGER.info("Rule action %s failed: %s", action["type"], err)
        else:
            step.update(status=STATUS_SUCCESS, result=result)
        step["finished_at"] = iso(dt_util.utcnow())
        await self._store.async_write_now()

    def _finish(self, run: dict[str, Any]) -> None:
        self._drop_pending(run["id"])
        record = run_record(run)
        rule = self.rules.get(run["rule_id"])
        if rule is None:
            return
        add_to_history(self.history, record)
        rule["execution_count"] = rule.get("execution_count", 0) + 1
        rule["last_executed"] = record["executed_at"]
        self._store.save()
        self._history_store.save()
        self.hass.bus.async_fire(EVENT_RULE_EXECUTED, executed_event_data(rule, record))

    def _drop_pending(self, run_id: str) -> None:
        self.pending.pop(run_id, None)
        if (unsub := self._step_timers.pop(run_id, None)) is not None:
            unsub()
