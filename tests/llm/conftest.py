"""Real local HTTP servers speaking the model servers' protocols."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from custom_components.roomsense.language_models import LLMAdapter

type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Received:
    """One request the fake server got."""

    method: str
    path: str
    body: Any
    headers: dict[str, str]


@dataclass
class FakeServer:
    """Routes set per test; every request is recorded before it is answered."""

    base_url: str = ""
    routes: dict[str, Handler] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    release: asyncio.Event = field(default_factory=asyncio.Event)

    def bodies(self, path: str) -> list[Any]:
        return [item.body for item in self.received if item.path == path]

    async def dispatch(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode()
        self.received.append(Received(request.method, request.path, body, dict(request.headers)))
        handler = self.routes.get(request.path)
        if handler is None:
            return web.Response(status=404, text="no route")
        return await handler(request)

    async def hang(self, request: web.Request) -> web.StreamResponse:
        """Never answer (until the test ends)."""
        await self.release.wait()
        return web.Response(status=504)


def json_reply(data: Any, status: int = 200) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.json_response(data, status=status)

    return handler


def text_reply(text: str, status: int = 200, content_type: str = "text/plain") -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(text=text, status=status, content_type=content_type)

    return handler


def lines_reply(lines: list[str], content_type: str) -> Handler:
    """Stream `lines` one write at a time (SSE or NDJSON)."""

    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": content_type})
        await response.prepare(request)
        for line in lines:
            await response.write(line.encode())
            await asyncio.sleep(0)
        await response.write_eof()
        return response

    return handler


def sse_reply(events: list[Any], done: bool = True) -> Handler:
    lines = [f"data: {json.dumps(event)}\n\n" for event in events]
    if done:
        lines.append("data: [DONE]\n\n")
    return lines_reply(lines, "text/event-stream")


def ndjson_reply(objects: list[Any]) -> Handler:
    return lines_reply([json.dumps(item) + "\n" for item in objects], "application/x-ndjson")


@contextlib.asynccontextmanager
async def serving(fake: FakeServer) -> AsyncIterator[FakeServer]:
    """`fake` answering HTTP on a free port of 127.0.0.1 (its `base_url`)."""
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", fake.dispatch)
    test_server = TestServer(app, host="127.0.0.1")
    await test_server.start_server()
    fake.base_url = str(test_server.make_url("")).rstrip("/")
    try:
        yield fake
    finally:
        fake.release.set()
        await test_server.close()


@pytest.fixture
async def server(socket_enabled: None) -> AsyncIterator[FakeServer]:
    """A fake model server on 127.0.0.1."""
    async with serving(FakeServer()) as fake:
        yield fake


@pytest.fixture
async def session(socket_enabled: None) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
async def closing() -> AsyncIterator[Callable[[LLMAdapter], LLMAdapter]]:
    """Register adapters to close after the test (their http clients)."""
    adapters: list[LLMAdapter] = []

    def register[T: LLMAdapter](adapter: T) -> T:
        adapters.append(adapter)
        return adapter

    yield register
    for adapter in adapters:
        await adapter.close()


@pytest.fixture
def refused_url(socket_enabled: None) -> str:
    """A URL on 127.0.0.1 where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
async def drain_generators() -> AsyncIterator[None]:
    """Let abandoned async generators inside httpx/openai/ollama finish closing.

    When a stream fails mid-way those libraries leave nested async generators
    suspended in reference cycles; the loop closes them from a task once they are
    collected. Do that now, before the plugin's lingering-task check runs.
    """
    yield
    current = asyncio.current_task()
    for _ in range(3):
        gc.collect()
        # The loop's finalizer hook creates the closing tasks via call_soon_threadsafe.
        await asyncio.sleep(0)
        pending = [
            task
            for task in asyncio.all_tasks()
            if task is not current and "athrow" in repr(task.get_coro())
        ]
        if not pending:
            return
        await asyncio.wait(pending, timeout=1)
