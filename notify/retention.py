"""The retention job (sharing-and-delivery §3.10): personal data is kept no longer than needed.

:func:`run` removes, at time ``now``, everything past its period and returns the counts:

* the body of a closed delivery, ``body_days`` after it closed (``sensitive_body_days`` for
  sensitive and special-category events); an agreement's ``payload_retention_days`` per
  category wins;
* a dead delivery, ``dead_body_days`` after it died: abandoned (its lane moves on, the
  citizen is told the service will hear another way) and its body purged;
* attempt response excerpts, ``response_excerpt_days`` after the attempt;
* a submission's personal columns (with its household and choices), ``submission_days`` after
  its last delivery closed; the reference and status stay for the status page;
* ledger lines (with their delivery rows, attempts and history), consent records and
  receipts, the agreement's ``ledger_retention_months`` after the line closed. This is the only
  delete the ledger permits: the job holds a ``ledger_delete_permit`` row for the moment it
  deletes, and the count is logged in ``retention_run``;
* expired idempotency records, and file-drop batches past ``file_batch_days`` (their files
  removed from the drop directory), by :mod:`notify.delivery_housekeeping`.

Periods are settings with the documented defaults (:func:`periods_from`). The caller commits.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import orm

from core import ids
from core.settings import Settings
from notify import delivery_housekeeping, delivery_service, erasure, privacy
from notify import delivery_tables as dt_tables
from notify import partner_tables as pt
from notify import privacy_tables as p
from notify.tables import moves as m
from notify.tables import outbox as o
from notify.tables import registry as r

TERMINAL: Final = ("delivered", "cancelled", "expired", "abandoned")
CHUNK: Final = 500
ACTOR: Final = "retention"
COUNT_ORDER: Final = (
    "bodies_purged",
    "dead_abandoned",
    "excerpts_cleared",
    "submissions_cleared",
    "ledger_lines_deleted",
    "deliveries_deleted",
    "consents_deleted",
    "receipts_deleted",
    "idempotency_records_deleted",
    "file_batches_expired",
)


def periods_from(settings: Settings) -> privacy.Periods:
    return privacy.Periods(
        body_days=settings.retention_body_days,
        sensitive_body_days=settings.retention_sensitive_body_days,
        dead_body_days=settings.retention_dead_body_days,
        response_excerpt_days=settings.retention_response_excerpt_days,
        submission_days=settings.retention_submission_days,
        ledger_months=settings.retention_ledger_months,
    )


def run(
    *,
    session: orm.Session,
    now: dt.datetime,
    periods: privacy.Periods | None = None,
    actor: str = ACTOR,
    file_drop_directory: Path | None = None,
    file_batch_days: int = delivery_housekeeping.FILE_BATCH_DAYS,
) -> privacy.RetentionReport:
    """Purge what is past its period at ``now``; one ``retention_run`` row logs the counts."""
    periods = periods or privacy.Periods()
    agreements = _Agreements.load(session, periods)
    counts: Counter[str] = Counter()
    counts["dead_abandoned"] = _abandon_dead(session, now, periods, counts)
    counts["bodies_purged"] += _purge_bodies(session, now, periods, agreements)
    counts["excerpts_cleared"] = _clear_excerpts(session, now, periods)
    counts["submissions_cleared"] = _clear_submissions(session, now, periods)
    counts["idempotency_records_deleted"] = delivery_housekeeping.purge_idempotency(
        session, now=now
    )
    counts["file_batches_expired"] = delivery_housekeeping.expire_file_batches(
        session, now=now, days=file_batch_days, directory=file_drop_directory
    )
    _delete_ledger(session, now, agreements, counts)
    _delete_consents(session, now, agreements, counts)
    counts["receipts_deleted"] = _delete_receipts(session, now, periods)
    tally = {name: counts.get(name, 0) for name in COUNT_ORDER}
    run_id = ids.new_id()
    session.add(p.RetentionRun(id=run_id, run_at=now, actor=actor, counts=tally))
    session.flush()
    session.expire_all()  # bulk statements above bypassed the objects already loaded
    return privacy.RetentionReport(run_id=run_id, run_at=now, counts=tally)


class _Agreements:
    """Each agreement version's retention: payload days per category and ledger months."""

    def __init__(
        self,
        payload: dict[tuple[str, int], dict[str, int]],
        months: dict[tuple[str, int], int],
        periods: privacy.Periods,
    ) -> None:
        self._payload, self._months, self._periods = payload, months, periods

    @classmethod
    def load(cls, session: orm.Session, periods: privacy.Periods) -> _Agreements:
        rows = session.execute(
            sa.select(
                r.Agreement.id,
                r.Agreement.version,
                r.Agreement.payload_retention_days,
                r.Agreement.ledger_retention_months,
            )
        ).all()
        payload = {(row.id, row.version): dict(row.payload_retention_days or {}) for row in rows}
        months = {(row.id, row.version): row.ledger_retention_months for row in rows}
        return cls(payload, months, periods)

    def body_days(self, dsa: tuple[str | None, int | None], category: str | None) -> int:
        return privacy.body_days(self._periods, category, self._payload.get(_key(dsa)))

    def ledger_months(self, dsa: tuple[str | None, int | None]) -> int:
        return self._months.get(_key(dsa), self._periods.ledger_months)

    def shortest_body_days(self) -> int:
        own = [d for days in self._payload.values() for d in days.values()]
        return min([self._periods.body_days, self._periods.sensitive_body_days, *own])

    def shortest_months(self) -> int:
        return min([self._periods.ledger_months, *self._months.values()])


def _key(dsa: tuple[str | None, int | None]) -> tuple[str, int]:
    return (dsa[0] or "", dsa[1] or 0)


def _chunks(values: Sequence[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), CHUNK):
        yield list(values[start : start + CHUNK])


def _count(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def _execute(session: orm.Session, statement: Any) -> int:
    return _count(session.execute(statement, execution_options={"synchronize_session": False}))


# Bodies ---------------------------------------------------------------------------------------


def _purge_bodies(
    session: orm.Session, now: dt.datetime, periods: privacy.Periods, agreements: _Agreements
) -> int:
    """Bodies of closed deliveries past their category's window (the agreement's, if set)."""
    shortest = agreements.shortest_body_days()
    query = (
        sa.select(
            o.Delivery.id,
            o.Delivery.attributes,
            o.Delivery.updated_at,
            o.Disclosure.dsa_id,
            o.Disclosure.dsa_version,
            o.Disclosure.closed_at,
        )
        .outerjoin(o.Disclosure, o.Disclosure.delivery_id == o.Delivery.id)
        .where(
            o.Delivery.state.in_(TERMINAL),
            o.Delivery.body.is_not(None),
            o.Delivery.updated_at <= now - dt.timedelta(days=shortest),
        )
    )
    due = [
        row.id
        for row in session.execute(query)
        if (row.closed_at or row.updated_at)
        + dt.timedelta(
            days=agreements.body_days(
                (row.dsa_id, row.dsa_version), (row.attributes or {}).get("datacategory")
            )
        )
        <= now
    ]
    return _purge(session, due, now)


def _purge(session: orm.Session, delivery_ids: Sequence[str], now: dt.datetime) -> int:
    purged = 0
    for chunk in _chunks(delivery_ids):
        purged += _execute(
            session,
            sa.update(o.Delivery)
            .where(o.Delivery.id.in_(chunk), o.Delivery.body.is_not(None))
            .values(body=None, body_purged_at=now, body_purge_reason="retention"),
        )
    return purged


def _abandon_dead(
    session: orm.Session, now: dt.datetime, periods: privacy.Periods, counts: Counter[str]
) -> int:
    """Dead deliveries past ``dead_body_days``: abandoned (audited) and their bodies purged."""
    cutoff = now - dt.timedelta(days=periods.dead_body_days)
    dead = list(
        session.scalars(
            sa.select(o.Delivery.id).where(
                o.Delivery.state == "dead", o.Delivery.updated_at <= cutoff
            )
        )
    )
    for delivery_id in dead:
        delivery_service.abandon(
            session=session,
            delivery_id=delivery_id,
            actor=ACTOR,
            reason="dead past its retention period",
            now=now,
        )
    session.flush()
    counts["bodies_purged"] += _purge(session, dead, now)
    return len(dead)


def _clear_excerpts(session: orm.Session, now: dt.datetime, periods: privacy.Periods) -> int:
    attempt = dt_tables.DeliveryAttempt
    cutoff = now - dt.timedelta(days=periods.response_excerpt_days)
    return _execute(
        session,
        sa.update(attempt)
        .where(
            attempt.response_excerpt.is_not(None),
            sa.func.coalesce(attempt.finished_at, attempt.started_at) <= cutoff,
        )
        .values(response_excerpt=None),
    )


# Submissions ----------------------------------------------------------------------------------


def _clear_submissions(session: orm.Session, now: dt.datetime, periods: privacy.Periods) -> int:
    """Submissions whose deliveries all closed ``submission_days`` ago (or that had none)."""
    cutoff = now - dt.timedelta(days=periods.submission_days)
    sub = m.ChangeSubmission
    recent_or_open = sa.select(o.Delivery.id).where(
        o.Delivery.submission_id == sub.id,
        sa.or_(o.Delivery.state.not_in(TERMINAL), o.Delivery.updated_at > cutoff),
    )
    due = list(
        session.scalars(
            sa.select(sub.id).where(
                sub.pii_erased_at.is_(None), sub.submitted_at <= cutoff, ~recent_or_open.exists()
            )
        )
    )
    cleared = 0
    for chunk in _chunks(due):
        cleared += erasure.clear_submissions(session, chunk, now, erase=False)[
            "submissions_cleared"
        ]
    return cleared


# The ledger, consents and receipts -----------------------------------------------------------


def _delete_ledger(
    session: orm.Session, now: dt.datetime, agreements: _Agreements, counts: Counter[str]
) -> None:
    """Closed lines of closed deliveries past their agreement's ledger period, with the rows."""
    earliest = privacy.add_months(now, -agreements.shortest_months())
    query = (
        sa.select(
            o.Disclosure.delivery_id,
            o.Disclosure.dsa_id,
            o.Disclosure.dsa_version,
            o.Disclosure.closed_at,
        )
        .join(o.Delivery, o.Delivery.id == o.Disclosure.delivery_id)
        .where(o.Delivery.state.in_(TERMINAL), o.Disclosure.closed_at <= earliest)
    )
    due = [
        row.delivery_id
        for row in session.execute(query)
        if privacy.add_months(
            row.closed_at, agreements.ledger_months((row.dsa_id, row.dsa_version))
        )
        <= now
    ]
    for chunk in _chunks(due):
        lines, deliveries = _delete_deliveries(session, chunk, now)
        counts["ledger_lines_deleted"] += lines
        counts["deliveries_deleted"] += deliveries


def _delete_deliveries(
    session: orm.Session, delivery_ids: list[str], now: dt.datetime
) -> tuple[int, int]:
    lines = sa.select(o.Disclosure.id).where(o.Disclosure.delivery_id.in_(delivery_ids))
    permit = p.LedgerDeletePermit(id=ids.new_id(), job=ACTOR, granted_at=now)
    session.add(permit)
    session.flush()
    _execute(
        session, sa.delete(o.DisclosureHistory).where(o.DisclosureHistory.disclosure_id.in_(lines))
    )
    deleted = _execute(
        session, sa.delete(o.Disclosure).where(o.Disclosure.delivery_id.in_(delivery_ids))
    )
    session.delete(permit)
    session.flush()
    delivery_housekeeping.forget_batch_items(session, delivery_ids)
    for table in (dt_tables.DeliveryAttempt, dt_tables.DeliveryAction, o.DeliverySubject):
        _execute(session, sa.delete(table).where(table.delivery_id.in_(delivery_ids)))
    _execute(session, sa.delete(pt.PartnerAck).where(pt.PartnerAck.delivery_id.in_(delivery_ids)))
    return deleted, _execute(session, sa.delete(o.Delivery).where(o.Delivery.id.in_(delivery_ids)))


def _delete_consents(
    session: orm.Session, now: dt.datetime, agreements: _Agreements, counts: Counter[str]
) -> None:
    """Consents no ledger line or delivery refers to, past their rule's agreement period."""
    consent = m.ConsentRecord
    in_ledger = sa.select(o.Disclosure.id).where(o.Disclosure.consent_record_id == consent.id)
    in_outbox = sa.select(o.Delivery.id).where(o.Delivery.consent_record_id == consent.id)
    rules = _rule_agreements(session)
    rows = session.execute(
        sa.select(
            consent.id,
            consent.rule_id,
            consent.rule_version,
            consent.given_at,
            consent.withdrawn_at,
            consent.expires_at,
        ).where(~in_ledger.exists(), ~in_outbox.exists())
    )
    due = [
        row.id
        for row in rows
        if privacy.add_months(
            row.withdrawn_at or row.expires_at or row.given_at,
            agreements.ledger_months(
                rules.get((row.rule_id or "", row.rule_version or 0), (None, None))
            ),
        )
        <= now
    ]
    for chunk in _chunks(due):
        counts["consents_deleted"] += _execute(
            session, sa.delete(consent).where(consent.id.in_(chunk))
        )


def _rule_agreements(session: orm.Session) -> dict[tuple[str, int], tuple[str | None, int | None]]:
    """The agreement version each rule version cites."""
    rule = r.SharingRule
    query = sa.select(rule.id, rule.version, rule.dsa_id, rule.dsa_version)
    return {(row.id, row.version): (row.dsa_id, row.dsa_version) for row in session.execute(query)}


def _delete_receipts(session: orm.Session, now: dt.datetime, periods: privacy.Periods) -> int:
    """Receipts of submissions with no consent or ledger line left, past the ledger period."""
    receipt = m.ConsentReceipt
    cutoff = privacy.add_months(now, -periods.ledger_months)
    consents = sa.select(m.ConsentRecord.id).where(
        m.ConsentRecord.submission_id == receipt.submission_id
    )
    lines = sa.select(o.Disclosure.id).where(o.Disclosure.submission_id == receipt.submission_id)
    return _execute(
        session,
        sa.delete(receipt).where(receipt.issued_at <= cutoff, ~consents.exists(), ~lines.exists()),
    )
