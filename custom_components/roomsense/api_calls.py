"""Today's count of SwitchBot API calls, kept across reloads and restarts.

Every options change reloads the entry, and Home Assistant restarts; the daily quota does
not start again for either. One `CallCounter` per entry lives for as long as Home
Assistant runs, and its count is written to `.storage` every few minutes and when Home
Assistant stops.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.storage import Store

from .const import DOMAIN, LOGGER
from .shared import get_shared
from .switchbot_cloud import CallCounter

SAVE_INTERVAL: Final = timedelta(minutes=5)


def _store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    return Store(hass, 1, f"{DOMAIN}.{entry_id}.api_calls")


async def async_call_counter(hass: HomeAssistant, entry: ConfigEntry[Any]) -> CallCounter:
    """The entry's counter: the same one after a reload, restored after a restart.

    It is saved every few minutes while the entry is loaded, when it unloads and when
    Home Assistant stops; an unloaded entry leaves no timer behind.
    """
    entry_id = entry.entry_id
    counters = get_shared(hass).call_counters
    store = _store(hass, entry_id)
    if (counter := counters.get(entry_id)) is None:
        counter = CallCounter()
        saved = await store.async_load()
        if saved is not None:
            try:
                counter.restore(date.fromisoformat(saved["day"]), int(saved["calls_today"]))
            except (KeyError, TypeError, ValueError) as err:
                LOGGER.debug("Not restoring an unreadable API call count: %s", err)
        counters[entry_id] = counter

    @callback
    def _save(_now: datetime | Event | None = None) -> None:
        if counters.get(entry_id) is counter:
            store.async_delay_save(counter.as_dict, 0)

    async def _async_save_now() -> None:
        # Unloading: written before the entry is gone, so no write comes after a removal.
        if counters.get(entry_id) is counter:
            await store.async_save(counter.as_dict())

    entry.async_on_unload(
        async_track_time_interval(hass, _save, SAVE_INTERVAL, cancel_on_shutdown=True)
    )
    entry.async_on_unload(hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, _save))
    entry.async_on_unload(_async_save_now)
    return counter


async def async_remove_call_counter(hass: HomeAssistant, entry_id: str) -> None:
    """Forget a removed entry's count."""
    get_shared(hass).call_counters.pop(entry_id, None)
    await _store(hass, entry_id).async_remove()
