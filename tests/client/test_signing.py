"""Request signing (reference §1)."""

from __future__ import annotations

import base64
import re
import time
import uuid

from custom_components.roomsense.switchbot_cloud import compute_signature, signed_headers

# Computed once with OpenSSL:
#   printf 'TOKEN1700000000000NONCE' | openssl dgst -sha256 -hmac SECRET -binary | base64
KNOWN_SIGNATURE = "xpBT1wZUoOxgaPRwgcWmfLuevveSWk4vsmPm9oxUsts="


def test_signature_matches_openssl() -> None:
    assert compute_signature("TOKEN", "SECRET", 1_700_000_000_000, "NONCE") == KNOWN_SIGNATURE


def test_signature_is_standard_base64_of_a_sha256_digest() -> None:
    signature = compute_signature("token", "secret", 1_700_000_000_000, "nonce")
    assert len(base64.b64decode(signature, validate=True)) == 32
    assert signature != signature.upper()  # the plain form, not uppercased


def test_headers_have_fresh_millisecond_time_and_uuid_nonce() -> None:
    first = signed_headers("token", "secret")
    second = signed_headers("token", "secret")
    assert first["Authorization"] == "token"
    assert re.fullmatch(r"\d{13}", first["t"])
    assert abs(int(first["t"]) - time.time() * 1000) < 5_000
    assert uuid.UUID(first["nonce"]).version == 4
    assert first["nonce"] != second["nonce"]
    assert first["sign"] == compute_signature("token", "secret", int(first["t"]), first["nonce"])
