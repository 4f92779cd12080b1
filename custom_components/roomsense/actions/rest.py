"""The actions' REST endpoints under `/api/roomsense/` (Home Assistant auth).

One view per path, made from the actions' `Rest` declarations. A body is JSON (at most
`MAX_BODY` bytes); the input is checked by the action's schema; refusals answer
`{"success": false, "message": ...}` with 400 (bad input), 403, 404, 408 (a body that
stopped arriving) or 413.
"""

from __future__ import annotations

from collections import defaultdict
from http import HTTPStatus
from typing import Any, Final

import probatio
from aiohttp import web
from homeassistant.components.http.const import KEY_HASS_USER
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.http import HomeAssistantView

from ..http_json import (
    BodyStalledError,
    BodyTooLargeError,
    async_read_json,
    body_stalled_response,
    json_response,
)
from .registry import (
    Action,
    ActionRefusedError,
    Caller,
    Rest,
    async_require_access,
    async_run,
)

BASE: Final = "/api/roomsense"


def _refused(message: str, status: HTTPStatus) -> web.Response:
    return json_response({"success": False, "message": message}, status)


class _BodyRefusedError(Exception):
    """The body cannot be read as a JSON object."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


async def _body(request: web.Request, limit: int) -> dict[str, Any]:
    """The JSON object sent (`{}` when none), of at most `limit` bytes."""
    try:
        body = await async_read_json(request, limit)
    except BodyTooLargeError as err:
        raise _BodyRefusedError(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"the body is over {limit} bytes"
        ) from err
    except ValueError as err:
        raise _BodyRefusedError(HTTPStatus.BAD_REQUEST, "the body is not valid JSON") from err
    if not isinstance(body, dict):
        raise _BodyRefusedError(HTTPStatus.BAD_REQUEST, "the body must be a JSON object")
    return body


def _known_keys(action: Action, body: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    """The body's keys the action knows (a null is left out), and the path's parts."""
    known = action.field_names
    return {
        **{key: value for key, value in body.items() if key in known and value is not None},
        **path,
    }


class ActionView(HomeAssistantView):
    """The endpoints of one path: each of its methods runs one action."""

    def __init__(
        self, hass: HomeAssistant, path: str, routes: dict[str, tuple[Action, Rest]]
    ) -> None:
        """Serve `routes` (HTTP method to action) at `/api/roomsense/<path>`."""
        self.hass = hass
        self.url = f"{BASE}/{path}"
        self.name = "api:roomsense:" + path.replace("/", ":").replace("{", "").replace("}", "")
        self._routes = routes
        for method in routes:
            setattr(self, method.lower(), self._async_handle)

    async def _async_handle(self, request: web.Request, **path: str) -> web.Response:
        action, rest = self._routes[request.method]
        user = request.get(KEY_HASS_USER)
        caller = Caller(self.hass, user.id if user is not None else None)
        try:
            # Who may call comes first: a stranger learns nothing about the input.
            await async_require_access(action, caller)
            reads_body = request.method not in ("GET", "DELETE")
            body = await _body(request, rest.max_body) if reads_body else {}
            given = rest.data(body, path) if rest.data else _known_keys(action, body, path)
            try:
                data = action.schema(given)
            except probatio.Invalid as err:
                return _refused(str(err), HTTPStatus.BAD_REQUEST)
            result = await async_run(action, caller, data)
            status = rest.status(result) if callable(rest.status) else rest.status
            return json_response(result, status)
        except (ActionRefusedError, _BodyRefusedError) as refusal:
            return _refused(refusal.message, refusal.status)
        except BodyStalledError:
            return body_stalled_response(success=False)
        except ServiceValidationError as err:
            return _refused(str(err), HTTPStatus.BAD_REQUEST)


@callback
def async_register_action_views(hass: HomeAssistant, actions: tuple[Action, ...]) -> None:
    """Register one view per path of the actions' REST endpoints."""
    paths: dict[str, dict[str, tuple[Action, Rest]]] = defaultdict(dict)
    for action in actions:
        for rest in action.rest:
            paths[rest.path][rest.method] = (action, rest)
    for path, routes in paths.items():
        hass.http.register_view(ActionView(hass, path, routes))
