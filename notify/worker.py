"""The delivery worker: claims due lanes, sends signed events, records what happened (§6).

One asyncio loop per process. Database steps (:mod:`notify.dispatch`) run in a small thread
pool, each in its own short transaction; no transaction is open while a request is in flight.

* **claim** (:func:`notify.dispatch.prepare.claim_and_prepare`): up to ``batch_size`` lanes at
  a time while fewer than ``concurrency`` sends await their answer; many workers share the
  queue on PostgreSQL (``SKIP LOCKED``), SQLite has one worker (the dispatcher lock). The next
  claim does not wait for the answers already in to be recorded (their lanes stay leased
  until then), so claiming, sending and recording overlap; at most ``2 × concurrency``
  results wait to be recorded.
* **send**: per endpoint at most ``max_in_flight`` requests (halved while throttled) and at
  most ``rate_limit_per_s``, so a slow partner never holds up another.
* **finish**: results are recorded in groups (one transaction for all that completed
  meanwhile), so commits do not limit the send rate.
* **wake-ups**: ``LISTEN`` on PostgreSQL, polling otherwise (1 s / 0.25 s by default).
* **faults**: database errors are logged and retried after a pause, results are kept until
  recorded, leases of a vanished worker are swept back to the queue.
* **memory**: when it starts, the worker moves every object alive (the imported libraries'
  ~200,000) out of the garbage collector's way (:func:`gc.freeze`): a full collection then
  scans only what the worker made since, instead of pausing the loop for tenths of a second.
* **stop**: :meth:`Worker.stop` (SIGTERM, SIGINT) stops claiming; sends in flight finish and
  are recorded, then the worker exits.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import datetime as dt
import functools
import gc
import logging
import os
import signal
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, TypeVar

import sqlalchemy as sa
from sqlalchemy import orm

from core import clock as clock_
from core import db, ids
from core.settings import Settings
from notify import (
    delivery_errors,
    delivery_gate,
    gazetteer_events,
    registry_repository,
    ssrf,
)
from notify import delivery_repository as repo
from notify.dispatch import aio, common, finish, prepare, registry_cache
from notify.transports import webhook

log = logging.getLogger("addresshub.worker")
T = TypeVar("T")
ERROR_PAUSE_S: Final = 1.0
POSTGRESQL_POLL_S: Final = 1.0
SQLITE_POLL_S: Final = 0.25
FINISH_GROUP: Final = 500


@dataclass(frozen=True, kw_only=True, slots=True)
class Options:
    concurrency: int = 64
    batch_size: int = 10
    lease: dt.timedelta = dt.timedelta(seconds=60)
    poll_s: float = 1.0
    time_scale: float = 1.0
    once: bool = False


@dataclass(kw_only=True, slots=True)
class Tally:
    """What a worker did: attempts sent and how they ended (for ``--json`` and tests)."""

    claimed: int = 0
    sent: int = 0
    delivered: int = 0
    failed: int = 0
    swept: int = 0

    def as_dict(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in self.__slots__}


def new_worker_id() -> str:
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{ids.new_token(3)}"


class Worker:
    def __init__(
        self,
        *,
        engine: sa.Engine,
        gate: delivery_gate.Gate,
        sender: webhook.Sender,
        options: Options,
        clock: clock_.Clock | None = None,
        worker_id: str | None = None,
        settings: Settings | None = None,
    ) -> None:
        self._engine = engine
        self._settings = settings  # for the events it publishes (namespace, hub host)
        self._sessions = db.session_factory(engine)
        self._gate = gate
        self._sender = sender
        self._options = options
        self._clock = clock or clock_.SystemClock()
        self._sqlite = engine.dialect.name == "sqlite"
        self._finished = 0
        self.worker_id = worker_id or new_worker_id()
        self._cfg = common.Config(
            worker_id=self.worker_id, lease=options.lease, time_scale=options.time_scale
        )
        self._pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=1 if self._sqlite else 2, thread_name_prefix="delivery-db"
        )
        self.tally = Tally()
        self._stopping = asyncio.Event()
        self._wake = asyncio.Event()
        self._room = asyncio.Event()
        self._results: asyncio.Queue[common.Result] = asyncio.Queue()
        self._in_flight = 0  # claimed and not yet recorded
        self._unanswered = 0  # claimed and not yet answered (or withheld)
        self._limits: dict[str, aio.EndpointLimit] = {}
        self._gone: dict[str, dt.datetime] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    # -- running ------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop claiming; sends in flight finish and are recorded, then :meth:`run` returns."""
        self._stopping.set()
        self._wake.set()

    async def run(self) -> Tally:
        gc.freeze()
        await self._db(self._take_lock)
        listener = aio.Listener(self._engine, self._wake) if not self._sqlite else None
        finisher = asyncio.create_task(self._finisher())
        try:
            await self._loop()
        finally:
            await self._drain(finisher)
            if listener is not None:
                listener.close()
            await self._sender.close()
            with contextlib.suppress(Exception):
                await self._db(self._release_lock)
            self._pool.shutdown(wait=True)
        return self.tally

    async def _loop(self) -> None:
        last_sweep = 0.0
        while not self._stopping.is_set():
            if time.monotonic() - last_sweep >= self._sweep_every():
                await self._guarded(self._housekeeping)
                last_sweep = time.monotonic()
            room = self._room_now()
            if room < self._least_claim():
                self._room.clear()
                await aio.either(self._room, self._stopping, None)
                continue
            self._wake.clear()  # before claiming: a wake-up during the claim is not lost
            finished = self._finished  # results recorded while claiming may free a lane
            claimed = await self._guarded(functools.partial(self._claim, room=room))
            if claimed is not None:
                self._launch(claimed.sends)
                if claimed.lanes:
                    continue
            if self._options.once and self._in_flight == 0 and self._finished == finished:
                return
            await aio.either(self._wake, self._room if self._options.once else None,
                          self._options.poll_s)  # fmt: skip

    def _room_now(self) -> int:
        """How many lanes the next claim may take: sends awaiting an answer stay under
        ``concurrency``, results awaiting their record under twice that."""
        concurrency = self._options.concurrency
        return min(concurrency - self._unanswered, 2 * concurrency - self._in_flight)

    def _least_claim(self) -> int:
        """While sends are in flight, claim only once half a batch fits: each claim costs
        about the same whatever its size, so small ones would bound the delivery rate."""
        if self._unanswered == 0:
            return 1
        return max(min(self._options.batch_size, self._options.concurrency) // 2, 1)

    def _sweep_every(self) -> float:
        return max(min(self._options.lease.total_seconds() / 4, 15.0), self._options.poll_s)

    async def _drain(self, finisher: asyncio.Task[None]) -> None:
        while self._in_flight > 0:
            self._room.clear()
            await self._room.wait()
        finisher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await finisher

    # -- database steps -----------------------------------------------------------------

    async def _db(self, step: Callable[[orm.Session], T]) -> T:
        def run() -> T:
            with db.unit_of_work(self._sessions, immediate=True) as session:
                return step(session)

        return await asyncio.get_running_loop().run_in_executor(self._pool, run)

    async def _guarded(self, step: Callable[[orm.Session], T]) -> T | None:
        """A step whose database errors are logged and survived (the database may restart)."""
        try:
            return await self._db(step)
        except sa.exc.SQLAlchemyError as exc:
            log.warning("database step failed, retrying: %s", type(exc).__name__)
            await aio.either(self._stopping, None, ERROR_PAUSE_S)
            return None

    def _take_lock(self, session: orm.Session) -> None:
        if not self._sqlite:
            return
        now = self._clock.now()
        until = now + self._options.lease
        if not repo.take_dispatcher_lock(session, owner=self.worker_id, now=now, until=until):
            raise delivery_errors.DispatcherBusy(
                "another worker is delivering from this SQLite database; run one worker only"
            )

    def _release_lock(self, session: orm.Session) -> None:
        if self._sqlite:
            repo.release_dispatcher_lock(session, owner=self.worker_id)

    def _housekeeping(self, session: orm.Session) -> None:
        """The lock, lease sweep, pending gazetteer events and idle lanes, every few seconds."""
        self._take_lock(session)
        now = self._clock.now()
        self.tally.swept += prepare.sweep(session, cfg=self._cfg, now=now)
        gazetteer_events.enqueue_pending(session, now, settings=self._settings)
        repo.wake_idle_lanes(session, now=now)

    def _claim(self, session: orm.Session, *, room: int) -> common.Claimed:
        k = min(self._options.batch_size, room)
        return prepare.claim_and_prepare(
            session, cfg=self._cfg, gate=self._gate, now=self._clock.now(), k=k
        )

    # -- sending ------------------------------------------------------------------------

    def _launch(self, sends: list[common.Send]) -> None:
        self.tally.claimed += len(sends)
        for send in sends:
            self._in_flight += 1
            self._unanswered += 1
            task = asyncio.create_task(self._send(send))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _send(self, send: common.Send) -> None:
        limit = self._limits.setdefault(send.endpoint_id, aio.EndpointLimit())
        result: webhook.WebhookResult | None = None
        try:
            async with limit.slot(send.max_in_flight, send.rate_limit_per_s):
                if not self._withheld(send):
                    result = await self._sender.send(send.request(self._clock.now()))
                    self._note_gone(send, result)
        except Exception:
            log.exception("send failed unexpectedly")
            result = webhook.WebhookResult(error_kind="reset")
        self.tally.sent += result is not None
        self._unanswered -= 1
        self._room.set()
        self._results.put_nowait(
            common.Result(send=send, result=result, finished_at=self._clock.now())
        )

    def _withheld(self, send: common.Send) -> bool:
        """Hold back a send prepared before its endpoint's 410 (or refusal) was recorded."""
        gone_at = self._gone.get(send.endpoint_id)
        return gone_at is not None and send.prepared_at <= gone_at

    def _note_gone(self, send: common.Send, result: webhook.WebhookResult) -> None:
        """Mark the endpoint gone when the answer comes, and again once it is recorded
        (:meth:`_count`): a claim made meanwhile did not yet see it disabled."""
        if result.status == 410 or result.error_kind == "ssrf_block":
            self._gone[send.endpoint_id] = self._clock.now()

    async def _finisher(self) -> None:
        while True:
            group = [await self._results.get()]
            while not self._results.empty() and len(group) < FINISH_GROUP:
                group.append(self._results.get_nowait())
            try:
                await self._db(functools.partial(finish.finish, results=group, cfg=self._cfg))
            except sa.exc.SQLAlchemyError as exc:
                log.warning("recording results failed, retrying: %s", type(exc).__name__)
                for item in group:
                    self._results.put_nowait(item)
                await asyncio.sleep(ERROR_PAUSE_S)
                continue
            self._count(group)

    def _count(self, group: list[common.Result]) -> None:
        sent = [r.result for r in group if r.result is not None]
        delivered = sum(1 for r in sent if r.status and 200 <= r.status < 300)
        self.tally.delivered += delivered
        self.tally.failed += len(sent) - delivered
        for item in group:
            if item.result is not None:
                self._note_gone(item.send, item.result)
        self._in_flight -= len(group)
        self._finished += len(group)
        self._room.set()
        self._wake.set()


def from_settings(
    settings: Settings, *, concurrency: int, once: bool = False, engine: sa.Engine | None = None
) -> Worker:
    """A worker on the settings' database, sending through the SSRF-guarded aiohttp sender."""
    engine = engine or db.create_engine(
        settings.database_url,
        spatialite_library=settings.spatialite_library,
        pool_size=settings.database_pool_size,
    )
    sqlite = engine.dialect.name == "sqlite"
    options = Options(
        concurrency=concurrency,
        batch_size=settings.worker_batch_size,
        lease=dt.timedelta(seconds=settings.worker_lease_seconds),
        poll_s=settings.worker_poll_seconds or (SQLITE_POLL_S if sqlite else POSTGRESQL_POLL_S),
        time_scale=settings.delivery_time_scale,
        once=once,
    )
    policy = ssrf.TargetPolicy.for_deployment(
        allow_private_targets=settings.allow_private_webhook_targets
    )
    return Worker(
        engine=engine,
        gate=delivery_gate.RegistryGate(registry_cache.CachedRegistry(registry_repository.load)),
        sender=webhook.AiohttpSender(policy=policy),
        options=options,
        settings=settings,
    )


async def run_until_signalled(worker: Worker) -> Tally:
    """Run ``worker``; SIGTERM or SIGINT stop it gracefully."""
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, worker.stop)
    try:
        return await worker.run()
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
