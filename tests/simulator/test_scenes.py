"""Manual scenes (reference §3.4): listing and execution."""

from __future__ import annotations

from .conftest import (
    AIR_CONDITIONER,
    BEDROOM_REMOTE,
    BLIND_TILT,
    CEILING_LIGHT,
    CURTAIN,
    HUMIDIFIER2,
    LOCK_PRO,
    SCENE_GOOD_NIGHT,
    SCENE_HOME,
    SCENE_LEAVING,
    VACUUM_S10,
    Api,
)


async def test_scenes_are_listed_as_an_array(api: Api) -> None:
    answer = await api.call("GET", "/scenes")
    assert answer["statusCode"] == 100
    assert answer["body"] == [
        {"sceneId": SCENE_LEAVING, "sceneName": "外出"},
        {"sceneId": SCENE_HOME, "sceneName": "帰宅"},
        {"sceneId": SCENE_GOOD_NIGHT, "sceneName": "おやすみ"},
    ]


async def test_good_night_runs_its_actions(api: Api) -> None:
    await api.ok_command(LOCK_PRO, "unlock")
    answer = await api.call("POST", f"/scenes/{SCENE_GOOD_NIGHT}/execute")
    assert answer == {"statusCode": 100, "body": {}, "message": "success"}
    assert (await api.status(CEILING_LIGHT))["power"] == "off"
    assert (await api.status(CURTAIN))["slidePosition"] == 100
    blind = await api.status(BLIND_TILT)
    assert (blind["direction"], blind["slidePosition"]) == ("down", 0)
    assert (await api.status(LOCK_PRO))["lockState"] == "lock"
    humidifier = await api.status(HUMIDIFIER2)
    assert (humidifier["power"], humidifier["mode"]) == ("on", 6)
    aircon = await api.admin_ok("GET", f"/devices/{AIR_CONDITIONER}")
    assert aircon["state"]["temperature"] == 27
    remote = await api.admin_ok("GET", f"/devices/{BEDROOM_REMOTE}")
    assert remote["history"][-1]["command"] == "常夜灯"


async def test_leaving_then_coming_home(api: Api) -> None:
    await api.ok_command(CURTAIN, "turnOn")
    await api.call("POST", f"/scenes/{SCENE_LEAVING}/execute")
    assert (await api.status(VACUUM_S10))["workingStatus"] == "Clearing"
    assert (await api.status(CURTAIN))["slidePosition"] == 100
    await api.call("POST", f"/scenes/{SCENE_HOME}/execute")
    assert (await api.status(VACUUM_S10))["workingStatus"] == "ChargeDone"
    assert (await api.status(CEILING_LIGHT))["power"] == "on"


async def test_a_failing_action_does_not_stop_the_scene(api: Api) -> None:
    await api.ok_command(CEILING_LIGHT, "turnOn")
    await api.ok_command(LOCK_PRO, "unlock")
    await api.admin_ok("POST", f"/devices/{LOCK_PRO}/online", {"online": False})
    answer = await api.call("POST", f"/scenes/{SCENE_GOOD_NIGHT}/execute")
    assert answer["statusCode"] == 100
    assert (await api.status(CEILING_LIGHT))["power"] == "off"
    assert (await api.status(LOCK_PRO))["lockState"] == "unlock"  # it was offline
