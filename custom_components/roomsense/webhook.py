"""SwitchBot's webhook push: registration with the cloud and the event handler.

SwitchBot keeps one webhook URL per account. RoomSense registers its own Home Assistant
webhook there, replaces a URL that RoomSense itself left behind, and never silently
replaces anybody else's: a repairs issue asks first, and until then polling covers.

The URL must be one the SwitchBot cloud can reach from the internet: a Home Assistant
Cloud cloudhook when a subscription is active, else a public external URL. An internal or
private address is registered only with a SwitchBot cloud on the local network (the
simulator); otherwise no URL is registered, every device is polled, and a repairs issue
says what is lost and how to get push back.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import json
from collections import OrderedDict
from http import HTTPStatus
from time import monotonic
from typing import Any, Final

import probatio
from aiohttp import web
from homeassistant.components import cloud, webhook
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.network import NoURLAvailableError
from yarl import URL

from .const import (
    DOMAIN,
    EVENT_ROOMSENSE,
    LOGGER,
    OPT_ALLOWED_NETWORKS,
    WEBHOOK_ID_PREFIX,
)
from .coordinator import RoomSenseCoordinator
from .http_json import BodyStalledError, BodyTooLargeError, async_read_body, body_stalled_response
from .push import status_from_context
from .switchbot_cloud import SwitchBotCloudClient, SwitchBotError

# An identical event seen again within this window is a replay (or a retried delivery),
# as long as fewer than REPLAY_CACHE_SIZE other events arrived since: past that the oldest
# are forgotten, so a flood of distinct events cannot grow the cache. A replay that slips
# out still meets the coordinator's check that a sample is not older than the state.
REPLAY_WINDOW: Final = 600.0
REPLAY_CACHE_SIZE: Final = 4096
# A SwitchBot event is well under 2 KiB; a larger body is refused before it is read whole.
MAX_WEBHOOK_BODY: Final = 64 * 1024
ISSUE_WEBHOOK_IN_USE: Final = "webhook_in_use"
ISSUE_NO_PUSH_URL: Final = "no_push_url"
# Entry data: the Home Assistant Cloud cloudhook made for this entry's webhook, kept so the
# same URL is registered again and deleted when the entry is removed.
CONF_CLOUDHOOK_URL: Final = "cloudhook_url"
# Host names that only resolve inside a home network.
_LOCAL_SUFFIXES: Final = (".local", ".lan", ".home", ".internal", ".localdomain", ".home.arpa")

EVENT_SCHEMA: Final = probatio.Schema(
    {
        probatio.Required("eventType"): str,
        probatio.Optional("eventVersion"): probatio.Any(str, int),
        probatio.Required("context"): probatio.Schema(
            {
                probatio.Required("deviceMac"): probatio.All(str, probatio.Length(min=1, max=64)),
                probatio.Required("deviceType"): str,
                probatio.Optional("timeOfSample"): probatio.All(int, probatio.Range(min=0)),
            },
            extra=probatio.ALLOW_EXTRA,
        ),
    },
    extra=probatio.ALLOW_EXTRA,
)


def generate_webhook_id() -> str:
    """A secret webhook id that still says who registered it."""
    return f"{WEBHOOK_ID_PREFIX}{webhook.async_generate_id()}"


def loggable_url(url: str) -> str:
    """The URL's scheme, host and port only: its path holds the webhook id, a secret."""
    try:
        return str(URL(url).origin())
    except ValueError:  # not an absolute URL: nothing of it is worth the risk
        return "an unreadable URL"


def is_roomsense_url(url: str) -> bool:
    """Whether a registered URL is a RoomSense webhook of Home Assistant."""
    return f"/api/webhook/{WEBHOOK_ID_PREFIX}" in url


def _replay_key(context: dict[str, Any]) -> tuple[str, int | None, str]:
    """What makes an event the same event: the device, its sample time and its content."""
    digest = hashlib.sha256(json.dumps(context, sort_keys=True).encode()).hexdigest()
    return (context["deviceMac"], context.get("timeOfSample"), digest)


def _json_error(status: HTTPStatus, message: str) -> web.Response:
    return web.json_response({"message": message}, status=status)


class WebhookHandler:
    """Validates pushed events, drops replays, and applies the rest to the coordinator."""

    def __init__(
        self, hass: HomeAssistant, coordinator: RoomSenseCoordinator, options: dict[str, Any]
    ) -> None:
        """Handle events for the devices of one coordinator."""
        self.hass = hass
        self.coordinator = coordinator
        self._networks = [
            ipaddress.ip_network(network, strict=False)
            for network in options.get(OPT_ALLOWED_NETWORKS) or []
        ]
        self._seen: OrderedDict[tuple[str, int | None, str], float] = OrderedDict()
        self._warned: set[str] = set()

    def _warn_once(self, kind: str, message: str, *args: Any) -> None:
        """Log a bad request once per kind, so a misbehaving sender cannot flood the log."""
        if kind in self._warned:
            LOGGER.debug(message, *args)
            return
        self._warned.add(kind)
        LOGGER.warning(message + " (further ones are logged at debug level)", *args)

    def _allowed(self, remote: str | None) -> bool:
        if not self._networks:
            return True
        try:
            address = ipaddress.ip_address(remote or "")
        except ValueError:
            return False
        return any(address in network for network in self._networks)

    def _is_replay(self, key: tuple[str, int | None, str]) -> bool:
        """Whether the event was seen within the window; remembers it if not.

        The cache is in arrival order, so what left the window is at its start.
        """
        now = monotonic()
        while self._seen and now - next(iter(self._seen.values())) > REPLAY_WINDOW:
            self._seen.popitem(last=False)
        if key in self._seen:
            return True
        self._seen[key] = now
        if len(self._seen) > REPLAY_CACHE_SIZE:
            self._seen.popitem(last=False)
        return False

    def _forget(self, event: dict[str, Any]) -> None:
        self._seen.pop(_replay_key(event["context"]), None)

    async def __call__(
        self, hass: HomeAssistant, webhook_id: str, request: web.Request
    ) -> web.Response:
        """Answer one push; never raises."""
        if not self._allowed(request.remote):
            self._warn_once("forbidden", "SwitchBot webhook call from %s refused", request.remote)
            return _json_error(HTTPStatus.FORBIDDEN, "sender not allowed")
        try:
            payload = json.loads(await async_read_body(request, MAX_WEBHOOK_BODY))
            event = EVENT_SCHEMA(payload)
        except BodyStalledError:
            self._warn_once("stalled", "SwitchBot webhook body stopped arriving; refused")
            return body_stalled_response()
        except BodyTooLargeError:
            self._warn_once(
                "size", "SwitchBot webhook body over %d bytes refused", MAX_WEBHOOK_BODY
            )
            return _json_error(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"body is over {MAX_WEBHOOK_BODY} bytes"
            )
        except (ValueError, RecursionError) as err:
            self._warn_once("json", "SwitchBot webhook body is not JSON: %s", err)
            return _json_error(HTTPStatus.BAD_REQUEST, "body is not valid JSON")
        except probatio.Invalid as err:
            self._warn_once("schema", "SwitchBot webhook event is malformed: %s", err)
            return _json_error(HTTPStatus.BAD_REQUEST, f"malformed event: {err}")
        try:
            return self.handle_event(event)
        except Exception:  # noqa: BLE001 - a push must never take the handler down
            LOGGER.exception("Unexpected error handling a SwitchBot webhook event")
            # The 500 invites a retry: it must not be turned away as a replay.
            self._forget(event)
            return _json_error(HTTPStatus.INTERNAL_SERVER_ERROR, "event could not be applied")

    @callback
    def handle_event(self, event: dict[str, Any]) -> web.Response:
        """Apply a validated event to the coordinator."""
        context: dict[str, Any] = event["context"]
        device_id = context["deviceMac"]
        sample_time: int | None = context.get("timeOfSample")
        device = self.coordinator.devices.get(device_id)
        if device is None:
            # Perhaps a device added to the account since the list was read: read it again.
            self.coordinator.async_unknown_device(device_id)
            return web.json_response({"result": "ignored", "reason": "unknown device"})

        if self._is_replay(_replay_key(context)):
            return web.json_response({"result": "ignored", "reason": "replay"})

        fields = status_from_context(device.device_type, context)
        state = (self.coordinator.data or {}).get(device_id)
        before = dict(state.status.raw) if state else {}
        if not self.coordinator.async_apply_push(device_id, fields, sample_time):
            return web.json_response({"result": "ignored", "reason": "older than state"})

        changed = {key: value for key, value in fields.items() if before.get(key) != value}
        self.hass.bus.async_fire(
            EVENT_ROOMSENSE,
            {
                "device_id": device_id,
                "device_type": device.device_type,
                "event_type": event["eventType"],
                "changed": changed,
                "time_of_sample": sample_time,
            },
        )
        return web.json_response({"result": "applied"})


def _is_public_host(host: str | None) -> bool:
    """Whether a host is reachable from the internet as far as its name or address says."""
    if not host:
        return False
    host = host.strip("[]").rstrip(".").lower()
    try:
        return ipaddress.ip_address(host).is_global
    except ValueError:
        pass
    return "." in host and host != "localhost" and not host.endswith(_LOCAL_SUFFIXES)


def cloud_is_local(base_url: str) -> bool:
    """Whether the SwitchBot cloud RoomSense talks to is itself on the local network.

    Only such a cloud (the simulator, a test stand-in) can reach an internal address.
    """
    return not _is_public_host(URL(base_url).host)


async def async_push_url(
    hass: HomeAssistant, entry: ConfigEntry[Any], webhook_id: str, *, local_cloud: bool
) -> str | None:
    """The URL SwitchBot can push to, or None when it can reach none of ours.

    A cloudhook first (created once and kept in the entry), then the external URL when it is
    public; an internal one only for a SwitchBot cloud on the local network.
    """
    if cloud.async_active_subscription(hass):
        if kept := entry.data.get(CONF_CLOUDHOOK_URL):
            return str(kept)
        if cloud.async_is_connected(hass):
            # The cloud can go away between being asked and being used.
            with contextlib.suppress(cloud.CloudNotAvailable):
                url = await cloud.async_get_or_create_cloudhook(hass, webhook_id)
                hass.config_entries.async_update_entry(
                    entry, data={**entry.data, CONF_CLOUDHOOK_URL: url}
                )
                LOGGER.debug("Created a Home Assistant Cloud cloudhook for SwitchBot")
                return url
    try:
        url = webhook.async_generate_url(
            hass, webhook_id, allow_internal=local_cloud, prefer_external=True
        )
    except NoURLAvailableError:
        return None
    if local_cloud or _is_public_host(URL(url).host):
        return url
    LOGGER.debug(
        "Not registering the webhook at %s with SwitchBot: not reachable from the internet",
        loggable_url(url),
    )
    return None


@callback
def async_serve_webhook(
    hass: HomeAssistant,
    coordinator: RoomSenseCoordinator,
    webhook_id: str,
    options: dict[str, Any],
) -> None:
    """Answer SwitchBot's pushes at the entry's Home Assistant webhook."""
    webhook.async_register(
        hass,
        DOMAIN,
        "RoomSense SwitchBot",
        webhook_id,
        WebhookHandler(hass, coordinator, options),
        allowed_methods=["POST"],
    )


async def async_register_webhook(
    hass: HomeAssistant, entry: ConfigEntry[Any], client: SwitchBotCloudClient
) -> str | None:
    """Register the webhook's URL with SwitchBot; returns the URL when pushing.

    Returns None when SwitchBot will not push to us (no URL it can reach, the cloud
    unreachable, or another application's URL on the account): polling then covers.
    """
    entry_id = entry.entry_id
    webhook_id: str = entry.data[CONF_WEBHOOK_ID]
    url = await async_push_url(hass, entry, webhook_id, local_cloud=cloud_is_local(client.base_url))
    if url is None:
        LOGGER.warning("SwitchBot cannot reach this Home Assistant; polling every device instead")
        ir.async_create_issue(
            hass,
            DOMAIN,
            f"{ISSUE_NO_PUSH_URL}_{entry_id}",
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=ISSUE_NO_PUSH_URL,
            learn_more_url="https://www.home-assistant.io/docs/configuration/remote/",
        )
        return None
    ir.async_delete_issue(hass, DOMAIN, f"{ISSUE_NO_PUSH_URL}_{entry_id}")
    try:
        registered = await client.query_webhook_urls()
        if url in registered:
            return url
        ours = entry.data.get(CONF_CLOUDHOOK_URL)
        others = [other for other in registered if not is_roomsense_url(other) and other != ours]
        if others:
            ir.async_create_issue(
                hass,
                DOMAIN,
                f"{ISSUE_WEBHOOK_IN_USE}_{entry_id}",
                is_fixable=True,
                severity=ir.IssueSeverity.WARNING,
                translation_key=ISSUE_WEBHOOK_IN_USE,
                translation_placeholders={"url": others[0]},
                data={"entry_id": entry_id},
            )
            return None
        for stale in registered:
            await client.delete_webhook(stale)
        await client.setup_webhook(url)
    except SwitchBotError as err:
        LOGGER.warning("Could not register the SwitchBot webhook, polling instead: %s", err)
        return None
    ir.async_delete_issue(hass, DOMAIN, f"{ISSUE_WEBHOOK_IN_USE}_{entry_id}")
    return url


async def async_delete_cloudhook(hass: HomeAssistant, entry: ConfigEntry[Any]) -> None:
    """Remove the entry's cloudhook, if it made one (the entry is being removed)."""
    if CONF_CLOUDHOOK_URL not in entry.data:
        return
    with contextlib.suppress(cloud.CloudNotAvailable):
        await cloud.async_delete_cloudhook(hass, entry.data[CONF_WEBHOOK_ID])


async def async_unregister_webhook(
    hass: HomeAssistant, client: SwitchBotCloudClient, webhook_id: str, url: str | None
) -> None:
    """Stop serving the webhook and remove its URL from SwitchBot."""
    webhook.async_unregister(hass, webhook_id)
    if url is None:
        return
    try:
        await client.delete_webhook(url)
    except SwitchBotError as err:
        LOGGER.debug("Could not remove the SwitchBot webhook at %s: %s", loggable_url(url), err)
