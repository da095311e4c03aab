"""One move fanned out to many subscribers: from the commit to every receiver's 2xx, p95.

    .venv/bin/python -m bench.delivery_fanout --database-url postgresql://... [--runs 20]

A fresh database is created and migrated (SQLite in a temporary directory by default). The
registry has ``--subscribers`` partners, each with one service whose webhook goes to its own
endpoint on a local receiver answering 204. A worker (the production one: registry gate,
aiohttp, the settings' default batch size, ``LISTEN`` on PostgreSQL) runs in this process.
Each run commits one move's outbox rows for every subscriber in one transaction, as the outbox
writes them (delivery, ledger line, lane), with the wake-up the outbox sends, and times from
that commit until every endpoint has answered 2xx. Target: p95 at most 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import math
import statistics
import time

import sqlalchemy as sa
from aiohttp import web

from bench import database, delivery_client
from core import db
from core.settings import Settings
from notify import delivery_gate, registry_repository, ssrf, worker
from notify import delivery_repository as repo
from notify.dispatch import registry_cache
from notify.transports import webhook
from tests.support import outbox_world


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class _Receiver:
    """Counts the distinct ``webhook-id`` values of a run; notes when the last one came."""

    def __init__(self) -> None:
        self.expected = 0
        self.seen: set[str] = set()
        self.done = asyncio.Event()
        self.last_at = 0.0

    async def handle(self, request: web.Request) -> web.Response:
        await request.read()
        self.seen.add(request.headers.get("webhook-id", ""))
        if len(self.seen) >= self.expected and not self.done.is_set():
            self.last_at = time.perf_counter()
            self.done.set()
        return web.Response(status=204)

    def expect(self, count: int) -> None:
        self.expected, self.seen, self.done = count, set(), asyncio.Event()


def _commit_move(factory: db.SessionFactory, world: outbox_world.World, subject: str) -> float:
    """One move's deliveries to every subscriber, committed together; the commit's time."""
    with db.unit_of_work(factory) as session:
        now = _now()
        for partner in world.endpoints:
            world.enqueue(session, partner=partner, subject_id=subject, now=now)
        repo.announce(session)
    return time.perf_counter()


async def _measure(url: str, args: argparse.Namespace) -> list[float]:
    engine = db.create_engine(url)
    factory = db.session_factory(engine)
    receiver = _Receiver()
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = delivery_client._free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    urls = [f"http://127.0.0.1:{port}/hook?e={n}" for n in range(args.subscribers)]
    with db.unit_of_work(factory) as session:
        world = outbox_world.build(session, urls, now=_now())
    running = _worker(engine, args)
    task = asyncio.create_task(running.run())
    try:
        return await _runs(factory, world, receiver, args.runs)
    finally:
        running.stop()
        await task
        await runner.cleanup()
        engine.dispose()


def _worker(engine: sa.Engine, args: argparse.Namespace) -> worker.Worker:
    return worker.Worker(
        engine=engine,
        gate=delivery_gate.RegistryGate(registry_cache.CachedRegistry(registry_repository.load)),
        sender=webhook.AiohttpSender(
            policy=ssrf.TargetPolicy.for_deployment(allow_private_targets=True)
        ),
        options=worker.Options(concurrency=args.concurrency, batch_size=args.batch),
    )


async def _runs(
    factory: db.SessionFactory,
    world: outbox_world.World,
    receiver: _Receiver,
    runs: int,
) -> list[float]:
    loop = asyncio.get_running_loop()
    latencies: list[float] = []
    for n in range(runs + 1):  # the first run warms the worker up and is not counted
        receiver.expect(len(world.endpoints))
        committed = await loop.run_in_executor(None, _commit_move, factory, world, f"m{n}")
        await asyncio.wait_for(receiver.done.wait(), 60)
        if n:
            latencies.append(receiver.last_at - committed)
        await asyncio.sleep(0.2)  # results recorded, lanes idle again
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--subscribers", type=int, default=50)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--batch", type=int, default=Settings().worker_batch_size)
    args = parser.parse_args()
    with database.fresh_database(args.database_url, "delivery_fanout") as url:
        latencies = asyncio.run(_measure(url, args))
    _report(args, url, latencies)


def _report(args: argparse.Namespace, url: str, latencies: list[float]) -> None:
    ordered = sorted(latencies)
    p95 = ordered[max(math.ceil(0.95 * len(ordered)) - 1, 0)]
    engine = url.split(":", 1)[0]
    print(f"one move to {args.subscribers} subscribers, {args.runs} runs, batch {args.batch},"
          f" {engine}: commit to every 2xx")  # fmt: skip
    print(f"  median {statistics.median(ordered) * 1000:7.0f} ms")
    print(f"  p95    {p95 * 1000:7.0f} ms   (target 1000 ms)")
    print(f"  max    {ordered[-1] * 1000:7.0f} ms")


if __name__ == "__main__":
    main()
