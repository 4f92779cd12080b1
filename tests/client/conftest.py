"""Fixtures for the SwitchBot Cloud client tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from custom_components.roomsense.switchbot_cloud import (
    DeviceList,
    SwitchBotCloudClient,
)
from roomsense_simulator import Simulator

from ..conftest import SECRET, TOKEN


async def _no_sleep(_delay: float) -> None:
    """Retries happen at once in tests; the delays themselves are tested separately."""


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
def client(simulator: Simulator, session: aiohttp.ClientSession) -> SwitchBotCloudClient:
    return SwitchBotCloudClient(
        TOKEN, SECRET, session, base_url=simulator.base_url, timeout=2, sleep=_no_sleep
    )


@pytest.fixture
async def devices(client: SwitchBotCloudClient) -> DeviceList:
    return await client.get_devices()


def device_id_of_type(devices: DeviceList, *device_types: str) -> str:
    """The id of the demo home's first device of one of these types."""
    for device in devices.devices:
        if device.device_type in device_types:
            return device.device_id
    raise AssertionError(f"the demo home has no {device_types}")


def remote_id_of_type(devices: DeviceList, remote_type: str) -> str:
    """The id of the demo home's first infrared remote of this type."""
    for remote in devices.infrared_remotes:
        if remote.base_remote_type == remote_type:
            return remote.device_id
    raise AssertionError(f"the demo home has no {remote_type} remote")
