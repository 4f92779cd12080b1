"""The `/_sim/` admin API: inspect and steer the simulator without signing requests.

Answers are JSON. Errors are HTTP 400 (bad body) or 404 (unknown id) with `{"error": "..."}`.
The endpoints are listed in simulator/README.md.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .faults import FaultError, FaultPlan
from .model import Device, InfraredRemote
from .spec import JsonObject

if TYPE_CHECKING:
    from .server import Simulator

ADMIN_PREFIX = "/_sim"


class _AdminError(Exception):
    def __init__(self, http_status: int, message: str) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.message = message


def add_admin_routes(app: web.Application, simulator: Simulator) -> None:
    """Register every `/_sim/` endpoint on `app`."""
    admin = _Admin(simulator)
    routes = [
        ("GET", "/calls", admin.get_calls),
        ("DELETE", "/calls", admin.clear_calls),
        ("GET", "/devices", admin.get_devices),
        ("GET", "/devices/{device_id}", admin.get_device),
        ("POST", "/devices/{device_id}/event", admin.device_event),
        ("POST", "/devices/{device_id}/online", admin.set_online),
        ("GET", "/faults", admin.get_faults),
        ("POST", "/faults", admin.set_faults),
        ("DELETE", "/faults", admin.clear_faults),
        ("GET", "/quota", admin.get_quota),
        ("POST", "/quota", admin.set_quota),
        ("GET", "/webhooks", admin.get_webhooks),
        ("POST", "/webhooks/flush", admin.flush_webhooks),
        ("POST", "/webhooks/drop", admin.drop_webhooks),
        ("GET", "/clock", admin.get_clock),
        ("POST", "/clock", admin.set_clock),
        ("POST", "/reset", admin.reset),
    ]
    for method, path, handler in routes:
        app.router.add_route(method, ADMIN_PREFIX + path, _json_errors(handler))


type _Handler = Callable[[web.Request], Awaitable[JsonObject]]


def _json_errors(handler: _Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handle(request: web.Request) -> web.StreamResponse:
        try:
            result = await handler(request)
        except _AdminError as error:
            return web.json_response({"error": error.message}, status=error.http_status)
        return web.json_response(result, dumps=_dumps)

    return handle


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)


async def _body(request: web.Request) -> JsonObject:
    try:
        body = await request.json()
    except ValueError:
        raise _AdminError(400, "body must be JSON") from None
    if not isinstance(body, dict):
        raise _AdminError(400, "body must be a JSON object")
    return body


def _non_negative_int(body: JsonObject, key: str) -> int | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise _AdminError(400, f"{key} must be a non-negative integer")
    return value


class _Admin:
    def __init__(self, simulator: Simulator) -> None:
        self._sim = simulator

    def _find(self, request: web.Request) -> Device | InfraredRemote:
        device_id = request.match_info["device_id"]
        target = self._sim.state.find(device_id)
        if target is None:
            raise _AdminError(404, f"unknown device {device_id!r}")
        return target

    def _view(self, target: Device | InfraredRemote) -> JsonObject:
        state = self._sim.state
        if isinstance(target, InfraredRemote):
            return target.admin_view(hub_online=state.hub_online(target.hub_device_id))
        return target.admin_view(hub_online=state.parent_hub_online(target))

    # --- calls ------------------------------------------------------------------------------

    async def get_calls(self, _request: web.Request) -> JsonObject:
        return {"calls": list(self._sim.calls)}

    async def clear_calls(self, _request: web.Request) -> JsonObject:
        self._sim.calls.clear()
        return {"calls": []}

    # --- devices ----------------------------------------------------------------------------

    async def get_devices(self, _request: web.Request) -> JsonObject:
        return self._sim.state.admin_view()

    async def get_device(self, request: web.Request) -> JsonObject:
        return self._view(self._find(request))

    async def device_event(self, request: web.Request) -> JsonObject:
        """`{"status": {...}, "webhook": {...}}`: a physical change, pushed as a webhook.

        `status` fields must already exist on the device; `webhook` adds momentary fields
        that only events carry (a doorbell's `press`, a contact sensor's `doorMode`).
        """
        target = self._find(request)
        body = await _body(request)
        if isinstance(target, InfraredRemote):
            raise _AdminError(400, "infrared remotes have no physical state")
        unknown_keys = body.keys() - {"status", "webhook"}
        status = body.get("status", {})
        extra = body.get("webhook", {})
        if unknown_keys or not isinstance(status, dict) or not isinstance(extra, dict):
            raise _AdminError(400, 'body must be {"status": {...}, "webhook": {...}}')
        if not status and not extra:
            raise _AdminError(400, "give status fields to change or webhook fields to send")
        unknown_fields = status.keys() - target.status.keys()
        if unknown_fields:
            raise _AdminError(
                400,
                f"{sorted(unknown_fields)} are not status fields of {target.device_type!r} "
                f"(known: {sorted(target.status)})",
            )
        outcome = self._sim.engine.physical_event(target, status, extra)
        self._sim.publish(outcome.contexts)
        return self._view(target) | {"webhookEvents": outcome.contexts}

    async def set_online(self, request: web.Request) -> JsonObject:
        target = self._find(request)
        body = await _body(request)
        online = body.get("online")
        if not isinstance(online, bool):
            raise _AdminError(400, 'body must be {"online": true|false}')
        if isinstance(target, InfraredRemote):
            raise _AdminError(400, "an infrared remote is as online as its hub: set the hub")
        target.set_online(online)
        return self._view(target)

    # --- faults, quota, clock -------------------------------------------------------------------

    async def get_faults(self, _request: web.Request) -> JsonObject:
        plan = self._sim.faults.plan
        return {"fault": plan.as_dict() if plan else None}

    async def set_faults(self, request: web.Request) -> JsonObject:
        try:
            plan = FaultPlan.from_body(await _body(request))
        except FaultError as error:
            raise _AdminError(400, str(error)) from None
        self._sim.faults.set(plan)
        return {"fault": plan.as_dict()}

    async def clear_faults(self, _request: web.Request) -> JsonObject:
        self._sim.faults.clear()
        return {"fault": None}

    async def get_quota(self, _request: web.Request) -> JsonObject:
        return self._sim.quota.snapshot()

    async def set_quota(self, request: web.Request) -> JsonObject:
        body = await _body(request)
        if not body or body.keys() - {"used", "limit"}:
            raise _AdminError(400, 'body must be {"used": N} and/or {"limit": N}')
        used = _non_negative_int(body, "used")
        limit = _non_negative_int(body, "limit")
        if limit is not None:
            self._sim.quota.limit = limit
        if used is not None:
            self._sim.quota.used = used
        return self._sim.quota.snapshot()

    async def get_clock(self, _request: web.Request) -> JsonObject:
        clock = self._sim.clock
        return {
            "now": clock.now_ms(),
            "offset_seconds": clock.offset_seconds,
            "day": clock.utc_day(),
        }

    async def set_clock(self, request: web.Request) -> JsonObject:
        """`{"advance_seconds": X}` moves the clock; `{"offset_seconds": X}` sets its shift."""
        body = await _body(request)
        if len(body) != 1 or body.keys() - {"advance_seconds", "offset_seconds"}:
            raise _AdminError(400, 'body must be {"advance_seconds": X} or {"offset_seconds": X}')
        ((key, value),) = body.items()
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise _AdminError(400, f"{key} must be a number")
        if key == "advance_seconds":
            self._sim.clock.advance(value)
        else:
            self._sim.clock.set_offset(value)
        return await self.get_clock(request)

    # --- webhooks, reset ----------------------------------------------------------------------

    async def get_webhooks(self, _request: web.Request) -> JsonObject:
        return self._sim.webhooks.snapshot()

    async def flush_webhooks(self, _request: web.Request) -> JsonObject:
        await self._sim.flush_webhooks()
        return self._sim.webhooks.snapshot()

    async def drop_webhooks(self, request: web.Request) -> JsonObject:
        """`{"drop": true}`: events are lost on the way (recorded as dropped) until false."""
        body = await _body(request)
        if body.keys() != {"drop"} or not isinstance(body["drop"], bool):
            raise _AdminError(400, 'body must be {"drop": true} or {"drop": false}')
        self._sim.webhooks.dropping = body["drop"]
        return self._sim.webhooks.snapshot()

    async def reset(self, _request: web.Request) -> JsonObject:
        self._sim.reset()
        return {"reset": True}
