"""Delivery extras through the command line, as real processes, on both engines:

* ``addresshub filedrop run`` writes a file-drop subscription's deliveries as one CSV (and a
  manifest) in the drop directory, and writes nothing twice;
* ``addresshub worker --once`` runs the periodic jobs beside the worker: a due file-drop batch
  is written and an operational notice (a disabled endpoint) reaches the operations endpoint
  and the partner's other endpoint, both real receivers verifying with ``standardwebhooks``;
* ``addresshub endpoints test`` sends a signed test event now; ``ops-notices list`` shows the
  notices;
* ``addresshub deliveries reroute`` moves a dead letter to the service's file drop: the next
  batch carries it, and the person's later event then goes by webhook;
* ``addresshub uprns register`` loads the UPRNs a service holds from a CSV, and a bad line
  changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from core import db, ids
from notify import ack_signing, codes, endpoint_repository, signing
from notify.tables import outbox, registry
from tests.support import acceptance, outbox_world, receivers

ENV = {"ADDRESSHUB_ENVIRONMENT": "test", "ADDRESSHUB_ALLOW_PRIVATE_WEBHOOK_TARGETS": "1"}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@pytest.fixture
def factory(db_url: str) -> Iterator[db.SessionFactory]:
    engine = db.create_engine(db_url)
    yield db.session_factory(engine)
    engine.dispose()


def _file_drop_world(factory: db.SessionFactory, urls: list[str], rows: int) -> outbox_world.World:
    with db.unit_of_work(factory) as session:
        world = outbox_world.build(session, urls, now=_now())
        subscription = registry.Subscription(
            id=ids.new_id(), partner_service_id="P0/COUNCIL_TAX", channel="file_drop",
            endpoint_id=None, event_types=[], status="active", created_at=_now(),
        )  # fmt: skip
        session.add(subscription)
        session.flush()
        world.subscriptions["P0"] = subscription.id
        for _ in range(rows):
            delivery = world.enqueue(session, partner="P0", subject_id=ids.new_id(), now=_now())
            delivery.endpoint_id = None
    return world


def _csv_rows(directory: Path) -> list[dict[str, str]]:
    (path,) = directory.glob("*.csv")
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def test_filedrop_run_writes_each_delivery_once(
    db_url: str, factory: db.SessionFactory, tmp_path: Path
) -> None:
    _file_drop_world(factory, ["https://p0.example/h"], rows=3)
    drop = tmp_path / "drop"
    first = acceptance.cli_json(
        "filedrop", "run", "--directory", str(drop), database_url=db_url, env=ENV
    )
    assert [(b["rows"], b["partner_service_id"]) for b in first["batches"]] == [
        (3, "P0/COUNCIL_TAX")
    ]
    assert len(_csv_rows(drop)) == 3 and not list(drop.glob(".*"))
    again = acceptance.cli_json(
        "filedrop", "run", "--directory", str(drop), database_url=db_url, env=ENV
    )
    assert again["batches"] == [] and len(list(drop.iterdir())) == 2
    with db.unit_of_work(factory) as session:
        states = session.scalars(sa.select(outbox.Delivery.state)).all()
    assert sorted(states) == ["delivered"] * 3
    missing = acceptance.run_cli("filedrop", "run", database_url=db_url, env=ENV)
    acceptance.assert_one_line_failure(missing)


def test_a_worker_writes_due_files_and_sends_operational_events(
    db_url: str, factory: db.SessionFactory, tmp_path: Path
) -> None:
    ops_secret = signing.new_secret()
    with receivers.receivers([ops_secret], []) as (ops, desk):
        world = _file_drop_world(factory, ["https://p0.example/h", desk.url], rows=2)
        with db.unit_of_work(factory) as session:
            endpoint = session.get(registry.Endpoint, world.endpoints["P0"])
            assert endpoint is not None
            endpoint_repository.disable_endpoint(
                session, endpoint=endpoint, reason="gone_410", now=_now()
            )
            other = session.get(registry.Endpoint, world.endpoints["P1"])
            assert other is not None
            other.partner_id, other.operational_events = "P0", True
        desk.rotate([world.secrets["P1"]])
        drop = tmp_path / "drop"
        env = ENV | {
            "ADDRESSHUB_FILE_DROP_DIRECTORY": str(drop),
            "ADDRESSHUB_OPS_WEBHOOK_URL": ops.url,
            "ADDRESSHUB_OPS_WEBHOOK_SECRET": ops_secret,
        }
        report = acceptance.cli_json("worker", "--once", database_url=db_url, env=env, timeout=120)
        assert (report["files_written"], report["rows_written"], report["notices_sent"]) == (
            1,
            2,
            2,
        )
        assert len(_csv_rows(drop)) == 2
        for receiver in (ops, desk):
            (got,) = receiver.accepted()
            assert receiver.rejected == 0
            assert got.event["type"] == "uk.gov.example.addresshub.endpoint.disabled"
            assert got.event["data"]["endpoint_id"] == world.endpoints["P0"]
        listed = acceptance.cli_json(
            "ops-notices", "list", "--partner", "P0", database_url=db_url, env=ENV
        )
        assert [(n["kind"], n["sent_at"] is not None) for n in listed["notices"]] == [
            ("endpoint.disabled", True)
        ]
        tested = acceptance.cli_json(
            "endpoints", "test", world.endpoints["P1"], database_url=db_url, env=ENV
        )
        assert (tested["delivered"], tested["http_status"]) == (True, 204)
        assert desk.requests()[-1].event["type"].endswith("endpoint.test") and desk.rejected == 0
        issued = acceptance.cli_json(
            "endpoints", "rotate-ack-secret", world.endpoints["P1"], database_url=db_url, env=ENV
        )
        assert issued["secret"].startswith("whsec_")
        with db.unit_of_work(factory) as session:
            assert ack_signing.secrets(session, partner_id="P0", now=_now()) == [issued["secret"]]


def test_filedrop_collected_marks_a_batch_collected_once(
    db_url: str, factory: db.SessionFactory, tmp_path: Path
) -> None:
    _file_drop_world(factory, ["https://p0.example/h"], rows=1)
    drop = tmp_path / "drop"
    (batch,) = acceptance.cli_json(
        "filedrop", "run", "--directory", str(drop), database_url=db_url, env=ENV
    )["batches"]
    done = acceptance.cli_json(
        "filedrop", "collected", batch["batch_id"], "--by", "clerk", database_url=db_url, env=ENV
    )
    assert (done["state"], done["collected_by"], done["collected_via"]) == (
        "collected",
        "clerk",
        "command_line",
    )
    assert done["already_collected"] is False
    listed = acceptance.cli_json(
        "filedrop", "batches", "--state", "collected", database_url=db_url, env=ENV
    )["batches"]
    assert [(b["id"], b["collected_by"]) for b in listed] == [(batch["batch_id"], "clerk")]
    again = acceptance.cli_json(
        "filedrop", "collected", batch["batch_id"], database_url=db_url, env=ENV
    )
    assert again["already_collected"] is True and again["collected_by"] == "clerk"


def test_a_dead_letter_rerouted_to_the_file_drop_is_written_there_and_its_lane_moves_on(
    db_url: str, factory: db.SessionFactory, tmp_path: Path
) -> None:
    with receivers.Receiver([]) as sink:
        with db.unit_of_work(factory) as session:
            world = outbox_world.build(session, [sink.url], now=_now())
            dead = world.enqueue(session, partner="P0", subject_id="s1", now=_now())
            later = world.enqueue(session, partner="P0", subject_id="s1", now=_now())
            dead.state, dead.close_reason, dead.next_attempt_at = "dead", "dead", None
            drop_id = ids.new_id()
            session.add(registry.Subscription(
                id=drop_id, partner_service_id="P0/COUNCIL_TAX", channel="file_drop",
                endpoint_id=None, event_types=[codes.SUBMITTED], status="active",
                created_at=_now(),
            ))  # fmt: skip
        sink.rotate([world.secrets["P0"]])
        moved = acceptance.cli_json("deliveries", "reroute", dead.id, "--reason", "desk asked",
                                    database_url=db_url, env=ENV)  # fmt: skip
        assert moved == {"rerouted": [dead.id], "subscription_id": drop_id, "channel": "file_drop"}
        again = acceptance.run_cli("deliveries", "reroute", dead.id, database_url=db_url, env=ENV)
        assert "only a dead or held" in acceptance.assert_one_line_failure(again, exit_code=4)
        acceptance.cli_json("worker", "--once", database_url=db_url, env=ENV, timeout=120)
        assert sink.requests() == []  # neither the rerouted one nor the one behind it
        drop = tmp_path / "drop"
        acceptance.cli_json("filedrop", "run", "--directory", str(drop), database_url=db_url,
                            env=ENV)  # fmt: skip
        assert [r["event_id"] for r in _csv_rows(drop)] == [dead.id]  # the same id
        acceptance.cli_json("worker", "--once", database_url=db_url, env=ENV, timeout=120)
        assert sink.unique_ids() == {f"msg_{later.id}"} and sink.rejected == 0


def test_an_operator_registers_the_uprns_a_service_holds(
    db_url: str, factory: db.SessionFactory, tmp_path: Path
) -> None:
    with db.unit_of_work(factory) as session:
        outbox_world.build(session, ["https://p0.example/h"], now=_now())
    held = tmp_path / "council-tax.csv"
    held.write_text("account,UPRN\nCT1,100023336956\nCT2,10023117655\n", encoding="utf-8")
    done = acceptance.cli_json("uprns", "register", "P0/COUNCIL_TAX", str(held),
                               database_url=db_url, env=ENV)  # fmt: skip
    assert (done["held"], done["added"], done["ended"]) == (2, 2, 0)
    listed = acceptance.cli_json("uprns", "list", "P0/COUNCIL_TAX", database_url=db_url, env=ENV)
    assert listed["uprns"] == [10023117655, 100023336956]
    held.write_text("UPRN\n10023117655\nnot-a-uprn\n", encoding="utf-8")
    refused = acceptance.run_cli("uprns", "register", "P0/COUNCIL_TAX", str(held),
                                 database_url=db_url, env=ENV)  # fmt: skip
    assert "line 3" in acceptance.assert_one_line_failure(refused)
    again = acceptance.cli_json("uprns", "list", "P0/COUNCIL_TAX", database_url=db_url, env=ENV)
    assert again["uprns"] == listed["uprns"]  # nothing changed
