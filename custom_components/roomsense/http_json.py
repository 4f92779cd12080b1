"""What RoomSense's HTTP views share: JSON answers, and JSON bodies read within a limit."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from aiohttp import web
from homeassistant.helpers.json import json_bytes


class BodyTooLargeError(Exception):
    """The body is larger than the view accepts."""


def json_response(data: Any, status: HTTPStatus = HTTPStatus.OK) -> web.Response:
    """A JSON answer, encoded the way Home Assistant encodes JSON."""
    return web.Response(body=json_bytes(data), status=status, content_type="application/json")


async def async_read_json(request: web.Request, limit: int) -> Any:
    """The body as JSON: BodyTooLargeError past `limit` bytes, ValueError if it is not JSON.

    An empty body reads as `{}`; JSON nested too deep to parse is a ValueError too.
    """
    if request.content_length is not None and request.content_length > limit:
        raise BodyTooLargeError
    # A read returns what has arrived so far, so read until the end or past the limit; a
    # chunked body has no length to check first.
    body = bytearray()
    while chunk := await request.content.read(65536):
        body += chunk
        if len(body) > limit:
            raise BodyTooLargeError
    if not body:
        return {}
    try:
        return json.loads(body)
    except RecursionError as err:
        raise ValueError("JSON nested too deep") from err
