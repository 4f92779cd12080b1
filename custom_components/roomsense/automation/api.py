"""The automation operations behind both the HTTP views and the `roomsense.*` services.

Each takes validated input and answers the seed API's response shape. Bad input raises
`AutomationInputError` (HTTP 400, `ServiceValidationError`); an unknown rule or candidate
raises `UnknownRuleError` / `UnknownCandidateError` (HTTP 404).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, Final

import probatio
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.httpx_client import get_async_client
from homeassistant.util import dt as dt_util
from probatio.humanize import humanize_error

from ..const import LOGGER
from ..data import loaded_entries
from ..home_model import HomeSnapshot, SceneInfo
from ..language_models import LLMFactory
from ..safety import OPT_DANGEROUS_COMMANDS, is_dangerous
from ..snapshot import build_snapshot
from .engine import AutomationEngine
from .export import automation_yaml, rule_to_automation
from .learning import OperationRecord
from .learning_store import LearningStore
from .models import CONDITIONS_SCHEMA, WORKFLOW_EXTRAS, WORKFLOW_SCHEMA
from .parser import WorkflowParser
from .proposals import propose, validate

MAX_EVENTS: Final = 1000


class AutomationInputError(ValueError):
    """The request's content is not acceptable; the message says why."""


class RuleForbiddenError(PermissionError):
    """The user may not change or run this rule: it is someone else's, and they are no admin."""

    def __init__(self, rule_id: str) -> None:
        super().__init__(rule_id)
        self.rule_id = rule_id


def _checked(schema: Any, data: Any) -> Any:
    try:
        return schema(data)
    except probatio.Invalid as err:
        raise AutomationInputError(humanize_error(data, err)) from err


class AutomationAPI:
    """The operations, on the engine and the learning store of this Home Assistant."""

    def __init__(self, hass: HomeAssistant, engine: AutomationEngine, learning: LearningStore):
        """Use the shared engine and learning store."""
        self.hass = hass
        self.engine = engine
        self.learning = learning

    # --- what the home has --------------------------------------------------------------

    def snapshot(self, base: HomeSnapshot | None = None) -> HomeSnapshot:
        """The devices and scenes rules may use, learned scenes included (`base`: built already)."""
        snapshot = (
            base if base is not None else build_snapshot(self.hass, loaded_entries(self.hass))
        )
        learned = [
            SceneInfo(scene_id=scene["id"], name=scene["name"])
            for scene in self.learning.scenes.values()
        ]
        return dataclasses.replace(snapshot, scenes=[*snapshot.scenes, *learned])

    # --- workflows and rules --------------------------------------------------------------

    async def parse(self, text: str) -> dict[str, Any]:
        """`{success, workflow, message}` for a sentence."""
        entries = loaded_entries(self.hass)
        adapter = None
        if entries:
            try:
                adapter = LLMFactory.create(
                    entries[0].options,
                    async_get_clientsession(self.hass),
                    http_client=get_async_client(self.hass),
                )
            except ValueError as err:
                LOGGER.debug("No model for parsing workflows: %s", err)
        try:
            result = await WorkflowParser(self.snapshot(), adapter).parse(text, now=dt_util.now())
        finally:
            if adapter is not None:
                await adapter.close()
        return {"success": result.success, "workflow": result.workflow, "message": result.message}

    def save(self, workflow: dict[str, Any], user_id: str | None) -> dict[str, Any]:
        """`{success, rule, message}` for a workflow."""
        rule = self.engine.create(self._acceptable(workflow), user_id)
        return {"success": True, "rule": rule, "message": f"Saved rule {rule['name']}"}

    def rules(self) -> dict[str, Any]:
        """`{success, rules, count}`."""
        rules = [self._with_next_run(rule) for rule in self.engine.rules.values()]
        return {"success": True, "rules": rules, "count": len(rules)}

    def rule(self, rule_id: str) -> dict[str, Any]:
        """`{success, rule}`."""
        return {"success": True, "rule": self._with_next_run(self.engine.get(rule_id))}

    async def _owned(self, rule_id: str, user_id: str | None) -> dict[str, Any]:
        """The rule, when this user may change or run it: its owner or an admin.

        No user (a Home Assistant automation or script calling the service) acts for the
        home's administrators, who set it up.
        """
        rule = self.engine.get(rule_id)
        if user_id is None or rule.get("created_by") == user_id:
            return rule
        user = await self.hass.auth.async_get_user(user_id)
        if user is not None and user.is_admin:
            return rule
        raise RuleForbiddenError(rule_id)

    async def update(
        self, rule_id: str, data: dict[str, Any], user_id: str | None
    ) -> dict[str, Any]:
        """`{success, rule, message}`: the rule's fields replaced, the editor recorded."""
        current = await self._owned(rule_id, user_id)
        # A rule left out of `enabled` stays as it was (the schema would turn it back on).
        fields = self._acceptable({"enabled": current["enabled"], **data})
        rule = self.engine.update(rule_id, fields, user_id)
        return {"success": True, "rule": rule, "message": f"Updated rule {rule['name']}"}

    async def delete(self, rule_id: str, user_id: str | None) -> dict[str, Any]:
        """`{success, message}`."""
        name = (await self._owned(rule_id, user_id))["name"]
        self.engine.delete(rule_id)
        return {"success": True, "message": f"Deleted rule {name}"}

    async def toggle(self, rule_id: str, enabled: bool, user_id: str | None) -> dict[str, Any]:
        """`{success, rule, message}`."""
        await self._owned(rule_id, user_id)
        rule = self.engine.set_enabled(rule_id, enabled, user_id)
        state = "enabled" if enabled else "disabled"
        return {"success": True, "rule": rule, "message": f"Rule {rule['name']} {state}"}

    async def execute(self, rule_id: str, user_id: str | None) -> dict[str, Any]:
        """`{success, execution, message}`: run now, whatever the schedule and conditions.

        The run acts with its owner's permissions as they are now, whoever started it.
        """
        await self._owned(rule_id, user_id)
        execution = await self.engine.async_execute(rule_id, None)
        return {
            "success": execution["status"] != "failure",
            "execution": execution,
            "message": f"Rule run: {execution['status']}",
        }

    def history(self, rule_id: str) -> dict[str, Any]:
        """`{success, history, count}`, newest first."""
        self.engine.get(rule_id)
        runs = list(reversed(self.engine.history.get(rule_id, [])))
        return {"success": True, "history": runs, "count": len(runs)}

    def evaluate(self, conditions: Any) -> dict[str, Any]:
        """`{success, met, results}` for conditions, now."""
        checked = _checked(CONDITIONS_SCHEMA, conditions)
        evaluation = self.engine.evaluate(checked)
        return {"success": True, **evaluation.as_dict()}

    def export(self, rule_id: str) -> dict[str, Any]:
        """`{success, automation, yaml, warnings}`: the rule as a Home Assistant automation."""
        config, warnings = rule_to_automation(
            self.engine.get(rule_id),
            entity_for=self.engine.resolver.entity_for,
            time_zone=dt_util.get_default_time_zone(),
        )
        return {
            "success": True,
            "automation": config,
            "yaml": automation_yaml(config),
            "warnings": warnings,
        }

    def _with_next_run(self, rule: dict[str, Any]) -> dict[str, Any]:
        next_run = self.engine.next_run(rule)
        return {**rule, "next_run": next_run.isoformat() if next_run else None}

    def _acceptable(self, workflow: dict[str, Any]) -> dict[str, Any]:
        """A rule's fields, once the schema, the home and safety all accept them."""
        checked = _checked(WORKFLOW_SCHEMA, workflow)
        # The same checks as a proposal's: devices and scenes exist, nothing opens the home.
        errors = validate(checked, snapshot=self.snapshot(), rules=[])["errors"]
        if errors:
            raise AutomationInputError("; ".join(errors))
        return {key: value for key, value in checked.items() if key not in WORKFLOW_EXTRAS}

    # --- proposals -----------------------------------------------------------------------

    def proposals(self, events: Any, language: str = "en") -> dict[str, Any]:
        """`{proposals}` from recent events."""
        if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
            raise AutomationInputError("events is a list of objects")
        if len(events) > MAX_EVENTS:
            raise AutomationInputError(f"at most {MAX_EVENTS} events")
        found = propose(
            events,
            snapshot=self.snapshot(),
            rules=list(self.engine.rules.values()),
            now=dt_util.now(),
            language=language,
            integrations=self.hass.config.components,
        )
        return {"proposals": found}

    def validate_proposal(self, suggestion: Any) -> dict[str, Any]:
        """`{validation}` of a suggested workflow."""
        if not isinstance(suggestion, dict):
            raise AutomationInputError("suggestion is an object")
        return {
            "validation": validate(
                suggestion, snapshot=self.snapshot(), rules=list(self.engine.rules.values())
            )
        }

    # --- scene learning ------------------------------------------------------------------

    def record(self, operation: Any, user_id: str | None) -> dict[str, Any]:
        """`{success, operation}`: one operation recorded by hand."""
        if not isinstance(operation, dict):
            raise AutomationInputError("operation is an object")
        data = {"timestamp": dt_util.now().isoformat(), "source": "api", **operation}
        if user_id is not None and "user_id" not in data and "userId" not in data:
            data["user_id"] = user_id
        try:
            record = OperationRecord.from_dict(data)
        except (TypeError, ValueError) as err:
            raise AutomationInputError(str(err)) from err
        self.learning.record(record)
        return {"success": True, "operation": record.to_dict()}

    async def patterns(self) -> dict[str, Any]:
        """`{patterns}` found in what was recorded."""
        found = await self.learning.async_patterns()
        return {"patterns": [pattern.to_dict() for pattern in found]}

    async def candidates(self, context: Any) -> dict[str, Any]:
        """`{candidates}` of scenes to save."""
        if context is not None and not isinstance(context, dict):
            raise AutomationInputError("context is an object")
        snapshot = self.snapshot()
        try:
            found = await self.learning.async_candidates(
                context or {},
                device_names={device.device_id: device.name for device in snapshot.devices},
                device_kinds={device.device_id: device.kind for device in snapshot.devices},
                is_dangerous=self._dangerous_operation(snapshot),
            )
        except ValueError as err:
            raise AutomationInputError(str(err)) from err
        return {"candidates": [candidate.to_dict() for candidate in found]}

    def _dangerous_operation(self, snapshot: HomeSnapshot) -> Callable[[dict[str, Any]], bool]:
        """Whether an operation needs a person's yes, by the same rule as every command."""
        types = {device.device_id: device.device_type for device in snapshot.devices}
        entries = loaded_entries(self.hass)
        listed = (entries[0].options.get(OPT_DANGEROUS_COMMANDS) or ()) if entries else ()

        def dangerous(operation: dict[str, Any]) -> bool:
            device_id = operation["device_id"]
            return is_dangerous(device_id, types.get(device_id, ""), operation["command"], listed)

        return dangerous

    def approve(self, candidate_id: str, name: str | None) -> dict[str, Any]:
        """`{success, scene}`: a candidate saved as a learned scene."""
        return {"success": True, "scene": self.learning.approve(candidate_id, name)}

    def reject(self, candidate_id: str) -> dict[str, Any]:
        """`{success}`."""
        self.learning.reject(candidate_id)
        return {"success": True}


# Transitional: read by actions/automation.py, agent/confirmations.py, agent/fallback_turn.py
# and agent/model_tools.py until they move to DATA_SHARED
