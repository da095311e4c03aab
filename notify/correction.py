"""Correcting a move (rectification, sharing-and-delivery §3.8, journey J11), pure.

A correction names only what changes; everything else is kept from the version it corrects.
:func:`apply` turns the stored version into the next one: the same reference and subjects,
version + 1. The move goes through the same checks as a new one and is planned afresh by
:func:`notify.decision.plan`. :func:`reconcile` then says, per recipient service, what follows:
a ``corrected`` event for a service that was (or may have been) sent an earlier version and is
still permitted, a ``withdrawn`` notice (references only) for one that is no longer permitted,
the normal ``submitted`` event for a service that never saw the move, or nothing yet while
routing waits. Household members keep their subject by position.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeVar

from notify import address_input, codes, decision, intake, move_domain, projection


class Keep(enum.Enum):
    """What a correction leaves unchanged (``None`` means "remove" where a field is optional)."""

    KEEP = "keep"


KEEP: Final = Keep.KEEP
_T = TypeVar("_T")
CorrectorKind = Literal["citizen", "agent", "partner", "admin"]


@dataclass(frozen=True, kw_only=True, slots=True)
class Corrector:
    """Who made a correction: the kind of actor and its reference (an API key id or a login)."""

    kind: CorrectorKind
    ref: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Correction:
    """The fields to correct; recipients are merged by service, a household replaces the old."""

    person: intake.PersonDetails | Keep = KEEP
    household: tuple[intake.MemberDetails, ...] | Keep = KEEP
    contact: move_domain.Contact | Keep | None = KEEP
    language: codes.Language | Keep = KEEP
    old_uprn: int | Keep | None = KEEP
    new_uprn: int | Keep = KEEP
    new_address: address_input.AddressInput | None = None  # typed: matched like a new move's
    old_address: address_input.AddressInput | None = None
    old_address_text: str | Keep | None = KEEP
    move_date: dt.date | Keep = KEEP
    move_date_kind: codes.MoveDateKind | Keep = KEEP
    recipients: tuple[intake.RecipientAnswer, ...] = ()
    declaration_version: str | Keep | None = KEEP
    idempotency_key: str | None = None

    @property
    def empty(self) -> bool:
        kept = all(
            getattr(self, f.name) is KEEP
            for f in dataclasses.fields(self)
            if f.name not in ("recipients", "idempotency_key", "new_address", "old_address")
        )
        typed = self.new_address is not None or self.old_address is not None
        return kept and not self.recipients and not typed


def _pick(value: _T | Keep, current: _T) -> _T:
    return current if isinstance(value, Keep) else value


# The move as a request and back ------------------------------------------------------------


def _details(person: move_domain.Person) -> intake.PersonDetails:
    return intake.PersonDetails(
        given_name=person.given_name,
        family_name=person.family_name,
        date_of_birth=person.date_of_birth,
    )


def _member(member: move_domain.HouseholdMember) -> intake.MemberDetails:
    declaration = member.declaration
    return intake.MemberDetails(
        person=_details(member.person),
        role=member.role,
        relationship=member.relationship,
        moving=member.moving,
        authority=declaration.authority if declaration else None,
        statement_version=declaration.statement_version if declaration else "",
    )


def request_of(
    move: move_domain.Move, *, declaration_version: str | None = None
) -> intake.MoveRequest:
    """The request that makes ``move`` again (``intake.to_move`` with its subjects and version)."""
    return intake.MoveRequest(
        submitter=move.submitter,
        person=_details(move.person),
        household=tuple(_member(m) for m in move.household),
        contact=move.contact,
        language=move.language,
        old_uprn=move.old_uprn,
        new_uprn=move.new_uprn,
        old_address_text=move.old_address_text,
        move_date=move.move_date,
        move_date_kind=move.move_date_kind,
        recipients=tuple(
            intake.RecipientAnswer(
                partner_service_id=c.partner_service_id,
                selected=c.selected,
                answers=dict(c.answers),
                partner_reference=c.partner_reference,
            )
            for c in move.choices
        ),
        declaration_version=declaration_version,
    )


def _recipients(
    current: Sequence[intake.RecipientAnswer], changes: Sequence[intake.RecipientAnswer]
) -> tuple[intake.RecipientAnswer, ...]:
    """Answers merged by service: a corrected answer replaces the old one in its place."""
    changed = {r.partner_service_id: r for r in changes}
    kept = [changed.pop(r.partner_service_id, r) for r in current]
    return (*kept, *(r for r in changes if r.partner_service_id in changed))


def corrected_request(request: intake.MoveRequest, change: Correction) -> intake.MoveRequest:
    """The request with the correction applied (the same checks as a new move then apply).

    A typed address replaces that side's UPRN (and old address text): intake matches it."""
    corrected = _corrected_fields(request, change)
    if change.new_address is not None:
        corrected = dataclasses.replace(corrected, new_uprn=None, new_address=change.new_address)
    if change.old_address is not None:
        corrected = dataclasses.replace(
            corrected, old_uprn=None, old_address_text=None, old_address=change.old_address
        )
    return corrected


def _corrected_fields(request: intake.MoveRequest, change: Correction) -> intake.MoveRequest:
    return dataclasses.replace(
        request,
        person=_pick(change.person, request.person),
        household=_pick(change.household, request.household),
        contact=_pick(change.contact, request.contact),
        language=_pick(change.language, request.language),
        old_uprn=_pick(change.old_uprn, request.old_uprn),
        new_uprn=_pick(change.new_uprn, request.new_uprn),
        old_address_text=_pick(change.old_address_text, request.old_address_text),
        move_date=_pick(change.move_date, request.move_date),
        move_date_kind=_pick(change.move_date_kind, request.move_date_kind),
        recipients=_recipients(request.recipients, change.recipients),
        declaration_version=_pick(change.declaration_version, request.declaration_version),
        idempotency_key=change.idempotency_key,
    )


def subject_ids(
    move: move_domain.Move, request: intake.MoveRequest, new_id: Callable[[], str]
) -> list[str]:
    """The mover keeps their subject; members keep theirs by position; new members get new."""
    known = [m.person.id for m in move.household]
    members = [known[i] if i < len(known) else new_id() for i in range(len(request.household))]
    return [move.person.id, *members]


def apply(
    move: move_domain.Move, request: intake.MoveRequest, *, new_id: Callable[[], str]
) -> move_domain.Move:
    """Version + 1 of ``move`` as ``request`` (already corrected) says, same reference."""
    return intake.to_move(
        request,
        reference=move.reference,
        subject_ids=subject_ids(move, request, new_id),
        source_restrictions=move.source_restrictions,
        version=move.version + 1,
    )


def new_consents(
    request: intake.MoveRequest, situation: decision.Situation, *, new_id: Callable[[], str]
) -> tuple[move_domain.Consent, ...]:
    """Consents the correction gives that are not already given and valid."""
    wanted = intake.consents_to_record(
        request=request,
        move=situation.move,
        preview=decision.plan(situation),
        now=situation.now,
        new_id=new_id,
    )
    held = {
        (c.subject_id, c.partner_service_id, c.purpose_code)
        for c in situation.consents
        if c.valid_at(situation.now)
    }
    return tuple(
        c for c in wanted if (c.subject_id, c.partner_service_id, c.purpose_code) not in held
    )


# What changed -------------------------------------------------------------------------------


def _household(move: move_domain.Move) -> tuple[tuple[str, str, str, bool], ...]:
    return tuple(
        (m.person.given_name, m.person.family_name, m.relationship, m.moving)
        for m in move.household
    )


def _facets(move: move_domain.Move, service_id: str) -> dict[str, object]:
    """What each field group of ``move`` shows one service, for comparison only."""
    choice = move.choice_for(service_id)
    return {
        "PERSON_NAME": (move.person.given_name, move.person.family_name),
        "PERSON_DOB": move.person.date_of_birth,
        "OLD_ADDRESS": (move.old_uprn, move.old_address_text),
        "NEW_ADDRESS": move.new_uprn,
        "MOVE_DATE": (move.move_date, move.move_date_kind),
        "CONTACT": move.contact,
        "LANGUAGE": move.language,
        "HOUSEHOLD": _household(move),
        "HOUSEHOLD_DOB": tuple(m.person.date_of_birth for m in move.household),
        "PARTNER_REFERENCE": choice.partner_reference if choice else None,
        "SERVICE_ANSWERS": dict(choice.answers) if choice else {},
    }


def changed_groups(old: move_domain.Move, new: move_domain.Move, service_id: str) -> frozenset[str]:
    """The field groups whose values differ between two versions, as one service sees them."""
    before, after = _facets(old, service_id), _facets(new, service_id)
    return frozenset(code for code in before if before[code] != after[code])


# What follows for each recipient -------------------------------------------------------------

StepKind = Literal["submitted", "corrected", "withdrawn", "wait"]


@dataclass(frozen=True, kw_only=True, slots=True)
class Prior:
    """What one service was (or may have been) sent of earlier versions: its ledger lines."""

    partner_service_id: str
    line_ids: tuple[str, ...]
    event_id: str  # the latest such event: a corrected event follows it up
    fields: frozenset[str]


@dataclass(frozen=True, kw_only=True, slots=True)
class Step:
    partner_service_id: str
    kind: StepKind
    decision: decision.Decision | None = None
    prior: Prior | None = None
    changed_fields: tuple[str, ...] = ()


def _step(
    service_id: str, x: decision.Decision | None, prior: Prior | None, changed: frozenset[str]
) -> Step | None:
    if x is not None and x.routing_hold:
        return Step(partner_service_id=service_id, kind="wait", decision=x, prior=prior)
    if prior is not None and x is not None and x.creates_delivery:
        now_sent, then_sent = frozenset(x.fields), prior.fields
        fields = (changed & (now_sent | then_sent)) | (now_sent ^ then_sent)
        return Step(
            partner_service_id=service_id,
            kind="corrected",
            decision=x,
            prior=prior,
            changed_fields=tuple(sorted(fields & projection.SUBMISSION_GROUPS)),
        )
    if prior is not None:
        return Step(partner_service_id=service_id, kind="withdrawn", decision=x, prior=prior)
    if x is not None and x.creates_delivery:
        return Step(partner_service_id=service_id, kind="submitted", decision=x)
    return None


def reconcile(
    plan: decision.Plan,
    priors: Mapping[str, Prior],
    changed: Callable[[str], frozenset[str]],
) -> tuple[Step, ...]:
    """§3.8 ``correct``: one step per service planned now or sent something before."""
    services = sorted({d.partner_service_id for d in plan.decisions} | set(priors))
    steps = (_step(s, plan.for_service(s), priors.get(s), changed(s)) for s in services)
    return tuple(s for s in steps if s is not None)


def corrected_data(step: Step) -> dict[str, Any]:
    """What a ``corrected`` event adds to the projected groups: references and group codes."""
    if step.prior is None:
        raise ValueError("only a recipient of an earlier version is sent a correction")
    return {"corrects": step.prior.event_id, "changed_fields": list(step.changed_fields)}
