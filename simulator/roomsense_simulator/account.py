"""A local stand-in for the SwitchBot app's account backend (the lock-key retrieval).

PySwitchbot's `SwitchbotEncryptedDevice.async_retrieve_encryption_key(session, mac, user,
password)` (and so `SwitchbotLock`'s) talks to hard-coded `https://{subdomain}.api.switchbot.net`
URLs. This module serves them over HTTPS on 127.0.0.1 and gives tests a client session that
reaches it, so the real, unpatched client runs end to end:

```python
async with SwitchBotAccountServer() as server:
    server.add_user("me@example.com", "pw", region="ap")
    server.add_key("me@example.com", "AA:BB:CC:DD:EE:FF", "a1", "00112233445566778899aabbccddeeff")
    async with server.client_session() as session:
        key = await SwitchbotLock.async_retrieve_encryption_key(
            session, "AA:BB:CC:DD:EE:FF", "me@example.com", "pw"
        )
```

Protocol as implemented (every endpoint is a POST with a JSON body, answered HTTP 200 with
`{"statusCode": int, "message": str, "body": object}`; statusCode 100 is success):

1. `account.api.switchbot.net/account/api/v1/user/login`, body `{clientId, username, password,
   grantType: "password", verifyCode: ""}` -> body `{access_token, refresh_token, token_type,
   expires_in}`. A wrong password, an unknown email, or a user who signed up with Apple or
   Google (no password: the real backend refuses a password login for them, and the client
   cannot tell that case apart) get statusCode 2020 "Incorrect username or password"
   (pySwitchbot issue #239; AdyRock/com.switchbot #132 for the Apple-ID user).
2. `account.api.switchbot.net/account/api/v1/user/userinfo`, header `authorization: <token>`
   (the bare token, no "Bearer") -> body `{userID, email, botRegion}`; the client then uses
   `wonderlabs.{botRegion}`.
3. `wonderlabs.{region}.api.switchbot.net/wonder/keys/v1/communicate`, body `{device_mac:
   "AABBCCDDEEFF", keyType: "user"}` -> body `{communicationKey: {keyId, key}}`. A device the
   account does not hold, or a MAC in another format (lower case, colons), gets statusCode 190
   "not the device owner"; another keyType gets 190 "parameter keyType invalid"
   (pySwitchbot issue #378, home-assistant/core #147733).

Inferred, not observed: the success bodies beyond the fields PySwitchbot reads; a missing or
unknown token answering HTTP 401 `{"message": "Unauthorized"}` and an unknown path or host
answering HTTP 403 like AWS API Gateway does (the `/v1.1` simulator makes the same choice).
A valid token sent to another region's `wonderlabs` host than the account's is answered 190
"not the device owner": the region holds no devices for that account.

Faults: `fail_with_status` answers with that HTTP status (body `{"message": ...}`) and
`drop_connections` closes the connection without an answer, for every path or only those in
`fail_paths`; `stop()` leaves nothing listening (the resolver still points at the old port).

TLS: at `start()` a throwaway CA and a leaf certificate for `api.switchbot.net`,
`*.api.switchbot.net` and `*.{region}.api.switchbot.net` (each known region) are made with
`cryptography` (imported when called); adding a user in a new region re-issues the leaf.
"""

from __future__ import annotations

import datetime
import logging
import secrets
import socket
import ssl
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import aiohttp
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePrivateKey

_LOGGER = logging.getLogger(__name__)

API_DOMAIN = "api.switchbot.net"
ACCOUNT_HOST = f"account.{API_DOMAIN}"
LOGIN_PATH = "/account/api/v1/user/login"
USERINFO_PATH = "/account/api/v1/user/userinfo"
COMMUNICATE_PATH = "/wonder/keys/v1/communicate"
DEFAULT_REGIONS = ("us", "eu", "ap", "cn")
"""Regions the certificate always covers; others are added when a user needs them."""

STATUS_SUCCESS = 100
STATUS_NOT_OWNER = 190
STATUS_BAD_LOGIN = 2020
_ERROR_MESSAGES = {
    429: "Too Many Requests",
    500: "Internal server error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Endpoint request timed out",
}
_SHUTDOWN_TIMEOUT_SECONDS = 1.0

type _Answer = tuple[int, dict[str, Any]]
"""HTTP status and JSON payload."""
_UNAUTHORIZED: _Answer = (401, {"message": "Unauthorized"})


def wonderlabs_host(region: str) -> str:
    """The host of a region's device backend, as PySwitchbot builds it."""
    return f"wonderlabs.{region}.{API_DOMAIN}"


def _normalise_mac(mac: str) -> str:
    return mac.replace(":", "").replace("-", "").upper()


@dataclass(frozen=True, slots=True)
class AccountRequest:
    """One request the server received, and what it answered."""

    host: str
    path: str
    body: Any
    """The decoded JSON body (the login's includes the password), None if there was none."""
    authorization: str | None
    http_status: int | None
    """None when the connection was dropped."""
    status_code: int | None
    """The body's statusCode, when it had one."""


@dataclass(slots=True)
class _User:
    email: str
    password: str | None
    region: str
    user_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    keys: dict[str, tuple[str, str]] = field(default_factory=dict)


class _DroppedError(Exception):
    """The connection must be closed without an answer."""


class SwitchBotHostResolver(AbstractResolver):
    """Resolves `api.switchbot.net` and its subdomains to the simulator, and nothing else.

    The URLs carry no port, so every port (443) is answered with the server's.
    """

    def __init__(self, server: SwitchBotAccountServer) -> None:
        self._server = server

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """The simulator's address for a SwitchBot API host."""
        name = host.rstrip(".").lower()
        if name != API_DOMAIN and not name.endswith("." + API_DOMAIN):
            raise OSError(f"{host} does not resolve in the SwitchBot account simulator")
        return [
            ResolveResult(
                hostname=host,
                host=self._server.host,
                port=self._server.port,
                family=socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
        ]

    async def close(self) -> None:
        """Nothing to release."""


class SwitchBotAccountServer:
    """The SwitchBot app's account and key backend, over HTTPS on a free local port."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.requests: list[AccountRequest] = []
        self.fail_with_status: int | None = None
        """Answer matching requests with this HTTP status instead of serving them."""
        self.drop_connections = False
        """Close matching requests' connections without an answer."""
        self.fail_paths: set[str] = set()
        """Paths the two faults apply to (e.g. `{COMMUNICATE_PATH}`); empty means all."""
        self._users: dict[str, _User] = {}
        self._tokens: dict[str, str] = {}
        self._port: int | None = None
        self._runner: web.AppRunner | None = None
        self._ca_pem: bytes | None = None
        self._ca_key: EllipticCurvePrivateKey | None = None
        self._server_ssl: ssl.SSLContext | None = None
        self._cert_regions: set[str] = set()

    # --- accounts -----------------------------------------------------------------------------

    def add_user(
        self, email: str, password: str | None = None, *, region: str = "ap", sso: bool = False
    ) -> None:
        """An account; `sso=True` is one made with Apple or Google sign-in (no password)."""
        if sso == (password is not None):
            raise ValueError("give a password, or sso=True without one")
        if email in self._users:
            raise ValueError(f"{email} already has an account")
        self._users[email] = _User(email, None if sso else password, region)
        if self._server_ssl is not None and region not in self._cert_regions:
            self._issue_server_certificate()

    def add_key(self, email: str, mac: str, key_id: str, encryption_key: str) -> None:
        """Put a lock (any encrypted device) with this key on the account."""
        self._users[email].keys[_normalise_mac(mac)] = (key_id, encryption_key)

    def issue_token(self, email: str) -> str:
        """A valid access token for the account, as a login would return."""
        if email not in self._users:
            raise KeyError(email)
        token = secrets.token_urlsafe(32)
        self._tokens[token] = email
        return token

    def revoke_tokens(self) -> None:
        """Make every issued token invalid (an expired session)."""
        self._tokens.clear()

    # --- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on a free port (the previous one after a `stop()`)."""
        if self._runner is not None:
            raise RuntimeError("the account server is already running")
        if self._server_ssl is None:
            self._make_authority()
            self._server_ssl = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self._issue_server_certificate()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self._port or 0))
        except OSError:
            sock.close()
            raise
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=_SHUTDOWN_TIMEOUT_SECONDS)
        await runner.setup()
        try:
            await web.SockSite(runner, sock, ssl_context=self._server_ssl).start()
        except BaseException:
            await runner.cleanup()
            sock.close()
            raise
        self._runner = runner
        self._port = int(sock.getsockname()[1])
        _LOGGER.info("SwitchBot account simulator listening on %s:%s", self.host, self._port)

    async def stop(self) -> None:
        """Stop listening; safe to call twice."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        """The TCP port the server listens (or last listened) on."""
        if self._port is None:
            raise RuntimeError("the account server has not been started")
        return self._port

    # --- client side --------------------------------------------------------------------------

    def client_ssl_context(self) -> ssl.SSLContext:
        """A default client context that trusts (only) the server's certificate authority."""
        if self._ca_pem is None:
            raise RuntimeError("the account server has not been started")
        return ssl.create_default_context(cadata=self._ca_pem.decode())

    def resolver(self) -> SwitchBotHostResolver:
        """Resolves the SwitchBot API hosts to this server."""
        return SwitchBotHostResolver(self)

    def connector(self) -> aiohttp.TCPConnector:
        """A connector that reaches this server for `https://*.api.switchbot.net` URLs."""
        return aiohttp.TCPConnector(
            resolver=self.resolver(), ssl=self.client_ssl_context(), use_dns_cache=False
        )

    def client_session(self, **kwargs: Any) -> aiohttp.ClientSession:
        """A session for PySwitchbot's account calls (the caller closes it)."""
        return aiohttp.ClientSession(connector=self.connector(), **kwargs)

    # --- TLS ----------------------------------------------------------------------------------

    def _make_authority(self) -> None:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "RoomSense simulator CA")])
        now = datetime.datetime.now(datetime.UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .sign(key, hashes.SHA256())
        )
        self._ca_key = key
        self._ca_pem = certificate.public_bytes(serialization.Encoding.PEM)

    def _issue_server_certificate(self) -> None:
        """(Re)load the server context with a leaf covering every region in use."""
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

        if self._server_ssl is None or self._ca_pem is None or self._ca_key is None:
            raise RuntimeError("no certificate authority yet")
        regions = set(DEFAULT_REGIONS) | {user.region for user in self._users.values()}
        names = [API_DOMAIN, f"*.{API_DOMAIN}", *(f"*.{r}.{API_DOMAIN}" for r in sorted(regions))]
        authority = x509.load_pem_x509_certificate(self._ca_pem)
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ACCOUNT_HOST)]))
            .issuer_name(authority.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self._ca_key.public_key()),
                False,
            )
            .sign(self._ca_key, hashes.SHA256())
        )
        with tempfile.TemporaryDirectory(prefix="roomsense-account-") as folder:
            cert_file = Path(folder, "cert.pem")
            key_file = Path(folder, "key.pem")
            cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
            key_file.write_bytes(
                key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
            self._server_ssl.load_cert_chain(cert_file, key_file)
        self._cert_regions = regions

    # --- serving ------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        host = request.host.rsplit(":", 1)[0].lower() if request.host else ""
        raw = await request.read()
        body: Any = None
        if raw:
            try:
                body = await request.json()
            except ValueError:
                body = raw.decode(errors="replace")
        authorization = request.headers.get("authorization")
        try:
            status, payload = self._answer(request.method, host, request.path, body, authorization)
        except _DroppedError:
            self.requests.append(
                AccountRequest(host, request.path, body, authorization, None, None)
            )
            if request.transport is not None:
                request.transport.abort()
            raise web.HTTPInternalServerError from None  # never reaches the client
        status_code = payload.get("statusCode")
        self.requests.append(
            AccountRequest(
                host,
                request.path,
                body,
                authorization,
                status,
                status_code if isinstance(status_code, int) else None,
            )
        )
        return web.json_response(payload, status=status)

    def _answer(
        self, method: str, host: str, path: str, body: Any, authorization: str | None
    ) -> _Answer:
        if not self.fail_paths or path in self.fail_paths:
            if self.drop_connections:
                raise _DroppedError
            if self.fail_with_status is not None:
                message = _ERROR_MESSAGES.get(self.fail_with_status, "Injected failure")
                return self.fail_with_status, {"message": message}
        if method != "POST":
            return _missing_token()
        if host == ACCOUNT_HOST and path == LOGIN_PATH:
            return self._login(body)
        if host == ACCOUNT_HOST and path == USERINFO_PATH:
            user = self._user_for(authorization)
            if user is None:
                return _UNAUTHORIZED
            return _envelope(
                STATUS_SUCCESS,
                {"userID": user.user_id, "email": user.email, "botRegion": user.region},
            )
        region = _wonderlabs_region(host)
        if region is not None and path == COMMUNICATE_PATH:
            user = self._user_for(authorization)
            if user is None:
                return _UNAUTHORIZED
            return self._communicate(user, region, body)
        return _missing_token()

    def _user_for(self, authorization: str | None) -> _User | None:
        email = self._tokens.get(authorization or "")
        return None if email is None else self._users.get(email)

    def _login(self, body: Any) -> _Answer:
        fields = body if isinstance(body, dict) else {}
        user = self._users.get(str(fields.get("username", "")))
        password = fields.get("password")
        if user is None or user.password is None or password != user.password:
            return _envelope(STATUS_BAD_LOGIN, {}, "Incorrect username or password")
        return _envelope(
            STATUS_SUCCESS,
            {
                "access_token": self.issue_token(user.email),
                "refresh_token": secrets.token_urlsafe(32),
                "token_type": "Bearer",
                "expires_in": 7200,
            },
        )

    def _communicate(self, user: _User, region: str, body: Any) -> _Answer:
        fields = body if isinstance(body, dict) else {}
        if fields.get("keyType") != "user":
            return _envelope(STATUS_NOT_OWNER, {}, "parameter keyType invalid")
        key = user.keys.get(str(fields.get("device_mac", ""))) if region == user.region else None
        if key is None:
            return _envelope(STATUS_NOT_OWNER, {}, "not the device owner")
        key_id, encryption_key = key
        return _envelope(
            STATUS_SUCCESS, {"communicationKey": {"keyId": key_id, "key": encryption_key}}
        )


def _wonderlabs_region(host: str) -> str | None:
    suffix = "." + API_DOMAIN
    if not host.startswith("wonderlabs.") or not host.endswith(suffix):
        return None
    region = host.removeprefix("wonderlabs.").removesuffix(suffix)
    return region if region and "." not in region else None


def _envelope(status_code: int, body: Any, message: str = "success") -> _Answer:
    return 200, {"statusCode": status_code, "message": message, "body": body}


def _missing_token() -> _Answer:
    return 403, {"message": "Missing Authentication Token"}
