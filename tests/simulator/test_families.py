"""Commands change device state the way each family does (reference §5, §6)."""

from __future__ import annotations

from typing import Any

import pytest

from roomsense_simulator.families import DEVICE_TYPES

from .conftest import (
    AIR_CONDITIONER,
    BEDROOM_REMOTE,
    BLIND_TILT,
    BOT,
    CIRCULATOR,
    COLOR_BULB,
    CURTAIN,
    HUMIDIFIER2,
    LOCK_PRO,
    PLUG_MINI,
    TV,
    VACUUM_S10,
    Api,
    SimulatorFactory,
    single_device_home,
)

DEVICE = "AABBCCDDEEFF"


async def single(make_api: SimulatorFactory, device_type: str, **fields: Any) -> Api:
    return await make_api(single_device_home(device_type, **fields))


async def test_curtain_position_is_inverted(api: Api) -> None:
    await api.ok_command(CURTAIN, "turnOff")
    assert (await api.status(CURTAIN))["slidePosition"] == 100  # closed
    await api.ok_command(CURTAIN, "turnOn")
    assert (await api.status(CURTAIN))["slidePosition"] == 0  # open
    await api.ok_command(CURTAIN, "setPosition", "0,1,30")
    await api.ok_command(CURTAIN, "pause")
    status = await api.status(CURTAIN)
    assert (status["slidePosition"], status["moving"]) == (30, False)


async def test_blind_tilt_zero_is_closed_and_positions_are_even(api: Api) -> None:
    await api.ok_command(BLIND_TILT, "closeUp")
    assert (await api.status(BLIND_TILT))["slidePosition"] == 0
    await api.ok_command(BLIND_TILT, "setPosition", "down;60")
    status = await api.status(BLIND_TILT)
    assert (status["direction"], status["slidePosition"]) == ("down", 60)
    await api.ok_command(BLIND_TILT, "fullyOpen")
    assert (await api.status(BLIND_TILT))["slidePosition"] == 100
    await api.ok_command(BLIND_TILT, "closeDown")
    status = await api.status(BLIND_TILT)
    assert (status["direction"], status["slidePosition"]) == ("down", 0)


async def test_roller_shade_takes_only_set_position(make_api: SimulatorFactory) -> None:
    api = await single(make_api, "Roller Shade")
    await api.ok_command(DEVICE, "setPosition", 25)
    assert (await api.status(DEVICE))["slidePosition"] == 25
    assert (await api.command(DEVICE, "turnOn"))["statusCode"] == 160


async def test_color_bulb(api: Api) -> None:
    await api.ok_command(COLOR_BULB, "turnOn")
    await api.ok_command(COLOR_BULB, "setBrightness", "1")
    await api.ok_command(COLOR_BULB, "setColor", "122:80:20")
    await api.ok_command(COLOR_BULB, "setColorTemperature", "6500")
    status = await api.status(COLOR_BULB)
    assert status["power"] == "on"
    assert (status["brightness"], status["color"], status["colorTemperature"]) == (
        1,
        "122:80:20",
        6500,
    )
    await api.ok_command(COLOR_BULB, "toggle")
    assert (await api.status(COLOR_BULB))["power"] == "off"
    await api.ok_command(COLOR_BULB, "setBrightness", 100)  # a JSON number works too
    assert (await api.status(COLOR_BULB))["brightness"] == 100


@pytest.mark.parametrize(
    ("device_type", "zero_brightness", "color_temperature", "color"),
    [
        ("Floor Lamp", True, True, True),
        ("Strip Light", False, False, True),
        ("Strip Light 3", True, True, True),
        ("RGBIC Neon Rope Light", True, False, True),
        ("Ceiling Light Pro", False, True, False),
        ("Candle Warmer Lamp", True, False, False),
        ("Permanent Outdoor Lights", True, True, True),
    ],
)
async def test_light_capabilities_per_type(
    make_api: SimulatorFactory,
    device_type: str,
    zero_brightness: bool,
    color_temperature: bool,
    color: bool,
) -> None:
    api = await single(make_api, device_type)
    expected = {True: 100, False: 190}
    assert (await api.command(DEVICE, "setBrightness", "0"))["statusCode"] == expected[
        zero_brightness
    ]
    ct = await api.command(DEVICE, "setColorTemperature", "3000")
    assert ct["statusCode"] == (100 if color_temperature else 160)
    assert (await api.command(DEVICE, "setColor", "1:2:3"))["statusCode"] == (100 if color else 160)


async def test_lock(api: Api) -> None:
    await api.ok_command(LOCK_PRO, "unlock")
    assert (await api.status(LOCK_PRO))["lockState"] == "unlock"
    await api.ok_command(LOCK_PRO, "lock")
    assert (await api.status(LOCK_PRO))["lockState"] == "lock"
    await api.ok_command(LOCK_PRO, "deadbolt")
    assert (await api.status(LOCK_PRO))["lockState"] == "unlock"
    assert (await api.command(LOCK_PRO, "nightLatchUnlock"))["statusCode"] == 160


async def test_lock_variants(make_api: SimulatorFactory) -> None:
    lite = await single(make_api, "Lock Lite")
    assert "doorState" not in await lite.status(DEVICE)
    assert (await lite.command(DEVICE, "deadbolt"))["statusCode"] == 160
    wifi = await single(make_api, "Smart Lock Pro Wifi")
    await wifi.ok_command(DEVICE, "nightLatchUnlock")
    assert (await wifi.status(DEVICE))["lockState"] == "unlock"


@pytest.mark.parametrize(
    ("spelling", "documented", "webhook_type"),
    [
        ("Smart Lock Lite", "Lock Lite", "WoLockLite"),
        ("Smart Lock Vision", "Lock Vision", "W1141000"),
        ("Smart Lock Vision Pro", "Lock Vision Pro", "W1141001"),
        ("Standing Fan", "Standing Circulator Fan", "Standing Fan"),
        ("K20+ Pro", "Robot Vacuum Cleaner K20 Plus Pro", "Robot Vacuum Cleaner K20+ Pro"),
        ("S20", "Robot Vacuum Cleaner S20", "Robot Vacuum Cleaner s20"),
        (
            "Robot Vacuum Cleaner K11 Plus",
            "Robot Vacuum Cleaner K11+",
            "Robot Vacuum Cleaner K11 Plus",
        ),
    ],
)
async def test_the_cloud_spelling_is_the_documented_type(
    make_api: SimulatorFactory, spelling: str, documented: str, webhook_type: str
) -> None:
    cloud = await single(make_api, spelling)
    reference = await single(make_api, documented)
    status = await cloud.status(DEVICE)
    assert status["deviceType"] == spelling
    assert {**status, "deviceType": documented} == await reference.status(DEVICE)
    devices = (await cloud.call("GET", "/devices"))["body"]["deviceList"]
    assert [device["deviceType"] for device in devices] == [spelling]
    view = await cloud.admin_ok("GET", f"/devices/{DEVICE}")
    assert view["webhookDeviceType"] == webhook_type
    assert DEVICE_TYPES[spelling].commands.keys() == DEVICE_TYPES[documented].commands.keys()


async def test_cloud_spelled_locks(make_api: SimulatorFactory) -> None:
    lite = await single(make_api, "Smart Lock Lite")
    assert "doorState" not in await lite.status(DEVICE)
    await lite.ok_command(DEVICE, "unlock")
    assert (await lite.status(DEVICE))["lockState"] == "unlock"
    assert (await lite.command(DEVICE, "deadbolt"))["statusCode"] == 160
    vision = await single(make_api, "Smart Lock Vision Pro")
    key = {"name": "Guest", "type": "permanent", "password": "123456"}
    assert (await vision.ok_command(DEVICE, "createKey", key))["commandId"].startswith("CMD")
    assert (await vision.command(DEVICE, "deadbolt"))["statusCode"] == 160
    ultra_max = await single(make_api, "Smart Lock Ultra Max")
    await ultra_max.ok_command(DEVICE, "deadbolt")
    status = await ultra_max.status(DEVICE)
    assert (status["lockState"], status["doorState"]) == ("unlock", "close")
    await ultra_max.ok_command(DEVICE, "lock")
    assert (await ultra_max.status(DEVICE))["lockState"] == "lock"


async def test_curtain4_moves_like_a_curtain(make_api: SimulatorFactory) -> None:
    api = await single(make_api, "Curtain4")
    await api.ok_command(DEVICE, "turnOn")
    assert (await api.status(DEVICE))["slidePosition"] == 0
    await api.ok_command(DEVICE, "setPosition", "0,ff,65")
    status = await api.status(DEVICE)
    assert (status["slidePosition"], status["battery"]) == (65, 80)
    assert (await api.command(DEVICE, "setPosition", "0,ff,101"))["statusCode"] == 190


@pytest.mark.parametrize(
    ("device_type", "night_lights", "refused"),
    [
        ("Standing Fan", ("off", "1", "2"), "0"),
        ("Battery Circulator Fan 2 Pro", ("off", "0", "1"), "2"),
    ],
)
async def test_newer_fans(
    make_api: SimulatorFactory, device_type: str, night_lights: tuple[str, ...], refused: str
) -> None:
    api = await single(make_api, device_type)
    await api.ok_command(DEVICE, "turnOn")
    await api.ok_command(DEVICE, "setWindMode", "sleep")
    await api.ok_command(DEVICE, "setWindSpeed", "30")
    status = await api.status(DEVICE)
    assert (status["power"], status["mode"], status["fanSpeed"]) == ("on", "sleep", 30)
    assert status["battery"] == 100
    for night_light in night_lights:
        await api.ok_command(DEVICE, "setNightLightMode", night_light)
        assert (await api.status(DEVICE))["nightStatus"] == night_light
    assert (await api.command(DEVICE, "setNightLightMode", refused))["statusCode"] == 190
    assert (await api.command(DEVICE, "setWindMode", "turbo"))["statusCode"] == 190


async def test_k20_plus_pro_by_its_cloud_name(make_api: SimulatorFactory) -> None:
    api = await single(make_api, "K20+ Pro")
    clean = {"action": "sweep", "param": {"fanLevel": 2, "times": 1}}
    assert (await api.ok_command(DEVICE, "startClean", clean))["commandId"].startswith("CMD")
    assert (await api.status(DEVICE))["workingStatus"] == "Clearing"
    # Its changeParam carries the mop's water level (§5.11).
    assert (await api.command(DEVICE, "changeParam", {"fanLevel": 2, "times": 1}))[
        "statusCode"
    ] == 190
    await api.ok_command(DEVICE, "changeParam", {"fanLevel": 4, "waterLevel": 2, "times": 1})
    await api.ok_command(DEVICE, "dock")
    assert (await api.status(DEVICE))["taskType"] == "standBy"
    assert (await api.command(DEVICE, "start"))["statusCode"] == 160


async def test_bot_state_depends_on_its_mode(api: Api, make_api: SimulatorFactory) -> None:
    await api.ok_command(BOT, "press")  # pressMode: it presses, no on/off state
    await api.ok_command(BOT, "turnOn")
    assert (await api.status(BOT))["power"] == "off"
    switch = await single(make_api, "Bot", status={"deviceMode": "switchMode"})
    await switch.ok_command(DEVICE, "turnOn")
    assert (await switch.status(DEVICE))["power"] == "on"
    await switch.ok_command(DEVICE, "press")
    assert (await switch.status(DEVICE))["power"] == "off"


async def test_plug_mini_reports_load_when_on(api: Api) -> None:
    await api.ok_command(PLUG_MINI, "turnOn")
    status = await api.status(PLUG_MINI)
    assert status["power"] == "on"
    assert status["weight"] == 650.0
    assert status["electricCurrent"] > 0
    await api.ok_command(PLUG_MINI, "toggle")
    status = await api.status(PLUG_MINI)
    assert (status["power"], status["weight"], status["electricCurrent"]) == ("off", 0.0, 0.0)


async def test_relay_switch_2pm_channels(make_api: SimulatorFactory) -> None:
    api = await single(make_api, "Relay Switch 2PM")
    await api.ok_command(DEVICE, "turnOn", "1")
    status = await api.status(DEVICE)
    assert (status["switch1Status"], status["switch2Status"]) == (1, 0)
    assert status["switch1Power"] > 0
    assert status["hubDeviceId"] == DEVICE
    await api.ok_command(DEVICE, "toggle", "2")
    await api.ok_command(DEVICE, "turnOff", 1)
    status = await api.status(DEVICE)
    assert (status["switch1Status"], status["switch2Status"]) == (0, 1)
    assert (await api.command(DEVICE, "turnOn", "3"))["statusCode"] == 190
    assert (await api.command(DEVICE, "turnOn"))["statusCode"] == 190  # channel required
    await api.ok_command(DEVICE, "setMode", "2;3")
    assert (await api.command(DEVICE, "setMode", "1,0"))["statusCode"] == 190
    await api.ok_command(DEVICE, "setPosition", "45")
    assert (await api.status(DEVICE))["position"] == 45


async def test_single_relay_and_garage_door(make_api: SimulatorFactory) -> None:
    relay = await single(make_api, "Relay Switch 1PM")
    await relay.ok_command(DEVICE, "toggle")
    status = await relay.status(DEVICE)
    assert status["switchStatus"] == 1
    assert isinstance(status["electricCurrent"], int)
    assert (await relay.command(DEVICE, "setMode", "4"))["statusCode"] == 190
    garage = await single(make_api, "Garage Door Opener")
    await garage.ok_command(DEVICE, "turnOn")
    assert (await garage.status(DEVICE))["doorStatus"] == 0


async def test_air_conditioner_set_all(api: Api) -> None:
    await api.ok_command(AIR_CONDITIONER, "setAll", "24,5,4,on")
    remote = await api.admin_ok("GET", f"/devices/{AIR_CONDITIONER}")
    assert remote["state"] == {"power": "on", "temperature": 24, "mode": 5, "fanSpeed": 4}
    await api.ok_command(AIR_CONDITIONER, "turnOff")
    remote = await api.admin_ok("GET", f"/devices/{AIR_CONDITIONER}")
    assert remote["state"]["power"] == "off"
    assert [entry["command"] for entry in remote["history"]] == ["setAll", "turnOff"]


async def test_tv_and_learned_buttons(api: Api) -> None:
    await api.ok_command(TV, "SetChannel", "8")
    await api.ok_command(TV, "channelAdd")
    await api.ok_command(TV, "volumeAdd")
    assert (await api.command(TV, "Netflix", command_type="customize"))["statusCode"] == 100
    assert (await api.command(BEDROOM_REMOTE, "全灯", command_type="customize"))[
        "statusCode"
    ] == 100
    tv = await api.admin_ok("GET", f"/devices/{TV}")
    assert tv["state"]["channel"] == 9
    last = tv["history"][-1]
    assert isinstance(last.pop("time"), int)
    assert last == {"command": "Netflix", "parameter": "default", "commandType": "customize"}


async def test_vacuum_s10(api: Api) -> None:
    body = await api.ok_command(
        VACUUM_S10,
        "startClean",
        {"action": "sweep_mop", "param": {"fanLevel": 3, "waterLevel": 2, "times": 1}},
    )
    assert body["commandId"].startswith("CMD")
    status = await api.status(VACUUM_S10)
    assert (status["workingStatus"], status["taskType"]) == ("Clearing", "cleanAll")
    await api.ok_command(VACUUM_S10, "pause")
    assert (await api.status(VACUUM_S10))["workingStatus"] == "Paused"
    await api.ok_command(VACUUM_S10, "dock")
    status = await api.status(VACUUM_S10)
    assert (status["workingStatus"], status["taskType"]) == ("ChargeDone", "standBy")
    await api.ok_command(VACUUM_S10, "selfClean", "2")
    assert (await api.status(VACUUM_S10))["taskType"] == "drying"
    await api.ok_command(VACUUM_S10, "setVolume", "30")
    await api.ok_command(VACUUM_S10, "changeParam", {"fanLevel": 1, "waterLevel": 1, "times": 2})
    await api.ok_command(VACUUM_S10, "addWaterForHumi")
    internal = (await api.admin_ok("GET", f"/devices/{VACUUM_S10}"))["internal"]
    assert (internal["volume"], internal["fanLevel"], internal["humidifierRefills"]) == (30, 1, 1)


async def test_first_generation_vacuum(make_api: SimulatorFactory) -> None:
    api = await single(make_api, "K10+", status={"battery": 60})
    assert await api.ok_command(DEVICE, "start") == {}
    assert (await api.status(DEVICE))["workingStatus"] == "Clearing"
    await api.ok_command(DEVICE, "dock")
    assert (await api.status(DEVICE))["workingStatus"] == "Charging"
    await api.ok_command(DEVICE, "PowLevel", "3")
    assert (await api.command(DEVICE, "PowLevel", "4"))["statusCode"] == 190
    assert (await api.command(DEVICE, "startClean", {}))["statusCode"] == 160


async def test_humidifier2(api: Api) -> None:
    await api.ok_command(HUMIDIFIER2, "turnOn")
    await api.ok_command(HUMIDIFIER2, "setMode", {"mode": 5, "targetHumidify": 60})
    status = await api.status(HUMIDIFIER2)
    assert (status["power"], status["mode"], status["drying"]) == ("on", 5, False)
    await api.ok_command(HUMIDIFIER2, "setMode", '{"mode": 8}')  # a JSON string works too
    assert (await api.status(HUMIDIFIER2))["drying"] is True
    await api.ok_command(HUMIDIFIER2, "setChildLock", "true")
    assert (await api.status(HUMIDIFIER2))["childLock"] is True
    internal = (await api.admin_ok("GET", f"/devices/{HUMIDIFIER2}"))["internal"]
    assert internal["targetHumidify"] == 60


async def test_original_humidifier_and_air_purifier(make_api: SimulatorFactory) -> None:
    humidifier = await single(make_api, "Humidifier")
    await humidifier.ok_command(DEVICE, "setMode", "102")
    assert (await humidifier.status(DEVICE))["nebulizationEfficiency"] == 67
    await humidifier.ok_command(DEVICE, "setMode", "auto")
    assert (await humidifier.status(DEVICE))["auto"] is True
    purifier = await single(make_api, "Air Purifier PM2.5")
    await purifier.ok_command(DEVICE, "turnOn")
    await purifier.ok_command(DEVICE, "setMode", {"mode": 1, "fanGear": 3})
    await purifier.ok_command(DEVICE, "setChildLock", "1")
    status = await purifier.status(DEVICE)
    assert (status["power"], status["mode"], status["childLock"]) == ("ON", 1, 1)
    assert (await purifier.command(DEVICE, "setMode", {"mode": 1}))["statusCode"] == 190


async def test_radiator_thermostat_remembers_its_mode(make_api: SimulatorFactory) -> None:
    api = await single(make_api, "Smart Radiator Thermostat")
    await api.ok_command(DEVICE, "setMode", "4")
    await api.ok_command(DEVICE, "turnOff")
    assert (await api.status(DEVICE))["mode"] == 2
    await api.ok_command(DEVICE, "turnOn")
    assert (await api.status(DEVICE))["mode"] == 4
    await api.ok_command(DEVICE, "setManualModeTemperature", "21.5")
    assert (await api.command(DEVICE, "setManualModeTemperature", "36"))["statusCode"] == 190


async def test_circulator_fan(api: Api) -> None:
    await api.ok_command(CIRCULATOR, "turnOn")
    await api.ok_command(CIRCULATOR, "setWindMode", "natural")
    await api.ok_command(CIRCULATOR, "setWindSpeed", "75")
    await api.ok_command(CIRCULATOR, "setNightLightMode", "2")
    status = await api.status(CIRCULATOR)
    assert (status["power"], status["mode"], status["fanSpeed"], status["nightStatus"]) == (
        "on",
        "natural",
        75,
        "2",
    )
    assert (await api.command(CIRCULATOR, "setWindSpeed", "0"))["statusCode"] == 190
    assert (await api.command(CIRCULATOR, "closeDelay", "36001"))["statusCode"] == 190


async def test_weather_station_doorbell_and_art_frame(make_api: SimulatorFactory) -> None:
    station = await single(make_api, "WeatherStation")
    await station.ok_command(DEVICE, "customQuote", "がんばって")
    assert (await station.command(DEVICE, "customQuote", ""))["statusCode"] == 190
    doorbell = await single(make_api, "Video Doorbell")
    await doorbell.ok_command(DEVICE, "disableMotionDetection")
    internal = (await doorbell.admin_ok("GET", f"/devices/{DEVICE}"))["internal"]
    assert internal["motionDetection"] is False
    frame = await single(make_api, "AI Art Frame")
    first = (await frame.status(DEVICE))["imageUrl"]
    await frame.ok_command(DEVICE, "next")
    assert (await frame.status(DEVICE))["imageUrl"] != first
    await frame.ok_command(DEVICE, "previous")
    assert (await frame.status(DEVICE))["imageUrl"] == first
    await frame.ok_command(DEVICE, "uploadImage", {"imageUrl": "https://example.com/a.jpg"})
    assert (await frame.status(DEVICE))["imageUrl"] == "https://example.com/a.jpg"
    both = {"imageUrl": "https://example.com/a.jpg", "imageBase64": "data:image/png;base64,AA=="}
    assert (await frame.command(DEVICE, "uploadImage", both))["statusCode"] == 190
