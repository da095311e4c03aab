"""Identifiers minted by the hub: sortable, random, URL-safe."""

from __future__ import annotations

import os
import time


def new_id() -> str:
    """A time-ordered UUID (version 7 layout) as a 36-character string."""
    return uuid7_text(time.time_ns() // 1_000_000, int.from_bytes(os.urandom(10), "big"))


def uuid7_text(millis: int, rand: int) -> str:
    """The UUID of ``millis`` and 80 random bits ``rand`` (version 7), as ``str(uuid.UUID)``
    writes it."""
    value = (millis & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= (rand >> 68 & 0xFFF) << 64
    value |= 0b10 << 62
    value |= rand & ((1 << 62) - 1)
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def new_token(nbytes: int = 32) -> str:
    """A secret token for API keys and receipts."""
    return os.urandom(nbytes).hex()
