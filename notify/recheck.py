"""The gate at send time, at every retry, at replay and at feed or file build (§3.7), pure.

It applies the same checks as the plan (:mod:`notify.checks`, :mod:`notify.routing`) to the
registry, consents and subject state *now*: a withdrawn consent, a lapsed or terminated
agreement, or a retired or expired rule stops the delivery. Fields may narrow, never widen.
The caller persists the outcome (attempt row, ledger update, cancellation) and sends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

from notify import checks, codes, domain, move_domain, routing

Action = Literal["proceed", "hold", "cancel"]
GAZETTEER_RULE: Final = "GAZETTEER_LICENCE"  # built-in rule of gazetteer events (§5.2)


@dataclass(frozen=True, kw_only=True, slots=True)
class PendingDelivery:
    """What the gate needs of one planned delivery and the state around it."""

    id: str
    partner_service_id: str
    subject_id: str
    event_kind: str = codes.SUBMITTED
    role: codes.Role
    source_channel: codes.SourceChannel
    rule_id: str
    rule_version: int
    consent_id: str | None = None
    fields_planned: tuple[str, ...]
    expires_at: dt.datetime
    any_subject_erased: bool = False
    submission_status: codes.MoveStatus | None = "submitted"
    endpoint_status: codes.EndpointStatus | None = None
    is_notice: bool = False
    review_hold: str | None = None  # the move's open review (notify.holds): wait for it
    review_refused: bool = False  # the move was refused on review: never send


@dataclass(frozen=True, kw_only=True, slots=True)
class Recheck:
    action: Action
    reason: str | None = None
    fields: tuple[str, ...] = ()
    rule_version: int | None = None
    dsa_id: str | None = None
    dsa_version: int | None = None

    @property
    def narrowed(self) -> bool:
        return self.action == "proceed" and self.reason == "FIELDS_NARROWED"


def _stop(action: Action, reason: str) -> Recheck:
    return Recheck(action=action, reason=reason)


def recheck(
    *,
    delivery: PendingDelivery,
    registry: domain.Registry,
    consents: Sequence[move_domain.Consent],
    now: dt.datetime,
) -> Recheck:
    """``proceed`` with the fields to send, ``hold`` (no attempt used) or ``cancel`` (terminal)."""
    early = _state(delivery, now)
    if early is not None:
        return early
    if delivery.is_notice:
        return _notice(delivery, registry)
    if delivery.rule_id == GAZETTEER_RULE:
        return _gazetteer(delivery, registry)
    rule = routing.current_version(registry, delivery.rule_id)
    if rule is None or not rule.live(now):
        return _stop("cancel", "RULE_INACTIVE")
    return _under_rule(delivery, registry, consents, rule, now)


def _state(delivery: PendingDelivery, now: dt.datetime) -> Recheck | None:
    if delivery.expires_at <= now:
        return _stop("cancel", "EXPIRED")
    if delivery.any_subject_erased:
        return _stop("cancel", "SUBJECT_ERASED")
    if delivery.submission_status == "withdrawn":
        return _stop("cancel", "SUBMISSION_WITHDRAWN")
    if delivery.review_refused and not delivery.is_notice:
        return _stop("cancel", "MOVE_REFUSED_ON_REVIEW")
    if delivery.review_hold and not delivery.is_notice:  # notices carry references only
        return _stop("hold", delivery.review_hold)
    return None


def _notice(delivery: PendingDelivery, registry: domain.Registry) -> Recheck:
    """Art. 19 notices skip consent and choice; the partner must still exist."""
    service = registry.services.get(delivery.partner_service_id)
    partner = registry.partners.get(service.partner_id) if service else None
    if partner is None or partner.status == "offboarded":
        return _stop("cancel", "PARTNER_SUSPENDED")
    return Recheck(action="proceed", fields=delivery.fields_planned)


def _gazetteer(delivery: PendingDelivery, registry: domain.Registry) -> Recheck:
    """Gazetteer events carry no personal data: the partner must be active, the endpoint up."""
    service = registry.services.get(delivery.partner_service_id)
    partner = registry.partners.get(service.partner_id) if service else None
    if partner is None or partner.status == "offboarded":
        return _stop("cancel", "PARTNER_SUSPENDED")
    if partner.status != "active":
        return _stop("hold", "PARTNER_SUSPENDED")
    if delivery.endpoint_status == "disabled":
        return _stop("hold", "ENDPOINT_DISABLED")
    return Recheck(action="proceed", fields=delivery.fields_planned)


def _under_rule(
    delivery: PendingDelivery,
    registry: domain.Registry,
    consents: Sequence[move_domain.Consent],
    rule: domain.SharingRule,
    now: dt.datetime,
) -> Recheck:
    if _denied_now(delivery, registry, now):
        return _stop("cancel", "DENIED_BY_RULE")
    dsa = registry.agreements.get((rule.dsa_id, rule.dsa_version))
    if dsa is None:
        return _stop("cancel", "DSA_NOT_ACTIVE")
    state = checks.agreement_state(dsa, now)
    if state is not None:
        return _stop("hold" if state[0] == "hold" else "cancel", state[1])
    if dsa.suspend_on_overdue_review and checks.review_overdue(dsa, now):
        return _stop("hold", "DSA_REVIEW_OVERDUE")
    if rule.consent_required:
        failure = _consent_failure(delivery, consents, rule, now)
        if failure:
            return _stop("cancel", failure)
    return _fields(delivery, registry, rule, dsa)


def _denied_now(delivery: PendingDelivery, registry: domain.Registry, now: dt.datetime) -> bool:
    node = routing.select_rule(
        registry=registry,
        service_id=delivery.partner_service_id,
        event_kind=delivery.event_kind,
        role=delivery.role,
        channel=delivery.source_channel,
        now=now,
    )
    return node is not None and node.decision == "deny"


def _consent_failure(
    delivery: PendingDelivery,
    consents: Sequence[move_domain.Consent],
    rule: domain.SharingRule,
    now: dt.datetime,
) -> str:
    """The consent planned must still be ``given`` and unexpired (V1, V6)."""
    if delivery.consent_id is None:
        return "CONSENT_MISSING"
    consent = next((c for c in consents if c.id == delivery.consent_id), None)
    if consent is None or consent.purpose_code != rule.purpose_code:
        return "CONSENT_MISSING"
    if consent.valid_at(now):
        return ""
    return "CONSENT_WITHDRAWN" if consent.status == "withdrawn" else "CONSENT_EXPIRED"


def _fields(
    delivery: PendingDelivery,
    registry: domain.Registry,
    rule: domain.SharingRule,
    dsa: domain.Agreement,
) -> Recheck:
    service = registry.services.get(delivery.partner_service_id)
    partner = registry.partners.get(service.partner_id) if service else None
    if partner is None or partner.status != "active":
        return _stop("hold", "PARTNER_SUSPENDED")
    fields = tuple(g for g in delivery.fields_planned if g in rule.field_groups)
    if rule.required_field_groups - set(fields) or not fields:
        return _stop("cancel", "REQUIRED_FIELD_MISSING" if fields else "NO_PERMITTED_FIELDS")
    if delivery.endpoint_status == "disabled":
        return _stop("hold", "ENDPOINT_DISABLED")
    return Recheck(
        action="proceed",
        reason="FIELDS_NARROWED" if fields != delivery.fields_planned else None,
        fields=fields,
        rule_version=rule.version,
        dsa_id=dsa.id,
        dsa_version=dsa.version,
    )
