"""The HTTP views edge devices use, under `/api/roomsense/edge/`, and the job schemas.

Devices send their own token (`Authorization: Bearer <device token>`), which reaches
only their own jobs; Home Assistant's auth does not know these tokens, so these views do
their own check. Every answer is JSON; a refusal carries `{"success": false, "message": ...}`. The
administrators' endpoints (registering devices, their jobs) are actions:
`actions/edge.py`.

Requests are rate limited (429 with `Retry-After`): per device once its token is checked,
and per source address for what no token vouches for (pings, refused tokens).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from functools import wraps
from http import HTTPStatus
from typing import Any, Final

import probatio
from aiohttp import hdrs, web
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.http import HomeAssistantView
from homeassistant.helpers.json import json_bytes
from probatio.humanize import humanize_error

from ..http_json import (
    BodyStalledError,
    BodyTooLargeError,
    RefusalAnswerer,
    async_read_json,
    body_stalled_response,
    json_response,
)
from .errors import (
    EdgeError,
    InvalidTokenError,
    JobConflictError,
    UnknownDeviceError,
    UnknownJobError,
)
from .jobs import DEFAULT_JOB_TTL
from .limits import EdgeRateLimits
from .manager import EdgeManager
from .models import DEVICE_TYPES, EdgeDevice, EdgeJob, JobStatus

BASE_URL: Final = "/api/roomsense/edge"
MAX_WAIT: Final = 60
DEFAULT_WAIT: Final = 25
MAX_RESULT_BYTES: Final = 1024 * 1024
# Room for the job id, status and error around a result of the maximum size.
MAX_REPORT_BODY: Final = MAX_RESULT_BYTES + 64 * 1024
MAX_ADMIN_BODY: Final = 256 * 1024
DEFAULT_SUBMIT_WAIT: Final = 60
MAX_SUBMIT_WAIT: Final = 600


_NAME = probatio.All(str, probatio.Strip, probatio.Length(min=1, max=100))
_IDENTIFIER = probatio.All(
    str, probatio.Match(r"^[A-Za-z0-9_.:-]{1,64}$", msg="letters, digits, _.:-")
)

REGISTER_FIELDS: Final[dict[probatio.Marker, Any]] = {
    probatio.Required("name"): _NAME,
    probatio.Required("device_type"): probatio.In(DEVICE_TYPES),
    probatio.Optional("capabilities", default=list): probatio.All(
        [_IDENTIFIER], probatio.Length(max=32)
    ),
    probatio.Optional("metadata", default=dict): probatio.All(dict, probatio.Length(max=64)),
}
RENAME_FIELDS: Final[dict[probatio.Marker, Any]] = {probatio.Required("name"): _NAME}


def one_kind_of_job(data: dict[str, Any]) -> dict[str, Any]:
    """A job is an instruction or a command (with an optional payload), never both."""
    if ("instruction" in data) == ("command" in data):
        raise probatio.Invalid("give either an instruction or a command")
    if "payload" in data and "command" not in data:
        raise probatio.Invalid("a payload goes with a command", path=["payload"])
    return data


JOB_FIELDS: Final[dict[probatio.Marker, Any]] = {
    probatio.Optional("instruction"): probatio.All(
        str, probatio.Strip, probatio.Length(min=1, max=4000)
    ),
    probatio.Optional("command"): _IDENTIFIER,
    probatio.Optional("payload"): probatio.Any(dict, list, str, int, float, bool, None),
    probatio.Optional("wait_for_result", default=False): bool,
    probatio.Optional("timeout", default=DEFAULT_SUBMIT_WAIT): probatio.All(
        probatio.Coerce(float), probatio.Range(min=0, max=MAX_SUBMIT_WAIT)
    ),
    probatio.Optional("ttl", default=DEFAULT_JOB_TTL): probatio.All(
        probatio.Coerce(float), probatio.Range(min=1, max=7 * 86400)
    ),
}
NEXT_QUERY_SCHEMA: Final = probatio.Schema(
    {
        probatio.Optional("wait", default=DEFAULT_WAIT): probatio.All(
            probatio.Coerce(float), probatio.Range(min=0, max=MAX_WAIT)
        )
    }
)


def _result_fits(data: dict[str, Any]) -> dict[str, Any]:
    if data["status"] == JobStatus.FAILED.value and "result" not in data and "error" not in data:
        raise probatio.Invalid("a failed job needs an error", path=["error"])
    return data


RESULT_SCHEMA: Final = probatio.All(
    probatio.Schema(
        {
            probatio.Required("job_id"): _IDENTIFIER,
            probatio.Required("status"): probatio.In(
                [JobStatus.SUCCEEDED.value, JobStatus.FAILED.value]
            ),
            probatio.Optional("result"): object,
            probatio.Optional("error"): probatio.All(str, probatio.Length(max=4000)),
        }
    ),
    _result_fits,
)


def _error(message: str, status: HTTPStatus) -> web.Response:
    # The same shape as the refusals of the actions' endpoints (actions/rest.py).
    return json_response({"success": False, "message": message}, status)


async def _validated(
    request: web.Request, schema: probatio.Schema | probatio.All[Any], limit: int
) -> dict[str, Any] | web.Response:
    """The validated body, or the 400/408/413 answer to give instead."""
    try:
        body = await async_read_json(request, limit)
    except BodyStalledError:
        return body_stalled_response(success=False)
    except BodyTooLargeError:
        return _error(f"the body is over {limit} bytes", HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
    except ValueError:
        return _error("the body is not valid JSON", HTTPStatus.BAD_REQUEST)
    if not isinstance(body, dict):
        return _error("the body must be a JSON object", HTTPStatus.BAD_REQUEST)
    try:
        validated: dict[str, Any] = schema(body)
    except probatio.Invalid as err:
        return _error(humanize_error(body, err), HTTPStatus.BAD_REQUEST)
    return validated


def _refusal(err: EdgeError) -> web.Response:
    if isinstance(err, UnknownDeviceError):
        return _error(f"no edge device {err}", HTTPStatus.NOT_FOUND)
    if isinstance(err, UnknownJobError):
        return _error(f"no job {err}", HTTPStatus.NOT_FOUND)
    if isinstance(err, InvalidTokenError):
        return _error("wrong device token", HTTPStatus.UNAUTHORIZED)
    if isinstance(err, JobConflictError):
        return _error(f"the job cannot take this: {err}", HTTPStatus.CONFLICT)
    return _error(str(err), HTTPStatus.BAD_REQUEST)


# The manager's refusals (unknown device, wrong token...) answered with their status.
_refusing = RefusalAnswerer(EdgeError, _refusal)


def describe_device(manager: EdgeManager, device: EdgeDevice) -> dict[str, Any]:
    """A device as the admin views and services show it."""
    return {
        **device.public(),
        "connected": manager.is_connected(device.device_id),
        "queue_length": manager.queue_length(device.device_id),
    }


def wait_answer(job: EdgeJob) -> tuple[dict[str, Any], HTTPStatus]:
    """The answer to a submit that waited: the result, or a timeout status."""
    if job.finished:
        return {**job.public(), "wait": "completed"}, HTTPStatus.OK
    return {**job.public(), "wait": "timeout"}, HTTPStatus.ACCEPTED


def _too_many(retry_after: int) -> web.Response:
    response = _error("too many requests; retry later", HTTPStatus.TOO_MANY_REQUESTS)
    response.headers[hdrs.RETRY_AFTER] = str(retry_after)
    return response


def _bearer(request: web.Request) -> str | None:
    scheme, _, token = request.headers.get(hdrs.AUTHORIZATION, "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


class _DeviceView(HomeAssistantView):
    """A view for the devices: they send their own token, not a Home Assistant one."""

    requires_auth = False

    def __init__(self, manager: EdgeManager, limits: EdgeRateLimits) -> None:
        self.manager = manager
        self.limits = limits


type _DeviceHandler = Callable[[Any, web.Request, str], Coroutine[Any, Any, web.Response]]


def _for_the_device(handler: _DeviceHandler) -> _DeviceHandler:
    """The device's own token checked first; the manager's refusals answered as JSON."""

    @wraps(handler)
    async def checked(view: Any, request: web.Request, device_id: str) -> web.Response:
        limits: EdgeRateLimits = view.limits
        source = request.remote or ""
        if (retry_after := limits.sources.retry_after(source)) is not None:
            return _too_many(retry_after)
        try:
            view.manager.authenticate(device_id, _bearer(request))
        except (InvalidTokenError, UnknownDeviceError):
            limits.sources.take(source)
            raise
        if (retry_after := limits.devices.take(device_id)) is not None:
            return _too_many(retry_after)
        return await handler(view, request, device_id)

    return _refusing(checked)


class EdgePingView(_DeviceView):
    """`GET ping`: whether RoomSense's edge API is there, without auth."""

    url = f"{BASE_URL}/ping"
    name = "api:roomsense:edge:ping"

    async def get(self, request: web.Request) -> web.Response:
        """Answer that the API is up."""
        if (retry_after := self.limits.sources.take(request.remote or "")) is not None:
            return _too_many(retry_after)
        return json_response({"ok": True})


class EdgeNextJobView(_DeviceView):
    """`GET devices/{device_id}/jobs/next?wait=25`: the device's long poll."""

    url = BASE_URL + "/devices/{device_id}/jobs/next"
    name = "api:roomsense:edge:device:next"

    @_for_the_device
    async def get(self, request: web.Request, device_id: str) -> web.Response:
        """The oldest queued job, or 204 when none came within `wait` seconds."""
        try:
            query = NEXT_QUERY_SCHEMA(dict(request.query))
        except probatio.Invalid as err:
            return _error(humanize_error(dict(request.query), err), HTTPStatus.BAD_REQUEST)

        def still_listening() -> bool:
            return request.transport is not None and not request.transport.is_closing()

        job = await self.manager.async_next_job(device_id, query["wait"], still_listening)
        if job is None:
            return web.Response(status=HTTPStatus.NO_CONTENT)
        self.limits.devices.give_back(device_id)
        return json_response(job.public())


class EdgeResultView(_DeviceView):
    """`POST devices/{device_id}/jobs/result`: a device's result; repeating it is fine."""

    url = BASE_URL + "/devices/{device_id}/jobs/result"
    name = "api:roomsense:edge:device:result"

    @_for_the_device
    async def post(self, request: web.Request, device_id: str) -> web.Response:
        """Record the result of a job dispatched to this device."""
        body = await _validated(request, RESULT_SCHEMA, MAX_REPORT_BODY)
        if isinstance(body, web.Response):
            return body
        if len(json_bytes(body.get("result"))) > MAX_RESULT_BYTES:
            return _error(
                f"the result is over {MAX_RESULT_BYTES} bytes",
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            )
        dispatched = self.manager.jobs.get(body["job_id"])
        first_report = (
            dispatched is not None
            and dispatched.device_id == device_id
            and dispatched.status is JobStatus.DISPATCHED
        )
        job = self.manager.report(
            device_id,
            body["job_id"],
            JobStatus(body["status"]),
            result=body.get("result"),
            error=body.get("error"),
        )
        if first_report:
            self.limits.devices.give_back(device_id)
        return json_response({"job_id": job.job_id, "status": job.status.value})


@callback
def async_register_edge_views(hass: HomeAssistant, manager: EdgeManager) -> None:
    """Register the views once; they serve whichever devices the manager has."""
    for view in (EdgePingView, EdgeNextJobView, EdgeResultView):
        hass.http.register_view(view(manager, manager.rate_limits))
