"""The automation and scene-learning HTTP API under `/api/roomsense/` (Home Assistant auth).

Paths, bodies and response shapes are the seed API's; refusals answer
`{"success": false, "message": ...}` with 400 (bad input) or 404 (unknown rule/candidate).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, Final

from aiohttp import web
from homeassistant.components.http.const import KEY_HASS_USER
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.http import HomeAssistantView

from ..http_json import BodyTooLargeError, RefusalAnswerer, async_read_json, json_response
from .api import AutomationAPI, AutomationInputError, RuleForbiddenError
from .engine import UnknownRuleError
from .learning_store import UnknownCandidateError

BASE: Final = "/api/roomsense"
MAX_BODY: Final = 1024 * 1024


def _refusal(message: str, status: HTTPStatus) -> web.Response:
    return json_response({"success": False, "message": message}, status)


async def _body(request: web.Request) -> dict[str, Any]:
    """The JSON object sent; AutomationInputError otherwise (BodyTooLargeError: 413)."""
    try:
        body = await async_read_json(request, MAX_BODY)
    except ValueError as err:
        raise AutomationInputError("the body is not valid JSON") from err
    if not isinstance(body, dict):
        raise AutomationInputError("the body must be a JSON object")
    return body


def _user_id(request: web.Request) -> str | None:
    user = request.get(KEY_HASS_USER)
    return user.id if user is not None else None


def _answer(err: Exception) -> web.Response:
    """Bad input → 400, someone else's rule → 403, an unknown rule or candidate → 404."""
    if isinstance(err, BodyTooLargeError):
        return _refusal(f"the body is over {MAX_BODY} bytes", HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
    if isinstance(err, UnknownRuleError):
        return _refusal(f"no rule {err}", HTTPStatus.NOT_FOUND)
    if isinstance(err, RuleForbiddenError):
        return _refusal(
            f"rule {err.rule_id} belongs to another user; only they or an administrator "
            "may change or run it",
            HTTPStatus.FORBIDDEN,
        )
    if isinstance(err, UnknownCandidateError):
        return _refusal(f"no scene candidate {err}", HTTPStatus.NOT_FOUND)
    return _refusal(str(err), HTTPStatus.BAD_REQUEST)


_refusing = RefusalAnswerer(
    (
        AutomationInputError,
        BodyTooLargeError,
        UnknownRuleError,
        RuleForbiddenError,
        UnknownCandidateError,
    ),
    _answer,
)


class _AutomationView(HomeAssistantView):
    def __init__(self, api: AutomationAPI) -> None:
        self.api = api


class ParseView(_AutomationView):
    """`POST automation/workflow/parse` `{naturalLanguage}` → `{success, workflow, message}`."""

    url = f"{BASE}/automation/workflow/parse"
    name = "api:roomsense:automation:parse"

    @_refusing
    async def post(self, request: web.Request) -> web.Response:
        """Turn a sentence into a workflow."""
        body = await _body(request)
        text = body.get("naturalLanguage", body.get("natural_language", body.get("text")))
        if not isinstance(text, str) or not text.strip() or len(text) > 2000:
            raise AutomationInputError("naturalLanguage is a sentence of 1 to 2000 characters")
        return json_response(await self.api.parse(text.strip()))


class SaveView(_AutomationView):
    """`POST automation/workflow/save` `{workflow}` → `{success, rule, message}`."""

    url = f"{BASE}/automation/workflow/save"
    name = "api:roomsense:automation:save"

    @_refusing
    async def post(self, request: web.Request) -> web.Response:
        """Save a workflow as a rule."""
        workflow = (await _body(request)).get("workflow")
        if not isinstance(workflow, dict):
            raise AutomationInputError("workflow is an object")
        return json_response(self.api.save(workflow, _user_id(request)), HTTPStatus.CREATED)


class RulesView(_AutomationView):
    """`GET automation/workflow/rules` → `{success, rules, count}`."""

    url = f"{BASE}/automation/workflow/rules"
    name = "api:roomsense:automation:rules"

    async def get(self, request: web.Request) -> web.Response:
        """Every rule."""
        return json_response(self.api.rules())


class RuleView(_AutomationView):
    """`GET|PUT|DELETE automation/workflow/rules/{rule_id}`."""

    url = BASE + "/automation/workflow/rules/{rule_id}"
    name = "api:roomsense:automation:rule"

    @_refusing
    async def get(self, request: web.Request, rule_id: str) -> web.Response:
        """One rule."""
        return json_response(self.api.rule(rule_id))

    @_refusing
    async def put(self, request: web.Request, rule_id: str) -> web.Response:
        """Replace a rule's fields (given as they are, or under `rule` or `workflow`)."""
        body = await _body(request)
        fields = body.get("rule", body.get("workflow", body))
        if not isinstance(fields, dict):
            raise AutomationInputError("the rule is an object")
        return json_response(await self.api.update(rule_id, fields, _user_id(request)))

    @_refusing
    async def delete(self, request: web.Request, rule_id: str) -> web.Response:
        """Delete a rule."""
        return json_response(await self.api.delete(rule_id, _user_id(request)))


class ToggleView(_AutomationView):
    """`PATCH automation/workflow/rules/{rule_id}/toggle` `{enabled}`."""

    url = BASE + "/automation/workflow/rules/{rule_id}/toggle"
    name = "api:roomsense:automation:toggle"

    @_refusing
    async def patch(self, request: web.Request, rule_id: str) -> web.Response:
        """Enable or disable a rule."""
        enabled = (await _body(request)).get("enabled")
        if not isinstance(enabled, bool):
            raise AutomationInputError("enabled is true or false")
        return json_response(await self.api.toggle(rule_id, enabled, _user_id(request)))


class ExecuteView(_AutomationView):
    """`POST automation/workflow/rules/{rule_id}/execute`: run it now."""

    url = BASE + "/automation/workflow/rules/{rule_id}/execute"
    name = "api:roomsense:automation:execute"

    @_refusing
    async def post(self, request: web.Request, rule_id: str) -> web.Response:
        """Run a rule now."""
        return json_response(await self.api.execute(rule_id, _user_id(request)))


class HistoryView(_AutomationView):
    """`GET automation/workflow/rules/{rule_id}/history` → `{success, history, count}`."""

    url = BASE + "/automation/workflow/rules/{rule_id}/history"
    name = "api:roomsense:automation:history"

    @_refusing
    async def get(self, request: web.Request, rule_id: str) -> web.Response:
        """A rule's runs, newest first."""
        return json_response(self.api.history(rule_id))


class ExportView(_AutomationView):
    """`GET automation/workflow/rules/{rule_id}/export`: as Home Assistant automation YAML."""

    url = BASE + "/automation/workflow/rules/{rule_id}/export"
    name = "api:roomsense:automation:export"

    @_refusing
    async def get(self, request: web.Request, rule_id: str) -> web.Response:
        """The rule as an automation."""
        return json_response(self.api.export(rule_id))


class EvaluateView(_AutomationView):
    """`POST automation/workflow/conditions/evaluate` `{conditions}`."""

    url = f"{BASE}/automation/workflow/conditions/evaluate"
    name = "api:roomsense:automation:evaluate"

    @_refusing
    async def post(self, request: web.Request) -> web.Response:
        """Evaluate conditions now."""
        conditions = (await _body(request)).get("conditions")
        if not isinstance(conditions, list):
            raise AutomationInputError("conditions is a list")
        return json_response(self.api.evaluate(conditions))


class ProposalsView(_AutomationView):
    """`POST automation/proposals` `{events}` → `{proposals}`."""

    url = f"{BASE}/automation/proposals"
    name = "api:roomsense:automation:proposals"

    @_refusing
    async def post(self, request: web.Request) -> web.Response:
        """Propose automations from recent events."""
        body = await _body(request)
        language = body.get("language", "en")
        if language not in ("en", "ja"):
            raise AutomationInputError('language is "en" or "ja"')
        return json_response(self.api.proposals(body.get("events"), language))


class ValidateProposalView(_AutomationView):
    """`POST automation/proposals/validate` `{suggestion}` → `{validation}`."""

    url = f"{BASE}/automation/proposals/validate"
    name = "api:roomsense:automation:proposals:validate"

    @_refusing
    async def post(self, request: web.Request) -> web.Response:
        """Check a suggested automation."""
        return json_response(self.api.validate_proposal((await _body(request)).get("suggestion")))


class RecordView(_AutomationView):
    """`POST scenes/learn/record` `{operation}`."""

    url = f"{BASE}/scenes/learn/record"
    name = "api:roomsense:scenes:record"

    @_refusing
    async def post(self, request: web.Request) -> web.Response:
        """Record one operation."""
        operation = (await _body(request)).get("operation")
        return json_response(self.api.record(operation, _user_id(request)), HTTPStatus.CREATED)


class PatternsView(_AutomationView):
    """`GET scenes/learn/patterns` → `{patterns}`."""

    url = f"{BASE}/scenes/learn/patterns"
    name = "api:roomsense:scenes:patterns"

    async def get(self, request: web.Request) -> web.Response:
        """The routines found so far."""
        return json_response(await self.api.patterns())


class CandidatesView(_AutomationView):
    """`POST scenes/learn/candidates` `{context}` → `{candidates}`."""

    url = f"{BASE}/scenes/learn/candidates"
    name = "api:roomsense:scenes:candidates"

    @_refusing
    async def post(self, request: web.Request) -> web.Response:
        """Scene candidates for a context."""
        return json_response(await self.api.candidates((await _body(request)).get("context")))


class CandidateDecisionView(_AutomationView):
    """`POST scenes/learn/candidates/{candidate_id}/{decision}`: approve (`{name}`) or reject."""

    url = BASE + "/scenes/learn/candidates/{candidate_id}/{decision}"
    name = "api:roomsense:scenes:candidate"

    @_refusing
    async def post(self, request: web.Request, candidate_id: str, decision: str) -> web.Response:
        """Approve a candidate as a learned scene, or reject it."""
        if decision == "reject":
            return json_response(self.api.reject(candidate_id))
        if decision != "approve":
            return _refusal("approve or reject", HTTPStatus.NOT_FOUND)
        name = (await _body(request)).get("name")
        if name is not None and (not isinstance(name, str) or not 1 <= len(name) <= 100):
            raise AutomationInputError("name is a text of 1 to 100 characters")
        return json_response(self.api.approve(candidate_id, name), HTTPStatus.CREATED)


@callback
def async_register_automation_views(hass: HomeAssistant, api: AutomationAPI) -> None:
    """Register the views once."""
    for view in (
        ParseView,
        SaveView,
        RulesView,
        RuleView,
        ToggleView,
        ExecuteView,
        HistoryView,
        ExportView,
        EvaluateView,
        ProposalsView,
        ValidateProposalView,
        RecordView,
        PatternsView,
        CandidatesView,
        CandidateDecisionView,
    ):
        hass.http.register_view(view(api))
