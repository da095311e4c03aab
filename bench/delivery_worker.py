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
import contextlib
import dataclasses
import datetime as dt
import gc
import multiprocessing
import multiprocessing.synchronize
import os
import time
from pathlib import Path

import sqlalchemy as sa

from bench import database, delivery_client
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
    """``count`` deliveries, one per lane, spread over the endpoints; the tables analysed
    afterwards, as autovacuum would have done on a database in use (on tables without
    statistics the planner's choices are not those of production)."""
    with db.unit_of_work(factory) as session:
        for n in range(count):
            partner = f"P{n % ENDPOINTS}"
            world.enqueue(session, partner=partner, subject_id=f"s{n}", now=_now())
    with db.unit_of_work(factory) as session:
        session.execute(sa.text("ANALYZE"))


def _worker(engine: sa.Engine, args: argparse.Namespace) -> worker.Worker:
    return worker.Worker(
        engine=engine,
        gate=delivery_gate.RegistryGate(registry_cache.CachedRegistry(registry_repository.load)),
        sender=webhook.AiohttpSender(
            policy=ssrf.TargetPolicy.for_deployment(allow_private_targets=True)
        ),
        options=worker.Options(
            concurrency=args.concurrency, batch_size=args.batch, poll_s=1.0, once=True
        ),
    )


def delivered_per_second(engine: sa.Engine, args: argparse.Namespace) -> float:
    running = _worker(engine, args)
    started = time.perf_counter()
    tally = asyncio.run(running.run())
    elapsed = time.perf_counter() - started
    if tally.delivered != args.deliveries:
        raise SystemExit(f"only {tally.delivered} of {args.deliveries} delivered")
    return tally.delivered / elapsed


def delivered_by_processes(url: str, args: argparse.Namespace, processes: int) -> float:
    """Delivered per second by ``processes`` workers sharing the queue (``SKIP LOCKED``), each
    in its own process, started together; from the start until the last one is done."""
    start = multiprocessing.Event()
    done: multiprocessing.Queue[int] = multiprocessing.Queue()
    children = [
        multiprocessing.Process(target=_one_worker, args=(url, args, start, done))
        for _ in range(processes)
    ]
    for child in children:
        child.start()
    time.sleep(2.0)  # imports and connections, outside the measure
    started = time.perf_counter()
    start.set()
    delivered = sum(int(done.get(timeout=600)) for _ in children)
    elapsed = time.perf_counter() - started
    for child in children:
        child.join()
    if delivered != args.deliveries:
        raise SystemExit(f"only {delivered} of {args.deliveries} delivered")
    return delivered / elapsed


def _one_worker(
    url: str,
    args: argparse.Namespace,
    start: multiprocessing.synchronize.Event,
    done: multiprocessing.Queue[int],
) -> None:
    engine = db.create_engine(url)
    with engine.connect():
        pass
    running = _worker(engine, args)
    start.wait()
    done.put(asyncio.run(running.run()).delivered)


def claim_loop_per_second(
    engine: sa.Engine,
    factory: db.SessionFactory,
    k: int,
    gate: delivery_gate.Gate | None = None,
) -> float:
    """The worker's own steps, every send answered 204 at once (objects frozen out of the
    garbage collector first, as the worker does when it starts)."""
    gc.freeze()
    cfg = common.Config(worker_id="bench")
    gate = gate or delivery_gate.RegistryGate(
        registry_cache.CachedRegistry(registry_repository.load)
    )
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


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Round:
    """One claim-loop round: its rate and the CPU it cost per delivery."""

    per_second: float
    python_ms: float  # this process (the claim loop runs in it alone)
    postgresql_ms: float  # the database's backends serving this engine's connections


def claim_loop_rounds(
    engine: sa.Engine, factory: db.SessionFactory, k: int, rounds: int, deliveries: int
) -> list[Round]:
    """The claim loop ``rounds`` times over the same lanes (made due again between rounds),
    with the CPU it costs: steadier on a shared machine than its wall-clock rate."""
    gate = delivery_gate.RegistryGate(registry_cache.CachedRegistry(registry_repository.load))
    measured = []
    for _ in range(rounds):
        _rearm(engine)
        before = (time.process_time(), _backend_cpu_s(engine))
        rate = claim_loop_per_second(engine, factory, k, gate)
        python_s = time.process_time() - before[0]
        backend_s = _backend_cpu_s(engine) - before[1]
        measured.append(Round(per_second=rate, python_ms=python_s * 1000 / deliveries,
                              postgresql_ms=backend_s * 1000 / deliveries))  # fmt: skip
    return measured


_BACKENDS = sa.text(
    "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
    " AND backend_type = 'client backend'"
)
_TICK_S = 1 / os.sysconf("SC_CLK_TCK")


def _backend_cpu_s(engine: sa.Engine) -> float:
    """CPU seconds used so far by the database's client backends (PostgreSQL on this host;
    0 on SQLite, which runs in this process)."""
    if engine.dialect.name == "sqlite":
        return 0.0
    with engine.connect() as conn:
        pids = list(conn.execute(_BACKENDS).scalars())
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total * _TICK_S


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


def _shared_queue(url: str, engine: sa.Engine, args: argparse.Namespace) -> tuple[float, float]:
    """The delivered rate again, over the same deliveries made due again: one worker in this
    process, then ``--processes`` worker processes."""
    _rearm(engine)
    one = delivered_per_second(engine, args)
    _rearm(engine)
    engine.dispose()
    return one, delivered_by_processes(url, args, args.processes)


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
    parser.add_argument(
        "--processes", type=int, default=1, help="also deliver with this many worker processes"
    )
    parser.add_argument(
        "--cpu-rounds", type=int, default=0, help="claim-loop rounds measuring CPU per delivery"
    )
    args = parser.parse_args()
    with database.fresh_database(args.database_url, "delivery_worker") as url:
        run(url, args)


def run(url: str, args: argparse.Namespace) -> None:
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
        shared = _shared_queue(url, engine, args) if args.processes > 1 else None
    finally:
        sink.terminate()
        sink.join()
    _rearm(engine)
    loop = claim_loop_per_second(engine, factory, args.batch)
    _rearm(engine)
    bare = bare_claims_per_second(engine, args.batch)
    rounds = claim_loop_rounds(engine, factory, args.batch, args.cpu_rounds, args.deliveries)
    engine.dispose()
    _report(args, engine.dialect.name, (base, client), rate, loop, bare)
    if shared is not None:
        single, many = shared
        print(f"  again, re-armed: 1 worker process {single:6.0f} /s  {single / base:6.1%} of"
              f" B_sink; {args.processes} processes {many:6.0f} /s {many / base:6.1%}")  # fmt: skip
    for n, one in enumerate(rounds, 1):
        print(f"  claim loop round {n}: {one.per_second:6.0f} /s, CPU per delivery:"
              f" Python {one.python_ms:.3f} ms, PostgreSQL {one.postgresql_ms:.3f} ms")  # fmt: skip


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
