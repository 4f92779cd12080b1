"""Request signing (reference §1) and the server-side check.

`sign` and `signed_headers` are also what tests and demo scripts use to call the simulator.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from collections.abc import Mapping

from .clock import Clock

FRESHNESS_WINDOW_MS = 5 * 60 * 1000
"""How far `t` may be from the server clock; the real window is undocumented (§9.1)."""


def sign(token: str, secret: str, t: int | str, nonce: str) -> str:
    """Base64(HMAC-SHA256(secret, token + t + nonce)), the value of the `sign` header."""
    digest = hmac.new(
        secret.encode("utf-8"), f"{token}{t}{nonce}".encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode("ascii")


def signed_headers(
    token: str,
    secret: str,
    *,
    t: int | None = None,
    nonce: str | None = None,
    uppercase: bool = False,
    clock: Clock | None = None,
) -> dict[str, str]:
    """The full header set of an API request, signed now (or at `t`) with a fresh nonce.

    `uppercase` sends the signature uppercased, as the README prose and PHP/Go samples do.
    """
    if t is None:
        t = (clock or Clock()).now_ms()
    if nonce is None:
        nonce = str(uuid.uuid4())
    signature = sign(token, secret, t, nonce)
    return {
        "Authorization": token,
        "sign": signature.upper() if uppercase else signature,
        "t": str(t),
        "nonce": nonce,
        "Content-Type": "application/json; charset=utf8",
    }


class RequestAuthenticator:
    """Checks the signed headers of an API request.

    A request passes when the token matches, the signature matches in either letter case,
    `t` is within the freshness window of the simulator clock, and its (t, nonce) pair has
    not been seen inside that window (the cloud rejects re-sent requests, issue #339).
    """

    def __init__(
        self, token: str, secret: str, clock: Clock, window_ms: int = FRESHNESS_WINDOW_MS
    ) -> None:
        self._token = token
        self._secret = secret
        self._clock = clock
        self._window_ms = window_ms
        self._seen: dict[tuple[int, str], int] = {}

    def check(self, headers: Mapping[str, str]) -> bool:
        """True when the request is authentic; remembers its (t, nonce) pair if so.

        `headers` must look names up case-insensitively (aiohttp's request headers do).
        """
        token = headers.get("Authorization")
        signature = headers.get("sign")
        t_text = headers.get("t")
        nonce = headers.get("nonce")
        if not token or not signature or not t_text or not nonce:
            return False
        if not hmac.compare_digest(token.encode(), self._token.encode()):
            return False
        try:
            t = int(t_text)
        except ValueError:
            return False
        expected = sign(self._token, self._secret, t_text, nonce)
        if not hmac.compare_digest(signature.upper().encode(), expected.upper().encode()):
            return False
        now = self._clock.now_ms()
        if abs(now - t) > self._window_ms:
            return False
        self._forget_expired(now)
        if (t, nonce) in self._seen:
            return False
        self._seen[(t, nonce)] = t
        return True

    def reset(self) -> None:
        """Forget every (t, nonce) pair seen so far."""
        self._seen.clear()

    def _forget_expired(self, now: int) -> None:
        # A pair older than the window would fail the freshness test anyway.
        oldest_allowed = now - self._window_ms
        for pair in [pair for pair, t in self._seen.items() if t < oldest_allowed]:
            del self._seen[pair]
