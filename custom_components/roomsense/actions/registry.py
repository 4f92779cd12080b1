"""An operation of RoomSense, declared once, and the one way to run it.

An `Action` names an operation, its input (`fields`, checked by one schema), who may call
it, and its handler. Its `roomsense.<name>` service, its REST endpoints (`Rest`) and its
tool for language models (`AgentTool`) are all made from that one declaration, and every
caller goes through `async_run`. A refusal the handler raises (an unknown rule, bad
input, someone else's rule...) becomes an `ActionRefusedError`, which each way in answers
in its own form: a translated `ServiceValidationError`, an HTTP status with a message, or
an `{"error", "message"}` a model can read.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from http import HTTPStatus
from typing import Any, Final, Literal

import probatio
from homeassistant.core import Context, HomeAssistant, SupportsResponse
from homeassistant.exceptions import ServiceValidationError, Unauthorized

from ..automation.api import AutomationInputError, RuleForbiddenError
from ..automation.engine import UnknownRuleError
from ..automation.learning_store import UnknownCandidateError
from ..const import DOMAIN
from ..edge.errors import EdgeError, JobConflictError, UnknownJobError
from ..edge.errors import UnknownDeviceError as UnknownEdgeDeviceError
from ..gateway import Source

type Handler = Callable[[Caller, dict[str, Any]], Awaitable[dict[str, Any]] | dict[str, Any]]
type HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
type RequestData = Callable[[dict[str, Any], Mapping[str, str]], dict[str, Any]]

MAX_BODY: Final = 1024 * 1024


class Access(StrEnum):
    """Who may run an action."""

    # Any signed-in person; the handler applies per-device and per-rule permissions.
    USER = "user"
    # Administrators, and Home Assistant automations and scripts (no user).
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Caller:
    """Who runs an action, and through which way in (the audit record's `source`)."""

    hass: HomeAssistant
    user_id: str | None
    source: Source = Source.SERVICE
    context: Context | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Rest:
    """An HTTP endpoint of an action, under `/api/roomsense/`.

    `data` turns the JSON body and the path's parts into the action's input; by default it
    takes the body's keys the action knows (a `null` counts as left out) and the path's.
    """

    method: HttpMethod
    path: str
    # Or the status for the answer, where it tells (a job done, or still waiting).
    status: HTTPStatus | Callable[[dict[str, Any]], HTTPStatus] = HTTPStatus.OK
    data: RequestData | None = None
    max_body: int = MAX_BODY


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentTool:
    """The action as a language model's tool: what the model is told, word for word.

    The description and JSON schema are part of the agent's prompt, which must stay
    byte-stable for prompt caches. A model gives only the `parameters`' properties; any
    other argument (such as `confirm`) is dropped, so a model can never confirm itself.
    """

    name: str
    description: str
    parameters: dict[str, Any]

    @property
    def properties(self) -> frozenset[str]:
        """The arguments the model may give."""
        return frozenset(self.parameters.get("properties", {}))


@dataclass(frozen=True, slots=True, kw_only=True)
class Action:
    """One operation: its service, REST endpoints and tool all come from here."""

    name: str
    handler: Handler
    fields: Mapping[Any, Any] = field(default_factory=dict)
    # Checks across fields, run after the fields' own.
    checks: tuple[Callable[[dict[str, Any]], dict[str, Any]], ...] = ()
    access: Access = Access.USER
    response: SupportsResponse = SupportsResponse.OPTIONAL
    rest: tuple[Rest, ...] = ()
    tool: AgentTool | None = None
    # False for what only an HTTP client does (an edge device's registration and jobs).
    service: bool = True

    @property
    def schema(self) -> probatio.Schema | probatio.All[Any]:
        """The one schema every way in checks the input with."""
        schema = probatio.Schema(dict(self.fields))
        return probatio.All(schema, *self.checks) if self.checks else schema

    @property
    def field_names(self) -> frozenset[str]:
        """The keys of the input."""
        return frozenset(str(key) for key in self.fields)


class ActionRefusedError(ServiceValidationError):
    """Why an action was not done: translated for a service, a status and text for HTTP."""

    def __init__(
        self,
        *,
        translation_domain: str = DOMAIN,
        translation_key: str,
        translation_placeholders: dict[str, str],
        status: HTTPStatus,
        message: str,
    ) -> None:
        """A refusal: its translation, its HTTP status and its plain (English) message."""
        super().__init__(
            translation_domain=translation_domain,
            translation_key=translation_key,
            translation_placeholders=translation_placeholders,
        )
        self.status = status
        self.message = message


@dataclass(frozen=True, slots=True)
class RefusalRule:
    """How a handler's exception is told: its translation, HTTP status and message.

    The exception's text fills the one placeholder and the `{}` of the message.
    """

    error: type[Exception]
    translation_key: str
    placeholder: str
    status: HTTPStatus
    message: str = "{}"


# The first rule whose type matches wins, so a subclass comes before its base.
REFUSALS: Final = (
    RefusalRule(AutomationInputError, "automation_invalid", "error", HTTPStatus.BAD_REQUEST),
    RefusalRule(UnknownRuleError, "unknown_rule", "rule_id", HTTPStatus.NOT_FOUND, "no rule {}"),
    RefusalRule(
        RuleForbiddenError,
        "rule_forbidden",
        "rule_id",
        HTTPStatus.FORBIDDEN,
        "rule {} belongs to another user; only they or an administrator may change or run it",
    ),
    RefusalRule(
        UnknownCandidateError,
        "unknown_candidate",
        "candidate_id",
        HTTPStatus.NOT_FOUND,
        "no scene candidate {}",
    ),
    RefusalRule(
        UnknownEdgeDeviceError,
        "unknown_edge_device",
        "device_id",
        HTTPStatus.NOT_FOUND,
        "no edge device {}",
    ),
    RefusalRule(UnknownJobError, "unknown_edge_job", "job_id", HTTPStatus.NOT_FOUND, "no job {}"),
    RefusalRule(
        JobConflictError,
        "edge_job_conflict",
        "error",
        HTTPStatus.CONFLICT,
        "the job cannot take this: {}",
    ),
    RefusalRule(EdgeError, "edge_refused", "error", HTTPStatus.BAD_REQUEST),
)


def refusal_of(err: Exception) -> ActionRefusedError | None:
    """The refusal an exception of a handler stands for; None for a fault or a cloud error."""
    for rule in REFUSALS:
        if isinstance(err, rule.error):
            return ActionRefusedError(
                translation_domain=DOMAIN,
                translation_key=rule.translation_key,
                translation_placeholders={rule.placeholder: str(err)},
                status=rule.status,
                message=rule.message.format(err),
            )
    return None


async def async_require_access(action: Action, caller: Caller) -> None:
    """Unauthorized unless the caller may run the action."""
    if action.access is Access.ADMIN and caller.user_id is not None:
        user = await caller.hass.auth.async_get_user(caller.user_id)
        if user is None or not user.is_admin:
            raise Unauthorized(context=caller.context, user_id=caller.user_id)


async def async_run(action: Action, caller: Caller, data: dict[str, Any]) -> dict[str, Any]:
    """Run an action on input its schema has accepted: the one dispatcher of every way in.

    Raises `ActionRefusedError` for what the caller should be told, `Unauthorized`, or a
    `HomeAssistantError` (the cloud failing) as it came.
    """
    await async_require_access(action, caller)
    try:
        outcome = action.handler(caller, data)
        result = await outcome if inspect.isawaitable(outcome) else outcome
    except ActionRefusedError:
        raise
    except Exception as err:
        if (refusal := refusal_of(err)) is None:
            raise  # a cloud error (HomeAssistantError) as it came, or a fault
        raise refusal from err
    return result
