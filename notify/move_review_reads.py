"""The statements that read the earlier moves the review check compares a new move with (and
the active move blocks on its UPRNs), and their rows as :class:`notify.holds.EarlierMove` and
:class:`notify.holds.Block` (used by :mod:`notify.move_reviews`).

The statements are built once; the compared fields of each stored person (given name, family
name, date of birth) are read out of its JSON by the database, as text, rather than the whole
person being sent and decoded. :func:`blocks_and_earlier` reads the blocks and the earlier
moves in one statement (``UNION ALL``, each row marked with its kind): one wait on the
database for both; :func:`blocks_earlier_and_areas` also reads, on PostgreSQL, the areas
covering the move's two UPRNs in the same statement.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import orm

from core import db
from notify import gazetteer_facts, holds, sql
from notify.tables import moves as m
from notify.tables import review as t

LIVE_STATUSES: Final = ("submitted", "scheduled", "releasing", "completed")
#: At most this many of the latest moves sharing an address are compared with a new one.
COMPARED: Final = 50
_FIELDS: Final = (("given_name", "given"), ("family_name", "family"), ("date_of_birth", "dob"))


def _person_fields(person: Any, prefix: str) -> list[sa.Label[Any]]:
    return [person[name].as_string().label(f"{prefix}_{short}") for name, short in _FIELDS]


@functools.cache
def earlier_query() -> sa.Select[Any]:
    """Live moves since ``:since`` from or to any of ``:wanted`` (the latest :data:`COMPARED`),
    each with its household members joined, latest first."""
    latest, member, _ = _parts()
    return (
        sa.select(latest, *_person_fields(member.person, "member"))
        .select_from(latest.outerjoin(member, member.submission_id == latest.c.id))
        .order_by(latest.c.submitted_at.desc(), latest.c.id, member.position)
    )


@functools.cache
def blocks_and_earlier_query() -> sa.Select[Any]:
    """:func:`earlier_query`'s rows (``kind`` ``move``) and the active blocks on ``:wanted``
    (``kind`` ``block``: the block's id and UPRN, in ``id`` and ``old_uprn``)."""
    return _with_blocks(areas=False)


@functools.cache
def blocks_earlier_and_areas_query() -> sa.Select[Any]:
    """PostgreSQL: :func:`blocks_and_earlier_query`'s rows; ``kind`` ``area``, the code of
    every area covering the point of each of ``:wanted`` (the code in ``id``, the UPRN in
    ``old_uprn``): the areas :func:`notify.gazetteer_facts.area_codes` reads; and one row of
    ``kind`` ``registry``, the registry's version as a one-element JSON array in ``id``
    (:data:`notify.sql.REGISTRY_VERSION_JSON`)."""
    return _with_blocks(areas=True)


def _with_blocks(*, areas: bool) -> sa.Select[Any]:
    latest, member, wanted = _parts()
    moves = sa.select(
        sa.literal_column("'move'").label("kind"),
        latest,
        *_person_fields(member.person, "member"),
        member.position,
    ).select_from(latest.outerjoin(member, member.submission_id == latest.c.id))
    block = t.MoveBlock
    after_uprn = len(moves.selected_columns) - 4  # new_uprn onwards, all NULL for a block
    columns: list[Any] = [sa.literal_column("'block'"), block.id, sa.null(), block.uprn]
    columns += [sa.null()] * after_uprn  # reference NULL, the UPRN as old_uprn, the rest NULL
    parts = [moves, sa.select(*columns).where(block.uprn.in_(wanted), block.lifted_at.is_(None))]
    if areas:
        covering = sql.AREAS_COVERING_WANTED_POSTGRESQL.bindparams(wanted)
        area = covering.columns(uprn=sa.BigInteger, code=sa.String).subquery("covering")
        columns = [sa.literal_column("'area'"), area.c.code, sa.null(), area.c.uprn]
        parts.append(sa.select(*columns, *[sa.null()] * after_uprn))
        version = sql.REGISTRY_VERSION_JSON.columns(mark=sa.String).subquery("registry")
        columns = [sa.literal_column("'registry'"), version.c.mark, sa.null(), sa.null()]
        parts.append(sa.select(*columns, *[sa.null()] * after_uprn))
    both = sa.union_all(*parts).subquery()
    return sa.select(both).order_by(both.c.kind, both.c.submitted_at.desc(), both.c.id,
                                    both.c.position)  # fmt: skip


def _parts() -> tuple[sa.Subquery, type[m.HouseholdMember], sa.BindParameter[int]]:
    """The latest live moves sharing an address (a subquery), the member table, ``:wanted``."""
    sub, member = m.ChangeSubmission, m.HouseholdMember
    wanted: sa.BindParameter[int] = sa.bindparam("wanted", expanding=True)
    latest = (
        sa.select(
            sub.id,
            sub.reference,
            sub.old_uprn,
            sub.new_uprn,
            sub.move_date,
            sub.submitted_at,
            *_person_fields(sub.person, "person"),
        )
        .where(
            sub.submitted_at >= sa.bindparam("since", type_=sub.submitted_at.type),
            sub.status.in_(LIVE_STATUSES),
            sub.pii_erased_at.is_(None),
            sa.or_(sub.old_uprn.in_(wanted), sub.new_uprn.in_(wanted)),
        )
        .order_by(sub.submitted_at.desc())
        .limit(COMPARED)
        .subquery()
    )
    return latest, member, wanted


def person(given_name: Any, family_name: Any, date_of_birth: Any) -> holds.PersonKey | None:
    """The compared key of a stored person (``None`` without a given name)."""
    if not given_name:
        return None
    return holds.person_key(
        str(given_name),
        str(family_name or ""),
        dt.date.fromisoformat(date_of_birth) if date_of_birth else None,
    )


def earlier(row: Any, members: list[holds.PersonKey]) -> holds.EarlierMove:
    primary = person(row.person_given, row.person_family, row.person_dob)
    return holds.EarlierMove(
        submission_id=row.id,
        reference=row.reference,
        old_uprn=row.old_uprn,
        new_uprn=row.new_uprn,
        move_date=row.move_date,
        people=tuple([primary] if primary else []) + tuple(members),
    )


def blocks_and_earlier(
    session: orm.Session, *, uprns: Sequence[int | None], since: dt.datetime
) -> tuple[list[holds.Block], list[holds.EarlierMove]]:
    """The active blocks on ``uprns`` and the earlier moves sharing one of them, in one
    statement: what ``move_blocks.active_on`` and ``move_reviews.earlier_moves`` return."""
    wanted = sorted({u for u in uprns if u is not None})
    if not wanted:
        return [], []
    found = _read(session, blocks_and_earlier_query(), wanted=wanted, since=since)
    return found.blocks, found.earlier


@dataclass(frozen=True, kw_only=True, slots=True)
class IntakeReads:
    """What the review check reads at intake, with the areas covering the move's UPRNs and,
    on PostgreSQL, the registry's version (``None`` on SQLite)."""

    blocks: list[holds.Block]
    earlier: list[holds.EarlierMove]
    codes: dict[int, frozenset[str]] | None  # None: not read
    registry_mark: tuple[object, ...] | None  # None: not read


def blocks_earlier_and_areas(
    session: orm.Session, *, uprns: Sequence[int | None], since: dt.datetime
) -> IntakeReads:
    """:func:`blocks_and_earlier`, the codes of the areas covering each of ``uprns`` (what
    :func:`notify.gazetteer_facts.area_codes` returns) and the registry's version: on
    PostgreSQL in the same statement, one wait on the database for all; on SQLite, where a
    statement costs no round trip, the areas are read by ``area_codes`` beside it and the
    version is left to the registry cache."""
    wanted = sorted({u for u in uprns if u is not None})
    if not wanted:
        return IntakeReads(blocks=[], earlier=[], codes={}, registry_mark=None)
    if not db.is_sqlite(session):
        return _read(session, blocks_earlier_and_areas_query(), wanted=wanted, since=since)
    blocks, earlier = blocks_and_earlier(session, uprns=uprns, since=since)
    codes = gazetteer_facts.area_codes(session, wanted) if wanted else {}
    return IntakeReads(blocks=blocks, earlier=earlier, codes=codes, registry_mark=None)


def _read(
    session: orm.Session, query: sa.Select[Any], *, wanted: list[int], since: dt.datetime
) -> IntakeReads:
    return from_rows(session.execute(query, {"since": since, "wanted": wanted}))


def from_rows(rows: Iterable[Any]) -> IntakeReads:
    """The reads from the rows of :func:`blocks_and_earlier_query` or
    :func:`blocks_earlier_and_areas_query` (any rows with their columns as attributes)."""
    blocks: list[holds.Block] = []
    moves: dict[str, Any] = {}
    members: dict[str, list[holds.PersonKey]] = {}
    codes: dict[int, set[str]] = {}
    mark: tuple[object, ...] | None = None
    for row in rows:
        if row.kind == "move":
            moves.setdefault(row.id, row)
            key = person(row.member_given, row.member_family, row.member_dob)
            members.setdefault(row.id, []).extend([key] if key is not None else [])
        elif row.kind == "block":
            blocks.append(holds.Block(id=row.id, uprn=row.old_uprn))
        elif row.kind == "area":
            codes.setdefault(int(row.old_uprn), set()).add(row.id)
        else:
            mark = tuple(json.loads(row.id))
    return IntakeReads(
        blocks=blocks,
        earlier=[earlier(row, members[row.id]) for row in moves.values()],
        codes={uprn: frozenset(found) for uprn, found in codes.items()},
        registry_mark=mark,
    )
