"""Signing what the builder keeps between builds, so that only its own data is trusted.

The cache holds pickles, and unpickling runs code: a cache planted in the
site, or copied from another machine, must never be loaded. Every value is
signed with a secret kept outside the site, in the user's cache folder.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

KEY_BYTES = 32
TAG_BYTES = 16


def cache_key() -> bytes | None:
    """This user's secret for signing caches, made on first use; None if it cannot be kept."""
    home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    folder = Path(home) / "explainer-builder"
    key_file = folder / "cache-key"
    try:
        if key_file.is_file():
            key = key_file.read_bytes()
            if len(key) == KEY_BYTES:
                return key
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        import secrets  # here: made once, read on every other build

        key = secrets.token_bytes(KEY_BYTES)
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as opened:
            opened.write(key)
        return key
    except OSError:
        return None


def tag(key: bytes, payload: bytes | memoryview) -> bytes:
    """A keyed digest of the payload: BLAKE2b is an HMAC-strength MAC on its own."""
    return hashlib.blake2b(payload, key=key, digest_size=TAG_BYTES).digest()


def signed(key: bytes, payload: bytes) -> bytes:
    return tag(key, payload) + payload


def verified(key: bytes, data: bytes | memoryview) -> memoryview | None:
    """The payload of data signed with this key, or None if the signature does not match."""
    view = memoryview(data)
    if len(view) < TAG_BYTES:
        return None
    payload = view[TAG_BYTES:]
    if not hmac.compare_digest(bytes(view[:TAG_BYTES]), tag(key, payload)):
        return None
    return payload
