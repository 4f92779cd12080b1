"""Injected faults: server errors, latency and dropped connections on `/v1.1` only."""

from __future__ import annotations

import time

import aiohttp
import pytest

from .conftest import COLOR_BULB, Api


async def test_server_errors_for_the_next_requests(api: Api) -> None:
    fault = await api.admin_ok("POST", "/faults", {"http_status": 500, "count": 2})
    assert fault["fault"]["count"] == 2
    for _ in range(2):
        assert await api.raw("GET", "/v1.1/scenes") == (500, {"message": "Internal server error"})
    assert (await api.raw("GET", "/v1.1/scenes"))[0] == 200
    assert await api.admin_ok("GET", "/faults") == {"fault": None}
    calls = (await api.admin_ok("GET", "/calls"))["calls"]
    assert [call["http_status"] for call in calls] == [500, 500, 200]
    assert (await api.admin_ok("GET", "/quota"))["used"] == 1  # only the call that ran


async def test_a_faulted_command_does_not_run(api: Api) -> None:
    await api.admin_ok("POST", "/faults", {"http_status": 503})
    status, _ = await api.raw(
        "POST", f"/v1.1/devices/{COLOR_BULB}/commands", json={"command": "turnOn"}
    )
    assert status == 503
    await api.admin_ok("DELETE", "/faults")
    assert (await api.status(COLOR_BULB))["power"] == "off"
    (faulted, _) = (await api.admin_ok("GET", "/calls"))["calls"]
    assert faulted["body"] == {"command": "turnOn"}
    assert (faulted["http_status"], faulted["status_code"]) == (503, None)


async def test_outage_drops_the_connection(api: Api) -> None:
    await api.admin_ok("POST", "/faults", {"outage": True, "count": 1})
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await api.raw("POST", f"/v1.1/devices/{COLOR_BULB}/commands", json={"command": "turnOn"})
    assert (await api.status(COLOR_BULB))["power"] == "off"
    dropped = (await api.admin_ok("GET", "/calls"))["calls"][0]
    assert (dropped["path"], dropped["http_status"]) == (
        f"/v1.1/devices/{COLOR_BULB}/commands",
        None,
    )


async def test_latency(api: Api) -> None:
    await api.admin_ok("POST", "/faults", {"latency_ms": 250, "count": 1})
    started = time.monotonic()
    assert (await api.raw("GET", "/v1.1/scenes"))[0] == 200
    assert time.monotonic() - started >= 0.25
    # A lower bound only: an upper one would flake on a busy machine. The fault is used up.
    assert await api.admin_ok("GET", "/faults") == {"fault": None}


async def test_path_filter_and_admin_immunity(api: Api) -> None:
    await api.admin_ok("POST", "/faults", {"http_status": 502, "paths": "/v1.1/scenes"})
    assert (await api.raw("GET", "/v1.1/scenes"))[0] == 502
    assert (await api.raw("GET", "/v1.1/devices"))[0] == 200
    assert (await api.admin("GET", "/quota"))[0] == 200  # the admin API is never faulted


@pytest.mark.parametrize(
    "body",
    [{}, {"http_status": 200}, {"http_status": 500, "count": 0}, {"latency_ms": -1}, {"slow": 1}],
)
async def test_invalid_fault_bodies_are_400(api: Api, body: dict[str, object]) -> None:
    assert (await api.admin("POST", "/faults", body))[0] == 400
