"""Change-of-address submissions and the people in them, as pure, frozen types (§1–§2).

People and their household, consents, relationships, the submission itself (a "move": who
reported it, its restrictions, choices and dates) and the gazetteer facts of its old and new
addresses (sharing-and-delivery §1–§2): what a decision reads about one move, beside the
registry of :mod:`notify.domain`. Nothing here does I/O.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from notify import codes, domain


@dataclass(frozen=True, kw_only=True, slots=True)
class Person:
    """A data subject as named in a submission. ``id`` is the subject id."""

    id: str
    given_name: str
    family_name: str
    date_of_birth: dt.date | None = None
    erased: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class Declaration:
    """The submitter's versioned statement of authority to give another person's details."""

    authority: codes.Authority
    statement_version: str


@dataclass(frozen=True, kw_only=True, slots=True)
class HouseholdMember:
    person: Person
    role: Literal["adult", "child"] = "adult"
    relationship: str = ""
    moving: bool = True
    declaration: Declaration | None = None

    @property
    def declaration_ok(self) -> bool:
        """A declaration exists, and for a child it rests on parental responsibility."""
        if self.declaration is None:
            return False
        return self.role != "child" or self.declaration.authority == "parental_responsibility"


@dataclass(frozen=True, kw_only=True, slots=True)
class Consent:
    """One consent record: subject × service × purpose (§2.3). Only ``given`` counts."""

    id: str
    subject_id: str
    partner_service_id: str
    purpose_code: str
    rule_id: str | None = None
    rule_version: int | None = None
    status: codes.ConsentStatus = "given"
    given_at: dt.datetime
    withdrawn_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None

    def valid_at(self, at: dt.datetime) -> bool:
        return self.status == "given" and domain.in_window(self.given_at, self.expires_at, at)


@dataclass(frozen=True, kw_only=True, slots=True)
class Relationship:
    """Evidence that a service already holds a person, a person at a UPRN, or a UPRN."""

    partner_service_id: str
    kind: codes.RelationshipKind
    subject_id: str | None = None
    uprn: int | None = None
    evidence: Literal["ack_applied", "partner_uprn_register", "declared_reference"] = (
        "partner_uprn_register"
    )
    valid_from: dt.datetime | None = None
    valid_to: dt.datetime | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Submitter:
    """Who reported the move: the citizen, an agent for them, or a partner system."""

    kind: codes.SubmitterKind
    ref: str | None = None
    assurance_level: codes.IdentityAssurance = "none"
    source_partner_service_id: str | None = None

    @property
    def channel(self) -> codes.SourceChannel:
        return codes.CHANNEL_OF_SUBMITTER[self.kind]


@dataclass(frozen=True, kw_only=True, slots=True)
class Contact:
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class RecipientChoice:
    """The citizen's yes/no for one service (``None`` = not asked) and what they told it."""

    partner_service_id: str
    selected: bool | None = None
    answers: Mapping[str, Any] = field(default_factory=dict)
    partner_reference: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Move:
    """One version of a change-of-address submission."""

    reference: str
    version: int = 1
    status: codes.MoveStatus = "submitted"
    submitter: Submitter
    source_restrictions: frozenset[str] = frozenset()
    person: Person
    household: tuple[HouseholdMember, ...] = ()
    contact: Contact | None = None
    language: codes.Language = "en"
    old_uprn: int | None = None
    new_uprn: int | None = None
    old_address_text: str | None = None
    move_date: dt.date
    move_date_kind: codes.MoveDateKind = "actual"
    choices: tuple[RecipientChoice, ...] = ()

    @property
    def channel(self) -> codes.SourceChannel:
        return self.submitter.channel

    def choice_for(self, partner_service_id: str) -> RecipientChoice | None:
        return next((c for c in self.choices if c.partner_service_id == partner_service_id), None)

    def subject_ids(self) -> tuple[str, ...]:
        return (self.person.id, *(m.person.id for m in self.household))


@dataclass(frozen=True, kw_only=True, slots=True)
class Location:
    """What the gazetteer knows of one address: the areas covering its point and its labels."""

    uprn: int | None
    area_codes: frozenset[str] = frozenset()
    custodian_code: str | None = None
    single_line: str | None = None
    welsh_single_line: str | None = None
    postcode: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class GazetteerFacts:
    """``new`` is ``None`` while the new address has no point (routing waits: ``pending``)."""

    old: Location | None = None
    new: Location | None = None
