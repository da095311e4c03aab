"""The checks of one sharing rule against the move (sharing-and-delivery §3.3 D–J), pure.

The agreement and assurance, source restrictions, the citizen's choice, an existing
relationship, consent, the move-date window and the projection with its classification.
:func:`notify.decision.decide` runs them, in this order, on the decision being made; each
adds its reasons to the draft it is given.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from notify import checks, codes, domain, move_domain, projection

if TYPE_CHECKING:
    from notify import decision


def check_agreement(
    situation: decision.Situation, draft: decision._Draft, rule: domain.SharingRule
) -> None:
    """D. the pinned agreement version, its review date, and the partner's IG assurance."""
    registry = situation.registry
    dsa = registry.agreements.get((rule.dsa_id, rule.dsa_version))
    draft.dsa = dsa
    state = checks.agreement_state(dsa, situation.now)
    if state is not None:
        (draft.hold if state[0] == "hold" else draft.refuse)(state[1])
    if dsa is not None and checks.review_overdue(dsa, situation.now):
        (draft.hold if dsa.suspend_on_overdue_review else draft.warn)("DSA_REVIEW_OVERDUE")
    partner = registry.partners.get(draft.service.partner_id)
    assurance = codes.ASSURANCE_RANK[partner.ig_assurance] if partner else -1
    if assurance < codes.ASSURANCE_RANK[rule.min_assurance]:
        draft.refuse("ASSURANCE_TOO_LOW")


def check_restrictions(
    situation: decision.Situation, draft: decision._Draft, rule: domain.SharingRule
) -> None:
    """E. source restrictions (e.g. ``LGFA1992_CT``)."""
    for code in sorted(situation.move.source_restrictions):
        if not checks.restriction_lifted(situation.registry, rule, draft.dsa, code):
            draft.refuse("SOURCE_RESTRICTED", code)


def check_choice(
    situation: decision.Situation, draft: decision._Draft, rule: domain.SharingRule
) -> None:
    """F. the citizen's choice: an instruction, not consent."""
    if rule.choice_mode != "citizen_opt_in":
        return
    choice = situation.move.choice_for(draft.service.id)
    if choice is None or choice.selected is None:
        if situation.phase == "explain":
            draft.asked = True
        else:
            draft.refuse("NOT_SELECTED_BY_CITIZEN")
    elif not choice.selected:
        draft.refuse("NOT_SELECTED_BY_CITIZEN")


def check_relationship(
    situation: decision.Situation, draft: decision._Draft, rule: domain.SharingRule
) -> None:
    if not checks.relationship_ok(
        move=situation.move,
        relationships=situation.relationships,
        service_id=draft.service.id,
        requirement=rule.relationship_requirement,
        now=situation.now,
    ):
        draft.refuse("NO_EXISTING_RELATIONSHIP")


def check_consent(
    situation: decision.Situation, draft: decision._Draft, rule: domain.SharingRule
) -> None:
    """H. consent, for consent rules only (not in a dry run: nothing has been given yet)."""
    if not rule.consent_required or situation.phase == "explain":
        return
    consent, failure = checks.find_consent(
        situation.consents,
        subject_id=situation.move.person.id,
        service_id=draft.service.id,
        purpose_code=rule.purpose_code,
        now=situation.now,
    )
    if consent is None:
        draft.refuse(failure)
    else:
        draft.consent_id = consent.id


def check_date_window(
    situation: decision.Situation, draft: decision._Draft, rule: domain.SharingRule
) -> None:
    """I. this recipient's own move-date window."""
    window = rule.move_date_window
    if window and not window.allows(situation.move.move_date, checks.today(situation.now)):
        draft.refuse("MOVE_DATE_OUTSIDE_RULE_WINDOW")


def _members_with_basis(
    situation: decision.Situation, draft: decision._Draft, rule: domain.SharingRule
) -> list[move_domain.HouseholdMember]:
    members = [m for m in situation.move.household if m.declaration_ok and not m.person.erased]
    if not rule.consent_required or situation.phase == "explain":
        return members
    return [
        m
        for m in members
        if checks.find_consent(
            situation.consents,
            subject_id=m.person.id,
            service_id=draft.service.id,
            purpose_code=rule.purpose_code,
            now=situation.now,
        )[0]
    ]


def project(
    situation: decision.Situation, draft: decision._Draft, rule: domain.SharingRule
) -> None:
    """J. projection (§3.4) and classification."""
    members = _members_with_basis(situation, draft, rule)
    proj = projection.project(
        rule=rule, service=draft.service, move=situation.move, members=members
    )
    draft.projection = proj
    if not proj.fields:
        draft.refuse("NO_PERMITTED_FIELDS")
    if rule.required_field_groups - set(proj.fields):
        draft.refuse("REQUIRED_FIELD_MISSING")
    choice = situation.move.choice_for(draft.service.id)
    answered = choice.answers if choice is not None else {}
    draft.category = projection.max_category(proj.fields, draft.service, answered)
    rank = codes.CATEGORY_RANK
    if draft.category and rank[draft.category] > rank[rule.max_data_category]:
        draft.refuse("CATEGORY_EXCEEDS_RULE")
