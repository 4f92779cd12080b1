"""Rotating an edge device's token: `POST /api/roomsense/edge/devices/{id}/token`."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.roomsense.edge import EdgeManager
from custom_components.roomsense.edge.store import STORAGE_KEY

from .edge_helpers import BASE, EdgeDeviceClient, register, submit


@pytest.fixture
async def jetson(admin: TestClient, device_http: TestClient) -> EdgeDeviceClient:
    return await register(admin, device_http)


async def rotate(admin: TestClient, device: EdgeDeviceClient) -> EdgeDeviceClient:
    """Rotate the device's token; a client holding the new one."""
    response = await admin.post(f"{BASE}/devices/{device.device_id}/token")
    assert response.status == 200, await response.text()
    body = await response.json()
    assert set(body) == {"device_id", "token"}
    assert body["device_id"] == device.device_id
    assert body["token"] != device.token
    return EdgeDeviceClient(device.http, device.device_id, body["token"])


async def refused(response: Any) -> None:
    assert response.status == 401
    body = await response.json()
    assert body == {"success": False, "message": "wrong device token"}


async def test_the_new_token_works_and_the_old_one_stops_at_once(
    edge: EdgeManager,
    admin: TestClient,
    jetson: EdgeDeviceClient,
    hass_storage: dict[str, Any],
) -> None:
    out = await submit(admin, jetson.device_id, command="gpio", payload={"pin": 1})
    waiting = await submit(admin, jetson.device_id, command="gpio", payload={"pin": 2})
    # One job is out with the device when its token changes; the other still waits.
    assert (await jetson.next())[1]["job_id"] == out["job_id"]  # type: ignore[index]
    old_hash = edge.devices[jetson.device_id].token_hash
    renewed = await rotate(admin, jetson)
    # Written before the answer: a crash now cannot bring the old token back.
    written = json.dumps(hass_storage[STORAGE_KEY])
    assert edge.devices[jetson.device_id].token_hash in written
    assert old_hash not in written

    # The old token: 401 on the long poll and on the result endpoint, nothing recorded.
    response = await jetson.http.get(
        f"{BASE}/devices/{jetson.device_id}/jobs/next",
        params={"wait": "0"},
        headers=jetson.headers,
    )
    await refused(response)
    await refused(await jetson.report(out["job_id"], result={"ok": True}))
    assert edge.job(out["job_id"]).status.value == "dispatched"
    assert edge.queue_length(jetson.device_id) == 1

    # The new token: the waiting job is still queued, the one out takes its result.
    status, job = await renewed.next()
    assert status == 200
    assert job is not None
    assert job["job_id"] == waiting["job_id"]
    for job_id in (out["job_id"], waiting["job_id"]):
        response = await renewed.report(job_id, result={"ok": True})
        assert response.status == 200, await response.text()
        assert edge.job(job_id).status.value == "succeeded"
    assert (await renewed.next())[0] == 204

    # Only the new token's hash is stored.
    await edge.async_flush()
    stored = json.dumps(hass_storage[STORAGE_KEY])
    assert renewed.token not in stored
    assert edge.devices[jetson.device_id].token_hash in stored


async def test_a_long_poll_open_with_the_old_token_ends_with_401(
    edge: EdgeManager, admin: TestClient, jetson: EdgeDeviceClient
) -> None:
    poll = asyncio.create_task(jetson.next(wait=30))
    await asyncio.sleep(0.05)
    assert edge.is_polling(jetson.device_id)
    renewed = await rotate(admin, jetson)
    status, body = await asyncio.wait_for(poll, 5)
    assert status == 401
    assert body == {"success": False, "message": "wrong device token"}
    # A job queued now goes to the device holding the new token, never to the old poll.
    job = await submit(admin, jetson.device_id, command="gpio")
    status, delivered = await renewed.next()
    assert status == 200
    assert delivered is not None
    assert delivered["job_id"] == job["job_id"]


async def test_rotating_twice_leaves_only_the_last_token(
    admin: TestClient, jetson: EdgeDeviceClient
) -> None:
    first = await rotate(admin, jetson)
    second = await rotate(admin, first)
    assert (await jetson.next())[0] == 401
    assert (await first.next())[0] == 401
    assert (await second.next())[0] == 204


async def test_only_an_administrator_may_rotate(
    edge: EdgeManager,
    jetson: EdgeDeviceClient,
    hass_client: ClientSessionGenerator,
    hass_read_only_access_token: str,
) -> None:
    token_hash = edge.devices[jetson.device_id].token_hash
    path = f"{BASE}/devices/{jetson.device_id}/token"
    read_only = await hass_client(hass_read_only_access_token)
    # Neither a person who is not an administrator, nor the device with its own token.
    for response in (
        await read_only.post(path),
        await jetson.http.post(path),
        await jetson.http.post(path, headers=jetson.headers),
    ):
        assert response.status == 401
    assert edge.devices[jetson.device_id].token_hash == token_hash
    assert (await jetson.next())[0] == 204


async def test_an_unknown_device_is_404(edge: EdgeManager, admin: TestClient) -> None:
    response = await admin.post(f"{BASE}/devices/nope/token")
    assert response.status == 404
    body = await response.json()
    assert set(body) == {"success", "message"}
    assert body["success"] is False
    assert "nope" in body["message"]


async def test_a_body_with_unknown_keys_is_400(
    edge: EdgeManager, admin: TestClient, jetson: EdgeDeviceClient
) -> None:
    token_hash = edge.devices[jetson.device_id].token_hash
    response = await admin.post(f"{BASE}/devices/{jetson.device_id}/token", json={"token": "mine"})
    assert response.status == 400
    assert edge.devices[jetson.device_id].token_hash == token_hash
