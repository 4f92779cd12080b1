"""Fixtures for tests that run RoomSense inside a real Home Assistant."""

from __future__ import annotations

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.roomsense.config_flow import account_unique_id
from custom_components.roomsense.const import DOMAIN
from roomsense_simulator import Simulator

from ..conftest import SECRET, TOKEN


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load integrations from custom_components/."""


@pytest.fixture
def config_entry(simulator: Simulator) -> MockConfigEntry:
    """A RoomSense entry for the simulator's account (not yet added to hass)."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="SwitchBot",
        unique_id=account_unique_id(TOKEN),
        data={"token": TOKEN, "secret": SECRET, "base_url": simulator.base_url},
    )
