"""The indexed decision procedure decides exactly as the plain scans it replaced."""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from notify import codes, decision, domain, move_domain, routing
from tests import strategies
from tests.unit import decision_oracle


def _dated(data: st.DataObject, s: decision.Situation) -> decision.Situation:
    """Now and then a coverage with dates around the move date (the index's other path)."""
    services = []
    for service in s.registry.services.values():
        coverage = tuple(
            dataclasses.replace(
                c,
                valid_from=s.move.move_date + dt.timedelta(days=data.draw(st.integers(-3, 3))),
                valid_to=data.draw(st.none() | st.just(s.move.move_date + dt.timedelta(days=2))),
            )
            if data.draw(st.integers(0, 3)) == 0
            else c
            for c in service.coverage
        )
        services.append(dataclasses.replace(service, coverage=coverage))
    registry = dataclasses.replace(s.registry, services={x.id: x for x in services})
    return dataclasses.replace(s, registry=registry)


@settings(max_examples=200)
@given(strategies.notify_situations(), st.sampled_from(("plan", "explain")), st.data())
def test_plan_equals_the_plain_scans(
    s: decision.Situation, phase: decision.Phase, data: st.DataObject
) -> None:
    s = _dated(data, dataclasses.replace(s, phase=phase))
    expected = decision_oracle.plan(s)
    assert decision.plan(s) == expected
    assert decision.plan(s) == expected  # the second plan reads the kept index


@settings(max_examples=100)
@given(strategies.notify_situations(), st.data())
def test_moves_on_one_registry_are_each_planned_as_the_plain_scans(
    s: decision.Situation, data: st.DataObject
) -> None:
    """The decisions kept for services outside a move serve the next moves on the same
    registry only where they decide alike: moves differing in state, submitter, holds,
    addresses and event, planned one after another, each equal the oracle's plan."""
    for _ in range(data.draw(st.integers(2, 6))):
        move = data.draw(strategies.notify_moves(s.registry, s.now))
        later = dataclasses.replace(
            s,
            move=move,
            facts=data.draw(strategies.notify_facts(move)),
            move_holds=data.draw(st.sampled_from([(), ("REPEATED_MOVE",), ("MOVE_BLOCKED",)])),
            event_kind=data.draw(st.sampled_from([codes.SUBMITTED, codes.CORRECTED])),
        )
        assert decision.plan(later) == decision_oracle.plan(later)


@settings(max_examples=100)
@given(strategies.notify_situations(), st.data())
def test_rule_selection_and_routing_equal_the_plain_scans(
    s: decision.Situation, data: st.DataObject
) -> None:
    s = _dated(data, s)
    for service in s.registry.services.values():
        for role in ("leaving", "joining", "within", "none"):
            assert routing.select_rule(
                registry=s.registry,
                service_id=service.id,
                event_kind=s.event_kind,
                role=role,
                channel=s.move.channel,
                now=s.now,
            ) == decision_oracle.select_rule(
                s.registry, service.id, s.event_kind, role, s.move.channel, s.now
            )
        assert routing.area_role(
            move=s.move, facts=s.facts, service=service, registry=s.registry
        ) == decision_oracle.area_role(s.move, s.facts, service, s.registry)
    assert decision.candidates(s.registry, s.event_kind) == decision_oracle.candidates(
        s.registry, s.event_kind
    )


def test_a_new_registry_object_is_indexed_again() -> None:
    """The index is kept per registry object: a changed registry never reads a stale one."""
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    service = domain.PartnerService(
        id="s1", partner_id="p1", service_code="CT", coverage=(domain.Coverage(area_code="A"),)
    )
    first = domain.Registry.build(partners=[], services=[service], agreements=[], rules=[])
    moved = dataclasses.replace(service, coverage=(domain.Coverage(area_code="B"),))
    second = domain.Registry.build(partners=[], services=[moved], agreements=[], rules=[])
    location = move_domain.Location(uprn=1, area_codes=frozenset({"B"}))
    move = move_domain.Move(
        reference="R",
        submitter=move_domain.Submitter(kind="citizen"),
        person=move_domain.Person(id="x", given_name="A", family_name="B"),
        old_uprn=None,
        new_uprn=1,
        move_date=now.date(),
    )
    facts = move_domain.GazetteerFacts(new=location)
    assert routing.area_role(move=move, facts=facts, service=service, registry=first) == "none"
    assert routing.area_role(move=move, facts=facts, service=moved, registry=second) == "joining"
    assert routing.area_role(move=move, facts=facts, service=service, registry=first) == "none"


@settings(max_examples=150)
@given(strategies.notify_situations())
def test_relationships_matter_only_where_reads_relationships_says_so(
    s: decision.Situation,
) -> None:
    """Intake skips reading relationships when no rule of the registry requires one."""
    needs = any(r.relationship_requirement != "none" for r in s.registry.rules)
    assert decision.reads_relationships(s.registry) == needs
    if not needs:
        assert decision.plan(dataclasses.replace(s, relationships=())) == decision.plan(s)


@settings(max_examples=100)
@given(strategies.notify_situations())
def test_a_rule_version_is_the_one_a_scan_finds_first(s: decision.Situation) -> None:
    for rule in s.registry.rules:
        found = next(r for r in s.registry.rules if (r.id, r.version) == (rule.id, rule.version))
        assert routing.rule_version(s.registry, rule.id, rule.version) is found
    assert routing.rule_version(s.registry, "no-such-rule", 1) is None
    assert routing.rule_version(s.registry, None, None) is None
