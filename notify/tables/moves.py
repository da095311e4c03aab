"""People, submissions and consent tables (sharing-and-delivery §2.2, §2.3).

Personal values (names, dates of birth, contact, answers, references) sit in nullable JSON
columns so that erasure can clear them and leave the rest of the record.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, get_args

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.tables import Base
from notify import codes
from notify.tables.common import CODE, ID, JSON, KEY, NAME, TEXT, UPRN, one_of


class Subject(Base):
    """A data subject; holds no personal value itself."""

    __tablename__ = "subject"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    erased_at: Mapped[dt.datetime | None]
    move_block: Mapped[bool]
    created_at: Mapped[dt.datetime]


class ChangeSubmission(Base):
    """One version of a reported move; a correction makes version + 1 with the same reference."""

    __tablename__ = "change_submission"
    __table_args__ = (
        sa.UniqueConstraint("reference", "version"),
        one_of("channel", get_args(codes.SourceChannel)),
        one_of("actor_kind", get_args(codes.SubmitterKind)),
        one_of("move_date_kind", get_args(codes.MoveDateKind)),
        one_of("language", get_args(codes.Language)),
        one_of("status", get_args(codes.MoveStatus)),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    reference: Mapped[str] = mapped_column(CODE)  # the unique (reference, version) leads
    version: Mapped[int] = mapped_column(sa.Integer())
    supersedes_id: Mapped[str | None] = mapped_column(ID)
    subject_id: Mapped[str] = mapped_column(ID, sa.ForeignKey("subject.id"), index=True)
    channel: Mapped[str] = mapped_column(CODE)
    actor_kind: Mapped[str] = mapped_column(CODE)
    actor_ref: Mapped[str | None] = mapped_column(KEY)
    assurance_level: Mapped[str] = mapped_column(CODE)
    source_partner_service_id: Mapped[str | None] = mapped_column(ID)
    source_restrictions: Mapped[list[str]] = mapped_column(JSON)
    old_uprn: Mapped[int | None] = mapped_column(UPRN, index=True)
    new_uprn: Mapped[int | None] = mapped_column(UPRN, index=True)
    new_interim_id: Mapped[str | None] = mapped_column(ID, index=True)  # interim_address.id
    old_address_text: Mapped[str | None] = mapped_column(TEXT)
    old_match: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    new_match: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    move_date: Mapped[dt.date]
    move_date_kind: Mapped[str] = mapped_column(CODE)
    person: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    language: Mapped[str] = mapped_column(CODE)
    status: Mapped[str] = mapped_column(CODE)
    declaration_version: Mapped[str | None] = mapped_column(CODE)
    registry_digest: Mapped[str | None] = mapped_column(sa.String(80))
    submitted_at: Mapped[dt.datetime]
    withdrawn_at: Mapped[dt.datetime | None]
    completed_at: Mapped[dt.datetime | None]
    pii_erased_at: Mapped[dt.datetime | None]
    idempotency_key: Mapped[str | None] = mapped_column(KEY)
    corrected_by_kind: Mapped[str | None] = mapped_column(CODE)  # citizen, agent, partner, admin
    corrected_by: Mapped[str | None] = mapped_column(KEY)


class ThirdPartyDeclaration(Base):
    __tablename__ = "third_party_declaration"
    __table_args__ = (one_of("authority", get_args(codes.Authority)),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    submission_id: Mapped[str] = mapped_column(
        ID, sa.ForeignKey("change_submission.id"), index=True
    )
    declarant_subject_id: Mapped[str] = mapped_column(ID, sa.ForeignKey("subject.id"))
    authority: Mapped[str] = mapped_column(CODE)
    statement_version: Mapped[str] = mapped_column(CODE)
    language: Mapped[str] = mapped_column(CODE)
    accepted_at: Mapped[dt.datetime]


class HouseholdMember(Base):
    __tablename__ = "household_member"
    __table_args__ = (one_of("role", ("adult", "child")),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    submission_id: Mapped[str] = mapped_column(
        ID, sa.ForeignKey("change_submission.id"), index=True
    )
    subject_id: Mapped[str] = mapped_column(ID, sa.ForeignKey("subject.id"), index=True)
    position: Mapped[int] = mapped_column(sa.Integer())
    role: Mapped[str] = mapped_column(CODE)
    relationship_to_submitter: Mapped[str | None] = mapped_column(NAME)
    person: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    moving: Mapped[bool]
    declaration_id: Mapped[str | None] = mapped_column(
        ID, sa.ForeignKey("third_party_declaration.id")
    )


class RecipientChoice(Base):
    """The citizen's yes/no for one service, and what they told it (erasable)."""

    __tablename__ = "recipient_choice"

    submission_id: Mapped[str] = mapped_column(
        ID, sa.ForeignKey("change_submission.id"), primary_key=True
    )
    partner_service_id: Mapped[str] = mapped_column(
        ID, sa.ForeignKey("partner_service.id"), primary_key=True
    )
    selected: Mapped[bool | None]
    answers: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    partner_reference: Mapped[str | None] = mapped_column(NAME)
    chosen_at: Mapped[dt.datetime]


class ConsentRecord(Base):
    """One consent: subject × service × purpose (ISO/IEC TS 27560 style)."""

    __tablename__ = "consent_record"
    __table_args__ = (
        one_of("status", get_args(codes.ConsentStatus)),
        one_of("collection_method", ("web_form", "agent_phone", "agent_in_person", "paper")),
        one_of("actor_kind", ("self", "agent_on_behalf", "third_party_declarant")),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    subject_id: Mapped[str] = mapped_column(ID, sa.ForeignKey("subject.id"), index=True)
    submission_id: Mapped[str] = mapped_column(
        ID, sa.ForeignKey("change_submission.id"), index=True
    )
    partner_service_id: Mapped[str] = mapped_column(ID, sa.ForeignKey("partner_service.id"))
    purpose_code: Mapped[str] = mapped_column(KEY)
    rule_id: Mapped[str | None] = mapped_column(KEY)
    rule_version: Mapped[int | None] = mapped_column(sa.Integer())
    status: Mapped[str] = mapped_column(CODE)
    given_at: Mapped[dt.datetime]
    withdrawn_at: Mapped[dt.datetime | None]
    expires_at: Mapped[dt.datetime | None]
    collection_method: Mapped[str] = mapped_column(CODE)
    actor_kind: Mapped[str] = mapped_column(CODE)
    actor_ref: Mapped[str | None] = mapped_column(KEY)
    notice_version: Mapped[str | None] = mapped_column(CODE)
    language: Mapped[str] = mapped_column(CODE)
    receipt_id: Mapped[str | None] = mapped_column(KEY)
    withdrawal_channel: Mapped[str | None] = mapped_column(CODE)


class ConsentReceipt(Base):
    """An immutable receipt given to the person (Kantara Consent Receipt v1.1 shape)."""

    __tablename__ = "consent_receipt"

    receipt_id: Mapped[str] = mapped_column(KEY, primary_key=True)
    submission_id: Mapped[str] = mapped_column(
        ID, sa.ForeignKey("change_submission.id"), index=True
    )
    issued_at: Mapped[dt.datetime]
    profile: Mapped[str] = mapped_column(CODE)
    format: Mapped[str] = mapped_column(CODE)
    language: Mapped[str] = mapped_column(CODE)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    body_sha256: Mapped[str] = mapped_column(KEY)
    supersedes_receipt_id: Mapped[str | None] = mapped_column(KEY)


class Relationship(Base):
    """Evidence that a service already holds a person, a person at a UPRN, or a UPRN."""

    __tablename__ = "relationship"
    __table_args__ = (one_of("kind", get_args(codes.RelationshipKind)),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    partner_service_id: Mapped[str] = mapped_column(
        ID, sa.ForeignKey("partner_service.id"), index=True
    )
    subject_id: Mapped[str | None] = mapped_column(ID, index=True)
    uprn: Mapped[int | None] = mapped_column(UPRN, index=True)  # 0023
    kind: Mapped[str] = mapped_column(CODE)
    evidence: Mapped[str] = mapped_column(CODE)
    valid_from: Mapped[dt.datetime | None]
    valid_to: Mapped[dt.datetime | None]
