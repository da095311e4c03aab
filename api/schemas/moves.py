"""Change-of-address requests, plans (``explain/1``) and per-recipient status, as shown."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.types import Uprn


class _Schema(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Person(_Schema):
    given_name: str = Field(min_length=1, max_length=100)
    family_name: str = Field(min_length=1, max_length=100)
    date_of_birth: dt.date | None = None


class HouseholdMember(_Schema):
    person: Person
    role: Literal["adult", "child"] = "adult"
    relationship: str = Field(default="", max_length=60)
    moving: bool = True
    authority: Literal["permission_obtained", "power_of_attorney", "parental_responsibility"] = (
        Field(description="The submitter's authority to give this person's details (required).")
    )
    statement_version: str = Field(max_length=40, description="The declaration text version.")


class Contact(_Schema):
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=40)


class Recipient(_Schema):
    service: str = Field(
        description="The partner service: PARTNER-CODE/SERVICE_CODE, as in the registry.",
        examples=["NEWTOWN-DC/LIBRARIES"],
    )
    selected: bool | None = Field(default=None, description="Tell this service? null = not asked.")
    consent: bool = Field(default=False, description="Consent given, for services that need it.")
    answers: dict[str, Any] = Field(default_factory=dict, description="This service's questions.")
    partner_reference: str | None = Field(default=None, max_length=60)


class MoveCreate(_Schema):
    """One reported move. Partner keys name their own service in ``source_service``."""

    person: Person
    household: list[HouseholdMember] = Field(default_factory=list, max_length=20)
    contact: Contact | None = None
    language: Literal["en", "cy"] = "en"
    old_uprn: Uprn | None = None
    new_uprn: Uprn
    old_address_text: str | None = Field(default=None, max_length=500)
    move_date: dt.date
    move_date_kind: Literal["actual", "planned"] = "actual"
    recipients: list[Recipient] = Field(default_factory=list, max_length=200)
    declaration_version: str | None = Field(default=None, max_length=40)
    source_service: str | None = Field(
        default=None, description="Partner keys: the reporting service."
    )
    assurance_level: Literal["none", "low", "medium", "high", "very_high"] = "none"


class Reason(_Schema):
    code: str
    text: str
    detail: str | None = None


class DroppedGroup(_Schema):
    group: str
    reason: str


class Candidate(_Schema):
    partner: str
    service: str
    partner_service_id: str
    role: str
    decision: Literal["send", "refuse", "hold", "ask"]
    lawful_basis: str | None
    purpose: str | None
    rule: str | None = Field(description="rule id@version")
    dsa: str | None = Field(description="agreement ref@version")
    consent: str | None
    channel: str | None
    not_before: str | None
    fields: list[str]
    fields_dropped: list[DroppedGroup]
    data_category: str | None
    reasons: list[Reason]
    warnings: list[Reason]


class MoveSummary(_Schema):
    old_uprn: str | None
    new_uprn: str | None
    move_date: str
    channel: str
    source_restrictions: list[str]


class Plan(_Schema):
    """Format ``explain/1`` (sharing-and-delivery §3.6)."""

    format: Literal["explain/1"]
    submission_ref: str
    version: int
    phase: Literal["plan", "explain"]
    evaluated_at: str
    registry_digest: str
    move: MoveSummary
    candidates: list[Candidate]


class MoveAccepted(_Schema):
    reference: str = Field(examples=["COA-7K3Q-9MX2"])
    version: int
    receipt_id: str | None
    receipt_token: str | None = Field(
        description="A citizen key for GET /v1/moves/{reference}; shown once, never stored."
    )
    plan: Plan | None = Field(description="Absent when an Idempotency-Key replays a submission.")


class RecipientStatus(_Schema):
    partner: str | None
    partner_name: str | None
    service: str
    partner_service_id: str
    decision: str
    role: str
    status: Literal["planned", "delayed", "sending", "sent", "not_sent", "refused", "waiting"]
    lawful_basis: str | None
    fields: list[str]
    not_before: str | None
    reasons: list[str]
    close_reason: str | None
    consent_id: str | None
    partner_ack: str | None = Field(
        default=None,
        description="The service's acknowledgement: applied, not_known, rejected or needs_info.",
    )
    partner_ack_reason: str | None = Field(
        default=None, description="The reason code the service gave with its acknowledgement."
    )


class MoveStatus(_Schema):
    reference: str
    version: int
    status: str
    move_date: str
    recipients: list[RecipientStatus]


class ConsentWithdrawn(_Schema):
    consent_id: str
    already_withdrawn: bool
    cancelled: int = Field(description="Queued deliveries cancelled.")
    notices: int = Field(description="Earlier recipients being told.")
    receipt_id: str | None


class MoveWithdrawn(_Schema):
    reference: str
    already_withdrawn: bool
    cancelled: int = Field(description="Queued deliveries cancelled.")
    notices: int = Field(description="Earlier recipients being told.")
