"""Fixtures for the edge client tests: a tiny fake RoomSense server on 127.0.0.1."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, override
from urllib.parse import parse_qs, urlsplit

import pytest

HA_TOKEN = "ha-admin-token"
DEVICE_ID = "dev-1"
DEVICE_TOKEN = "device-token-1"

_DEVICE_PATH = re.compile(r"^/api/roomsense/edge/devices/([^/]+)/jobs/(next|result)$")


@dataclass
class Recorded:
    """One request the fake server received."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class FakeRoomSense:
    """The RoomSense edge API as the protocol fixes it, plus /test/ routes for transports.

    `jobs` are handed out in order; an empty queue answers 204 at once (no real long poll,
    to keep tests fast). `results` collects what devices reported.
    """

    base_url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    jobs: list[dict[str, Any]] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    result_statuses: list[int] = field(default_factory=list)  # scripted answers, then 200
    release: threading.Event = field(default_factory=threading.Event)
    # The device token the server takes now, and what it does when it refuses one.
    device_token: str = DEVICE_TOKEN
    on_refused_token: Callable[[], None] | None = None

    def answer(self, request: Recorded) -> tuple[int, Any, dict[str, str]]:
        path = request.path
        if path.startswith("/test/"):
            return self._test_route(request)
        if path == "/api/roomsense/edge/ping":
            return 200, {"ok": True}, {}
        auth = request.headers.get("authorization", "")
        if path == "/api/roomsense/edge/devices/register" and request.method == "POST":
            if auth != f"Bearer {HA_TOKEN}":
                return 401, {"message": "Unauthorized"}, {}
            body = request.json()
            device = {"device_id": DEVICE_ID, **body}
            return 201, {"device_id": DEVICE_ID, "token": DEVICE_TOKEN, "device": device}, {}
        match = _DEVICE_PATH.match(path)
        if match is None:
            return 404, {"message": "Not Found"}, {}
        device_id, action = match.groups()
        if device_id != DEVICE_ID:
            return 404, {"message": "unknown device"}, {}
        if auth != f"Bearer {self.device_token}":
            if self.on_refused_token is not None:
                self.on_refused_token()
            return 401, {"success": False, "message": "wrong device token"}, {}
        if action == "next" and request.method == "GET":
            if not self.jobs:
                return 204, None, {}
            job = {
                "device_id": DEVICE_ID,
                "status": "dispatched",
                "instruction": None,
                "command": None,
                "payload": None,
                "created_at": "2025-01-01T00:00:00+00:00",
                "dispatched_at": "2025-01-01T00:00:01+00:00",
                **self.jobs.pop(0),
            }
            return 200, job, {}
        if action == "result" and request.method == "POST":
            if self.result_statuses:
                return self.result_statuses.pop(0), {"message": "scripted"}, {}
            result = request.json()
            self.results.append(result)
            return 200, {"job_id": result["job_id"], "status": result["status"]}, {}
        return 405, {"message": "Method Not Allowed"}, {}

    def _test_route(self, request: Recorded) -> tuple[int, Any, dict[str, str]]:
        name = request.path.removeprefix("/test/")
        if name == "echo":
            return (
                200,
                {
                    "method": request.method,
                    "headers": request.headers,
                    "body": request.body.decode(),
                },
                {},
            )
        if name == "slow":
            self.release.wait(timeout=5)
            return 200, {"slow": True}, {}
        if name == "text":
            return 200, "h\u00e9llo, plain text", {"Content-Type": "text/plain; charset=utf-8"}
        if name.startswith("status/"):
            status = int(name.removeprefix("status/"))
            return status, None if status == 204 else {"message": f"status {status}"}, {}
        return 404, {"message": "Not Found"}, {}


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def _serve(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        request = Recorded(
            method=self.command,
            path=url.path,
            query=parse_qs(url.query),
            headers={key.lower(): value for key, value in self.headers.items()},
            body=self.rfile.read(length) if length else b"",
        )
        self.server.fake.requests.append(request)
        status, body, headers = self.server.fake.answer(request)
        if body is None:
            data = b""
        elif isinstance(body, str):
            data = body.encode()
        else:
            data = json.dumps(body).encode()
            headers = {"Content-Type": "application/json", **headers}
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        if status != 204:
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if status != 204:
            self.wfile.write(data)

    # http.server looks these up by name, hence the upper case.
    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    @override
    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output quiet."""


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # server_close() then joins every handler thread
    fake: FakeRoomSense

    @override
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (a timeout test) is expected; stay quiet."""


@pytest.fixture
def fake_server(socket_enabled: None) -> Iterator[FakeRoomSense]:
    """A running FakeRoomSense; every thread it started is gone after the test."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.fake = FakeRoomSense(base_url=f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server.fake
    finally:
        server.fake.release.set()
        server.shutdown()
        server.server_close()
        thread.join()
