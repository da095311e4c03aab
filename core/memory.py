"""Memory management for bulk paths."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def no_cycle_collection() -> Iterator[None]:
    """The cyclic garbage collector off for a bulk loop whose objects form no reference cycles
    (buffered rows, labels, tokens: reference counting frees them). Meanwhile it would rescan
    every live object again and again as the loop allocates; on the loaders' paths that cost
    about as much as the work itself. Switched back on afterwards if it was on."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
