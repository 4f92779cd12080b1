"""The edge device API: every view's success and failure paths, on Home Assistant's HTTP app."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.roomsense.edge import EdgeManager
from custom_components.roomsense.edge.store import ACTIVE_STORAGE_KEY, STORAGE_KEY

from ..conftest import listen_into
from .edge_helpers import BASE, EdgeDeviceClient, register, submit


@pytest.fixture
async def jetson(admin: TestClient, device_http: TestClient) -> EdgeDeviceClient:
    return await register(admin, device_http)


async def message(response: Any) -> str:
    body = await response.json()
    assert set(body) == {"success", "message"}
    assert body["success"] is False
    return str(body["message"])


# --- registration and the admin views -------------------------------------------------


async def test_ping_needs_no_auth(device_http: TestClient) -> None:
    response = await device_http.get(f"{BASE}/ping")
    assert response.status == 200
    assert await response.json() == {"ok": True}


async def test_register_shows_the_token_once_and_stores_only_its_hash(
    hass: HomeAssistant,
    edge: EdgeManager,
    admin: TestClient,
    device_http: TestClient,
    hass_storage: dict[str, Any],
) -> None:
    device = await register(admin, device_http, capabilities=["gpio", "agent", "gpio"])
    listing = await (await admin.get(f"{BASE}/devices")).json()
    assert listing == {
        "devices": [
            {
                "device_id": device.device_id,
                "name": "Garage Jetson",
                "device_type": "jetson",
                "capabilities": ["agent", "gpio"],
                "metadata": {"version": "1.2.0"},
                "registered_at": listing["devices"][0]["registered_at"],
                "last_seen": None,
                "poll_window": None,
                "connected": False,
                "queue_length": 0,
            }
        ]
    }
    await edge.async_flush()
    stored = json.dumps(hass_storage[STORAGE_KEY])
    assert device.token not in stored
    assert hass_storage[STORAGE_KEY]["data"]["devices"][0]["token_hash"]
    # The token works; it is not a Home Assistant credential.
    assert (await device.next())[0] == 204
    response = await device_http.get(f"{BASE}/devices", headers=device.headers)
    assert response.status == 401


async def test_admin_views_need_an_administrator(
    hass: HomeAssistant,
    edge: EdgeManager,
    device_http: TestClient,
    hass_client: ClientSessionGenerator,
    hass_read_only_access_token: str,
) -> None:
    body = {"name": "Pi", "device_type": "raspberrypi4"}
    response = await device_http.post(f"{BASE}/devices/register", json=body)
    assert response.status == 401
    read_only = await hass_client(hass_read_only_access_token)
    for method, path in (
        ("POST", "devices/register"),
        ("GET", "devices"),
        ("PATCH", "devices/x/name"),
        ("DELETE", "devices/x"),
        ("GET", "devices/x/jobs"),
        ("POST", "devices/x/jobs"),
        ("GET", "jobs/x"),
        ("DELETE", "jobs/x"),
    ):
        response = await read_only.request(method, f"{BASE}/{path}", json=body)
        assert response.status == 401, (method, path)
    assert edge.devices == {}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("not json", "not valid JSON"),
        ([], "JSON object"),
        ({"device_type": "jetson"}, "name"),
        ({"name": "  ", "device_type": "jetson"}, "name"),
        ({"name": "X", "device_type": "toaster"}, "device_type"),
        ({"name": "X", "device_type": "jetson", "capabilities": "gpio"}, "capabilities"),
        ({"name": "X", "device_type": "jetson", "capabilities": ["rm -rf"]}, "capabilities"),
        ({"name": "X", "device_type": "jetson", "metadata": []}, "metadata"),
        ({"name": "X", "device_type": "jetson", "surprise": 1}, "surprise"),
    ],
)
async def test_register_rejects_bad_bodies(
    edge: EdgeManager, admin: TestClient, body: Any, expected: str
) -> None:
    data = body if isinstance(body, str) else json.dumps(body)
    response = await admin.post(f"{BASE}/devices/register", data=data)
    assert response.status == 400
    assert expected in await message(response)
    assert edge.devices == {}


async def test_rename(edge: EdgeManager, admin: TestClient, jetson: EdgeDeviceClient) -> None:
    response = await admin.patch(
        f"{BASE}/devices/{jetson.device_id}/name", json={"name": "Porch Jetson"}
    )
    assert response.status == 200
    assert (await response.json())["name"] == "Porch Jetson"
    assert edge.devices[jetson.device_id].name == "Porch Jetson"
    response = await admin.patch(f"{BASE}/devices/nope/name", json={"name": "X"})
    assert response.status == 404
    response = await admin.patch(f"{BASE}/devices/{jetson.device_id}/name", json={"name": ""})
    assert response.status == 400
    assert edge.devices[jetson.device_id].name == "Porch Jetson"


# --- jobs: the device's side ------------------------------------------------------------


async def test_jobs_run_in_order_and_keep_their_results(
    admin: TestClient, jetson: EdgeDeviceClient
) -> None:
    first = await submit(admin, jetson.device_id, command="gpio", payload={"pin": 17, "value": 1})
    second = await submit(admin, jetson.device_id, instruction="Is the garage door open?")
    assert first["status"] == "queued"
    assert (first["command"], first["payload"]) == ("gpio", {"pin": 17, "value": 1})

    status, job = await jetson.next()
    assert status == 200
    assert job is not None
    assert (job["job_id"], job["status"]) == (first["job_id"], "dispatched")
    response = await jetson.report(job["job_id"], result={"pin": 17, "set": 1})
    assert response.status == 200
    assert await response.json() == {"job_id": first["job_id"], "status": "succeeded"}

    status, job = await jetson.next()
    assert job is not None
    assert (job["job_id"], job["instruction"]) == (second["job_id"], "Is the garage door open?")
    response = await jetson.report(job["job_id"], "failed", error="camera unplugged")
    assert response.status == 200
    assert (await jetson.next())[0] == 204

    history = await (await admin.get(f"{BASE}/devices/{jetson.device_id}/jobs")).json()
    assert [(job["job_id"], job["status"]) for job in history["jobs"]] == [
        (second["job_id"], "failed"),
        (first["job_id"], "succeeded"),
    ]
    assert history["jobs"][0]["error"] == "camera unplugged"
    assert history["jobs"][1]["result"] == {"pin": 17, "set": 1}
    one = await (await admin.get(f"{BASE}/jobs/{first['job_id']}")).json()
    assert one["result"] == {"pin": 17, "set": 1}
    assert one["dispatched_at"] is not None
    assert one["finished_at"] is not None


async def test_a_long_poll_answers_as_soon_as_a_job_arrives(
    hass: HomeAssistant, admin: TestClient, jetson: EdgeDeviceClient
) -> None:
    poll = asyncio.create_task(jetson.next(wait=30))
    await asyncio.sleep(0.05)
    assert not poll.done()
    queued = await submit(admin, jetson.device_id, command="sensor_read")
    status, job = await asyncio.wait_for(poll, 5)
    assert status == 200
    assert job is not None
    assert job["job_id"] == queued["job_id"]


async def test_a_long_poll_without_jobs_answers_204_after_its_wait(
    jetson: EdgeDeviceClient,
) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    status, body = await jetson.next(wait=0.2)
    assert (status, body) == (204, None)
    assert loop.time() - started >= 0.19


@pytest.mark.parametrize("wait", ["61", "-1", "soon"])
async def test_a_bad_wait_is_400(jetson: EdgeDeviceClient, wait: str) -> None:
    response = await jetson.http.get(
        f"{BASE}/devices/{jetson.device_id}/jobs/next",
        params={"wait": wait},
        headers=jetson.headers,
    )
    assert response.status == 400
    assert "wait" in await message(response)


async def test_device_auth(
    admin: TestClient, device_http: TestClient, jetson: EdgeDeviceClient
) -> None:
    pico = await register(admin, device_http, "Pico", "pico_w")
    job = await submit(admin, jetson.device_id, command="gpio")
    url = f"{BASE}/devices/{jetson.device_id}/jobs/next?wait=0"
    for headers in (
        {},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer wrong"},
        {"Authorization": jetson.token},
        pico.headers,  # a device reaches only its own jobs
    ):
        response = await device_http.get(url, headers=headers)
        assert response.status == 401, headers
        assert await message(response) == "wrong device token"
    response = await device_http.get(
        f"{BASE}/devices/unknown/jobs/next?wait=0", headers=jetson.headers
    )
    assert response.status == 404
    response = await device_http.post(
        f"{BASE}/devices/{jetson.device_id}/jobs/result",
        json={"job_id": job["job_id"], "status": "succeeded"},
        headers=pico.headers,
    )
    assert response.status == 401
    # Nothing was dispatched by any of that.
    assert (await (await admin.get(f"{BASE}/jobs/{job['job_id']}")).json())["status"] == "queued"


async def test_results_for_jobs_not_dispatched_to_the_device_are_409(
    admin: TestClient, device_http: TestClient, jetson: EdgeDeviceClient
) -> None:
    pico = await register(admin, device_http, "Pico", "pico_w")
    queued = await submit(admin, jetson.device_id, command="gpio")
    response = await jetson.report(queued["job_id"])
    assert response.status == 409
    response = await jetson.report("no-such-job")
    assert response.status == 409
    _status, job = await jetson.next()
    assert job is not None
    response = await pico.report(job["job_id"])
    assert response.status == 409

    assert (await jetson.report(job["job_id"], result={"v": 1})).status == 200
    # The device retries an upload whose answer it lost: the same report is fine.
    repeated = await jetson.report(job["job_id"], result={"v": 1})
    assert repeated.status == 200
    assert await repeated.json() == {"job_id": job["job_id"], "status": "succeeded"}
    # A different outcome for a finished job is not.
    assert (await jetson.report(job["job_id"], "failed", error="late")).status == 409
    stored = await (await admin.get(f"{BASE}/jobs/{job['job_id']}")).json()
    assert (stored["status"], stored["result"], stored["error"]) == ("succeeded", {"v": 1}, None)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"status": "succeeded"}, "job_id"),
        ({"job_id": "x", "status": "done"}, "status"),
        ({"job_id": "x", "status": "failed"}, "error"),
        ({"job_id": "x", "status": "failed", "error": 5}, "error"),
    ],
)
async def test_malformed_results_are_400(
    admin: TestClient, jetson: EdgeDeviceClient, body: dict[str, Any], expected: str
) -> None:
    await submit(admin, jetson.device_id, command="gpio")
    _status, job = await jetson.next()
    assert job is not None
    response = await jetson.http.post(
        f"{BASE}/devices/{jetson.device_id}/jobs/result", json=body, headers=jetson.headers
    )
    assert response.status == 400
    assert expected in await message(response)
    response = await jetson.http.post(
        f"{BASE}/devices/{jetson.device_id}/jobs/result", data=b"{", headers=jetson.headers
    )
    assert response.status == 400
    # The job waits for a proper result.
    stored = await (await admin.get(f"{BASE}/jobs/{job['job_id']}")).json()
    assert stored["status"] == "dispatched"


async def test_a_result_over_one_mebibyte_is_413(
    admin: TestClient, jetson: EdgeDeviceClient
) -> None:
    await submit(admin, jetson.device_id, command="camera")
    _status, job = await jetson.next()
    assert job is not None
    just_over = "x" * (1024 * 1024)  # with its quotes, two bytes over
    response = await jetson.report(job["job_id"], result=just_over)
    assert response.status == 413
    huge = "x" * (2 * 1024 * 1024)
    response = await jetson.report(job["job_id"], result=huge)
    assert response.status == 413
    # Still dispatched; a result that fits is taken.
    response = await jetson.report(job["job_id"], result="x" * (1024 * 1024 - 2))
    assert response.status == 200


# --- jobs: the administrator's side -----------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, "instruction or a command"),
        ({"instruction": "x", "command": "gpio"}, "instruction or a command"),
        ({"instruction": ""}, "instruction"),
        ({"command": "rm -rf /"}, "command"),
        ({"instruction": "x", "payload": {}}, "payload"),
        ({"command": "gpio", "wait_for_result": "maybe"}, "wait_for_result"),
        ({"command": "gpio", "timeout": 601}, "timeout"),
        ({"command": "gpio", "timeout": "soon"}, "timeout"),
    ],
)
async def test_submit_rejects_bad_bodies(
    admin: TestClient, jetson: EdgeDeviceClient, body: dict[str, Any], expected: str
) -> None:
    response = await admin.post(f"{BASE}/devices/{jetson.device_id}/jobs", json=body)
    assert response.status == 400
    assert expected in await message(response)
    assert (await jetson.next())[0] == 204


async def test_unknown_devices_and_jobs_are_404(admin: TestClient) -> None:
    for method, path in (
        ("POST", "devices/nope/jobs"),
        ("GET", "devices/nope/jobs"),
        ("DELETE", "devices/nope"),
        ("GET", "jobs/nope"),
        ("DELETE", "jobs/nope"),
    ):
        response = await admin.request(method, f"{BASE}/{path}", json={"command": "gpio"})
        assert response.status == 404, (method, path)
        assert "nope" in await message(response)


async def test_waiting_for_a_result(
    hass: HomeAssistant, admin: TestClient, jetson: EdgeDeviceClient
) -> None:
    async def device_does_the_job() -> None:
        _status, job = await jetson.next(wait=10)
        assert job is not None
        await jetson.report(job["job_id"], result={"temperature": 21.5})

    worker = asyncio.create_task(device_does_the_job())
    response = await admin.post(
        f"{BASE}/devices/{jetson.device_id}/jobs",
        json={"command": "sensor_read", "wait_for_result": True, "timeout": 10},
    )
    await worker
    assert response.status == 200
    body = await response.json()
    assert (body["status"], body["result"], body["wait"]) == (
        "succeeded",
        {"temperature": 21.5},
        "completed",
    )


async def test_waiting_for_a_result_that_does_not_come(
    admin: TestClient, jetson: EdgeDeviceClient
) -> None:
    response = await admin.post(
        f"{BASE}/devices/{jetson.device_id}/jobs",
        json={"command": "sensor_read", "wait_for_result": True, "timeout": 0.1},
    )
    assert response.status == 202
    body = await response.json()
    assert (body["status"], body["wait"]) == ("queued", "timeout")
    # The job goes on: the device still gets it.
    _status, job = await jetson.next()
    assert job is not None
    assert job["job_id"] == body["job_id"]


async def test_cancelling(admin: TestClient, jetson: EdgeDeviceClient) -> None:
    first = await submit(admin, jetson.device_id, command="gpio")
    second = await submit(admin, jetson.device_id, command="camera")
    _status, job = await jetson.next()
    assert job is not None
    assert job["job_id"] == first["job_id"]
    response = await admin.delete(f"{BASE}/jobs/{first['job_id']}")
    assert response.status == 409
    response = await admin.delete(f"{BASE}/jobs/{second['job_id']}")
    assert response.status == 200
    assert (await response.json())["status"] == "cancelled"
    assert (await admin.delete(f"{BASE}/jobs/{second['job_id']}")).status == 409
    assert (await jetson.next())[0] == 204
    # The dispatched one can still finish.
    assert (await jetson.report(first["job_id"])).status == 200


async def test_deleting_a_device_cleans_up_its_queue(
    hass: HomeAssistant,
    edge: EdgeManager,
    admin: TestClient,
    device_http: TestClient,
    jetson: EdgeDeviceClient,
    hass_storage: dict[str, Any],
) -> None:
    pico = await register(admin, device_http, "Pico", "pico_w")
    mine = await submit(admin, jetson.device_id, command="gpio")
    theirs = await submit(admin, pico.device_id, command="gpio")
    waiting = asyncio.create_task(
        admin.post(
            f"{BASE}/devices/{jetson.device_id}/jobs",
            json={"command": "camera", "wait_for_result": True, "timeout": 30},
        )
    )
    await asyncio.sleep(0.05)
    response = await admin.delete(f"{BASE}/devices/{jetson.device_id}")
    assert response.status == 200
    answer = await asyncio.wait_for(waiting, 5)
    assert (await answer.json())["status"] == "cancelled"
    assert (await admin.get(f"{BASE}/jobs/{mine['job_id']}")).status == 404
    assert (await admin.get(f"{BASE}/devices/{jetson.device_id}/jobs")).status == 404
    assert (await jetson.next())[0] == 404
    # The other device keeps its job.
    assert (await admin.get(f"{BASE}/jobs/{theirs['job_id']}")).status == 200
    await edge.async_flush()
    stored = hass_storage[STORAGE_KEY]["data"]
    assert [device["device_id"] for device in stored["devices"]] == [pico.device_id]
    assert stored["jobs"] == []  # nothing of the deleted device's history is kept
    active = hass_storage[ACTIVE_STORAGE_KEY]["data"]["jobs"]
    assert [job["job_id"] for job in active] == [theirs["job_id"]]


async def test_deleting_a_device_ends_its_open_poll(
    admin: TestClient, jetson: EdgeDeviceClient
) -> None:
    poll = asyncio.create_task(jetson.next(wait=30))
    await asyncio.sleep(0.05)
    await admin.delete(f"{BASE}/devices/{jetson.device_id}")
    status, _body = await asyncio.wait_for(poll, 5)
    assert status == 404


# --- time: result timeout, expiry, rotation ----------------------------------------------


async def test_a_dispatched_job_without_a_result_times_out(
    hass: HomeAssistant, edge: EdgeManager, admin: TestClient, jetson: EdgeDeviceClient
) -> None:
    queued = await submit(admin, jetson.device_id, command="gpio")
    await jetson.next()
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=119))
    await hass.async_block_till_done()
    assert edge.jobs[queued["job_id"]].status == "dispatched"
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=121))
    await hass.async_block_till_done()
    job = await (await admin.get(f"{BASE}/jobs/{queued['job_id']}")).json()
    assert (job["status"], job["reason"]) == ("failed", "timeout")
    # A result that comes too late is refused; the device learns its job is gone.
    assert (await jetson.report(queued["job_id"])).status == 409


async def test_a_queued_job_nobody_fetches_expires(
    hass: HomeAssistant, admin: TestClient, jetson: EdgeDeviceClient
) -> None:
    queued = await submit(admin, jetson.device_id, command="gpio", ttl=60)
    kept = await submit(admin, jetson.device_id, command="camera")
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=61))
    await hass.async_block_till_done()
    job = await (await admin.get(f"{BASE}/jobs/{queued['job_id']}")).json()
    assert job["status"] == "expired"
    _status, dispatched = await jetson.next()
    assert dispatched is not None
    assert dispatched["job_id"] == kept["job_id"]


async def test_finished_jobs_rotate(
    hass: HomeAssistant, edge: EdgeManager, admin: TestClient, jetson: EdgeDeviceClient
) -> None:
    edge.configure(result_timeout=120, max_completed_jobs=3)
    ids = []
    for number in range(5):
        ids.append((await submit(admin, jetson.device_id, command="gpio"))["job_id"])
        _status, job = await jetson.next()
        assert job is not None
        await jetson.report(job["job_id"], result=number)
    queued = await submit(admin, jetson.device_id, command="camera")
    history = await (await admin.get(f"{BASE}/devices/{jetson.device_id}/jobs")).json()
    # The queued job is never rotated away; the two oldest finished ones are.
    assert [job["job_id"] for job in history["jobs"]] == [queued["job_id"], *ids[:1:-1]]
    assert (await admin.get(f"{BASE}/jobs/{ids[0]}")).status == 404


async def test_finished_jobs_fire_an_event(
    hass: HomeAssistant, admin: TestClient, jetson: EdgeDeviceClient
) -> None:
    events: list[Any] = []
    listen_into(hass, "roomsense_edge_job_finished", events)
    small = await submit(admin, jetson.device_id, command="sensor_read")
    big = await submit(admin, jetson.device_id, command="camera")
    cancelled = await submit(admin, jetson.device_id, command="gpio")
    await admin.delete(f"{BASE}/jobs/{cancelled['job_id']}")
    for result in ({"temperature_c": 21.5}, "x" * 20_000):
        _status, job = await jetson.next()
        assert job is not None
        await jetson.report(job["job_id"], result=result)
    await hass.async_block_till_done()
    by_job = {event.data["job_id"]: event.data for event in events}
    assert by_job[cancelled["job_id"]]["status"] == "cancelled"
    assert by_job[small["job_id"]]["result"] == {"temperature_c": 21.5}
    assert by_job[small["job_id"]]["device_name"] == "Garage Jetson"
    assert by_job[big["job_id"]]["result_truncated"] is True
    assert "result" not in by_job[big["job_id"]]


async def test_deleting_a_device_keeps_the_history_of_others(
    edge: EdgeManager, admin: TestClient, device_http: TestClient, jetson: EdgeDeviceClient
) -> None:
    edge.configure(result_timeout=120, max_completed_jobs=2)
    pico = await register(admin, device_http, "Pico", "pico_w")
    done = []
    for _ in range(2):
        done.append((await submit(admin, pico.device_id, command="gpio"))["job_id"])
        _status, job = await pico.next()
        assert job is not None
        await pico.report(job["job_id"])
    for _ in range(3):
        await submit(admin, jetson.device_id, command="camera")
    await admin.delete(f"{BASE}/devices/{jetson.device_id}")
    history = await (await admin.get(f"{BASE}/devices/{pico.device_id}/jobs")).json()
    assert sorted(job["job_id"] for job in history["jobs"]) == sorted(done)


async def test_json_nested_too_deep_is_400(admin: TestClient, jetson: EdgeDeviceClient) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    response = await admin.post(f"{BASE}/devices/register", data=deep)
    assert response.status == 400
    response = await jetson.http.post(
        f"{BASE}/devices/{jetson.device_id}/jobs/result", data=deep, headers=jetson.headers
    )
    assert response.status == 400


async def test_a_new_result_timeout_reaches_dispatched_jobs(
    hass: HomeAssistant, edge: EdgeManager, admin: TestClient, jetson: EdgeDeviceClient
) -> None:
    queued = await submit(admin, jetson.device_id, command="gpio")
    await jetson.next()
    edge.configure(result_timeout=600, max_completed_jobs=200)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=300))
    await hass.async_block_till_done()
    assert edge.jobs[queued["job_id"]].status == "dispatched"
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=601))
    await hass.async_block_till_done()
    assert edge.jobs[queued["job_id"]].reason == "timeout"


async def test_stopping_releases_those_waiting_for_a_result(
    edge: EdgeManager, admin: TestClient, jetson: EdgeDeviceClient
) -> None:
    waiting = asyncio.create_task(
        admin.post(
            f"{BASE}/devices/{jetson.device_id}/jobs",
            json={"command": "camera", "wait_for_result": True, "timeout": 300},
        )
    )
    await asyncio.sleep(0.05)
    edge.async_stop()
    response = await asyncio.wait_for(waiting, 5)
    assert response.status == 202
    assert (await response.json())["wait"] == "timeout"
