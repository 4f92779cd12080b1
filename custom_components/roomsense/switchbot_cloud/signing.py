"""Request signing of the SwitchBot Open API v1.1."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import uuid


def compute_signature(token: str, secret: str, timestamp_ms: int, nonce: str) -> str:
    """Return Base64(HMAC-SHA256(secret, token + t + nonce)).

    The plain (not uppercased) Base64 form is the one most clients send; the cloud
    accepts both.
    """
    string_to_sign = f"{token}{timestamp_ms}{nonce}".encode()
    digest = hmac.new(secret.encode(), string_to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def signed_headers(
    token: str,
    secret: str,
    *,
    timestamp_ms: int | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """Return the authentication headers for one request, with a fresh `t` and nonce."""
    if timestamp_ms is None:
        timestamp_ms = time.time_ns() // 1_000_000
    if nonce is None:
        nonce = str(uuid.uuid4())
    return {
        "Authorization": token,
        "sign": compute_signature(token, secret, timestamp_ms, nonce),
        "t": str(timestamp_ms),
        "nonce": nonce,
    }
