"""The worker's asyncio pieces: per-endpoint limits, waiting on either of two events, and the
PostgreSQL ``LISTEN`` thread that wakes the loop (used by :mod:`notify.worker`)."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import threading
import time
from typing import Final

import sqlalchemy as sa

from notify import delivery_sql

LISTEN_RETRY_S: Final = 1.0
#: How long the listening thread waits for a notification before it looks whether the worker
#: is closing: the most :meth:`Listener.close` waits (it was 0.5 s, a quarter of a short run).
LISTEN_POLL_S: Final = 0.05


class EndpointLimit:
    """At most ``max_in_flight`` requests to one endpoint, at most ``rate`` per second."""

    def __init__(self) -> None:
        self._in_flight = 0
        self._changed = asyncio.Condition()
        self._next_at = 0.0

    @contextlib.asynccontextmanager
    async def slot(self, max_in_flight: int, rate: float) -> collections.abc.AsyncIterator[None]:
        async with self._changed:
            await self._changed.wait_for(lambda: self._in_flight < max(max_in_flight, 1))
            self._in_flight += 1
        try:
            await self._pace(rate)
            yield
        finally:
            async with self._changed:
                self._in_flight -= 1
                self._changed.notify_all()

    async def _pace(self, rate: float) -> None:
        if rate <= 0:
            return
        now = time.monotonic()
        start = max(now, self._next_at)
        self._next_at = start + 1.0 / rate
        if start > now:
            await asyncio.sleep(start - now)


async def either(
    first: asyncio.Event, second: asyncio.Event | None, timeout_s: float | None
) -> None:
    """Wait until either event is set or the timeout passes."""
    waits = [asyncio.create_task(first.wait())]
    if second is not None:
        waits.append(asyncio.create_task(second.wait()))
    try:
        await asyncio.wait(waits, timeout=timeout_s, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in waits:
            task.cancel()


class Listener:
    """PostgreSQL ``LISTEN`` on its own thread: each notification wakes the worker."""

    def __init__(self, engine: sa.Engine, wake: asyncio.Event) -> None:
        self._url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._wake = wake
        self._loop = asyncio.get_running_loop()
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._listen, name="delivery-listen", daemon=True)
        self._thread.start()

    def _listen(self) -> None:
        import psycopg

        while not self._closed.is_set():
            try:
                with psycopg.connect(self._url, autocommit=True) as conn:
                    conn.execute(delivery_sql.LISTEN)
                    while not self._closed.is_set():
                        for _ in conn.notifies(timeout=LISTEN_POLL_S, stop_after=1):
                            self._loop.call_soon_threadsafe(self._wake.set)
            except psycopg.Error:
                self._closed.wait(LISTEN_RETRY_S)

    def close(self) -> None:
        self._closed.set()
        self._thread.join(5)
