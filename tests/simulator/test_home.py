"""Home files: loading, validation, and the consistency of the device catalogue."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from roomsense_simulator import Home, HomeError, Simulator
from roomsense_simulator.engine import change_report_context
from roomsense_simulator.families import DEVICE_TYPES
from roomsense_simulator.infrared import supported_remote_types
from roomsense_simulator.model import load_home_definition

from .conftest import Api, SimulatorFactory, single_device_home

HUB = {"deviceId": "A0A0A0A0A0A0", "deviceName": "hub", "deviceType": "Hub Mini"}


def every_device_type_home() -> dict[str, Any]:
    return {
        "devices": [
            {
                "deviceId": f"{index:012X}",
                "deviceName": device_type,
                "deviceType": device_type,
                "hubDeviceId": "000000000000",
            }
            for index, device_type in enumerate(sorted(DEVICE_TYPES), start=1)
        ]
    }


def test_demo_home_has_aliases_and_japanese_scene_names() -> None:
    home = Home.from_definition(load_home_definition("demo"))
    assert all(device.alias for device in home.devices.values())
    assert all(remote.alias for remote in home.remotes.values())
    assert [scene.name for scene in home.scenes.values()] == ["外出", "帰宅", "おやすみ"]
    assert all(len(scene.actions) >= 3 for scene in home.scenes.values())


def test_every_webhook_field_is_backed_by_device_data() -> None:
    # A webhook field reading a status key the type does not have would silently vanish.
    home = Home.from_definition(every_device_type_home())
    for device in home.devices.values():
        context = change_report_context(device, 1_700_000_000_000)
        if device.spec.webhook is None:
            assert context is None
            continue
        assert context is not None
        missing = device.spec.webhook.fields.keys() - context.keys()
        assert not missing, f"{device.device_type}: {missing}"
        json.dumps(context)


async def test_every_device_type_answers_its_status(make_api: SimulatorFactory) -> None:
    api = await make_api(every_device_type_home())
    for device in api.simulator.state.devices.values():
        body = await api.status(device.device_id)
        if device.spec.status is None:
            assert body == {}
        else:
            assert (body["deviceId"], body["deviceType"]) == (device.device_id, device.device_type)
            assert "hubDeviceId" in body


@pytest.mark.parametrize("remote_type", [*supported_remote_types(), "DIY Air Conditioner"])
def test_every_remote_type_loads(remote_type: str) -> None:
    home = Home.from_definition(
        {
            "devices": [HUB],
            "infraredRemotes": [
                {
                    "deviceId": "02-202401010000-1",
                    "deviceName": "remote",
                    "remoteType": remote_type,
                    "hubDeviceId": HUB["deviceId"],
                }
            ],
        }
    )
    assert home.remotes["02-202401010000-1"].family.name


async def test_home_from_a_file(make_api: SimulatorFactory, tmp_path: Path) -> None:
    path = tmp_path / "home.json"
    path.write_text(
        json.dumps(single_device_home("Meter", status={"temperature": 30.5})), encoding="utf-8"
    )
    api: Api = await make_api(str(path))
    assert (await api.status("AABBCCDDEEFF"))["temperature"] == 30.5


@pytest.mark.parametrize(
    ("home", "complaint"),
    [
        ({"devices": [{**HUB, "deviceType": "Hub 9"}]}, "unknown deviceType"),
        ({"devices": [{**HUB, "status": {"temperature": 1}}]}, "not fields"),
        ({"devices": [{**HUB, "colour": "red"}]}, "unknown keys"),
        ({"devices": [HUB, HUB]}, "used twice"),
        (single_device_home("Meter", hubDeviceId="B0B0B0B0B0B0"), "not a device of this home"),
        (
            {
                "devices": [single_device_home("Meter")["devices"][0]],
                "infraredRemotes": [
                    {
                        "deviceId": "01-1",
                        "deviceName": "tv",
                        "remoteType": "TV",
                        "hubDeviceId": "AABBCCDDEEFF",
                    }
                ],
            },
            "infrared-capable hub",
        ),
        (
            {
                "devices": [HUB],
                "infraredRemotes": [
                    {
                        "deviceId": "01-1",
                        "deviceName": "x",
                        "remoteType": "Toaster",
                        "hubDeviceId": HUB["deviceId"],
                    }
                ],
            },
            "unknown remoteType",
        ),
        (
            {
                "scenes": [
                    {
                        "sceneId": "S1",
                        "sceneName": "s",
                        "actions": [{"deviceId": "X", "command": "c"}],
                    }
                ]
            },
            "unknown device",
        ),
        ({"rooms": []}, "unknown keys"),
    ],
)
def test_invalid_homes_are_refused(home: dict[str, Any], complaint: str) -> None:
    with pytest.raises(HomeError, match=complaint):
        load_home_definition(home)


def test_invalid_home_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(HomeError, match="not valid JSON"):
        Simulator(token="t", secret="s", home=str(path))


def test_a_home_dict_is_copied_not_shared() -> None:
    definition = single_device_home("Color Bulb")
    simulator = Simulator(token="t", secret="s", home=definition)
    definition["devices"].clear()
    assert "AABBCCDDEEFF" in simulator.state.devices
