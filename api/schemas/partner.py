"""The partner side as the API shows it: the delivery log, acknowledgements and the pull feed."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

AckOutcome = Literal["applied", "not_known", "rejected", "needs_info"]
DeliveryState = Literal[
    "scheduled", "pending", "in_flight", "retry_wait", "held", "dead", "delivered", "cancelled",
    "expired", "abandoned",
]  # fmt: skip
FileBatchState = Literal["built", "collected", "withdrawn", "expired"]


class _Schema(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AckMessage(_Schema):
    en: str | None = Field(default=None, max_length=500)
    cy: str | None = Field(default=None, max_length=500)


class AckCreate(_Schema):
    outcome: AckOutcome
    reason_code: str | None = Field(default=None, max_length=64)
    message: str | AckMessage | None = Field(
        default=None,
        description="Plain text the citizen may be shown (at most 500 characters): a string "
        'in English, or {"en": ..., "cy": ...} with the Welsh text too.',
    )
    partner_case_ref: str | None = Field(default=None, max_length=64)
    fields_applied: list[str] | None = Field(
        default=None,
        max_length=40,
        description="The field groups the partner applied (within those the event carried).",
    )

    def messages(self) -> tuple[str | None, str | None]:
        """The English and Welsh message."""
        if isinstance(self.message, AckMessage):
            return self.message.en, self.message.cy
        return self.message, None


class Ack(_Schema):
    id: str
    delivery_id: str
    outcome: AckOutcome
    reason_code: str | None
    message: str | None
    message_cy: str | None = None
    partner_case_ref: str | None
    fields_applied: list[str] | None = None
    ack_webhook_id: str | None = Field(
        default=None, description="The webhook-id the ack was signed with, when signed."
    )
    received_at: dt.datetime
    supersedes_ack_id: str | None


class DeliveryLogItem(_Schema):
    id: str = Field(description="The delivery id: the CloudEvents id; webhook-id is msg_ + id.")
    partner_id: str
    partner_service_id: str
    event_type: str
    state: DeliveryState
    attempt_count: int
    last_http_status: int | None
    last_error_kind: str | None
    close_reason: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    ack: Ack | None


class DeliveryLogPage(_Schema):
    items: list[DeliveryLogItem]
    next_cursor: str | None = Field(description="Pass as `after` for the next page.")


class FeedItem(_Schema):
    cursor: str = Field(description="Commit this (or a later one) once the item is handled.")
    webhook_id: str = Field(description="msg_ + the delivery id, as a webhook would carry it.")
    webhook_timestamp: str
    webhook_signature: str | None = Field(
        description="Standard Webhooks v1 signatures over webhook_id.timestamp.body, "
        "with the partner's endpoint secrets; null when the partner has no endpoint secret."
    )
    body: str = Field(description="The exact event bytes (UTF-8 CloudEvents JSON) signed.")
    tombstone: bool = False
    reason: str | None = Field(
        default=None,
        description="For a tombstone: cancelled (the recheck or a withdrawal stopped it) "
        "or expired.",
    )


class FeedPage(_Schema):
    items: list[FeedItem]
    next_cursor: str | None
    has_more: bool


class FeedCommit(_Schema):
    cursor: str
    subscription: str | None = Field(
        default=None,
        max_length=36,
        description="The pull subscription whose own feed this cursor came from, if it did.",
    )


class FeedCommitted(_Schema):
    committed: int = Field(description="Items marked delivered by this commit.")
    cursor: str


class FileBatch(_Schema):
    id: str
    subscription_id: str
    partner_service_id: str
    state: FileBatchState
    file_name: str
    rows: int
    sha256: str = Field(description="SHA-256 (hex) of the CSV bytes, as in the manifest.")
    built_at: dt.datetime
    written_at: dt.datetime | None
    collected_at: dt.datetime | None
    collected_by: str | None
    collected_via: str | None = Field(
        description="download, portal, command_line or drop_directory (the CSV was taken away)."
    )


class FileBatchPage(_Schema):
    items: list[FileBatch]
    next_cursor: str | None = Field(description="Pass as `after` for the next page.")


class FileBatchCollected(_Schema):
    batch: FileBatch
    already_collected: bool


class Recover(_Schema):
    since: AwareDatetime | None = Field(
        default=None,
        description="Only deliveries that died at or after this time, with its offset (all if "
        "null).",
    )


class Resent(_Schema):
    resent: list[str] = Field(description="The deliveries that will be sent again, in order.")


class AcksImported(_Schema):
    created: int = Field(description="New acknowledgements recorded.")
    unchanged: int = Field(description="Rows that repeated an acknowledgement already held.")
