"""`GET /devices` and `GET /devices/{id}/status` (reference §3.1, §3.2, §5)."""

from __future__ import annotations

import re

from .conftest import (
    BLIND_TILT,
    CEILING_LIGHT,
    CO2_METER,
    CURTAIN,
    HUB_2,
    KEYPAD,
    LOCK_PRO,
    METER,
    Api,
    SimulatorFactory,
)

DEVICE_ID = re.compile(r"[0-9A-F]{12}")
NO_HUB = "000000000000"


async def test_demo_home_covers_the_required_families(api: Api) -> None:
    body = (await api.call("GET", "/devices"))["body"]
    devices = body["deviceList"]
    assert len(devices) >= 14
    types = {device["deviceType"] for device in devices}
    assert {
        "Hub 2",
        "Hub Mini",
        "Color Bulb",
        "Ceiling Light",
        "Plug Mini (JP)",
        "Bot",
        "Curtain",
        "Blind Tilt",
        "Smart Lock Pro",
        "Meter",
        "MeterPro(CO2)",
        "Motion Sensor",
        "Contact Sensor",
        "Water Detector",
        "Circulator Fan",
        "Humidifier2",
        "Robot Vacuum Cleaner S10",
    } <= types
    remote_types = {remote["remoteType"] for remote in body["infraredRemoteList"]}
    assert {"Air Conditioner", "TV"} <= remote_types


async def test_device_list_entries_are_realistic(api: Api) -> None:
    body = (await api.call("GET", "/devices"))["body"]
    by_id = {device["deviceId"]: device for device in body["deviceList"]}
    hubs = {i for i, device in by_id.items() if device["deviceType"] in {"Hub 2", "Hub Mini"}}
    for device in by_id.values():
        assert DEVICE_ID.fullmatch(device["deviceId"])
        assert {"deviceName", "deviceType", "enableCloudService", "hubDeviceId"} <= device.keys()
        assert device["hubDeviceId"] == NO_HUB or device["hubDeviceId"] in hubs
        assert re.search(r"[ぁ-んァ-ン一-龯]", device["deviceName"]), device["deviceName"]
    assert by_id[METER]["hubDeviceId"] in hubs  # a BLE device goes through a hub
    assert by_id[CEILING_LIGHT]["hubDeviceId"] == NO_HUB  # a Wi-Fi device does not
    for remote in body["infraredRemoteList"]:
        assert re.fullmatch(r"\d{2}-\d{12}-\d+", remote["deviceId"])
        assert remote["hubDeviceId"] in hubs


async def test_per_type_list_fields(api: Api) -> None:
    by_id = {
        device["deviceId"]: device
        for device in (await api.call("GET", "/devices"))["body"]["deviceList"]
    }
    curtain = by_id[CURTAIN]
    assert curtain["curtainDevicesIds"] == [CURTAIN]
    assert {"calibrate", "group", "master", "openDirection"} <= curtain.keys()
    lock = by_id[LOCK_PRO]
    assert lock["lockDevicesIds"] == [LOCK_PRO]
    assert {"group", "master", "groupName"} <= lock.keys()
    assert by_id[KEYPAD]["lockDeviceId"] == LOCK_PRO
    assert by_id[KEYPAD]["keyList"] == []
    blind = by_id[BLIND_TILT]
    assert blind["blindTiltDevicesIds"] == [BLIND_TILT]
    assert {"version", "calibrate", "group", "master", "direction", "slidePosition"} <= blind.keys()


async def test_blind_tilt_list_entry_follows_its_position(api: Api) -> None:
    await api.ok_command(BLIND_TILT, "setPosition", "down;40")
    devices = (await api.call("GET", "/devices"))["body"]["deviceList"]
    blind = next(device for device in devices if device["deviceId"] == BLIND_TILT)
    assert (blind["direction"], blind["slidePosition"]) == ("down", 40)


async def test_status_body_is_flat_with_ids(api: Api) -> None:
    meter = await api.status(METER)
    assert meter["deviceId"] == METER
    assert meter["deviceType"] == "Meter"
    assert meter["hubDeviceId"] != NO_HUB
    assert isinstance(meter["temperature"], float)
    assert isinstance(meter["humidity"], int)
    assert {"battery", "version"} <= meter.keys()
    assert (await api.status(CO2_METER))["CO2"] == 780


async def test_hub_2_reports_itself_as_hub_in_its_status(api: Api) -> None:
    status = await api.status(HUB_2)
    assert status["hubDeviceId"] == HUB_2
    assert {"temperature", "humidity", "lightLevel", "version"} <= status.keys()


async def test_empty_home(make_api: SimulatorFactory) -> None:
    api = await make_api("empty")
    assert (await api.call("GET", "/devices"))["body"] == {
        "deviceList": [],
        "infraredRemoteList": [],
    }
    assert (await api.call("GET", "/scenes"))["body"] == []
