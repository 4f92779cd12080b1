"""Edge job queues across a restart, and under many devices at once."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from homeassistant.const import EVENT_HOMEASSISTANT_FINAL_WRITE
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.roomsense.edge import EdgeManager
from custom_components.roomsense.edge.errors import InvalidTokenError
from custom_components.roomsense.edge.manager import MAX_FINISHED_UNWRITTEN
from custom_components.roomsense.edge.models import JobStatus
from custom_components.roomsense.edge.store import ACTIVE_STORAGE_KEY, STORAGE_KEY

from .edge_helpers import EdgeDeviceClient, register, submit


async def test_every_job_survives_a_restart(
    hass: HomeAssistant,
    edge: EdgeManager,
    admin: TestClient,
    device_http: TestClient,
    hass_storage: dict[str, Any],
) -> None:
    jetson = await register(admin, device_http)
    pico = await register(admin, device_http, "Pico", "pico_w")
    done = await submit(admin, jetson.device_id, command="gpio", payload={"pin": 4})
    running = await submit(admin, jetson.device_id, command="camera")
    waiting = [await submit(admin, jetson.device_id, command=f"step{n}") for n in range(3)]
    cancelled = await submit(admin, pico.device_id, instruction="say hi")
    await jetson.next()
    await jetson.report(done["job_id"], result={"ok": True})
    await jetson.next()  # `running` is now dispatched, with no result yet
    await admin.delete(f"/api/roomsense/edge/jobs/{cancelled['job_id']}")
    before = {job_id: job.public() for job_id, job in edge.jobs.items()}

    # Home Assistant writes what is pending as it stops; nothing was flushed by hand.
    hass.bus.async_fire(EVENT_HOMEASSISTANT_FINAL_WRITE)
    await hass.async_block_till_done()
    edge.async_stop()
    # Finished jobs with the devices; the queued and dispatched ones in the active file.
    assert len(hass_storage[STORAGE_KEY]["data"]["jobs"]) == 2
    assert len(hass_storage[ACTIVE_STORAGE_KEY]["data"]["jobs"]) == 4

    restarted = EdgeManager(hass)
    await restarted.async_load()
    assert {job_id: job.public() for job_id, job in restarted.jobs.items()} == before
    assert restarted.devices.keys() == {jetson.device_id, pico.device_id}
    assert restarted.authenticate(jetson.device_id, jetson.token).name == "Garage Jetson"
    with pytest.raises(InvalidTokenError):
        restarted.authenticate(jetson.device_id, pico.token)
    # The queue resumes in order.
    for queued in waiting:
        job = await restarted.async_next_job(jetson.device_id, 0)
        assert job is not None
        assert job.job_id == queued["job_id"]
    # And the job dispatched before the restart still times out.
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=121))
    await hass.async_block_till_done()
    assert restarted.jobs[running["job_id"]].status is JobStatus.FAILED
    assert restarted.jobs[running["job_id"]].reason == "timeout"
    restarted.async_stop()


async def test_a_result_survives_a_kill_while_the_next_job_goes_out(
    hass: HomeAssistant,
    edge: EdgeManager,
    admin: TestClient,
    device_http: TestClient,
    hass_storage: dict[str, Any],
) -> None:
    """The active file is written ahead of the main one: a job finished a moment ago must
    not vanish from both when Home Assistant is killed before the main file's write."""
    jetson = await register(admin, device_http)
    done = await submit(admin, jetson.device_id, command="gpio")
    following = await submit(admin, jetson.device_id, command="camera")
    await jetson.next()
    assert (await jetson.report(done["job_id"], result={"ok": True})).status == 200
    await jetson.next()  # the next job goes out: the active file is written now
    edge.async_stop()  # killed: no final write

    restarted = EdgeManager(hass)
    await restarted.async_load()
    assert restarted.job(done["job_id"]).status is JobStatus.SUCCEEDED
    assert restarted.job(done["job_id"]).result == {"ok": True}
    assert restarted.job(following["job_id"]).status is JobStatus.DISPATCHED
    restarted.async_stop()


async def test_a_steady_stream_of_results_still_reaches_the_main_file(
    hass: HomeAssistant,
    edge: EdgeManager,
    admin: TestClient,
    device_http: TestClient,
    hass_storage: dict[str, Any],
) -> None:
    """Each change puts the main file's delayed write off; the active file carries the
    results meanwhile, but only so many before the main file is written anyway."""
    jetson = await register(admin, device_http)
    for n in range(MAX_FINISHED_UNWRITTEN):
        job = await submit(admin, jetson.device_id, command=f"step{n}")
        await jetson.next()
        await jetson.report(job["job_id"], result={"n": n})
    await hass.async_block_till_done()  # no time passes: no delayed write is due
    assert len(hass_storage[STORAGE_KEY]["data"]["jobs"]) == MAX_FINISHED_UNWRITTEN
    job = await submit(admin, jetson.device_id, command="next")
    assert len(hass_storage[ACTIVE_STORAGE_KEY]["data"]["jobs"]) == 1  # only the queued one


async def test_an_unreadable_record_costs_only_itself(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    device = {
        "device_id": "d1",
        "name": "Pi",
        "device_type": "raspberrypi4",
        "capabilities": [],
        "metadata": {},
        "token_hash": "0" * 64,
        "registered_at": "2026-11-21T00:00:00+00:00",
    }
    good = {
        "job_id": "j1",
        "device_id": "d1",
        "status": "queued",
        "created_at": "2026-11-21T00:00:00+00:00",
        "command": "gpio",
        "expires_at": "2099-01-01T00:00:00+00:00",
    }
    hass_storage[STORAGE_KEY] = {
        "version": 1,
        "key": STORAGE_KEY,
        "data": {
            "devices": [
                device,
                {"device_id": "d2"},
                {**device, "device_id": "d3", "last_seen": "?"},
            ],
            "jobs": [
                {**good, "job_id": "bad", "status": "exploded"},
                {**good, "job_id": "bad-time", "expires_at": "garbage"},
                good,
                {"job_id": "x"},
            ],
        },
    }
    manager = EdgeManager(hass)
    await manager.async_load()
    assert list(manager.devices) == ["d1"]
    assert list(manager.jobs) == ["j1"]
    assert manager.queue_length("d1") == 1
    manager.async_stop()


async def test_ten_devices_at_once(
    hass: HomeAssistant, edge: EdgeManager, admin: TestClient, device_http: TestClient
) -> None:
    devices = [await register(admin, device_http, f"Pi {n}", "raspberrypi4") for n in range(10)]
    jobs_each = 15
    done: Counter[str] = Counter()

    async def work(device: EdgeDeviceClient) -> None:
        while done[device.device_id] < jobs_each:
            status, job = await device.next(wait=5)
            if status == 204 or job is None:
                continue
            response = await device.report(job["job_id"], result={"echo": job["payload"]})
            assert response.status == 200
            done[device.device_id] += 1

    workers = [asyncio.create_task(work(device)) for device in devices]
    submitted = await asyncio.gather(
        *(
            submit(admin, device.device_id, command="sensor_read", payload=n)
            for n in range(jobs_each)
            for device in devices
        )
    )
    await asyncio.wait_for(asyncio.gather(*workers), 30)
    for queued in submitted:
        job = edge.jobs[queued["job_id"]]
        assert job.status is JobStatus.SUCCEEDED
        assert job.result == {"echo": queued["payload"]}
    assert set(done.values()) == {jobs_each}


async def test_two_pollers_of_one_device_never_get_the_same_job(
    hass: HomeAssistant, edge: EdgeManager, admin: TestClient, device_http: TestClient
) -> None:
    device = await register(admin, device_http)
    polls = [asyncio.create_task(device.next(wait=10)) for _ in range(3)]
    await asyncio.sleep(0.05)
    queued = [await submit(admin, device.device_id, command=f"c{n}") for n in range(3)]
    answers = await asyncio.wait_for(asyncio.gather(*polls), 5)
    received = sorted(job["job_id"] for status, job in answers if status == 200 and job)
    assert received == sorted(job["job_id"] for job in queued)


async def test_a_device_that_leaves_while_its_job_is_written_gets_it_next_time(
    hass: HomeAssistant, edge: EdgeManager, admin: TestClient, device_http: TestClient
) -> None:
    """The dispatch is written before the job is handed out; a device gone meanwhile
    would leave the job dispatched to nobody until its result timeout."""
    device = await register(admin, device_http)
    first = await submit(admin, device.device_id, command="first")
    second = await submit(admin, device.device_id, command="second")
    answers = iter([True, False])  # listening when the job is taken, gone after the write
    assert await edge.async_next_job(device.device_id, 0, lambda: next(answers)) is None
    assert edge.job(first["job_id"]).status is JobStatus.QUEUED
    assert edge.job(first["job_id"]).dispatched_at is None
    # Still first in line, and still expiring when it would have.
    status, job = await device.next()
    assert (status, job and job["job_id"]) == (200, first["job_id"])
    status, job = await device.next()
    assert (status, job and job["job_id"]) == (200, second["job_id"])


async def test_a_poll_cancelled_while_its_job_is_written_leaves_the_job_queued(
    hass: HomeAssistant,
    edge: EdgeManager,
    admin: TestClient,
    device_http: TestClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    device = await register(admin, device_http)
    queued = await submit(admin, device.device_id, command="first")
    writing, slow_disk = asyncio.Event(), asyncio.Event()
    write = edge._store.async_write_jobs_ahead

    async def slow_write() -> None:
        writing.set()
        await slow_disk.wait()
        await write()

    monkeypatch.setattr(edge._store, "async_write_jobs_ahead", slow_write)
    poll = asyncio.create_task(edge.async_next_job(device.device_id, 0))
    await asyncio.wait_for(writing.wait(), 5)  # dispatched; its write is under way
    assert edge.job(queued["job_id"]).status is JobStatus.DISPATCHED
    poll.cancel()
    with pytest.raises(asyncio.CancelledError):
        await poll
    assert edge.job(queued["job_id"]).status is JobStatus.QUEUED
    slow_disk.set()
    status, job = await device.next()
    assert (status, job and job["job_id"]) == (200, queued["job_id"])


async def test_stopping_home_assistant_ends_open_polls(
    hass: HomeAssistant, edge: EdgeManager, admin: TestClient, device_http: TestClient
) -> None:
    device = await register(admin, device_http)
    poll = asyncio.create_task(device.next(wait=30))
    await asyncio.sleep(0.05)
    edge.async_stop()
    status, _body = await asyncio.wait_for(poll, 5)
    assert status == 204


async def test_jobs_of_an_earlier_release_all_in_one_file_are_read(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """Before the active file, every job lived in `roomsense.edge`; the newer record wins."""
    device = {
        "device_id": "d1",
        "name": "Pi",
        "device_type": "raspberrypi4",
        "capabilities": ["gpio"],
        "metadata": {},
        "token_hash": "0" * 64,
        "registered_at": "2026-12-01T00:00:00+00:00",
    }

    def job(job_id: str, status: str, created: str) -> dict[str, Any]:
        return {
            "job_id": job_id,
            "device_id": "d1",
            "status": status,
            "created_at": f"2026-12-01T00:00:0{created}+00:00",
            "command": "blink",
            "expires_at": "2099-01-01T00:00:00+00:00",
            "dispatched_at": "2026-12-01T00:00:05+00:00" if status != "queued" else None,
        }

    hass_storage[STORAGE_KEY] = {
        "version": 1,
        "key": STORAGE_KEY,
        "data": {
            "devices": [device],
            "jobs": [job("a", "queued", "1"), job("b", "succeeded", "2")],
        },
    }
    # The active file knows `a` was dispatched since; `b` finished, whatever it says.
    hass_storage[ACTIVE_STORAGE_KEY] = {
        "version": 1,
        "key": ACTIVE_STORAGE_KEY,
        "data": {"jobs": [job("b", "dispatched", "2"), job("a", "dispatched", "1")]},
    }
    manager = EdgeManager(hass)
    await manager.async_load()
    assert [(job.job_id, job.status.value) for job in manager.jobs.values()] == [
        ("a", "dispatched"),
        ("b", "succeeded"),
    ]
    manager.async_stop()
