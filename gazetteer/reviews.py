"""Clerical review of doubtful matches.

A typed address whose match is ``review`` (or ``unmatched``) can be queued; a custodian then
confirms one UPRN or rejects the lot (the address is not in the gazetteer). The decision is keyed
on the input's canonical form (its words and postcode, whatever the case, punctuation or
abbreviations), and :func:`gazetteer.find.match_address` reuses it the next time the same input
is matched. Repositories flush; callers commit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from core import ids
from core.clock import Clock
from gazetteer import addressparse, matching
from gazetteer.errors import MatchReviewDecided, MatchReviewNotFound
from gazetteer.matchevidence import label_key
from gazetteer.search_tables import MatchReview

OPEN = "open"
CONFIRMED = "confirmed"
REJECTED = "rejected"
STATUSES = (OPEN, CONFIRMED, REJECTED)


@dataclass(frozen=True, kw_only=True, slots=True)
class Review:
    id: str
    input_text: str
    status: str
    candidates: tuple[dict[str, Any], ...]
    uprn: int | None
    decided_by: str | None
    created_at: dt.datetime
    decided_at: dt.datetime | None


@dataclass(frozen=True, kw_only=True, slots=True)
class Decision:
    status: str
    uprn: int | None


def input_key(parsed: addressparse.ParsedAddress) -> str:
    """The canonical form a decision is reused for: words, numbers and postcode."""
    place = parsed.postcode or parsed.postcode_sector or parsed.postcode_outward or ""
    return f"{label_key(parsed)}|{place}"[:500]


def queue(*, session: orm.Session, text: str, result: matching.MatchResult, clock: Clock) -> Review:
    """The open review for this input, created with the result's candidates if there is none."""
    key = input_key(result.query)
    held = session.scalars(
        sa.select(MatchReview).where(MatchReview.input_key == key, MatchReview.status == OPEN)
    ).first()
    if held is not None:
        return _review(held)
    row = MatchReview(
        id=ids.new_id(),
        input_text=text[:500],
        input_key=key,
        status=OPEN,
        candidates=[_candidate(c) for c in result.candidates],
        created_at=clock.now(),
    )
    session.add(row)
    session.flush()
    return _review(row)


def _candidate(scored: matching.ScoredCandidate) -> dict[str, Any]:
    return {
        "uprn": scored.candidate.uprn,
        "label": scored.candidate.label,
        "score": scored.score,
        "match_reason": scored.match_reason,
    }


def list_reviews(
    *, session: orm.Session, status: str | None = OPEN, limit: int = 100, offset: int = 0
) -> list[Review]:
    statement = sa.select(MatchReview).order_by(MatchReview.created_at, MatchReview.id)
    if status is not None:
        statement = statement.where(MatchReview.status == status)
    return [_review(r) for r in session.scalars(statement.limit(limit).offset(offset))]


def get_review(*, session: orm.Session, review_id: str) -> Review:
    return _review(_row(session, review_id))


def decide(
    *, session: orm.Session, review_id: str, uprn: int | None, decided_by: str, clock: Clock
) -> Review:
    """Confirm ``uprn`` for the review's input, or reject every candidate (``uprn`` None)."""
    row = _row(session, review_id)
    if row.status != OPEN:
        raise MatchReviewDecided(
            f"match review {review_id} is already {row.status}", details={"id": review_id}
        )
    row.status = CONFIRMED if uprn is not None else REJECTED
    row.uprn = uprn
    row.decided_by = decided_by[:40]
    row.decided_at = clock.now()
    session.flush()
    return _review(row)


def decision_for(session: orm.Session, parsed: addressparse.ParsedAddress) -> Decision | None:
    """The latest decision taken for this input, if any."""
    statement = (
        sa.select(MatchReview.status, MatchReview.uprn)
        .where(MatchReview.input_key == input_key(parsed), MatchReview.status != OPEN)
        .order_by(MatchReview.decided_at.desc())
        .limit(1)
    )
    found = session.execute(statement).first()
    return Decision(status=found[0], uprn=found[1]) if found else None


def decisions_for_many(
    session: orm.Session, parsed: list[addressparse.ParsedAddress]
) -> dict[str, Decision]:
    """The latest decision for each input key among ``parsed`` that has one (one statement
    per 400 keys), keyed by :func:`input_key`."""
    keys = sorted({input_key(p) for p in parsed})
    found: dict[str, tuple[dt.datetime | None, Decision]] = {}
    for start in range(0, len(keys), 400):
        statement = sa.select(
            MatchReview.input_key, MatchReview.status, MatchReview.uprn, MatchReview.decided_at
        ).where(MatchReview.input_key.in_(keys[start : start + 400]), MatchReview.status != OPEN)
        for key, status, uprn, decided_at in session.execute(statement):
            held = found.get(key)
            if held is None or _later(decided_at, held[0]):
                found[key] = (decided_at, Decision(status=status, uprn=uprn))
    return {key: decision for key, (_, decision) in found.items()}


def _later(first: dt.datetime | None, second: dt.datetime | None) -> bool:
    return first is not None and (second is None or first > second)


def _row(session: orm.Session, review_id: str) -> MatchReview:
    row = session.get(MatchReview, review_id)
    if row is None:
        raise MatchReviewNotFound(f"no match review {review_id}", details={"id": review_id})
    return row


def _review(row: MatchReview) -> Review:
    return Review(
        id=row.id,
        input_text=row.input_text,
        status=row.status,
        candidates=tuple(row.candidates),
        uprn=row.uprn,
        decided_by=row.decided_by,
        created_at=row.created_at,
        decided_at=row.decided_at,
    )
