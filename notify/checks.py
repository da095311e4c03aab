"""The checks the plan (§3.2) and the send-time recheck (§3.7) share, pure.

Rules, agreements and consents are evaluated at ``now``; days are Europe/London days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Final, Literal
from zoneinfo import ZoneInfo

from notify import domain, move_domain

LONDON: Final = ZoneInfo("Europe/London")
Effect = Literal["refuse", "hold"]


def today(now: dt.datetime) -> dt.date:
    return now.astimezone(LONDON).date()


def release_time(move_date: dt.date, lead_days: int, now: dt.datetime) -> dt.datetime:
    """00:00 Europe/London on ``move_date - lead_days``, never earlier than ``now``."""
    day = move_date - dt.timedelta(days=lead_days)
    midnight = dt.datetime.combine(day, dt.time(0), tzinfo=LONDON).astimezone(dt.UTC)
    return max(midnight, now.astimezone(dt.UTC))


def agreement_state(dsa: domain.Agreement | None, now: dt.datetime) -> tuple[Effect, str] | None:
    """The agreement's own refusal or hold (§3.2 D, §3.7), or ``None`` when it is in force.

    An agreement outside its effective window refuses even when suspended: resuming it
    could not make a delivery lawful, so nothing is held for it."""
    if dsa is None or not dsa.in_effect(now):
        return ("refuse", "DSA_NOT_ACTIVE")
    if dsa.status == "suspended":
        return ("hold", "DSA_SUSPENDED")
    if dsa.status != "active":
        return ("refuse", "DSA_NOT_ACTIVE")
    return None


def review_overdue(dsa: domain.Agreement, now: dt.datetime) -> bool:
    return dsa.review_due is not None and dsa.review_due < today(now)


def restriction_lifted(
    registry: domain.Registry, rule: domain.SharingRule, dsa: domain.Agreement | None, code: str
) -> bool:
    """P2: the rule overrides the code and its agreement cites a gateway that lifts it."""
    restriction = registry.restrictions.get(code)
    if code not in rule.overrides_restrictions or dsa is None or restriction is None:
        return False
    return bool(restriction.lifted_by & set(dsa.legal_gateway_refs))


def relationship_ok(
    *,
    move: move_domain.Move,
    relationships: Sequence[move_domain.Relationship],
    service_id: str,
    requirement: str,
    now: dt.datetime,
) -> bool:
    """G. ``none``; the service holds the person; the service holds someone at the old UPRN
    (a row at that UPRN, whoever it names: a new move's people are new subjects, so only the
    address can show what the service already holds there); or a reference."""
    rows = [
        r
        for r in relationships
        if r.partner_service_id == service_id and domain.in_window(r.valid_from, r.valid_to, now)
    ]
    holds = any(r.subject_id == move.person.id for r in rows)
    at_old = move.old_uprn is not None and any(r.uprn == move.old_uprn for r in rows)
    choice = move.choice_for(service_id)
    declared = choice is not None and bool(choice.partner_reference)
    return {
        "none": True,
        "holds_subject": holds,
        "holds_subject_at_old_uprn": at_old,
        "declared_reference_ok": holds or at_old or declared,
    }[requirement]


def find_consent(
    consents: Sequence[move_domain.Consent],
    *,
    subject_id: str,
    service_id: str,
    purpose_code: str,
    now: dt.datetime,
) -> tuple[move_domain.Consent | None, str]:
    """The consent that counts now, or ``None`` and why: ``CONSENT_WITHDRAWN``/``_EXPIRED``/
    ``_MISSING`` (most recent record first, ids breaking ties, so the answer is stable)."""
    mine = sorted(
        (
            c
            for c in consents
            if c.subject_id == subject_id
            and c.partner_service_id == service_id
            and c.purpose_code == purpose_code
        ),
        key=lambda c: (c.given_at, c.id),
        reverse=True,
    )
    valid = next((c for c in mine if c.valid_at(now)), None)
    if valid is not None:
        return valid, ""
    latest = mine[0] if mine else None
    if latest is not None and latest.status == "withdrawn":
        return None, "CONSENT_WITHDRAWN"
    if latest is not None and _lapsed(latest, now):
        return None, "CONSENT_EXPIRED"
    return None, "CONSENT_MISSING"


def _lapsed(consent: move_domain.Consent, now: dt.datetime) -> bool:
    if consent.status == "expired":
        return True
    return (
        consent.status == "given" and consent.expires_at is not None and consent.expires_at <= now
    )
