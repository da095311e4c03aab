"""A submitted move's rows are written in two statements on PostgreSQL, sent in one pipeline
(the server inserts the first while the second is composed), and the new lanes it numbers and
wakes there are those the upsert and the wake-up of
:func:`notify.outbox.enqueue_plan` give (the general path, kept for lanes that may exist)."""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from core import ids
from notify import (
    events,
    gazetteer_facts,
    intake,
    intake_reads,
    move_domain,
    move_rows,
    outbox,
    registry_reads,
    row_batch,
    service,
)
from notify.tables import moves as m
from notify.tables import outbox as o
from notify.tables import registry as r
from tests.integration import sharing_world as w

NO_CONSENT = (
    intake.RecipientAnswer(
        partner_service_id="NEWTOWN-DC/COUNCIL_TAX", selected=True, answers={"adults": 2}
    ),
    intake.RecipientAnswer(partner_service_id="NEWTOWN-DC/LIBRARIES", selected=True),
)


@pytest.fixture
def seeded(session: orm.Session) -> orm.Session:
    return w.seeded(session)


@pytest.fixture
def statements(seeded: orm.Session) -> Iterator[list[str]]:
    """The SQL of every statement sent through SQLAlchemy while the test runs (the registry
    already read, as it is kept between moves)."""
    registry_reads.load_registry(seeded)
    seeded.commit()
    seen: list[str] = []
    engine = seeded.get_bind().engine

    def record(*args: Any) -> None:
        seen.append(" ".join(str(args[2]).split()))

    sa.event.listen(engine, "before_cursor_execute", record)
    yield seen
    sa.event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[row_batch.Batch, bool]]:
    """Every batch a move sends through :func:`notify.row_batch.pipelined`, and whether the
    driver's connection was in pipeline mode when it was sent."""
    batches: list[tuple[row_batch.Batch, bool]] = []
    original = row_batch.pipelined

    @contextlib.contextmanager
    def capture(session: orm.Session) -> Iterator[Callable[[row_batch.Batch], None]]:
        driver: Any = session.connection().connection.driver_connection
        with original(session) as send:

            def spy(batch: row_batch.Batch) -> None:
                on = getattr(driver, "pgconn", None) is not None and driver.pgconn.pipeline_status
                batches.append((batch, bool(on)))
                send(batch)

            yield spy

    monkeypatch.setattr(row_batch, "pipelined", capture)
    return batches


def test_a_move_writes_its_rows_in_two_statements_of_one_pipeline_on_postgresql(
    seeded: orm.Session,
    statements: list[str],
    sent: list[tuple[row_batch.Batch, bool]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    composed: list[str] = []
    original = row_batch._statement

    def record(*args: Any, **kwargs: Any) -> tuple[str, dict[str, str]]:
        text, parameters = original(*args, **kwargs)
        composed.append(text)
        return text, parameters

    monkeypatch.setattr(row_batch, "_statement", record)
    result = w.submit(seeded, recipients=NO_CONSENT)
    assert result.delivery_ids and not result.consent_ids
    writes = [s for s in statements if not s.startswith("SELECT")]
    if seeded.get_bind().dialect.name == "sqlite":  # executemany per table, no round trips
        assert any(s.startswith("INSERT INTO delivery ") for s in writes)
        assert not composed
        return
    assert not writes  # none through SQLAlchemy: both batches went by the pipeline
    assert [on for _, on in sent] == [True, True]
    first, second = composed
    for table in ("subject", "change_submission", "household_member", "recipient_choice",
                  "third_party_declaration", "plan_decision"):  # fmt: skip
        assert f'INSERT INTO "{table}"' in first and f'INSERT INTO "{table}"' not in second
    for table in ("consent_receipt", "outbox_event", "delivery_lane", "delivery",
                  "delivery_subject", "disclosure"):  # fmt: skip
        assert f'INSERT INTO "{table}"' in second and f'INSERT INTO "{table}"' not in first
    assert "pg_notify" in second
    assert len(statements) <= 8  # reads: gazetteer, registry, relationships, review, questions


def test_a_failed_first_batch_fails_the_move_and_writes_nothing(
    seeded: orm.Session, sent: list[tuple[row_batch.Batch, bool]]
) -> None:
    """A batch that fails on the server is reported at the pipeline's end as SQLAlchemy reports
    it; the batch sent after it is not applied either."""
    first = w.submit(seeded, recipients=NO_CONSENT)
    seeded.commit()
    count = seeded.scalar(sa.select(sa.func.count()).select_from(o.Delivery))
    with pytest.MonkeyPatch.context() as patch:  # the first move's reference and version again
        patch.setattr(intake, "new_reference", lambda _random: first.reference)
        with pytest.raises(sa.exc.IntegrityError):
            w.submit(seeded, recipients=NO_CONSENT)
    seeded.rollback()
    # On PostgreSQL the failing move sent both batches and its failure came at the pipeline's
    # end; on SQLite the first batch is written as it is sent, and failed there.
    assert len(sent) == (3 if seeded.get_bind().dialect.name == "sqlite" else 4)
    assert seeded.scalar(sa.select(sa.func.count()).select_from(o.Delivery)) == count


def _lanes(session: orm.Session, submission_id: str, subject_id: str) -> set[Any]:
    """Each lane of the person's deliveries, named by the (service, seq) it carries."""
    deliveries = session.scalars(
        sa.select(o.Delivery)
        .join(o.DeliverySubject, o.DeliverySubject.delivery_id == o.Delivery.id)
        .where(
            o.Delivery.submission_id == submission_id, o.DeliverySubject.subject_id == subject_id
        )
    ).all()
    lanes = {}
    for key in {d.ordering_key for d in deliveries}:
        lane = session.get(o.DeliveryLane, key)
        assert lane is not None
        carried = tuple(sorted((d.partner_service_id, d.seq) for d in deliveries
                               if d.ordering_key == key))  # fmt: skip
        lanes[carried] = (lane.last_seq, lane.state, lane.next_attempt_at, lane.endpoint_id)
    rows = {
        (d.partner_service_id, d.seq, d.state, d.not_before, d.endpoint_id, d.plan_decision_id,
         tuple(d.fields_planned), d.hold_reason, d.rule_id, d.rule_version_planned)
        for d in deliveries
    }  # fmt: skip
    return {frozenset(lanes.items()), frozenset(rows)}


def test_new_lanes_are_those_the_upsert_and_wake_up_give(seeded: orm.Session) -> None:
    result = w.submit(seeded, move_date=w.NOW.date())
    submission = seeded.get(m.ChangeSubmission, result.submission_id)
    assert submission is not None and result.plan is not None
    members = seeded.scalars(
        sa.select(m.HouseholdMember.subject_id).where(
            m.HouseholdMember.submission_id == submission.id
        )
    ).all()
    other = ids.new_id()  # the same plan enqueued for another new person by the general path
    move = intake.to_move(
        w.request(move_date=w.NOW.date()),
        reference=submission.reference,
        subject_ids=[other, *members],
    )
    ctx = outbox.Context(
        submission_id=submission.id,
        move=move,
        facts=gazetteer_facts.facts(seeded, move=move, settings=w.SETTINGS),
        registry=registry_reads.load_registry(seeded),
        keys=outbox.Keys.from_settings(w.SETTINGS),
        now=w.NOW,
    )
    decision_ids: dict[str, str] = dict(
        seeded.execute(
            sa.select(o.PlanDecision.partner_service_id, o.PlanDecision.id).where(
                o.PlanDecision.submission_id == submission.id
            )
        ).all()
    )
    assert outbox.enqueue_plan(seeded, ctx, result.plan, decision_ids)
    seeded.commit()
    assert _lanes(seeded, submission.id, submission.subject_id) == _lanes(
        seeded, submission.id, other
    )


def test_a_lane_that_exists_fails_the_new_move_insert(
    seeded: orm.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fast path never numbers a lane twice: an existing lane refuses the whole move."""
    subject = ids.new_id()
    original = intake.to_move

    def with_subject(*args: Any, **kwargs: Any) -> move_domain.Move:
        move = original(*args, **kwargs)
        return dataclasses.replace(move, person=dataclasses.replace(move.person, id=subject))

    monkeypatch.setattr(intake, "to_move", with_subject)
    registry = registry_reads.load_registry(seeded)
    service_id = "NEWTOWN-DC/COUNCIL_TAX"
    partner = registry.services[service_id].partner_id
    scope = partner if registry.partners[partner].ordering_scope == "partner" else service_id
    key = events.ordering_key(subject, scope)
    seeded.add(o.DeliveryLane(ordering_key=key, last_seq=3, state="idle"))
    seeded.commit()
    with pytest.raises(sa.exc.IntegrityError):
        service.submit_move(
            session=seeded, request=w.request(recipients=NO_CONSENT), settings=w.SETTINGS,
            now=w.NOW,
        )  # fmt: skip
    seeded.rollback()
    assert seeded.scalar(sa.select(sa.func.count()).select_from(o.Delivery)) == 0
    lane = seeded.get(o.DeliveryLane, key)
    assert lane is not None and lane.last_seq == 3


def test_plan_decisions_read_back_as_their_whole_rows(seeded: orm.Session) -> None:
    """The plan's own columns, sent once per batch, are stored on every decision row as the
    whole rows (:func:`move_rows.decision_shared` with each decision's values) give them."""
    result = w.submit(seeded, recipients=NO_CONSENT)
    assert result.plan is not None and len(result.plan.decisions) > 1
    seeded.commit()
    seeded.expire_all()
    table = o.PlanDecision.__table__
    stored = seeded.execute(
        sa.select(table).where(table.c.submission_id == result.submission_id)
    ).mappings()
    got = {row["partner_service_id"]: {k: v for k, v in row.items() if k != "id"}
           for row in stored}  # fmt: skip
    shared = move_rows.decision_shared(result.plan, result.submission_id)
    expected = {}
    for d in result.plan.decisions:
        whole = {**shared, **move_rows.decision_values(d)}
        expected[d.partner_service_id] = {
            c.name: whole.get(c.key) for c in table.columns if c.name != "id"
        }
    assert got == expected


def test_the_registry_version_comes_with_the_review_check(
    seeded: orm.Session, statements: list[str]
) -> None:
    """On PostgreSQL a move reads the registry's version in the review check's statement
    (none of its own); the registry kept is used while it is unchanged and read again after a
    registry row changed, on both engines."""
    url = seeded.get_bind().engine.url.render_as_string(hide_password=True)
    kept = registry_reads._REGISTRIES[url]
    loads = kept.loads
    w.submit(seeded, recipients=NO_CONSENT)
    seeded.commit()
    with_version = [s for s in statements if "FROM registry_version" in s]
    dialect = seeded.get_bind().dialect
    if dialect.name == "postgresql":  # read ahead on the driver (notify.intake_reads)
        assert not with_version
        statement = intake_reads._review_statement(dialect, 2).sql
        assert "'registry'" in statement and "move_block" in statement
        assert "FROM registry_version" in statement
    assert kept.loads == loads
    seeded.execute(sa.update(r.Partner).values(name_en=r.Partner.name_en + "!"))
    seeded.commit()
    w.submit(seeded, recipients=NO_CONSENT)
    assert kept.loads == loads + 1
    assert registry_reads.load_registry(seeded) is registry_reads.load_registry(seeded)


def test_delivery_attributes_computed_from_the_body_equal_the_rows_built(
    seeded: orm.Session, sent: list[tuple[row_batch.Batch, bool]]
) -> None:
    """On PostgreSQL a delivery's attributes are computed from its body in the batch
    (:data:`notify.sql.ATTRIBUTES_FROM_BODY`); they read back as the attributes built in
    Python, which SQLite writes, and the body is the attributes with the event's data."""
    result = w.submit(seeded, recipients=NO_CONSENT)
    built = [row for batch, _ in sent for row in batch.full_rows(o.Delivery)]
    assert len(built) == len(result.delivery_ids) > 0
    for row in built:
        stored = seeded.get(o.Delivery, row["id"])
        assert stored is not None and stored.body == row["body"]
        assert stored.attributes == row["attributes"]
        envelope = json.loads(row["body"])
        assert {k: v for k, v in envelope.items() if k != "data"} == row["attributes"]


def test_a_moves_deliveries_are_stored_uncompressed_on_postgresql(seeded: orm.Session) -> None:
    """Delivery rows of a few KB stay inline as written (migration 0020): no compression of
    each body as the move is written."""
    result = w.submit(seeded, recipients=NO_CONSENT)
    if seeded.get_bind().dialect.name == "sqlite":
        return
    methods = seeded.execute(
        sa.text(
            "SELECT pg_column_compression(body), pg_column_size(d.*) FROM delivery d"
            " WHERE id = ANY(:ids)"
        ),
        {"ids": list(result.delivery_ids)},
    ).all()
    assert methods and all(method is None for method, _ in methods)
    assert min(size for _, size in methods) > 2032  # rows the default target would compress
