"""Webhook configuration (reference §3.5) and `changeReport` delivery (§7).

One URL per account, as observed: a second `setupWebhook` fails with "webhook is exist".
Deliveries run in one background task, in publication order, and never hold up an API reply;
every attempt is recorded with its HTTP status or the error it met.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from dataclasses import dataclass
from typing import Any

import aiohttp

from .clock import Clock
from .engine import ApiError
from .spec import JsonObject

_LOGGER = logging.getLogger(__name__)
_URL = re.compile(r"https?://[^\s/]+\S*")
DELIVERY_TIMEOUT_SECONDS = 5.0


@dataclass(slots=True)
class WebhookConfig:
    """The account's webhook."""

    url: str
    enable: bool
    create_time: int
    last_update_time: int

    def as_dict(self) -> JsonObject:
        """The `queryDetails` shape."""
        return {
            "url": self.url,
            "createTime": self.create_time,
            "lastUpdateTime": self.last_update_time,
            "deviceList": "ALL",
            "enable": self.enable,
        }


@dataclass(frozen=True, slots=True)
class _Pending:
    url: str
    payload: JsonObject


class WebhookService:
    """Holds the webhook configuration and pushes events to it."""

    def __init__(self, clock: Clock, delay_ms: int = 0) -> None:
        self._clock = clock
        self.delay_ms = delay_ms
        self.config: WebhookConfig | None = None
        self.deliveries: list[JsonObject] = []
        # Events are lost on the way, as when a router does not forward them.
        self.dropping = False
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    # --- management API (raises ApiError, answered with statusCode 190) --------------------

    def setup(self, body: JsonObject) -> JsonObject:
        """`setupWebhook`: `{"action": "setupWebhook", "url": ..., "deviceList": "ALL"}`."""
        _expect_action(body, "setupWebhook")
        url = _valid_url(body.get("url"))
        if body.get("deviceList") != "ALL":
            raise ApiError(190, 'deviceList must be "ALL"')
        if self.config is not None:
            raise ApiError(190, "webhook is exist")
        now = self._clock.now_ms()
        self.config = WebhookConfig(url=url, enable=True, create_time=now, last_update_time=now)
        return {}

    def query(self, body: JsonObject) -> Any:
        """`queryWebhook`: `queryUrl` lists the URL, `queryDetails` describes given URLs.

        `queryDetails` takes `urls` (an array) like the README sample; the README table's
        `url` (a string) is accepted too.
        """
        action = body.get("action")
        if action == "queryUrl":
            return {"urls": [self.config.url] if self.config else []}
        if action == "queryDetails":
            urls = body.get("urls", [body["url"]] if "url" in body else None)
            if not isinstance(urls, list) or not all(isinstance(url, str) for url in urls):
                raise ApiError(190, "urls must be a list of URLs")
            if self.config is None:
                return []
            return [self.config.as_dict()] if self.config.url in urls else []
        raise ApiError(190, 'action must be "queryUrl" or "queryDetails"')

    def update(self, body: JsonObject) -> JsonObject:
        """`updateWebhook`: `{"action": "updateWebhook", "config": {"url", "enable"}}`.

        With one webhook per account, a different URL replaces the configured one.
        """
        _expect_action(body, "updateWebhook")
        config = body.get("config")
        if not isinstance(config, dict):
            raise ApiError(190, "config must be an object")
        url = _valid_url(config.get("url"))
        enable = config.get("enable")
        if not isinstance(enable, bool):
            raise ApiError(190, "config.enable must be true or false")
        if self.config is None:
            raise ApiError(190, "webhook is not exist")
        self.config.url = url
        self.config.enable = enable
        self.config.last_update_time = self._clock.now_ms()
        return {}

    def delete(self, body: JsonObject) -> JsonObject:
        """`deleteWebhook`: `{"action": "deleteWebhook", "url": ...}`."""
        _expect_action(body, "deleteWebhook")
        url = _valid_url(body.get("url"))
        if self.config is None or self.config.url != url:
            raise ApiError(190, "webhook is not exist")
        self.config = None
        return {}

    # --- delivery ---------------------------------------------------------------------------

    def publish(self, context: JsonObject) -> None:
        """Queue a `changeReport` for the configured URL; nothing happens when none is enabled."""
        if self.config is None or not self.config.enable:
            return
        payload = {"eventType": "changeReport", "eventVersion": "1", "context": context}
        self._queue.put_nowait(_Pending(self.config.url, payload))

    async def flush(self) -> None:
        """Wait until every queued event has been delivered (or has failed)."""
        await self._queue.join()

    def snapshot(self) -> JsonObject:
        """`GET /_sim/webhooks`."""
        return {
            "config": None
            if self.config is None
            else {
                "url": self.config.url,
                "enable": self.config.enable,
                "createTime": self.config.create_time,
                "lastUpdateTime": self.config.last_update_time,
            },
            "dropping": self.dropping,
            "deliveries": list(self.deliveries),
        }

    def reset(self) -> None:
        """Forget the configuration, the history and anything not yet delivered."""
        self.config = None
        self.deliveries.clear()
        self.dropping = False
        self._drop_pending()

    async def start(self) -> None:
        """Start the delivery task."""
        if self._worker is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=DELIVERY_TIMEOUT_SECONDS)
            )
            self._worker = asyncio.create_task(self._deliver_forever(), name="webhook delivery")

    async def stop(self) -> None:
        """Stop delivering; undelivered events are dropped."""
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        if self._session is not None:
            await self._session.close()
            self._session = None
        self._drop_pending()

    def _drop_pending(self) -> None:
        while not self._queue.empty():
            self._queue.get_nowait()
            self._queue.task_done()

    async def _deliver_forever(self) -> None:
        while True:
            pending = await self._queue.get()
            try:
                if self.delay_ms:
                    await asyncio.sleep(self.delay_ms / 1000)
                await self._deliver(pending)
            finally:
                self._queue.task_done()

    async def _deliver(self, pending: _Pending) -> None:
        record: JsonObject = {
            "time": self._clock.now_ms(),
            "url": pending.url,
            "payload": pending.payload,
        }
        if self._session is None:
            return
        if self.dropping:
            record["error"] = "dropped"
            self.deliveries.append(record)
            return
        try:
            async with self._session.post(pending.url, json=pending.payload) as response:
                await response.read()
                record["http_status"] = response.status
        except (aiohttp.ClientError, TimeoutError, OSError, ValueError) as error:
            # Delivery is best-effort on the real cloud too: record, never raise.
            record["error"] = f"{type(error).__name__}: {error}"
            _LOGGER.info("Webhook delivery to %s failed: %s", pending.url, record["error"])
        self.deliveries.append(record)


def _expect_action(body: JsonObject, action: str) -> None:
    if body.get("action") != action:
        raise ApiError(190, f'action must be "{action}"')


def _valid_url(value: Any) -> str:
    if not isinstance(value, str) or not _URL.fullmatch(value):
        raise ApiError(190, "url must be an http(s) URL")
    return value
