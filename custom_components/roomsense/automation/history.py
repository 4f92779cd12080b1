"""The runs of automation rules: planned, read back after a restart, and recorded.

A run is planned whole when it starts: every action gets the moment it is due. It waits in
the engine's store until its last action is done, then becomes a record in the history
(its own store, written less often: it is large and may wait).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any, Final

from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from .conditions import Evaluation
from .models import MAX_HISTORY, RULE_FIELD_NAMES, RULE_INPUT_SCHEMA

HISTORY_STORAGE_KEY: Final = f"{DOMAIN}.automation_history"
# Up to 50 runs per rule: written at most every half minute, and when Home Assistant stops.
HISTORY_SAVE_DELAY: Final = 30.0

STATUS_SUCCESS: Final = "success"
STATUS_FAILURE: Final = "failure"
STATUS_PARTIAL: Final = "partial"
# A step whose action has started: found so after a restart, it may or may not have run.
STATUS_RUNNING: Final = "running"
# A delayed action that should have run while Home Assistant was down: run it if it is no
# later than this, otherwise skip it (turning the heating on an hour late helps nobody).
MISSED_GRACE: Final = timedelta(minutes=10)


def iso(moment: datetime) -> str:
    """A moment as the store keeps it."""
    return moment.isoformat()


def planned_run(
    rule: dict[str, Any],
    trigger: str,
    slot_id: str,
    evaluation: Evaluation,
    user_id: str | None,
) -> dict[str, Any]:
    """A new run of `rule`: every action due after the delays before it, from now."""
    started = dt_util.utcnow()
    due = started
    steps = []
    for index, action in enumerate(rule["actions"]):
        due += timedelta(seconds=float(action.get("delay", 0)))
        steps.append({"index": index, "due": iso(due), "status": "pending"})
    return {
        "id": uuid.uuid4().hex,
        "rule_id": rule["id"],
        "trigger": trigger,
        "slot": slot_id,
        "executed_at": iso(started),
        "user_id": user_id if user_id is not None else rule.get("created_by"),
        "conditions": [result.as_dict() for result in evaluation.results],
        "steps": steps,
        "actions": rule["actions"],
    }


def skip_missed_steps(run: dict[str, Any], why: str) -> None:
    """Mark the steps overdue by more than `MISSED_GRACE` skipped: they are not run late.

    A step found running was cut off by a stop: it may or may not have acted, and it is
    never run a second time.
    """
    now = dt_util.utcnow()
    for step in run["steps"]:
        if step["status"] == STATUS_RUNNING:
            step.update(status="skipped", error=f"{why} while it ran: it may not have run")
        elif (
            step["status"] == "pending" and now - datetime.fromisoformat(step["due"]) > MISSED_GRACE
        ):
            step.update(status="skipped", error=f"missed while {why}")


def run_record(run: dict[str, Any]) -> dict[str, Any]:
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


def executed_event_data(rule: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
    """What the event of a finished run says (automations and the operations log read it)."""
    return {
        "rule_id": rule["id"],
        "name": rule["name"],
        "execution_id": record["id"],
        "status": record["status"],
        "trigger": record["trigger"],
        "slot": record["slot"],
    }


def add_to_history(history: dict[str, list[dict[str, Any]]], record: dict[str, Any]) -> None:
    """Keep the record among its rule's last `MAX_HISTORY` runs."""
    runs = history.setdefault(record["rule_id"], [])
    runs.append(record)
    del runs[:-MAX_HISTORY]


def readable_rule(raw: dict[str, Any]) -> dict[str, Any]:
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


def readable_run(raw: dict[str, Any], rules: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A stored waiting run whose rule still exists, every step with its index and time."""
    if raw["rule_id"] not in rules or not isinstance(raw["id"], str):
        raise KeyError(raw.get("rule_id"))
    for step in raw["steps"]:
        datetime.fromisoformat(step["due"])
        if "type" not in raw["actions"][step["index"]]:
            raise KeyError("type")
    return raw


def readable_history(
    stored: Any, rules: dict[str, dict[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """The stored history of the rules that still exist."""
    return {
        rule_id: runs
        for rule_id, runs in (stored.items() if isinstance(stored, dict) else ())
        if rule_id in rules and isinstance(runs, list)
    }


def readable_slots(stored: Any, rules: dict[str, dict[str, Any]]) -> dict[str, str]:
    """The stored last slots of the rules that still exist."""
    return {
        rule_id: slot
        for rule_id, slot in (stored.items() if isinstance(stored, dict) else ())
        if rule_id in rules and isinstance(slot, str)
    }
