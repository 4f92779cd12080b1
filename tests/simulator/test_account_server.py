"""The SwitchBot app account simulator, driven by PySwitchbot's own, unpatched key retrieval.

PySwitchbot is imported through `import_switchbot()` (see `test_ble_support`), never at
module level.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import ModuleType
from typing import Any

import aiohttp
import pytest

from roomsense_simulator.account import (
    ACCOUNT_HOST,
    COMMUNICATE_PATH,
    LOGIN_PATH,
    USERINFO_PATH,
    SwitchBotAccountServer,
    wonderlabs_host,
)

from .test_ble_support import ENCRYPTION_KEY, KEY_ID, import_switchbot

EMAIL = "owner@example.com"
PASSWORD = "correct horse"
SSO_EMAIL = "apple-user@example.com"
OTHER_EMAIL = "neighbour@example.com"
MAC = "AA:BB:CC:DD:EE:FF"
OTHER_MAC = "11:22:33:44:55:66"
OTHER_KEY = "fedcba9876543210fedcba9876543210"
APP_CLIENT_ID = "5nnwmhmsa9xxskm14hd85lm9bm"


@pytest.fixture
def switchbot() -> ModuleType:
    return import_switchbot()


@pytest.fixture
async def server(socket_enabled: None) -> AsyncIterator[SwitchBotAccountServer]:
    async with SwitchBotAccountServer() as account_server:
        account_server.add_user(EMAIL, PASSWORD, region="ap")
        account_server.add_key(EMAIL, MAC, KEY_ID, ENCRYPTION_KEY)
        account_server.add_user(SSO_EMAIL, sso=True, region="ap")
        account_server.add_key(SSO_EMAIL, MAC, KEY_ID, ENCRYPTION_KEY)
        account_server.add_user(OTHER_EMAIL, "other password", region="ap")
        account_server.add_key(OTHER_EMAIL, OTHER_MAC, "b2", OTHER_KEY)
        yield account_server


@pytest.fixture
async def session(server: SwitchBotAccountServer) -> AsyncIterator[aiohttp.ClientSession]:
    async with server.client_session() as client_session:
        yield client_session


async def retrieve(
    switchbot: ModuleType,
    session: aiohttp.ClientSession,
    mac: str = MAC,
    email: str = EMAIL,
    password: str = PASSWORD,
) -> Any:
    return await switchbot.SwitchbotLock.async_retrieve_encryption_key(
        session, mac, email, password
    )


def root_cause(error: BaseException) -> BaseException:
    while error.__cause__ is not None:
        error = error.__cause__
    return error


def seen(server: SwitchBotAccountServer) -> list[tuple[str, str, int | None, int | None]]:
    return [(r.host, r.path, r.http_status, r.status_code) for r in server.requests]


# --- success ------------------------------------------------------------------------------


async def test_lock_key_retrieval_logs_in_reads_the_region_and_asks_that_region(
    switchbot: ModuleType, server: SwitchBotAccountServer, session: aiohttp.ClientSession
) -> None:
    key = await retrieve(switchbot, session)

    assert key == {"key_id": KEY_ID, "encryption_key": ENCRYPTION_KEY}
    assert seen(server) == [
        (ACCOUNT_HOST, LOGIN_PATH, 200, 100),
        (ACCOUNT_HOST, USERINFO_PATH, 200, 100),
        ("wonderlabs.ap.api.switchbot.net", COMMUNICATE_PATH, 200, 100),
    ]
    login, userinfo, communicate = server.requests
    assert login.body == {
        "clientId": APP_CLIENT_ID,
        "username": EMAIL,
        "password": PASSWORD,
        "grantType": "password",
        "verifyCode": "",
    }
    assert login.authorization is None
    # The token from the login, bare (no "Bearer"), on both later calls.
    assert userinfo.authorization is not None
    assert userinfo.authorization == communicate.authorization
    assert communicate.body == {"device_mac": "AABBCCDDEEFF", "keyType": "user"}


@pytest.mark.parametrize(
    "device_class", ["SwitchbotEncryptedDevice", "SwitchbotRelaySwitch", "SwitchbotAirPurifier"]
)
async def test_other_encrypted_devices_share_the_retrieval(
    switchbot: ModuleType, session: aiohttp.ClientSession, device_class: str
) -> None:
    cls = getattr(switchbot, device_class)
    key = await cls.async_retrieve_encryption_key(session, MAC.lower(), EMAIL, PASSWORD)
    assert key == {"key_id": KEY_ID, "encryption_key": ENCRYPTION_KEY}


async def test_a_region_added_after_start_gets_a_certificate_and_its_own_host(
    switchbot: ModuleType, server: SwitchBotAccountServer, session: aiohttp.ClientSession
) -> None:
    server.add_user("zz@example.com", "pw", region="zz")
    server.add_key("zz@example.com", MAC, "c3", OTHER_KEY)

    key = await retrieve(switchbot, session, email="zz@example.com", password="pw")

    assert key == {"key_id": "c3", "encryption_key": OTHER_KEY}
    assert server.requests[-1].host == wonderlabs_host("zz") == "wonderlabs.zz.api.switchbot.net"


async def test_retrieval_by_token(
    switchbot: ModuleType, server: SwitchBotAccountServer, session: aiohttp.ClientSession
) -> None:
    token = server.issue_token(EMAIL)
    key = await switchbot.SwitchbotLock.async_retrieve_encryption_key_by_token(session, MAC, token)
    assert key == {"key_id": KEY_ID, "encryption_key": ENCRYPTION_KEY}
    assert [r.path for r in server.requests] == [USERINFO_PATH, COMMUNICATE_PATH]

    server.revoke_tokens()
    with pytest.raises(switchbot.SwitchbotAuthenticationError, match="rejected"):
        await switchbot.SwitchbotLock.async_retrieve_encryption_key_by_token(session, MAC, token)
    assert seen(server)[-1] == (ACCOUNT_HOST, USERINFO_PATH, 401, None)


# --- login failures -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "password"),
    [
        pytest.param(EMAIL, "wrong", id="wrong-password"),
        pytest.param("nobody@example.com", PASSWORD, id="unknown-email"),
        pytest.param(SSO_EMAIL, "", id="sso-empty-password"),
        pytest.param(SSO_EMAIL, PASSWORD, id="sso-any-password"),
    ],
)
async def test_a_refused_login_is_an_authentication_error(
    switchbot: ModuleType,
    server: SwitchBotAccountServer,
    session: aiohttp.ClientSession,
    email: str,
    password: str,
) -> None:
    with pytest.raises(switchbot.SwitchbotAuthenticationError) as caught:
        await retrieve(switchbot, session, email=email, password=password)

    # Wrapped twice: by PySwitchbot's login helper, then by the retrieval around it.
    assert str(caught.value) == (
        "Authentication failed: Authentication failed: "
        "Incorrect username or password, status code: 2020"
    )
    assert type(root_cause(caught.value)) is switchbot.SwitchbotApiError
    assert seen(server) == [(ACCOUNT_HOST, LOGIN_PATH, 200, 2020)]


# --- key failures -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "mac",
    [
        pytest.param("01:02:03:04:05:06", id="unknown-device"),
        pytest.param(OTHER_MAC, id="another-accounts-device"),
    ],
)
async def test_a_device_not_on_the_account_is_an_api_error(
    switchbot: ModuleType, server: SwitchBotAccountServer, session: aiohttp.ClientSession, mac: str
) -> None:
    with pytest.raises(switchbot.SwitchbotApiError) as caught:
        await retrieve(switchbot, session, mac=mac)

    assert type(caught.value) is switchbot.SwitchbotApiError
    assert str(caught.value) == "not the device owner, status code: 190"
    assert seen(server)[-1] == (wonderlabs_host("ap"), COMMUNICATE_PATH, 200, 190)


async def test_another_regions_host_does_not_hold_the_accounts_devices(
    switchbot: ModuleType, server: SwitchBotAccountServer, session: aiohttp.ClientSession
) -> None:
    headers = {"authorization": server.issue_token(EMAIL)}
    body = {"device_mac": "AABBCCDDEEFF", "keyType": "user"}
    request = switchbot.SwitchbotLock.api_request

    answer = await request(session, "wonderlabs.ap", COMMUNICATE_PATH[1:], body, headers)
    assert answer["communicationKey"] == {"keyId": KEY_ID, "key": ENCRYPTION_KEY}
    with pytest.raises(switchbot.SwitchbotApiError, match="not the device owner, status code: 190"):
        await request(session, "wonderlabs.us", COMMUNICATE_PATH[1:], body, headers)
    with pytest.raises(switchbot.SwitchbotApiError, match="keyType invalid, status code: 190"):
        await request(
            session, "wonderlabs.ap", COMMUNICATE_PATH[1:], body | {"keyType": "x"}, headers
        )
    # The account host does not serve the key path, nor a region host the account paths.
    with pytest.raises(switchbot.SwitchbotAuthenticationError):
        await request(session, "account", COMMUNICATE_PATH[1:], body, headers)
    with pytest.raises(switchbot.SwitchbotAuthenticationError):
        await request(session, "wonderlabs.ap", USERINFO_PATH[1:], {}, headers)
    assert [r.http_status for r in server.requests[-2:]] == [403, 403]


# --- server faults ------------------------------------------------------------------------


async def test_a_server_error_at_login_is_an_authentication_error(
    switchbot: ModuleType, server: SwitchBotAccountServer, session: aiohttp.ClientSession
) -> None:
    server.fail_with_status = 500

    with pytest.raises(switchbot.SwitchbotAuthenticationError) as caught:
        await retrieve(switchbot, session)

    # PySwitchbot turns every login failure into an authentication error.
    assert str(caught.value) == (
        "Authentication failed: Authentication failed: "
        "Unexpected status code returned by SwitchBot API: 500"
    )
    assert type(root_cause(caught.value)) is switchbot.SwitchbotApiError
    assert seen(server) == [(ACCOUNT_HOST, LOGIN_PATH, 500, None)]


@pytest.mark.parametrize("path", [USERINFO_PATH, COMMUNICATE_PATH])
async def test_a_server_error_after_login_is_an_api_error(
    switchbot: ModuleType,
    server: SwitchBotAccountServer,
    session: aiohttp.ClientSession,
    path: str,
) -> None:
    server.fail_with_status = 503
    server.fail_paths = {path}

    with pytest.raises(switchbot.SwitchbotApiError) as caught:
        await retrieve(switchbot, session)

    assert type(caught.value) is switchbot.SwitchbotApiError
    assert str(caught.value) == "Unexpected status code returned by SwitchBot API: 503"
    assert (server.requests[-1].path, server.requests[-1].http_status) == (path, 503)


async def test_a_dropped_connection_after_login_is_a_connection_error(
    switchbot: ModuleType, server: SwitchBotAccountServer, session: aiohttp.ClientSession
) -> None:
    server.drop_connections = True
    server.fail_paths = {COMMUNICATE_PATH}

    with pytest.raises(switchbot.SwitchbotAccountConnectionError) as caught:
        await retrieve(switchbot, session)

    assert str(caught.value).startswith(
        "Failed to retrieve encryption key from SwitchBot Account: "
    )
    assert isinstance(caught.value.__cause__, aiohttp.ClientError)
    assert seen(server)[-1] == (wonderlabs_host("ap"), COMMUNICATE_PATH, None, None)


async def test_a_stopped_server_is_an_authentication_error_then_recovers(
    switchbot: ModuleType, server: SwitchBotAccountServer, session: aiohttp.ClientSession
) -> None:
    await server.stop()

    with pytest.raises(switchbot.SwitchbotAuthenticationError) as caught:
        await retrieve(switchbot, session)

    assert str(caught.value).startswith(
        "Authentication failed: Authentication failed: Cannot connect to host"
    )
    assert isinstance(root_cause(caught.value), ConnectionRefusedError)
    assert server.requests == []

    await server.start()  # the same port: the session reaches it again
    assert await retrieve(switchbot, session) == {
        "key_id": KEY_ID,
        "encryption_key": ENCRYPTION_KEY,
    }


# --- the transport ------------------------------------------------------------------------


async def test_tls_is_verified_and_only_switchbot_hosts_resolve(
    server: SwitchBotAccountServer, session: aiohttp.ClientSession
) -> None:
    # Without the simulator's authority the certificate is refused.
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(resolver=server.resolver())
    ) as untrusting:
        with pytest.raises(aiohttp.ClientConnectorCertificateError):
            await untrusting.post(f"https://{ACCOUNT_HOST}{LOGIN_PATH}", json={})
    # Nothing else resolves, so nothing leaves the machine.
    with pytest.raises(aiohttp.ClientConnectorError):
        await session.post("https://example.com/", json={})
    assert server.requests == []
