"""Core's side of Supervisor add-on discovery, for the RoomSense demo only.

The demo has no Supervisor and no `hassio` integration. `scripts/demo_support/supervisor.py`
simulates the Supervisor; this integration does, against it, what the `hassio` integration
does for add-on discovery (homeassistant/components/hassio/__init__.py and discovery.py).
`scripts/demo` links it into the demo configuration's custom_components/ and enables it in
configuration.yaml; it never ships with RoomSense:

    roomsense_demo_supervisor:
      url: http://127.0.0.1:8711  # the simulated Supervisor ("http://supervisor")
      token: ...                  # Home Assistant's Supervisor token (SUPERVISOR_TOKEN)

- At setup: the system user "Supervisor" (an administrator) and a refresh token of it, handed
  to the Supervisor with `POST /core/options`, so that the Supervisor can call Core's
  API over TCP (as Core did before the Supervisor had its Unix socket).
- The view `/api/hassio_push/discovery/{uuid}`, for administrators only, where the Supervisor
  pushes a new (`POST`) or removed (`DELETE`) message. For a new one it reads the message
  (`GET /discovery/{uuid}`) and the add-on's info (`GET /addons/{slug}/info`), adds the
  add-on's name to the config as `addon`, and starts the config flow of the message's service
  with source `hassio` and `HassioServiceInfo(config, name, slug, uuid)`.
- At Home Assistant's start, every message the Supervisor already holds (`GET /discovery`);
  a message again when the config entry it led to is removed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final
from uuid import UUID

import aiohttp
import voluptuous as vol
from aiohttp import hdrs, web
from homeassistant import config_entries
from homeassistant.auth.const import GROUP_ID_ADMIN
from homeassistant.components.http import HomeAssistantView, require_admin
from homeassistant.const import CONF_TOKEN, CONF_URL
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import discovery_flow
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.service_info.hassio import HassioServiceInfo
from homeassistant.helpers.start import async_at_start
from homeassistant.helpers.typing import ConfigType

_LOGGER = logging.getLogger(__name__)

DOMAIN: Final = "roomsense_demo_supervisor"
# The domain in discovery keys, as Core's `hassio` integration sets them.
HASSIO_DOMAIN: Final = "hassio"
SUPERVISOR_USER_NAME: Final = "Supervisor"
_TIMEOUT: Final = aiohttp.ClientTimeout(total=10)

CONFIG_SCHEMA = vol.Schema(
    {DOMAIN: vol.Schema({vol.Required(CONF_URL): cv.url, vol.Required(CONF_TOKEN): cv.string})},
    extra=vol.ALLOW_EXTRA,
)


class SupervisorError(Exception):
    """The Supervisor could not be reached, or answered with an error."""


@dataclass(frozen=True, slots=True)
class Discovery:
    """One discovery message, as the Supervisor gives it to Core."""

    addon: str
    service: str
    uuid: UUID
    config: dict[str, Any]

    @classmethod
    def from_data(cls, data: Any) -> Discovery:
        """Read `{"addon", "service", "uuid", "config"}`; SupervisorError when malformed."""
        try:
            return cls(
                addon=str(data["addon"]),
                service=str(data["service"]),
                uuid=UUID(str(data["uuid"])),
                config=dict(data["config"]),
            )
        except (KeyError, TypeError, ValueError) as err:
            raise SupervisorError(f"not a discovery message: {data!r}") from err


class SupervisorClient:
    """The Supervisor's REST API, with Home Assistant's token."""

    def __init__(self, session: aiohttp.ClientSession, url: str, token: str) -> None:
        self._session = session
        self._url = url.rstrip("/")
        self._token = token

    async def _request(
        self, method: str, path: str, payload: Mapping[str, Any] | None = None
    ) -> Any:
        """The `data` of an `ok` answer."""
        try:
            async with self._session.request(
                method,
                f"{self._url}/{path}",
                json=payload,
                headers={hdrs.AUTHORIZATION: f"Bearer {self._token}"},
                timeout=_TIMEOUT,
            ) as response:
                if response.content_type == "application/json":
                    body = await response.json()
                else:
                    body = {"result": "error", "message": await response.text()}
        except (aiohttp.ClientError, TimeoutError) as err:
            raise SupervisorError(f"{method} /{path}: {err or type(err).__name__}") from err
        if not isinstance(body, dict) or response.status >= 400 or body.get("result") != "ok":
            message = body.get("message") if isinstance(body, dict) else body
            raise SupervisorError(f"{method} /{path}: {response.status} {message}")
        return body.get("data")

    async def discovery_list(self) -> list[Discovery]:
        """Every message the Supervisor holds."""
        data = await self._request(hdrs.METH_GET, "discovery")
        return [Discovery.from_data(item) for item in data["discovery"]]

    async def discovery_get(self, uuid: UUID) -> Discovery:
        """One message; SupervisorError when there is none by that uuid."""
        return Discovery.from_data(await self._request(hdrs.METH_GET, f"discovery/{uuid.hex}"))

    async def addon_info(self, slug: str) -> dict[str, Any]:
        """`GET /addons/{slug}/info`."""
        return dict(await self._request(hdrs.METH_GET, f"addons/{slug}/info"))

    async def set_homeassistant_options(self, options: Mapping[str, Any]) -> None:
        """`POST /core/options`."""
        await self._request(hdrs.METH_POST, "core/options", options)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Link Home Assistant with the simulated Supervisor."""
    if HASSIO_DOMAIN in hass.config.components:
        _LOGGER.error("A real Supervisor is connected (hassio); not setting up the demo's")
        return False
    conf = config[DOMAIN]
    client = SupervisorClient(async_get_clientsession(hass), conf[CONF_URL], conf[CONF_TOKEN])
    api = hass.config.api
    if api is None:  # set by the http integration, a dependency
        _LOGGER.error("Home Assistant's HTTP API is not set up")
        return False
    try:
        await client.set_homeassistant_options(
            {
                "ssl": api.use_ssl,
                "port": api.port,
                "refresh_token": await _async_supervisor_refresh_token(hass),
            }
        )
    except SupervisorError as err:
        _LOGGER.warning("Failed to update Home Assistant options in Supervisor: %s", err)

    discovery = SupervisorDiscovery(hass, client)
    hass.http.register_view(DiscoveryView(discovery))

    async def _async_discovery_start_handler(hass: HomeAssistant) -> None:
        """Process the messages the Supervisor held before Home Assistant started."""
        try:
            messages = await client.discovery_list()
        except SupervisorError as err:
            _LOGGER.error("Can't read discover info: %s", err)  # noqa: TRY400 - no traceback, as Core
            return
        await asyncio.gather(*(discovery.async_process_new(message) for message in messages))

    async_at_start(hass, _async_discovery_start_handler)

    async def _handle_config_entry_removed(entry: config_entries.ConfigEntry) -> None:
        """Offer an add-on again once the entry its discovery led to is gone."""
        for key in entry.discovery_keys[HASSIO_DOMAIN]:
            if key.version == 1 and isinstance(key.key, str):
                await discovery.async_rediscover(key.key)

    async_dispatcher_connect(
        hass,
        config_entries.signal_discovered_config_entry_removed(HASSIO_DOMAIN),
        _handle_config_entry_removed,
    )
    return True


async def _async_supervisor_refresh_token(hass: HomeAssistant) -> str:
    """The refresh token of the Supervisor's system user; both made on the first run."""
    user = next(
        (
            user
            for user in await hass.auth.async_get_users()
            if user.system_generated and user.name == SUPERVISOR_USER_NAME
        ),
        None,
    )
    if user is None:
        user = await hass.auth.async_create_system_user(
            SUPERVISOR_USER_NAME, group_ids=[GROUP_ID_ADMIN]
        )
    if not user.is_admin:
        await hass.auth.async_update_user(user, group_ids=[GROUP_ID_ADMIN])
    refresh_token = next(iter(user.refresh_tokens.values()), None)
    if refresh_token is None:
        refresh_token = await hass.auth.async_create_refresh_token(user)
    return refresh_token.token


class SupervisorDiscovery:
    """What Core does with a discovery message (its `HassIODiscovery`)."""

    def __init__(self, hass: HomeAssistant, client: SupervisorClient) -> None:
        self.hass = hass
        self.client = client

    async def async_rediscover(self, uuid: str) -> None:
        """Process a message again, when the Supervisor still has it."""
        try:
            data = await self.client.discovery_get(UUID(uuid))
        except (SupervisorError, ValueError) as err:
            _LOGGER.debug("Can't read discovery data: %s", err)
        else:
            await self.async_process_new(data)

    async def async_process_new(self, data: Discovery) -> None:
        """Start the config flow of the message's service, named after the add-on."""
        try:
            addon_info = await self.client.addon_info(data.addon)
        except SupervisorError as err:
            _LOGGER.error("Can't read app info: %s", err)  # noqa: TRY400 - no traceback, as Core
            return
        name = str(addon_info["name"])
        data.config["addon"] = name
        _LOGGER.info("Discovered service %s of app %s (%s)", data.service, name, data.addon)
        discovery_flow.async_create_flow(
            self.hass,
            data.service,
            context={"source": config_entries.SOURCE_HASSIO},
            data=HassioServiceInfo(
                config=data.config, name=name, slug=data.addon, uuid=data.uuid.hex
            ),
            discovery_key=discovery_flow.DiscoveryKey(
                domain=HASSIO_DOMAIN, key=data.uuid.hex, version=1
            ),
        )

    async def async_process_del(self, service: str, uuid: str) -> None:
        """Remove the entries a removed message had added, once it is really gone."""
        try:
            await self.client.discovery_get(UUID(uuid))
        except SupervisorError:
            pass
        else:
            _LOGGER.warning("Retrieve wrong unload for %s", service)
            return
        for entry in self.hass.config_entries.async_entries(service):
            if entry.source != config_entries.SOURCE_HASSIO or entry.unique_id != uuid:
                continue
            await self.hass.config_entries.async_remove(entry.entry_id)


class DiscoveryView(HomeAssistantView):
    """Where the Supervisor pushes discovery messages (Core's `HassIODiscovery` view)."""

    name = "api:hassio_push:discovery"
    url = "/api/hassio_push/discovery/{uuid}"

    def __init__(self, discovery: SupervisorDiscovery) -> None:
        self._discovery = discovery

    @require_admin
    async def post(self, request: web.Request, uuid: str) -> web.Response:
        """A new or changed message: read it from the Supervisor, then process it."""
        try:
            data = await self._discovery.client.discovery_get(_uuid(uuid))
        except SupervisorError as err:
            _LOGGER.error("Can't read discovery data: %s", err)  # noqa: TRY400 - no traceback, as Core
            raise web.HTTPServiceUnavailable from None
        await self._discovery.async_process_new(data)
        return web.Response()

    @require_admin
    async def delete(self, request: web.Request, uuid: str) -> web.Response:
        """A removed message: `{"addon", "service", "uuid"}` in the body."""
        try:
            body = await request.json()
            service, removed = str(body["service"]), _uuid(str(body["uuid"])).hex
        except (ValueError, KeyError, TypeError):
            raise web.HTTPBadRequest from None
        await self._discovery.async_process_del(service, removed)
        return web.Response()


def _uuid(value: str) -> UUID:
    """A uuid from the URL, checked before it goes into another request."""
    try:
        return UUID(value)
    except ValueError:
        raise web.HTTPBadRequest from None
