"""Shared helpers of the benches that run RoomSense inside a real Home Assistant core.

`home_assistant_with_roomsense(sim)` gives a Home Assistant core (the test plugin's
`async_test_home_assistant`, so no pytest run is needed) with its real HTTP server on a free
port of 127.0.0.1 and a RoomSense entry set up against a running simulator, the way
`tests/integration/test_webhook.py` does it. Not a bench by itself.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import sys
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any
from unittest.mock import AsyncMock, Mock, patch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from homeassistant import loader
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import frame
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_test_home_assistant,
)

# This also imports our `custom_components` package before Home Assistant's loader runs
# `import custom_components` (see conftest.py at the repository root).
from custom_components.roomsense.const import DOMAIN
from roomsense_simulator import Simulator

TOKEN = "bench-token-0123456789abcdef"
SECRET = "bench-secret-0123456789"
HUB_ID = "AA0000000000"
NO_HUB = "000000000000"
# The address of the mock Bluetooth adapter (as the test plugin's); no device may have it.
MOCK_ADAPTER = "00:00:00:00:00:01"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(samples: list[float], fraction: float) -> float:
    """The sample at `fraction` of the sorted list (nearest rank, no interpolation)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def quiet_logging() -> None:
    """Warnings and errors only; the custom-integration notice is not news here."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("homeassistant.loader").setLevel(logging.ERROR)
    logging.getLogger("aiohttp_fast_zlib").setLevel(logging.ERROR)
    # A second core in one process: its client session's mDNS resolver makes another
    # Zeroconf instance, which the frame helper reports against the integration.
    logging.getLogger("homeassistant.helpers.frame").setLevel(logging.ERROR)


def home_of(
    device_types: list[str], *, remotes: list[str] | None = None, mac_ids: bool = False
) -> dict[str, Any]:
    """A home in the simulator's schema, built like `home_with` in tests/conftest.py.

    The first device is the hub every other device (and every infrared remote) goes
    through; ids are `AA0000000000` for it and `0000000000NN` for the others, or with
    `mac_ids` `C0FFEE0000NN` (hexadecimal: Bluetooth addresses, none the mock adapter's).
    """
    hub_type, *others = device_types
    devices: list[dict[str, Any]] = [
        {"deviceId": HUB_ID, "deviceName": hub_type, "deviceType": hub_type}
    ]
    for index, device_type in enumerate(others, start=1):
        devices.append(
            {
                "deviceId": f"C0FFEE{index:06X}" if mac_ids else f"{index:012d}",
                "deviceName": f"{device_type} {index}",
                "deviceType": device_type,
                # Other hubs reach the cloud themselves, like Wi-Fi devices.
                "hubDeviceId": NO_HUB if device_type.startswith("Hub") else HUB_ID,
            }
        )
    infrared = [
        {
            "deviceId": f"01-202501010000-{index:08d}",
            "deviceName": f"{remote_type} {index}",
            "remoteType": remote_type,
            "hubDeviceId": HUB_ID,
        }
        for index, remote_type in enumerate(remotes or [], start=1)
    ]
    return {"name": "bench home", "devices": devices, "infraredRemotes": infrared, "scenes": []}


def entity_id(hass: HomeAssistant, platform: str, unique_id: str) -> str:
    """The entity id Home Assistant gave the RoomSense entity with this unique id."""
    found = er.async_get(hass).async_get_entity_id(platform, DOMAIN, unique_id)
    if found is None:
        raise LookupError(f"no {platform} entity {unique_id}")
    return found


@contextlib.contextmanager
def mocked_bluetooth_hardware() -> Iterator[None]:
    """No real adapter, scanner or D-Bus: the test plugin's `mock_bluetooth_adapters` and
    `mock_bleak_scanner_start` fixtures, for a core outside pytest (one mock adapter at
    `MOCK_ADAPTER`; its scanner never starts)."""
    from bleak_retry_connector import bleak_manager
    from habluetooth import manager as bluetooth_manager
    from habluetooth import scanner as bluetooth_scanner

    bleak_manager.get_global_bluez_manager_with_timeout._has_dbus_socket = False  # type: ignore[attr-defined]
    bluetooth_scanner.OriginalBleakScanner.stop = AsyncMock()  # type: ignore[method-assign]
    mgmt = Mock()
    mgmt.setup = AsyncMock(return_value=None)
    adapter = {
        "address": MOCK_ADAPTER,
        "hw_version": "usb:v1D6Bp0246d053F",
        "passive_scan": False,
        "sw_version": "homeassistant",
        "manufacturer": "ACME",
        "product": "Bluetooth Adapter 5.0",
        "product_id": "aa01",
        "vendor_id": "cc01",
    }
    with (
        patch("habluetooth.channels.bluez.MGMTBluetoothCtl.setup", AsyncMock(side_effect=OSError)),
        patch("habluetooth.util.recover_adapter"),
        patch("bluetooth_auto_recovery.recover_adapter"),
        patch("bluetooth_adapters.systems.platform.system", return_value="Linux"),
        patch("bluetooth_adapters.systems.linux.LinuxAdapters.refresh"),
        patch("bluetooth_adapters.systems.linux.LinuxAdapters.adapters", {"hci0": adapter}),
        patch.object(bluetooth_scanner.OriginalBleakScanner, "start"),
        patch.object(bluetooth_scanner, "HaScanner"),
        patch.object(bluetooth_manager, "MGMTBluetoothCtl", return_value=mgmt),
    ):
        yield


async def setup_bluetooth(hass: HomeAssistant) -> None:
    """Home Assistant's `bluetooth` with the mock adapter, as the `enable_bluetooth`
    fixture sets it up (inside `mocked_bluetooth_hardware`)."""
    entry = MockConfigEntry(domain="bluetooth", unique_id=MOCK_ADAPTER)
    entry.add_to_hass(hass)
    if not await hass.config_entries.async_setup(entry.entry_id):
        raise RuntimeError("Home Assistant's bluetooth integration did not set up")
    await hass.async_block_till_done()


# Run before RoomSense sets up; what it returns runs after RoomSense is unloaded.
type BeforeRoomSense = Callable[[HomeAssistant], Awaitable[Callable[[], Awaitable[None]] | None]]


@contextlib.asynccontextmanager
async def home_assistant_with_roomsense(
    sim: Simulator,
    *,
    options: dict[str, Any] | None = None,
    bluetooth: bool = False,
    before_roomsense: BeforeRoomSense | None = None,
) -> AsyncIterator[tuple[HomeAssistant, MockConfigEntry]]:
    """A Home Assistant core serving HTTP on loopback, RoomSense loaded against `sim`.

    The webhook is registered with the simulator (the internal URL is the loopback
    server), so the simulator pushes to Home Assistant's real HTTP stack. The config
    directory is a temporary one, removed afterwards. With `bluetooth`, Home Assistant's
    `bluetooth` integration is set up first (mock adapter, see `mocked_bluetooth_hardware`);
    `before_roomsense(hass)` runs just before RoomSense sets up (e.g. to start a simulated
    Bluetooth proxy) and may return a coroutine function run after RoomSense is unloaded.
    """
    hardware = mocked_bluetooth_hardware() if bluetooth else contextlib.nullcontext()
    with tempfile.TemporaryDirectory(prefix="roomsense-bench-") as config_dir, hardware:
        async with async_test_home_assistant(config_dir=config_dir) as hass:
            frame.async_setup(hass)
            # What the plugin's `enable_custom_integrations` fixture does.
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)
            # What a running Home Assistant always has; RoomSense's agent needs it.
            if not await async_setup_component(hass, "homeassistant", {}):
                raise RuntimeError("Home Assistant's core integration did not set up")
            port = free_port()
            http_config = {"http": {"server_host": "127.0.0.1", "server_port": port}}
            if not await async_setup_component(hass, "http", http_config):
                raise RuntimeError("Home Assistant's http integration did not set up")
            await hass.http.start()
            await hass.config.async_update(internal_url=f"http://127.0.0.1:{port}")
            if bluetooth:
                await setup_bluetooth(hass)
            cleanup = await before_roomsense(hass) if before_roomsense else None
            entry = MockConfigEntry(
                domain=DOMAIN,
                title="SwitchBot",
                data={"token": TOKEN, "secret": SECRET, "base_url": sim.base_url},
                options=options or {},
            )
            entry.add_to_hass(hass)
            if not await hass.config_entries.async_setup(entry.entry_id):
                raise RuntimeError(f"RoomSense did not set up: {entry.state}")
            await hass.async_block_till_done()
            try:
                yield hass, entry
            finally:
                # Unload while the simulator is up, so removing the webhook gets an answer.
                await hass.config_entries.async_unload(entry.entry_id)
                if cleanup is not None:
                    await cleanup()
                await hass.http.stop()
                await hass.async_stop(force=True)
