"""Moves held for review: found at intake, listed, released or refused (§3.5, §4 J15).

At intake, in the submission transaction, :func:`detect` finds the active move blocks on the
old or new UPRN and the other live moves reported within the review window (settings
``move_review_window_days``) for the same person or to the same new UPRN, and
:func:`notify.holds.findings` turns them into hold reasons. The plan then holds every service
it would otherwise tell (``held`` deliveries, nothing sent) and :func:`open_review` records
the review (``move_review``, one per submission, keyed by the submission id).

While a review is open the send-time gate keeps the deliveries held
(:mod:`notify.delivery_gate`). :func:`release` makes them deliverable again (the worker's
recheck still applies every other check); :func:`reject` cancels them with
``MOVE_REFUSED_ON_REVIEW`` and the citizen status shows them refused. Both record who decided,
when, and a note.

Errors::

    NotFound
    └── MoveReviewNotFound       move_review_not_found
    Conflict
    └── MoveReviewDecided        move_review_decided     the review was released or refused
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import orm

from core import db
from core.errors import Conflict, NotFound
from notify import (
    delivery_repository,
    holds,
    move_blocks,
    move_domain,
    move_review_reads,
    outbox,
)
from notify import repository as repo
from notify.tables import moves as m
from notify.tables import outbox as o
from notify.tables import review as t

LIVE_STATUSES: Final = move_review_reads.LIVE_STATUSES
COMPARED: Final = move_review_reads.COMPARED
NOTICE_RULE: Final = "ART19_NOTICE"


class MoveReviewNotFound(NotFound):
    code = "move_review_not_found"
    title = "Move review not found"


class MoveReviewDecided(Conflict):
    code = "move_review_decided"
    title = "Move review already decided"


# Intake ------------------------------------------------------------------------------------


def detect(
    session: orm.Session,
    *,
    move: move_domain.Move,
    now: dt.datetime,
    window_days: int = holds.DEFAULT_WINDOW_DAYS,
    same_uprn: bool = True,
) -> tuple[holds.Finding, ...]:
    """Every reason to hold ``move`` for review (empty for most moves)."""
    uprns = [move.old_uprn, move.new_uprn]
    if window_days > 0:  # one statement for both
        since = now - dt.timedelta(days=window_days)
        blocks, earlier = move_review_reads.blocks_and_earlier(session, uprns=uprns, since=since)
    else:
        blocks, earlier = move_blocks.active_on(session, uprns), []
    return holds.findings(move, blocks=blocks, earlier=earlier, same_uprn=same_uprn)


def read_at_intake(
    session: orm.Session,
    *,
    uprns: Sequence[int | None],
    now: dt.datetime,
    window_days: int = holds.DEFAULT_WINDOW_DAYS,
) -> move_review_reads.IntakeReads:
    """What :func:`detect` reads, with the areas covering ``uprns`` and the registry
    version read in the same statement where it can
    (:func:`move_review_reads.blocks_earlier_and_areas`); with the window off, only the
    blocks (areas and version then ``None``: not read here)."""
    if window_days <= 0:
        blocks = move_blocks.active_on(session, uprns)
        return move_review_reads.IntakeReads(
            blocks=blocks, earlier=[], codes=None, registry_mark=None
        )
    since = now - dt.timedelta(days=window_days)
    return move_review_reads.blocks_earlier_and_areas(session, uprns=uprns, since=since)


def earlier_moves(
    session: orm.Session, *, uprns: Sequence[int | None], since: dt.datetime
) -> list[holds.EarlierMove]:
    """Live moves reported since ``since`` from or to any of ``uprns`` (the latest
    :data:`COMPARED`), with their people: one query, each move's household joined, the names
    and dates of birth read out of the stored people by the database."""
    wanted = sorted({u for u in uprns if u is not None})
    if not wanted:
        return []
    moves: dict[str, sa.Row[Any]] = {}
    members: dict[str, list[holds.PersonKey]] = {}
    query = move_review_reads.earlier_query()
    for row in session.execute(query, {"since": since, "wanted": wanted}):
        moves.setdefault(row.id, row)
        key = move_review_reads.person(row.member_given, row.member_family, row.member_dob)
        members.setdefault(row.id, []).extend([key] if key is not None else [])
    return [move_review_reads.earlier(row, members[row.id]) for row in moves.values()]


def open_review(
    session: orm.Session,
    *,
    submission_id: str,
    found: Sequence[holds.Finding],
    now: dt.datetime,
) -> None:
    """The review of a held submission (nothing when there is no reason to hold it)."""
    if not found:
        return
    session.add(
        t.MoveReview(
            submission_id=submission_id,
            reasons=[f.as_json() for f in found],
            status="pending",
            held_at=now,
        )
    )
    session.flush()


def block(
    *, session: orm.Session, uprn: int, reason: str | None, actor: str, now: dt.datetime
) -> tuple[move_blocks.MoveBlock, tuple[str, ...]]:
    """Place a block, and open a review for each live move from or to ``uprn`` that still has
    something to send and was never reviewed; returns the block and those submission ids."""
    placed = move_blocks.place(session=session, uprn=uprn, reason=reason, actor=actor, now=now)
    opened = []
    for submission_id, old_uprn in _unsent_unreviewed(session, uprn):
        side = "old_uprn" if old_uprn == uprn else "new_uprn"
        found = holds.Finding(code=holds.MOVE_BLOCKED, detail={"block": placed.id, "side": side})
        open_review(session, submission_id=submission_id, found=[found], now=now)
        opened.append(submission_id)
    return placed, tuple(opened)


def _unsent_unreviewed(session: orm.Session, uprn: int) -> list[tuple[str, int | None]]:
    sub = m.ChangeSubmission
    unsent = sa.select(o.Delivery.id).where(
        o.Delivery.submission_id == sub.id,
        o.Delivery.state.in_(("scheduled", "pending", "retry_wait", "held")),
        o.Delivery.rule_id != NOTICE_RULE,
    )
    reviewed = sa.select(t.MoveReview.submission_id).where(t.MoveReview.submission_id == sub.id)
    query = sa.select(sub.id, sub.old_uprn).where(
        sa.or_(sub.old_uprn == uprn, sub.new_uprn == uprn),
        sub.status.in_(LIVE_STATUSES),
        unsent.exists(),
        ~reviewed.exists(),
    )
    return [(row.id, row.old_uprn) for row in session.execute(query.order_by(sub.id))]


# The queue ---------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class Review:
    id: str  # the submission id
    reference: str
    version: int
    submission_status: str
    old_uprn: int | None
    new_uprn: int | None
    move_date: dt.date
    reasons: tuple[dict[str, Any], ...]
    status: str
    held_at: dt.datetime
    held_deliveries: int
    decided_by: str | None = None
    decided_at: dt.datetime | None = None
    note: str | None = None


def _review(session: orm.Session, row: t.MoveReview) -> Review:
    sub = session.get(m.ChangeSubmission, row.submission_id)
    assert sub is not None  # a foreign key
    held = sa.select(sa.func.count()).where(
        o.Delivery.submission_id == row.submission_id, o.Delivery.state == "held"
    )
    return Review(
        id=row.submission_id,
        reference=sub.reference,
        version=sub.version,
        submission_status=sub.status,
        old_uprn=sub.old_uprn,
        new_uprn=sub.new_uprn,
        move_date=sub.move_date,
        reasons=tuple(row.reasons),
        status=row.status,
        held_at=row.held_at,
        held_deliveries=int(session.scalar(held) or 0),
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        note=row.note,
    )


def list_reviews(
    *, session: orm.Session, status: str | None = "pending", limit: int = 100, offset: int = 0
) -> list[Review]:
    """Reviews oldest first (the queue order); ``status`` None lists decided ones too."""
    query = sa.select(t.MoveReview).order_by(t.MoveReview.held_at, t.MoveReview.submission_id)
    if status is not None:
        query = query.where(t.MoveReview.status == status)
    rows = session.scalars(query.limit(limit).offset(offset))
    return [_review(session, row) for row in rows]


def get_review(*, session: orm.Session, review_id: str) -> Review:
    return _review(session, _row(session, review_id))


def review_states(
    session: orm.Session, submission_ids: Iterable[str | None]
) -> dict[str, tuple[str, str | None]]:
    """For the send-time gate, per submission: ``("pending", first hold code)`` while a review
    of any version of its move is open, or while a UPRN of it is under an active block and no
    version of it was ever reviewed (a block placed after intake, or an address settled later);
    ``("refused", None)`` if its own review refused it."""
    wanted = sorted({i for i in submission_ids if i})
    if not wanted:
        return {}
    mine, other = orm.aliased(m.ChangeSubmission), orm.aliased(m.ChangeSubmission)
    query = (
        sa.select(mine.id, t.MoveReview)
        .join(other, other.reference == mine.reference)
        .join(t.MoveReview, t.MoveReview.submission_id == other.id)
        .where(mine.id.in_(wanted))
    )
    states: dict[str, tuple[str, str | None]] = {}
    reviewed = set()
    for submission_id, review in session.execute(query):
        reviewed.add(submission_id)
        if review.status == "pending":
            states[submission_id] = ("pending", _first_code(review))
        elif review.status == "refused" and review.submission_id == submission_id:
            states.setdefault(submission_id, ("refused", None))
    unreviewed = [i for i in wanted if i not in reviewed]
    return states | {i: ("pending", holds.MOVE_BLOCKED) for i in _blocked(session, unreviewed)}


def _blocked(session: orm.Session, submission_ids: list[str]) -> set[str]:
    """Those of ``submission_ids`` whose old or new UPRN is under an active block now."""
    if not submission_ids:
        return set()
    sub = m.ChangeSubmission
    query = sa.select(sub.id, sub.old_uprn, sub.new_uprn).where(sub.id.in_(submission_ids))
    rows = list(session.execute(query))
    uprns = {u for row in rows for u in (row.old_uprn, row.new_uprn)}
    blocked = {b.uprn for b in move_blocks.active_on(session, uprns)}
    return {row.id for row in rows if blocked & {row.old_uprn, row.new_uprn}}


def _first_code(review: t.MoveReview) -> str | None:
    return next((str(r["code"]) for r in review.reasons if r.get("code")), None)


def _row(session: orm.Session, review_id: str) -> t.MoveReview:
    row = session.get(t.MoveReview, review_id)
    if row is None:
        raise MoveReviewNotFound("no move review has this id", details={"review_id": review_id})
    return row


def _decide(
    session: orm.Session,
    review_id: str,
    *,
    status: str,
    actor: str,
    note: str | None,
    now: dt.datetime,
) -> None:
    """Record the decision; the row is read ``FOR UPDATE`` so two reviewers cannot both decide."""
    query = sa.select(t.MoveReview).where(t.MoveReview.submission_id == review_id)
    if not db.is_sqlite(session):
        query = query.with_for_update()
    row = session.scalars(query.execution_options(populate_existing=True)).first()
    if row is None:
        raise MoveReviewNotFound("no move review has this id", details={"review_id": review_id})
    if row.status != "pending":
        raise MoveReviewDecided(f"the review was {row.status} already, by {row.decided_by}")
    row.status, row.decided_by, row.decided_at, row.note = status, actor, now, note
    session.flush()


def _queued(session: orm.Session, review_id: str) -> list[o.Delivery]:
    """The non-terminal deliveries of every version of the reviewed move (notices aside)."""
    reference = sa.select(m.ChangeSubmission.reference).where(m.ChangeSubmission.id == review_id)
    versions = sa.select(m.ChangeSubmission.id).where(
        m.ChangeSubmission.reference == reference.scalar_subquery()
    )
    return repo.deliveries_where(
        session,
        o.Delivery.submission_id.in_(versions),
        o.Delivery.state.in_(repo.NON_TERMINAL),
        o.Delivery.rule_id != NOTICE_RULE,
    )


def release(
    *, session: orm.Session, review_id: str, actor: str, note: str | None, now: dt.datetime
) -> Review:
    """The held deliveries become deliverable: the worker's recheck decides from here."""
    _decide(session, review_id, status="released", actor=actor, note=note, now=now)
    deliveries = [d for d in _queued(session, review_id) if d.state == "held"]
    for delivery in deliveries:
        _unhold(session, delivery, now)
    delivery_repository.wake_lanes(
        session, ordering_keys=[d.ordering_key for d in deliveries], now=now
    )
    session.flush()
    return get_review(session=session, review_id=review_id)


def _unhold(session: orm.Session, delivery: o.Delivery, now: dt.datetime) -> None:
    """Clear the review's hold; a hold of another kind the plan found stays."""
    if delivery.hold_reason not in holds.REVIEW_CODES:
        return
    planned = session.get(o.PlanDecision, delivery.plan_decision_id or "")
    other = [
        r["code"]
        for r in (planned.reasons if planned else [])
        if r.get("effect") == "hold" and r["code"] not in holds.REVIEW_CODES
    ]
    if other:
        delivery.hold_reason = other[0]
    else:
        delivery.state = "scheduled" if delivery.not_before > now else "pending"
        delivery.hold_reason = None
        delivery.next_attempt_at = max(delivery.not_before, now)
    delivery.updated_at = now


def reject(
    *, session: orm.Session, review_id: str, actor: str, note: str | None, now: dt.datetime
) -> Review:
    """Nothing of this move is sent: its queued deliveries are cancelled and their bodies purged."""
    _decide(session, review_id, status="refused", actor=actor, note=note, now=now)
    deliveries = _queued(session, review_id)
    for delivery in deliveries:
        outbox.cancel(session, delivery, reason=holds.REFUSED_ON_REVIEW, now=now)
    delivery_repository.wake_lanes(
        session, ordering_keys=[d.ordering_key for d in deliveries], now=now
    )
    session.flush()
    return get_review(session=session, review_id=review_id)
