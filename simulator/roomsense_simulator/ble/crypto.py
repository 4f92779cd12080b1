"""AES-128 as SwitchBot's encrypted devices use it (imports `cryptography` when called).

CTR mode: every message, in both directions, is encrypted from the start of the key
stream of the session IV (the device hands out a 16-byte IV per connection). GCM mode
(newer firmware): a 12-byte IV, the request carries the first 2 bytes of the tag, and
both sides add one to the IV after each encrypted exchange.
"""

from __future__ import annotations

from typing import Any


def _cipher(key: bytes, mode: Any) -> Any:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms

    return Cipher(algorithms.AES128(key), mode)


def ctr(key: bytes, iv: bytes, data: bytes) -> bytes:
    """Encrypt or decrypt `data` (CTR is symmetric) from the start of the IV's stream."""
    if not data:
        return b""
    from cryptography.hazmat.primitives.ciphers import modes

    context = _cipher(key, modes.CTR(iv)).encryptor()
    return bytes(context.update(data) + context.finalize())


def gcm_encrypt(key: bytes, iv: bytes, data: bytes) -> tuple[bytes, bytes]:
    """GCM ciphertext and tag of `data`."""
    from cryptography.hazmat.primitives.ciphers import modes

    context = _cipher(key, modes.GCM(iv)).encryptor()
    ciphertext = context.update(data) + context.finalize()
    return bytes(ciphertext), bytes(context.tag)


def gcm_decrypt(key: bytes, iv: bytes, data: bytes) -> bytes:
    """GCM plaintext of `data`, unauthenticated (the caller checks the partial tag)."""
    if not data:
        return b""
    from cryptography.hazmat.primitives.ciphers import modes

    context = _cipher(key, modes.GCM(iv, b"\x00" * 16)).decryptor()
    return bytes(context.update(data))


def increment_iv(iv: bytes) -> bytes:
    """The IV plus one, big-endian, same length."""
    return ((int.from_bytes(iv, "big") + 1) % (1 << (8 * len(iv)))).to_bytes(len(iv), "big")
