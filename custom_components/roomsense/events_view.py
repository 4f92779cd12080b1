"""A Server-Sent Events stream of RoomSense's `roomsense_event` bus events.

`GET /api/roomsense/events` (Home Assistant authentication) keeps the response open and
writes every `roomsense_event` as one SSE message, optionally only for some devices
(`?device_id=A,B`). Each client gets a bounded backlog: a client that reads too slowly
loses its oldest events (the ids then skip) instead of growing Home Assistant's memory.
Open streams are capped per user and overall; past a cap the answer is 429.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter, deque
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, Final

import probatio
from aiohttp import hdrs, web
from homeassistant.components.http.auth import SIGN_QUERY_PARAM
from homeassistant.components.http.const import KEY_HASS_USER
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.http import KEY_HASS, HomeAssistantView
from homeassistant.helpers.json import json_bytes
from multidict import MultiMapping
from probatio.humanize import humanize_error

from .const import EVENT_ROOMSENSE, LOGGER

URL_EVENTS: Final = "/api/roomsense/events"
QUERY_DEVICE_ID: Final = "device_id"
# Proxies commonly drop a connection that stays silent for 60 s; a comment well inside that
# keeps it open. Read at each wait, so it can be changed at run time (tests make it short).
KEEPALIVE_INTERVAL: float = 20.0
# Events one client may have waiting to be written before the oldest are dropped.
QUEUE_SIZE: int = 256
MAX_DEVICE_IDS: Final = 100
# Each stream holds a connection, a handler task, two bus listeners and a backlog of up to
# QUEUE_SIZE events. A person has a few dashboards or tabs open at once (one EventSource
# each): four leaves room for that, while a leaked token or a runaway script can hold no
# more. 32 overall is far above a household's screens yet keeps what all streams hold
# together small. Read at each request (tests make them small).
MAX_STREAMS_PER_USER: int = 4
MAX_STREAMS: int = 32
# What a refused client is told to wait: a slot frees only when another stream ends.
STREAMS_RETRY_AFTER: Final = 30

_OPENED: Final = b": connected\n\n"
_KEEPALIVE: Final = b": keep-alive\n\n"
# SwitchBot ids: the MAC of a device, or e.g. `01-202106171411-12345678` for a remote.
_DEVICE_ID_PATTERN: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}\Z")

DEVICE_ID_SCHEMA: Final = probatio.All(
    str, probatio.Match(_DEVICE_ID_PATTERN, msg="not a SwitchBot device id")
)
QUERY_SCHEMA: Final = probatio.Schema(
    {
        probatio.Optional(QUERY_DEVICE_ID): probatio.All(
            [DEVICE_ID_SCHEMA], probatio.Length(min=1, max=MAX_DEVICE_IDS)
        ),
        # Present when the URL was signed for a client that cannot send a header
        # (a browser's EventSource); Home Assistant's auth checked it already.
        probatio.Optional(SIGN_QUERY_PARAM): str,
    }
)


def _parse_query(query: MultiMapping[str]) -> dict[str, Any]:
    """The query as the schema sees it: every `device_id` value split at its commas."""
    parsed: dict[str, Any] = {key: value for key, value in query.items() if key != QUERY_DEVICE_ID}
    if QUERY_DEVICE_ID in query:
        parsed[QUERY_DEVICE_ID] = [
            part.strip() for value in query.getall(QUERY_DEVICE_ID) for part in value.split(",")
        ]
    return parsed


def _last_event_id(request: web.Request) -> int:
    """The id an EventSource saw last before reconnecting, so ids keep increasing."""
    try:
        return max(0, int(request.headers.get("Last-Event-ID", "0")))
    except ValueError:
        return 0


class _Subscriber:
    """One client's bounded backlog of events, filled by bus callbacks, drained by the view."""

    def __init__(self, device_ids: frozenset[str] | None, last_event_id: int) -> None:
        self._device_ids = device_ids
        self._backlog: deque[tuple[int, Event[Mapping[str, Any]]]] = deque(maxlen=QUEUE_SIZE)
        self._wakeup = asyncio.Event()
        self._next_id = last_event_id + 1
        self._dropped_unreported = 0
        self.dropped = 0
        self.closing = False

    @callback
    def matches(self, event_data: Mapping[str, Any]) -> bool:
        """Whether the client asked for this event (runs before the listener is scheduled)."""
        return self._device_ids is None or event_data.get("device_id") in self._device_ids

    @callback
    def push(self, event: Event[Mapping[str, Any]]) -> None:
        """Queue an event without ever waiting; a full backlog loses its oldest event."""
        if len(self._backlog) == self._backlog.maxlen:
            self.dropped += 1
            self._dropped_unreported += 1
        # The id is taken here, not when written, so a dropped event shows as a gap.
        self._backlog.append((self._next_id, event))
        self._next_id += 1
        self._wakeup.set()

    @callback
    def close(self, _event: Event[Any] | None = None) -> None:
        """End the stream at its next turn (Home Assistant stops)."""
        self.closing = True
        self._wakeup.set()

    async def wait(self) -> None:
        """Wait until there is something to write or the stream is closing."""
        if self._backlog or self.closing:
            return
        self._wakeup.clear()
        await self._wakeup.wait()

    def take(self) -> bytes:
        """Everything waiting, as SSE messages ready for one write."""
        chunks: list[bytes] = []
        if self._dropped_unreported:
            chunks.append(f": dropped {self._dropped_unreported} events\n\n".encode())
            self._dropped_unreported = 0
        while self._backlog:
            event_id, event = self._backlog.popleft()
            # JSON from orjson is a single line, as an SSE `data:` field needs.
            chunks.append(
                b"id: %d\nevent: %s\ndata: %s\n\n"
                % (event_id, EVENT_ROOMSENSE.encode(), json_bytes(event.data))
            )
        return b"".join(chunks)


class RoomSenseEventsView(HomeAssistantView):
    """Streams `roomsense_event` bus events to an authenticated client as SSE."""

    url = URL_EVENTS
    name = "api:roomsense:events"
    requires_auth = True

    def __init__(self) -> None:
        """No stream is open yet."""
        self._open_by_user: Counter[str] = Counter()

    @property
    def open_streams(self) -> int:
        """Streams open now, of every user."""
        return self._open_by_user.total()

    def _refusal(self, user_id: str) -> str | None:
        """Why another stream for the user cannot open now; None when it can."""
        if self._open_by_user[user_id] >= MAX_STREAMS_PER_USER:
            return f"at most {MAX_STREAMS_PER_USER} event streams per user are open at once"
        if self.open_streams >= MAX_STREAMS:
            return f"at most {MAX_STREAMS} event streams are open at once"
        return None

    def _release(self, user_id: str) -> None:
        self._open_by_user[user_id] -= 1
        if self._open_by_user[user_id] <= 0:
            del self._open_by_user[user_id]

    async def get(self, request: web.Request) -> web.StreamResponse:
        """Stream events until the client goes away or Home Assistant stops."""
        hass = request.app[KEY_HASS]
        parsed = _parse_query(request.query)
        try:
            query = QUERY_SCHEMA(parsed)
        except probatio.Invalid as err:
            return self.json_message(
                f"Invalid query: {humanize_error(parsed, err)}", HTTPStatus.BAD_REQUEST
            )
        device_ids: list[str] | None = query.get(QUERY_DEVICE_ID)
        user_id: str = request[KEY_HASS_USER].id
        if (refusal := self._refusal(user_id)) is not None:
            LOGGER.debug("Event stream refused for %s: %s", request.remote, refusal)
            return self.json_message(
                refusal,
                HTTPStatus.TOO_MANY_REQUESTS,
                headers={hdrs.RETRY_AFTER: str(STREAMS_RETRY_AFTER)},
            )
        subscriber = _Subscriber(
            frozenset(device_ids) if device_ids is not None else None, _last_event_id(request)
        )

        response = web.StreamResponse(
            headers={
                hdrs.CONTENT_TYPE: "text/event-stream; charset=utf-8",
                hdrs.CACHE_CONTROL: "no-cache",
                # Stops nginx (and proxies that honour it) from buffering the stream.
                "X-Accel-Buffering": "no",
            }
        )
        # Subscribed before the first byte goes out, so a client that saw the stream open
        # cannot miss an event fired right after.
        unsubscribe_events = hass.bus.async_listen(
            EVENT_ROOMSENSE, subscriber.push, event_filter=subscriber.matches
        )
        # Without this an open stream would hold Home Assistant's shutdown until the
        # HTTP server's own timeout.
        unsubscribe_stop = hass.bus.async_listen(EVENT_HOMEASSISTANT_STOP, subscriber.close)
        LOGGER.debug("Event stream %s opened for %s", id(subscriber), request.remote)
        # The slot is taken here and freed in `finally`, however the stream ends (the client
        # leaves, Home Assistant stops, the handler is cancelled, a write fails).
        self._open_by_user[user_id] += 1
        try:
            await response.prepare(request)
            # A browser's EventSource reports itself open on the first bytes: send some now.
            await response.write(_OPENED)
            while not subscriber.closing:
                # A client that left is noticed here or when a write fails; Home Assistant's
                # server also cancels this handler on disconnect, ending it in `finally`.
                if request.transport is None or request.transport.is_closing():
                    break
                try:
                    async with asyncio.timeout(KEEPALIVE_INTERVAL):
                        await subscriber.wait()
                except TimeoutError:
                    payload = _KEEPALIVE
                else:
                    payload = subscriber.take()
                if payload:
                    await response.write(payload)
        except ConnectionResetError:
            LOGGER.debug("Event stream %s: the client went away", id(subscriber))
        finally:
            self._release(user_id)
            unsubscribe_events()
            unsubscribe_stop()
            LOGGER.debug(
                "Event stream %s closed (%d events dropped)", id(subscriber), subscriber.dropped
            )
        return response


@callback
def async_register_events_view(hass: HomeAssistant) -> None:
    """Serve the event stream; safe to call again (e.g. for every config entry)."""
    # aiohttp refuses a second GET route for the same path, and a route cannot be removed.
    if any(resource.canonical == URL_EVENTS for resource in hass.http.app.router.resources()):
        return
    hass.http.register_view(RoomSenseEventsView())
