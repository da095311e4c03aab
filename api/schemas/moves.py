"""Change-of-address requests, plans (``explain/1``) and per-recipient status, as shown."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

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


class TypedAddress(_Schema):
    """An address typed instead of a UPRN: free text, or lines and a postcode; matched against
    the gazetteer on intake, and the evidence kept."""

    text: str | None = Field(default=None, max_length=500, examples=["2 Mill Lane, Newtown"])
    lines: list[str] | None = Field(default=None, max_length=10)
    postcode: str | None = Field(default=None, max_length=10)
    not_listed: bool = Field(
        default=False,
        description="The gazetteer lacks this address (new address: a custodian settles it; "
        "old address: kept as text).",
    )
    latitude: float | None = Field(default=None, ge=49.0, le=61.0, description="Provisional.")
    longitude: float | None = Field(default=None, ge=-9.0, le=3.0, description="Provisional.")

    @model_validator(mode="after")
    def _some_address(self) -> TypedAddress:
        if not (self.text or "").strip() and not self.lines and not self.postcode:
            raise ValueError("give text, or lines and/or a postcode")
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("a provisional point needs both latitude and longitude")
        return self


class MoveCreate(_Schema):
    """One reported move. Partner keys name their own service in ``source_service``.

    Each address is a UPRN or typed text (``new_address``, ``old_address``), not both. A new
    address with no confident match waits for a custodian: nothing is sent until it has a UPRN.
    """

    person: Person
    household: list[HouseholdMember] = Field(default_factory=list, max_length=20)
    contact: Contact | None = None
    language: Literal["en", "cy"] = "en"
    old_uprn: Uprn | None = None
    new_uprn: Uprn | None = None
    old_address_text: str | None = Field(default=None, max_length=500)
    new_address: TypedAddress | None = None
    old_address: TypedAddress | None = None
    move_date: dt.date
    move_date_kind: Literal["actual", "planned"] = "actual"
    recipients: list[Recipient] = Field(default_factory=list, max_length=200)
    declaration_version: str | None = Field(default=None, max_length=40)
    source_service: str | None = Field(
        default=None, description="Partner keys: the reporting service."
    )
    assurance_level: Literal["none", "low", "medium", "high", "very_high"] = "none"

    @model_validator(mode="after")
    def _one_form_per_address(self) -> MoveCreate:
        if (self.new_uprn is None) == (self.new_address is None):
            raise ValueError("give the new address as new_uprn or new_address (one of them)")
        if self.old_address is not None and (self.old_uprn or self.old_address_text):
            raise ValueError("give the old address as old_uprn or old_address, not both")
        return self


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
    status_text: str | None = Field(
        default=None,
        description="In plain words, why this service waits or is not told (e.g. held for a "
        "check); null once it is on its way.",
    )
    close_reason: str | None
    consent_id: str | None
    partner_ack: str | None = Field(
        default=None,
        description="The service's acknowledgement: applied, not_known, rejected or needs_info.",
    )
    partner_ack_reason: str | None = Field(
        default=None, description="The reason code the service gave with its acknowledgement."
    )
    partner_ack_message: str | None = Field(
        default=None,
        description="The service's own words (plain text) when it rejected the change or needs "
        "more information; null otherwise.",
    )
    partner_ack_message_cy: str | None = Field(
        default=None, description="The same in Welsh, when the service gave it."
    )
    partner_ack_overdue: bool = Field(
        default=False,
        description="Sent, but the service has not acknowledged it within the days its rule "
        "expects (ack_expected_days): show 'no response yet'.",
    )


class MoveStatus(_Schema):
    reference: str
    version: int
    status: str
    move_date: str
    new_address: Literal["known", "pending", "rejected"] = Field(
        default="known",
        description="pending: the new address waits for a custodian (services are told once it "
        "has a UPRN); rejected: it could not be found, and they are not told.",
    )
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
