"""Helpers of the edge device tests: an admin and a device speaking to the real views."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp.test_utils import TestClient

BASE = "/api/roomsense/edge"


@dataclass
class EdgeDeviceClient:
    """One registered device, as its own firmware would talk to Home Assistant."""

    http: TestClient
    device_id: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def next(self, wait: float = 0) -> tuple[int, dict[str, Any] | None]:
        response = await self.http.get(
            f"{BASE}/devices/{self.device_id}/jobs/next",
            params={"wait": str(wait)},
            headers=self.headers,
        )
        body = await response.json() if response.status != 204 else None
        return response.status, body

    async def report(self, job_id: str, status: str = "succeeded", **extra: Any) -> Any:
        return await self.http.post(
            f"{BASE}/devices/{self.device_id}/jobs/result",
            json={"job_id": job_id, "status": status, **extra},
            headers=self.headers,
        )


async def register(
    admin: TestClient,
    device_http: TestClient,
    name: str = "Garage Jetson",
    device_type: str = "jetson",
    capabilities: list[str] | None = None,
) -> EdgeDeviceClient:
    """Register a device through the admin view and return a client for it."""
    response = await admin.post(
        f"{BASE}/devices/register",
        json={
            "name": name,
            "device_type": device_type,
            "capabilities": capabilities or ["camera", "gpio"],
            "metadata": {"version": "1.2.0"},
        },
    )
    assert response.status == 201, await response.text()
    body = await response.json()
    return EdgeDeviceClient(device_http, body["device_id"], body["token"])


async def submit(admin: TestClient, device_id: str, **body: Any) -> Any:
    """Queue a job and return the answer's JSON (asserting it was accepted)."""
    response = await admin.post(f"{BASE}/devices/{device_id}/jobs", json=body)
    assert response.status in (200, 201, 202), await response.text()
    return await response.json()
