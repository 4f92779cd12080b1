"""Async client of the SwitchBot Open API v1.1. It knows nothing of Home Assistant."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Any, Final

import aiohttp

from .counter import CallCounter
from .exceptions import (
    SwitchBotApiError,
    SwitchBotAuthenticationError,
    SwitchBotConnectionError,
    SwitchBotDeviceError,
    SwitchBotDeviceNotFoundError,
    SwitchBotDeviceOfflineError,
    SwitchBotDeviceTypeError,
    SwitchBotError,
    SwitchBotHubOfflineError,
    SwitchBotQuotaExceededError,
    SwitchBotUnsupportedCommandError,
    SwitchBotWebhookExistsError,
)
from .models import CommandResult, DeviceList, DeviceStatus, Scene, WebhookDetails
from .signing import signed_headers

_LOGGER = logging.getLogger(__name__)

DEFAULT_BASE_URL: Final = "https://api.switch-bot.com"
API_PREFIX: Final = "/v1.1"
DEFAULT_TIMEOUT: Final = 10.0
DEFAULT_MAX_ATTEMPTS: Final = 3
DEFAULT_BACKOFF: Final = 0.5
MAX_BACKOFF: Final = 8.0

STATUS_SUCCESS: Final = 100
_COMMAND_ERRORS: Final[dict[int, type[SwitchBotApiError]]] = {
    151: SwitchBotDeviceTypeError,
    152: SwitchBotDeviceNotFoundError,
    160: SwitchBotUnsupportedCommandError,
    161: SwitchBotDeviceOfflineError,
    171: SwitchBotHubOfflineError,
}

# Errors raised before a single byte of the request was sent: retrying them can never
# run a command twice.
_NOT_SENT_ERRORS: Final = (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError)


class _RetryableError(Exception):
    """Internal: an attempt failed in a way that may be retried when the call is safe."""

    def __init__(
        self, error: SwitchBotConnectionError, *, reached_server: bool, stale: bool = False
    ) -> None:
        super().__init__(str(error))
        self.error = error
        self.reached_server = reached_server
        # The connection dropped with no answer: typically a kept-alive connection the
        # server had just closed.
        self.stale = stale


def _error_for(status_code: int, message: str) -> SwitchBotApiError:
    """Map an application statusCode to the exception a caller can act on."""
    if status_code in _COMMAND_ERRORS:
        return _COMMAND_ERRORS[status_code](status_code, message)
    lowered = message.lower()
    if status_code == 190 and "daily limit" in lowered:
        return SwitchBotQuotaExceededError(status_code, message)
    if status_code == 190 and "webhook is exist" in lowered:
        return SwitchBotWebhookExistsError(status_code, message)
    return SwitchBotDeviceError(status_code, message)


class SwitchBotCloudClient:
    """One SwitchBot account on the Open API v1.1.

    Every request is signed with a fresh timestamp and nonce. GETs and read-only POSTs are
    retried with exponential backoff and jitter; a POST that changes something is retried
    only when it provably never reached the server, so `toggle` or `press` never runs twice.
    """

    def __init__(
        self,
        token: str,
        secret: str,
        session: aiohttp.ClientSession,
        *,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = DEFAULT_TIMEOUT,
        counter: CallCounter | None = None,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        backoff: float = DEFAULT_BACKOFF,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """Use the given aiohttp session; the caller owns it."""
        self._token = token
        self._secret = secret
        self._session = session
        self.base_url = base_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout, sock_connect=timeout)
        self.counter = counter if counter is not None else CallCounter()
        self._max_attempts = max(1, max_attempts)
        self._backoff = backoff
        self._sleep = sleep
        # Told after every request: None when the cloud answered (even with an error),
        # the error when it could not be reached (after the retries).
        self.reach_listener: Callable[[SwitchBotConnectionError | None], None] | None = None

    async def get_devices(self) -> DeviceList:
        """List the account's physical devices and infrared remotes."""
        body = await self._request("GET", "/devices")
        return DeviceList.from_dict(body if isinstance(body, dict) else {})

    async def get_status(self, device_id: str) -> DeviceStatus:
        """Read the status of one physical device."""
        body = await self._request("GET", f"/devices/{device_id}/status")
        data = body if isinstance(body, dict) else {}
        data.setdefault("deviceId", device_id)
        return DeviceStatus.from_dict(data)

    async def send_command(
        self,
        device_id: str,
        command: str,
        parameter: str | int | dict[str, Any] = "default",
        command_type: str = "command",
        *,
        idempotent: bool = False,
        attempts: int | None = None,
    ) -> CommandResult:
        """Send a command; `command_type` "customize" for user-defined infrared buttons.

        An `idempotent` command (sending it twice does what sending it once does) is retried
        like a read; any other is re-sent only when it provably never left. `attempts`
        limits the tries (a caller with a queue of its own retries later instead).
        """
        payload = {
            "command": command,
            "parameter": parameter if isinstance(parameter, dict) else str(parameter),
            "commandType": command_type,
        }
        body = await self._request(
            "POST",
            f"/devices/{device_id}/commands",
            payload,
            idempotent=idempotent,
            attempts=attempts,
        )
        return CommandResult.from_body(body)

    async def probe(self) -> None:
        """Ask the cloud one cheap signed question, without retries, to learn if it is there.

        Raises `SwitchBotConnectionError` while it cannot be reached; any answer, even an
        error of the API, means it is back.
        """
        await self._request(
            "POST", "/webhook/queryWebhook", {"action": "queryUrl"}, idempotent=True, attempts=1
        )

    async def get_scenes(self) -> list[Scene]:
        """List the account's manual scenes."""
        body = await self._request("GET", "/scenes")
        items = body if isinstance(body, list) else []
        return [
            Scene.from_dict(item)
            for item in items
            if isinstance(item, dict) and item.get("sceneId")
        ]

    async def execute_scene(self, scene_id: str) -> None:
        """Run a manual scene."""
        await self._request("POST", f"/scenes/{scene_id}/execute", idempotent=False)

    async def setup_webhook(self, url: str) -> None:
        """Register the account's webhook URL (the cloud keeps one per account)."""
        await self._request(
            "POST",
            "/webhook/setupWebhook",
            {"action": "setupWebhook", "url": url, "deviceList": "ALL"},
            idempotent=False,
        )

    async def query_webhook_urls(self) -> list[str]:
        """Return the webhook URLs registered on the account."""
        body = await self._request(
            "POST", "/webhook/queryWebhook", {"action": "queryUrl"}, idempotent=True
        )
        urls = body.get("urls") if isinstance(body, dict) else None
        return [str(url) for url in urls or []]

    async def query_webhook_details(self, urls: list[str]) -> list[WebhookDetails]:
        """Return the configuration of the given webhook URLs."""
        body = await self._request(
            "POST",
            "/webhook/queryWebhook",
            {"action": "queryDetails", "urls": urls},
            idempotent=True,
        )
        items = body if isinstance(body, list) else []
        return [WebhookDetails.from_dict(item) for item in items if isinstance(item, dict)]

    async def update_webhook(self, url: str, *, enable: bool = True) -> None:
        """Enable or disable a webhook URL."""
        await self._request(
            "POST",
            "/webhook/updateWebhook",
            {"action": "updateWebhook", "config": {"url": url, "enable": enable}},
            idempotent=False,
        )

    async def delete_webhook(self, url: str) -> None:
        """Remove a webhook URL from the account."""
        await self._request(
            "POST",
            "/webhook/deleteWebhook",
            {"action": "deleteWebhook", "url": url},
            idempotent=False,
        )

    async def _request(
        self,
        method: str,
        path: str,
        payload: dict[str, Any] | None = None,
        *,
        idempotent: bool | None = None,
        attempts: int | None = None,
    ) -> Any:
        """Send one API call with the retry policy and return the envelope's body."""
        try:
            body = await self._request_with_retries(
                method, path, payload, idempotent, attempts or self._max_attempts
            )
        except SwitchBotConnectionError as err:
            self._tell_reach(err)
            raise
        except SwitchBotError:
            self._tell_reach(None)
            raise
        self._tell_reach(None)
        return body

    def _tell_reach(self, error: SwitchBotConnectionError | None) -> None:
        if self.reach_listener is not None:
            self.reach_listener(error)

    async def _request_with_retries(
        self,
        method: str,
        path: str,
        payload: dict[str, Any] | None,
        idempotent: bool | None,
        max_attempts: int,
    ) -> Any:
        safe_to_repeat = method == "GET" if idempotent is None else idempotent
        attempt = 1
        stale_retried = False
        while True:
            try:
                return await self._attempt(method, path, payload)
            except _RetryableError as err:
                if err.stale and safe_to_repeat and not stale_retried:
                    # The pool drops the dead connection: the retry goes out on a live one.
                    stale_retried = True
                    _LOGGER.debug("%s %s: connection dropped (%s), retrying", method, path, err)
                    continue
                retry = attempt < max_attempts and (safe_to_repeat or not err.reached_server)
                if not retry:
                    raise err.error from err.__cause__
                delay = self._backoff_delay(attempt)
                _LOGGER.debug(
                    "%s %s failed (%s), attempt %d of %d, retrying in %.2fs",
                    method, path, err, attempt, max_attempts, delay,
                )  # fmt: skip
                await self._sleep(delay)
                attempt += 1

    def _backoff_delay(self, attempt: int) -> float:
        """Exponential backoff with full jitter, so many clients do not retry in step."""
        ceiling = min(self._backoff * 2 ** (attempt - 1), MAX_BACKOFF)
        return random.uniform(ceiling / 2, ceiling)

    async def _attempt(self, method: str, path: str, payload: dict[str, Any] | None) -> Any:
        headers = signed_headers(self._token, self._secret)
        if payload is not None:
            headers["Content-Type"] = "application/json; charset=utf8"
        url = f"{self.base_url}{API_PREFIX}{path}"
        try:
            async with self._session.request(
                method, url, json=payload, headers=headers, timeout=self._timeout
            ) as response:
                if response.status == 401:
                    raise SwitchBotAuthenticationError("SwitchBot rejected the token or secret")
                if response.status >= 500 or response.status == 429:
                    raise _RetryableError(
                        SwitchBotConnectionError(
                            f"SwitchBot answered HTTP {response.status}", answered=True
                        ),
                        reached_server=True,
                    )
                try:
                    envelope = await response.json(content_type=None)
                except ValueError as err:
                    raise _RetryableError(
                        SwitchBotConnectionError(
                            "SwitchBot answered with invalid JSON", answered=True
                        ),
                        reached_server=True,
                    ) from err
                http_status = response.status
        except _NOT_SENT_ERRORS as err:
            raise _RetryableError(
                SwitchBotConnectionError(f"Cannot connect to SwitchBot: {err}", request_sent=False),
                reached_server=False,
            ) from err
        except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError) as err:
            # Broken pipe, reset, or closed with no answer (ClientConnectorError, a subclass
            # of ClientOSError that never sent anything, is caught above).
            raise _RetryableError(
                SwitchBotConnectionError(f"Error talking to SwitchBot: {err!r}"),
                reached_server=True,
                stale=True,
            ) from err
        except (aiohttp.ClientError, TimeoutError) as err:
            raise _RetryableError(
                SwitchBotConnectionError(f"Error talking to SwitchBot: {err!r}"),
                reached_server=True,
            ) from err

        if not isinstance(envelope, dict) or "statusCode" not in envelope:
            if http_status != 200:
                raise SwitchBotApiError(http_status, str(envelope))
            raise SwitchBotConnectionError("SwitchBot answered without a status code")
        self.counter.record()
        status_code = envelope["statusCode"]
        message = str(envelope.get("message") or "")
        if status_code != STATUS_SUCCESS:
            try:
                code = int(status_code)
            except (TypeError, ValueError):
                raise SwitchBotApiError(http_status, f"status code {status_code!r}") from None
            error = _error_for(code, message)
            if isinstance(error, SwitchBotQuotaExceededError):
                self.counter.mark_exhausted()
            raise error
        return envelope.get("body")
