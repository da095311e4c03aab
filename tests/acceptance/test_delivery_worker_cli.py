"""``addresshub worker`` as real processes against real receivers (verifying signatures).

* one worker delivers everything, on both engines, and ``--once`` exits when nothing is due;
* a receiver that fails, times out and throttles gets everything once it recovers (the retry
  schedule compressed by ``ADDRESSHUB_DELIVERY_TIME_SCALE``);
* SIGTERM lets a request in flight finish and be recorded;
* on SQLite a second worker refuses to start;
* on PostgreSQL, two to four workers, one killed (``kill -9``) in the middle of its batch 100
  times in a loop (``ADDRESSHUB_KILL_ROUNDS`` sets another count), their number changing
  between rounds: nothing lost, duplicates only with the same ``webhook-id``, order per lane
  kept (V3);
* PostgreSQL restarted under load: the workers carry on by themselves.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import random
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from core import db
from notify import delivery_tables as dt_tables
from notify.tables import outbox, registry
from tests.support import acceptance, outbox_world, receivers

KILL_ROUNDS = int(os.environ.get("ADDRESSHUB_KILL_ROUNDS", "100"))
WORKER_ENV = {
    "ADDRESSHUB_ENVIRONMENT": "test",
    "ADDRESSHUB_ALLOW_PRIVATE_WEBHOOK_TARGETS": "1",
    "ADDRESSHUB_DELIVERY_TIME_SCALE": "0.0002",
    "ADDRESSHUB_WORKER_LEASE_SECONDS": "3",
    "ADDRESSHUB_WORKER_POLL_SECONDS": "0.05",
}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@pytest.fixture
def factory(db_url: str) -> Iterator[db.SessionFactory]:
    engine = db.create_engine(db_url)
    yield db.session_factory(engine)
    engine.dispose()


@pytest.fixture
def pg_url(_pg_database: str) -> str:
    """A fresh migrated PostgreSQL database (tests about many workers sharing the queue)."""
    return _pg_database


@pytest.fixture
def sqlite_url(_sqlite_template: Path, tmp_path: Path) -> str:
    """A fresh migrated SQLite database (tests about its single writer)."""
    target = tmp_path / "addresshub.db"
    shutil.copyfile(_sqlite_template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def pg_factory(pg_url: str) -> Iterator[db.SessionFactory]:
    engine = db.create_engine(pg_url)
    yield db.session_factory(engine)
    engine.dispose()


def _world(factory: db.SessionFactory, urls: list[str], **limits: Any) -> outbox_world.World:
    with db.unit_of_work(factory) as session:
        return outbox_world.build(session, urls, now=_now(), **limits)


def _enqueue(
    factory: db.SessionFactory, world: outbox_world.World, partners: list[str], per_lane: int,
    subjects: int, first_subject: int = 0,
) -> list[str]:  # fmt: skip
    with db.unit_of_work(factory) as session:
        return [
            world.enqueue(session, partner=p, subject_id=f"s{s}", now=_now()).id
            for _ in range(per_lane)
            for s in range(first_subject, first_subject + subjects)
            for p in partners
        ]


def _start(db_url: str, log: Path, *args: str) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [str(acceptance.ADDRESSHUB), "worker", *args, "--database-url", db_url],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **WORKER_ENV},
        )


@contextlib.contextmanager
def _workers(db_url: str, log: Path, count: int = 1) -> Iterator[list[subprocess.Popen[bytes]]]:
    started = [_start(db_url, log) for _ in range(count)]
    try:
        yield started
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
            process.wait(10)


def _states(factory: db.SessionFactory) -> dict[str, str]:
    with db.unit_of_work(factory) as session:
        return dict(session.execute(sa.select(outbox.Delivery.id, outbox.Delivery.state)).all())


def _settled(factory: db.SessionFactory, timeout_s: float = 60.0) -> bool:
    """Wait until every delivery is recorded as delivered (results trail the receiver)."""
    deadline = time.monotonic() + timeout_s
    while set(_states(factory).values()) != {"delivered"}:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _assert_in_order(sink: receivers.Receiver) -> None:
    for partition, sequences in sink.first_seen_sequences().items():
        assert sequences == sorted(set(sequences)), partition


def test_worker_once_delivers_everything_and_reports(
    db_url: str, factory: db.SessionFactory, tmp_path: Path
) -> None:
    with receivers.Receiver([]) as sink:
        world = _world(factory, [sink.url, sink.url + "?two"])
        sink.rotate(list(world.secrets.values()))
        ids = _enqueue(factory, world, ["P0", "P1"], per_lane=2, subjects=3)
        result = acceptance.run_cli(
            "worker", "--once", "--json", database_url=db_url, env=WORKER_ENV
        )
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout)
        assert report["delivered"] == len(ids) == 12
        assert sink.unique_ids() == {"msg_" + i for i in ids}
        assert sink.rejected == 0
        _assert_in_order(sink)
    assert set(_states(factory).values()) == {"delivered"}


def test_a_receiver_that_fails_then_recovers_gets_everything(
    db_url: str, factory: db.SessionFactory, tmp_path: Path
) -> None:
    with receivers.Receiver([]) as sink:
        world = _world(factory, [sink.url])
        sink.rotate([world.secrets["P0"]])
        with db.unit_of_work(factory) as session:
            endpoint = session.get(registry.Endpoint, world.endpoints["P0"])
            assert endpoint is not None
            endpoint.timeout_s = 1
        sink.script(
            receivers.status(500),
            receivers.hang(3),
            receivers.close(),
            receivers.status(429, retry_after="2"),
            receivers.status(503),
        )
        ids = _enqueue(factory, world, ["P0"], per_lane=3, subjects=2)
        with _workers(db_url, tmp_path / "worker.log"):
            assert sink.wait_until(lambda r: len(r.unique_ids()) == len(ids), timeout_s=90), (
                tmp_path / "worker.log"
            ).read_text()
            assert _settled(factory)
        _assert_in_order(sink)
        assert sink.rejected == 0


def test_sigterm_lets_the_request_in_flight_finish(
    db_url: str, factory: db.SessionFactory, tmp_path: Path
) -> None:
    with receivers.Receiver([]) as sink:
        world = _world(factory, [sink.url])
        sink.rotate([world.secrets["P0"]])
        sink.script(receivers.slow(2.0))
        (only,) = _enqueue(factory, world, ["P0"], per_lane=1, subjects=1)
        with _workers(db_url, tmp_path / "worker.log") as (process,):
            assert sink.wait_until(lambda r: len(r.requests()) == 1, timeout_s=30)
            process.send_signal(signal.SIGTERM)
            assert process.wait(30) == 0, (tmp_path / "worker.log").read_text()
    assert _states(factory) == {only: "delivered"}
    with db.unit_of_work(factory) as session:
        (attempt,) = session.scalars(sa.select(dt_tables.DeliveryAttempt)).all()
        assert (attempt.phase, attempt.http_status) == ("finished", 204)


def test_a_second_worker_on_sqlite_refuses_to_start(sqlite_url: str, tmp_path: Path) -> None:
    with _workers(sqlite_url, tmp_path / "first.log") as (first,):
        time.sleep(2)
        assert first.poll() is None
        result = acceptance.run_cli("worker", database_url=sqlite_url, env=WORKER_ENV, timeout=60)
        line = acceptance.assert_one_line_failure(result, exit_code=4)
        assert "another worker" in line


def test_killing_workers_mid_batch_loses_nothing_and_keeps_order(
    pg_url: str, pg_factory: db.SessionFactory, tmp_path: Path
) -> None:
    db_url, factory = pg_url, pg_factory
    rng = random.Random(6)
    log = tmp_path / "workers.log"
    with receivers.Receiver([]) as sink:
        world = _world(factory, [sink.url, sink.url + "?b", sink.url + "?c"], max_in_flight=4)
        sink.rotate(list(world.secrets.values()))
        sink.answer(receivers.slow(0.02))
        queue = _KillQueue(factory, world, sink)
        mid_send = 0  # rounds whose kill came while the workers were sending
        with _workers(db_url, log, count=3) as running:
            for _ in range(KILL_ROUNDS):
                queue.top_up()
                before = len(sink.requests())
                mid_send += sink.wait_until(_more_requests_than(before + 2), timeout_s=10)
                victim = running.pop(rng.randrange(len(running)))
                victim.kill()  # SIGKILL: no chance to finish or release anything
                victim.wait(10)
                running.extend(_start(db_url, log) for _ in range(rng.randint(2, 4) - len(running)))
            wanted = {"msg_" + i for i in queue.ids}
            done = sink.wait_until(lambda r: r.unique_ids() >= wanted, timeout_s=120)
            assert done, log.read_text()[-3000:]
            assert _settled(factory), log.read_text()[-3000:]
    assert mid_send >= 0.9 * KILL_ROUNDS
    assert sink.unique_ids() == {"msg_" + i for i in queue.ids}
    assert sink.rejected == 0
    _assert_in_order(sink)
    bodies: dict[str, bytes] = {}
    for request in sink.requests():
        assert bodies.setdefault(request.webhook_id, request.body) == request.body
    assert set(_states(factory).values()) == {"delivered"}
    with db.unit_of_work(factory) as session:
        lost = session.scalars(
            sa.select(sa.func.count()).where(
                dt_tables.DeliveryAttempt.error_kind == "reset",
                dt_tables.DeliveryAttempt.latency_ms.is_(None),
            )
        ).one()
    assert lost >= 1  # some kill did land mid-batch, and its lease was swept back


class _KillQueue:
    """Deliveries for the kill loop, topped up (four per lane, new people) so that sends are
    always in flight for the next kill however fast the workers go."""

    CHUNK_SUBJECTS = 10

    def __init__(
        self, factory: db.SessionFactory, world: outbox_world.World, sink: receivers.Receiver
    ) -> None:
        self._factory, self._world, self._sink = factory, world, sink
        self.ids: list[str] = []
        self._subjects = 0

    def top_up(self) -> None:
        if len(self.ids) - len(self._sink.unique_ids()) >= 60:
            return
        self.ids += _enqueue(
            self._factory, self._world, ["P0", "P1", "P2"], per_lane=4,
            subjects=self.CHUNK_SUBJECTS, first_subject=self._subjects,
        )  # fmt: skip
        self._subjects += self.CHUNK_SUBJECTS


def test_operator_commands_resend_rotate_list_and_enable(
    db_url: str, factory: db.SessionFactory
) -> None:
    with receivers.Receiver([]) as sink:
        world = _world(factory, [sink.url])
        old = world.secrets["P0"]
        endpoint = world.endpoints["P0"]
        (first,) = _enqueue(factory, world, ["P0"], per_lane=1, subjects=1)
        refused = acceptance.run_cli("deliveries", "resend", first, database_url=db_url)
        assert "only a dead delivery" in acceptance.assert_one_line_failure(refused, exit_code=4)
        with db.unit_of_work(factory) as session:
            row = session.get(outbox.Delivery, first)
            assert row is not None
            row.state = "dead"
        dead = acceptance.cli_json("deliveries", "list", "--state", "dead", "--partner", "P0",
                                   database_url=db_url)["deliveries"]  # fmt: skip
        assert [(d["id"], d["state"], d["endpoint_id"]) for d in dead] == [
            (first, "dead", endpoint)
        ]
        unknown = acceptance.run_cli("deliveries", "list", "--state", "failed", database_url=db_url)
        assert "dead" in acceptance.assert_one_line_failure(unknown)
        resent = acceptance.cli_json("deliveries", "resend", first, "--reason", "test",
                                     database_url=db_url)  # fmt: skip
        assert resent == {"resent": [first]}
        rotated = acceptance.cli_json("endpoints", "rotate-secret", endpoint, database_url=db_url)
        new = rotated["secret"]
        assert new.startswith("whsec_") and new != old
        sink.rotate([old])  # a receiver that has not switched yet still verifies
        once = acceptance.run_cli("worker", "--once", database_url=db_url, env=WORKER_ENV)
        assert once.returncode == 0, once.stderr
        assert sink.unique_ids() == {"msg_" + first}
        (request,) = sink.requests()
        assert len(request.signatures) == 2
        listed = acceptance.cli_json("endpoints", "list", "--partner", "P0", database_url=db_url)
        (row_json,) = listed["endpoints"]
        assert (row_json["endpoint_id"], row_json["deliveries"]) == (endpoint, {"delivered": 1})
        sink.allowed_origin = None  # the partner refuses the handshake: nothing changes
        refused = acceptance.run_cli("endpoints", "enable", endpoint, database_url=db_url,
                                     env=WORKER_ENV)  # fmt: skip
        assert "handshake" in acceptance.assert_one_line_failure(refused, exit_code=4)
        sink.allowed_origin, sink.allowed_rate = "*", "120"
        enabled = acceptance.cli_json("endpoints", "enable", endpoint, database_url=db_url,
                                      env=WORKER_ENV)  # fmt: skip
        assert enabled == {"endpoint_id": endpoint, "allowed_rate_per_s": 2.0}
        assert sink.handshakes == 2
        test_event = json.loads(sink.requests()[-1].body)
        assert test_event["type"].endswith(".endpoint.test")
    with db.unit_of_work(factory) as session:
        actions = session.scalars(sa.select(dt_tables.DeliveryAction)).all()
        assert [(a.action, a.reason) for a in actions] == [("resend", "test")]
        state = session.get(dt_tables.EndpointState, endpoint)
        assert state is not None
        assert state.rate_limit_per_s == 2.0


def _restart_postgresql(url: str) -> None:
    """Stop and start the test cluster the URL points at (``scripts/pg.sh`` made it)."""
    parsed = sa.make_url(url)
    socket_dir, port = str(parsed.query["host"]), str(parsed.query.get("port", "54329"))
    script = Path(__file__).resolve().parents[2] / "scripts" / "pg.sh"
    env = {**os.environ, "ADDRESSHUB_PG_PORT": port}
    subprocess.run([str(script), "stop", socket_dir], check=True, env=env, timeout=120)
    time.sleep(1.0)
    subprocess.run([str(script), "start", socket_dir], check=True, env=env, timeout=120,
                   stdout=subprocess.DEVNULL)  # fmt: skip


@pytest.mark.slow
def test_workers_recover_from_a_postgresql_restart_without_loss(
    pg_url: str, pg_factory: db.SessionFactory, tmp_path: Path
) -> None:
    log = tmp_path / "workers.log"
    with receivers.Receiver([]) as sink:
        world = _world(pg_factory, [sink.url, sink.url + "?b"])
        sink.rotate(list(world.secrets.values()))
        sink.answer(receivers.slow(0.05))
        ids = _enqueue(pg_factory, world, ["P0", "P1"], per_lane=3, subjects=10)
        with _workers(pg_url, log, count=2) as running:
            assert sink.wait_until(lambda r: len(r.unique_ids()) >= 5, timeout_s=60)
            assert len(sink.unique_ids()) < len(ids)  # the restart lands mid-stream
            _restart_postgresql(pg_url)
            # The test's own pooled connections died with the server; the workers must cope
            # by themselves, the test's reads simply start afresh.
            pg_factory.kw["bind"].dispose()
            wanted = {"msg_" + i for i in ids}
            assert sink.wait_until(lambda r: r.unique_ids() >= wanted, timeout_s=120), (
                log.read_text()
            )
            assert _settled(pg_factory), log.read_text()[-3000:]
            assert all(p.poll() is None for p in running)  # they carried on by themselves
    _assert_in_order(sink)
    assert sink.rejected == 0


def _more_requests_than(count: int) -> Callable[[receivers.Receiver], bool]:
    """A wait condition: the receiver has had more than ``count`` requests."""
    return lambda receiver: len(receiver.requests()) > count


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(p) for p in (task / "children").read_text().split()]
    return found


def test_worker_processes_share_the_queue_and_stop_together(
    pg_url: str, pg_factory: db.SessionFactory, tmp_path: Path
) -> None:
    with receivers.Receiver([]) as sink:
        world = _world(pg_factory, [sink.url, sink.url + "?b"])
        sink.rotate(list(world.secrets.values()))
        first = _enqueue(pg_factory, world, ["P0", "P1"], per_lane=2, subjects=10)
        report = acceptance.cli_json("worker", "--once", "--processes", "2", database_url=pg_url,
                                     env=WORKER_ENV, timeout=120)  # fmt: skip
        assert report["delivered"] == len(first) == 40
        assert len(set(report["worker_ids"])) == 2
        later = _enqueue(pg_factory, world, ["P0"], per_lane=1, subjects=5)
        with _workers(pg_url, tmp_path / "pool.log", count=0) as running:
            running.append(_start(pg_url, tmp_path / "pool.log", "--processes", "2"))
            wanted = {"msg_" + i for i in first + later}
            assert sink.wait_until(lambda r: r.unique_ids() >= wanted, timeout_s=60)
            children = _children(running[0].pid)
            assert len(children) == 2
            running[0].send_signal(signal.SIGTERM)
            assert running[0].wait(30) == 0, (tmp_path / "pool.log").read_text()[-2000:]
            for child in children:
                with pytest.raises(ProcessLookupError):
                    os.kill(child, 0)
    assert sink.rejected == 0
    _assert_in_order(sink)


def _gone(pid: int) -> bool:
    """The process has exited (a zombie not yet reaped by its new parent counts as gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in status


def test_worker_processes_stop_when_their_command_is_killed_outright(
    pg_url: str, tmp_path: Path
) -> None:
    log = tmp_path / "pool.log"
    with _workers(pg_url, log, count=0) as running:
        running.append(_start(pg_url, log, "--processes", "2"))
        deadline = time.monotonic() + 60
        while len(children := _children(running[0].pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(children) == 2, log.read_text()[-2000:]
        running[0].kill()
        running[0].wait(10)
        deadline = time.monotonic() + 60
        while not all(_gone(c) for c in children) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert all(_gone(c) for c in children), log.read_text()[-2000:]


def test_worker_processes_on_sqlite_are_refused(sqlite_url: str) -> None:
    refused = acceptance.run_cli("worker", "--processes", "2", database_url=sqlite_url,
                                 env=WORKER_ENV)  # fmt: skip
    assert "one writer" in acceptance.assert_one_line_failure(refused)
