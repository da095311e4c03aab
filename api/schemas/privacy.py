"""The disclosure ledger, erasure and retention, as the API shows them (DPO and admin)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Schema(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LedgerLine(_Schema):
    """One disclosure: who got which field groups (codes, never values), when, and why."""

    disclosure_id: str
    delivery_id: str
    event_id: str = Field(description="The CloudEvents id the recipient saw.")
    event_type: str
    role: str | None = Field(description="The person's place in it: primary or household.")
    submission_reference: str | None
    partner_id: str
    partner_name: str | None
    partner_service_id: str
    service_name: str | None
    channel: str
    purpose_code: str | None
    purpose_label: str | None
    lawful_basis: str | None
    art9_condition: str | None
    rule: str = Field(description="The sharing rule in force at send, as id@version.")
    agreement: str | None = Field(description="The agreement in force at send, as id@version.")
    consent_record_id: str | None
    receipt_id: str | None
    fields: list[str] = Field(description="Field groups sent (codes).")
    outcome: str = Field(description="planned, disclosed, possibly_disclosed or not_disclosed.")
    close_reason: str | None
    planned_at: dt.datetime
    disclosed_at: dt.datetime | None
    closed_at: dt.datetime | None
    notice_of: str | None = Field(description="For an Art. 19 notice: the line it follows up.")
    art19_status: str
    payload_digest: str | None = Field(description="HMAC-SHA256 of the exact body sent.")
    erased_at: dt.datetime | None
    erasure_ref: str | None


class PersonDisclosures(_Schema):
    subject_id: str
    erased_at: dt.datetime | None
    disclosures: list[LedgerLine]


class Notice(_Schema):
    event_id: str
    event_type: str
    outcome: str


class RecipientEvent(_Schema):
    event_id: str
    event_type: str
    version: int | None = Field(description="The version of the move it carried.")
    outcome: str
    disclosed_at: dt.datetime | None
    fields: list[str]
    art19_status: str
    art19_note: str | None
    notices: list[Notice] = Field(description="Art. 19 notices already sent about it.")


class Recipient(_Schema):
    partner_id: str
    partner_name: str | None
    partner_status: str
    partner_service_id: str
    service_name: str | None
    can_notify: bool = Field(description="False when the partner is offboarded.")
    events: list[RecipientEvent]


class MoveVersion(_Schema):
    version: int
    status: str


class MoveSubject(_Schema):
    subject_id: str
    role: str


class MoveRecipients(_Schema):
    """Everyone who was sent, or may have received, data from this move (Art. 19)."""

    reference: str
    versions: list[MoveVersion]
    subjects: list[MoveSubject]
    recipients: list[Recipient]


class ProcessingRecord(_Schema):
    """The record of processing under one agreement (Art. 30), format ``ropa/1``."""

    format: str
    agreement_id: str
    versions: list[dict[str, Any]] = Field(
        description="Each version, newest first: parties, legal gateways, DPIA, retention, "
        "and per rule the recipient, purpose, lawful basis, field groups with their data "
        "categories, data subjects and the ledger's counts by outcome."
    )
    security_measures: list[str]


class ErasureCreate(_Schema):
    case_ref: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$",
        description="The request's case reference (a code, not free text).",
    )


class Erasure(_Schema):
    subject_id: str
    erasure_ref: str | None = Field(description="The erasure register entry (null if repeated).")
    already_erased: bool
    executed_at: dt.datetime
    counts: dict[str, int]
    notices: list[str] = Field(description="Delivery ids of the Art. 19 notices enqueued.")
    impossible: list[dict[str, str]] = Field(description="Recipients that cannot be told.")


class RetentionRun(_Schema):
    run_id: str
    run_at: dt.datetime
    counts: dict[str, int]
