"""Interim addresses (migration ``0012_interim``): a custodian's task for a new address.

A citizen may type an address the gazetteer lacks ("not listed"), or give text that matches
nothing with confidence; a move may also give a new UPRN the gazetteer does not hold (kept as
``not_listed``, its text "UPRN N not in the gazetteer", the UPRN in the submission's
evidence). Either way the move keeps no UPRN for its new address until the custodian resolves
the record to a UPRN (or rejects it); nothing is sent as free text.
The match evidence stays on the submission (``new_match``); consents the citizen gave wait in
``pending_consents`` until the rule they rest on can be found (routing needs the UPRN).
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.tables import Base
from notify.tables.common import CODE, ID, JSON, KEY, TEXT, UPRN, one_of

ORIGINS: Final = ("no_confident_match", "not_listed")
STATUSES: Final = ("open", "rejected", "resolved")


class InterimAddress(Base):
    __tablename__ = "interim_address"
    __table_args__ = (
        one_of("origin", ORIGINS),
        one_of("status", STATUSES),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    reference: Mapped[str] = mapped_column(CODE, index=True)
    origin: Mapped[str] = mapped_column(CODE)
    address_text: Mapped[str | None] = mapped_column(TEXT)
    postcode: Mapped[str | None] = mapped_column(sa.String(8))
    latitude: Mapped[float | None] = mapped_column(sa.Float())
    longitude: Mapped[float | None] = mapped_column(sa.Float())
    pending_consents: Mapped[list[str]] = mapped_column(JSON)  # services consented to, by id
    status: Mapped[str] = mapped_column(CODE, index=True)
    resolved_uprn: Mapped[int | None] = mapped_column(UPRN)
    reason: Mapped[str | None] = mapped_column(TEXT)
    closed_by: Mapped[str | None] = mapped_column(KEY)
    created_at: Mapped[dt.datetime]
    closed_at: Mapped[dt.datetime | None]
