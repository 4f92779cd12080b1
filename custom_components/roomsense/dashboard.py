"""The RoomSense dashboard: a Lovelace storage dashboard, made on request.

`roomsense.create_dashboard` creates it, or updates it when it exists: a view per Home
Assistant area with the RoomSense entities of the devices in it (a section per device),
a view for devices without an area, and an "Operations" view of the core's own cards
(statistics-graph, history-graph, gauge, entities) over the operations sensors. Nothing
custom in the frontend.

The dashboard is made through the lovelace integration's own dashboards collection, the
one its `lovelace/dashboards/*` websocket commands use, so the sidebar, the dashboards
page and later edits all see it at once; its views are written with
`LovelaceStorage.async_save`, as the dashboard editor writes them.

Its view and card titles are in the server's language (Settings > System > General), as
the names Home Assistant gives entities are: `selector.dashboard_text` in the translations.
"""

from __future__ import annotations

import re
from collections import defaultdict
from enum import StrEnum
from typing import Any, Final

from homeassistant.components import websocket_api
from homeassistant.components.frontend import async_panel_exists
from homeassistant.components.lovelace.const import LOVELACE_DATA
from homeassistant.components.lovelace.dashboard import DashboardsCollection, LovelaceStorage
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.storage import Store
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util import slugify

from .const import DOMAIN
from .switchbot_cloud import DEFAULT_DAILY_LIMIT

DEFAULT_URL_PATH: Final = "roomsense-home"
DEFAULT_TITLE: Final = "RoomSense"
ICON: Final = "mdi:home-analytics"
# What Lovelace accepts as a dashboard's address: lower-case words joined by hyphens.
URL_PATH_PATTERN: Final = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)+")
# The dashboards RoomSense made: only those it may rewrite.
STORAGE_KEY: Final = f"{DOMAIN}.dashboards"
STORAGE_VERSION: Final = 1

OPERATIONS_PATH: Final = "operations"
UNASSIGNED_PATH: Final = "no-area"
STATISTICS_DAYS: Final = 30
HISTORY_HOURS: Final = 48


class OperationsSensor(StrEnum):
    """The operations sensors the dashboard shows, by translation key."""

    COMMANDS_SENT = "commands_sent"
    ENERGY_ESTIMATE = "energy_estimate"
    API_CALLS_TODAY = "api_calls_today"
    API_CALLS_REMAINING = "api_calls_remaining"
    AUTOMATION_RUNS = "automation_runs"
    AUTOMATION_FAILURES = "automation_failures"
    INTENT_SUCCESS_RATE = "intent_success_rate"
    CONVERSATION_LATENCY_P50 = "conversation_latency_p50"
    CONVERSATION_LATENCY_P95 = "conversation_latency_p95"


# The dashboard's own words, translated under `selector.dashboard_text.options`.
TEXT_KEYS: Final = (
    "other_devices",
    "operations",
    "commands_per_day",
    "energy_per_day",
    "automation_runs_per_day",
    "cloud_api_calls",
    "intent_success",
    "api_calls_left",
    "conversation_latency",
    "now",
)
type DashboardTexts = dict[str, str]


async def async_dashboard_texts(hass: HomeAssistant, language: str) -> DashboardTexts:
    """The dashboard's titles in `language` (English where a text is missing)."""
    prefix = f"component.{DOMAIN}.selector.dashboard_text.options."
    texts: DashboardTexts = {}
    for wanted in (language, "en"):
        translations = await async_get_translations(hass, wanted, "selector", {DOMAIN})
        for key in TEXT_KEYS:
            if key not in texts and (text := translations.get(prefix + key)):
                texts[key] = text
    return {key: texts.get(key, key) for key in TEXT_KEYS}


def _taken(url_path: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="dashboard_url_taken",
        translation_placeholders={"url_path": url_path},
    )


def _dashboards_collection(hass: HomeAssistant) -> DashboardsCollection:
    """The lovelace integration's dashboards collection.

    Lovelace keeps it in no public place; its `lovelace/dashboards/list` command is a
    method of the websocket wrapper that holds it. A second collection over the same
    store would be overwritten by the first one's next save, so this one is used.
    """
    handlers = hass.data.get(websocket_api.DOMAIN) or {}
    handler = handlers.get("lovelace/dashboards/list", (None, None))[0]
    wrapper = getattr(handler, "__self__", None)
    found = getattr(wrapper, "storage_collection", None)
    if LOVELACE_DATA not in hass.data or not isinstance(found, DashboardsCollection):
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="dashboards_unavailable"
        )
    return found


def _roomsense_entities(hass: HomeAssistant) -> list[er.RegistryEntry]:
    """The enabled entities of the loaded RoomSense entries."""
    registry = er.async_get(hass)
    loaded = [
        entry.entry_id
        for entry in hass.config_entries.async_entries(DOMAIN)
        if entry.state is ConfigEntryState.LOADED
    ]
    return [
        entity
        for entry_id in loaded
        for entity in er.async_entries_for_config_entry(registry, entry_id)
        if entity.disabled_by is None
    ]


def _by_key(entities: list[er.RegistryEntry], *keys: OperationsSensor) -> list[str]:
    return sorted(entity.entity_id for entity in entities if entity.translation_key in keys)


def _room_views(
    hass: HomeAssistant, entities: list[er.RegistryEntry], texts: DashboardTexts
) -> list[dict[str, Any]]:
    """A view per area, a section per device with its everyday entities."""
    devices = dr.async_get(hass)
    areas = ar.async_get(hass)
    # area id (None: no area) -> device name -> entity ids
    rooms: dict[str | None, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for entity in entities:
        if entity.entity_category is not None or entity.device_id is None:
            continue
        device = devices.async_get(entity.device_id)
        if device is None or (
            isinstance(device, dr.DeviceEntry) and device.entry_type is dr.DeviceEntryType.SERVICE
        ):
            continue
        area_id = entity.area_id or device.area_id
        rooms[area_id][device.name_by_user or device.name or entity.entity_id].append(
            entity.entity_id
        )

    def sections(room: dict[str, list[str]]) -> list[dict[str, Any]]:
        return [
            {
                "type": "grid",
                "cards": [
                    {"type": "heading", "heading": name},
                    {"type": "entities", "entities": sorted(room[name]), "state_color": True},
                ],
            }
            for name in sorted(room)
        ]

    views: list[dict[str, Any]] = []
    named = [(areas.async_get_area(area_id), area_id) for area_id in rooms if area_id]
    for area, area_id in sorted(named, key=lambda pair: pair[0].name if pair[0] else ""):
        if area is None or area_id is None:
            continue
        view: dict[str, Any] = {
            "title": area.name,
            "path": slugify(area.id).replace("_", "-"),
            "type": "sections",
            "sections": sections(rooms[area_id]),
        }
        if area.icon:
            view["icon"] = area.icon
        views.append(view)
    if None in rooms:
        views.append(
            {
                "title": texts["other_devices"],
                "path": UNASSIGNED_PATH,
                "icon": "mdi:devices",
                "type": "sections",
                "sections": sections(rooms[None]),
            }
        )
    return views


def _gauge(entity_id: str, name: str, maximum: int, severity: dict[str, int]) -> dict[str, Any]:
    return {
        "type": "gauge",
        "entity": entity_id,
        "name": name,
        "min": 0,
        "max": maximum,
        "severity": severity,
    }


def _live_cards(entities: list[er.RegistryEntry], texts: DashboardTexts) -> list[dict[str, Any]]:
    """What shows at once: the gauges and the figures now."""
    cards = [
        _gauge(entity_id, texts["intent_success"], 100, {"green": 80, "yellow": 50, "red": 0})
        for entity_id in _by_key(entities, OperationsSensor.INTENT_SUCCESS_RATE)
    ] + [
        _gauge(
            entity_id,
            texts["api_calls_left"],
            DEFAULT_DAILY_LIMIT,
            {"green": 2000, "yellow": 500, "red": 0},
        )
        for entity_id in _by_key(entities, OperationsSensor.API_CALLS_REMAINING)
    ]
    figures = _by_key(
        entities,
        OperationsSensor.API_CALLS_TODAY,
        OperationsSensor.API_CALLS_REMAINING,
        OperationsSensor.AUTOMATION_RUNS,
        OperationsSensor.AUTOMATION_FAILURES,
        OperationsSensor.INTENT_SUCCESS_RATE,
        OperationsSensor.CONVERSATION_LATENCY_P50,
        OperationsSensor.CONVERSATION_LATENCY_P95,
    )
    if figures:
        cards.append({"type": "entities", "title": texts["now"], "entities": figures})
    return cards


def _graphs(
    card: dict[str, Any], rows: tuple[tuple[str, list[str]], ...], texts: DashboardTexts
) -> list[dict[str, Any]]:
    """A `card` for each row (its title's key, its entities) that has entities."""
    return [
        {"type": card["type"], "title": texts[title], "entities": ids, **card}
        for title, ids in rows
        if ids
    ]


def _daily_cards(entities: list[er.RegistryEntry], texts: DashboardTexts) -> list[dict[str, Any]]:
    """Daily bars from long-term statistics (they fill in as the recorder compiles them)."""
    card = {
        "type": "statistics-graph",
        "period": "day",
        "days_to_show": STATISTICS_DAYS,
        "stat_types": ["change"],
        "chart_type": "bar",
    }
    rows = (
        ("commands_per_day", _by_key(entities, OperationsSensor.COMMANDS_SENT)),
        ("energy_per_day", _by_key(entities, OperationsSensor.ENERGY_ESTIMATE)),
        (
            "automation_runs_per_day",
            _by_key(
                entities, OperationsSensor.AUTOMATION_RUNS, OperationsSensor.AUTOMATION_FAILURES
            ),
        ),
    )
    return _graphs(card, rows, texts)


def _recent_cards(entities: list[er.RegistryEntry], texts: DashboardTexts) -> list[dict[str, Any]]:
    """The last two days from the history."""
    rows = (
        # Today's count alone: beside the calls left (thousands) its line would lie flat.
        ("cloud_api_calls", _by_key(entities, OperationsSensor.API_CALLS_TODAY)),
        (
            "conversation_latency",
            _by_key(
                entities,
                OperationsSensor.CONVERSATION_LATENCY_P50,
                OperationsSensor.CONVERSATION_LATENCY_P95,
            ),
        ),
    )
    return _graphs({"type": "history-graph", "hours_to_show": HISTORY_HOURS}, rows, texts)


def _operations_view(entities: list[er.RegistryEntry], texts: DashboardTexts) -> dict[str, Any]:
    """The operations figures in the core's gauge, entities, statistics and history cards."""
    return {
        "title": texts["operations"],
        "path": OPERATIONS_PATH,
        "icon": "mdi:chart-box-outline",
        "cards": [
            *_live_cards(entities, texts),
            *_daily_cards(entities, texts),
            *_recent_cards(entities, texts),
        ],
    }


def dashboard_config(hass: HomeAssistant, texts: DashboardTexts) -> dict[str, Any]:
    """The dashboard's views, from the registries as they are now."""
    entities = _roomsense_entities(hass)
    return {"views": [*_room_views(hass, entities, texts), _operations_view(entities, texts)]}


async def async_create_dashboard(hass: HomeAssistant, url_path: str, title: str) -> dict[str, Any]:
    """Create the dashboard at `url_path`, or update the one RoomSense made there."""
    if not URL_PATH_PATTERN.fullmatch(url_path):
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_dashboard_url_path",
            translation_placeholders={"url_path": url_path},
        )
    collection = _dashboards_collection(hass)
    made: Store[list[str]] = Store(hass, STORAGE_VERSION, STORAGE_KEY)
    ours = set(await made.async_load() or [])
    item = next(
        (item for item in collection.async_items() if item.get("url_path") == url_path), None
    )
    if item is None:
        if url_path in hass.data[LOVELACE_DATA].dashboards or async_panel_exists(hass, url_path):
            raise _taken(url_path)
        await collection.async_create_item(
            {"url_path": url_path, "title": title, "icon": ICON, "show_in_sidebar": True}
        )
        created = True
    elif url_path not in ours:
        raise _taken(url_path)
    else:
        await collection.async_update_item(item["id"], {"title": title})
        created = False
    ours.add(url_path)
    await made.async_save(sorted(ours))
    storage = hass.data[LOVELACE_DATA].dashboards.get(url_path)
    if not isinstance(storage, LovelaceStorage):
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="dashboards_unavailable"
        )
    config = dashboard_config(hass, await async_dashboard_texts(hass, hass.config.language))
    await storage.async_save(config)
    return {
        "url_path": url_path,
        "created": created,
        "views": [view["title"] for view in config["views"]],
    }
