"""Fixtures of the automation tests: the demo home as the parsers see it."""

from __future__ import annotations

import pytest

from custom_components.roomsense.home_model import HomeSnapshot
from tests.fallback.conftest import load_demo_snapshot


@pytest.fixture(scope="session")
def snapshot() -> HomeSnapshot:
    """The simulator's demo home with current readings, built once."""
    return load_demo_snapshot()
