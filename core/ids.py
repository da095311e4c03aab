"""Identifiers minted by the hub: sortable, random, URL-safe."""

from __future__ import annotations

import os
import time


def new_id() -> str:
    """A time-ordered UUID (version 7 layout) as a 36-character string."""
    return new_ids(1)[0]


def uuid7_text(millis: int, rand: int) -> str:
    """The UUID of ``millis`` and 80 random bits ``rand`` (version 7), as ``str(uuid.UUID)``
    writes it."""
    return uuid7_texts(millis, f"{rand & ((1 << 80) - 1):020x}")[0]


#: The UUID's variant nibble by its two random low bits (the variant is ``10``).
_VARIANT = "89ab"


def new_ids(count: int) -> list[str]:
    """``count`` ids as :func:`new_id` mints them, from one read of the clock and one of the
    system's randomness (a move's plan mints a hundred at once)."""
    return uuid7_texts(time.time_ns() // 1_000_000, os.urandom(10 * count).hex())


def uuid7_texts(millis: int, digits: str) -> list[str]:
    """:func:`uuid7_text` of ``millis`` and of each 20 hex digits of ``digits`` (80 random bits),
    written from the digits themselves."""
    stamp = f"{millis & ((1 << 48) - 1):012x}"
    head = f"{stamp[:8]}-{stamp[8:]}-7"
    return [
        f"{head}{digits[i : i + 3]}-{_VARIANT[int(digits[i + 4], 16) & 3]}"
        f"{digits[i + 5 : i + 8]}-{digits[i + 8 : i + 20]}"
        for i in range(0, len(digits) - 19, 20)
    ]


def new_token(nbytes: int = 32) -> str:
    """A secret token for API keys and receipts."""
    return os.urandom(nbytes).hex()
