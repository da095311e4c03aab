"""Rows written through :mod:`notify.row_batch` (one ``jsonb`` statement on PostgreSQL,
``executemany`` on SQLite) read back exactly as the same rows inserted by SQLAlchemy."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import orm

from core import ids
from core.tables import UtcDateTime
from notify import row_batch
from notify.tables import moves as m
from notify.tables.common import JSON

texts = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12)
times = st.datetimes(
    min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2090, 1, 1),
    timezones=st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=5, minutes=30))]),
)  # fmt: skip
people = st.dictionaries(
    texts, st.one_of(st.none(), texts, st.integers(-(2**40), 2**40)), max_size=3
)
submissions = st.fixed_dictionaries(
    {
        "erased_at": st.none() | times,
        "move_block": st.booleans(),
        "created_at": times,
        "old_uprn": st.none() | st.integers(1, 999_999_999_999),
        "old_address_text": st.none() | texts,
        "move_date": st.dates(dt.date(1990, 1, 1), dt.date(2090, 1, 1)),
        "person": people,
        "source_restrictions": st.lists(texts, max_size=3),
    }
)


def _rows(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    subject = {"id": ids.new_id(), "erased_at": values["erased_at"],
               "move_block": values["move_block"], "created_at": values["created_at"]}  # fmt: skip
    submission = {
        "id": ids.new_id(), "reference": subject["id"][-13:], "version": 1,
        "subject_id": subject["id"], "channel": "citizen_web", "actor_kind": "citizen",
        "assurance_level": "none", "source_restrictions": values["source_restrictions"],
        "old_uprn": values["old_uprn"], "new_uprn": 100_000_000_001,
        "old_address_text": values["old_address_text"], "move_date": values["move_date"],
        "move_date_kind": "actual", "person": values["person"], "language": "en",
        "status": "submitted", "submitted_at": values["created_at"],
    }  # fmt: skip
    return subject, submission


def _read(session: orm.Session, submission_id: str) -> tuple[Any, ...]:
    sub = session.get(m.ChangeSubmission, submission_id)
    assert sub is not None
    subject = session.get(m.Subject, sub.subject_id)
    assert subject is not None
    return (
        subject.erased_at, subject.move_block, subject.created_at, sub.old_uprn,
        sub.old_address_text, sub.move_date, sub.person, sub.source_restrictions,
        sub.submitted_at, sub.old_match, sub.declaration_version,
    )  # fmt: skip


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(values=submissions)
def test_batch_rows_read_back_as_sqlalchemy_inserts_them(
    session: orm.Session, values: dict[str, Any]
) -> None:
    subject, submission = _rows(values)
    batch = row_batch.Batch()
    batch.add(m.ChangeSubmission, submission)  # a child first: keys are checked at the end
    batch.add(m.Subject, subject)
    if session.get_bind().dialect.name == "sqlite":  # executemany in the order given
        batch = row_batch.Batch(rows=dict(reversed(batch.rows.items())))
    row_batch.write(session, batch)
    oracle_subject, oracle_submission = _rows(values)
    session.execute(sa.insert(m.Subject), [oracle_subject])
    session.execute(sa.insert(m.ChangeSubmission), [oracle_submission])
    session.commit()
    session.expire_all()
    assert _read(session, submission["id"]) == _read(session, oracle_submission["id"])


SHARED = ("channel", "person", "source_restrictions", "old_address_text", "move_date",
          "submitted_at")  # fmt: skip


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(values=submissions, uprns=st.lists(st.none() | st.integers(1, 10**12), min_size=1,
                                          max_size=3), later=st.booleans())  # fmt: skip
def test_shared_values_read_back_as_the_whole_rows_inserted(
    session: orm.Session, values: dict[str, Any], uprns: list[int | None], later: bool
) -> None:
    """Values given once per batch (``shared``) read back as the same values in every row;
    a later add of the same model (``later``) gives every row its own copy again."""
    pairs = [_rows({**values, "old_uprn": uprn}) for uprn in uprns]
    shared = {key: pairs[0][1][key] for key in SHARED}
    batch = row_batch.Batch()
    batch.add(m.Subject, *(subject for subject, _ in pairs))
    own = [{k: v for k, v in submission.items() if k not in SHARED} for _, submission in pairs]
    batch.add(m.ChangeSubmission, *own[:1], shared=shared)
    if later:
        batch.add(m.ChangeSubmission, *own[1:], shared=shared)
        assert m.ChangeSubmission not in batch.shared
    else:
        batch.rows[m.ChangeSubmission].extend(own[1:])
    assert batch.full_rows(m.ChangeSubmission) == [submission for _, submission in pairs]
    row_batch.write(session, batch)
    oracle = [_rows({**values, "old_uprn": uprn}) for uprn in uprns]
    session.execute(sa.insert(m.Subject), [subject for subject, _ in oracle])
    session.execute(sa.insert(m.ChangeSubmission), [submission for _, submission in oracle])
    session.commit()
    session.expire_all()
    for (_, written), (_, expected) in zip(pairs, oracle, strict=True):
        assert _read(session, written["id"]) == _read(session, expected["id"])


_probe_metadata = sa.MetaData()


def _probe(name: str) -> sa.Table:
    return sa.Table(
        name, _probe_metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("body", sa.LargeBinary),
        sa.Column("label", sa.Text),
        sa.Column("n", sa.BigInteger),
        sa.Column("flag", sa.Boolean),
        sa.Column("at", UtcDateTime),
        sa.Column("day", sa.Date),
        sa.Column("doc", JSON),
    )  # fmt: skip


class _Batched:
    __table__ = _probe("batch_probe")


_ORACLE = _probe("batch_probe_oracle")
bodies = st.one_of(
    st.binary(max_size=20),
    st.text(max_size=12).map(str.encode),  # UTF-8: sent in the escape format
    st.sampled_from([b"", b"\\", b"\\x41", b"\\\\x00", b"a\x00b", b'{"a":"\\u00e9"}', b"\xff"]),
)
probe_rows = st.lists(
    st.fixed_dictionaries(
        {
            "body": st.none() | bodies,
            "label": st.none() | st.sampled_from(["a", "b"]) | texts,
            "n": st.sampled_from([0, 1, 2**40]),
            "flag": st.none() | st.booleans(),
            "at": st.none() | times,
            "day": st.none() | st.just(dt.date(2025, 3, 1)),
            "doc": st.sampled_from([[], {}, {"a": [1]}]),
        }
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=probe_rows, shared=st.sampled_from([{}, {"label": "shared"}, {"n": 7, "day": None}]))
def test_bytes_and_values_alike_read_back_as_sqlalchemy_inserts_them(
    session: orm.Session, rows: list[dict[str, Any]], shared: dict[str, Any]
) -> None:
    """Bytes (UTF-8 or not, with backslashes and NUL) and the values a key has alike in
    many rows (sent once on PostgreSQL) read back as the same rows inserted by SQLAlchemy;
    a row's own value of an explicitly shared key wins."""
    _probe_metadata.create_all(session.connection())
    numbered = [{"id": i, **row} for i, row in enumerate(rows)]
    batch = row_batch.Batch()
    batch.add(_Batched, *numbered[:1], shared=shared)
    batch.rows[_Batched].extend(numbered[1:])
    row_batch.write(session, batch)
    session.execute(sa.insert(_ORACLE), batch.full_rows(_Batched))
    written = session.execute(sa.select(_Batched.__table__).order_by("id")).all()
    expected = session.execute(sa.select(_ORACLE).order_by("id")).all()
    session.rollback()
    assert written == expected
    assert [row.label for row in written] == [row.get("label") for row in numbered]


def test_values_alike_in_many_rows_are_sent_once() -> None:
    """From :data:`row_batch.SHARED_FROM` rows on, scalar values alike in every row (a time
    with the same offset too) leave the rows for the shared values; others stay."""
    at = dt.datetime(2025, 3, 1, 10, tzinfo=dt.UTC)
    alike: dict[str, Any] = {"n": 1, "flag": True, "at": at, "label": None}
    rows = [{"id": i, **alike, "doc": {}} for i in range(row_batch.SHARED_FROM)]
    table = _Batched.__table__
    _, own, shared = row_batch._split(table, rows, {"body": b"x"})
    assert shared == {"body": b"x", "n": 1, "flag": True, "at": at, "label": None}
    assert own == [{"id": i, "doc": {}} for i in range(row_batch.SHARED_FROM)]
    rows[-1] = {**rows[-1], "n": True, "at": at.astimezone(dt.timezone(dt.timedelta(hours=1)))}
    assert set(row_batch._split(table, rows, {})[2]) == {"flag", "label"}
    assert row_batch._split(table, rows[1:], {}) == (table, rows[1:], {})
