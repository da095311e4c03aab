"""Monotonicity of the plan: taking away a permission never adds a recipient or a field.

"Recipient" = a decision that creates a delivery (send, or a releasable hold). Under the
specification's rule selection (the best root decides, the deepest matching child overrides)
removing a rule is monotone only when roots of one service do not compete: removing the chosen
permit root of two could let a looser one decide, and removing a deny exception lets its
parent decide. Those are nested exceptions working as designed; the generated registries for
that property have one permit root per service and deny-only children. Adding a deny rule,
withdrawing a consent and ending an agreement are monotone in every registry.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from notify import decision, domain
from tests import strategies


def _recipients(s: decision.Situation) -> dict[str, frozenset[str]]:
    return {
        d.partner_service_id: frozenset(d.fields)
        for d in decision.plan(s).decisions
        if d.creates_delivery
    }


def _assert_no_more(before: decision.Situation, after: decision.Situation) -> None:
    was, now = _recipients(before), _recipients(after)
    assert set(now) <= set(was)
    for service_id, fields in now.items():
        assert fields <= was[service_id]


def _with_rules(s: decision.Situation, rules: list[domain.SharingRule]) -> decision.Situation:
    reg = s.registry
    registry = domain.Registry.build(
        partners=list(reg.partners.values()),
        services=list(reg.services.values()),
        agreements=list(reg.agreements.values()),
        rules=rules,
        restrictions=list(reg.restrictions.values()),
    )
    return dataclasses.replace(s, registry=registry)


@settings(max_examples=100)
@given(strategies.notify_situations(non_competing=True), st.data())
def test_removing_a_permit_rule_never_adds_a_recipient(
    s: decision.Situation, data: st.DataObject
) -> None:
    permits = sorted({r.id for r in s.registry.rules if r.decision == "permit"})
    if not permits:
        return
    gone = data.draw(st.sampled_from(permits))
    after = _with_rules(s, [r for r in s.registry.rules if r.id != gone])
    _assert_no_more(s, after)
    assert all(d.rule_id != gone for d in decision.plan(after).decisions)


@settings(max_examples=100)
@given(strategies.notify_situations(), st.data())
def test_adding_a_deny_rule_never_adds_a_recipient(
    s: decision.Situation, data: st.DataObject
) -> None:
    if not s.registry.rules:
        return
    base = data.draw(st.sampled_from(s.registry.rules))
    as_child = data.draw(st.booleans())
    deny = dataclasses.replace(
        base,
        id="added-deny",
        version=1,
        decision="deny",
        parent_rule_id=base.id if as_child else None,
        priority=data.draw(st.integers(0, 3)),
    )
    _assert_no_more(s, _with_rules(s, [*s.registry.rules, deny]))


@settings(max_examples=100)
@given(strategies.notify_situations(), st.data())
def test_withdrawing_a_consent_never_adds_a_recipient_or_field(
    s: decision.Situation, data: st.DataObject
) -> None:
    if not s.consents:
        return
    i = data.draw(st.integers(0, len(s.consents) - 1))
    withdrawn = dataclasses.replace(s.consents[i], status="withdrawn")
    after = dataclasses.replace(s, consents=(*s.consents[:i], withdrawn, *s.consents[i + 1 :]))
    _assert_no_more(s, after)
    for d in decision.plan(after).decisions:
        assert d.consent_id != withdrawn.id


@settings(max_examples=100)
@given(strategies.notify_situations(), st.sampled_from(["expired", "terminated", "suspended"]))
def test_ending_an_agreement_never_adds_a_recipient(s: decision.Situation, status: Any) -> None:
    # Ending applies to an agreement in force: a draft "suspended" was never lawful to send under.
    active = [key for key, dsa in s.registry.agreements.items() if dsa.status == "active"]
    if not active:
        return
    first = min(active)
    agreements = dict(s.registry.agreements)
    agreements[first] = dataclasses.replace(agreements[first], status=status)
    after = dataclasses.replace(s, registry=dataclasses.replace(s.registry, agreements=agreements))
    _assert_no_more(s, after)
    for d in decision.plan(after).decisions:
        if (d.dsa_id, d.dsa_version) == first:
            assert d.outcome != "send"
