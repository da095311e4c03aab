"""The dry-run "explain" output of a plan (§3.6): format ``explain/1`` and a plain-text table.

Reason texts are in plain English; a Welsh text is used where the content store has one and
English otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from notify import codes, decision, domain, events, move_domain

FORMAT: Final = "explain/1"
REASON_TEXT_EN: Final[Mapping[str, str]] = {
    "SUBJECT_ERASED": "This person's details have been erased.",
    "SUBMISSION_WITHDRAWN": "This change of address was withdrawn.",
    "SUBMISSION_SUPERSEDED": "This change of address was corrected by a later version.",
    "PARTNER_SUSPENDED": "This organisation is not receiving changes at the moment.",
    "ASSURANCE_TOO_LOW": "This organisation does not meet the information governance standard.",
    "SOURCE_ECHO": "This organisation reported the change, so it is not told again.",
    "OUT_OF_AREA": "Neither address is in this service's area.",
    "NO_MATCHING_RULE": "No sharing rule covers this service for this change.",
    "DENIED_BY_RULE": "A sharing rule says this service must not be told.",
    "AMBIGUOUS_AREA": "We need to check which council covers the address.",
    "NEW_UPRN_PENDING": "We are waiting for the new address to be added to the address register.",
    "DSA_NOT_ACTIVE": "There is no data-sharing agreement in force with this organisation.",
    "DSA_SUSPENDED": "The data-sharing agreement with this organisation is suspended.",
    "DSA_REVIEW_OVERDUE": "The agreement with this organisation is overdue for review.",
    "SOURCE_RESTRICTED": "The law does not allow this information to be passed on.",
    "NOT_SELECTED_BY_CITIZEN": "You chose not to tell this service.",
    "NO_EXISTING_RELATIONSHIP": "This service does not already hold your details.",
    "CONSENT_MISSING": "You have not given permission to tell this service.",
    "CONSENT_WITHDRAWN": "You withdrew your permission to tell this service.",
    "CONSENT_EXPIRED": "Your permission to tell this service has expired.",
    "MOVE_DATE_OUTSIDE_RULE_WINDOW": "This service only takes moves within a set time of the move.",
    "NO_PERMITTED_FIELDS": "Nothing you told us may be shared with this service.",
    "REQUIRED_FIELD_MISSING": "This service needs details you have not given.",
    "CATEGORY_EXCEEDS_RULE": "The details are more sensitive than the sharing rule allows.",
    "CLASSIFICATION_NOT_HONOURED": "This service's system cannot take details this sensitive.",
    "ENDPOINT_DISABLED": "This service's system is not accepting changes at the moment.",
    "MOVE_BLOCKED": "We need to check this change before anyone is told.",
    "REPEATED_MOVE": "We need to check this change: another move was reported recently.",
    "CONFLICTING_MOVE": "We need to check this change: it conflicts with another move.",
    "MOVE_REFUSED_ON_REVIEW": "We checked this change and did not pass it on.",
    "RULE_INACTIVE": "The sharing rule is no longer in force.",
    "EXPIRED": "The change was not delivered in time.",
}
REASON_TEXT_CY: Final[Mapping[str, str]] = {}
_SHORT: Final[Mapping[str, str]] = {
    "PERSON_NAME": "NAME",
    "PERSON_DOB": "DOB",
    "OLD_ADDRESS": "OLD_ADDR",
    "NEW_ADDRESS": "NEW_ADDR",
    "PARTNER_REFERENCE": "REF",
    "SERVICE_ANSWERS": "ANS",
    "HOUSEHOLD_DOB": "HH_DOB",
}


def reason_text(code: str, language: codes.Language = "en") -> str:
    welsh = REASON_TEXT_CY.get(code) if language == "cy" else None
    return welsh or REASON_TEXT_EN.get(code, code)


def _reason(reason: decision.Reason, language: codes.Language) -> dict[str, Any]:
    item: dict[str, Any] = {"code": reason.code, "text": reason_text(reason.code, language)}
    if reason.detail:
        item["detail"] = reason.detail
    return item


def _names(registry: domain.Registry, d: decision.Decision) -> tuple[str, str]:
    partner = registry.partners.get(d.partner_id)
    service = registry.services.get(d.partner_service_id)
    return (partner.code if partner else d.partner_id, service.service_code if service else "")


def candidate(
    d: decision.Decision, registry: domain.Registry, language: codes.Language = "en"
) -> dict[str, Any]:
    partner, service = _names(registry, d)
    return {
        "partner": partner,
        "service": service,
        "partner_service_id": d.partner_service_id,
        "role": d.role,
        "decision": d.outcome,
        "lawful_basis": d.lawful_basis,
        "purpose": d.purpose_code,
        "rule": d.rule_label,
        "dsa": d.dsa_label,
        "consent": d.consent_id,
        "channel": d.targets[0].channel if d.targets else None,
        "not_before": events.rfc3339(d.not_before) if d.not_before else None,
        "fields": list(d.fields),
        "fields_dropped": [{"group": g, "reason": r} for g, r in d.fields_dropped],
        "data_category": d.data_category,
        "reasons": [_reason(r, language) for r in d.reasons],
        "warnings": [_reason(r, language) for r in d.warnings],
    }


def document(
    plan: decision.Plan,
    *,
    move: move_domain.Move,
    registry: domain.Registry,
    language: codes.Language = "en",
) -> dict[str, Any]:
    """The ``explain/1`` JSON document for a plan of ``move``."""
    return {
        "format": FORMAT,
        "submission_ref": plan.submission_ref,
        "version": plan.version,
        "phase": plan.phase,
        "evaluated_at": events.rfc3339(plan.evaluated_at),
        "registry_digest": plan.registry_digest,
        "move": {
            "old_uprn": str(move.old_uprn) if move.old_uprn is not None else None,
            "new_uprn": str(move.new_uprn) if move.new_uprn is not None else None,
            "move_date": move.move_date.isoformat(),
            "channel": move.channel,
            "source_restrictions": sorted(move.source_restrictions),
        },
        "candidates": [candidate(d, registry, language) for d in plan.decisions],
    }


_COLUMNS: Final = ("SERVICE", "ROLE", "DECISION", "BASIS", "FIELDS", "REASONS")


def _row(d: decision.Decision, registry: domain.Registry) -> tuple[str, ...]:
    partner, service = _names(registry, d)
    reasons = " ".join(f"{r.code} {r.detail}" if r.detail else r.code for r in d.reasons)
    return (
        f"{partner}/{service}",
        d.role,
        d.outcome,
        d.lawful_basis or "-",
        ",".join(_SHORT.get(f, f) for f in d.fields) or "-",
        reasons or "-",
    )


def render_text(plan: decision.Plan, registry: domain.Registry) -> str:
    """One line per candidate, columns padded to fit (CLI and DPO report)."""
    rows = [_COLUMNS, *(_row(d, registry) for d in plan.decisions)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(_COLUMNS) - 1)]
    head = (
        f"{plan.submission_ref} v{plan.version}  {plan.phase} @ {events.rfc3339(plan.evaluated_at)}"
        f"  registry {plan.registry_digest}"
    )
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(r[:-1], widths, strict=True)) + "  " + r[-1]
        for r in rows
    ]
    return "\n".join([head, *lines]) + "\n"
