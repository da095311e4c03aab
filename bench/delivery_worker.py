"""Delivery worker throughput and claim loop, as ratios to baselines measured in the same run.

    .venv/bin/python -m bench.delivery_worker --database-url postgresql://... [--deliveries 3000]

1. **Delivered signed events per second** with 4 endpoints: the in-process worker (recheck,
   signing, aiohttp, recording every attempt) against the bare sink's own capacity ``B_sink``
   (pre-built keep-alive requests, as in ``bench/delivery_client.py``). Target: at least 50%.
2. **Claim loop**: the worker's claim-prepare-finish steps with a stand-in for the network
   (every send answered 204 at once) against the bare ``SKIP LOCKED`` claim and complete SQL at
   the same batch size. Target: at least 50% (PostgreSQL).

For scale, the sink's rate with the worker's HTTP client alone (aiohttp, signed, no database:
``bench/delivery_client.py``) is reported too: the worker cannot send faster than that.

A fresh database is created and migrated (SQLite in a temporary directory by default).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import multiprocessing
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

import migrations
from bench import delivery_client
from core import db
from notify import delivery_gate, delivery_sql, registry_repository, ssrf, worker
from notify.dispatch import common, finish, prepare, registry_cache
from notify.tables import outbox
from notify.transports import webhook
from tests.support import outbox_world

ENDPOINTS = 4


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _fill(factory: db.SessionFactory, world: outbox_world.World, count: int) -> None:
    """``count`` deliveries, one per lane, spread over the endpoints."""
    with db.unit_of_work(factory) as session:
        for n in range(count):
            partner = f"P{n % ENDPOINTS}"
            world.enqueue(session, partner=partner, subject_id=f"s{n}", now=_now())


def delivered_per_second(engine: sa.Engine, args: argparse.Namespace) -> float:
    running = worker.Worker(
        engine=engine,
        gate=delivery_gate.RegistryGate(registry_cache.CachedRegistry(registry_repository.load)),
        sender=webhook.AiohttpSender(
            policy=ssrf.TargetPolicy.for_deployment(allow_private_targets=True)
        ),
        options=worker.Options(
            concurrency=args.concurrency, batch_size=args.batch, poll_s=1.0, once=True
        ),
    )
    started = time.perf_counter()
    tally = asyncio.run(running.run())
    elapsed = time.perf_counter() - started
    if tally.delivered != args.deliveries:
        raise SystemExit(f"only {tally.delivered} of {args.deliveries} delivered")
    return tally.delivered / elapsed


def claim_loop_per_second(engine: sa.Engine, factory: db.SessionFactory, k: int) -> float:
    """The worker's own steps, every send answered 204 at once (objects frozen out of the
    garbage collector first, as the worker does when it starts)."""
    gc.freeze()
    cfg = common.Config(worker_id="bench")
    gate = delivery_gate.RegistryGate(registry_cache.CachedRegistry(registry_repository.load))
    done, started = 0, time.perf_counter()
    while True:
        with db.unit_of_work(factory) as session:
            claimed = prepare.claim_and_prepare(session, cfg=cfg, gate=gate, now=_now(), k=k)
        if not claimed.lanes:
            break
        now = _now()
        results = [
            common.Result(send=s, result=webhook.WebhookResult(status=204), finished_at=now)
            for s in claimed.sends
        ]
        with db.unit_of_work(factory) as session:
            finish.finish(session, results=results, cfg=cfg)
        done += len(results)
    return done / (time.perf_counter() - started)


BARE_COMPLETE = sa.text(
    "UPDATE delivery_lane SET state = 'idle', lease_owner = NULL WHERE ordering_key IN :keys"
).bindparams(sa.bindparam("keys", expanding=True))


def bare_claims_per_second(engine: sa.Engine, k: int) -> float:
    """The claim SQL alone, then one UPDATE completing the batch: the floor of the work."""
    claim = (
        delivery_sql.CLAIM_LANES_SQLITE
        if engine.dialect.name == "sqlite"
        else delivery_sql.CLAIM_LANES_POSTGRESQL
    )
    done, started = 0, time.perf_counter()
    while True:
        now = _now()
        with engine.begin() as conn:
            params = {"worker": "bare", "now": now, "lease_until": now, "k": k}
            keys = list(conn.execute(claim, params).scalars())
        if not keys:
            break
        with engine.begin() as conn:
            conn.execute(BARE_COMPLETE, {"keys": keys})
        done += len(keys)
    return done / (time.perf_counter() - started)


def _rearm(engine: sa.Engine) -> None:
    """Every lane due again, every delivery pending again (the next loop has work)."""
    with engine.begin() as conn:
        conn.execute(sa.update(outbox.DeliveryLane).values(state="ready", next_attempt_at=_now()))
        conn.execute(
            sa.update(outbox.Delivery).values(
                state="pending", next_attempt_at=None, schedule_index=0
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--deliveries", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--batch", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        run(url, args)


def run(url: str, args: argparse.Namespace) -> None:
    migrations.upgrade(url)
    engine = db.create_engine(url)
    factory = db.session_factory(engine)
    port, ready = delivery_client._free_port(), multiprocessing.Event()
    sink = multiprocessing.Process(target=delivery_client._sink, args=(port, ready), daemon=True)
    sink.start()
    try:
        if not ready.wait(15):
            raise SystemExit("the sink did not start")
        base = asyncio.run(delivery_client.raw(port, args.deliveries, args.concurrency))
        client = asyncio.run(delivery_client.with_aiohttp(port, args.deliveries, args.concurrency))
        urls = [f"http://127.0.0.1:{port}/hook?e={n}" for n in range(ENDPOINTS)]
        with db.unit_of_work(factory) as session:
            world = outbox_world.build(session, urls, now=_now(), max_in_flight=args.concurrency)
        _fill(factory, world, args.deliveries)
        rate = delivered_per_second(engine, args)
    finally:
        sink.terminate()
        sink.join()
    _rearm(engine)
    loop = claim_loop_per_second(engine, factory, args.batch)
    _rearm(engine)
    bare = bare_claims_per_second(engine, args.batch)
    engine.dispose()
    _report(args, engine.dialect.name, (base, client), rate, loop, bare)


def _report(
    args: argparse.Namespace,
    engine: str,
    sinks: tuple[float, float],
    rate: float,
    loop: float,
    bare: float,
) -> None:
    base, client = sinks
    print(f"{args.deliveries} deliveries, {ENDPOINTS} endpoints, concurrency {args.concurrency},"
          f" batch {args.batch}, {engine}")  # fmt: skip
    print(f"  B_sink (raw keep-alive)       {base:9.0f} req/s")
    print(f"  aiohttp alone (signed, no DB) {client:9.0f} req/s  {client / base:6.1%} of B_sink")
    print(f"  worker, delivered signed      {rate:9.0f} /s  {rate / base:6.1%} of B_sink")
    print(f"  bare SKIP LOCKED claim+done   {bare:9.0f} /s")
    print(f"  worker claim loop (no network){loop:9.0f} /s  {loop / bare:6.1%} of bare SQL")


if __name__ == "__main__":
    main()
