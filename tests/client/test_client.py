"""The SwitchBot Cloud client against the simulated cloud: endpoints, errors, retries."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from custom_components.roomsense.switchbot_cloud import (
    CallCounter,
    DeviceList,
    LockState,
    SwitchBotApiError,
    SwitchBotAuthenticationError,
    SwitchBotCloudClient,
    SwitchBotConnectionError,
    SwitchBotDeviceError,
    SwitchBotDeviceNotFoundError,
    SwitchBotDeviceOfflineError,
    SwitchBotDeviceTypeError,
    SwitchBotHubOfflineError,
    SwitchBotQuotaExceededError,
    SwitchBotUnsupportedCommandError,
    SwitchBotWebhookExistsError,
)
from roomsense_simulator import Simulator

from ..conftest import SECRET, TOKEN, SimulatorAdmin, free_port
from .conftest import _no_sleep, device_id_of_type, remote_id_of_type


async def test_device_list_is_typed(devices: DeviceList) -> None:
    assert len(devices.devices) >= 14
    types = {device.device_type for device in devices.devices}
    assert {"Color Bulb", "Bot", "Curtain", "Blind Tilt", "Smart Lock Pro"} <= types
    bulb = next(device for device in devices.devices if device.device_type == "Color Bulb")
    assert bulb.name
    assert bulb.device_id
    remote_types = {remote.base_remote_type for remote in devices.infrared_remotes}
    assert {"Air Conditioner", "TV"} <= remote_types
    # BLE devices name their hub; Wi-Fi ones (hubDeviceId "000000000000") have none.
    curtain = next(device for device in devices.devices if device.device_type == "Curtain")
    assert curtain.hub_device_id in {device.device_id for device in devices.devices}


async def test_status_bodies_are_typed(client: SwitchBotCloudClient, devices: DeviceList) -> None:
    lock = await client.get_status(device_id_of_type(devices, "Smart Lock Pro"))
    assert lock.device_type == "Smart Lock Pro"
    assert lock.lock_state in set(LockState)
    assert lock.door_state in {"open", "close", "opened", "closed"}

    meter = await client.get_status(device_id_of_type(devices, "MeterPro(CO2)", "Meter"))
    assert isinstance(meter.temperature, float)
    assert isinstance(meter.humidity, int)
    assert meter.battery is not None

    curtain = await client.get_status(device_id_of_type(devices, "Curtain"))
    assert curtain.slide_position is not None
    assert 0 <= curtain.slide_position <= 100


async def test_command_changes_device_state(
    client: SwitchBotCloudClient, devices: DeviceList, sim_admin: SimulatorAdmin
) -> None:
    bulb_id = device_id_of_type(devices, "Color Bulb")
    await client.send_command(bulb_id, "turnOn")
    await client.send_command(bulb_id, "setBrightness", 42)
    await client.send_command(bulb_id, "setColor", "255:0:10")
    status = await client.get_status(bulb_id)
    assert status.power is True
    assert status.brightness == 42
    assert status.color == (255, 0, 10)

    await client.send_command(bulb_id, "turnOff")
    assert (await client.get_status(bulb_id)).power is False

    sent = (await sim_admin.api_calls(f"/devices/{bulb_id}/commands"))[1]["body"]
    assert sent == {"command": "setBrightness", "parameter": "42", "commandType": "command"}


async def test_curtain_position_is_inverted(
    client: SwitchBotCloudClient, devices: DeviceList
) -> None:
    curtain_id = device_id_of_type(devices, "Curtain")
    await client.send_command(curtain_id, "turnOn")  # open
    assert (await client.get_status(curtain_id)).slide_position == 0
    await client.send_command(curtain_id, "setPosition", "0,ff,80")
    assert (await client.get_status(curtain_id)).slide_position == 80


async def test_lock_commands(client: SwitchBotCloudClient, devices: DeviceList) -> None:
    lock_id = device_id_of_type(devices, "Smart Lock Pro")
    await client.send_command(lock_id, "unlock")
    assert (await client.get_status(lock_id)).lock_state is LockState.UNLOCKED
    await client.send_command(lock_id, "lock")
    assert (await client.get_status(lock_id)).lock_state is LockState.LOCKED


async def test_json_object_parameter_is_sent_as_object(
    client: SwitchBotCloudClient, devices: DeviceList, sim_admin: SimulatorAdmin
) -> None:
    vacuum_id = device_id_of_type(devices, "Robot Vacuum Cleaner S10")
    parameter = {"action": "sweep", "param": {"fanLevel": 2, "waterLevel": 1, "times": 1}}
    result = await client.send_command(vacuum_id, "startClean", parameter)
    assert result.command_id is not None
    status = await client.get_status(vacuum_id)
    assert status.working_status == "Clearing"
    sent = (await sim_admin.api_calls(f"/devices/{vacuum_id}/commands"))[-1]["body"]
    assert sent["parameter"] == parameter


async def test_infrared_commands(
    client: SwitchBotCloudClient, devices: DeviceList, sim_admin: SimulatorAdmin
) -> None:
    aircon_id = remote_id_of_type(devices, "Air Conditioner")
    await client.send_command(aircon_id, "setAll", "26,2,3,on")
    tv_id = remote_id_of_type(devices, "TV")
    await client.send_command(tv_id, "Netflix", command_type="customize")
    sent = (await sim_admin.api_calls(f"/devices/{tv_id}/commands"))[-1]["body"]
    assert sent == {"command": "Netflix", "parameter": "default", "commandType": "customize"}
    with pytest.raises(SwitchBotDeviceError):
        await client.send_command(aircon_id, "setAll", "26,9,3,on")  # mode 9 does not exist


async def test_scenes(client: SwitchBotCloudClient, sim_admin: SimulatorAdmin) -> None:
    scenes = await client.get_scenes()
    assert len(scenes) >= 3
    assert all(scene.scene_id and scene.name for scene in scenes)
    await client.execute_scene(scenes[0].scene_id)
    executed = await sim_admin.api_calls(f"/scenes/{scenes[0].scene_id}/execute")
    assert [call["status_code"] for call in executed] == [100]
    with pytest.raises(SwitchBotDeviceError):
        await client.execute_scene("T00-000000000000-00000000")


async def test_webhook_management(client: SwitchBotCloudClient) -> None:
    url = "https://example.invalid/api/webhook/abc"
    assert await client.query_webhook_urls() == []
    await client.setup_webhook(url)
    assert await client.query_webhook_urls() == [url]
    with pytest.raises(SwitchBotWebhookExistsError):
        await client.setup_webhook("https://example.invalid/other")

    (details,) = await client.query_webhook_details([url])
    assert details.url == url
    assert details.enabled is True
    assert details.device_list == "ALL"

    await client.update_webhook(url, enable=False)
    (details,) = await client.query_webhook_details([url])
    assert details.enabled is False

    await client.delete_webhook(url)
    assert await client.query_webhook_urls() == []


# --- errors -------------------------------------------------------------------------------


async def test_wrong_secret_is_an_authentication_error(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    client = SwitchBotCloudClient(TOKEN, "wrong", session, base_url=simulator.base_url)
    with pytest.raises(SwitchBotAuthenticationError):
        await client.get_devices()
    assert client.counter.calls_today == 0


async def test_daily_limit_is_a_quota_error(
    client: SwitchBotCloudClient, sim_admin: SimulatorAdmin
) -> None:
    await sim_admin.set_quota(used=10_000)
    with pytest.raises(SwitchBotQuotaExceededError):
        await client.get_devices()
    assert client.counter.remaining == 0


@pytest.mark.parametrize(
    ("command", "parameter", "error"),
    [
        ("fly", "default", SwitchBotUnsupportedCommandError),  # 160
        ("setBrightness", "250", SwitchBotDeviceError),  # 190: invalid parameter
    ],
)
async def test_command_errors(
    client: SwitchBotCloudClient,
    devices: DeviceList,
    command: str,
    parameter: str,
    error: type[Exception],
) -> None:
    with pytest.raises(error):
        await client.send_command(device_id_of_type(devices, "Color Bulb"), command, parameter)


async def test_unknown_device_is_not_found(client: SwitchBotCloudClient) -> None:
    with pytest.raises(SwitchBotDeviceNotFoundError) as caught:
        await client.send_command("FFFFFFFFFFFF", "turnOn")
    assert caught.value.status_code == 152


async def test_device_without_commands_is_a_type_error(
    client: SwitchBotCloudClient, devices: DeviceList
) -> None:
    with pytest.raises(SwitchBotDeviceTypeError) as caught:
        await client.send_command(device_id_of_type(devices, "Motion Sensor"), "turnOn")
    assert caught.value.status_code == 151


async def test_offline_device_and_hub(
    client: SwitchBotCloudClient, devices: DeviceList, sim_admin: SimulatorAdmin
) -> None:
    bot = next(device for device in devices.devices if device.device_type == "Bot")
    assert bot.hub_device_id is not None
    await sim_admin.set_online(bot.device_id, False)
    with pytest.raises(SwitchBotDeviceOfflineError):
        await client.send_command(bot.device_id, "press")
    await sim_admin.set_online(bot.device_id, True)
    await sim_admin.set_online(bot.hub_device_id, False)
    with pytest.raises(SwitchBotHubOfflineError):
        await client.send_command(bot.device_id, "press")


async def test_server_error_and_timeout_are_connection_errors(
    simulator: Simulator,
    session: aiohttp.ClientSession,
    client: SwitchBotCloudClient,
    sim_admin: SimulatorAdmin,
) -> None:
    await sim_admin.fault(http_status=503)
    with pytest.raises(SwitchBotConnectionError):
        await client.get_scenes()
    await sim_admin.request("DELETE", "faults")

    impatient = SwitchBotCloudClient(
        TOKEN, SECRET, session, base_url=simulator.base_url, timeout=0.2, max_attempts=1
    )
    await sim_admin.fault(latency_ms=1_000, count=1)
    with pytest.raises(SwitchBotConnectionError):
        await impatient.get_scenes()


async def test_nothing_listening_is_a_connection_error(
    session: aiohttp.ClientSession, socket_enabled: None
) -> None:
    client = SwitchBotCloudClient(
        TOKEN, SECRET, session, base_url=f"http://127.0.0.1:{free_port()}", sleep=_no_sleep
    )
    with pytest.raises(SwitchBotConnectionError) as caught:
        await client.get_devices()
    assert caught.value.request_sent is False


# --- retries ------------------------------------------------------------------------------


async def test_get_is_retried_after_a_server_error(
    client: SwitchBotCloudClient, sim_admin: SimulatorAdmin
) -> None:
    await sim_admin.fault(http_status=500, count=2)
    scenes = await client.get_scenes()
    assert scenes
    assert [call["http_status"] for call in await sim_admin.api_calls("/scenes")] == [
        500,
        500,
        200,
    ]


async def test_read_only_webhook_query_is_retried(
    client: SwitchBotCloudClient, sim_admin: SimulatorAdmin
) -> None:
    await sim_admin.fault(http_status=502, count=1)
    assert await client.query_webhook_urls() == []
    assert len(await sim_admin.api_calls("/webhook/queryWebhook")) == 2


@pytest.mark.parametrize("fault", [{"http_status": 500, "count": 1}, {"outage": True, "count": 1}])
async def test_command_that_reached_the_server_is_never_repeated(
    client: SwitchBotCloudClient,
    devices: DeviceList,
    sim_admin: SimulatorAdmin,
    fault: dict[str, Any],
) -> None:
    bulb_id = device_id_of_type(devices, "Color Bulb")
    await client.send_command(bulb_id, "turnOff")
    await sim_admin.fault(**fault)
    with pytest.raises(SwitchBotConnectionError) as caught:
        await client.send_command(bulb_id, "toggle")
    assert caught.value.request_sent is True
    toggles = [
        call
        for call in await sim_admin.api_calls(f"/devices/{bulb_id}/commands")
        if (call["body"] or {}).get("command") == "toggle"
    ]
    assert len(toggles) == 1


async def test_command_that_never_reached_the_server_is_retried(
    session: aiohttp.ClientSession, socket_enabled: None
) -> None:
    port = free_port()
    simulator = Simulator(token=TOKEN, secret=SECRET, home="demo")
    delays: list[float] = []

    async def start_cloud_during_backoff(delay: float) -> None:
        # The first attempt found nothing listening; the cloud comes up before the retry.
        delays.append(delay)
        if len(delays) == 1:
            await simulator.start(host="127.0.0.1", port=port)

    client = SwitchBotCloudClient(
        TOKEN,
        SECRET,
        session,
        base_url=f"http://127.0.0.1:{port}",
        sleep=start_cloud_during_backoff,
    )
    try:
        await client.send_command("FFFFFFFFFFFF", "toggle")
    except SwitchBotDeviceNotFoundError:
        pass  # it reached the cloud on the second attempt, exactly once
    finally:
        calls = list(simulator.calls)
        await simulator.stop()
    assert len(delays) == 1
    assert [call["path"] for call in calls] == ["/v1.1/devices/FFFFFFFFFFFF/commands"]


async def test_backoff_grows_exponentially_with_jitter(
    simulator: Simulator, session: aiohttp.ClientSession, sim_admin: SimulatorAdmin
) -> None:
    delays: list[float] = []

    async def record(delay: float) -> None:
        delays.append(delay)

    client = SwitchBotCloudClient(
        TOKEN,
        SECRET,
        session,
        base_url=simulator.base_url,
        max_attempts=4,
        backoff=1.0,
        sleep=record,
    )
    await sim_admin.fault(http_status=500)
    with pytest.raises(SwitchBotConnectionError):
        await client.get_devices()
    assert len(delays) == 3
    for attempt, delay in enumerate(delays):
        assert 2**attempt / 2 <= delay <= 2**attempt


# --- call counter -------------------------------------------------------------------------


async def test_counter_counts_calls_that_reached_the_cloud(
    client: SwitchBotCloudClient, sim_admin: SimulatorAdmin
) -> None:
    await client.get_devices()
    await client.get_scenes()
    await sim_admin.fault(http_status=500, count=1)
    await client.get_scenes()  # one 500, then success
    assert client.counter.calls_today == 3
    assert client.counter.remaining == 10_000 - 3
    quota = await sim_admin.request("GET", "quota")
    assert quota["used"] == 3


def test_counter_rolls_over_at_the_end_of_the_day() -> None:
    today = [date(2026, 11, 21)]
    counter = CallCounter(daily_limit=5, today=lambda: today[0])
    for _ in range(5):
        counter.record()
    assert counter.remaining == 0
    counter.mark_exhausted()
    today[0] = date(2026, 11, 22)
    assert counter.calls_today == 0
    assert counter.remaining == 5


def test_counter_restores_only_the_same_day() -> None:
    counter = CallCounter(today=lambda: date(2026, 11, 21))
    counter.restore(date(2026, 11, 20), 500)
    assert counter.calls_today == 0
    counter.restore(date(2026, 11, 21), 500)
    assert counter.remaining == 9_500
    assert counter.as_dict() == {
        "day": "2026-11-21",
        "calls_today": 500,
        "remaining": 9_500,
        "daily_limit": 10_000,
    }


async def test_concurrent_calls_use_distinct_nonces(
    client: SwitchBotCloudClient, sim_admin: SimulatorAdmin
) -> None:
    # The simulator rejects a reused (t, nonce) pair, so parallel calls must all pass.
    results = await asyncio.gather(*(client.get_scenes() for _ in range(20)))
    assert all(results)


async def test_a_status_code_that_is_no_number_is_an_api_error(
    socket_enabled: None, session: aiohttp.ClientSession
) -> None:
    """A broken proxy or an impostor answering `{"statusCode": "oops"}` is an error, not a crash."""

    async def odd(_request: web.Request) -> web.Response:
        return web.json_response({"statusCode": "oops", "message": "?", "body": {}})

    app = web.Application()
    app.router.add_get("/v1.1/devices", odd)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        client = SwitchBotCloudClient(
            TOKEN, SECRET, session, base_url=str(server.make_url("")).rstrip("/")
        )
        with pytest.raises(SwitchBotApiError, match="oops"):
            await client.get_devices()
    finally:
        await server.close()
