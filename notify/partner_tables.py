"""Partner-side tables (sharing-and-delivery §6.12, §6.14), created by migration ``0011_partner``.

* ``partner_ack``: a partner's business acknowledgement of one delivery (``applied``,
  ``not_known``, ``rejected`` or ``needs_info``, with a reason code and a short plain-text
  message). Append-only: a later ack of the same delivery supersedes the earlier one.
* ``partner_feed_cursor``: how far a partner has committed its pull feed (a ``feed_seq``).
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.tables import Base
from notify.tables.common import CODE, ID, KEY, TEXT, one_of

ACK_OUTCOMES: Final = ("applied", "not_known", "rejected", "needs_info")
FINAL_OUTCOMES: Final = frozenset({"applied", "not_known", "rejected"})


class PartnerAck(Base):
    __tablename__ = "partner_ack"
    __table_args__ = (one_of("outcome", ACK_OUTCOMES),)

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


class PartnerFeedCursor(Base):
    __tablename__ = "partner_feed_cursor"

    partner_id: Mapped[str] = mapped_column(ID, primary_key=True)
    committed_seq: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer(), "sqlite"))
    last_fetch_at: Mapped[dt.datetime | None]
