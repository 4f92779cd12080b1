"""What RoomSense's HTTP views share: JSON in and out, and refusals answered as JSON."""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from functools import wraps
from http import HTTPStatus
from typing import Any, Concatenate

from aiohttp import web
from homeassistant.helpers.http import HomeAssistantView
from homeassistant.helpers.json import json_bytes


class BodyTooLargeError(Exception):
    """The body is larger than the view accepts."""


def json_response(data: Any, status: HTTPStatus = HTTPStatus.OK) -> web.Response:
    """A JSON answer, encoded the way Home Assistant encodes JSON."""
    return web.Response(body=json_bytes(data), status=status, content_type="application/json")


async def async_read_json(request: web.Request, limit: int) -> Any:
    """The body as JSON: BodyTooLargeError past `limit` bytes, ValueError if it is not JSON.

    An empty body reads as `{}`; JSON nested too deep to parse is a ValueError too, and so
    is a body aiohttp cannot decode (a `Content-Encoding` it is not in, a broken chunk).
    """
    if request.content_length is not None and request.content_length > limit:
        raise BodyTooLargeError
    # A read returns what has arrived so far, so read until the end or past the limit; a
    # chunked body has no length to check first.
    body = bytearray()
    try:
        while chunk := await request.content.read(65536):
            body += chunk
            if len(body) > limit:
                raise BodyTooLargeError
    except web.RequestPayloadError as err:
        raise ValueError(f"the body cannot be read: {err}") from err
    if not body:
        return {}
    try:
        return json.loads(body)
    except RecursionError as err:
        raise ValueError("JSON nested too deep") from err


type ViewHandler[ViewT: HomeAssistantView, **P] = Callable[
    Concatenate[ViewT, web.Request, P], Coroutine[Any, Any, web.Response]
]


class RefusalAnswerer:
    """A decorator for view handlers: the refusals they raise become JSON answers.

    `answer` turns an exception of `errors` (unknown id, bad input, wrong token...) into the
    response that says so; anything else propagates (a 500, which the fuzzing forbids).
    """

    def __init__(
        self,
        errors: type[Exception] | tuple[type[Exception], ...],
        answer: Callable[[Any], web.Response],
    ) -> None:
        """Refusals of the types in `errors`, answered by `answer`."""
        self._errors = errors
        self._answer = answer

    def __call__[ViewT: HomeAssistantView, **P](
        self, handler: ViewHandler[ViewT, P]
    ) -> ViewHandler[ViewT, P]:
        """Wrap one handler."""

        @wraps(handler)
        async def refusing(
            view: ViewT, request: web.Request, *args: P.args, **kwargs: P.kwargs
        ) -> web.Response:
            try:
                return await handler(view, request, *args, **kwargs)
            except self._errors as err:
                return self._answer(err)

        return refusing  # type: ignore[return-value]  # functools.wraps' type is narrower
