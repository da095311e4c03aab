"""The record of processing activities under one agreement (UK GDPR Art. 30), pure.

Generated from the registry (agreement versions, their parties and the rules that cite them)
and the ledger's counts per rule version and outcome, so it always says what the hub is set up
to do and what it did. Format ``ropa/1``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from notify import codes, domain, privacy, projection

FORMAT: Final = "ropa/1"
SECURITY_MEASURES: Final = (
    "Each rule names one recipient service, one purpose, one lawful basis and one agreement "
    "version; a rule cannot be active without sign-off.",
    "Minimisation: an event carries only the field groups its rule permits, re-checked "
    "before every attempt.",
    "Events are signed (Standard Webhooks, HMAC-SHA256, one secret per endpoint) and sent "
    "over HTTPS only, to endpoints that pass a private-network guard.",
    "API keys carry one role each and are stored as keyed hashes.",
    "A ledger line per delivery records recipient, purpose, basis, rule and agreement "
    "versions and field groups, never values.",
    "Bodies, submissions and logs are purged on a retention schedule; erasure removes the "
    "person's values and tells earlier recipients (Art. 19).",
)
MOVE_SUBJECTS: Final = (
    "people who report a change of address, or for whom an agent or partner reports one",
    "household members named in a report, with the reporter's declaration of authority",
)
OUTCOMES: Final = ("planned", "disclosed", "possibly_disclosed", "not_disclosed")


def build(
    *,
    registry: domain.Registry,
    agreement_id: str,
    payload_days: Mapping[int, Mapping[str, int]],
    counts: Mapping[tuple[str, int, str], int],
    periods: privacy.Periods,
) -> dict[str, Any]:
    """The record for every version of ``agreement_id``, newest first."""
    versions = sorted(
        (a for (key, _), a in registry.agreements.items() if key == agreement_id),
        key=lambda a: -a.version,
    )
    return {
        "format": FORMAT,
        "agreement_id": agreement_id,
        "versions": [
            _version(registry, a, payload_days.get(a.version, {}), counts, periods)
            for a in versions
        ],
        "security_measures": list(SECURITY_MEASURES),
    }


def _version(
    registry: domain.Registry,
    agreement: domain.Agreement,
    payload_days: Mapping[str, int],
    counts: Mapping[tuple[str, int, str], int],
    periods: privacy.Periods,
) -> dict[str, Any]:
    rules = [
        rule
        for rule in registry.rules
        if (rule.dsa_id, rule.dsa_version) == (agreement.id, agreement.version)
    ]
    return {
        "version": agreement.version,
        "label": agreement.label,
        "title": agreement.title,
        "status": agreement.status,
        "effective_from": privacy.iso(agreement.effective_from),
        "effective_to": privacy.iso(agreement.effective_to),
        "review_due": agreement.review_due.isoformat() if agreement.review_due else None,
        "legal_gateway_refs": list(agreement.legal_gateway_refs),
        "legal_gateway_text": agreement.legal_gateway_text,
        "dpia_ref": agreement.dpia_ref,
        "controller_model": agreement.controller_model,
        "parties": [_party(registry, pid, role) for pid, role in agreement.parties],
        "retention": _retention(agreement, payload_days, periods),
        "processing": [_rule(registry, rule, counts) for rule in rules],
    }


def _party(registry: domain.Registry, partner_id: str, role: str) -> dict[str, Any]:
    partner = registry.partners.get(partner_id)
    return {
        "partner_id": partner_id,
        "name": partner.name_en if partner else None,
        "role": role,
        "is_public_authority": partner.is_public_authority if partner else None,
    }


def _retention(
    agreement: domain.Agreement, payload_days: Mapping[str, int], periods: privacy.Periods
) -> dict[str, Any]:
    categories = ("standard", "sensitive", "special-category")
    return {
        "ledger_months": agreement.ledger_retention_months,
        "delivered_body_days": {c: privacy.body_days(periods, c, payload_days) for c in categories},
        "dead_body_days": periods.dead_body_days,
        "response_excerpt_days": periods.response_excerpt_days,
        "submission_days_after_last_delivery": periods.submission_days,
    }


def _rule(
    registry: domain.Registry,
    rule: domain.SharingRule,
    counts: Mapping[tuple[str, int, str], int],
) -> dict[str, Any]:
    service = registry.services.get(rule.partner_service_id)
    groups = sorted(rule.field_groups)
    return {
        "rule": rule.label,
        "status": rule.status,
        "decision": rule.decision,
        "recipient": _recipient(registry, rule.partner_service_id),
        "purpose": _purpose(registry, rule.purpose_code),
        "lawful_basis": rule.lawful_basis,
        "art9_condition": rule.art9_condition,
        "art10_condition": rule.art10_condition,
        "choice_mode": rule.choice_mode,
        "data_subjects": _subjects(rule),
        "field_groups": [{"code": g, "data_category": _category(g, service)} for g in groups],
        "event_types": sorted(rule.event_types),
        "valid_from": privacy.iso(rule.valid_from),
        "valid_to": privacy.iso(rule.valid_to),
        "approved_by": rule.approved_by,
        "approved_at": privacy.iso(rule.approved_at),
        "disclosures": {o: counts.get((rule.id, rule.version, o), 0) for o in OUTCOMES},
    }


def _recipient(registry: domain.Registry, service_id: str) -> dict[str, Any]:
    service = registry.services.get(service_id)
    partner = registry.partners.get(service.partner_id) if service else None
    return {
        "partner_id": service.partner_id if service else None,
        "partner_name": partner.name_en if partner else None,
        "partner_service_id": service_id,
        "service_name": service.name_en if service else None,
    }


def _purpose(registry: domain.Registry, code: str) -> dict[str, Any]:
    purpose = registry.purposes.get(code)
    return {
        "code": code,
        "label": purpose.label_en if purpose else None,
        "description": purpose.description if purpose else None,
        "dpv_iri": purpose.dpv_iri if purpose else None,
    }


def _category(group: str, service: domain.PartnerService | None) -> str | None:
    if group not in projection.FIELD_GROUPS:
        return None
    if service is None:
        return projection.FIELD_GROUPS[group].data_category
    return projection.group_category(group, service)


def _subjects(rule: domain.SharingRule) -> list[str]:
    person_events = {codes.SUBMITTED, codes.CORRECTED, codes.WITHDRAWN}
    return list(MOVE_SUBJECTS) if rule.event_types & person_events else []
