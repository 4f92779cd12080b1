"""The `/_sim/` admin API."""

from __future__ import annotations

from typing import Any

import pytest

from roomsense_simulator import Simulator

from .conftest import (
    AIR_CONDITIONER,
    BOT,
    COLOR_BULB,
    CONTACT_SENSOR,
    HUB_2,
    METER,
    Api,
    SimulatorFactory,
    WebhookReceiver,
    setup_webhook,
)


async def test_calls_are_recorded_and_can_be_cleared(api: Api, sim: Simulator) -> None:
    await api.call("GET", "/devices")
    await api.command(COLOR_BULB, "setBrightness", "500")
    calls = (await api.admin_ok("GET", "/calls"))["calls"]
    assert calls == sim.calls
    listing, command = calls
    assert set(listing) == {
        "time",
        "method",
        "path",
        "body",
        "http_status",
        "status_code",
        "message",
    }
    assert (listing["method"], listing["path"], listing["body"]) == ("GET", "/v1.1/devices", None)
    assert (listing["http_status"], listing["status_code"], listing["message"]) == (
        200,
        100,
        "success",
    )
    assert command["body"] == {
        "command": "setBrightness",
        "parameter": "500",
        "commandType": "command",
    }
    assert (command["http_status"], command["status_code"]) == (200, 190)
    assert await api.admin_ok("DELETE", "/calls") == {"calls": []}
    assert sim.calls == []


async def test_devices_view(api: Api) -> None:
    view = await api.admin_ok("GET", "/devices")
    assert len(view["devices"]) == 18
    assert len(view["infraredRemotes"]) == 3
    bot = next(device for device in view["devices"] if device["deviceId"] == BOT)
    assert (bot["kind"], bot["online"], bot["hubOnline"]) == ("device", True, True)
    assert bot["alias"] == "water heater bot"
    assert bot["status"]["deviceMode"] == "pressMode"
    assert bot["webhookDeviceType"] == "WoHand"
    remote = await api.admin_ok("GET", f"/devices/{AIR_CONDITIONER}")
    assert (remote["kind"], remote["remoteType"], remote["online"]) == (
        "infraredRemote",
        "Air Conditioner",
        True,
    )
    status, answer = await api.admin("GET", "/devices/FFFFFFFFFFFF")
    assert status == 404
    assert "FFFFFFFFFFFF" in answer["error"]


async def test_online_switch_for_devices_and_hubs(api: Api) -> None:
    hub = await api.admin_ok("POST", f"/devices/{HUB_2}/online", {"online": False})
    assert hub["online"] is False
    assert (await api.admin_ok("GET", f"/devices/{BOT}"))["hubOnline"] is False
    assert (await api.admin_ok("GET", f"/devices/{AIR_CONDITIONER}"))["online"] is False
    status, _ = await api.admin("POST", f"/devices/{AIR_CONDITIONER}/online", {"online": True})
    assert status == 400
    assert (await api.admin("POST", f"/devices/{BOT}/online", {"online": "no"}))[0] == 400
    assert (await api.admin("POST", "/devices/FFFFFFFFFFFF/online", {"online": True}))[0] == 404


async def test_online_fields_follow_connectivity(make_api: SimulatorFactory) -> None:
    vacuum_api = await make_api(
        {
            "devices": [
                {
                    "deviceId": "AABBCCDDEEFF",
                    "deviceName": "床掃除ロボ",
                    "deviceType": "Robot Vacuum Cleaner S1",
                    "online": False,
                }
            ]
        }
    )
    assert (await vacuum_api.status("AABBCCDDEEFF"))["onlineStatus"] == "offline"
    await vacuum_api.admin_ok("POST", "/devices/AABBCCDDEEFF/online", {"online": True})
    assert (await vacuum_api.status("AABBCCDDEEFF"))["onlineStatus"] == "online"


@pytest.mark.parametrize(
    ("device_id", "body", "http_status"),
    [
        (METER, {"status": {"temprature": 20}}, 400),  # not a field of a Meter
        (METER, {"status": "warm"}, 400),
        (METER, {}, 400),
        (METER, {"status": {}, "extra": 1}, 400),
        (AIR_CONDITIONER, {"status": {"power": "on"}}, 400),
        ("FFFFFFFFFFFF", {"status": {"temperature": 20}}, 404),
    ],
)
async def test_bad_events_are_refused(
    api: Api, device_id: str, body: dict[str, Any], http_status: int
) -> None:
    assert (await api.admin("POST", f"/devices/{device_id}/event", body))[0] == http_status


async def test_event_body_must_be_json(api: Api) -> None:
    async with api.session.post(
        f"{api.simulator.base_url}/_sim/devices/{METER}/event", data="nope"
    ) as response:
        assert response.status == 400


async def test_event_changes_status(api: Api) -> None:
    answer = await api.admin_ok(
        "POST", f"/devices/{CONTACT_SENSOR}/event", {"status": {"openState": "timeOutNotClose"}}
    )
    assert answer["status"]["openState"] == "timeOutNotClose"
    assert (await api.status(CONTACT_SENSOR))["openState"] == "timeOutNotClose"


async def test_reset_restores_the_initial_home(
    api: Api, sim: Simulator, receiver: WebhookReceiver
) -> None:
    await setup_webhook(api, receiver.url)
    await api.ok_command(COLOR_BULB, "turnOn")
    await api.admin_ok("POST", f"/devices/{BOT}/online", {"online": False})
    await api.admin_ok("POST", "/faults", {"latency_ms": 1})
    await sim.flush_webhooks()
    assert await api.admin_ok("POST", "/reset") == {"reset": True}
    assert sim.calls == []
    assert (await api.admin_ok("GET", "/quota"))["used"] == 0
    assert await api.admin_ok("GET", "/webhooks") == {
        "config": None,
        "dropping": False,
        "deliveries": [],
    }
    assert await api.admin_ok("GET", "/faults") == {"fault": None}
    assert (await api.status(COLOR_BULB))["power"] == "off"
    assert (await api.admin_ok("GET", f"/devices/{BOT}"))["online"] is True


async def test_clock_endpoint(api: Api, sim: Simulator) -> None:
    before = await api.admin_ok("GET", "/clock")
    after = await api.admin_ok("POST", "/clock", {"advance_seconds": 86_400})
    assert after["offset_seconds"] == 86_400
    assert after["day"] != before["day"]
    assert sim.clock.offset_seconds == 86_400
    assert (await api.admin("POST", "/clock", {"advance_seconds": "soon"}))[0] == 400
    await api.admin_ok("POST", "/clock", {"offset_seconds": 0})
    assert (await api.call("GET", "/devices"))["statusCode"] == 100


async def test_state_is_reachable_from_python(api: Api, sim: Simulator) -> None:
    await api.ok_command(COLOR_BULB, "turnOn")
    assert sim.state.devices[COLOR_BULB].status["power"] == "on"
    sim.state.devices[COLOR_BULB].status["brightness"] = 7
    assert (await api.status(COLOR_BULB))["brightness"] == 7
