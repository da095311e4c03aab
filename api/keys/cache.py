"""Verified API keys remembered for a few seconds per process.

Verifying a key reads its row; a busy route would do that on every request. A key verified
within the last ``seconds`` is admitted again without reading it, so a revoked key stops
being accepted at most ``seconds`` after its revocation (the ``api_key_cache_seconds``
setting; 0 turns the cache off). Only successful verifications are kept: a new key works at
once, and a refused key is read again each time. Entries are keyed by a SHA-256 digest of the
presented key, never by the key itself.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Final

from api.keys import domain

MAX_ENTRIES: Final = 10_000


class PrincipalCache:
    """Principals of recently verified keys, each kept until ``seconds`` after verification."""

    def __init__(self, *, seconds: float, max_entries: int = MAX_ENTRIES) -> None:
        self._ttl = dt.timedelta(seconds=seconds)
        self._max_entries = max_entries
        self._entries: dict[bytes, tuple[dt.datetime, domain.Principal]] = {}

    @property
    def enabled(self) -> bool:
        return self._ttl > dt.timedelta(0)

    def get(self, presented: str, *, now: dt.datetime) -> domain.Principal | None:
        """The principal verified for ``presented`` less than ``seconds`` ago, or ``None``."""
        digest = _digest(presented)
        entry = self._entries.get(digest)
        if entry is None:
            return None
        expires_at, principal = entry
        if now >= expires_at or now < expires_at - self._ttl:  # expired, or the clock went back
            del self._entries[digest]
            return None
        return principal

    def put(self, presented: str, principal: domain.Principal, *, now: dt.datetime) -> None:
        if not self.enabled:
            return
        if len(self._entries) >= self._max_entries:
            self._entries.clear()
        self._entries[_digest(presented)] = (now + self._ttl, principal)


def _digest(presented: str) -> bytes:
    return hashlib.sha256(presented.encode("utf-8")).digest()
