"""Intake checks (J2–J4), references and the consents a request records."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notify import decision, errors, intake, move_domain
from tests.unit import decision_world as w

TODAY = dt.date(2025, 3, 1)


def _request(**changes: Any) -> intake.MoveRequest:
    values: dict[str, Any] = {
        "submitter": move_domain.Submitter(kind="citizen"),
        "person": intake.PersonDetails(given_name="Ada", family_name="Lovelace"),
        "old_uprn": w.OLD_UPRN,
        "new_uprn": w.NEW_UPRN,
        "move_date": TODAY,
    }
    return intake.MoveRequest(**(values | changes))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"new_uprn": None}, "new_uprn"),
        ({"old_uprn": w.NEW_UPRN}, "old_uprn"),
        ({"move_date": TODAY - dt.timedelta(days=184)}, "move_date"),
        ({"move_date": TODAY + dt.timedelta(days=93)}, "move_date"),
        (
            {
                "household": (
                    intake.MemberDetails(
                        person=intake.PersonDetails(given_name="B", family_name="C")
                    ),
                )
            },
            "household[0]",
        ),
        (
            {"recipients": (intake.RecipientAnswer(partner_service_id="x"),) * 2},
            "recipients",
        ),
    ],
)
def test_check_refuses_with_the_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(errors.InvalidMove) as caught:
        intake.check(_request(**changes), today=TODAY)
    assert caught.value.details["field"] == field


def test_window_edges_are_allowed() -> None:
    for days in (-183, 0, 92):
        intake.check(_request(move_date=TODAY + dt.timedelta(days=days)), today=TODAY)


@given(st.binary(min_size=5, max_size=5))
def test_references_are_crockford_and_distinct_per_bytes(random: bytes) -> None:
    reference = intake.new_reference(random)
    assert len(reference) == 13 and reference[:4] == "COA-" and reference[8] == "-"
    assert set(reference[4:8] + reference[9:]) <= set(intake.CROCKFORD)
    assert not set("ILOU") & set(reference[4:])


def test_consents_only_for_consent_rules_the_citizen_said_yes_to() -> None:
    request = _request(
        recipients=(
            intake.RecipientAnswer(partner_service_id="new-lib", selected=True, consent=True),
            intake.RecipientAnswer(partner_service_id="new-ct", selected=True, consent=True),
        )
    )
    move = intake.to_move(request, reference="COA-TEST-0001", subject_ids=["s-1"])
    preview = decision.plan(w.situation(move=move, phase="explain", consents=()))
    counter = itertools.count()
    consents = intake.consents_to_record(
        request=request, move=move, preview=preview, now=w.NOW, new_id=lambda: f"c{next(counter)}"
    )
    assert [(c.partner_service_id, c.purpose_code, c.rule_id) for c in consents] == [
        ("new-lib", "library_membership", "r-new-lib")
    ]
    assert consents[0].expires_at == w.NOW + dt.timedelta(days=90)
    partner = intake.to_move(
        _request(
            submitter=move_domain.Submitter(kind="partner", source_partner_service_id="old-ct")
        ),
        reference="COA-TEST-0002",
        subject_ids=["s-2"],
    )
    assert (
        intake.consents_to_record(
            request=request, move=partner, preview=preview, now=w.NOW, new_id=lambda: "c"
        )
        == []
    )
