"""Property tests of the plan (§7): V1, V2, V9, V15, determinism and outcome consistency."""

from __future__ import annotations

import dataclasses
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from notify import codes, decision, domain, projection, routing
from tests import strategies

RANK = codes.CATEGORY_RANK


def _services(
    plan: decision.Plan, s: decision.Situation
) -> list[tuple[decision.Decision, domain.PartnerService]]:
    return [(d, s.registry.services[d.partner_service_id]) for d in plan.decisions]


def _rule(s: decision.Situation, d: decision.Decision) -> domain.SharingRule:
    found = [r for r in s.registry.rules if (r.id, r.version) == (d.rule_id, d.rule_version)]
    assert len(found) == 1
    return found[0]


def check_v1_nothing_without_live_rule_agreement_and_consent(s: decision.Situation) -> None:
    for d in decision.plan(s).decisions:
        if not d.creates_delivery:
            continue
        rule = _rule(s, d)
        assert rule.live(s.now) and rule.decision == "permit"
        assert routing.current_version(s.registry, rule.id) == rule
        dsa = s.registry.agreements[(rule.dsa_id, rule.dsa_version)]
        assert dsa.in_effect(s.now) and dsa.status in ("active", "suspended")
        assert d.outcome == "hold" or dsa.status == "active"
        if rule.lawful_basis == "consent" and s.phase == "plan":
            (consent,) = [c for c in s.consents if c.id == d.consent_id]
            assert consent.valid_at(s.now)
            assert (consent.subject_id, consent.partner_service_id, consent.purpose_code) == (
                s.move.person.id,
                d.partner_service_id,
                rule.purpose_code,
            )
        else:
            assert d.consent_id is None


def check_v2_fields_within_rule_and_body_within_fields(
    s: decision.Situation,
) -> None:
    plan = decision.plan(s)
    for d, service in _services(plan, s):
        if not d.creates_delivery:
            assert d.fields == () or d.outcome == "ask"
            continue
        rule = _rule(s, d)
        assert set(d.fields) <= rule.field_groups & service.accepted_field_groups
        assert rule.required_field_groups <= set(d.fields)
        data = projection.build_data(
            move=s.move,
            facts=s.facts,
            service_id=service.id,
            role=d.role,
            fields=d.fields,
            members=[m for m in s.move.household if m.person.id in d.member_ids],
        )
        assert projection.stray_paths(data, d.fields) == frozenset()
        assert set(data["fields"]) == set(d.fields)
        if "SERVICE_ANSWERS" in d.fields:
            choice = s.move.choice_for(service.id)
            assert choice is not None and data["answers"] == dict(choice.answers)


@settings(max_examples=75)
@given(strategies.notify_situations(), st.randoms(use_true_random=False))
def test_plan_is_deterministic_whatever_the_order_of_inputs(
    s: decision.Situation, rnd: random.Random
) -> None:
    shuffle = rnd.shuffle
    services, rules, consents = (
        list(s.registry.services.values()),
        list(s.registry.rules),
        list(s.consents),
    )
    for items in (services, rules, consents):
        shuffle(items)
    registry = domain.Registry.build(
        partners=list(s.registry.partners.values()),
        services=services,
        agreements=list(s.registry.agreements.values()),
        rules=rules,
        restrictions=list(s.registry.restrictions.values()),
    )
    again = dataclasses.replace(s, registry=registry, consents=tuple(consents))
    assert decision.plan(again) == decision.plan(s) == decision.plan(s)


def check_outcome_agrees_with_reasons(s: decision.Situation) -> None:
    for d, service in _services(decision.plan(s), s):
        effects = {r.effect for r in d.reasons}
        assert set(d.codes) <= decision.REASON_CODES
        assert {r.code for r in d.reasons if r.effect == "refuse"} <= decision.REFUSALS
        assert {r.code for r in d.reasons if r.effect == "hold"} <= decision.HOLDS
        assert (d.outcome == "refuse") == ("refuse" in effects)
        assert (d.outcome == "hold") == (effects == {"hold"})
        assert d.outcome != "ask" or (s.phase == "explain" and not effects)
        if d.outcome in ("send", "hold") and d.rule_id:
            rule = _rule(s, d)
            assert d.targets and d.not_before and d.not_before >= s.now
            assert d.data_category is not None
            assert RANK[d.data_category] <= RANK[rule.max_data_category]
            for sub in service.subscriptions_for(s.event_kind):
                assert (
                    sub.endpoint is None
                    or RANK[sub.endpoint.max_data_category] >= RANK[d.data_category]
                )
        if d.outcome == "refuse":
            assert (d.fields, d.targets, d.member_ids) == ((), (), ())


def check_v9_source_restrictions_and_no_echo(s: decision.Situation) -> None:
    source = s.registry.services.get(s.move.submitter.source_partner_service_id or "")
    for d, service in _services(decision.plan(s), s):
        if not d.creates_delivery:
            continue
        rule = _rule(s, d)
        dsa = s.registry.agreements[(rule.dsa_id, rule.dsa_version)]
        for code in s.move.source_restrictions:
            assert code in rule.overrides_restrictions
            assert s.registry.restrictions[code].lifted_by & set(dsa.legal_gateway_refs)
        if source is not None and source.partner_id == service.partner_id:
            assert service.echo_allowed


def check_v15_area_routing(s: decision.Situation) -> None:
    plan = decision.plan(s)
    assert len({d.partner_service_id for d in plan.decisions}) == len(plan.decisions)
    day = s.move.move_date
    for d, service in _services(plan, s):
        if s.facts.new is None:
            assert (d.role, d.creates_delivery) == ("pending", False)
            assert "NEW_UPRN_PENDING" in d.codes and d.rule_id is None
            continue
        old = s.facts.old if s.move.old_uprn is not None else None
        in_old = old is not None and routing.covers(service, old, day)
        in_new = routing.covers(service, s.facts.new, day)
        # an exclusive overlap can take a point away from a service, never give it one
        assert d.role not in ("leaving", "within") or in_old
        assert d.role not in ("joining", "within") or in_new
        if not service.exclusive_area:
            assert d.role == routing._ROLES[(in_old, in_new)]
        if d.role == "none" and d.creates_delivery:
            assert "anywhere" in _rule(s, d).trigger_roles
        if d.role == "ambiguous":
            assert service.exclusive_area and not d.creates_delivery


@settings(max_examples=75)
@given(strategies.notify_situations())
def test_explain_never_refuses_what_the_plan_sends(s: decision.Situation) -> None:
    planned = decision.plan(s)
    explained = decision.plan(dataclasses.replace(s, phase="explain"))
    assert planned.registry_digest == explained.registry_digest
    for p, e in zip(planned.decisions, explained.decisions, strict=True):
        assert not any(c.startswith("CONSENT_") for c in e.codes)
        if p.outcome == "send":
            assert e.outcome == "send" and set(p.fields) <= set(e.fields)


@settings(max_examples=150)
@given(strategies.notify_situations(), st.sampled_from(["plan", "explain"]))
def test_plan_invariants(s: decision.Situation, phase: decision.Phase) -> None:
    """V1, V2, V9, V15 and the outcome/reason contract, on one generated plan each."""
    s = dataclasses.replace(s, phase=phase)
    check_outcome_agrees_with_reasons(s)
    check_v1_nothing_without_live_rule_agreement_and_consent(s)
    check_v2_fields_within_rule_and_body_within_fields(s)
    check_v9_source_restrictions_and_no_echo(s)
    check_v15_area_routing(s)
