"""Periodic jobs that run beside the delivery worker: operational webhooks and file drop.

``addresshub worker`` runs :func:`run_beside` with the worker: every few seconds
(:data:`EVERY_S`) it sends unsent operational notices (:mod:`notify.ops_notices`) and, when a
file-drop directory is configured, writes the batches of file-drop subscriptions that are due
(:mod:`notify.file_drop`, every ``file_drop_interval_seconds``). With ``--once`` both run once
after the worker has finished. A failing job is logged and tried again on the next round; it
never stops the worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any, Final, TypeVar

import sqlalchemy as sa

from core import clock as clock_
from core import db
from core.settings import Settings
from notify import delivery_gate, file_drop, ops_notices, registry_repository, ssrf
from notify.transports import webhook

log = logging.getLogger("addresshub.jobs")
EVERY_S: Final = 5.0
T = TypeVar("T")


@dataclass(kw_only=True, slots=True)
class JobsTally:
    notices_sent: int = 0
    files_written: int = 0
    rows_written: int = 0

    def as_dict(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in self.__slots__}


class Jobs:
    def __init__(
        self,
        *,
        settings: Settings,
        engine: sa.Engine,
        sender: webhook.Sender,
        clock: clock_.Clock | None = None,
    ) -> None:
        self._settings = settings
        self._sessions = db.session_factory(engine)
        self._sender = sender
        self._clock = clock or clock_.SystemClock()
        self._gate = delivery_gate.RegistryGate(registry_repository.load)
        self.tally = JobsTally()

    async def round(self) -> None:
        """One round: operational notices, then due file-drop batches."""
        now = self._clock.now()
        sending = ops_notices.send_pending(
            sessions=self._sessions, sender=self._sender, settings=self._settings, now=now
        )
        sent = await _logged(sending)
        if sent is not None:
            self.tally.notices_sent += sent.delivered
        if self._settings.file_drop_directory is not None:
            written = await _logged(asyncio.to_thread(self._file_drop))
            for batch in written or []:
                self.tally.files_written += 1
                self.tally.rows_written += batch.rows

    def _file_drop(self) -> list[file_drop.Written]:
        assert self._settings.file_drop_directory is not None
        interval = dt.timedelta(seconds=self._settings.file_drop_interval_seconds)
        return file_drop.run(sessions=self._sessions, directory=self._settings.file_drop_directory,
                             gate=self._gate, now=self._clock.now(), interval=interval)  # fmt: skip

    async def close(self) -> None:
        await self._sender.close()

    async def until(self, done: asyncio.Future[Any], every_s: float = EVERY_S) -> None:
        """A round every ``every_s`` seconds until ``done`` completes."""
        while not done.done():
            await self.round()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(done), timeout=every_s)


async def _logged(step: Awaitable[T]) -> T | None:
    try:
        return await step
    except Exception:
        log.exception("periodic delivery job failed; it runs again next round")
        return None


def from_settings(settings: Settings) -> tuple[Jobs, sa.Engine]:
    engine = db.create_engine(settings.database_url, spatialite_library=settings.spatialite_library)
    policy = ssrf.TargetPolicy.for_deployment(
        allow_private_targets=settings.allow_private_webhook_targets
    )
    return Jobs(
        settings=settings, engine=engine, sender=webhook.AiohttpSender(policy=policy)
    ), engine


async def run_beside(
    worker_run: Awaitable[T], settings: Settings, *, once: bool
) -> tuple[T, JobsTally]:
    """Run the worker and the periodic jobs together; the jobs stop when the worker does."""
    jobs, engine = from_settings(settings)
    try:
        task = asyncio.ensure_future(worker_run)
        if once:
            result = await task
            await jobs.round()
        else:
            await jobs.until(task)
            result = await task
        return result, jobs.tally
    finally:
        await jobs.close()
        engine.dispose()
