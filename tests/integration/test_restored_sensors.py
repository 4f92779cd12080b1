"""Figure sensors keep their last value over a restart, until new data replaces it.

The conversation metrics live in memory and the acceptance rate has no value before a
decision, so after a restart they would show Unknown; they restore their last value, as
Home Assistant's core tests restore sensors (`mock_restore_cache_with_extra_data`).
"""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.const import PERCENTAGE, STATE_UNKNOWN, UnitOfTime
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_mock_restore_state_shutdown_restart,
    mock_restore_cache,
    mock_restore_cache_with_extra_data,
)

from custom_components.roomsense.automation.learning_store import STORAGE_KEY
from custom_components.roomsense.const import DOMAIN
from custom_components.roomsense.persisted import STORAGE_VERSION
from custom_components.roomsense.shared import get_shared

from ..conftest import home_with
from .conftest import entity_id

# The figure sensors, their units, a value from before the restart, and what one quick
# turn that did nothing (250 ms) makes of them.
METRICS = (
    ("intent_success_rate", PERCENTAGE, 87.5, "0.0"),
    ("conversation_latency_p50", UnitOfTime.MILLISECONDS, 420.0, "250.0"),
    ("conversation_latency_p95", UnitOfTime.MILLISECONDS, 1830.0, "250.0"),
)
ACCEPTANCE = "scene_acceptance_rate"


@pytest.fixture
def home() -> dict[str, Any]:
    return home_with("Meter")


def register(hass: HomeAssistant, entry: MockConfigEntry, key: str) -> str:
    """Register the sensor's entity id before setup, as a previous run would have."""
    return (
        er.async_get(hass)
        .async_get_or_create(
            "sensor",
            DOMAIN,
            f"{entry.entry_id}_{key}",
            config_entry=entry,
            suggested_object_id=f"roomsense_{key}",
        )
        .entity_id
    )


def restored(entity: str, value: float, unit: str) -> tuple[State, dict[str, Any]]:
    """A sensor's saved state and extra data, as `RestoreSensor` saves them."""
    return (
        State(entity, str(value)),
        {"native_value": value, "native_unit_of_measurement": unit},
    )


async def set_up(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


def state_of(hass: HomeAssistant, entity: str) -> str:
    state = hass.states.get(entity)
    assert state is not None
    return state.state


async def test_conversation_metrics_restore_their_last_value_until_a_new_turn(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    config_entry.add_to_hass(hass)
    entities = {key: register(hass, config_entry, key) for key, *_ in METRICS}
    mock_restore_cache_with_extra_data(
        hass, [restored(entities[key], value, unit) for key, unit, value, _ in METRICS]
    )
    await set_up(hass, config_entry)

    for key, _unit, value, _new in METRICS:
        assert state_of(hass, entities[key]) == str(value), key

    get_shared(hass).tools.metrics.record(acted=False, seconds=0.25)
    await hass.async_block_till_done()

    for key, _unit, _value, new in METRICS:
        assert state_of(hass, entities[key]) == new, key


async def test_a_value_in_another_unit_or_not_a_number_is_not_restored(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    config_entry.add_to_hass(hass)
    success = register(hass, config_entry, "intent_success_rate")
    latency = register(hass, config_entry, "conversation_latency_p50")
    mock_restore_cache_with_extra_data(
        hass,
        [
            restored(latency, 0.42, UnitOfTime.SECONDS),
            (
                State(success, "high"),
                {"native_value": "high", "native_unit_of_measurement": PERCENTAGE},
            ),
        ],
    )
    await set_up(hass, config_entry)

    assert state_of(hass, latency) == STATE_UNKNOWN
    assert state_of(hass, success) == STATE_UNKNOWN


async def test_a_state_without_sensor_data_is_not_restored(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    """What a RoomSense before restoring saved: a state alone, no native value."""
    config_entry.add_to_hass(hass)
    success = register(hass, config_entry, "intent_success_rate")
    mock_restore_cache(hass, [State(success, "87.5")])
    await set_up(hass, config_entry)

    assert state_of(hass, success) == STATE_UNKNOWN


async def test_the_acceptance_rate_restores_its_last_value_until_a_decision(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    config_entry.add_to_hass(hass)
    acceptance = register(hass, config_entry, ACCEPTANCE)
    mock_restore_cache_with_extra_data(hass, [restored(acceptance, 75.0, PERCENTAGE)])
    await set_up(hass, config_entry)

    assert state_of(hass, acceptance) == "75.0"

    learning = get_shared(hass).learning
    learning.offered["candidate"] = {"name": "Evening", "operations": [], "confidence": 0.9}
    learning.reject("candidate")
    await hass.async_block_till_done()

    assert state_of(hass, acceptance) == "0.0"


async def test_stored_decisions_count_over_a_restored_rate(
    hass: HomeAssistant, config_entry: MockConfigEntry, hass_storage: dict[str, Any]
) -> None:
    hass_storage[STORAGE_KEY] = {
        "version": STORAGE_VERSION,
        "key": STORAGE_KEY,
        "data": {"approved": 1, "rejected": 1},
    }
    config_entry.add_to_hass(hass)
    acceptance = register(hass, config_entry, ACCEPTANCE)
    mock_restore_cache_with_extra_data(hass, [restored(acceptance, 75.0, PERCENTAGE)])
    await set_up(hass, config_entry)

    assert state_of(hass, acceptance) == "50.0"


async def test_the_figures_survive_a_restart(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    """Saved at shutdown, read back at the next start, with the turns themselves gone."""
    metrics = get_shared(hass).tools.metrics
    metrics.record(acted=True, seconds=0.5)
    metrics.record(acted=False, seconds=1.5)
    await hass.async_block_till_done()
    success = entity_id(hass, "sensor", f"{setup_entry.entry_id}_intent_success_rate")
    latency = entity_id(hass, "sensor", f"{setup_entry.entry_id}_conversation_latency_p95")
    assert (state_of(hass, success), state_of(hass, latency)) == ("50.0", "1500.0")

    await async_mock_restore_state_shutdown_restart(hass)
    assert await hass.config_entries.async_unload(setup_entry.entry_id)
    await hass.async_block_till_done()
    metrics.turns.clear()  # a new process starts with no turns
    await set_up(hass, setup_entry)

    assert (state_of(hass, success), state_of(hass, latency)) == ("50.0", "1500.0")
