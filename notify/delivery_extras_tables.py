"""Tables for file drop, idempotent acknowledgements and operational webhooks, created by
migration ``0013_delivery_extras`` (sharing-and-delivery §2.4, §6.8, §6.13, §6.15).

* ``file_batch``: one CSV written for one file-drop subscription (state ``built`` once
  committed; ``written_at`` once the file has its final name in the drop directory).
* ``file_batch_item``: which delivery went into which batch; the delivery is the key, so a
  delivery is never written twice.
* ``idempotency_record``: an ``Idempotency-Key`` per actor with the request's SHA-256 and the
  response given (kept 24 h).
* ``ops_notice_send``: every try to deliver an operational notice to one target (the
  operations endpoint of the settings, or a partner endpoint taking operational events).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.tables import Base
from notify.tables.common import CODE, ID, JSON, KEY, NAME, TEXT, one_of

BATCH_STATES: Final = ("built", "collected", "withdrawn", "expired")


class FileBatch(Base):
    __tablename__ = "file_batch"
    __table_args__ = (one_of("state", BATCH_STATES),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    subscription_id: Mapped[str] = mapped_column(ID, sa.ForeignKey("subscription.id"), index=True)
    partner_id: Mapped[str] = mapped_column(ID)
    partner_service_id: Mapped[str] = mapped_column(ID)
    state: Mapped[str] = mapped_column(CODE)
    file_name: Mapped[str] = mapped_column(NAME)
    rows: Mapped[int] = mapped_column(sa.Integer())
    sha256: Mapped[str] = mapped_column(KEY)
    built_at: Mapped[dt.datetime]
    written_at: Mapped[dt.datetime | None]
    collected_at: Mapped[dt.datetime | None]
    collected_by: Mapped[str | None] = mapped_column(NAME)
    collected_via: Mapped[str | None] = mapped_column(CODE)


class FileBatchItem(Base):
    __tablename__ = "file_batch_item"

    delivery_id: Mapped[str] = mapped_column(ID, sa.ForeignKey("delivery.id"), primary_key=True)
    batch_id: Mapped[str] = mapped_column(ID, sa.ForeignKey("file_batch.id"), index=True)
    row_no: Mapped[int] = mapped_column(sa.Integer())


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_record"

    actor: Mapped[str] = mapped_column(KEY, primary_key=True)
    key: Mapped[str] = mapped_column(NAME, primary_key=True)
    request_sha256: Mapped[str] = mapped_column(KEY)
    status_code: Mapped[int] = mapped_column(sa.Integer())
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)


class OpsNoticeSend(Base):
    __tablename__ = "ops_notice_send"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    notice_id: Mapped[str] = mapped_column(ID, sa.ForeignKey("ops_notice.id"), index=True)
    target: Mapped[str] = mapped_column(CODE)
    endpoint_id: Mapped[str | None] = mapped_column(ID)
    http_status: Mapped[int | None] = mapped_column(sa.Integer())
    error_kind: Mapped[str | None] = mapped_column(CODE)
    latency_ms: Mapped[int | None] = mapped_column(sa.Integer())
    excerpt: Mapped[str | None] = mapped_column(TEXT)
    at: Mapped[dt.datetime]
