"""What RoomSense's HTTP views share: JSON in and out, and refusals answered as JSON."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine
from functools import wraps
from http import HTTPStatus
from typing import Any, Concatenate

from aiohttp import web
from homeassistant.helpers.http import HomeAssistantView
from homeassistant.helpers.json import json_bytes

# How long a body may stop arriving before the request is answered 408. A sender may stall;
# and aiohttp (3.14) never ends the read of a raw-deflate body cut short when its last bytes
# come after the headers: its parser raises at the end of the message without telling the
# reader, so without this the view would wait for as long as the sender keeps the connection.
BODY_IDLE_TIMEOUT = 10.0


class BodyTooLargeError(Exception):
    """The body is larger than the view accepts."""


class BodyStalledError(Exception):
    """No more of the body arrived within BODY_IDLE_TIMEOUT seconds."""


def body_stalled_response(**fields: Any) -> web.Response:
    """The 408 for a stalled body, with `fields` beside its message.

    It says `Connection: close`: its request never ended, so the connection cannot carry
    another (aiohttp drains it for up to 10 s more, then closes it).
    """
    response = json_response(
        {**fields, "message": "the body stopped arriving"}, HTTPStatus.REQUEST_TIMEOUT
    )
    response.force_close()
    return response


def json_response(data: Any, status: HTTPStatus = HTTPStatus.OK) -> web.Response:
    """A JSON answer, encoded the way Home Assistant encodes JSON."""
    return web.Response(body=json_bytes(data), status=status, content_type="application/json")


async def async_read_body(request: web.Request, limit: int) -> bytes:
    """The body: BodyTooLargeError past `limit` bytes, without reading the rest.

    The limit counts decoded bytes, so a compressed body cannot unpack past it either; a
    body aiohttp cannot decode (a `Content-Encoding` it is not in, a broken chunk) is a
    ValueError; one that stops arriving is a BodyStalledError. A cloudhook's request (Home
    Assistant's `MockRequest`) has no `content_length` and makes a new reader at each
    `content` access, so both are read once.
    """
    length: int | None = getattr(request, "content_length", None)
    if length is not None and length > limit:
        raise BodyTooLargeError
    content = request.content
    # A read returns what has arrived so far, so read until the end or past the limit; a
    # chunked body has no length to check first.
    body = bytearray()
    try:
        while True:
            try:
                async with asyncio.timeout(BODY_IDLE_TIMEOUT):
                    chunk = await content.read(65536)
            except TimeoutError as err:
                raise BodyStalledError from err
            if not chunk:
                return bytes(body)
            body += chunk
            if len(body) > limit:
                raise BodyTooLargeError
    except web.RequestPayloadError as err:
        raise ValueError(f"the body cannot be read: {err}") from err


async def async_read_json(request: web.Request, limit: int) -> Any:
    """The body as JSON (see async_read_body); ValueError if it is not JSON.

    An empty body reads as `{}`; JSON nested too deep to parse is a ValueError too.
    """
    body = await async_read_body(request, limit)
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
