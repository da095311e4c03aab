"""The send-time gate (§3.7): agrees with the plan, and stops what is no longer lawful (V1, V6)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notify import codes, decision, domain, recheck, routing
from tests import strategies
from tests.unit import decision_world as w


def pending(s: decision.Situation, d: decision.Decision) -> recheck.PendingDelivery:
    service = s.registry.services[d.partner_service_id]
    endpoints = [sub.endpoint for sub in service.subscriptions_for(s.event_kind) if sub.endpoint]
    assert d.rule_id is not None and d.rule_version is not None and d.expires_at is not None
    return recheck.PendingDelivery(
        id="d-1",
        partner_service_id=d.partner_service_id,
        subject_id=s.move.person.id,
        role=d.role,
        source_channel=s.move.channel,
        rule_id=d.rule_id,
        rule_version=d.rule_version,
        consent_id=d.consent_id,
        fields_planned=d.fields,
        expires_at=d.expires_at,
        submission_status=s.move.status,
        endpoint_status="disabled" if any(e.status == "disabled" for e in endpoints) else "active",
    )


def _deliveries(s: decision.Situation) -> list[decision.Decision]:
    return [d for d in decision.plan(s).decisions if d.creates_delivery]


@settings(max_examples=100)
@given(strategies.notify_situations())
def test_recheck_at_planning_time_agrees_with_the_plan(s: decision.Situation) -> None:
    for d in _deliveries(s):
        r = recheck.recheck(
            delivery=pending(s, d), registry=s.registry, consents=s.consents, now=s.now
        )
        assert r.action == {"send": "proceed", "hold": "hold"}[d.outcome]
        if r.action == "proceed":
            assert (r.fields, r.rule_version, r.dsa_id, r.dsa_version, r.reason) == (
                d.fields,
                d.rule_version,
                d.dsa_id,
                d.dsa_version,
                None,
            )
        else:
            assert r.reason in d.codes


# Changes between planning and sending ------------------------------------------------------


def _withdraw_consents(s: decision.Situation, _d: decision.Decision, _n: Any) -> decision.Situation:
    consents = tuple(dataclasses.replace(c, status="withdrawn") for c in s.consents)
    return dataclasses.replace(s, consents=consents)


def _agreements(s: decision.Situation, status: codes.AgreementStatus) -> decision.Situation:
    agreements = [dataclasses.replace(a, status=status) for a in s.registry.agreements.values()]
    return _registry(s, agreements=agreements)


def _registry(s: decision.Situation, **changes: Any) -> decision.Situation:
    values: dict[str, Any] = {
        "partners": list(s.registry.partners.values()),
        "services": list(s.registry.services.values()),
        "agreements": list(s.registry.agreements.values()),
        "rules": list(s.registry.rules),
        "restrictions": list(s.registry.restrictions.values()),
    }
    return dataclasses.replace(s, registry=domain.Registry.build(**(values | changes)))


def _current_rule(s: decision.Situation, d: decision.Decision) -> domain.SharingRule:
    current = routing.current_version(s.registry, d.rule_id or "")
    assert current is not None
    return current


def _new_version(s: decision.Situation, d: decision.Decision, changes: dict[str, Any]) -> Any:
    current = _current_rule(s, d)
    newer = dataclasses.replace(current, version=current.version + 1, **changes)
    return _registry(s, rules=[*s.registry.rules, newer])


MUTATIONS: dict[str, Any] = {
    "withdraw_consents": _withdraw_consents,
    "suspend_dsa": lambda s, d, n: _agreements(s, "suspended"),
    "expire_dsa": lambda s, d, n: _agreements(s, "expired"),
    "terminate_dsa": lambda s, d, n: _agreements(s, "terminated"),
    "retire_rule": lambda s, d, n: _new_version(s, d, {"status": "retired"}),
    "narrow_rule": lambda s, d, n: _new_version(s, d, {"field_groups": n}),
    "deny_child": lambda s, d, n: _registry(
        s,
        rules=[
            *s.registry.rules,
            dataclasses.replace(
                _current_rule(s, d),
                id="deny-child",
                version=1,
                parent_rule_id=d.rule_id,
                decision="deny",
            ),
        ],
    ),
    "advance_time": lambda s, d, n: dataclasses.replace(s, now=s.now + dt.timedelta(days=45)),
    "withdraw_submission": lambda s, d, n: dataclasses.replace(
        s, move=dataclasses.replace(s.move, status="withdrawn")
    ),
    "nothing": lambda s, d, n: s,
}


@settings(max_examples=100)
@given(
    strategies.notify_situations(),
    st.sampled_from(sorted(MUTATIONS)),
    strategies.notify_groups,
)
def test_v1_v6_what_proceeds_at_send_time_is_lawful_then(
    s: decision.Situation, mutation: str, narrower: frozenset[str]
) -> None:
    for d in _deliveries(s):
        later = MUTATIONS[mutation](s, d, narrower)
        delivery = dataclasses.replace(pending(s, d), submission_status=later.move.status)
        r = recheck.recheck(
            delivery=delivery, registry=later.registry, consents=later.consents, now=later.now
        )
        rule = routing.current_version(later.registry, d.rule_id or "")
        if r.action != "proceed":
            assert r.reason and r.fields == ()
            continue
        assert rule is not None and rule.live(later.now) and rule.decision == "permit"
        dsa = later.registry.agreements[(rule.dsa_id, rule.dsa_version)]
        assert dsa.status == "active" and dsa.in_effect(later.now)
        assert set(r.fields) <= set(d.fields) & rule.field_groups  # narrows, never widens
        assert rule.required_field_groups <= set(r.fields)
        if rule.lawful_basis == "consent":
            (consent,) = [c for c in later.consents if c.id == d.consent_id]
            assert consent.valid_at(later.now)
        assert mutation not in ("suspend_dsa", "expire_dsa", "terminate_dsa", "retire_rule")
        assert mutation not in ("deny_child", "withdraw_submission")
        assert mutation != "withdraw_consents" or rule.lawful_basis != "consent"


# The same, on the fixed world ----------------------------------------------------------------


def _lib() -> tuple[decision.Situation, recheck.PendingDelivery]:
    s = w.situation()
    d = decision.plan(s).for_service("new-lib")
    assert d is not None and d.outcome == "send"
    return s, pending(s, d)


def _check(s: decision.Situation, delivery: recheck.PendingDelivery, **kw: Any) -> recheck.Recheck:
    values: dict[str, Any] = {"registry": s.registry, "consents": s.consents, "now": s.now}
    return recheck.recheck(delivery=delivery, **(values | kw))


def test_withdrawn_consent_cancels() -> None:
    s, delivery = _lib()
    withdrawn = dataclasses.replace(w.LIB_CONSENT, status="withdrawn", withdrawn_at=w.NOW)
    r = _check(s, delivery, consents=(withdrawn,))
    assert (r.action, r.reason) == ("cancel", "CONSENT_WITHDRAWN")
    assert _check(s, delivery, consents=()).reason == "CONSENT_MISSING"


@pytest.mark.parametrize(
    ("dsa_changes", "action", "reason"),
    [
        ({"status": "suspended"}, "hold", "DSA_SUSPENDED"),
        ({"status": "expired"}, "cancel", "DSA_NOT_ACTIVE"),
        ({"effective_to": w.NOW}, "cancel", "DSA_NOT_ACTIVE"),
        ({"review_due": dt.date(2025, 1, 1), "suspend_on_overdue_review": True}, "hold",
         "DSA_REVIEW_OVERDUE"),
    ],
)  # fmt: skip
def test_agreement_changes(dsa_changes: dict[str, Any], action: str, reason: str) -> None:
    s, delivery = _lib()
    reg = w.registry(agreements=(dataclasses.replace(w.DSA, **dsa_changes),))
    r = _check(s, delivery, registry=reg)
    assert (r.action, r.reason) == (action, reason)


def test_rule_retired_expired_or_narrowed() -> None:
    s, delivery = _lib()
    lib_rule = w.RULES[2]
    retired = dataclasses.replace(lib_rule, version=2, status="retired")
    assert _check(s, delivery, registry=w.registry(rules=(*w.RULES, retired))).reason == (
        "RULE_INACTIVE"
    )
    ended = w.replace_rule("r-new-lib", valid_to=w.NOW)
    assert _check(s, delivery, registry=w.registry(rules=ended)).reason == "RULE_INACTIVE"
    narrower = dataclasses.replace(
        lib_rule, version=2, field_groups=frozenset({"PERSON_NAME", "NEW_ADDRESS", "CONTACT"})
    )
    r = _check(s, delivery, registry=w.registry(rules=(*w.RULES, narrower)))
    assert (r.action, r.fields, r.rule_version, r.narrowed) == (
        "proceed",
        ("NEW_ADDRESS", "PERSON_NAME"),
        2,
        True,
    )


def test_state_checks_come_first() -> None:
    s, delivery = _lib()
    assert _check(s, delivery, now=delivery.expires_at).reason == "EXPIRED"
    erased = dataclasses.replace(delivery, any_subject_erased=True)
    assert _check(s, erased).reason == "SUBJECT_ERASED"
    withdrawn = dataclasses.replace(delivery, submission_status="withdrawn")
    assert _check(s, withdrawn).reason == "SUBMISSION_WITHDRAWN"
    disabled = dataclasses.replace(delivery, endpoint_status="disabled")
    assert (_check(s, disabled).action, _check(s, disabled).reason) == ("hold", "ENDPOINT_DISABLED")


def test_partner_suspension_holds_and_notices_skip_consent() -> None:
    s, delivery = _lib()
    newtown = dataclasses.replace(w.NEWTOWN, status="suspended")
    reg = w.registry(partners=(w.OLDTOWN, newtown, w.COUNTY))
    r = _check(s, delivery, registry=reg)
    assert (r.action, r.reason) == ("hold", "PARTNER_SUSPENDED")
    notice = dataclasses.replace(delivery, is_notice=True, fields_planned=("PRIOR_EVENT_REFS",))
    r = _check(s, notice, consents=())
    assert (r.action, r.fields) == ("proceed", ("PRIOR_EVENT_REFS",))
    gone = dataclasses.replace(w.NEWTOWN, status="offboarded")
    reg = w.registry(partners=(w.OLDTOWN, gone, w.COUNTY))
    assert _check(s, notice, registry=reg).action == "cancel"
