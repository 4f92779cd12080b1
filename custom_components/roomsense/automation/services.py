"""The automation and scene-learning operations as `roomsense.*` services with responses."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Final

import probatio
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv

from ..const import DOMAIN
from .api import DATA_API, AutomationAPI, AutomationInputError, RuleForbiddenError
from .engine import UnknownRuleError
from .learning_store import UnknownCandidateError

_RULE_ID: Final = {probatio.Required("rule_id"): cv.string}

type Operation = Callable[[AutomationAPI, ServiceCall], Awaitable[dict[str, Any]] | dict[str, Any]]


def _user(call: ServiceCall) -> str | None:
    return call.context.user_id


# name: (schema fields, operation)
SERVICES: Final[dict[str, tuple[dict[Any, Any], Operation]]] = {
    "parse_workflow": (
        {probatio.Required("text"): probatio.All(cv.string, probatio.Length(min=1, max=2000))},
        lambda api, call: api.parse(call.data["text"]),
    ),
    "save_rule": (
        {probatio.Required("workflow"): dict},
        lambda api, call: api.save(call.data["workflow"], _user(call)),
    ),
    "list_rules": ({}, lambda api, _call: api.rules()),
    "get_rule": (_RULE_ID, lambda api, call: api.rule(call.data["rule_id"])),
    "update_rule": (
        {**_RULE_ID, probatio.Required("rule"): dict},
        lambda api, call: api.update(call.data["rule_id"], call.data["rule"], _user(call)),
    ),
    "delete_rule": (_RULE_ID, lambda api, call: api.delete(call.data["rule_id"], _user(call))),
    "toggle_rule": (
        {**_RULE_ID, probatio.Required("enabled"): cv.boolean},
        lambda api, call: api.toggle(call.data["rule_id"], call.data["enabled"], _user(call)),
    ),
    "execute_rule": (_RULE_ID, lambda api, call: api.execute(call.data["rule_id"], _user(call))),
    "get_rule_history": (_RULE_ID, lambda api, call: api.history(call.data["rule_id"])),
    "export_rule": (_RULE_ID, lambda api, call: api.export(call.data["rule_id"])),
    "evaluate_conditions": (
        {probatio.Required("conditions"): list},
        lambda api, call: api.evaluate(call.data["conditions"]),
    ),
    "propose_automations": (
        {
            probatio.Required("events"): list,
            probatio.Optional("language", default="en"): probatio.In(["en", "ja"]),
        },
        lambda api, call: api.proposals(call.data["events"], call.data["language"]),
    ),
    "validate_proposal": (
        {probatio.Required("suggestion"): dict},
        lambda api, call: api.validate_proposal(call.data["suggestion"]),
    ),
    "record_operation": (
        {probatio.Required("operation"): dict},
        lambda api, call: api.record(call.data["operation"], _user(call)),
    ),
    "get_learned_patterns": ({}, lambda api, _call: api.patterns()),
    "get_scene_candidates": (
        {probatio.Optional("context", default=dict): dict},
        lambda api, call: api.candidates(call.data["context"]),
    ),
    "approve_scene_candidate": (
        {probatio.Required("candidate_id"): cv.string, probatio.Optional("name"): cv.string},
        lambda api, call: api.approve(call.data["candidate_id"], call.data.get("name")),
    ),
    "reject_scene_candidate": (
        {probatio.Required("candidate_id"): cv.string},
        lambda api, call: api.reject(call.data["candidate_id"]),
    ),
}


def _handler(
    operation: Operation,
) -> Callable[[ServiceCall], Coroutine[Any, Any, ServiceResponse]]:
    async def handle(call: ServiceCall) -> ServiceResponse:
        api = call.hass.data[DATA_API]
        try:
            outcome = operation(api, call)
            result = await outcome if not isinstance(outcome, dict) else outcome
        except AutomationInputError as err:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="automation_invalid",
                translation_placeholders={"error": str(err)},
            ) from err
        except UnknownRuleError as err:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="unknown_rule",
                translation_placeholders={"rule_id": str(err)},
            ) from err
        except RuleForbiddenError as err:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="rule_forbidden",
                translation_placeholders={"rule_id": err.rule_id},
            ) from err
        except UnknownCandidateError as err:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="unknown_candidate",
                translation_placeholders={"candidate_id": str(err)},
            ) from err
        return result

    return handle


@callback
def async_register_automation_services(hass: HomeAssistant) -> None:
    """Register every automation service once."""
    for name, (fields, operation) in SERVICES.items():
        hass.services.async_register(
            DOMAIN, name, _handler(operation), probatio.Schema(fields), SupportsResponse.OPTIONAL
        )
