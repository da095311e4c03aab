"""Data-protection tables (sharing-and-delivery §2.5, §3.9, §3.10), migration ``0006_privacy``.

* ``erasure_register``: one row per executed erasure (Art. 17). It records who authorised it,
  when, how many Art. 19 notices went out, which recipients could not be told and what was
  removed, as counts. It holds no identifier of the erased person: the redacted ledger lines
  point to it through ``disclosure.erasure_ref``.
* ``retention_run``: one row per run of the retention job, with its counts (the ledger lines it
  deleted are logged here as a count, the only permitted ledger delete).
* ``ledger_delete_permit``: a trigger refuses every ``DELETE`` on ``disclosure`` unless the
  deleting transaction holds a row here. Only the retention job writes one, and removes it
  before it commits, so no other transaction ever sees a permit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.tables import Base
from notify.tables.common import CODE, ID, JSON, KEY, NAME, one_of

ERASURE_SCOPES = ("subject", "submission")


class ErasureRegister(Base):
    __tablename__ = "erasure_register"
    __table_args__ = (one_of("scope", ERASURE_SCOPES),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    scope: Mapped[str] = mapped_column(CODE)
    authorised_by: Mapped[str] = mapped_column(NAME)
    case_ref: Mapped[str | None] = mapped_column(KEY)
    requested_at: Mapped[dt.datetime]
    executed_at: Mapped[dt.datetime] = mapped_column(index=True)
    notices_enqueued: Mapped[int] = mapped_column(sa.Integer())
    impossible: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    counts: Mapped[dict[str, int]] = mapped_column(JSON)


class RetentionRun(Base):
    __tablename__ = "retention_run"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    run_at: Mapped[dt.datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(NAME)
    counts: Mapped[dict[str, int]] = mapped_column(JSON)


class LedgerDeletePermit(Base):
    __tablename__ = "ledger_delete_permit"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    job: Mapped[str] = mapped_column(CODE)
    granted_at: Mapped[dt.datetime]
