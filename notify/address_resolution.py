"""Resolving the addresses of a move on intake: match typed text, keep the evidence, and open
an interim record for a new address the custodian has to settle (journey J2), whether typed
or given as a UPRN the gazetteer does not hold.

:func:`resolve_address` is the one entry point for any use case that takes an address as text
(a new move, a correction): it runs the gazetteer's matcher and says what the answer means
(:func:`notify.address_input.decide`). :func:`resolve_request` applies it to both sides of a
move request; :func:`record` writes the evidence and the interim record beside the submission,
in the caller's transaction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import orm

from core import ids
from core.settings import Settings
from gazetteer import find
from gazetteer import postcode as postcodes
from notify import address_input, errors, gazetteer_facts, intake
from notify.address_input import AddressInput, Resolved, Side
from notify.tables import interim as t
from notify.tables import moves as m


@dataclass(frozen=True, kw_only=True, slots=True)
class Addressing:
    """What intake found for each side given as text (``None``: given as a UPRN)."""

    new: Resolved | None = None
    old: Resolved | None = None

    @property
    def pending(self) -> bool:
        return self.new is not None and self.new.pending


def resolve_address(
    *, session: orm.Session, address: AddressInput, side: Side, settings: Settings
) -> Resolved:
    """Match ``address`` against the gazetteer; its UPRN if confident, and the evidence."""
    text = address.as_text()
    if not text:
        raise errors.InvalidMove("the address is empty", details={"field": f"{side}_address"})
    result = find.match_address(session=session, text=text, settings=settings)
    return address_input.decide(address, result, side=side)


def resolve_request(
    *, session: orm.Session, request: intake.MoveRequest, settings: Settings
) -> tuple[intake.MoveRequest, Addressing]:
    """The request with the UPRNs its typed addresses resolved to, and the evidence; a new
    UPRN the gazetteer does not hold is taken off the request and waits like "not listed"."""
    new = old = None
    if request.new_address is not None:
        new = resolve_address(
            session=session, address=request.new_address, side="new", settings=settings
        )
        request = dataclasses.replace(request, new_uprn=new.uprn)
    elif request.new_uprn is not None and not gazetteer_facts.held(session, request.new_uprn):
        new = address_input.uprn_not_held(request.new_uprn)
        request = dataclasses.replace(request, new_uprn=None)
    if request.old_address is not None:
        old = resolve_address(
            session=session, address=request.old_address, side="old", settings=settings
        )
        request = dataclasses.replace(request, old_uprn=old.uprn, old_address_text=old.text)
    if request.old_uprn is not None and request.old_uprn == request.new_uprn:
        raise errors.InvalidMove(
            "the old and new address must differ", details={"field": "old_address"}
        )
    return request, Addressing(new=new, old=old)


def _consents_waiting(request: intake.MoveRequest) -> list[str]:
    """Services the citizen consented to; recorded once routing can find the rule."""
    if request.submitter.kind == "partner":
        return []
    return [r.partner_service_id for r in request.recipients if r.consent and r.selected]


def record(
    session: orm.Session,
    *,
    submission_id: str,
    request: intake.MoveRequest,
    addressing: Addressing,
    now: dt.datetime,
) -> str | None:
    """Keep the match evidence on the submission and, for a pending new address, open its
    interim record for the custodian; returns the interim record's id (or ``None``)."""
    row = session.get(m.ChangeSubmission, submission_id)
    if row is None:
        raise errors.MoveNotFound("no such submission", details={"submission": submission_id})
    row.new_match = dict(addressing.new.evidence) if addressing.new else row.new_match
    row.old_match = dict(addressing.old.evidence) if addressing.old else row.old_match
    if addressing.new is not None and addressing.new.pending:
        row.new_interim_id = _open_interim(session, row, request, addressing.new, now)
    session.flush()
    return row.new_interim_id


def _open_interim(
    session: orm.Session,
    row: m.ChangeSubmission,
    request: intake.MoveRequest,
    new: Resolved,
    now: dt.datetime,
) -> str:
    typed = request.new_address or AddressInput()
    interim = _waiting(session, row.reference) or t.InterimAddress(
        id=ids.new_id(), reference=row.reference, pending_consents=[], status="open"
    )
    interim.origin, interim.address_text = new.interim or "no_confident_match", new.text
    interim.postcode = postcodes.normalise(typed.postcode) if typed.postcode else None
    interim.latitude, interim.longitude = typed.latitude, typed.longitude
    interim.created_at = interim.created_at or now
    kept = list(interim.pending_consents)
    interim.pending_consents = kept + [s for s in _consents_waiting(request) if s not in kept]
    session.add(interim)
    session.flush()
    return interim.id


def _waiting(session: orm.Session, reference: str) -> t.InterimAddress | None:
    """The move's open interim record: a corrected version still waiting takes it over (one
    queue entry per move; the consents given earlier keep waiting)."""
    query = (
        sa.select(t.InterimAddress)
        .where(t.InterimAddress.reference == reference, t.InterimAddress.status == "open")
        .order_by(t.InterimAddress.created_at.desc(), t.InterimAddress.id.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def clear_interim(session: orm.Session, submission_ids: Sequence[str]) -> int:
    """Null the typed address and provisional point of these submissions' interim records
    (erasure and retention); the status and the custodian's resolution stay."""
    linked = sa.select(m.ChangeSubmission.new_interim_id).where(
        m.ChangeSubmission.id.in_(list(submission_ids))
    )
    statement = (
        sa.update(t.InterimAddress)
        .where(t.InterimAddress.id.in_(linked.scalar_subquery()))
        .values(address_text=None, postcode=None, latitude=None, longitude=None)
    )
    result = session.execute(statement, execution_options={"synchronize_session": False})
    return int(getattr(result, "rowcount", 0) or 0)
