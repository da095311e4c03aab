"""Identifiers minted by the hub: sortable, random, URL-safe."""

from __future__ import annotations

import os
import time
import uuid


def new_id() -> str:
    """A time-ordered UUID (version 7 layout) as a 36-character string."""
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (millis & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= (rand >> 68 & 0xFFF) << 64
    value |= 0b10 << 62
    value |= rand & ((1 << 62) - 1)
    return str(uuid.UUID(int=value))


def new_token(nbytes: int = 32) -> str:
    """A secret token for API keys and receipts."""
    return os.urandom(nbytes).hex()
