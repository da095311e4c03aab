"""Webhook endpoints as the API shows them: the overview, creation, changes and secrets."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

DataCategory = Literal["non-sensitive", "standard", "sensitive", "special-category"]
EventType = Annotated[str, Field(min_length=1, max_length=120, pattern=r"^[a-z0-9_.\-]+$")]


class _Schema(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class EndpointCreate(_Schema):
    url: str = Field(max_length=2000, description="An https URL on port 443 or 8443.")
    max_data_category: DataCategory = "standard"
    partner_id: str | None = Field(
        default=None, max_length=64, description="Admins only; a partner key uses its own."
    )
    description: str | None = Field(default=None, max_length=200)
    operational_events: bool = Field(
        default=False,
        description="Also receive operational events (endpoint.disabled, endpoint.recovered, "
        "...) about the partner's other endpoints.",
    )


class EndpointUpdate(_Schema):
    url: str | None = Field(default=None, max_length=2000)
    event_types: list[EventType] | None = Field(
        default=None, max_length=50, description="Event types the endpoint's subscriptions take."
    )
    description: str | None = Field(default=None, max_length=200, description="Empty clears it.")
    operational_events: bool | None = None


class Endpoint(_Schema):
    endpoint_id: str
    partner_id: str
    url: str
    status: str = Field(description="pending_validation, active, paused or disabled.")
    disabled_reason: str | None
    circuit_state: str
    last_success_at: dt.datetime | None
    deliveries: dict[str, int] = Field(description="Deliveries per state.")
    event_types: list[str]
    description: str | None = None
    operational_events: bool = False


class EndpointList(_Schema):
    items: list[Endpoint]


class EndpointSecret(_Schema):
    endpoint: Endpoint
    secret: str = Field(description="The new whsec_ signing secret; it is shown only this once.")
    previous_valid_until: dt.datetime | None = Field(
        default=None, description="Until when the previous secret still signs (rotation)."
    )


class EndpointTestResult(_Schema):
    endpoint_id: str
    event_id: str
    webhook_id: str
    event_type: str
    delivered: bool = Field(description="True when the endpoint answered 2xx.")
    http_status: int | None
    error_kind: str | None = Field(description="timeout, connect, dns, ssrf_block, ... or null.")
    latency_ms: int
    response_excerpt: str | None = Field(description="At most 1 KiB of a non-2xx answer.")
    sent_at: dt.datetime
