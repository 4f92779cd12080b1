"""A simulated Home Assistant Supervisor: the part of its API that add-on discovery uses.

On Home Assistant OS an add-on announces a service with `POST http://supervisor/discovery`
and its `SUPERVISOR_TOKEN`. The Supervisor keeps the message and pushes its uuid to Core
(`POST /api/hassio_push/discovery/{uuid}`); Core's `hassio` integration reads the message
(`GET /discovery/{uuid}`) and the add-on's info (`GET /addons/{slug}/info`) and starts the
config flow of the service with source `hassio`. The demo has no Supervisor and no `hassio`
integration: this server plays the Supervisor, the demo-only integration
`roomsense_demo_supervisor` (next to this file) plays Core's side.

Implemented as the Supervisor does it (its `api/discovery.py`, `api/apps.py`,
`api/homeassistant.py`, `api/middleware/security.py`, `discovery/__init__.py` and
`homeassistant/api.py`):

- Tokens: Home Assistant's and the simulated add-on's, as `Authorization: Bearer` or
  `X-Supervisor-Token`. None is 401, an unknown one 403. The add-on has no `hassio_api`
  (addon/config.yaml), so its token reaches `/discovery*` only (403 elsewhere), and reading
  messages is Home Assistant's alone (401 for the add-on).
- The answer envelope `{"result": "ok", "data": {...}}`; errors `{"result": "error",
  "message": ...}` with status 400, 403 or 404.
- `POST /discovery` (the add-on; only a service its config.yaml lists under `discovery`),
  `GET /discovery` and `GET /discovery/{uuid}` (Home Assistant; the v1 shape with the
  `addon` key), `DELETE /discovery/{uuid}` (the add-on that sent it), `GET /addons/{slug}/info`
  (Home Assistant) and `POST /core/options` (or its older name `/homeassistant/options`),
  through which Core hands over the refresh token that the Supervisor calls Core's API with.
- A message from the same add-on for the same service keeps the earlier one's uuid and
  takes the new config; an identical one is not pushed again. Messages are kept in a file.
- Pushes, in the background after answering: when Core runs (`GET /api/core/state`),
  `POST` (new) or `DELETE` (removed) `/api/hassio_push/discovery/{uuid}` with
  `{"addon", "service", "uuid"}` and an access token from Core's `/auth/token`
  (refresh_token grant), renewed once on a 401. Core picks up what it missed at its start.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict, dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any, Final
from uuid import uuid4

import aiohttp
import yaml  # type: ignore[import-untyped,unused-ignore]
from aiohttp import hdrs, web

from .settings import HOST, ROOT, DemoError

_LOGGER = logging.getLogger(__name__)

ADDON_DIR: Final = ROOT / "addon"
REPOSITORY_FILE: Final = ROOT / "repository.yaml"
# Who a request comes from when it carries Home Assistant's token; an add-on's is its slug.
HOMEASSISTANT: Final = "homeassistant"
# Paths an add-on without `hassio_api` reaches with its token (part of the Supervisor's bypass).
_ADDON_PATH_PREFIX: Final = "/discovery"
# The Supervisor's own address for its add-ons' containers; the demo's add-on is not one.
_ADDON_IP: Final = "172.30.33.1"
_CORE_TIMEOUT: Final = aiohttp.ClientTimeout(total=10)
_STOP_TIMEOUT: Final = 10.0
# Keys of `POST /core/options` (the Supervisor's SCHEMA_OPTIONS) and their types.
_HOMEASSISTANT_OPTIONS: Final[Mapping[str, tuple[type, ...]]] = {
    "boot": (bool,),
    "image": (str, type(None)),
    "port": (int,),
    "ssl": (bool,),
    "watchdog": (bool,),
    "refresh_token": (str, type(None)),
    "audio_output": (str, type(None)),
    "audio_input": (str, type(None)),
    "backups_exclude_database": (bool,),
    "duplicate_log_file": (bool,),
}


def repository_hash(url: str) -> str:
    """The Supervisor's id of an add-on repository: the start of the SHA-1 of its URL."""
    return hashlib.sha1(url.lower().encode()).hexdigest()[:8]  # noqa: S324 - an id, as there


def new_token() -> str:
    """A fresh Supervisor token."""
    return secrets.token_hex(32)


@dataclass(frozen=True, slots=True)
class SimulatedAddon:
    """The RoomSense LLM add-on as the Supervisor knows it, installed and started.

    Read from addon/config.yaml, as installed from the repository that repository.yaml names:
    the slug carries the repository's hash as on a real system (`<hash>_roomsense_llm`).
    """

    slug: str
    name: str
    discovery: tuple[str, ...]
    info: Mapping[str, Any]

    @classmethod
    def from_repository(
        cls, addon_dir: Path = ADDON_DIR, repository_file: Path = REPOSITORY_FILE
    ) -> SimulatedAddon:
        """The add-on of this repository."""
        config = yaml.safe_load((addon_dir / "config.yaml").read_text(encoding="utf-8"))
        repository_url = yaml.safe_load(repository_file.read_text(encoding="utf-8"))["url"]
        repository = repository_hash(str(repository_url))
        slug = f"{repository}_{config['slug']}"
        hostname = slug.replace("_", "-")
        translations = {
            path.stem: yaml.safe_load(path.read_text(encoding="utf-8"))
            for path in sorted((addon_dir / "translations").glob("*.yaml"))
        }
        discovery = tuple(str(service) for service in config.get("discovery") or ())
        # The Supervisor's answer to GET /addons/{slug}/info (v1), every key of it.
        info: dict[str, Any] = {
            "name": config["name"],
            "slug": slug,
            "hostname": hostname,
            "dns": [f"{hostname}.local.hass.io"],
            "description": config["description"],
            "long_description": _read(addon_dir / "README.md"),
            "advanced": False,
            "stage": config.get("stage", "stable"),
            "repository": repository,
            "version_latest": str(config["version"]),
            "protected": True,
            "rating": 6,
            "boot_config": "auto",
            "boot": config.get("boot", "auto"),
            "options": dict(config.get("options") or {}),
            "schema": [],
            "arch": list(config["arch"]),
            "machine": list(config.get("machine") or []),
            "homeassistant": config.get("homeassistant"),
            "url": config.get("url"),
            "detached": False,
            "available": True,
            "build": "image" not in config,
            "network": dict(config.get("ports") or {}) or None,
            "network_description": dict(config.get("ports_description") or {}) or None,
            "host_network": bool(config.get("host_network", False)),
            "host_pid": False,
            "host_ipc": False,
            "host_uts": False,
            "host_dbus": False,
            "privileged": [],
            "full_access": False,
            "apparmor": "default",
            "icon": (addon_dir / "icon.png").is_file(),
            "logo": (addon_dir / "logo.png").is_file(),
            "changelog": (addon_dir / "CHANGELOG.md").is_file(),
            "documentation": (addon_dir / "DOCS.md").is_file(),
            "stdin": False,
            "hassio_api": bool(config.get("hassio_api", False)),
            "hassio_role": config.get("hassio_role", "default"),
            "auth_api": False,
            "homeassistant_api": bool(config.get("homeassistant_api", False)),
            "gpio": False,
            "usb": False,
            "uart": False,
            "kernel_modules": False,
            "devicetree": False,
            "udev": False,
            "docker_api": False,
            "video": bool(config.get("video", False)),
            "audio": False,
            "startup": config.get("startup", "application"),
            "services": [],
            "discovery": list(discovery),
            "translations": translations,
            "ingress": False,
            "signed": False,
            "state": "started",
            "webui": None,
            "ingress_entry": None,
            "ingress_url": None,
            "ingress_port": 8099,
            "ingress_panel": False,
            "audio_input": None,
            "audio_output": None,
            "auto_update": False,
            "ip_address": _ADDON_IP,
            "version": str(config["version"]),
            "update_available": False,
            "watchdog": False,
            "devices": [],
            "system_managed": False,
            "system_managed_config_entry": None,
        }
        return cls(slug=slug, name=str(config["name"]), discovery=discovery, info=info)


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None


@dataclass(slots=True)
class Message:
    """One discovery message; equal when from the same add-on for the same service."""

    addon: str
    service: str
    config: dict[str, Any] = field(compare=False)
    uuid: str = field(default_factory=lambda: uuid4().hex, compare=False)

    def data(self) -> dict[str, Any]:
        """As `GET /discovery/{uuid}` answers it (v1: the `addon` key)."""
        return {
            "addon": self.addon,
            "service": self.service,
            "uuid": self.uuid,
            "config": self.config,
        }


@dataclass(frozen=True, slots=True)
class Push:
    """One push to Core: the method, the message, Core's status (None: not sent)."""

    method: str
    uuid: str
    status: int | None
    detail: str = ""


class _APIError(Exception):
    """Answered in the Supervisor's error envelope."""

    def __init__(self, message: str, status: int = HTTPStatus.BAD_REQUEST) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class _CoreAPIError(Exception):
    """Core could not be called."""


type _Handler = Callable[["FakeSupervisor", web.Request, str], Awaitable[Mapping[str, Any] | None]]
type _Route = Callable[["FakeSupervisor", web.Request], Awaitable[web.Response]]


def _api(handler: _Handler) -> _Route:
    """Check the token, then answer in the Supervisor's envelope (its `api_process`)."""

    async def route(self: FakeSupervisor, request: web.Request) -> web.Response:
        caller = self.caller(request)
        try:
            data = await handler(self, request, caller)
        except _APIError as err:
            return web.json_response({"result": "error", "message": err.message}, status=err.status)
        return web.json_response({"result": "ok", "data": dict(data or {})})

    return route


def _require_home_assistant(caller: str) -> None:
    """Only Home Assistant may call this (the Supervisor answers a plain 401)."""
    if caller != HOMEASSISTANT:
        raise web.HTTPUnauthorized


class FakeSupervisor:
    """The simulated Supervisor: one add-on, one Home Assistant, an HTTP server."""

    def __init__(
        self,
        *,
        addon: SimulatedAddon,
        core_url: str,
        homeassistant_token: str,
        addon_token: str,
        host: str = HOST,
        port: int = 0,
        store_path: Path | None = None,
    ) -> None:
        self.addon = addon
        self.core_url = core_url.rstrip("/")
        self.homeassistant_token = homeassistant_token
        self.addon_token = addon_token
        self.host = host
        self.port = port
        self.store_path = store_path
        self.messages: dict[str, Message] = {}
        self.homeassistant_options: dict[str, Any] = {}
        self.pushes: list[Push] = []
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._access_token: str | None = None
        self._access_token_expires = 0.0

    @property
    def url(self) -> str:
        """Where add-ons and Home Assistant reach it (`http://supervisor` on a real system)."""
        return f"http://{self.host}:{self.port}"

    # -- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        """Load the kept messages and listen; `port` is the real one afterwards."""
        await self._load()
        app = web.Application()
        app.add_routes(
            [
                web.get("/discovery", self._list_discovery),
                web.post("/discovery", self._set_discovery),
                web.get("/discovery/{uuid}", self._get_discovery),
                web.delete("/discovery/{uuid}", self._del_discovery),
                web.get("/addons/{slug}/info", self._addon_info),
                web.post("/core/options", self._homeassistant_set_options),
                web.post("/homeassistant/options", self._homeassistant_set_options),
            ]
        )
        self._session = aiohttp.ClientSession()
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self.port)
            await site.start()
        except OSError:
            await runner.cleanup()
            await self._session.close()
            raise
        self._runner = runner
        self.port = int(runner.addresses[0][1])
        _LOGGER.info("Simulated Supervisor listening on %s", self.url)

    async def stop(self) -> None:
        """Let running pushes finish (briefly), then stop listening."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(_STOP_TIMEOUT):
                await self.wait_for_pushes()
        for task in list(self._tasks):
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def wait_for_pushes(self) -> None:
        """Wait until no push runs; bound it with `asyncio.timeout`."""
        while self._tasks:
            await asyncio.wait(set(self._tasks))

    # -- tokens ------------------------------------------------------------------------

    def caller(self, request: web.Request) -> str:
        """Who sends the request: HOMEASSISTANT or the add-on's slug (its security layer)."""
        token = _extract_token(request)
        if not token:
            _LOGGER.warning("No API token provided for %s", request.path)
            raise web.HTTPUnauthorized
        if secrets.compare_digest(token, self.homeassistant_token):
            return HOMEASSISTANT
        if secrets.compare_digest(token, self.addon_token):
            if request.path.startswith(_ADDON_PATH_PREFIX):
                return self.addon.slug
            _LOGGER.warning("%s missing API permission for %s", self.addon.slug, request.path)
            raise web.HTTPForbidden
        _LOGGER.error("Invalid token for access %s", request.path)
        raise web.HTTPForbidden

    # -- the API -----------------------------------------------------------------------

    @_api
    async def _list_discovery(self, request: web.Request, caller: str) -> Mapping[str, Any]:
        _require_home_assistant(caller)
        # Messages of started add-ons; the simulated one always runs.
        return {
            "discovery": [message.data() for message in self.messages.values()],
            "services": {name: [self.addon.slug] for name in self.addon.discovery},
        }

    @_api
    async def _set_discovery(self, request: web.Request, caller: str) -> Mapping[str, Any]:
        if caller != self.addon.slug:
            raise _APIError("Only apps send discovery messages", HTTPStatus.FORBIDDEN)
        body = await _json_body(request)
        service, config = _validate_discovery(body)
        if service not in self.addon.discovery:
            _LOGGER.error(
                "App %s attempted to send discovery for service %s which is not listed in "
                "its config. Please report this to the maintainer of the app",
                self.addon.name,
                service,
            )
            raise _APIError(
                "Apps must list services they provide via discovery in their config!",
                HTTPStatus.FORBIDDEN,
            )
        message = await self.send(caller, service, config)
        return {"uuid": message.uuid}

    @_api
    async def _get_discovery(self, request: web.Request, caller: str) -> Mapping[str, Any]:
        _require_home_assistant(caller)
        return self._message(request).data()

    @_api
    async def _del_discovery(self, request: web.Request, caller: str) -> None:
        message = self._message(request)
        if message.addon != caller:
            raise _APIError("Can't remove discovery message", HTTPStatus.FORBIDDEN)
        await self.remove(message)

    @_api
    async def _addon_info(self, request: web.Request, caller: str) -> Mapping[str, Any]:
        _require_home_assistant(caller)
        slug = request.match_info["slug"]
        if slug == "self":
            raise _APIError("Self is not an App")
        if slug != self.addon.slug:
            raise _APIError(f"App {slug} does not exist", HTTPStatus.NOT_FOUND)
        return self.addon.info

    @_api
    async def _homeassistant_set_options(self, request: web.Request, caller: str) -> None:
        _require_home_assistant(caller)
        body = await _json_body(request)
        for key, value in body.items():
            types = _HOMEASSISTANT_OPTIONS.get(key)
            if types is None:
                raise _APIError(f"extra keys not allowed @ data['{key}']. Got {value!r}")
            if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
                raise _APIError(f"invalid value @ data['{key}']. Got {value!r}")
        if "port" in body and not 0 < body["port"] < 65536:
            raise _APIError(f"invalid port @ data['port']. Got {body['port']!r}")
        self.homeassistant_options.update(body)
        if "refresh_token" in body:
            self._access_token = None
            _LOGGER.info("Home Assistant sent its refresh token")

    def _message(self, request: web.Request) -> Message:
        message = self.messages.get(request.match_info["uuid"])
        if message is None:
            raise _APIError("Discovery message not found", HTTPStatus.NOT_FOUND)
        return message

    # -- messages ----------------------------------------------------------------------

    async def send(self, addon: str, service: str, config: dict[str, Any]) -> Message:
        """Keep a message (or update the earlier one) and push it to Core."""
        message = Message(addon, service, config)
        for existing in self.messages.values():
            if existing != message:
                continue
            if existing.config == config:
                _LOGGER.info("Duplicate discovery message from %s", addon)
                return existing
            message = existing
            message.config = config
            break
        _LOGGER.info("Sending discovery to Home Assistant %s from %s", service, addon)
        self.messages[message.uuid] = message
        await self._save()
        self._spawn(self._push(message, hdrs.METH_POST))
        return message

    async def remove(self, message: Message) -> None:
        """Forget a message and tell Core."""
        self.messages.pop(message.uuid, None)
        await self._save()
        _LOGGER.info(
            "Delete discovery to Home Assistant %s from %s", message.service, message.addon
        )
        self._spawn(self._push(message, hdrs.METH_DELETE))

    async def _load(self) -> None:
        if self.store_path is None:
            return
        text = await asyncio.to_thread(_read, self.store_path)
        if not text:
            return
        try:
            stored = json.loads(text)["discovery"]
            messages = [Message(**item) for item in stored]
        except (ValueError, KeyError, TypeError) as err:
            _LOGGER.warning("Ignoring %s: %s", self.store_path, err)
            return
        self.messages = {message.uuid: message for message in messages}
        _LOGGER.info("Loaded %d messages", len(messages))

    async def _save(self) -> None:
        if self.store_path is None:
            return
        text = json.dumps(
            {"discovery": [asdict(message) for message in self.messages.values()]}, indent=2
        )
        await asyncio.to_thread(self.store_path.write_text, text + "\n", encoding="utf-8")

    # -- Core --------------------------------------------------------------------------

    def _spawn(self, coro: Awaitable[None]) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _push(self, message: Message, method: str) -> None:
        """Tell Core about a new or removed message, when Core runs (`_push_discovery`)."""
        if (not_running := await self._core_not_running()) is not None:
            _LOGGER.info("Discovery %s message ignore: %s", message.uuid, not_running)
            self.pushes.append(Push(method, message.uuid, None, not_running))
            return
        payload = {"addon": message.addon, "service": message.service, "uuid": message.uuid}
        try:
            status, _ = await self._core_request(
                method, f"api/hassio_push/discovery/{message.uuid}", payload
            )
        except _CoreAPIError as err:
            _LOGGER.error("Discovery %s message failed: %s", message.uuid, err)  # noqa: TRY400
            self.pushes.append(Push(method, message.uuid, None, str(err)))
            return
        _LOGGER.info("Discovery %s message send (%s: %d)", message.uuid, method, status)
        self.pushes.append(Push(method, message.uuid, status))

    async def _core_not_running(self) -> str | None:
        """Why Core takes no push now (its `check_api_state`); None when it runs."""
        try:
            status, body = await self._core_request(hdrs.METH_GET, "api/core/state")
        except _CoreAPIError as err:
            return f"can't connect to Home Assistant API: {err}"
        if status != HTTPStatus.OK or not isinstance(body, dict):
            return f"GET /api/core/state answered {status}"
        if (state := body.get("state")) != "RUNNING":
            return f"Home Assistant is {state}"
        return None

    async def _core_request(
        self, method: str, path: str, payload: Mapping[str, Any] | None = None
    ) -> tuple[int, Any]:
        """Call Core's API with an access token; a 401 gets one new token and a retry."""
        if self._session is None:
            raise _CoreAPIError("the simulated Supervisor is not running")
        status: int = HTTPStatus.UNAUTHORIZED
        body: Any = None
        for _ in range(2):
            token = await self._ensure_access_token(self._session)
            try:
                async with self._session.request(
                    method,
                    f"{self.core_url}/{path}",
                    json=payload,
                    headers={hdrs.AUTHORIZATION: f"Bearer {token}"},
                    timeout=_CORE_TIMEOUT,
                ) as response:
                    status = response.status
                    if response.content_type == "application/json":
                        body = await response.json()
                    else:
                        body = await response.text()
            except (aiohttp.ClientError, TimeoutError) as err:
                raise _CoreAPIError(str(err) or type(err).__name__) from err
            if status != HTTPStatus.UNAUTHORIZED:
                break
            self._access_token = None
        return status, body

    async def _ensure_access_token(self, session: aiohttp.ClientSession) -> str:
        if self._access_token and self._access_token_expires > time.monotonic():
            return self._access_token
        refresh_token = self.homeassistant_options.get("refresh_token")
        if not refresh_token:
            raise _CoreAPIError("Home Assistant has not sent a refresh token yet")
        try:
            async with session.post(
                f"{self.core_url}/auth/token",
                data={"grant_type": "refresh_token", "refresh_token": refresh_token},
                timeout=_CORE_TIMEOUT,
            ) as response:
                if response.status != HTTPStatus.OK:
                    raise _CoreAPIError("Can't update Home Assistant access token!")
                tokens = await response.json()
        except (aiohttp.ClientError, TimeoutError) as err:
            raise _CoreAPIError(str(err) or type(err).__name__) from err
        _LOGGER.info("Updated Home Assistant API token")
        self._access_token = str(tokens["access_token"])
        # Renewed a little early, so a token never expires on its way.
        self._access_token_expires = time.monotonic() + float(tokens["expires_in"]) - 30
        return self._access_token


def _extract_token(request: web.Request) -> str | None:
    """The Supervisor's `extract_supervisor_token`."""
    for header in ("X-Supervisor-Token", "X-Hassio-Key"):
        if token := request.headers.get(header):
            return token
    if authorization := request.headers.get(hdrs.AUTHORIZATION):
        return authorization.split(" ")[-1]
    return None


async def _json_body(request: web.Request) -> dict[str, Any]:
    text = await request.text()
    try:
        body = json.loads(text) if text else {}
    except ValueError:
        raise _APIError("Invalid json") from None
    if not isinstance(body, dict):
        raise _APIError(f"expected a dictionary. Got {body!r}")
    return body


def _validate_discovery(body: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The Supervisor's SCHEMA_DISCOVERY: `service` (str) and `config` (dict), nothing else."""
    for key in body:
        if key not in ("service", "config"):
            raise _APIError(f"extra keys not allowed @ data['{key}']. Got {body[key]!r}")
    for key, kind, name in (("service", str, "str"), ("config", dict, "dict")):
        if key not in body:
            raise _APIError(f"required key not provided @ data['{key}']. Got None")
        if not isinstance(body[key], kind):
            raise _APIError(
                f"expected {name} for dictionary value @ data['{key}']. Got {body[key]!r}"
            )
    return body["service"], dict(body["config"])


# -- what `scripts/demo --announce-addon` reads ---------------------------------------------


@dataclass(frozen=True, slots=True)
class SupervisorState:
    """Where the running demo's simulated Supervisor is, and the simulated add-on's token."""

    supervisor_url: str
    addon_slug: str
    addon_name: str
    addon_token: str
    hass_url: str

    def write(self, path: Path) -> None:
        """Write the state file, readable by its owner only (it holds a token)."""
        path.unlink(missing_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            json.dump(asdict(self), file, indent=2)
            file.write("\n")

    @classmethod
    def read(cls, path: Path) -> SupervisorState:
        """The state the running demo wrote; DemoError when there is none."""
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return cls(**{key: str(raw[key]) for key in cls.__dataclass_fields__})
        except FileNotFoundError:
            raise DemoError(
                f"The demo is not running: {path} is missing. Start it with scripts/demo "
                "(with the same ROOMSENSE_DEMO_DIR), then announce the add-on."
            ) from None
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise DemoError(f"Cannot read {path}: {err}") from None
