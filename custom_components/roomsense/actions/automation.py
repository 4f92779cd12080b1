"""The automation and scene-learning actions, with the REST endpoints the spec names.

Paths, bodies and answers are the seed API's: a saved rule, a recorded operation and an
approved scene answer 201; refusals answer `{"success": false, "message": ...}`. Where the
automation API checks a value itself (events, suggestions, operations, contexts), the
schema only requires it, so there is one place that says what is wrong with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, Final

import probatio
from homeassistant.helpers import config_validation as cv

from ..automation.api import AutomationAPI
from ..shared import get_shared
from .registry import Action, Caller, Rest

_RULES: Final = "automation/workflow/rules"
_RULE: Final = _RULES + "/{rule_id}"
_CANDIDATE: Final = "scenes/learn/candidates/{candidate_id}"
_RULE_ID: Final = {probatio.Required("rule_id"): cv.string}
_TEXT_RULE: Final = "the text is a sentence of 1 to 2000 characters"
_WORKFLOW_RULE: Final = "workflow is an object"
_RULE_FIELDS_RULE: Final = "the rule is an object"
_ENABLED_RULE: Final = "enabled is true or false"
_CONDITIONS_RULE: Final = "conditions is a list"
_NAME_RULE: Final = "name is a text of 1 to 100 characters"


def _api(caller: Caller) -> AutomationAPI:
    return get_shared(caller.hass).automation_api


def _sentence(body: dict[str, Any], _path: Mapping[str, str]) -> dict[str, Any]:
    """The seed API's `naturalLanguage` (or `natural_language`, `text`)."""
    for key in ("naturalLanguage", "natural_language", "text"):
        if body.get(key) is not None:
            return {"text": body[key]}
    return {}


def _rule_fields(body: dict[str, Any], path: Mapping[str, str]) -> dict[str, Any]:
    """A rule's new fields, as they are or under `rule` or `workflow`."""
    return {**path, "rule": body.get("rule", body.get("workflow", body))}


AUTOMATION_ACTIONS: Final = (
    Action(
        name="parse_workflow",
        fields={
            probatio.Required("text", msg=_TEXT_RULE): probatio.All(
                str, probatio.Strip, probatio.Length(min=1, max=2000), msg=_TEXT_RULE
            )
        },
        handler=lambda caller, data: _api(caller).parse(data["text"]),
        rest=(Rest(method="POST", path="automation/workflow/parse", data=_sentence),),
    ),
    Action(
        name="save_rule",
        fields={
            probatio.Required("workflow", msg=_WORKFLOW_RULE): probatio.All(
                dict, msg=_WORKFLOW_RULE
            )
        },
        handler=lambda caller, data: _api(caller).save(data["workflow"], caller.user_id),
        rest=(Rest(method="POST", path="automation/workflow/save", status=HTTPStatus.CREATED),),
    ),
    Action(
        name="list_rules",
        handler=lambda caller, _data: _api(caller).rules(),
        rest=(Rest(method="GET", path=_RULES),),
    ),
    Action(
        name="get_rule",
        fields=_RULE_ID,
        handler=lambda caller, data: _api(caller).rule(data["rule_id"]),
        rest=(Rest(method="GET", path=_RULE),),
    ),
    Action(
        name="update_rule",
        fields={
            **_RULE_ID,
            probatio.Required("rule", msg=_RULE_FIELDS_RULE): probatio.All(
                dict, msg=_RULE_FIELDS_RULE
            ),
        },
        handler=lambda caller, data: _api(caller).update(
            data["rule_id"], data["rule"], caller.user_id
        ),
        rest=(Rest(method="PUT", path=_RULE, data=_rule_fields),),
    ),
    Action(
        name="delete_rule",
        fields=_RULE_ID,
        handler=lambda caller, data: _api(caller).delete(data["rule_id"], caller.user_id),
        rest=(Rest(method="DELETE", path=_RULE),),
    ),
    Action(
        name="toggle_rule",
        fields={
            **_RULE_ID,
            probatio.Required("enabled", msg=_ENABLED_RULE): probatio.All(bool, msg=_ENABLED_RULE),
        },
        handler=lambda caller, data: _api(caller).toggle(
            data["rule_id"], data["enabled"], caller.user_id
        ),
        rest=(Rest(method="PATCH", path=_RULE + "/toggle"),),
    ),
    Action(
        name="execute_rule",
        fields=_RULE_ID,
        handler=lambda caller, data: _api(caller).execute(data["rule_id"], caller.user_id),
        rest=(Rest(method="POST", path=_RULE + "/execute"),),
    ),
    Action(
        name="get_rule_history",
        fields=_RULE_ID,
        handler=lambda caller, data: _api(caller).history(data["rule_id"]),
        rest=(Rest(method="GET", path=_RULE + "/history"),),
    ),
    Action(
        name="export_rule",
        fields=_RULE_ID,
        handler=lambda caller, data: _api(caller).export(data["rule_id"]),
        rest=(Rest(method="GET", path=_RULE + "/export"),),
    ),
    Action(
        name="evaluate_conditions",
        fields={
            probatio.Required("conditions", msg=_CONDITIONS_RULE): probatio.All(
                list, msg=_CONDITIONS_RULE
            )
        },
        handler=lambda caller, data: _api(caller).evaluate(data["conditions"]),
        rest=(Rest(method="POST", path="automation/workflow/conditions/evaluate"),),
    ),
    Action(
        name="propose_automations",
        fields={
            probatio.Required("events"): object,
            probatio.Optional("language", default="en"): probatio.In(
                ["en", "ja"], msg='language is "en" or "ja"'
            ),
        },
        handler=lambda caller, data: _api(caller).proposals(data["events"], data["language"]),
        rest=(Rest(method="POST", path="automation/proposals"),),
    ),
    Action(
        name="validate_proposal",
        fields={probatio.Required("suggestion"): object},
        handler=lambda caller, data: _api(caller).validate_proposal(data["suggestion"]),
        rest=(Rest(method="POST", path="automation/proposals/validate"),),
    ),
    Action(
        name="record_operation",
        fields={probatio.Required("operation"): object},
        handler=lambda caller, data: _api(caller).record(data["operation"], caller.user_id),
        rest=(Rest(method="POST", path="scenes/learn/record", status=HTTPStatus.CREATED),),
    ),
    Action(
        name="get_learned_patterns",
        handler=lambda caller, _data: _api(caller).patterns(),
        rest=(Rest(method="GET", path="scenes/learn/patterns"),),
    ),
    Action(
        name="get_scene_candidates",
        fields={probatio.Optional("context", default=dict): object},
        handler=lambda caller, data: _api(caller).candidates(data["context"]),
        rest=(Rest(method="POST", path="scenes/learn/candidates"),),
    ),
    Action(
        name="approve_scene_candidate",
        fields={
            probatio.Required("candidate_id"): cv.string,
            probatio.Optional("name"): probatio.All(
                str, probatio.Length(min=1, max=100), msg=_NAME_RULE
            ),
        },
        handler=lambda caller, data: _api(caller).approve(data["candidate_id"], data.get("name")),
        rest=(Rest(method="POST", path=_CANDIDATE + "/approve", status=HTTPStatus.CREATED),),
    ),
    Action(
        name="reject_scene_candidate",
        fields={probatio.Required("candidate_id"): cv.string},
        handler=lambda caller, data: _api(caller).reject(data["candidate_id"]),
        rest=(Rest(method="POST", path=_CANDIDATE + "/reject"),),
    ),
)
