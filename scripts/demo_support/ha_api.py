"""The parts of Home Assistant's HTTP and websocket APIs that the demo uses."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Final

import aiohttp

from .settings import DemoError

_REQUEST_TIMEOUT: Final = aiohttp.ClientTimeout(total=60)


@dataclass(frozen=True, slots=True)
class Tokens:
    """An access token and the refresh token it came with."""

    access_token: str
    refresh_token: str


class HomeAssistantClient:
    """Talks to one Home Assistant over HTTP, as the frontend would."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        self._session = session
        self.base_url = base_url
        self.client_id = f"{base_url}/"
        self.redirect_uri = f"{base_url}/?auth_callback=1"
        self.tokens: Tokens | None = None

    # -- plumbing ----------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        if self.tokens is None:
            return {}
        return {"Authorization": f"Bearer {self.tokens.access_token}"}

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: Mapping[str, str] | None = None,
        ok: tuple[int, ...] = (HTTPStatus.OK,),
    ) -> tuple[int, Any]:
        """Call the API; the status and the decoded JSON body (None when not JSON)."""
        async with self._session.request(
            method,
            f"{self.base_url}{path}",
            json=json,
            data=data,
            headers=self._headers(),
            timeout=_REQUEST_TIMEOUT,
        ) as response:
            body: Any = None
            if response.content_type == "application/json":
                body = await response.json()
            else:
                text = await response.text()
                body = text or None
            if response.status not in ok:
                raise DemoError(
                    f"Home Assistant answered {method} {path} with {response.status}: {body}"
                )
            return response.status, body

    async def wait_until_serving(self, alive: Callable[[], bool]) -> None:
        """Wait until the HTTP server answers; fail when the process ended first.

        Waits for as long as it takes: callers bound it with `asyncio.timeout`.
        """
        while True:
            if not alive():
                raise DemoError("Home Assistant stopped while starting")
            try:
                async with self._session.get(
                    f"{self.base_url}/api/onboarding",
                    timeout=aiohttp.ClientTimeout(total=5),
                ) as response:
                    # 200 while onboarding, 404 after: either way the server is up.
                    if response.status in (HTTPStatus.OK, HTTPStatus.NOT_FOUND):
                        return
            except (aiohttp.ClientError, TimeoutError):
                pass
            await asyncio.sleep(0.5)

    # -- login -------------------------------------------------------------------------

    async def _exchange_code(self, code: str) -> Tokens:
        _, body = await self.request(
            "POST",
            "/auth/token",
            data={"grant_type": "authorization_code", "code": code, "client_id": self.client_id},
        )
        self.tokens = Tokens(body["access_token"], body["refresh_token"])
        return self.tokens

    async def login(self, username: str, password: str) -> Tokens:
        """Log in through the login flow of the `homeassistant` auth provider."""
        _, flow = await self.request(
            "POST",
            "/auth/login_flow",
            json={
                "client_id": self.client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": self.redirect_uri,
            },
        )
        _, result = await self.request(
            "POST",
            f"/auth/login_flow/{flow['flow_id']}",
            json={"client_id": self.client_id, "username": username, "password": password},
        )
        if result.get("type") != "create_entry":
            raise DemoError(f"Logging in as {username!r} failed: {result.get('errors')}")
        return await self._exchange_code(result["result"])

    async def revoke(self) -> None:
        """Revoke the refresh token of this client, so runs do not pile up tokens."""
        if self.tokens is None:
            return
        await self.request("POST", "/auth/revoke", data={"token": self.tokens.refresh_token})
        self.tokens = None

    # -- onboarding --------------------------------------------------------------------

    async def onboarding_todo(self) -> set[str]:
        """The onboarding steps still to do; empty once onboarding is complete."""
        status, body = await self.request(
            "GET", "/api/onboarding", ok=(HTTPStatus.OK, HTTPStatus.NOT_FOUND)
        )
        if status == HTTPStatus.NOT_FOUND:
            # Home Assistant registers the onboarding views only while onboarding.
            return set()
        return {step["step"] for step in body if not step["done"]}

    async def onboard_owner(self, name: str, username: str, password: str, language: str) -> Tokens:
        """Create the owner account (onboarding's user step) and log in as it."""
        _, body = await self.request(
            "POST",
            "/api/onboarding/users",
            json={
                "client_id": self.client_id,
                "name": name,
                "username": username,
                "password": password,
                "language": language,
            },
        )
        return await self._exchange_code(body["auth_code"])

    async def finish_onboarding_step(self, step: str) -> None:
        """Finish the analytics or integration step as the logged-in owner."""
        payload: dict[str, str] = {}
        if step == "integration":
            payload = {"client_id": self.client_id, "redirect_uri": self.redirect_uri}
        await self.request("POST", f"/api/onboarding/{step}", json=payload)

    # -- core --------------------------------------------------------------------------

    async def core_config(self) -> dict[str, Any]:
        """`GET /api/config`: the core config and the state of Home Assistant."""
        _, body = await self.request("GET", "/api/config")
        return dict(body)

    async def wait_until_running(self, alive: Callable[[], bool]) -> None:
        """Wait until every integration of the startup is set up; bound it by the caller."""
        while (await self.core_config()).get("state") != "RUNNING":
            if not alive():
                raise DemoError("Home Assistant stopped while starting")
            await asyncio.sleep(0.5)

    async def websocket(self, *commands: dict[str, Any]) -> list[Any]:
        """Run websocket commands in order on one connection; their results."""
        if self.tokens is None:
            raise DemoError("Not logged in")
        url = f"{self.base_url}/api/websocket"
        results: list[Any] = []
        async with self._session.ws_connect(url) as ws:
            await ws.receive_json()  # auth_required
            await ws.send_json({"type": "auth", "access_token": self.tokens.access_token})
            if (auth := await ws.receive_json()).get("type") != "auth_ok":
                raise DemoError(f"Websocket login failed: {auth}")
            for msg_id, command in enumerate(commands, start=1):
                await ws.send_json({"id": msg_id, **command})
                while (reply := await ws.receive_json()).get("id") != msg_id:
                    pass
                if not reply.get("success"):
                    raise DemoError(f"Websocket command {command['type']} failed: {reply}")
                results.append(reply.get("result"))
        return results

    # -- config entries ----------------------------------------------------------------

    async def config_entries(self, domain: str) -> list[dict[str, Any]]:
        """The config entries of a domain, as the integrations page lists them."""
        _, body = await self.request("GET", f"/api/config/config_entries/entry?domain={domain}")
        return list(body)

    async def reload_entry(self, entry_id: str) -> None:
        """Reload a config entry, as its menu's Reload does."""
        await self.request("POST", f"/api/config/config_entries/entry/{entry_id}/reload")

    async def config_flow(
        self, handler: str, user_input: dict[str, Any], entry_id: str | None = None
    ) -> dict[str, Any]:
        """Start a config flow (a reconfigure flow when entry_id is given), submit its form.

        Returns the flow's final result (create_entry, abort, or the form with errors).
        """
        init: dict[str, Any] = {"handler": handler, "show_advanced_options": True}
        if entry_id is not None:
            init["entry_id"] = entry_id
        _, form = await self.request("POST", "/api/config/config_entries/flow", json=init)
        if form.get("type") != "form":
            return dict(form)
        _, result = await self.request(
            "POST", f"/api/config/config_entries/flow/{form['flow_id']}", json=user_input
        )
        if result.get("type") == "form":
            # Leave no flow in progress behind.
            await self.request("DELETE", f"/api/config/config_entries/flow/{form['flow_id']}")
        return dict(result)
