"""A submitted move's first reads on PostgreSQL in one round trip of the driver's pipeline.

Before a move is planned it needs the stored facts of its new UPRN (is it held?) and of its
old one (the labels), and the review check's statement (blocks, earlier moves, the areas
covering both UPRNs and the registry's version: :mod:`notify.move_review_reads`). Each is a
prepared statement on the session's DB-API connection; :func:`prefetch` sends them together,
with the transaction's ``BEGIN``, in one pipeline (psycopg): one wait on the database instead
of four. The facts are kept for the transaction (:func:`notify.gazetteer_facts.keep`) exactly
as :func:`gazetteer.facts_query.read` returns them, and the review reads are used only when
the request still names the same UPRNs once its addresses are resolved (:func:`review_reads`).
On SQLite, where a statement costs no round trip, nothing is read ahead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Final

import sqlalchemy as sa
from psycopg import rows as pg_rows
from sqlalchemy import orm
from sqlalchemy.sql.compiler import SQLCompiler

from core import db
from core.errors import StorageError
from gazetteer import facts_query
from notify import gazetteer_facts, intake, move_review_reads, move_reviews


@dataclass(frozen=True, kw_only=True, slots=True)
class Prefetched:
    """The review reads and the (old, new) UPRNs they were read for."""

    uprns: tuple[int | None, int | None]
    reads: move_review_reads.IntakeReads


def prefetch(
    session: orm.Session, *, request: intake.MoveRequest, now: dt.datetime, window_days: int
) -> Prefetched | None:
    """On PostgreSQL, the stored facts of the request's UPRNs (kept for the transaction) and
    its review reads, in one round trip; ``None`` on SQLite, with the review window off, or
    when the request names no UPRN."""
    wanted = sorted({u for u in (request.old_uprn, request.new_uprn) if u is not None})
    if not wanted or window_days <= 0 or db.is_sqlite(session):
        return None
    connection = session.connection()
    since = now - dt.timedelta(days=window_days)
    facts_rows, review_rows = _pipeline(connection, wanted, since)
    for uprn, rows in zip(wanted, facts_rows, strict=True):
        found = facts_query.from_stored_rows(connection, uprn, rows)
        if found is not None:
            gazetteer_facts.keep(session, uprn, found)
    reads = move_review_reads.from_rows(review_rows)
    return Prefetched(uprns=(request.old_uprn, request.new_uprn), reads=reads)


def review_reads(
    session: orm.Session,
    *,
    request: intake.MoveRequest,
    prefetched: Prefetched | None,
    now: dt.datetime,
    window_days: int,
) -> move_review_reads.IntakeReads:
    """The prefetched review reads if they were read for the request's UPRNs (as resolved),
    else :func:`notify.move_reviews.read_at_intake`."""
    if prefetched is not None and prefetched.uprns == (request.old_uprn, request.new_uprn):
        return prefetched.reads
    return move_reviews.read_at_intake(
        session, uprns=[request.old_uprn, request.new_uprn], now=now, window_days=window_days
    )


def _pipeline(
    connection: sa.Connection, wanted: list[int], since: dt.datetime
) -> tuple[list[list[Any]], list[Any]]:
    raw: Any = connection.connection.driver_connection
    facts = facts_query.stored_driver_statement(connection)
    review = _review_statement(connection.dialect, len(wanted))
    try:
        with raw.pipeline():
            cursors = [
                raw.execute(facts.sql, facts.parameters({"uprn": uprn}), prepare=True)
                for uprn in wanted
            ]
            review_cursor = raw.cursor(row_factory=pg_rows.namedtuple_row)
            review_cursor.execute(review.sql, review.parameters(wanted, since), prepare=True)
        return [c.fetchall() for c in cursors], review_cursor.fetchall()
    except connection.dialect.loaded_dbapi.Error as exc:
        raise StorageError("the database could not read the move's addresses") from (
            db.driver_error(connection, exc)
        )


# -- statements ---------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class _Review:
    """The review check's statement for a number of UPRNs, compiled once: its SQL, the
    values bound when it was built, and the names ``:wanted`` was expanded to."""

    sql: str
    bound: dict[str, Any]
    wanted: tuple[str, ...]

    def parameters(self, wanted: list[int], since: dt.datetime) -> dict[str, Any]:
        values = dict(zip(self.wanted, wanted, strict=True))
        return self.bound | values | {"since": since.astimezone(dt.UTC)}


_REVIEW: dict[tuple[str, int], _Review] = {}
_SINCE: Final = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def _review_statement(dialect: sa.Dialect, count: int) -> _Review:
    statement = _REVIEW.get((dialect.name, count))
    if statement is None:
        compiled = move_review_reads.blocks_earlier_and_areas_query().compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        values = compiled.construct_params({"wanted": list(range(count)), "since": _SINCE})
        expanded = compiled.construct_expanded_state(values)
        statement = _REVIEW[(dialect.name, count)] = _Review(
            sql=expanded.statement,
            bound=dict(expanded.parameters),
            wanted=tuple(expanded.parameter_expansion["wanted"]),
        )
    return statement
