"""Operational notices as the API shows them (ids, codes, counts and times only)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

NoticeKind = Literal[
    "endpoint.disabled", "endpoint.failing", "delivery.exhausted", "delivery.recovered",
    "feed.stale", "endpoint.recovered",
]  # fmt: skip


class _Schema(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class OpsNotice(_Schema):
    id: str
    kind: NoticeKind = Field(
        description="endpoint.disabled, endpoint.failing, endpoint.recovered, "
        "delivery.exhausted, delivery.recovered or feed.stale."
    )
    partner_id: str | None
    endpoint_id: str | None
    delivery_id: str | None
    detail: dict[str, Any] = Field(description="Codes and counts, e.g. the disabled reason.")
    created_at: dt.datetime
    sent_at: dt.datetime | None = Field(
        description="When sending it as an operational webhook finished (null: not yet)."
    )


class OpsNoticePage(_Schema):
    items: list[OpsNotice]
    next_cursor: str | None = Field(description="Pass as `after` for the next page.")
