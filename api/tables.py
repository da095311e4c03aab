"""Tables the API owns: API keys (migration ``0002_api_keys``)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy import orm

from core.tables import Base


class ApiKey(Base):
    """One API key. Only the keyed hash of the key is stored (see :mod:`api.keys.domain`)."""

    __tablename__ = "api_key"
    __table_args__ = (
        sa.CheckConstraint(
            "role IN ('admin', 'dpo', 'custodian', 'agent', 'partner', 'citizen')", name="role"
        ),
        sa.CheckConstraint("(role = 'partner') = (partner_id IS NOT NULL)", name="partner_binding"),
        sa.CheckConstraint(
            "(role = 'citizen') = (submission_ref IS NOT NULL)", name="submission_binding"
        ),
    )

    id: orm.Mapped[str] = orm.mapped_column(sa.String(36), primary_key=True)
    # The public part of the key, shown to humans and used to find the row.
    prefix: orm.Mapped[str] = orm.mapped_column(sa.String(16), unique=True)
    # HMAC-SHA256 (hex) of the whole key, peppered with settings.secret_key.
    secret_hash: orm.Mapped[str] = orm.mapped_column(sa.String(64))
    role: orm.Mapped[str] = orm.mapped_column(sa.String(16))
    partner_id: orm.Mapped[str | None] = orm.mapped_column(sa.String(64))
    submission_ref: orm.Mapped[str | None] = orm.mapped_column(sa.String(64))
    label: orm.Mapped[str | None] = orm.mapped_column(sa.String(200))
    created_at: orm.Mapped[dt.datetime]
    last_used_at: orm.Mapped[dt.datetime | None]
    revoked_at: orm.Mapped[dt.datetime | None]
