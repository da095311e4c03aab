"""The custodian's queue of unresolved moves: list, resolve to a UPRN, or reject.

A move whose new address has no UPRN yet (typed text with no confident match, or "not
listed") carries an open interim record; every candidate service was given the routing hold
``NEW_UPRN_PENDING`` and nothing was created for it (sharing-and-delivery §3.2). Resolving
the record gives the submission its new UPRN and plans those services again, and only those,
with the normal decision procedure: plan decisions, consents the citizen gave (recorded now
that the rule they rest on can be found), outbox rows and ledger lines are written in the
caller's transaction. Rejecting closes the record; the services stay untold.

A move that gave its new address as a UPRN the gazetteer did not hold waits the same way; a
later load that creates that UPRN resolves it (:func:`settle_created`, called as the load's
changes are published), as does a custodian.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final, Literal

import sqlalchemy as sa
from sqlalchemy import orm

from core import db
from core.errors import Conflict, InvalidInput, NotFound
from core.settings import Settings
from notify import address_input, gazetteer_facts, unresolved_plan
from notify.tables import interim as t
from notify.tables import moves as m

PENDING_CODE: Final = unresolved_plan.PENDING_CODE
CLOSED_MOVES: Final = ("withdrawn", "superseded")
LOAD_ACTOR: Final = "gazetteer_load"
REJECTED_TEXT: Final = "The new address could not be found, so this service was not told."
AddressState = Literal["known", "pending", "rejected"]


class UnresolvedMoveNotFound(NotFound):
    code = "unresolved_move_not_found"
    title = "No unresolved move has this reference"


class InterimClosed(Conflict):
    code = "interim_closed"
    title = "The move's new address is already settled"


class UprnNotInGazetteer(InvalidInput):
    code = "uprn_not_in_gazetteer"
    title = "UPRN not in the gazetteer"


@dataclass(frozen=True, kw_only=True, slots=True)
class Unresolved:
    """One queue entry: the typed address, where it came from, and the matcher's candidates."""

    reference: str
    version: int
    interim_id: str
    origin: str
    address_text: str | None
    postcode: str | None
    latitude: float | None
    longitude: float | None
    move_date: dt.date
    submitted_at: dt.datetime
    status: str
    candidates: tuple[dict[str, Any], ...] = ()
    resolved_uprn: int | None = None
    reason: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Page:
    total: int
    items: tuple[Unresolved, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class Settled:
    """What resolving (or rejecting) did: the services planned again and what was queued."""

    entry: Unresolved
    planned: tuple[str, ...] = ()
    delivery_ids: tuple[str, ...] = ()
    consent_ids: tuple[str, ...] = ()


# Reading ------------------------------------------------------------------------------------


def _latest_version() -> sa.ScalarSelect[Any]:
    later = orm.aliased(m.ChangeSubmission)
    return (
        sa.select(sa.func.max(later.version))
        .where(later.reference == m.ChangeSubmission.reference)
        .scalar_subquery()
    )


def _open_queue() -> sa.Select[t.InterimAddress, m.ChangeSubmission]:
    """Open interim records whose move (its latest version) is live, not erased, and still
    has no UPRN."""
    return (
        sa.select(t.InterimAddress, m.ChangeSubmission)
        .join(m.ChangeSubmission, m.ChangeSubmission.reference == t.InterimAddress.reference)
        .where(
            t.InterimAddress.status == "open",
            m.ChangeSubmission.version == _latest_version(),
            m.ChangeSubmission.new_uprn.is_(None),
            m.ChangeSubmission.status.not_in(CLOSED_MOVES),
            m.ChangeSubmission.pii_erased_at.is_(None),
        )
    )


def list_unresolved(*, session: orm.Session, limit: int = 50, offset: int = 0) -> Page:
    """The open queue, oldest first."""
    query = _open_queue()
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    ordered = query.order_by(t.InterimAddress.created_at, t.InterimAddress.id)
    rows = session.execute(ordered.limit(limit).offset(offset))
    return Page(total=total, items=tuple(_entry(i, s) for i, s in rows))


def _entry(interim: t.InterimAddress, submission: m.ChangeSubmission) -> Unresolved:
    evidence = submission.new_match or {}
    return Unresolved(
        reference=interim.reference,
        version=submission.version,
        interim_id=interim.id,
        origin=interim.origin,
        address_text=interim.address_text,
        postcode=interim.postcode,
        latitude=interim.latitude,
        longitude=interim.longitude,
        move_date=submission.move_date,
        submitted_at=interim.created_at,
        status=interim.status,
        candidates=tuple(evidence.get("candidates") or ()),
        resolved_uprn=interim.resolved_uprn,
        reason=interim.reason,
    )


def address_state(session: orm.Session, submission: m.ChangeSubmission) -> AddressState:
    """How the citizen's new address stands: known, waiting for the custodian, or rejected.

    The move's interim record is found by reference, so a corrected version that kept the
    typed address still shows it waiting."""
    if submission.new_uprn is not None:
        return "known"
    interim = session.scalars(
        sa.select(t.InterimAddress)
        .where(t.InterimAddress.reference == submission.reference)
        .order_by(t.InterimAddress.created_at.desc(), t.InterimAddress.id.desc())
        .limit(1)
    ).first()
    if interim is None:
        return "known"
    return "rejected" if interim.status == "rejected" else "pending"


def _locked_latest(session: orm.Session, reference: str) -> m.ChangeSubmission:
    query = (
        sa.select(m.ChangeSubmission)
        .where(m.ChangeSubmission.reference == reference)
        .order_by(m.ChangeSubmission.version.desc())
        .limit(1)
    )
    if not db.is_sqlite(session):
        query = query.with_for_update()
    found = session.scalars(query).first()
    if found is None:
        raise UnresolvedMoveNotFound("no move has this reference", details={"reference": reference})
    return found


def _open_interim(session: orm.Session, reference: str) -> t.InterimAddress:
    """The reference's interim record if it is open; closed or absent ones are explained."""
    rows = session.scalars(
        sa.select(t.InterimAddress)
        .where(t.InterimAddress.reference == reference)
        .order_by(t.InterimAddress.created_at.desc(), t.InterimAddress.id.desc())
    ).all()
    found = next((r for r in rows if r.status == "open"), None)
    if found is not None:
        return found
    if rows:
        raise InterimClosed(
            f"the new address was already {rows[0].status}", details={"reference": reference}
        )
    raise UnresolvedMoveNotFound(
        "this move's new address is not waiting for a custodian", details={"reference": reference}
    )


def _pending_pair(
    session: orm.Session, reference: str
) -> tuple[m.ChangeSubmission, t.InterimAddress]:
    submission = _locked_latest(session, reference)
    interim = _open_interim(session, reference)
    if (
        submission.status in CLOSED_MOVES
        or submission.new_uprn is not None
        or submission.pii_erased_at is not None
    ):
        raise InterimClosed(
            f"the move is {submission.status} and no longer waits for its new address",
            details={"reference": reference},
        )
    return submission, interim


# Settling -----------------------------------------------------------------------------------


def _close(interim: t.InterimAddress, *, status: str, actor: str | None, now: dt.datetime) -> None:
    interim.status, interim.closed_by, interim.closed_at = status, actor, now


def reject(
    *, session: orm.Session, reference: str, reason: str, actor: str | None, now: dt.datetime
) -> Settled:
    """Close the interim record: the address cannot be found; the held services stay untold."""
    submission, interim = _pending_pair(session, reference)
    _close(interim, status="rejected", actor=actor, now=now)
    interim.reason = reason
    session.flush()
    return Settled(entry=_entry(interim, submission))


def resolve(
    *,
    session: orm.Session,
    reference: str,
    uprn: int,
    actor: str | None,
    settings: Settings,
    now: dt.datetime,
    chosen_by: str = "custodian",
) -> Settled:
    """Give the move its new UPRN and plan the routing-held services again (§3.2)."""
    submission, interim = _pending_pair(session, reference)
    if gazetteer_facts.location(session, uprn=uprn, settings=settings) is None:
        raise UprnNotInGazetteer("the gazetteer has no such UPRN", details={"uprn": uprn})
    if uprn == submission.old_uprn:
        raise InvalidInput("the new address must differ from the old", details={"uprn": uprn})
    submission.new_uprn = uprn
    submission.new_match = address_input.custodian_evidence(
        submission.new_match, uprn=uprn, actor=actor, chosen_by=chosen_by
    )
    _close(interim, status="resolved", actor=actor, now=now)
    interim.resolved_uprn = uprn
    session.flush()
    planned, deliveries, consents = unresolved_plan.replan(
        session, submission=submission, interim=interim, settings=settings, now=now
    )
    return Settled(
        entry=_entry(interim, submission),
        planned=planned,
        delivery_ids=deliveries,
        consent_ids=consents,
    )


# Settled by a load ---------------------------------------------------------------------------


def awaiting(session: orm.Session, uprns: Iterable[int]) -> dict[str, int]:
    """Queue entries (by reference) whose move gave one of ``uprns`` as its new UPRN while the
    gazetteer did not hold it, with that UPRN."""
    wanted = set(uprns)
    found: dict[str, int] = {}
    for interim, submission in session.execute(_open_queue()) if wanted else ():
        stated = address_input.stated_uprn(submission.new_match)
        if stated is not None and stated in wanted:
            found.setdefault(interim.reference, stated)
    return found


def settle_created(
    *, session: orm.Session, uprns: Iterable[int], settings: Settings, now: dt.datetime
) -> tuple[Settled, ...]:
    """Resolve the entries waiting for a UPRN a load has now created, as a custodian would;
    one that cannot be (refused on review, say) is left in the queue untouched."""
    settled = []
    for reference, uprn in awaiting(session, uprns).items():
        try:
            with session.begin_nested():
                settled.append(_by_load(session, reference, uprn, settings, now))
        except (Conflict, InvalidInput, NotFound):
            continue
    return tuple(settled)


def _by_load(
    session: orm.Session, reference: str, uprn: int, settings: Settings, now: dt.datetime
) -> Settled:
    return resolve(session=session, reference=reference, uprn=uprn, actor=LOAD_ACTOR,
                   settings=settings, now=now, chosen_by=LOAD_ACTOR)  # fmt: skip


def for_citizen(document: dict[str, Any], state: AddressState) -> dict[str, Any]:
    """The move's status with its new address's state; once the custodian has rejected the
    address, the services that waited for it are shown as not sent."""
    recipients = [
        _not_sent(r)
        if state == "rejected" and r["status"] == "waiting" and PENDING_CODE in r["reasons"]
        else r
        for r in document["recipients"]
    ]
    return {**document, "new_address": state, "recipients": recipients}


def _not_sent(recipient: dict[str, Any]) -> dict[str, Any]:
    shown = {**recipient, "status": "not_sent"}
    if "status_text" in recipient:
        shown["status_text"] = REJECTED_TEXT
    return shown
