"""Registry tables (sharing-and-delivery §2.1): partners, services, coverage, purposes, source
restrictions, agreements and rules (both versioned: PK ``(id, version)``), subscriptions and
endpoints, and the audit of registry changes.

Coverage names areas by code (GSS); their boundaries are the gazetteer's ``area`` rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, get_args

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.sealing import Sealed
from core.tables import Base
from notify import codes
from notify.tables.common import CODE, ID, JSON, KEY, NAME, TEXT, URL, one_of
from notify.transports import mtls, oauth

CATEGORIES = get_args(codes.DataCategory)


class Partner(Base):
    __tablename__ = "partner"
    __table_args__ = (
        one_of("kind", get_args(codes.PartnerKind)),
        one_of("ig_assurance", get_args(codes.Assurance)),
        one_of("status", get_args(codes.PartnerStatus)),
        one_of("ordering_scope", ("partner", "service")),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    code: Mapped[str] = mapped_column(CODE, unique=True)
    name_en: Mapped[str] = mapped_column(NAME)
    name_cy: Mapped[str] = mapped_column(NAME)
    kind: Mapped[str] = mapped_column(CODE)
    is_public_authority: Mapped[bool]
    ig_assurance: Mapped[str] = mapped_column(CODE)
    status: Mapped[str] = mapped_column(CODE)
    ops_email: Mapped[str | None] = mapped_column(NAME)
    ordering_scope: Mapped[str] = mapped_column(CODE)
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]


class PartnerService(Base):
    __tablename__ = "partner_service"
    __table_args__ = (
        sa.UniqueConstraint("partner_id", "service_code"),
        one_of("service_code", codes.SERVICE_CODES),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    partner_id: Mapped[str] = mapped_column(ID, sa.ForeignKey("partner.id"))
    service_code: Mapped[str] = mapped_column(CODE)
    name_en: Mapped[str] = mapped_column(NAME)
    name_cy: Mapped[str] = mapped_column(NAME)
    hint_en: Mapped[str | None] = mapped_column(TEXT)
    hint_cy: Mapped[str | None] = mapped_column(TEXT)
    accepted_field_groups: Mapped[list[str]] = mapped_column(JSON)
    exclusive_area: Mapped[bool]
    originates_restrictions: Mapped[list[str]] = mapped_column(JSON)
    echo_allowed: Mapped[bool]
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    reference_label_en: Mapped[str | None] = mapped_column(NAME)
    reference_label_cy: Mapped[str | None] = mapped_column(NAME)
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]


class PartnerCoverage(Base):
    __tablename__ = "partner_coverage"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    partner_service_id: Mapped[str] = mapped_column(
        ID, sa.ForeignKey("partner_service.id"), index=True
    )
    area_code: Mapped[str] = mapped_column(CODE, index=True)
    custodian_code: Mapped[str | None] = mapped_column(CODE)
    valid_from: Mapped[dt.date | None]
    valid_to: Mapped[dt.date | None]


class Purpose(Base):
    __tablename__ = "purpose"

    code: Mapped[str] = mapped_column(KEY, primary_key=True)
    label_en: Mapped[str] = mapped_column(NAME)
    label_cy: Mapped[str] = mapped_column(NAME)
    description: Mapped[str | None] = mapped_column(TEXT)
    dpv_iri: Mapped[str | None] = mapped_column(URL)


class SourceRestriction(Base):
    __tablename__ = "source_restriction"

    code: Mapped[str] = mapped_column(KEY, primary_key=True)
    legal_ref: Mapped[str] = mapped_column(NAME)
    effect: Mapped[str] = mapped_column(CODE)
    description: Mapped[str | None] = mapped_column(TEXT)
    lifted_by: Mapped[list[str]] = mapped_column(JSON)


class Agreement(Base):
    """One version of a data-sharing agreement; immutable once it leaves ``draft``."""

    __tablename__ = "data_sharing_agreement"
    __table_args__ = (
        one_of("status", get_args(codes.AgreementStatus)),
        one_of("controller_model", ("independent", "joint")),
    )

    id: Mapped[str] = mapped_column(KEY, primary_key=True)
    version: Mapped[int] = mapped_column(sa.Integer(), primary_key=True)
    ref: Mapped[str] = mapped_column(KEY)
    title: Mapped[str] = mapped_column(NAME)
    status: Mapped[str] = mapped_column(CODE)
    legal_gateway_refs: Mapped[list[str]] = mapped_column(JSON)
    legal_gateway_text: Mapped[str | None] = mapped_column(TEXT)
    dpia_ref: Mapped[str | None] = mapped_column(KEY)
    controller_model: Mapped[str] = mapped_column(CODE)
    effective_from: Mapped[dt.datetime]
    effective_to: Mapped[dt.datetime | None]
    review_due: Mapped[dt.date | None]
    suspend_on_overdue_review: Mapped[bool]
    ledger_retention_months: Mapped[int] = mapped_column(sa.Integer())
    payload_retention_days: Mapped[dict[str, int] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]


class AgreementParty(Base):
    __tablename__ = "dsa_party"
    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["dsa_id", "dsa_version"],
            ["data_sharing_agreement.id", "data_sharing_agreement.version"],
        ),
        one_of("role", ("discloser", "recipient", "hub_operator")),
    )

    dsa_id: Mapped[str] = mapped_column(KEY, primary_key=True)
    dsa_version: Mapped[int] = mapped_column(sa.Integer(), primary_key=True)
    partner_id: Mapped[str] = mapped_column(ID, sa.ForeignKey("partner.id"), primary_key=True)
    role: Mapped[str] = mapped_column(CODE)
    approver_name: Mapped[str | None] = mapped_column(NAME)
    approved_at: Mapped[dt.datetime | None]


class SharingRule(Base):
    """One version of a sharing rule; immutable once it leaves ``draft``."""

    __tablename__ = "sharing_rule"
    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["dsa_id", "dsa_version"],
            ["data_sharing_agreement.id", "data_sharing_agreement.version"],
        ),
        one_of("status", get_args(codes.RuleStatus)),
        one_of("lawful_basis", codes.LAWFUL_BASES),
        one_of("decision", get_args(codes.RuleDecision)),
        one_of("choice_mode", get_args(codes.ChoiceMode)),
        one_of("relationship_requirement", get_args(codes.RelationshipRequirement)),
        one_of("max_data_category", CATEGORIES),
        one_of("min_assurance", get_args(codes.Assurance)),
        one_of("payload_mode", ("full", "thin")),
    )

    id: Mapped[str] = mapped_column(KEY, primary_key=True)
    version: Mapped[int] = mapped_column(sa.Integer(), primary_key=True)
    status: Mapped[str] = mapped_column(CODE)
    dsa_id: Mapped[str] = mapped_column(KEY)
    dsa_version: Mapped[int] = mapped_column(sa.Integer())
    partner_service_id: Mapped[str] = mapped_column(
        ID, sa.ForeignKey("partner_service.id"), index=True
    )
    event_types: Mapped[list[str]] = mapped_column(JSON)
    purpose_code: Mapped[str] = mapped_column(KEY, sa.ForeignKey("purpose.code"))
    lawful_basis: Mapped[str] = mapped_column(CODE)
    art9_condition: Mapped[str | None] = mapped_column(NAME)
    art10_condition: Mapped[str | None] = mapped_column(NAME)
    decision: Mapped[str] = mapped_column(CODE)
    parent_rule_id: Mapped[str | None] = mapped_column(KEY)
    priority: Mapped[int] = mapped_column(sa.Integer())
    trigger_roles: Mapped[list[str]] = mapped_column(JSON)
    source_channels: Mapped[list[str]] = mapped_column(JSON)
    choice_mode: Mapped[str] = mapped_column(CODE)
    relationship_requirement: Mapped[str] = mapped_column(CODE)
    field_groups: Mapped[list[str]] = mapped_column(JSON)
    required_field_groups: Mapped[list[str]] = mapped_column(JSON)
    max_data_category: Mapped[str] = mapped_column(CODE)
    overrides_restrictions: Mapped[list[str]] = mapped_column(JSON)
    min_assurance: Mapped[str] = mapped_column(CODE)
    move_date_window: Mapped[dict[str, int] | None] = mapped_column(JSON)
    release_lead_days: Mapped[int] = mapped_column(sa.Integer())
    expiry_days: Mapped[int] = mapped_column(sa.Integer())
    payload_mode: Mapped[str] = mapped_column(CODE)
    ack_expected_days: Mapped[int] = mapped_column(sa.Integer())
    valid_from: Mapped[dt.datetime | None]
    valid_to: Mapped[dt.datetime | None]
    approved_by: Mapped[str | None] = mapped_column(NAME)
    approved_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]


class Endpoint(Base):
    """Where webhooks for a partner go (signing secrets and health live with delivery)."""

    __tablename__ = "endpoint"
    __table_args__ = (
        one_of("status", get_args(codes.EndpointStatus)),
        one_of("max_data_category", CATEGORIES),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    partner_id: Mapped[str] = mapped_column(ID, sa.ForeignKey("partner.id"), index=True)
    url: Mapped[str] = mapped_column(URL)
    status: Mapped[str] = mapped_column(CODE)
    disabled_reason: Mapped[str | None] = mapped_column(CODE)
    max_data_category: Mapped[str] = mapped_column(CODE)
    timeout_s: Mapped[int] = mapped_column(sa.Integer())
    allow_private_network: Mapped[bool]
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    # 0013_delivery_extras: the partner's own label, and whether operational events
    # (endpoint.disabled, endpoint.recovered, ...) about its other endpoints come here too.
    description: Mapped[str | None] = mapped_column(NAME)
    operational_events: Mapped[bool | None]
    # 0024: sent as ``Authorization: Bearer`` with every request to the endpoint; never shown;
    # 0026: stored sealed (core.sealing)
    bearer_token: Mapped[str | None] = mapped_column(Sealed(1000))
    # 0027: OAuth2 client credentials instead (never with a bearer token); the secret sealed
    oauth_token_url: Mapped[str | None] = mapped_column(URL)
    oauth_client_id: Mapped[str | None] = mapped_column(NAME)
    oauth_client_secret: Mapped[str | None] = mapped_column(Sealed(1000))
    oauth_scope: Mapped[str | None] = mapped_column(NAME)
    # 0029: a client certificate chain presented in the TLS handshake (with either of the
    # above or alone), its key sealed and never shown, and CA certificates for the receiver
    mtls_certificate: Mapped[str | None] = mapped_column(TEXT)
    mtls_private_key: Mapped[str | None] = mapped_column(Sealed(16000))
    mtls_ca_certificates: Mapped[str | None] = mapped_column(TEXT)

    @property
    def oauth_client(self) -> oauth.OAuthClient | None:
        """The endpoint's OAuth2 client, when it has one."""
        return oauth.client(self.oauth_token_url, self.oauth_client_id,
                            self.oauth_client_secret, self.oauth_scope)  # fmt: skip

    @property
    def client_tls(self) -> mtls.ClientTLS | None:
        """The client certificate the endpoint's receiver asks for, when it has one."""
        return mtls.client_tls(self.mtls_certificate, self.mtls_private_key,
                               self.mtls_ca_certificates)  # fmt: skip


class Subscription(Base):
    """A service's request for event types through one channel."""

    __tablename__ = "subscription"
    __table_args__ = (
        one_of("channel", get_args(codes.DeliveryChannel)),
        one_of("status", ("active", "paused")),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    partner_service_id: Mapped[str] = mapped_column(
        ID, sa.ForeignKey("partner_service.id"), index=True
    )
    channel: Mapped[str] = mapped_column(CODE)
    endpoint_id: Mapped[str | None] = mapped_column(ID, sa.ForeignKey("endpoint.id"))
    event_types: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(CODE)
    created_at: Mapped[dt.datetime]


class RegistryChange(Base):
    """Audit: one row per registry item created or changed, with who, when and the diff."""

    __tablename__ = "registry_change"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(NAME)
    action: Mapped[str] = mapped_column(CODE)
    item_kind: Mapped[str] = mapped_column(CODE)
    item_key: Mapped[str] = mapped_column(NAME)
    item_version: Mapped[int | None] = mapped_column(sa.Integer())
    file_sha256: Mapped[str | None] = mapped_column(KEY)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)


class RegistryVersion(Base):
    """PostgreSQL: one row that a trigger sets to a new number from ``registry_version_seq``
    before each registry row is written (a statement writing a registry table locks it
    first, so registry writers queue there; migration ``0021_registry_version``). A reader
    compares it with the one it last saw to know, in one row's read, whether the registry
    changed (a rolled-back write puts the row back; sequences do not roll back, so a version
    never comes back with other rows). SQLite counts its changes its own way
    (:func:`notify.sql.sqlite_change_counter`)."""

    __tablename__ = "registry_version"
    __table_args__ = (sa.CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(sa.SmallInteger(), primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(sa.BigInteger())
