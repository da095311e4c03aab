"""Properties of correcting a move (§3.8), pure: the corrected version is the move a fresh
submission of the corrected request makes, so its plan is that plan; every recipient gets
exactly the step §3.8 calls for; a corrected body holds nothing outside the rule's groups."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from notify import correction, decision, intake, move_domain, projection
from notify.address_input import AddressInput
from tests import strategies


def _ids() -> itertools.count[int]:
    return itertools.count(100)


def _by_hand(move: move_domain.Move, change: correction.Correction) -> intake.MoveRequest:
    """The corrected request, merged field by field here (not with the code under test)."""
    values: dict[str, Any] = {
        f.name: getattr(change, f.name)
        for f in dataclasses.fields(change)
        if getattr(change, f.name) is not correction.KEEP
        and f.name not in ("recipients", "new_address", "old_address")
    }
    base = correction.request_of(move)
    answers = {r.partner_service_id: r for r in base.recipients}
    answers |= {r.partner_service_id: r for r in change.recipients}
    return dataclasses.replace(base, **values, recipients=tuple(answers.values()))


def _fresh(move: move_domain.Move, request: intake.MoveRequest) -> move_domain.Move:
    """What ``submit_move`` makes of ``request`` with the same subjects, as version 2."""
    counter = _ids()
    subjects = correction.subject_ids(move, request, lambda: f"n{next(counter)}")
    return intake.to_move(
        request,
        reference=move.reference,
        subject_ids=subjects,
        source_restrictions=move.source_restrictions,
        version=move.version + 1,
    )


@st.composite
def _cases(draw: st.DrawFn) -> tuple[decision.Situation, correction.Correction]:
    s = draw(strategies.notify_situations())
    move = dataclasses.replace(s.move, status="submitted")
    return dataclasses.replace(s, move=move), draw(strategies.notify_corrections(move))


@settings(max_examples=100)
@given(strategies.notify_situations())
def test_a_move_and_its_request_round_trip(s: decision.Situation) -> None:
    move = dataclasses.replace(s.move, status="submitted")
    again = intake.to_move(
        correction.request_of(move),
        reference=move.reference,
        subject_ids=move.subject_ids(),
        source_restrictions=move.source_restrictions,
        version=move.version,
    )
    assert again == move


@settings(max_examples=100)
@given(_cases())
def test_the_corrected_plan_is_the_plan_of_a_fresh_submission(
    case: tuple[decision.Situation, correction.Correction],
) -> None:
    s, change = case
    counter = _ids()
    request = correction.corrected_request(correction.request_of(s.move), change)
    after = correction.apply(s.move, request, new_id=lambda: f"n{next(counter)}")
    fresh = _fresh(s.move, _by_hand(s.move, change))
    assert after == fresh
    assert (after.reference, after.version) == (s.move.reference, s.move.version + 1)
    assert after.person.id == s.move.person.id
    assert decision.plan(dataclasses.replace(s, move=after)) == decision.plan(
        dataclasses.replace(s, move=fresh)
    )


def _priors(data: st.DataObject, plan: decision.Plan) -> dict[str, correction.Prior]:
    services = [d.partner_service_id for d in plan.decisions] + ["GONE/SERVICE"]
    chosen = data.draw(st.lists(st.sampled_from(services), unique=True))
    return {
        s: correction.Prior(
            partner_service_id=s,
            line_ids=(f"line-{s}",),
            event_id=f"event-{s}",
            fields=data.draw(st.frozensets(st.sampled_from(sorted(projection.SUBMISSION_GROUPS)))),
        )
        for s in chosen
    }


@settings(max_examples=100)
@given(_cases(), st.data())
def test_every_recipient_gets_the_step_its_history_calls_for(
    case: tuple[decision.Situation, correction.Correction], data: st.DataObject
) -> None:
    s, change = case
    counter = _ids()
    request = correction.corrected_request(correction.request_of(s.move), change)
    after = correction.apply(s.move, request, new_id=lambda: f"n{next(counter)}")
    plan = decision.plan(dataclasses.replace(s, move=after))
    priors = _priors(data, plan)
    steps = correction.reconcile(
        plan, priors, lambda svc: correction.changed_groups(s.move, after, svc)
    )
    by_service = {step.partner_service_id: step for step in steps}
    assert len(by_service) == len(steps)
    for d in plan.decisions:
        step, prior = by_service.get(d.partner_service_id), priors.get(d.partner_service_id)
        if d.routing_hold:
            assert step is not None and step.kind == "wait"
        elif d.creates_delivery:
            assert step is not None and step.kind == ("corrected" if prior else "submitted")
        elif prior:
            assert step is not None and step.kind == "withdrawn"
        else:
            assert step is None
    if "GONE/SERVICE" in priors:  # a service no longer in the registry is told by notice
        assert by_service["GONE/SERVICE"].kind == "withdrawn"
    for step in steps:
        if step.kind == "corrected":
            assert step.decision is not None and step.prior is not None
            assert set(step.changed_fields) <= set(step.decision.fields) | step.prior.fields
            _check_body(s, after, step)


def _check_body(s: decision.Situation, after: move_domain.Move, step: correction.Step) -> None:
    """V2 for a corrected event: the projected groups, the reference and group codes only."""
    d = step.decision
    assert d is not None
    data = projection.build_data(
        move=after,
        facts=s.facts,
        service_id=d.partner_service_id,
        role=d.role,
        fields=d.fields,
        members=[m for m in after.household if m.person.id in d.member_ids],
    )
    body = {**data, **correction.corrected_data(step)}
    assert projection.stray_paths(body, d.fields) == frozenset()
    assert body["corrects"] == f"event-{d.partner_service_id}"


def test_changed_groups_name_what_differs_and_nothing_else() -> None:
    move = move_domain.Move(
        reference="COA-TEST-0001",
        submitter=move_domain.Submitter(kind="citizen"),
        person=move_domain.Person(id="s0", given_name="Ada", family_name="Lovelace"),
        new_uprn=1,
        move_date=dt.date(2025, 3, 14),
        choices=(move_domain.RecipientChoice(partner_service_id="A", partner_reference="R1"),),
    )
    assert correction.changed_groups(move, move, "A") == frozenset()
    later = dataclasses.replace(move, move_date=dt.date(2025, 3, 21))
    assert correction.changed_groups(move, later, "A") == {"MOVE_DATE"}
    other_ref = dataclasses.replace(
        move, choices=(move_domain.RecipientChoice(partner_service_id="A", partner_reference="R2"),)
    )
    assert correction.changed_groups(move, other_ref, "A") == {"PARTNER_REFERENCE"}
    assert correction.changed_groups(move, other_ref, "B") == frozenset()


def test_an_empty_correction_is_empty_and_a_typed_address_is_not() -> None:
    assert correction.Correction().empty
    assert not correction.Correction(new_address=AddressInput(text="2 Mill Lane")).empty
    assert not correction.Correction(contact=None).empty
    request = correction.corrected_request(
        intake.MoveRequest(
            submitter=move_domain.Submitter(kind="citizen"),
            person=intake.PersonDetails(given_name="A", family_name="B"),
            new_uprn=5,
            move_date=dt.date(2025, 1, 1),
        ),
        correction.Correction(new_address=AddressInput(text="2 Mill Lane")),
    )
    assert request.new_uprn is None and request.new_address is not None
