"""Moves held for review, pure: what intake finds, what the plan does with it, and the gate."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from notify import decision, holds, move_domain, recheck
from tests import strategies
from tests.unit import decision_world as w
from tests.unit.test_decision_recheck import pending

MOVE_DATE = dt.date(2025, 3, 14)


def _move(**changes: Any) -> move_domain.Move:
    values: dict[str, Any] = {
        "reference": "COA-AAAA-AAAA",
        "submitter": move_domain.Submitter(kind="citizen"),
        "person": move_domain.Person(
            id="s1", given_name="Ada", family_name="Lovelace", date_of_birth=dt.date(1990, 1, 2)
        ),
        "old_uprn": 1,
        "new_uprn": 2,
        "move_date": MOVE_DATE,
    }
    return move_domain.Move(**(values | changes))


def _earlier(**changes: Any) -> holds.EarlierMove:
    values: dict[str, Any] = {
        "submission_id": "sub-0",
        "reference": "COA-BBBB-BBBB",
        "old_uprn": 1,
        "new_uprn": 2,
        "move_date": MOVE_DATE,
        "people": (holds.person_key(" ADA ", "lovelace", dt.date(1990, 1, 2)),),
    }
    return holds.EarlierMove(**(values | changes))


def _codes(move: move_domain.Move, **kwargs: Any) -> list[str]:
    return [f.code for f in holds.findings(move, **kwargs)]


def test_a_block_on_either_address_holds_the_move_and_names_the_side() -> None:
    found = holds.findings(_move(), blocks=[holds.Block(id="b1", uprn=2)])
    assert [(f.code, dict(f.detail)) for f in found] == [
        ("MOVE_BLOCKED", {"block": "b1", "side": "new_uprn"})
    ]
    assert _codes(_move(), blocks=[holds.Block(id="b2", uprn=1)]) == ["MOVE_BLOCKED"]
    assert _codes(_move(), blocks=[holds.Block(id="b3", uprn=3)]) == []


def test_the_same_move_again_is_repeated_and_another_is_conflicting() -> None:
    assert _codes(_move(), earlier=[_earlier()]) == ["REPEATED_MOVE"]
    assert _codes(_move(), earlier=[_earlier(new_uprn=9)]) == ["CONFLICTING_MOVE"]
    assert _codes(_move(), earlier=[_earlier(move_date=MOVE_DATE.replace(day=1))]) == [
        "CONFLICTING_MOVE"
    ]
    found = holds.findings(_move(), earlier=[_earlier(new_uprn=9)])
    assert dict(found[0].detail) == {"reference": "COA-BBBB-BBBB", "match": "person"}


def test_people_are_matched_by_name_and_date_of_birth() -> None:
    other_dob = _earlier(
        new_uprn=9, people=(holds.person_key("Ada", "Lovelace", dt.date(1991, 1, 2)),)
    )
    assert _codes(_move(), earlier=[other_dob]) == []
    no_dob = _earlier(new_uprn=9, people=(holds.person_key("ada", "LOVELACE", None),))
    assert _codes(_move(), earlier=[no_dob]) == ["CONFLICTING_MOVE"]
    member = move_domain.HouseholdMember(
        person=move_domain.Person(id="s2", given_name="Bo", family_name="X")
    )
    as_member = _earlier(new_uprn=9, people=(holds.person_key("bo", "x", None),))
    assert _codes(_move(household=(member,)), earlier=[as_member]) == ["CONFLICTING_MOVE"]


def test_the_same_new_uprn_counts_unless_switched_off() -> None:
    stranger = _earlier(people=(holds.person_key("Cy", "Other", None),), old_uprn=7)
    assert _codes(_move(), earlier=[stranger]) == ["CONFLICTING_MOVE"]
    assert dict(holds.findings(_move(), earlier=[stranger])[0].detail)["match"] == "new_uprn"
    assert _codes(_move(), earlier=[stranger], same_uprn=False) == []


def test_an_earlier_version_of_the_same_move_is_not_another_move() -> None:
    assert _codes(_move(), earlier=[_earlier(reference="COA-AAAA-AAAA", new_uprn=9)]) == []


def test_hold_codes_are_distinct_and_in_a_fixed_order() -> None:
    found = holds.findings(
        _move(),
        blocks=[holds.Block(id="b1", uprn=1), holds.Block(id="b2", uprn=2)],
        earlier=[_earlier(), _earlier(reference="COA-CCCC-CCCC", new_uprn=9)],
    )
    assert holds.hold_codes(found) == ("MOVE_BLOCKED", "CONFLICTING_MOVE", "REPEATED_MOVE")


# The plan ------------------------------------------------------------------------------------


@settings(max_examples=100)
@given(strategies.notify_situations(), strategies.notify_review_holds.filter(bool))
def test_a_held_move_never_yields_a_send_decision(
    s: decision.Situation, found: tuple[str, ...]
) -> None:
    held = decision.plan(dataclasses.replace(s, move_holds=found))
    assert all(d.outcome in ("hold", "refuse") for d in held.decisions)
    for d in held.decisions:
        assert d.outcome == "refuse" or set(found) <= set(d.codes)


@settings(max_examples=100)
@given(strategies.notify_situations(), strategies.notify_review_holds)
def test_lifting_the_review_holds_changes_only_those_reasons(
    s: decision.Situation, found: tuple[str, ...]
) -> None:
    free = decision.plan(s)
    held = decision.plan(dataclasses.replace(s, move_holds=found))
    assert held.registry_digest == free.registry_digest
    for h, f in zip(held.decisions, free.decisions, strict=True):
        assert [r for r in h.reasons if r.code not in holds.REVIEW_CODES] == list(f.reasons)
        if f.outcome in ("send", "hold") and found:
            assert h.outcome == "hold"
        else:
            assert h.outcome == f.outcome  # a refusal stays a refusal
        assert dataclasses.replace(h, outcome=f.outcome, reasons=f.reasons) == f


def test_the_reasons_come_first_and_a_routing_hold_still_creates_nothing() -> None:
    s = dataclasses.replace(w.situation(), move_holds=("MOVE_BLOCKED",))
    for d in decision.plan(s).decisions:
        if d.outcome == "hold":
            assert d.reasons[0].code == "MOVE_BLOCKED" and d.creates_delivery
    pending_new = dataclasses.replace(s, facts=dataclasses.replace(s.facts, new=None))
    assert not any(d.creates_delivery for d in decision.plan(pending_new).decisions)


# The gate ------------------------------------------------------------------------------------


@settings(max_examples=50)
@given(strategies.notify_situations(), st.sampled_from(holds.REVIEW_CODES))
def test_the_gate_holds_while_the_review_is_open_and_cancels_a_refused_move(
    s: decision.Situation, code: str
) -> None:
    for d in (d for d in decision.plan(s).decisions if d.outcome == "send"):
        base = pending(s, d)
        open_review = dataclasses.replace(base, review_hold=code)
        refused = dataclasses.replace(base, review_refused=True)
        free = recheck.recheck(delivery=base, registry=s.registry, consents=s.consents, now=s.now)
        held = recheck.recheck(
            delivery=open_review, registry=s.registry, consents=s.consents, now=s.now
        )
        gone = recheck.recheck(
            delivery=refused, registry=s.registry, consents=s.consents, now=s.now
        )
        assert free.action == "proceed"
        assert (held.action, held.reason) == ("hold", code)
        assert (gone.action, gone.reason) == ("cancel", holds.REFUSED_ON_REVIEW)
        notice = dataclasses.replace(refused, review_hold=code, is_notice=True)
        told = recheck.recheck(delivery=notice, registry=s.registry, consents=s.consents, now=s.now)
        assert told.action == "proceed"  # Art. 19 notices carry references only: never held
