"""SwitchBot devices of the demo home heard over Bluetooth, for the RoomSense demo only.

`scripts/demo` links this integration into the demo configuration's custom_components/ and
enables it in configuration.yaml (`roomsense_demo_bluetooth:`); it never ships with RoomSense.
Once Home Assistant's `bluetooth` integration is set up (a dependency, through
`bluetooth_adapters`), it starts a `SimulatedBleProxy` of `roomsense_simulator.ble`: a remote
scanner, as an ESPHome Bluetooth proxy registers, with simulated devices at the addresses of
some devices of the demo home (`simulator/roomsense_simulator/homes/demo.json`), their state
as the cloud simulator starts them. RoomSense hears them and drives them locally first.

Every few seconds each device advertises again; the bedroom Meter's temperature drifts slowly
around its cloud reading, so its entity changes with no cloud call. Given the cloud
simulator's URL (`simulator_url`, as scripts/demo writes it), the lock, the plug and the blind
first take any change made through the cloud, and the cloud hears of any made over Bluetooth
(`twins`): each is one device, whichever way it is driven.

Two more show Bluetooth discovery: the front door's Smart Lock Pro (a device of the account
whose key RoomSense does not have yet: its discovery asks for the key, `DEMO_KEY_ID` and
`DEMO_ENCRYPTION_KEY`, which the README gives) and an Outdoor Meter on no account at all (its
discovery adds it on its own). The bedroom's Blind Tilt is heard too.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

import voluptuous as vol
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.typing import ConfigType

from .twins import CloudTwins, Twin, blind_tilt_twin, lock_twin, plug_twin

if TYPE_CHECKING:
    from roomsense_simulator.ble import BleDevice, SimulatedBleProxy

_LOGGER = logging.getLogger(__name__)

DOMAIN: Final = "roomsense_demo_bluetooth"
CONF_SIMULATOR_URL: Final = "simulator_url"
CONFIG_SCHEMA = vol.Schema(
    {DOMAIN: vol.Any(None, vol.Schema({vol.Optional(CONF_SIMULATOR_URL): cv.url}))},
    extra=vol.ALLOW_EXTRA,
)

SOURCE: Final = "roomsense-demo-ble"
PROXY_NAME: Final = "RoomSense demo Bluetooth proxy"
# How often every device advertises again (real SwitchBot devices: about every second or two).
ADVERTISE_INTERVAL: Final = timedelta(seconds=5)
# The Meter's temperature: a slow wave around its cloud reading, one 0.1 °C step at most per
# advertisement, a full swing in about ten minutes.
METER_TEMPERATURE: Final = 21.4
METER_SWING: Final = 0.5
METER_PERIOD: Final = 600.0

BOT_ADDRESS: Final = "E2:F6:4B:7A:9C:01"  # 給湯器のボット (water heater bot)
METER_ADDRESS: Final = "D0:4E:7A:2B:9C:15"  # 寝室の温湿度計 (bedroom thermometer)
PLUG_ADDRESS: Final = "7C:87:CE:5A:10:B2"  # コーヒーメーカーのプラグ (coffee maker plug)
LOCK_ADDRESS: Final = "F8:C9:A1:B2:E3:D4"  # 玄関の鍵 (front door lock)
BLIND_ADDRESS: Final = "C8:B2:E4:A1:9F:73"  # 寝室のブラインド (bedroom blind)
# On no SwitchBot account: discovery offers it on its own.
OUTDOOR_METER_ADDRESS: Final = "E4:5F:01:2C:3D:77"
ADDRESSES: Final = (
    BOT_ADDRESS,
    METER_ADDRESS,
    PLUG_ADDRESS,
    LOCK_ADDRESS,
    BLIND_ADDRESS,
    OUTDOOR_METER_ADDRESS,
)
# The front door lock's key, for the demo's key step (a real lock's comes from the app's
# account or a key tool).
DEMO_KEY_ID: Final = "3f"
DEMO_ENCRYPTION_KEY: Final = "5a1c0e9d27b84f3a96e2d1c07b8a4f35"
# The devices whose state the cloud simulator keeps too (their cloud device id: the address
# without colons, as in demo.json). The Bot is in press mode and the meters only report.
TWINS: Final[tuple[Twin, ...]] = (
    lock_twin(LOCK_ADDRESS, "F8C9A1B2E3D4"),
    plug_twin(PLUG_ADDRESS, "7C87CE5A10B2"),
    blind_tilt_twin(BLIND_ADDRESS, "C8B2E4A19F73"),
)


def demo_devices() -> list[BleDevice]:
    """The simulated devices, in the state the cloud simulator gives them at start."""
    from roomsense_simulator.ble import BleDevice, LockState

    return [
        # pressMode, battery 100 (demo.json); a press does not change a press-mode Bot's state.
        BleDevice(BOT_ADDRESS, "WoHand", state={"switchMode": False, "battery": 100}),
        # temperature 21.4 °C, humidity 52 % (demo.json), battery 100 (the simulator's default).
        BleDevice(
            METER_ADDRESS,
            "WoSensorTH",
            state={"temperature": METER_TEMPERATURE, "humidity": 52, "battery": 100},
        ),
        # Off at start; the coffee maker draws 650 W when on (demo.json's loadWatts).
        BleDevice(
            PLUG_ADDRESS,
            "WoPlug",
            product="plug_mini_jp",
            state={"isOn": False, "power": 0.0},
            internal={"load_watts": 650.0},
        ),
        # Locked, door closed, battery 90 (demo.json).
        BleDevice(
            LOCK_ADDRESS,
            "WoLockPro",
            key_id=DEMO_KEY_ID,
            encryption_key=DEMO_ENCRYPTION_KEY,
            state={"status": LockState.LOCKED, "battery": 90},
        ),
        # Open, the slats level (demo.json: slidePosition 100, a Blind Tilt's fully open).
        BleDevice(BLIND_ADDRESS, "WoBlindTilt", state={"tilt": 50, "battery": 100}),
        BleDevice(
            OUTDOOR_METER_ADDRESS,
            "WoIOSensorTH",
            state={"temperature": 8.5, "humidity": 71, "battery": 95},
        ),
    ]


def meter_temperature(elapsed: float) -> float:
    """The Meter's temperature `elapsed` seconds after the start, to 0.1 °C."""
    wave = METER_SWING * math.sin(2 * math.pi * elapsed / METER_PERIOD)
    return round(METER_TEMPERATURE + wave, 1)


@dataclass
class DemoBluetooth:
    """The running proxy and its advertising timer."""

    proxy: SimulatedBleProxy
    twins: CloudTwins | None = None
    ticks: int = 0
    _cancels: list[CALLBACK_TYPE] = field(default_factory=list)

    async def async_tick(self, _now: datetime) -> None:
        """Move the Meter's temperature on, sync with the cloud, then let every device advertise."""
        self.ticks += 1
        elapsed = self.ticks * ADVERTISE_INTERVAL.total_seconds()
        self.proxy.device(METER_ADDRESS).set_state(temperature=meter_temperature(elapsed))
        if self.twins is not None:
            await self.twins.async_sync()
        if self.proxy.started:
            self.proxy.advertise_all()

    @callback
    def async_stop(self) -> None:
        """Stop advertising, drop the links and unregister the scanner (idempotent)."""
        cancels, self._cancels = self._cancels, []
        for cancel in reversed(cancels):
            cancel()
        if self.proxy.started:
            self.proxy.async_stop()
            _LOGGER.info("Stopped %s", PROXY_NAME)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Start the simulated proxy; `bluetooth` is set up (a dependency)."""
    # Imported only now: the proxy needs Home Assistant's Bluetooth stack running, and
    # PySwitchbot (which RoomSense imports) must not be imported before it.
    from roomsense_simulator.ble import SimulatedBleProxy

    proxy = SimulatedBleProxy(hass, demo_devices(), SOURCE, name=PROXY_NAME)
    demo = DemoBluetooth(proxy)
    if simulator_url := (config.get(DOMAIN) or {}).get(CONF_SIMULATOR_URL):
        demo.twins = CloudTwins(
            proxy, async_get_clientsession(hass), simulator_url.rstrip("/"), TWINS
        )
    demo._cancels.append(proxy.async_start())
    proxy.advertise_all()
    demo._cancels.append(
        async_track_time_interval(
            hass, demo.async_tick, ADVERTISE_INTERVAL, name=f"{PROXY_NAME} advertisements"
        )
    )

    @callback
    def _on_stop(_event: Event[Any]) -> None:
        demo._cancels.remove(unsubscribe_stop)  # fired: nothing to unsubscribe any more
        demo.async_stop()

    unsubscribe_stop = hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, _on_stop)
    demo._cancels.append(unsubscribe_stop)
    hass.data[DOMAIN] = demo
    _LOGGER.info(
        "Started %s with %s devices: %s", PROXY_NAME, len(proxy.devices), ", ".join(ADDRESSES)
    )
    return True
