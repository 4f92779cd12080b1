"""Application error codes (reference §2, §9.3) and HTTP-level answers."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import (
    AIR_CONDITIONER,
    BEDROOM_REMOTE,
    BLIND_TILT,
    BOT,
    CEILING_LIGHT,
    COLOR_BULB,
    CURTAIN,
    HUB_2,
    HUB_MINI,
    HUMIDIFIER2,
    METER,
    MOTION_SENSOR,
    TV,
    VACUUM_S10,
    Api,
)


async def test_unknown_device_is_152(api: Api) -> None:
    assert await api.command("FFFFFFFFFFFF", "turnOn") == {
        "statusCode": 152,
        "body": {},
        "message": "device not found",
    }


@pytest.mark.parametrize("device_id", [MOTION_SENSOR, METER, HUB_2, HUB_MINI])
async def test_types_without_any_command_are_151(api: Api, device_id: str) -> None:
    assert (await api.command(device_id, "turnOn"))["statusCode"] == 151


@pytest.mark.parametrize(
    ("device_id", "command", "command_type"),
    [
        (COLOR_BULB, "turnon", "command"),  # names are case-sensitive
        (CEILING_LIGHT, "setColor", "command"),  # ceiling lights have no colour
        (CURTAIN, "setBrightness", "command"),
        (COLOR_BULB, "turnOn", "customize"),  # physical devices have no learned buttons
        (TV, "setAll", "command"),
        (TV, "Hulu", "customize"),  # not a learned button of this remote
        (BEDROOM_REMOTE, "turnOn", "command"),  # "Others" has learned buttons only
        (BEDROOM_REMOTE, "常夜灯", "command"),  # a learned button needs "customize"
    ],
)
async def test_unsupported_commands_are_160(
    api: Api, device_id: str, command: str, command_type: str
) -> None:
    answer = await api.command(device_id, command, command_type=command_type)
    assert answer == {"statusCode": 160, "body": {}, "message": f"not this command:{command}"}


@pytest.mark.parametrize(
    ("device_id", "command", "parameter"),
    [
        (COLOR_BULB, "setBrightness", "0"),
        (COLOR_BULB, "setBrightness", "101"),
        (COLOR_BULB, "setBrightness", "bright"),
        (COLOR_BULB, "setColor", "256:0:0"),
        (COLOR_BULB, "setColor", "#ff0000"),
        (COLOR_BULB, "setColorTemperature", "2600"),
        (COLOR_BULB, "setColorTemperature", 6600),
        (CURTAIN, "setPosition", "0,ff,101"),
        (CURTAIN, "setPosition", "0,fast,50"),
        (CURTAIN, "setPosition", "50"),
        (BLIND_TILT, "setPosition", "up;61"),
        (BLIND_TILT, "setPosition", "left;50"),
        (BLIND_TILT, "setPosition", "up;102"),
        (AIR_CONDITIONER, "setAll", "26,9,3,on"),
        (AIR_CONDITIONER, "setAll", "26,2,5,on"),
        (AIR_CONDITIONER, "setAll", "26,2,3,maybe"),
        (AIR_CONDITIONER, "setAll", "26,2,3"),
        (AIR_CONDITIONER, "setAll", "45,2,3,on"),
        (TV, "SetChannel", "zero"),
        (HUMIDIFIER2, "setMode", {"mode": 9, "targetHumidify": 50}),
        (HUMIDIFIER2, "setMode", {"mode": 5, "targetHumidify": 101}),
        (HUMIDIFIER2, "setMode", "not json"),
        (HUMIDIFIER2, "setChildLock", "maybe"),
        (VACUUM_S10, "startClean", {"action": "sweep"}),
        (
            VACUUM_S10,
            "startClean",
            {"action": "mop", "param": {"fanLevel": 1, "waterLevel": 1, "times": 1}},
        ),
        (
            VACUUM_S10,
            "startClean",
            {"action": "sweep", "param": {"fanLevel": 5, "waterLevel": 1, "times": 1}},
        ),
        (VACUUM_S10, "selfClean", "4"),
    ],
)
async def test_invalid_parameters_are_190(
    api: Api, device_id: str, command: str, parameter: Any
) -> None:
    answer = await api.command(device_id, command, parameter)
    assert answer["statusCode"] == 190
    assert answer["message"].startswith("invalid parameter")


async def test_a_refused_command_leaves_the_device_unchanged(api: Api) -> None:
    before = await api.status(BLIND_TILT)
    assert (await api.command(BLIND_TILT, "setPosition", "down;33"))["statusCode"] == 190
    assert await api.status(BLIND_TILT) == before


async def test_offline_device_is_161_and_offline_hub_is_171(api: Api) -> None:
    await api.admin_ok("POST", f"/devices/{BOT}/online", {"online": False})
    assert (await api.command(BOT, "press"))["statusCode"] == 161
    await api.admin_ok("POST", f"/devices/{BOT}/online", {"online": True})
    await api.admin_ok("POST", f"/devices/{HUB_2}/online", {"online": False})
    assert (await api.command(BOT, "press")) == {
        "statusCode": 171,
        "body": {},
        "message": "hub device is offline",
    }
    # Infrared remotes depend on their hub too; Wi-Fi devices do not.
    assert (await api.command(AIR_CONDITIONER, "turnOn"))["statusCode"] == 171
    assert (await api.command(COLOR_BULB, "turnOn"))["statusCode"] == 100


async def test_offline_device_keeps_answering_its_stale_status(api: Api) -> None:
    await api.ok_command(CURTAIN, "setPosition", "0,ff,40")
    await api.admin_ok("POST", f"/devices/{CURTAIN}/online", {"online": False})
    assert (await api.command(CURTAIN, "turnOff"))["statusCode"] == 161
    assert (await api.status(CURTAIN))["slidePosition"] == 40


async def test_a_malformed_parameter_is_refused_before_connectivity_matters(api: Api) -> None:
    await api.admin_ok("POST", f"/devices/{COLOR_BULB}/online", {"online": False})
    assert (await api.command(COLOR_BULB, "setBrightness", "500"))["statusCode"] == 190
    assert (await api.command(COLOR_BULB, "setBrightness", "50"))["statusCode"] == 161


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1, 2]", b'{"parameter": "default"}', b'{"command": 5}'],
)
async def test_malformed_command_bodies_are_190(api: Api, body: bytes) -> None:
    headers = api.headers() | {"Content-Type": "application/json"}
    status, answer = await api.raw(
        "POST", f"/v1.1/devices/{COLOR_BULB}/commands", headers=headers, data=body
    )
    assert status == 200
    assert answer["statusCode"] == 190


async def test_unknown_command_type_is_190(api: Api) -> None:
    answer = await api.command(COLOR_BULB, "turnOn", command_type="customzie")
    assert answer["statusCode"] == 190


async def test_a_non_json_content_type_is_415(api: Api) -> None:
    headers = api.headers() | {"Content-Type": "text/plain"}
    status, answer = await api.raw(
        "POST", f"/v1.1/devices/{COLOR_BULB}/commands", headers=headers, data='{"command":"turnOn"}'
    )
    assert (status, answer) == (415, {"message": "Unsupported Media Type"})


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1.1/"),
        ("GET", "/v1.1/device"),
        ("POST", "/v1.1/devices"),
        ("GET", f"/v1.1/devices/{COLOR_BULB}/commands"),
        ("GET", "/v1.1/webhook/queryWebhook"),
    ],
)
async def test_unknown_paths_and_methods_are_403(api: Api, method: str, path: str) -> None:
    status, answer = await api.raw(method, path)
    assert status == 403
    assert "Authorization header requires" in answer["message"]


async def test_status_of_remotes_and_unknown_ids_is_190(api: Api) -> None:
    for device_id in (TV, "FFFFFFFFFFFF"):
        answer = await api.call("GET", f"/devices/{device_id}/status")
        assert answer == {"statusCode": 190, "body": {}, "message": "wrong deviceId"}


async def test_hub_mini_status_is_an_empty_body(api: Api) -> None:
    assert await api.call("GET", f"/devices/{HUB_MINI}/status") == {
        "statusCode": 100,
        "body": {},
        "message": "success",
    }


async def test_unknown_scene_is_190(api: Api) -> None:
    assert (await api.call("POST", "/scenes/T00-000000000000-0/execute"))["statusCode"] == 190
