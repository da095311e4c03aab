"""What a change-of-address request says, its checks (J2–J4), and the move it becomes. Pure.

A request names the people (the mover, and household members with the submitter's declaration
of authority), the old and new UPRN (or address text, matched on intake: see
:mod:`notify.address_resolution`), the move date, and per recipient service a choice, the
answers to its questions, its own reference and whether consent is given. Consent is recorded
only for services whose rule rests on consent, and never from a partner system (J14).
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from notify import codes, decision, errors, move_domain
from notify.address_input import AddressInput

CROCKFORD: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CONSENT_DAYS: Final = 90


@dataclass(frozen=True, kw_only=True, slots=True)
class PersonDetails:
    given_name: str
    family_name: str
    date_of_birth: dt.date | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class MemberDetails:
    person: PersonDetails
    role: str = "adult"
    relationship: str = ""
    moving: bool = True
    authority: codes.Authority | None = None
    statement_version: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class RecipientAnswer:
    partner_service_id: str
    selected: bool | None = None
    consent: bool = False
    answers: Mapping[str, Any] = field(default_factory=dict)
    partner_reference: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class MoveRequest:
    submitter: move_domain.Submitter
    person: PersonDetails
    household: tuple[MemberDetails, ...] = ()
    contact: move_domain.Contact | None = None
    language: codes.Language = "en"
    old_uprn: int | None = None
    new_uprn: int | None = None
    old_address_text: str | None = None
    move_date: dt.date
    move_date_kind: codes.MoveDateKind = "actual"
    recipients: tuple[RecipientAnswer, ...] = ()
    declaration_version: str | None = None
    idempotency_key: str | None = None
    new_address: AddressInput | None = None  # typed instead of new_uprn, matched on intake
    old_address: AddressInput | None = None  # typed instead of old_uprn / old_address_text


@dataclass(frozen=True, kw_only=True, slots=True)
class Window:
    """The move-date window, in days before and after today (J3: 183 and 92 by default)."""

    past_days: int = 183
    future_days: int = 92


def _invalid(field_name: str, message: str) -> errors.InvalidMove:
    return errors.InvalidMove(message, details={"field": field_name})


def check(request: MoveRequest, *, today: dt.date, window: Window = Window()) -> None:
    """J2–J4: the addresses, the date window, and authority to give others' details."""
    if request.new_uprn is None and request.new_address is None:
        raise _invalid("new_uprn", "the new address must be a UPRN or typed as text")
    if request.old_uprn is not None and request.old_uprn == request.new_uprn:
        raise _invalid("old_uprn", "the old and new address must differ")
    earliest = today - dt.timedelta(days=window.past_days)
    latest = today + dt.timedelta(days=window.future_days)
    if not earliest <= request.move_date <= latest:
        raise _invalid("move_date", f"the move date must be between {earliest} and {latest}")
    for i, member in enumerate(request.household):
        if member.authority is None:
            raise _invalid(
                f"household[{i}]", "a declaration of authority is needed to give their details"
            )
    services = [r.partner_service_id for r in request.recipients]
    if len(services) != len(set(services)):
        raise _invalid("recipients", "each service may be answered once")


def new_reference(random: bytes) -> str:
    """``COA-XXXX-XXXX``: 8 Crockford base32 characters from 5 random bytes."""
    if len(random) != 5:
        raise ValueError("a reference needs exactly 5 random bytes")
    text = base64.b32encode(random).decode("ascii")
    body = text.translate(str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", CROCKFORD))
    return f"COA-{body[:4]}-{body[4:]}"


def _person(details: PersonDetails, subject_id: str) -> move_domain.Person:
    return move_domain.Person(
        id=subject_id,
        given_name=details.given_name,
        family_name=details.family_name,
        date_of_birth=details.date_of_birth,
    )


def to_move(
    request: MoveRequest,
    *,
    reference: str,
    subject_ids: Sequence[str],
    source_restrictions: frozenset[str] = frozenset(),
    version: int = 1,
) -> move_domain.Move:
    """The move as the decision sees it; ``subject_ids`` are the mover's then each member's.

    ``source_restrictions`` are those the reporting partner service originates (P2)."""
    household = tuple(
        move_domain.HouseholdMember(
            person=_person(m.person, subject_ids[i + 1]),
            role="child" if m.role == "child" else "adult",
            relationship=m.relationship,
            moving=m.moving,
            declaration=move_domain.Declaration(
                authority=m.authority, statement_version=m.statement_version
            )
            if m.authority
            else None,
        )
        for i, m in enumerate(request.household)
    )
    return move_domain.Move(
        reference=reference,
        version=version,
        submitter=request.submitter,
        person=_person(request.person, subject_ids[0]),
        household=household,
        contact=request.contact,
        language=request.language,
        old_uprn=request.old_uprn,
        new_uprn=request.new_uprn,
        old_address_text=request.old_address_text,
        move_date=request.move_date,
        move_date_kind=request.move_date_kind,
        choices=tuple(
            move_domain.RecipientChoice(
                partner_service_id=r.partner_service_id,
                selected=r.selected,
                answers=dict(r.answers),
                partner_reference=r.partner_reference,
            )
            for r in request.recipients
        ),
        source_restrictions=source_restrictions,
    )


def consents_to_record(
    *,
    request: MoveRequest,
    move: move_domain.Move,
    preview: decision.Plan,
    now: dt.datetime,
    new_id: Callable[[], str],
) -> list[move_domain.Consent]:
    """One consent per person with a basis (the mover, declared members) and consent rule
    the citizen said yes to, against the rule the dry run found; none from partner systems."""
    if move.channel == "partner_api":
        return []
    given = {r.partner_service_id for r in request.recipients if r.consent and r.selected}
    people = [move.person.id, *(m.person.id for m in move.household if m.declaration_ok)]
    consents: list[move_domain.Consent] = []
    for d in preview.decisions:
        if d.partner_service_id not in given or d.lawful_basis != "consent" or not d.rule_id:
            continue
        for subject_id in people:
            consents.append(
                move_domain.Consent(
                    id=new_id(),
                    subject_id=subject_id,
                    partner_service_id=d.partner_service_id,
                    purpose_code=d.purpose_code or "",
                    rule_id=d.rule_id,
                    rule_version=d.rule_version,
                    given_at=now,
                    expires_at=now + dt.timedelta(days=CONSENT_DAYS),
                )
            )
    return consents
