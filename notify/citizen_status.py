"""The citizen's view of a move: per recipient whether it is told, why not, and the service's
acknowledgement (sharing-and-delivery §6.14), or that none came within the rule's
``ack_expected_days`` ("no response yet"); codes and plain-language reasons, no personal
values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from notify import acks, domain, errors, explain, holds, outbox, registry_reads, unresolved
from notify import partner_tables as pt
from notify import repository as repo
from notify.tables import outbox as o
from notify.tables import registry as r

_CITIZEN_STATUS = {
    "scheduled": "planned",
    "pending": "planned",
    "held": "delayed",
    "in_flight": "sending",
    "retry_wait": "sending",
    "dead": "delayed",
    "delivered": "sent",
    "cancelled": "not_sent",
    "expired": "not_sent",
    "abandoned": "not_sent",
}


def move_status(*, session: orm.Session, reference: str, now: dt.datetime) -> dict[str, Any]:
    """Per-recipient status of the latest version of a move: codes only, no personal values."""
    submission = repo.latest_submission(session, reference)
    if submission is None:
        raise errors.MoveNotFound("no move has this reference", details={"reference": reference})
    registry = registry_reads.load_registry(session)
    deliveries = repo.deliveries_where(session, o.Delivery.submission_id == submission.id)
    by_service: dict[str, list[o.Delivery]] = {}
    for d in deliveries:
        by_service.setdefault(d.partner_service_id, []).append(d)
    acked = acks.latest_acks(session, [d.id for d in deliveries])
    overdue = _unanswered_too_long(session, deliveries, acked, now)
    document = {
        "reference": submission.reference,
        "version": submission.version,
        "status": submission.status,
        "move_date": submission.move_date.isoformat(),
        "recipients": [
            _recipient(row, by_service.get(row.partner_service_id, []), registry, acked, overdue)
            for row in _latest_decisions(session, submission.id)
        ],
    }
    return unresolved.for_citizen(document, unresolved.address_state(session, submission))


def _unanswered_too_long(
    session: orm.Session,
    deliveries: Iterable[o.Delivery],
    acked: dict[str, pt.PartnerAck],
    now: dt.datetime,
) -> set[str]:
    """The delivered deliveries with no acknowledgement after their rule's
    ``ack_expected_days`` (counted from when they were delivered)."""
    waiting = [d for d in deliveries if d.state == "delivered" and d.id not in acked]
    days = _ack_days(session, {(d.rule_id, d.rule_version_planned) for d in waiting})
    return {
        d.id
        for d in waiting
        if (n := days.get((d.rule_id, d.rule_version_planned))) is not None
        and d.updated_at + dt.timedelta(days=n) <= now
    }


def _ack_days(session: orm.Session, rules: set[tuple[str, int]]) -> dict[tuple[str, int], int]:
    if not rules:
        return {}
    rule = r.SharingRule
    query = sa.select(rule.id, rule.version, rule.ack_expected_days).where(
        rule.id.in_(sorted({rule_id for rule_id, _ in rules}))
    )
    return {(i, v): n for i, v, n in session.execute(query) if (i, v) in rules}


def _latest_decisions(session: orm.Session, submission_id: str) -> list[o.PlanDecision]:
    """One plan decision per service, the latest (a routing hold planned again is replaced)."""
    rows = repo.decisions_of(session, submission_id)
    return list({row.partner_service_id: row for row in rows if row.phase == "plan"}.values())


def _recipient(
    row: o.PlanDecision,
    deliveries: list[o.Delivery],
    registry: domain.Registry,
    acked: dict[str, pt.PartnerAck],
    overdue: set[str],
) -> dict[str, Any]:
    service = registry.services.get(row.partner_service_id)
    partner = registry.partners.get(service.partner_id) if service else None
    first = next((d for d in deliveries if d.rule_id != outbox.NOTICE_RULE), None)
    status = _CITIZEN_STATUS[first.state] if first else "refused"
    ack = acked.get(first.id) if first else None
    if row.decision == "hold" and first is None:
        status = "waiting"
    if first is not None and first.close_reason == f"cancelled:{holds.REFUSED_ON_REVIEW}":
        status = "refused"
    return {
        "partner": partner.code if partner else None,
        "partner_name": partner.name_en if partner else None,
        "service": service.service_code if service else row.partner_service_id,
        "partner_service_id": row.partner_service_id,
        "decision": row.decision,
        "role": row.role,
        "status": status,
        "lawful_basis": row.lawful_basis,
        "fields": list(row.fields),
        "not_before": row.not_before.isoformat() if row.not_before else None,
        "reasons": [r["code"] for r in row.reasons],
        "status_text": _status_text(row, first),
        "close_reason": first.close_reason if first else None,
        "consent_id": row.consent_record_id,
        **citizen_ack_fields(ack),
        "partner_ack_overdue": first is not None and first.id in overdue,
    }


_TOLD_TO_CITIZEN = frozenset({"rejected", "needs_info"})


def citizen_ack_fields(ack: pt.PartnerAck | None) -> dict[str, str | None]:
    """The service's acknowledgement; its own words reach the citizen only when it refused or
    needs more (sharing-and-delivery §6.14)."""
    told = ack is not None and ack.outcome in _TOLD_TO_CITIZEN
    return {
        "partner_ack": ack.outcome if ack else None,
        "partner_ack_reason": ack.reason_code if ack else None,
        "partner_ack_message": ack.message if ack and told else None,
        "partner_ack_message_cy": ack.message_cy if ack and told else None,
    }


def _status_text(row: o.PlanDecision, first: o.Delivery | None) -> str | None:
    """The plain-language reason a recipient waits or is not told (none once it is on its way)."""
    if first is not None and first.state == "held" and first.hold_reason:
        return explain.reason_text(first.hold_reason)
    if first is not None and (first.close_reason or "").startswith("cancelled:"):
        return explain.reason_text((first.close_reason or "").removeprefix("cancelled:"))
    if first is None and row.reasons:
        return explain.reason_text(row.reasons[0]["code"])
    return None
