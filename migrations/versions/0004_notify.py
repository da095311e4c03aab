"""Sharing: partners, services, coverage, agreements and rules (versioned), subscriptions,
people, submissions and consents, the plan, the outbox with its lanes, and the ledger.

Revision ID: 0004_notify
Revises: 0003_address_search
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004_notify"
down_revision = "0003_address_search"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

TABLES = (
    "data_sharing_agreement",
    "partner",
    "purpose",
    "registry_change",
    "source_restriction",
    "dsa_party",
    "endpoint",
    "partner_service",
    "partner_coverage",
    "sharing_rule",
    "subscription",
    "subject",
    "change_submission",
    "consent_receipt",
    "consent_record",
    "recipient_choice",
    "relationship",
    "third_party_declaration",
    "household_member",
    "delivery_lane",
    "outbox_event",
    "plan_decision",
    "delivery",
    "delivery_subject",
    "disclosure",
    "disclosure_history",
)


def upgrade() -> None:
    _registry()
    _people()
    _outbox()


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)


def _registry() -> None:
    op.create_table(
        "data_sharing_agreement",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("legal_gateway_refs", JSON, nullable=False),
        sa.Column("legal_gateway_text", sa.Text(), nullable=True),
        sa.Column("dpia_ref", sa.String(length=64), nullable=True),
        sa.Column("controller_model", sa.String(length=40), nullable=False),
        sa.Column("effective_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("effective_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review_due", sa.Date(), nullable=True),
        sa.Column("suspend_on_overdue_review", sa.Boolean(), nullable=False),
        sa.Column("ledger_retention_months", sa.Integer(), nullable=False),
        sa.Column("payload_retention_days", JSON, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "controller_model IN ('independent', 'joint')",
            name=op.f("ck_data_sharing_agreement_controller_model"),
        ),
        sa.CheckConstraint(
            "status IN ('active', 'draft', 'expired', 'suspended', 'terminated')",
            name=op.f("ck_data_sharing_agreement_status"),
        ),
        sa.PrimaryKeyConstraint("id", "version", name=op.f("pk_data_sharing_agreement")),
    )
    op.create_table(
        "partner",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("name_cy", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("is_public_authority", sa.Boolean(), nullable=False),
        sa.Column("ig_assurance", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("ops_email", sa.String(length=200), nullable=True),
        sa.Column("ordering_scope", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "ig_assurance IN ('approaching', 'exceeded', 'met', 'none')",
            name=op.f("ck_partner_ig_assurance"),
        ),
        sa.CheckConstraint(
            "kind IN ('council', 'fire', 'health', 'other_public', 'police', 'private')",
            name=op.f("ck_partner_kind"),
        ),
        sa.CheckConstraint(
            "ordering_scope IN ('partner', 'service')", name=op.f("ck_partner_ordering_scope")
        ),
        sa.CheckConstraint(
            "status IN ('active', 'offboarded', 'suspended')", name=op.f("ck_partner_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner")),
        sa.UniqueConstraint("code", name=op.f("uq_partner_code")),
    )
    op.create_table(
        "purpose",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("label_en", sa.String(length=200), nullable=False),
        sa.Column("label_cy", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("dpv_iri", sa.String(length=2000), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_purpose")),
    )
    op.create_table(
        "registry_change",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("item_kind", sa.String(length=40), nullable=False),
        sa.Column("item_key", sa.String(length=200), nullable=False),
        sa.Column("item_version", sa.Integer(), nullable=True),
        sa.Column("file_sha256", sa.String(length=64), nullable=True),
        sa.Column("detail", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_change")),
    )
    op.create_index(op.f("ix_registry_change_at"), "registry_change", ["at"], unique=False)
    op.create_table(
        "source_restriction",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("legal_ref", sa.String(length=200), nullable=False),
        sa.Column("effect", sa.String(length=40), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("lifted_by", JSON, nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_source_restriction")),
    )
    op.create_table(
        "dsa_party",
        sa.Column("dsa_id", sa.String(length=64), nullable=False),
        sa.Column("dsa_version", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("approver_name", sa.String(length=200), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "role IN ('discloser', 'hub_operator', 'recipient')", name=op.f("ck_dsa_party_role")
        ),
        sa.ForeignKeyConstraint(
            ["dsa_id", "dsa_version"],
            ["data_sharing_agreement.id", "data_sharing_agreement.version"],
            name=op.f("fk_dsa_party_dsa_id_data_sharing_agreement"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partner.id"], name=op.f("fk_dsa_party_partner_id_partner")
        ),
        sa.PrimaryKeyConstraint("dsa_id", "dsa_version", "partner_id", name=op.f("pk_dsa_party")),
    )
    op.create_table(
        "endpoint",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("partner_id", sa.String(length=36), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("disabled_reason", sa.String(length=40), nullable=True),
        sa.Column("max_data_category", sa.String(length=40), nullable=False),
        sa.Column("timeout_s", sa.Integer(), nullable=False),
        sa.Column("allow_private_network", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "max_data_category IN ('non-sensitive', 'sensitive', 'special-category', 'standard')",
            name=op.f("ck_endpoint_max_data_category"),
        ),
        sa.CheckConstraint(
            "status IN ('active', 'disabled', 'paused', 'pending_validation')",
            name=op.f("ck_endpoint_status"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partner.id"], name=op.f("fk_endpoint_partner_id_partner")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_endpoint")),
    )
    op.create_index(op.f("ix_endpoint_partner_id"), "endpoint", ["partner_id"], unique=False)
    op.create_table(
        "partner_service",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("partner_id", sa.String(length=36), nullable=False),
        sa.Column("service_code", sa.String(length=40), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("name_cy", sa.String(length=200), nullable=False),
        sa.Column("hint_en", sa.Text(), nullable=True),
        sa.Column("hint_cy", sa.Text(), nullable=True),
        sa.Column("accepted_field_groups", JSON, nullable=False),
        sa.Column("exclusive_area", sa.Boolean(), nullable=False),
        sa.Column("originates_restrictions", JSON, nullable=False),
        sa.Column("echo_allowed", sa.Boolean(), nullable=False),
        sa.Column("questions", JSON, nullable=False),
        sa.Column("reference_label_en", sa.String(length=200), nullable=True),
        sa.Column("reference_label_cy", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "service_code IN ('ADULT_SOCIAL_CARE', 'BLUE_BADGE', 'COUNCIL_TAX', 'ELECTORAL_REG', 'HEALTH', 'HOUSING', 'LIBRARIES', 'OTHER', 'POLICE', 'WASTE')",
            name=op.f("ck_partner_service_service_code"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partner.id"], name=op.f("fk_partner_service_partner_id_partner")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_service")),
        sa.UniqueConstraint(
            "partner_id", "service_code", name=op.f("uq_partner_service_partner_id")
        ),
    )
    op.create_table(
        "partner_coverage",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("partner_service_id", sa.String(length=36), nullable=False),
        sa.Column("area_code", sa.String(length=40), nullable=False),
        sa.Column("custodian_code", sa.String(length=40), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["partner_service_id"],
            ["partner_service.id"],
            name=op.f("fk_partner_coverage_partner_service_id_partner_service"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_coverage")),
    )
    op.create_index(
        op.f("ix_partner_coverage_area_code"), "partner_coverage", ["area_code"], unique=False
    )
    op.create_index(
        op.f("ix_partner_coverage_partner_service_id"),
        "partner_coverage",
        ["partner_service_id"],
        unique=False,
    )
    op.create_table(
        "sharing_rule",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("dsa_id", sa.String(length=64), nullable=False),
        sa.Column("dsa_version", sa.Integer(), nullable=False),
        sa.Column("partner_service_id", sa.String(length=36), nullable=False),
        sa.Column("event_types", JSON, nullable=False),
        sa.Column("purpose_code", sa.String(length=64), nullable=False),
        sa.Column("lawful_basis", sa.String(length=40), nullable=False),
        sa.Column("art9_condition", sa.String(length=200), nullable=True),
        sa.Column("art10_condition", sa.String(length=200), nullable=True),
        sa.Column("decision", sa.String(length=40), nullable=False),
        sa.Column("parent_rule_id", sa.String(length=64), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("trigger_roles", JSON, nullable=False),
        sa.Column("source_channels", JSON, nullable=False),
        sa.Column("choice_mode", sa.String(length=40), nullable=False),
        sa.Column("relationship_requirement", sa.String(length=40), nullable=False),
        sa.Column("field_groups", JSON, nullable=False),
        sa.Column("required_field_groups", JSON, nullable=False),
        sa.Column("max_data_category", sa.String(length=40), nullable=False),
        sa.Column("overrides_restrictions", JSON, nullable=False),
        sa.Column("min_assurance", sa.String(length=40), nullable=False),
        sa.Column("move_date_window", JSON, nullable=True),
        sa.Column("release_lead_days", sa.Integer(), nullable=False),
        sa.Column("expiry_days", sa.Integer(), nullable=False),
        sa.Column("payload_mode", sa.String(length=40), nullable=False),
        sa.Column("ack_expected_days", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_by", sa.String(length=200), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "choice_mode IN ('automatic_with_notice', 'citizen_opt_in')",
            name=op.f("ck_sharing_rule_choice_mode"),
        ),
        sa.CheckConstraint("decision IN ('deny', 'permit')", name=op.f("ck_sharing_rule_decision")),
        sa.CheckConstraint(
            "lawful_basis IN ('consent', 'contract', 'legal_obligation', 'legitimate_interests', 'public_task', 'vital_interests')",
            name=op.f("ck_sharing_rule_lawful_basis"),
        ),
        sa.CheckConstraint(
            "max_data_category IN ('non-sensitive', 'sensitive', 'special-category', 'standard')",
            name=op.f("ck_sharing_rule_max_data_category"),
        ),
        sa.CheckConstraint(
            "min_assurance IN ('approaching', 'exceeded', 'met', 'none')",
            name=op.f("ck_sharing_rule_min_assurance"),
        ),
        sa.CheckConstraint(
            "payload_mode IN ('full', 'thin')", name=op.f("ck_sharing_rule_payload_mode")
        ),
        sa.CheckConstraint(
            "relationship_requirement IN ('declared_reference_ok', 'holds_subject', 'holds_subject_at_old_uprn', 'none')",
            name=op.f("ck_sharing_rule_relationship_requirement"),
        ),
        sa.CheckConstraint(
            "status IN ('active', 'draft', 'retired')", name=op.f("ck_sharing_rule_status")
        ),
        sa.ForeignKeyConstraint(
            ["dsa_id", "dsa_version"],
            ["data_sharing_agreement.id", "data_sharing_agreement.version"],
            name=op.f("fk_sharing_rule_dsa_id_data_sharing_agreement"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_service_id"],
            ["partner_service.id"],
            name=op.f("fk_sharing_rule_partner_service_id_partner_service"),
        ),
        sa.ForeignKeyConstraint(
            ["purpose_code"], ["purpose.code"], name=op.f("fk_sharing_rule_purpose_code_purpose")
        ),
        sa.PrimaryKeyConstraint("id", "version", name=op.f("pk_sharing_rule")),
    )
    op.create_index(
        op.f("ix_sharing_rule_partner_service_id"),
        "sharing_rule",
        ["partner_service_id"],
        unique=False,
    )
    op.create_table(
        "subscription",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("partner_service_id", sa.String(length=36), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("endpoint_id", sa.String(length=36), nullable=True),
        sa.Column("event_types", JSON, nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "channel IN ('file_drop', 'manual_portal', 'pull', 'webhook')",
            name=op.f("ck_subscription_channel"),
        ),
        sa.CheckConstraint("status IN ('active', 'paused')", name=op.f("ck_subscription_status")),
        sa.ForeignKeyConstraint(
            ["endpoint_id"], ["endpoint.id"], name=op.f("fk_subscription_endpoint_id_endpoint")
        ),
        sa.ForeignKeyConstraint(
            ["partner_service_id"],
            ["partner_service.id"],
            name=op.f("fk_subscription_partner_service_id_partner_service"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscription")),
    )
    op.create_index(
        op.f("ix_subscription_partner_service_id"),
        "subscription",
        ["partner_service_id"],
        unique=False,
    )


def _people() -> None:
    op.create_table(
        "subject",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("move_block", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject")),
    )
    op.create_table(
        "change_submission",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("supersedes_id", sa.String(length=36), nullable=True),
        sa.Column("subject_id", sa.String(length=36), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("actor_kind", sa.String(length=40), nullable=False),
        sa.Column("actor_ref", sa.String(length=64), nullable=True),
        sa.Column("assurance_level", sa.String(length=40), nullable=False),
        sa.Column("source_partner_service_id", sa.String(length=36), nullable=True),
        sa.Column("source_restrictions", JSON, nullable=False),
        sa.Column("old_uprn", BIGINT, nullable=True),
        sa.Column("new_uprn", BIGINT, nullable=True),
        sa.Column("old_address_text", sa.Text(), nullable=True),
        sa.Column("old_match", JSON, nullable=True),
        sa.Column("new_match", JSON, nullable=True),
        sa.Column("move_date", sa.Date(), nullable=False),
        sa.Column("move_date_kind", sa.String(length=40), nullable=False),
        sa.Column("person", JSON, nullable=True),
        sa.Column("language", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("declaration_version", sa.String(length=40), nullable=True),
        sa.Column("registry_digest", sa.String(length=80), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pii_erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("idempotency_key", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "actor_kind IN ('agent', 'citizen', 'partner')",
            name=op.f("ck_change_submission_actor_kind"),
        ),
        sa.CheckConstraint(
            "channel IN ('agent', 'citizen_web', 'partner_api')",
            name=op.f("ck_change_submission_channel"),
        ),
        sa.CheckConstraint("language IN ('cy', 'en')", name=op.f("ck_change_submission_language")),
        sa.CheckConstraint(
            "move_date_kind IN ('actual', 'planned')",
            name=op.f("ck_change_submission_move_date_kind"),
        ),
        sa.CheckConstraint(
            "status IN ('completed', 'draft', 'releasing', 'scheduled', 'submitted', 'superseded', 'withdrawn')",
            name=op.f("ck_change_submission_status"),
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subject.id"], name=op.f("fk_change_submission_subject_id_subject")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_submission")),
        sa.UniqueConstraint("reference", "version", name=op.f("uq_change_submission_reference")),
    )
    op.create_index(
        op.f("ix_change_submission_new_uprn"), "change_submission", ["new_uprn"], unique=False
    )
    op.create_index(
        op.f("ix_change_submission_old_uprn"), "change_submission", ["old_uprn"], unique=False
    )
    op.create_index(
        op.f("ix_change_submission_reference"), "change_submission", ["reference"], unique=False
    )
    op.create_index(
        op.f("ix_change_submission_subject_id"), "change_submission", ["subject_id"], unique=False
    )
    op.create_table(
        "consent_receipt",
        sa.Column("receipt_id", sa.String(length=64), nullable=False),
        sa.Column("submission_id", sa.String(length=36), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("profile", sa.String(length=40), nullable=False),
        sa.Column("format", sa.String(length=40), nullable=False),
        sa.Column("language", sa.String(length=40), nullable=False),
        sa.Column("body", JSON, nullable=False),
        sa.Column("body_sha256", sa.String(length=64), nullable=False),
        sa.Column("supersedes_receipt_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["change_submission.id"],
            name=op.f("fk_consent_receipt_submission_id_change_submission"),
        ),
        sa.PrimaryKeyConstraint("receipt_id", name=op.f("pk_consent_receipt")),
    )
    op.create_index(
        op.f("ix_consent_receipt_submission_id"), "consent_receipt", ["submission_id"], unique=False
    )
    op.create_table(
        "consent_record",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("subject_id", sa.String(length=36), nullable=False),
        sa.Column("submission_id", sa.String(length=36), nullable=False),
        sa.Column("partner_service_id", sa.String(length=36), nullable=False),
        sa.Column("purpose_code", sa.String(length=64), nullable=False),
        sa.Column("rule_id", sa.String(length=64), nullable=True),
        sa.Column("rule_version", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("collection_method", sa.String(length=40), nullable=False),
        sa.Column("actor_kind", sa.String(length=40), nullable=False),
        sa.Column("actor_ref", sa.String(length=64), nullable=True),
        sa.Column("notice_version", sa.String(length=40), nullable=True),
        sa.Column("language", sa.String(length=40), nullable=False),
        sa.Column("receipt_id", sa.String(length=64), nullable=True),
        sa.Column("withdrawal_channel", sa.String(length=40), nullable=True),
        sa.CheckConstraint(
            "actor_kind IN ('agent_on_behalf', 'self', 'third_party_declarant')",
            name=op.f("ck_consent_record_actor_kind"),
        ),
        sa.CheckConstraint(
            "collection_method IN ('agent_in_person', 'agent_phone', 'paper', 'web_form')",
            name=op.f("ck_consent_record_collection_method"),
        ),
        sa.CheckConstraint(
            "status IN ('entered_in_error', 'expired', 'given', 'superseded', 'withdrawn')",
            name=op.f("ck_consent_record_status"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_service_id"],
            ["partner_service.id"],
            name=op.f("fk_consent_record_partner_service_id_partner_service"),
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subject.id"], name=op.f("fk_consent_record_subject_id_subject")
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["change_submission.id"],
            name=op.f("fk_consent_record_submission_id_change_submission"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_record")),
    )
    op.create_index(
        op.f("ix_consent_record_subject_id"), "consent_record", ["subject_id"], unique=False
    )
    op.create_index(
        op.f("ix_consent_record_submission_id"), "consent_record", ["submission_id"], unique=False
    )
    op.create_table(
        "recipient_choice",
        sa.Column("submission_id", sa.String(length=36), nullable=False),
        sa.Column("partner_service_id", sa.String(length=36), nullable=False),
        sa.Column("selected", sa.Boolean(), nullable=True),
        sa.Column("answers", JSON, nullable=True),
        sa.Column("partner_reference", sa.String(length=200), nullable=True),
        sa.Column("chosen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_service_id"],
            ["partner_service.id"],
            name=op.f("fk_recipient_choice_partner_service_id_partner_service"),
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["change_submission.id"],
            name=op.f("fk_recipient_choice_submission_id_change_submission"),
        ),
        sa.PrimaryKeyConstraint(
            "submission_id", "partner_service_id", name=op.f("pk_recipient_choice")
        ),
    )
    op.create_table(
        "relationship",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("partner_service_id", sa.String(length=36), nullable=False),
        sa.Column("subject_id", sa.String(length=36), nullable=True),
        sa.Column("uprn", BIGINT, nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("evidence", sa.String(length=40), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "kind IN ('holds_subject', 'holds_subject_at_uprn', 'holds_uprn')",
            name=op.f("ck_relationship_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_service_id"],
            ["partner_service.id"],
            name=op.f("fk_relationship_partner_service_id_partner_service"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relationship")),
    )
    op.create_index(
        op.f("ix_relationship_partner_service_id"),
        "relationship",
        ["partner_service_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_relationship_subject_id"), "relationship", ["subject_id"], unique=False
    )
    op.create_table(
        "third_party_declaration",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("submission_id", sa.String(length=36), nullable=False),
        sa.Column("declarant_subject_id", sa.String(length=36), nullable=False),
        sa.Column("authority", sa.String(length=40), nullable=False),
        sa.Column("statement_version", sa.String(length=40), nullable=False),
        sa.Column("language", sa.String(length=40), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "authority IN ('parental_responsibility', 'permission_obtained', 'power_of_attorney')",
            name=op.f("ck_third_party_declaration_authority"),
        ),
        sa.ForeignKeyConstraint(
            ["declarant_subject_id"],
            ["subject.id"],
            name=op.f("fk_third_party_declaration_declarant_subject_id_subject"),
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["change_submission.id"],
            name=op.f("fk_third_party_declaration_submission_id_change_submission"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_third_party_declaration")),
    )
    op.create_index(
        op.f("ix_third_party_declaration_submission_id"),
        "third_party_declaration",
        ["submission_id"],
        unique=False,
    )
    op.create_table(
        "household_member",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("submission_id", sa.String(length=36), nullable=False),
        sa.Column("subject_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("relationship_to_submitter", sa.String(length=200), nullable=True),
        sa.Column("person", JSON, nullable=True),
        sa.Column("moving", sa.Boolean(), nullable=False),
        sa.Column("declaration_id", sa.String(length=36), nullable=True),
        sa.CheckConstraint("role IN ('adult', 'child')", name=op.f("ck_household_member_role")),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["third_party_declaration.id"],
            name=op.f("fk_household_member_declaration_id_third_party_declaration"),
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subject.id"], name=op.f("fk_household_member_subject_id_subject")
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["change_submission.id"],
            name=op.f("fk_household_member_submission_id_change_submission"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_member")),
    )
    op.create_index(
        op.f("ix_household_member_subject_id"), "household_member", ["subject_id"], unique=False
    )
    op.create_index(
        op.f("ix_household_member_submission_id"),
        "household_member",
        ["submission_id"],
        unique=False,
    )


def _outbox() -> None:
    op.create_table(
        "delivery_lane",
        sa.Column("ordering_key", sa.String(length=64), nullable=False),
        sa.Column("endpoint_id", sa.String(length=36), nullable=True),
        sa.Column("last_seq", BIGINT, nullable=False),
        sa.Column("head_delivery_id", sa.String(length=36), nullable=True),
        sa.Column("state", sa.String(length=40), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('blocked', 'held', 'idle', 'leased', 'ready')",
            name=op.f("ck_delivery_lane_state"),
        ),
        sa.PrimaryKeyConstraint("ordering_key", name=op.f("pk_delivery_lane")),
    )
    op.create_index(
        op.f("ix_delivery_lane_next_attempt_at"), "delivery_lane", ["next_attempt_at"], unique=False
    )
    op.create_table(
        "outbox_event",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("type", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("aggregate_kind", sa.String(length=40), nullable=False),
        sa.Column("aggregate_id", sa.String(length=36), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("correlation_id", sa.String(length=64), nullable=False),
        sa.Column("causation_id", sa.String(length=36), nullable=True),
        sa.Column("fanout_done", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "aggregate_kind IN ('consent', 'erasure', 'gazetteer', 'submission')",
            name=op.f("ck_outbox_event_aggregate_kind"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_event")),
    )
    op.create_index(
        op.f("ix_outbox_event_aggregate_id"), "outbox_event", ["aggregate_id"], unique=False
    )
    op.create_table(
        "plan_decision",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("submission_id", sa.String(length=36), nullable=False),
        sa.Column("submission_version", sa.Integer(), nullable=False),
        sa.Column("phase", sa.String(length=40), nullable=False),
        sa.Column("partner_service_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("decision", sa.String(length=40), nullable=False),
        sa.Column("rule_id", sa.String(length=64), nullable=True),
        sa.Column("rule_version", sa.Integer(), nullable=True),
        sa.Column("dsa_id", sa.String(length=64), nullable=True),
        sa.Column("dsa_version", sa.Integer(), nullable=True),
        sa.Column("lawful_basis", sa.String(length=40), nullable=True),
        sa.Column("purpose_code", sa.String(length=64), nullable=True),
        sa.Column("consent_record_id", sa.String(length=36), nullable=True),
        sa.Column("fields", JSON, nullable=False),
        sa.Column("fields_dropped", JSON, nullable=False),
        sa.Column("data_category", sa.String(length=40), nullable=True),
        sa.Column("channel", sa.String(length=40), nullable=True),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reasons", JSON, nullable=False),
        sa.Column("warnings", JSON, nullable=False),
        sa.Column("registry_digest", sa.String(length=80), nullable=False),
        sa.Column("evaluated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "decision IN ('ask', 'hold', 'refuse', 'send')", name=op.f("ck_plan_decision_decision")
        ),
        sa.CheckConstraint("phase IN ('explain', 'plan')", name=op.f("ck_plan_decision_phase")),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["change_submission.id"],
            name=op.f("fk_plan_decision_submission_id_change_submission"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_decision")),
    )
    op.create_index(
        op.f("ix_plan_decision_submission_id"), "plan_decision", ["submission_id"], unique=False
    )
    op.create_table(
        "delivery",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("outbox_event_id", sa.String(length=36), nullable=False),
        sa.Column("subscription_id", sa.String(length=36), nullable=False),
        sa.Column("endpoint_id", sa.String(length=36), nullable=True),
        sa.Column("partner_id", sa.String(length=36), nullable=False),
        sa.Column("partner_service_id", sa.String(length=36), nullable=False),
        sa.Column("submission_id", sa.String(length=36), nullable=True),
        sa.Column("plan_decision_id", sa.String(length=36), nullable=True),
        sa.Column("rule_id", sa.String(length=64), nullable=False),
        sa.Column("rule_version_planned", sa.Integer(), nullable=False),
        sa.Column("consent_record_id", sa.String(length=36), nullable=True),
        sa.Column("event_type", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("source_channel", sa.String(length=40), nullable=False),
        sa.Column("ordering_key", sa.String(length=64), nullable=False),
        sa.Column("seq", BIGINT, nullable=False),
        sa.Column("state", sa.String(length=40), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempt_count", sa.Integer(), nullable=False),
        sa.Column("schedule_index", sa.Integer(), nullable=False),
        sa.Column("fields_planned", JSON, nullable=False),
        sa.Column("fields_sent", JSON, nullable=True),
        sa.Column("attributes", JSON, nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("body_purged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("body_purge_reason", sa.String(length=40), nullable=True),
        sa.Column("possibly_received", sa.Boolean(), nullable=False),
        sa.Column("feed_seq", BIGINT, nullable=True),
        sa.Column("last_http_status", sa.Integer(), nullable=True),
        sa.Column("last_error_kind", sa.String(length=40), nullable=True),
        sa.Column("hold_reason", sa.String(length=64), nullable=True),
        sa.Column("close_reason", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "body_purge_reason IS NULL OR body_purge_reason IN ('cancelled', 'erasure', 'retention')",
            name=op.f("ck_delivery_body_purge_reason"),
        ),
        sa.CheckConstraint(
            "state IN ('abandoned', 'cancelled', 'dead', 'delivered', 'expired', 'held', 'in_flight', 'pending', 'retry_wait', 'scheduled')",
            name=op.f("ck_delivery_state"),
        ),
        sa.ForeignKeyConstraint(
            ["outbox_event_id"],
            ["outbox_event.id"],
            name=op.f("fk_delivery_outbox_event_id_outbox_event"),
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscription.id"],
            name=op.f("fk_delivery_subscription_id_subscription"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery")),
        sa.UniqueConstraint("ordering_key", "seq", name=op.f("uq_delivery_ordering_key")),
        sa.UniqueConstraint(
            "outbox_event_id", "subscription_id", name=op.f("uq_delivery_outbox_event_id")
        ),
    )
    op.create_index(
        op.f("ix_delivery_consent_record_id"), "delivery", ["consent_record_id"], unique=False
    )
    op.create_index(op.f("ix_delivery_endpoint_id"), "delivery", ["endpoint_id"], unique=False)
    op.create_index(op.f("ix_delivery_partner_id"), "delivery", ["partner_id"], unique=False)
    op.create_index(
        "ix_delivery_state_next_attempt_at", "delivery", ["state", "next_attempt_at"], unique=False
    )
    op.create_index(op.f("ix_delivery_submission_id"), "delivery", ["submission_id"], unique=False)
    op.create_table(
        "delivery_subject",
        sa.Column("delivery_id", sa.String(length=36), nullable=False),
        sa.Column("subject_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.CheckConstraint(
            "role IN ('household', 'primary')", name=op.f("ck_delivery_subject_role")
        ),
        sa.ForeignKeyConstraint(
            ["delivery_id"], ["delivery.id"], name=op.f("fk_delivery_subject_delivery_id_delivery")
        ),
        sa.PrimaryKeyConstraint("delivery_id", "subject_id", name=op.f("pk_delivery_subject")),
    )
    op.create_index(
        op.f("ix_delivery_subject_subject_id"), "delivery_subject", ["subject_id"], unique=False
    )
    op.create_table(
        "disclosure",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("delivery_id", sa.String(length=36), nullable=False),
        sa.Column("submission_id", sa.String(length=36), nullable=True),
        sa.Column("subject_id", sa.String(length=36), nullable=True),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("event_type", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("partner_id", sa.String(length=36), nullable=False),
        sa.Column("partner_service_id", sa.String(length=36), nullable=False),
        sa.Column("purpose_code", sa.String(length=64), nullable=True),
        sa.Column("lawful_basis", sa.String(length=40), nullable=True),
        sa.Column("art9_condition", sa.String(length=200), nullable=True),
        sa.Column("rule_id", sa.String(length=64), nullable=False),
        sa.Column("rule_version", sa.Integer(), nullable=False),
        sa.Column("dsa_id", sa.String(length=64), nullable=True),
        sa.Column("dsa_version", sa.Integer(), nullable=True),
        sa.Column("consent_record_id", sa.String(length=36), nullable=True),
        sa.Column("receipt_id", sa.String(length=64), nullable=True),
        sa.Column("fields", JSON, nullable=False),
        sa.Column("payload_digest", sa.String(length=80), nullable=True),
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column("close_reason", sa.String(length=64), nullable=True),
        sa.Column("planned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disclosed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notice_of", sa.String(length=36), nullable=True),
        sa.Column("art19_status", sa.String(length=40), nullable=False),
        sa.Column("art19_note", sa.Text(), nullable=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("erasure_ref", sa.String(length=36), nullable=True),
        sa.CheckConstraint(
            "art19_status IN ('impossible', 'n/a', 'pending', 'sent')",
            name=op.f("ck_disclosure_art19_status"),
        ),
        sa.CheckConstraint(
            "outcome IN ('disclosed', 'not_disclosed', 'planned', 'possibly_disclosed')",
            name=op.f("ck_disclosure_outcome"),
        ),
        sa.ForeignKeyConstraint(
            ["delivery_id"], ["delivery.id"], name=op.f("fk_disclosure_delivery_id_delivery")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosure")),
        sa.UniqueConstraint("delivery_id", name=op.f("uq_disclosure_delivery_id")),
        sa.UniqueConstraint("notice_of", "event_type", name=op.f("uq_disclosure_notice_of")),
    )
    op.create_index(
        op.f("ix_disclosure_consent_record_id"), "disclosure", ["consent_record_id"], unique=False
    )
    op.create_index(op.f("ix_disclosure_partner_id"), "disclosure", ["partner_id"], unique=False)
    op.create_index(op.f("ix_disclosure_subject_id"), "disclosure", ["subject_id"], unique=False)
    op.create_index(
        op.f("ix_disclosure_submission_id"), "disclosure", ["submission_id"], unique=False
    )
    op.create_table(
        "disclosure_history",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("disclosure_id", sa.String(length=36), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("from_outcome", sa.String(length=40), nullable=True),
        sa.Column("to_outcome", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["disclosure_id"],
            ["disclosure.id"],
            name=op.f("fk_disclosure_history_disclosure_id_disclosure"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosure_history")),
    )
    op.create_index(
        op.f("ix_disclosure_history_disclosure_id"),
        "disclosure_history",
        ["disclosure_id"],
        unique=False,
    )
