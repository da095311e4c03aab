"""Table tests of the decision procedure: the baseline plan, then each reason code of §3.5."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from notify import codes, decision, domain, move_domain
from tests.unit import decision_world as w


def test_baseline_plan_routes_leaving_and_joining_and_projects_fields() -> None:
    plan = decision.plan(w.situation())
    by_service = {d.partner_service_id: d for d in plan.decisions}
    assert [d.partner_service_id for d in plan.decisions] == [
        "county-asc",
        "new-ct",
        "new-lib",
        "old-ct",
    ]
    old_ct, new_ct, lib = by_service["old-ct"], by_service["new-ct"], by_service["new-lib"]
    assert (old_ct.role, old_ct.outcome) == ("leaving", "send")
    assert (new_ct.role, new_ct.outcome) == ("joining", "send")
    # old-ct has no answers of its own: its groups are the rule's minus SERVICE_ANSWERS
    assert old_ct.fields == ("MOVE_DATE", "NEW_ADDRESS", "OLD_ADDRESS", "PERSON_NAME")
    assert new_ct.fields == (
        "MOVE_DATE",
        "NEW_ADDRESS",
        "OLD_ADDRESS",
        "PERSON_NAME",
        "SERVICE_ANSWERS",
    )
    assert ("LANGUAGE", "NOT_IN_RULE") in new_ct.fields_dropped
    assert (new_ct.rule_label, new_ct.dsa_label, new_ct.lawful_basis) == (
        "r-new-ct@1",
        "DSA-2024-011@2",
        "public_task",
    )
    assert (lib.outcome, lib.consent_id, lib.lawful_basis) == ("send", "c-lib", "consent")
    assert lib.fields == ("NEW_ADDRESS", "PARTNER_REFERENCE", "PERSON_NAME")
    assert new_ct.targets == (
        decision.Target(subscription_id="sub-new-ct", channel="webhook", endpoint_id="e-new-ct"),
    )
    # released at 00:00 Europe/London on the move date (GMT in March), expiring 30 days later
    assert new_ct.not_before == dt.datetime(2025, 3, 14, tzinfo=dt.UTC)
    assert new_ct.expires_at == dt.datetime(2025, 4, 13, tzinfo=dt.UTC)
    assert plan.registry_digest.startswith("sha256:")


def test_care_service_answers_are_special_category() -> None:
    asc = w.decide("county-asc")
    assert (asc.role, asc.outcome, asc.data_category) == ("within", "send", "special-category")


def codes_of(service_id: str, **kw: object) -> tuple[str, tuple[str, ...]]:
    d = w.decide(service_id, **kw)
    return d.outcome, d.codes


def test_subject_erased() -> None:
    move = dataclasses.replace(w.MOVE, person=dataclasses.replace(w.MOVER, erased=True))
    assert codes_of("new-ct", move=move) == ("refuse", ("SUBJECT_ERASED",))


@pytest.mark.parametrize("status", ["withdrawn", "superseded"])
def test_submission_state(status: codes.MoveStatus) -> None:
    move = dataclasses.replace(w.MOVE, status=status)
    assert codes_of("new-ct", move=move) == ("refuse", (f"SUBMISSION_{status.upper()}",))


def test_partner_suspended() -> None:
    newtown = dataclasses.replace(w.NEWTOWN, status="suspended")
    reg = w.registry(partners=(w.OLDTOWN, newtown, w.COUNTY))
    assert codes_of("new-ct", registry=reg) == ("refuse", ("PARTNER_SUSPENDED",))


def test_assurance_too_low() -> None:
    newtown = dataclasses.replace(w.NEWTOWN, ig_assurance="approaching")
    reg = w.registry(
        partners=(w.OLDTOWN, newtown, w.COUNTY),
        rules=w.replace_rule("r-new-ct", min_assurance="met"),
    )
    assert codes_of("new-ct", registry=reg) == ("refuse", ("ASSURANCE_TOO_LOW",))


def test_source_echo_unless_echo_allowed() -> None:
    move = dataclasses.replace(
        w.MOVE,
        submitter=move_domain.Submitter(kind="partner", source_partner_service_id="new-lib"),
    )
    assert codes_of("new-ct", move=move) == ("refuse", ("SOURCE_ECHO",))
    reg = w.registry(services=w.replace_service("new-ct", echo_allowed=True))
    assert codes_of("new-ct", move=move, registry=reg) == ("send", ())


def test_out_of_area_and_no_matching_rule() -> None:
    far = move_domain.GazetteerFacts(
        old=move_domain.Location(uprn=w.OLD_UPRN, area_codes=frozenset({"E07000099"})),
        new=move_domain.Location(uprn=w.NEW_UPRN, area_codes=frozenset({"E07000099"})),
    )
    assert codes_of("new-ct", facts=far) == ("refuse", ("OUT_OF_AREA",))
    reg = w.registry(rules=w.replace_rule("r-new-ct", trigger_roles=frozenset({"leaving"})))
    assert codes_of("new-ct", registry=reg) == ("refuse", ("NO_MATCHING_RULE",))


def test_anywhere_rule_reaches_a_service_outside_both_areas() -> None:
    far = dataclasses.replace(w.FACTS, new=move_domain.Location(uprn=w.NEW_UPRN))
    reg = w.registry(rules=w.replace_rule("r-new-ct", trigger_roles=frozenset({"anywhere"})))
    d = w.decide("new-ct", facts=far, registry=reg)
    assert (d.role, d.outcome) == ("none", "send")


def test_denied_by_a_child_rule_for_the_agent_channel_only() -> None:
    child = w.rule(
        "r-new-ct-agent",
        "new-ct",
        parent_rule_id="r-new-ct",
        decision="deny",
        source_channels=frozenset({"agent"}),
    )
    reg = w.registry(rules=(*w.RULES, child))
    agent_move = dataclasses.replace(w.MOVE, submitter=move_domain.Submitter(kind="agent"))
    assert codes_of("new-ct", registry=reg, move=agent_move) == ("refuse", ("DENIED_BY_RULE",))
    assert w.decide("new-ct", registry=reg, move=agent_move).reasons[0].detail == (
        "r-new-ct-agent@1"
    )
    assert codes_of("new-ct", registry=reg) == ("send", ())


def test_equal_priority_roots_deny_wins_and_higher_priority_permit_beats_it() -> None:
    deny = w.rule("r-deny", "new-ct", decision="deny")
    reg = w.registry(rules=(*w.RULES, deny))
    assert codes_of("new-ct", registry=reg)[1] == ("DENIED_BY_RULE",)
    reg = w.registry(rules=(*w.replace_rule("r-new-ct", priority=1), deny))
    assert codes_of("new-ct", registry=reg) == ("send", ())


def test_ambiguous_area_between_two_exclusive_services_unless_custodian_decides() -> None:
    rival_cov = (domain.Coverage(area_code=w.NEW_AREA, custodian_code="1110"),)
    rival = dataclasses.replace(w.NEW_CT, id="rival-ct", coverage=rival_cov)
    reg = w.registry(services=(*w.replace_service("new-ct"), rival))
    d = w.decide("new-ct", registry=reg)
    assert (d.role, d.outcome, d.codes) == ("ambiguous", "hold", ("AMBIGUOUS_AREA",))
    assert not d.creates_delivery and d.routing_hold
    assert w.FACTS.new is not None
    facts = dataclasses.replace(
        w.FACTS,
        new=dataclasses.replace(w.FACTS.new, custodian_code="1110"),
    )
    assert w.decide("new-ct", registry=reg, facts=facts).role == "none"


def test_new_uprn_pending_holds_without_a_delivery() -> None:
    d = w.decide("new-ct", facts=dataclasses.replace(w.FACTS, new=None))
    assert (d.role, d.outcome, d.codes) == ("pending", "hold", ("NEW_UPRN_PENDING",))
    assert not d.creates_delivery and d.rule_id is None


@pytest.mark.parametrize(
    ("changes", "outcome", "code"),
    [
        ({"status": "expired"}, "refuse", "DSA_NOT_ACTIVE"),
        ({"status": "terminated"}, "refuse", "DSA_NOT_ACTIVE"),
        ({"effective_to": w.NOW}, "refuse", "DSA_NOT_ACTIVE"),
        ({"effective_from": w.NOW + dt.timedelta(seconds=1)}, "refuse", "DSA_NOT_ACTIVE"),
        ({"status": "suspended"}, "hold", "DSA_SUSPENDED"),
        ({"review_due": dt.date(2025, 2, 1), "suspend_on_overdue_review": True}, "hold",
         "DSA_REVIEW_OVERDUE"),
    ],
)  # fmt: skip
def test_agreement_state(changes: dict[str, Any], outcome: str, code: str) -> None:
    reg = w.registry(agreements=(dataclasses.replace(w.DSA, **changes),))
    d = w.decide("new-ct", registry=reg)
    assert (d.outcome, d.codes) == (outcome, (code,))
    assert d.creates_delivery == (outcome == "hold")


def test_overdue_review_is_only_a_warning_by_default() -> None:
    reg = w.registry(agreements=(dataclasses.replace(w.DSA, review_due=dt.date(2025, 2, 1)),))
    d = w.decide("new-ct", registry=reg)
    assert (d.outcome, [r.code for r in d.warnings]) == ("send", ["DSA_REVIEW_OVERDUE"])


def test_council_tax_source_restriction_needs_override_and_gateway() -> None:
    move = dataclasses.replace(
        w.MOVE,
        submitter=move_domain.Submitter(kind="partner", source_partner_service_id="old-ct"),
        source_restrictions=frozenset({"LGFA1992_CT"}),
    )
    d = w.decide("new-ct", move=move)
    assert (d.outcome, d.codes, d.reasons[0].detail) == (
        "refuse",
        ("SOURCE_RESTRICTED",),
        "LGFA1992_CT",
    )
    overrides = w.replace_rule("r-new-ct", overrides_restrictions=frozenset({"LGFA1992_CT"}))
    assert codes_of("new-ct", move=move, registry=w.registry(rules=overrides))[1] == (
        "SOURCE_RESTRICTED",
    )
    cited = dataclasses.replace(w.DSA, legal_gateway_refs=(w.GATEWAY,))
    reg = w.registry(rules=overrides, agreements=(cited,))
    assert codes_of("new-ct", move=move, registry=reg) == ("send", ())


def _lib_choice(selected: bool | None) -> move_domain.Move:
    choice = move_domain.RecipientChoice(partner_service_id="new-lib", selected=selected)
    return dataclasses.replace(w.MOVE, choices=(choice,))


@pytest.mark.parametrize(("selected", "phase", "outcome"), [
    (False, "plan", "refuse"), (None, "plan", "refuse"), (False, "explain", "refuse"),
    (None, "explain", "ask"), (True, "explain", "send"),
])  # fmt: skip
def test_citizen_choice(selected: bool | None, phase: str, outcome: str) -> None:
    d = w.decide("new-lib", move=_lib_choice(selected), phase=phase)
    assert d.outcome == outcome
    assert d.codes == (("NOT_SELECTED_BY_CITIZEN",) if outcome == "refuse" else ())


def test_no_existing_relationship() -> None:
    assert codes_of("county-asc", relationships=()) == ("refuse", ("NO_EXISTING_RELATIONSHIP",))


@pytest.mark.parametrize(
    ("requirement", "relationship", "reference", "ok"),
    [
        ("holds_subject_at_old_uprn", None, None, False),
        ("holds_subject_at_old_uprn", w.OLD_UPRN, None, True),
        ("holds_subject_at_old_uprn", 1, None, False),
        ("declared_reference_ok", None, "ASC-9", True),
        ("declared_reference_ok", None, None, False),
        ("declared_reference_ok", w.OLD_UPRN, None, True),
    ],
)
@pytest.mark.parametrize("subject", [w.MOVER.id, "someone-else-at-the-address", None])
def test_relationship_requirements(
    requirement: str, relationship: int | None, reference: str | None, ok: bool, subject: str | None
) -> None:
    """A row at the old UPRN counts whoever it names (a new move's people are new subjects)."""
    evidence = dataclasses.replace(w.ASC_RELATIONSHIP, uprn=relationship, subject_id=subject)
    rows = (evidence,) if relationship else ()
    move = dataclasses.replace(
        w.MOVE,
        choices=(
            move_domain.RecipientChoice(
                partner_service_id="county-asc", partner_reference=reference
            ),
        ),
    )
    reg = w.registry(rules=w.replace_rule("r-asc", relationship_requirement=requirement))
    d = w.decide("county-asc", registry=reg, relationships=rows, move=move)
    assert ("NO_EXISTING_RELATIONSHIP" not in d.codes) == ok


@pytest.mark.parametrize(
    ("requirement", "service", "subject", "ok"),
    [
        ("holds_subject", "county-asc", w.MOVER.id, True),
        ("holds_subject", "county-asc", "someone-else", False),
        ("holds_subject", "new-lib", w.MOVER.id, False),
        ("holds_subject_at_old_uprn", "new-lib", w.MOVER.id, False),
    ],
)
def test_relationship_evidence_is_the_services_own(
    requirement: str, service: str, subject: str, ok: bool
) -> None:
    """Holding the person needs a row naming them; any evidence must be the service's own."""
    evidence = dataclasses.replace(
        w.ASC_RELATIONSHIP, partner_service_id=service, subject_id=subject, uprn=w.OLD_UPRN
    )
    reg = w.registry(rules=w.replace_rule("r-asc", relationship_requirement=requirement))
    d = w.decide("county-asc", registry=reg, relationships=(evidence,))
    assert ("NO_EXISTING_RELATIONSHIP" not in d.codes) == ok


@pytest.mark.parametrize(
    ("consents", "code"),
    [
        ((), "CONSENT_MISSING"),
        ((dataclasses.replace(w.LIB_CONSENT, status="withdrawn"),), "CONSENT_WITHDRAWN"),
        ((dataclasses.replace(w.LIB_CONSENT, expires_at=w.NOW),), "CONSENT_EXPIRED"),
        ((dataclasses.replace(w.LIB_CONSENT, status="expired"),), "CONSENT_EXPIRED"),
        ((dataclasses.replace(w.LIB_CONSENT, purpose_code="other"),), "CONSENT_MISSING"),
        ((dataclasses.replace(w.LIB_CONSENT, subject_id="someone-else"),), "CONSENT_MISSING"),
    ],
)
def test_consent(consents: tuple[move_domain.Consent, ...], code: str) -> None:
    d = w.decide("new-lib", consents=consents)
    assert (d.outcome, d.codes, d.consent_id) == ("refuse", (code,), None)


def test_consent_is_not_asked_in_a_dry_run() -> None:
    assert codes_of("new-lib", consents=(), phase="explain") == ("send", ())


def test_move_date_outside_the_recipients_window() -> None:
    window = domain.DateWindow(min_days=-30, max_days=7)
    reg = w.registry(rules=w.replace_rule("r-new-ct", move_date_window=window))
    assert codes_of("new-ct", registry=reg) == ("refuse", ("MOVE_DATE_OUTSIDE_RULE_WINDOW",))
    assert codes_of("old-ct", registry=reg) == ("send", ())


def test_no_permitted_fields() -> None:
    reg = w.registry(rules=w.replace_rule("r-new-ct", field_groups=frozenset({"CONTACT"})))
    assert codes_of("new-ct", registry=reg) == ("refuse", ("NO_PERMITTED_FIELDS",))


def test_service_must_accept_a_group_the_rule_permits() -> None:
    reg = w.registry(
        services=w.replace_service("new-ct", accepted_field_groups=frozenset({"NEW_ADDRESS"}))
    )
    assert w.decide("new-ct", registry=reg).fields == ("NEW_ADDRESS",)


def test_required_field_missing() -> None:
    reg = w.registry(
        rules=w.replace_rule(
            "r-new-ct",
            field_groups=w.CT_GROUPS | {"CONTACT"},
            required_field_groups=frozenset({"CONTACT"}),
        )
    )
    assert codes_of("new-ct", registry=reg) == ("refuse", ("REQUIRED_FIELD_MISSING",))


def test_category_exceeds_rule() -> None:
    reg = w.registry(rules=w.replace_rule("r-asc", max_data_category="standard"))
    assert codes_of("county-asc", registry=reg) == ("refuse", ("CATEGORY_EXCEEDS_RULE",))


def test_classification_not_honoured_and_endpoint_disabled() -> None:
    low = domain.Endpoint(id="e-asc", max_data_category="standard")
    sub = domain.Subscription(id="sub-asc", endpoint=low)
    reg = w.registry(services=w.replace_service("county-asc", subscriptions=(sub,)))
    assert codes_of("county-asc", registry=reg) == ("refuse", ("CLASSIFICATION_NOT_HONOURED",))
    off = domain.Endpoint(id="e-ct", status="disabled")
    sub = domain.Subscription(id="sub-ct", endpoint=off)
    reg = w.registry(services=w.replace_service("new-ct", subscriptions=(sub,)))
    d = w.decide("new-ct", registry=reg)
    assert (d.outcome, d.codes, d.creates_delivery) == ("hold", ("ENDPOINT_DISABLED",), True)


def test_services_without_a_subscription_for_the_event_are_not_candidates() -> None:
    paused = domain.Subscription(id="sub-x", status="paused")
    reg = w.registry(services=w.replace_service("new-lib", subscriptions=(paused,)))
    assert decision.plan(w.situation(registry=reg)).for_service("new-lib") is None


def test_every_check_runs_and_reasons_keep_the_checked_order() -> None:
    move = dataclasses.replace(w.MOVE, status="withdrawn", choices=())
    reg = w.registry(agreements=(dataclasses.replace(w.DSA, status="suspended"),))
    d = w.decide("new-lib", move=move, registry=reg, consents=())
    assert d.codes == (
        "SUBMISSION_WITHDRAWN",
        "DSA_SUSPENDED",
        "NOT_SELECTED_BY_CITIZEN",
        "CONSENT_MISSING",
    )
    assert (d.outcome, d.fields, d.targets) == ("refuse", (), ())


def test_rule_versions_drafts_never_apply_and_retirement_ends_a_rule() -> None:
    draft = dataclasses.replace(w.RULES[1], version=2, status="draft", field_groups=frozenset())
    assert w.decide("new-ct", registry=w.registry(rules=(*w.RULES, draft))).rule_version == 1
    retired = dataclasses.replace(w.RULES[1], version=2, status="retired")
    assert codes_of("new-ct", registry=w.registry(rules=(*w.RULES, retired)))[1] == (
        "NO_MATCHING_RULE",
    )


def test_household_needs_a_declaration_and_for_consent_rules_their_own_consent() -> None:
    declared = move_domain.Declaration(authority="permission_obtained", statement_version="d1")
    partner = move_domain.HouseholdMember(
        person=move_domain.Person(id="s-2", given_name="Bo", family_name="Ng"), declaration=declared
    )
    child = move_domain.HouseholdMember(
        person=move_domain.Person(id="s-3", given_name="Cy", family_name="Ng"),
        role="child",
        declaration=declared,  # not parental responsibility: left out
    )
    move = dataclasses.replace(w.MOVE, household=(partner, child))
    groups = w.CT_GROUPS | {"HOUSEHOLD"}
    rules = tuple(
        dataclasses.replace(r, field_groups=groups) if r.id in {"r-new-ct", "r-new-lib"} else r
        for r in w.RULES
    )
    reg = w.registry(rules=rules)
    ct = w.decide("new-ct", move=move, registry=reg)
    assert ("HOUSEHOLD" in ct.fields, ct.member_ids) == (True, ("s-2",))
    lib = w.decide("new-lib", move=move, registry=reg)
    assert "HOUSEHOLD" not in lib.fields
    assert ("HOUSEHOLD", "NO_MEMBER_BASIS") in lib.fields_dropped
    own = dataclasses.replace(w.LIB_CONSENT, id="c-2", subject_id="s-2")
    lib = w.decide("new-lib", move=move, registry=reg, consents=(w.LIB_CONSENT, own))
    assert ("HOUSEHOLD" in lib.fields, lib.member_ids) == (True, ("s-2",))
