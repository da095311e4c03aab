"""Partner-side tables (sharing-and-delivery §6.12, §6.14), created by migration ``0011_partner``.

* ``partner_ack``: a partner's business acknowledgement of one delivery (``applied``,
  ``not_known``, ``rejected`` or ``needs_info``, with a reason code and a short plain-text
  message). Append-only: a later ack of the same delivery supersedes the earlier one. A signed
  ack keeps its ``webhook-id`` (``ack_webhook_id``, unique per partner, added by ``0015``).
* ``partner_feed_cursor``: how far a partner has committed its pull feed (a ``feed_seq``), when
  it last fetched (by either feed), and when the last ``feed.stale`` notice about it was
  recorded.
* ``subscription_feed_cursor``: how far one pull subscription's own feed (``?subscription=``)
  has been committed, for a partner whose services each read their own.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.tables import Base
from notify.tables.common import CODE, ID, JSON, KEY, NAME, TEXT, one_of

ACK_OUTCOMES: Final = ("applied", "not_known", "rejected", "needs_info")
FINAL_OUTCOMES: Final = frozenset({"applied", "not_known", "rejected"})


class PartnerAck(Base):
    __tablename__ = "partner_ack"
    __table_args__ = (
        one_of("outcome", ACK_OUTCOMES),
        sa.Index(
            "ix_partner_ack_partner_id_ack_webhook_id", "partner_id", "ack_webhook_id", unique=True
        ),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    delivery_id: Mapped[str] = mapped_column(ID, sa.ForeignKey("delivery.id"), index=True)
    partner_id: Mapped[str] = mapped_column(ID)
    outcome: Mapped[str] = mapped_column(CODE)
    reason_code: Mapped[str | None] = mapped_column(KEY)
    message: Mapped[str | None] = mapped_column(TEXT)
    partner_case_ref: Mapped[str | None] = mapped_column(KEY)
    actor: Mapped[str] = mapped_column(KEY)
    received_at: Mapped[dt.datetime]
    supersedes_ack_id: Mapped[str | None] = mapped_column(ID)
    ack_webhook_id: Mapped[str | None] = mapped_column(NAME)
    message_cy: Mapped[str | None] = mapped_column(TEXT)
    fields_applied: Mapped[list[str] | None] = mapped_column(JSON)


class PartnerFeedCursor(Base):
    __tablename__ = "partner_feed_cursor"

    partner_id: Mapped[str] = mapped_column(ID, primary_key=True)
    committed_seq: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer(), "sqlite"))
    last_fetch_at: Mapped[dt.datetime | None]
    stale_notified_at: Mapped[dt.datetime | None]


class SubscriptionFeedCursor(Base):
    __tablename__ = "subscription_feed_cursor"

    subscription_id: Mapped[str] = mapped_column(
        ID, sa.ForeignKey("subscription.id"), primary_key=True
    )
    committed_seq: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer(), "sqlite"))
    last_fetch_at: Mapped[dt.datetime | None]
