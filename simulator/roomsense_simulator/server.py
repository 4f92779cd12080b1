"""The simulated SwitchBot Cloud: an aiohttp server for `/v1.1` plus the `/_sim` admin API.

Every `/v1.1` request passes these stages, in order:

1. injected faults (latency, then an HTTP error or a dropped connection): nothing else runs,
   so a faulted command never changes a device;
2. routing: an unknown path or method is answered 403 like API Gateway does (§2, #336);
3. authentication: HTTP 401 `{"message": "Unauthorized"}` (§1);
4. media type: a POST with a body that is not `application/json` gets 415 (issue #161);
5. the daily quota: statusCode 190 "Requests reached the daily limit" (§2);
6. the endpoint itself (HTTP 200 with the `{statusCode, body, message}` envelope).

Every request is recorded in `calls`, whichever stage answered it.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import functools
import json
import logging
import re
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from .admin import add_admin_routes
from .auth import RequestAuthenticator
from .clock import Clock
from .engine import ApiError, CommandEngine
from .faults import ERROR_MESSAGES, Faults
from .model import Home, HomeSource, load_home_definition
from .quota import DEFAULT_DAILY_LIMIT, OVER_QUOTA_MESSAGE, Quota
from .spec import JsonObject
from .webhooks import WebhookService

_LOGGER = logging.getLogger(__name__)

API_PREFIX = "/v1.1"
_dumps = functools.partial(json.dumps, ensure_ascii=False)
_INVALID_JSON = object()
_SHUTDOWN_TIMEOUT_SECONDS = 1.0
# What API Gateway says for a path it does not know (issue #336).
_UNKNOWN_PATH_MESSAGE = (
    "Authorization header requires 'Credential' parameter. Authorization header requires "
    "'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. "
    "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
)

type _Endpoint = Callable[["Simulator", dict[str, str], Any], Awaitable["_Reply"]]


@dataclass(frozen=True, slots=True)
class _Reply:
    """A successful application answer: HTTP 200 with statusCode 100."""

    body: Any
    message: str = "success"


@dataclass(frozen=True, slots=True)
class _Route:
    method: str
    pattern: re.Pattern[str]
    endpoint: _Endpoint
    takes_json: bool


class _OutageError(Exception):
    """The request must be dropped without an answer."""


class Simulator:
    """A SwitchBot Cloud API v1.1 server holding one simulated home.

    ```python
    async with Simulator(token="T", secret="S", home="demo") as sim:
        ...  # sim.base_url, sim.calls, sim.state
    ```
    """

    def __init__(
        self,
        token: str,
        secret: str,
        home: HomeSource = "demo",
        daily_limit: int = DEFAULT_DAILY_LIMIT,
        *,
        clock: Clock | None = None,
        webhook_delay_ms: int = 0,
    ) -> None:
        self.token = token
        self.secret = secret
        self.clock = clock or Clock()
        self._home_definition = load_home_definition(home)
        self.state: Home = Home.from_definition(self._home_definition)
        """The live device model; tests may read and change it directly."""
        self.calls: list[JsonObject] = []
        """Every `/v1.1` request, as `GET /_sim/calls` lists them."""
        self.quota = Quota(self.clock, daily_limit)
        self.faults = Faults()
        self.webhooks = WebhookService(self.clock, webhook_delay_ms)
        self.authenticator = RequestAuthenticator(token, secret, self.clock)
        self.engine = CommandEngine(lambda: self.state, self.clock.now_ms)
        self.app = self._build_app()
        self._runner: web.AppRunner | None = None
        self._base_url: str | None = None
        self._port: int | None = None
        self._stopping = asyncio.Event()

    # --- lifecycle ----------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen on host:port (0 picks a free port) and return the base URL."""
        if self._runner is not None:
            raise RuntimeError("the simulator is already running")
        self._stopping.clear()
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
        except OSError:
            sock.close()
            raise
        runner = web.AppRunner(
            self.app, access_log=None, shutdown_timeout=_SHUTDOWN_TIMEOUT_SECONDS
        )
        await runner.setup()
        try:
            await web.SockSite(runner, sock).start()
        except BaseException:
            await runner.cleanup()
            sock.close()
            raise
        await self.webhooks.start()
        self._runner = runner
        self._port = int(sock.getsockname()[1])
        url_host = f"[{host}]" if family == socket.AF_INET6 else host
        self._base_url = f"http://{url_host}:{self._port}"
        _LOGGER.info("SwitchBot simulator listening on %s", self._base_url)
        return self._base_url

    async def stop(self) -> None:
        """Stop listening and drop pending webhook deliveries; safe to call twice."""
        self._stopping.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self.webhooks.stop()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """`http://host:port` of the running server."""
        if self._base_url is None:
            raise RuntimeError("the simulator is not running")
        return self._base_url

    @property
    def port(self) -> int:
        """The TCP port of the running server."""
        if self._port is None:
            raise RuntimeError("the simulator is not running")
        return self._port

    def reset(self) -> None:
        """Back to the initial home; calls, quota, faults, replay memory and webhook cleared."""
        self.state = Home.from_definition(copy.deepcopy(self._home_definition))
        self.calls.clear()
        self.quota.reset()
        self.faults.clear()
        self.webhooks.reset()
        self.authenticator.reset()

    async def flush_webhooks(self) -> None:
        """Wait until every queued webhook event has been delivered (or has failed)."""
        await self.webhooks.flush()

    def publish(self, contexts: list[JsonObject]) -> None:
        """Queue `changeReport` events for these contexts."""
        for context in contexts:
            self.webhooks.publish(context)

    # --- /v1.1 ----------------------------------------------------------------------------

    def _build_app(self) -> web.Application:
        app = web.Application(client_max_size=1024**2)
        app.router.add_route("*", API_PREFIX + "{tail:(/.*)?}", self._handle_api)
        add_admin_routes(app, self)
        return app

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        parsed = _parse_json(raw)
        record: JsonObject = {
            "time": self.clock.now_ms(),
            "method": request.method,
            "path": request.path,
            "body": None if parsed is _INVALID_JSON else parsed,
        }
        try:
            response = await self._answer(request, raw, parsed)
        except _OutageError:
            record |= {"http_status": None, "status_code": None, "message": "injected outage"}
            self.calls.append(record)
            _LOGGER.info("%s %s -> connection dropped", request.method, request.path)
            # Close the socket without a status line, like a connection reset mid-request.
            if request.transport is not None:
                request.transport.abort()
            raise web.HTTPInternalServerError from None  # never reaches the client
        answer = _parse_json(response.body if isinstance(response.body, bytes) else b"")
        envelope = answer if isinstance(answer, dict) else {}
        record |= {
            "http_status": response.status,
            "status_code": envelope.get("statusCode"),
            "message": envelope.get("message"),
        }
        self.calls.append(record)
        _LOGGER.info(
            "%s %s -> HTTP %s statusCode %s",
            request.method,
            request.path,
            response.status,
            record["status_code"],
        )
        return response

    async def _answer(self, request: web.Request, raw: bytes, parsed: Any) -> web.Response:
        plan = self.faults.take(request.path)
        if plan is not None:
            if plan.latency_ms and await self._sleep_unless_stopping(plan.latency_ms / 1000):
                raise _OutageError
            if plan.outage:
                raise _OutageError
            if plan.http_status is not None:
                message = ERROR_MESSAGES.get(plan.http_status, "Injected failure")
                return _json({"message": message}, status=plan.http_status)

        match = _match_route(request.method, request.path)
        if match is None:
            return _json({"message": _UNKNOWN_PATH_MESSAGE}, status=403)
        route, path_args = match
        if not self.authenticator.check(request.headers):
            return _json({"message": "Unauthorized"}, status=401)
        if route.takes_json and raw and not _is_json_media_type(request.content_type):
            return _json({"message": "Unsupported Media Type"}, status=415)
        if not self.quota.try_consume():
            return _envelope(190, {}, OVER_QUOTA_MESSAGE)
        if route.takes_json and not isinstance(parsed, dict):
            # Malformed JSON is a malformed command: 190, like other format errors (§2).
            return _envelope(190, {}, "request body must be a JSON object")
        try:
            reply = await route.endpoint(self, path_args, parsed)
        except ApiError as error:
            return _envelope(error.status_code, {}, error.message)
        return _envelope(100, reply.body, reply.message)

    async def _sleep_unless_stopping(self, seconds: float) -> bool:
        """Sleep; True when the simulator started stopping meanwhile."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)
        return self._stopping.is_set()

    # --- endpoints ------------------------------------------------------------------------

    async def _list_devices(self, _args: dict[str, str], _body: Any) -> _Reply:
        return _Reply(
            {
                "deviceList": [device.listing_entry() for device in self.state.devices.values()],
                "infraredRemoteList": [
                    remote.listing_entry() for remote in self.state.remotes.values()
                ],
            }
        )

    async def _device_status(self, args: dict[str, str], _body: Any) -> _Reply:
        device = self.state.devices.get(args["device_id"])
        if device is None:
            # Infrared remotes and unknown ids alike (issue #64: "wrong deviceId").
            raise ApiError(190, "wrong deviceId")
        return _Reply(device.status_body())

    async def _device_command(self, args: dict[str, str], body: JsonObject) -> _Reply:
        command = body.get("command")
        if not isinstance(command, str) or not command:
            raise ApiError(190, "command must be a non-empty string")
        command_type = body.get("commandType", "command")
        if not isinstance(command_type, str):
            raise ApiError(190, "commandType must be a string")
        outcome = self.engine.run_command(
            args["device_id"], command, body.get("parameter", "default"), command_type
        )
        self.publish(outcome.contexts)
        return _Reply(outcome.body)

    async def _list_scenes(self, _args: dict[str, str], _body: Any) -> _Reply:
        return _Reply([scene.listing_entry() for scene in self.state.scenes.values()])

    async def _execute_scene(self, args: dict[str, str], _body: Any) -> _Reply:
        scene = self.state.scenes.get(args["scene_id"])
        if scene is None:
            raise ApiError(190, "scene not found")
        self.publish(self.engine.run_scene(scene).contexts)
        return _Reply({})

    async def _setup_webhook(self, _args: dict[str, str], body: JsonObject) -> _Reply:
        return _Reply(self.webhooks.setup(body), message="")

    async def _query_webhook(self, _args: dict[str, str], body: JsonObject) -> _Reply:
        return _Reply(self.webhooks.query(body), message="")

    async def _update_webhook(self, _args: dict[str, str], body: JsonObject) -> _Reply:
        return _Reply(self.webhooks.update(body), message="")

    async def _delete_webhook(self, _args: dict[str, str], body: JsonObject) -> _Reply:
        return _Reply(self.webhooks.delete(body), message="")


def _route(method: str, path: str, endpoint: _Endpoint, *, takes_json: bool = False) -> _Route:
    # "/devices/{device_id}/status" -> r"/v1\.1/devices/(?P<device_id>[^/]+)/status"
    pattern = re.escape(API_PREFIX) + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path)
    return _Route(method, re.compile(pattern), endpoint, takes_json)


_ROUTES = (
    _route("GET", "/devices", Simulator._list_devices),
    _route("GET", "/devices/{device_id}/status", Simulator._device_status),
    _route("POST", "/devices/{device_id}/commands", Simulator._device_command, takes_json=True),
    _route("GET", "/scenes", Simulator._list_scenes),
    _route("POST", "/scenes/{scene_id}/execute", Simulator._execute_scene),
    _route("POST", "/webhook/setupWebhook", Simulator._setup_webhook, takes_json=True),
    _route("POST", "/webhook/queryWebhook", Simulator._query_webhook, takes_json=True),
    _route("POST", "/webhook/updateWebhook", Simulator._update_webhook, takes_json=True),
    _route("POST", "/webhook/deleteWebhook", Simulator._delete_webhook, takes_json=True),
)


def _match_route(method: str, path: str) -> tuple[_Route, dict[str, str]] | None:
    for route in _ROUTES:
        match = route.pattern.fullmatch(path)
        if match is not None and route.method == method:
            return route, match.groupdict()
    return None


def _parse_json(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return _INVALID_JSON


def _is_json_media_type(content_type: str) -> bool:
    return content_type == "application/json" or content_type.endswith("+json")


def _json(data: Any, *, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=_dumps)


def _envelope(status_code: int, body: Any, message: str) -> web.Response:
    return _json({"statusCode": status_code, "body": body, "message": message})
