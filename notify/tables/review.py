"""Tables of gazetteer event publication and of moves held for review (migration ``0009``).

``gazetteer_event_mark`` records that one ``gazetteer_change`` row has become events (once,
in the transaction that wrote its outbox rows). ``move_block`` lists UPRNs under a move block
(§4 J15); ``move_review`` is a move held for review and the decision on it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.tables import Base
from notify.tables.common import CODE, ID, JSON, NAME, TEXT, UPRN, one_of

REVIEW_STATUSES = ("pending", "released", "refused", "superseded")


class GazetteerEventMark(Base):
    """One gazetteer change turned into events: how many deliveries, under which event."""

    __tablename__ = "gazetteer_event_mark"

    change_id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=False
    )
    outbox_event_id: Mapped[str | None] = mapped_column(ID)
    deliveries: Mapped[int] = mapped_column(sa.Integer())
    published_at: Mapped[dt.datetime]


class MoveBlock(Base):
    """A UPRN under a move block: moves from or to it are held for review."""

    __tablename__ = "move_block"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    uprn: Mapped[int] = mapped_column(UPRN, index=True)
    reason: Mapped[str | None] = mapped_column(TEXT)
    created_by: Mapped[str] = mapped_column(NAME)
    created_at: Mapped[dt.datetime]
    lifted_at: Mapped[dt.datetime | None]
    lifted_by: Mapped[str | None] = mapped_column(NAME)


class MoveReview(Base):
    """A submission held for review (reasons from §3.5) and the reviewer's decision."""

    __tablename__ = "move_review"
    __table_args__ = (one_of("status", REVIEW_STATUSES),)

    submission_id: Mapped[str] = mapped_column(
        ID, sa.ForeignKey("change_submission.id"), primary_key=True
    )
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(CODE)
    held_at: Mapped[dt.datetime]
    decided_by: Mapped[str | None] = mapped_column(NAME)
    decided_at: Mapped[dt.datetime | None]
    note: Mapped[str | None] = mapped_column(TEXT)
