"""Webhook endpoints as the API shows them: the overview, creation, changes and secrets."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

DataCategory = Literal["non-sensitive", "standard", "sensitive", "special-category"]
EventType = Annotated[str, Field(min_length=1, max_length=120, pattern=r"^[a-z0-9_.\-]+$")]
# RFC 6750's b64token: what may follow "Bearer " in the header
BearerToken = Annotated[
    str, Field(min_length=8, max_length=500, pattern=r"^[A-Za-z0-9\-._~+/]+=*$")
]


class _Schema(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class OAuth2(_Schema):
    """OAuth2 client credentials (RFC 6749 §4.4) for a receiver behind an API gateway."""

    token_url: str = Field(
        max_length=2000, description="The token endpoint: an https URL on port 443 or 8443."
    )
    client_id: str = Field(min_length=1, max_length=200)
    client_secret: str = Field(
        min_length=1, max_length=500, description="Never shown again.", repr=False
    )
    scope: str | None = Field(default=None, max_length=200, pattern=r"^[\x21\x23-\x5B\x5D-\x7E ]*$")


class OAuth2View(_Schema):
    token_url: str
    client_id: str
    scope: str | None = None


_OAUTH2 = (
    "OAuth2 client credentials: the hub fetches an access token from `token_url` "
    "(`grant_type=client_credentials`, HTTP Basic client authentication) and sends it as "
    "`Authorization: Bearer <token>` with every request. An endpoint has a bearer token or "
    "OAuth2, not both: both in one request are refused (`auth_conflict`)"
)


class Mtls(_Schema):
    """A client certificate the hub presents in the TLS handshake (mutual TLS)."""

    certificate: str = Field(
        min_length=1,
        max_length=50_000,
        description="The client certificate chain, PEM, leaf first; checked: readable, current, "
        "usable for client authentication.",
    )
    private_key: str = Field(
        min_length=1,
        max_length=10_000,
        repr=False,
        description="The leaf's private key, PEM, without a passphrase (stored sealed). Never "
        "shown again.",
    )
    ca_certificates: str | None = Field(
        default=None, max_length=200_000,
        description="CA certificates (PEM) the receiver's server certificate must chain to, "
        "instead of the public trust store (a private PKI such as PSN or HSCN).",
    )  # fmt: skip


class MtlsView(_Schema):
    subject: str
    issuer: str
    not_after: dt.datetime
    fingerprint_sha256: str = Field(description="SHA-256 of the leaf certificate (DER), hex.")


_MTLS = (
    "A client certificate the hub presents when the receiver asks for one (mutual TLS). It is "
    "a layer below the `authorization` header, so it goes with a bearer token or OAuth2, or "
    "alone. Refused with 422: `invalid_client_certificate`, `expired_client_certificate`, "
    "`encrypted_client_key`, `invalid_client_key`, `client_key_mismatch`, "
    "`invalid_ca_certificates`"
)


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
    bearer_token: BearerToken | None = Field(
        default=None,
        description="Sent as `Authorization: Bearer <token>` with every request to the "
        "endpoint, besides the signature (a gateway's credential). Never shown again.",
    )
    oauth2: OAuth2 | None = Field(default=None, description=f"{_OAUTH2}.")
    mtls: Mtls | None = Field(default=None, description=f"{_MTLS}.")


class EndpointUpdate(_Schema):
    url: str | None = Field(default=None, max_length=2000)
    event_types: list[EventType] | None = Field(
        default=None, max_length=50, description="Event types the endpoint's subscriptions take."
    )
    description: str | None = Field(default=None, max_length=200, description="Empty clears it.")
    operational_events: bool | None = None
    bearer_token: str | None = Field(
        default=None,
        max_length=500,
        pattern=r"^([A-Za-z0-9\-._~+/]{8,}=*)?$",
        description="A new bearer token (replacing any OAuth2 credentials); an empty string "
        "removes it.",
    )
    oauth2: OAuth2 | None = Field(
        default=None,
        description=f"{_OAUTH2}; setting them removes any bearer token, null removes them.",
    )
    mtls: Mtls | None = Field(
        default=None, description=f"{_MTLS}. A new one replaces the old; null removes it."
    )


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
    auth: Literal["none", "bearer", "oauth2_cc", "mtls"] = Field(
        default="none",
        description="What goes with each request besides the signature: nothing, a bearer "
        "token (not shown) or an OAuth2 client-credentials token; `mtls` when a client "
        "certificate is the only credential (see `mtls` for one alongside a token).",
    )
    oauth2: OAuth2View | None = Field(
        default=None, description="The OAuth2 token URL, client id and scope (never the secret)."
    )
    mtls: MtlsView | None = Field(
        default=None, description="The client certificate presented (never its key)."
    )


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
    error_kind: str | None = Field(
        description="timeout, connect, dns, ssrf_block, auth_failed, ... or null."
    )
    latency_ms: int
    response_excerpt: str | None = Field(description="At most 1 KiB of a non-2xx answer.")
    sent_at: dt.datetime
