"""The daily request quota (reference §2)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from roomsense_simulator import Clock

from .conftest import Api, SimulatorFactory

OVER_QUOTA = {"statusCode": 190, "body": {}, "message": "Requests reached the daily limit"}
# 23:59:00 UTC: two minutes later it is another quota day.
BEFORE_MIDNIGHT = datetime(2026, 3, 1, 23, 59, tzinfo=UTC).timestamp()


@pytest.fixture
def clock() -> Clock:
    return Clock(now=lambda: BEFORE_MIDNIGHT)


async def test_calls_past_the_limit_get_statusCode_190(make_api: SimulatorFactory) -> None:  # noqa: N802
    api = await make_api(daily_limit=3)
    for _ in range(3):
        assert (await api.call("GET", "/scenes"))["statusCode"] == 100
    assert await api.call("GET", "/devices") == OVER_QUOTA
    assert await api.call("POST", "/scenes/whatever/execute") == OVER_QUOTA
    quota = await api.admin_ok("GET", "/quota")
    assert quota == {"used": 3, "limit": 3, "remaining": 0, "day": "2026-03-01"}


async def test_the_quota_starts_again_on_the_next_utc_day(
    make_api: SimulatorFactory, clock: Clock
) -> None:
    api = await make_api(daily_limit=2)
    await api.call("GET", "/scenes")
    await api.call("GET", "/scenes")
    assert await api.call("GET", "/scenes") == OVER_QUOTA
    clock.advance(120)
    assert (await api.call("GET", "/scenes"))["statusCode"] == 100
    quota = await api.admin_ok("GET", "/quota")
    assert quota == {"used": 1, "limit": 2, "remaining": 1, "day": "2026-03-02"}


async def test_admin_can_set_usage_and_limit(api: Api) -> None:
    assert await api.admin_ok("POST", "/quota", {"used": 9_999}) == {
        "used": 9_999,
        "limit": 10_000,
        "remaining": 1,
        "day": "2026-03-01",
    }
    assert (await api.call("GET", "/devices"))["statusCode"] == 100
    assert await api.call("GET", "/devices") == OVER_QUOTA
    raised = await api.admin_ok("POST", "/quota", {"limit": 10_005})
    assert raised["remaining"] == 5
    assert (await api.call("GET", "/devices"))["statusCode"] == 100
    assert (await api.admin("POST", "/quota", {"used": -1}))[0] == 400
    assert (await api.admin("POST", "/quota", {"spent": 1}))[0] == 400


async def test_every_authenticated_endpoint_counts(api: Api) -> None:
    await api.call("GET", "/devices")
    await api.command("FFFFFFFFFFFF", "turnOn")  # 152 still counts
    await api.call("POST", "/webhook/queryWebhook", {"action": "queryUrl"})
    assert (await api.admin_ok("GET", "/quota"))["used"] == 3
