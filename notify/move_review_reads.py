"""The statement that reads the earlier moves the review check compares a new move with, and
its rows as :class:`notify.holds.EarlierMove` (used by :func:`notify.move_reviews.earlier_moves`).

The statement is built once; the compared fields of each stored person (given name, family
name, date of birth) are read out of its JSON by the database, as text, rather than the whole
person being sent and decoded.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any, Final

import sqlalchemy as sa

from notify import holds
from notify.tables import moves as m

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
    return (
        sa.select(latest, *_person_fields(member.person, "member"))
        .outerjoin(member, member.submission_id == latest.c.id)
        .order_by(latest.c.submitted_at.desc(), latest.c.id, member.position)
    )


def person(given_name: Any, family_name: Any, date_of_birth: Any) -> holds.PersonKey | None:
    """The compared key of a stored person (``None`` without a given name)."""
    if not given_name:
        return None
    return holds.person_key(
        str(given_name),
        str(family_name or ""),
        dt.date.fromisoformat(date_of_birth) if date_of_birth else None,
    )


def earlier(row: sa.Row[Any], members: list[holds.PersonKey]) -> holds.EarlierMove:
    primary = person(row.person_given, row.person_family, row.person_dob)
    return holds.EarlierMove(
        submission_id=row.id,
        reference=row.reference,
        old_uprn=row.old_uprn,
        new_uprn=row.new_uprn,
        move_date=row.move_date,
        people=tuple([primary] if primary else []) + tuple(members),
    )
