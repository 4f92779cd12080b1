"""Request signing and the 401 rules (reference §1)."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from roomsense_simulator import Clock, sign

from .conftest import SECRET, TOKEN, Api

UNAUTHORIZED = (401, {"message": "Unauthorized"})


def test_sign_is_base64_hmac_sha256_of_token_t_nonce() -> None:
    expected = base64.b64encode(
        hmac.new(b"secret", b"token1700000000000nonce-1", hashlib.sha256).digest()
    ).decode()
    assert sign("token", "secret", 1700000000000, "nonce-1") == expected
    assert sign("token", "secret", "1700000000000", "nonce-1") == expected
    assert len(expected) == 44


@pytest.mark.parametrize("uppercase", [False, True])
async def test_both_base64_letter_cases_are_accepted(api: Api, uppercase: bool) -> None:
    status, answer = await api.raw("GET", "/v1.1/devices", headers=api.headers(uppercase=uppercase))
    assert status == 200
    assert answer["statusCode"] == 100


async def test_header_names_are_case_insensitive(api: Api) -> None:
    headers = {name.upper(): value for name, value in api.headers().items()}
    assert (await api.raw("GET", "/v1.1/scenes", headers=headers))[0] == 200


async def test_wrong_signature_token_or_secret_is_unauthorized(api: Api) -> None:
    good = api.headers()
    tampered = good | {"sign": base64.b64encode(b"x" * 32).decode()}
    assert await api.raw("GET", "/v1.1/devices", headers=tampered) == UNAUTHORIZED

    other_token = api.headers() | {"Authorization": "someone-else"}
    assert await api.raw("GET", "/v1.1/devices", headers=other_token) == UNAUTHORIZED

    wrong_secret = api.headers()
    wrong_secret["sign"] = sign(TOKEN, "not-the-secret", wrong_secret["t"], wrong_secret["nonce"])
    assert await api.raw("GET", "/v1.1/devices", headers=wrong_secret) == UNAUTHORIZED


@pytest.mark.parametrize("missing", ["Authorization", "sign", "t", "nonce"])
async def test_every_header_is_required(api: Api, missing: str) -> None:
    headers = {name: value for name, value in api.headers().items() if name != missing}
    assert await api.raw("GET", "/v1.1/devices", headers=headers) == UNAUTHORIZED


async def test_t_must_be_within_five_minutes_of_the_server_clock(api: Api, clock: Clock) -> None:
    now = clock.now_ms()
    for offset_ms in (-6 * 60_000, 6 * 60_000):
        headers = api.headers(t=now + offset_ms)
        assert await api.raw("GET", "/v1.1/devices", headers=headers) == UNAUTHORIZED
    for offset_ms in (-4 * 60_000, 4 * 60_000):
        status, _ = await api.raw("GET", "/v1.1/devices", headers=api.headers(t=now + offset_ms))
        assert status == 200


async def test_a_moved_server_clock_makes_current_requests_stale(api: Api, clock: Clock) -> None:
    headers = api.headers()  # signed with the current time
    clock.advance(10 * 60)
    assert await api.raw("GET", "/v1.1/devices", headers=headers) == UNAUTHORIZED


async def test_non_numeric_t_is_unauthorized(api: Api) -> None:
    headers = api.headers() | {"t": "yesterday"}
    headers["sign"] = sign(TOKEN, SECRET, "yesterday", headers["nonce"])
    assert await api.raw("GET", "/v1.1/devices", headers=headers) == UNAUTHORIZED


async def test_replayed_t_and_nonce_is_unauthorized(api: Api, clock: Clock) -> None:
    headers = api.headers(nonce="fixed-nonce")
    assert (await api.raw("GET", "/v1.1/devices", headers=headers))[0] == 200
    assert await api.raw("GET", "/v1.1/devices", headers=headers) == UNAUTHORIZED
    # Clients that keep one nonce and change t are fine.
    later = api.headers(nonce="fixed-nonce", t=clock.now_ms() + 1)
    assert (await api.raw("GET", "/v1.1/devices", headers=later))[0] == 200


async def test_rejected_requests_are_recorded_but_not_counted(api: Api) -> None:
    await api.raw("GET", "/v1.1/devices", headers={"Authorization": TOKEN})
    calls = (await api.admin_ok("GET", "/calls"))["calls"]
    assert [(call["http_status"], call["status_code"]) for call in calls] == [(401, None)]
    assert calls[0]["message"] == "Unauthorized"
    assert (await api.admin_ok("GET", "/quota"))["used"] == 0
