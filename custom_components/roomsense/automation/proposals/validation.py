"""`validate`: whether a workflow may be saved, and what to tell the user about it."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Final

import probatio

from ...home_model import DeviceKind, HomeDevice, HomeSnapshot
from ..models import WORKFLOW_SCHEMA
from .conflicts import _conflicts
from .const import AC_SETPOINT_RANGE, MIN_QUOTA_FRIENDLY_INTERVAL
from .home import _Home, _is_cooler, _is_garage, _is_lock
from .values import _items, _number

# Commands that let someone in; never run by an automation.
_UNLOCKING: Final = frozenset({"unlock", "unlatch", "open", "deadbolt", "nightLatchUnlock"})
_GARAGE_OPENING: Final = frozenset({"turnOn", "open", "toggle", "press"})
_UNSAFE_SERVICES: Final = frozenset({"lock.unlock", "lock.open"})
_COVER_OPENING_SERVICES: Final = frozenset({"cover.open_cover", "cover.toggle"})


def validate(
    suggestion: Any,
    *,
    snapshot: HomeSnapshot,
    rules: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """Whether a workflow may be saved as a rule, and what to tell the user about it.

    `{"valid", "errors", "warnings", "conflicts": [{"rule_id", "reason"}],
    "safety": {"safe", "issues"}}`. Valid: the schema accepts it, every device and scene it
    names exists, and it is safe (never an automatic unlock or garage opening). Conflicts
    (another rule sending the opposite command to the same device at an overlapping time,
    or the very same rule) do not make it invalid: the user decides.
    """
    home = _Home(snapshot)
    data, errors = _read_workflow(suggestion)
    actions = _items(data.get("actions"))
    reference_errors, warnings = _reference_checks(actions, _items(data.get("conditions")), home)
    errors.extend(reference_errors)
    warnings.extend(_quota_warnings(data.get("schedule"), actions))
    issues = _safety_issues(actions, home)
    errors.extend(f"unsafe: {issue}" for issue in issues)
    conflicts = _conflicts(data, rules, home) if actions else []
    return {
        "valid": not errors,
        "errors": errors,
        "warnings": warnings,
        "conflicts": conflicts,
        "safety": {"safe": not issues, "issues": issues},
    }


def _read_workflow(suggestion: Any) -> tuple[Mapping[str, Any], list[str]]:
    """The workflow as the schema reads it (as given where the schema refuses it), and errors."""
    errors: list[str] = []
    if not isinstance(suggestion, Mapping):
        errors.append("a workflow is an object")
        suggestion = {}
    workflow: Mapping[str, Any] | None = None
    try:
        workflow = WORKFLOW_SCHEMA(dict(suggestion))
    except probatio.Invalid as err:
        errors.extend(_humanize(err))
    return (workflow if workflow is not None else suggestion), errors


def _reference_checks(
    actions: Sequence[Mapping[str, Any]],
    conditions: Sequence[Mapping[str, Any]],
    home: _Home,
) -> tuple[list[str], list[str]]:
    """(errors, warnings) of the devices and scenes a workflow names, and of its commands."""
    errors: list[str] = []
    warnings: list[str] = []
    for index, action in enumerate(actions):
        device_id = action.get("device_id")
        if action.get("type") == "device_command" and isinstance(device_id, str):
            if device_id not in home.devices:
                errors.append(f"actions[{index}]: unknown device {device_id}")
            else:
                found_errors, found_warnings = _command_checks(
                    home.devices[device_id], action, index
                )
                errors.extend(found_errors)
                warnings.extend(found_warnings)
        scene_id = action.get("scene_id")
        if (
            action.get("type") == "scene"
            and isinstance(scene_id, str)
            and scene_id not in home.scene_ids
        ):
            errors.append(f"actions[{index}]: unknown scene {scene_id}")
    for index, condition in enumerate(conditions):
        device_id = condition.get("device_id")
        if isinstance(device_id, str) and device_id not in home.devices:
            errors.append(f"conditions[{index}]: unknown device {device_id}")
    return errors, warnings


def _quota_warnings(schedule: Any, actions: Sequence[Mapping[str, Any]]) -> list[str]:
    """A warning for a schedule that would spend the SwitchBot account's daily calls fast."""
    if (
        isinstance(schedule, Mapping)
        and schedule.get("type") == "interval"
        and (minutes := _number(schedule.get("minutes"))) is not None
        and minutes < MIN_QUOTA_FRIENDLY_INTERVAL
        and any(action.get("type") == "device_command" for action in actions)
    ):
        return [
            f"runs every {minutes:g} min: each run is a SwitchBot cloud call, and the account "
            f"has 10,000 a day; {MIN_QUOTA_FRIENDLY_INTERVAL} minutes or more is kinder"
        ]
    return []


def _humanize(err: probatio.Invalid) -> list[str]:
    """Schema errors as "actions[0].command: required key not provided"."""
    found = err.errors if isinstance(err, probatio.MultipleInvalid) else [err]
    messages = []
    for error in found:
        where = ""
        for part in error.path:
            where += f"[{part}]" if isinstance(part, int) else f".{part}" if where else str(part)
        messages.append(f"{where}: {error.msg}" if where else str(error.msg))
    return messages


def _command_checks(
    device: HomeDevice, action: Mapping[str, Any], index: int
) -> tuple[list[str], list[str]]:
    """(errors, warnings) of one device command."""
    command = str(action.get("command", ""))
    parameter = action.get("parameter", "default")
    where = f"actions[{index}]"
    if device.kind is DeviceKind.SENSOR:
        return [], [f"{where}: {device.name} is a sensor and takes no commands"]
    if not _is_cooler(device):
        return [], []
    if command == "turnOn":
        return [], [
            f"{where}: turns {device.name} on without a temperature: it starts at its last "
            'setting; setAll "26,2,1,on" says which'
        ]
    if command == "setAll":
        fields = str(parameter).split(",")
        setpoint = _number(fields[0]) if len(fields) == 4 else None
        if setpoint is None or fields[3].strip() not in ("on", "off"):
            # The cloud refuses it (statusCode 160): it could never run.
            return [f'{where}: setAll takes "temperature,mode,fan,on|off", e.g. "26,2,1,on"'], []
        low, high = AC_SETPOINT_RANGE
        if not low <= setpoint <= high:
            return [], [f"{where}: {setpoint:g}°C is outside the usual {low}-{high}°C"]
    return [], []


def _safety_issues(actions: Sequence[Mapping[str, Any]], home: _Home) -> list[str]:
    """What in these actions would let someone in without a person deciding it."""
    issues: list[str] = []
    for index, action in enumerate(actions):
        kind = action.get("type")
        command = str(action.get("command", ""))
        where = f"actions[{index}]"
        if kind == "device_command":
            device = home.devices.get(str(action.get("device_id", "")))
            if device is None:
                if command in _UNLOCKING - {"open"}:
                    issues.append(f"{where}: {command} is never run automatically")
            elif _is_lock(device) and command in _UNLOCKING:
                issues.append(f"{where}: an automation never unlocks {device.name} ({command})")
            elif _is_garage(device) and command in _GARAGE_OPENING:
                issues.append(f"{where}: an automation never opens {device.name} ({command})")
        elif kind == "service":
            service = str(action.get("service", ""))
            payload = json.dumps(
                [action.get("data"), action.get("target")], default=str, ensure_ascii=False
            ).lower()
            data = action.get("data")
            sent = data.get("command") if isinstance(data, Mapping) else None
            if service in _UNSAFE_SERVICES:
                issues.append(f"{where}: an automation never calls {service}")
            elif service in _COVER_OPENING_SERVICES and "garage" in payload:
                issues.append(f"{where}: an automation never opens a garage ({service})")
            elif sent in _UNLOCKING - {"open"}:
                issues.append(f"{where}: {sent} is never run automatically")
    return issues
