"""Per-service extra questions (J6), pure: reading a question list and checking answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notify import errors, intake, move_domain, questions

CARD = {
    "id": "library_card",
    "labels": {"en": "Library card number", "cy": "Rhif cerdyn llyfrgell"},
    "type": "text",
    "required": True,
    "validation": {"pattern": "[0-9]{8}", "max_length": 8},
}
ADULTS = {
    "id": "adults",
    "label_en": "Adults",
    "type": "integer",
    "validation": {"min": 1, "max": 20},
}
KIND = {"id": "kind", "label_en": "Kind", "type": "choice", "validation": {"choices": ["a", "b"]}}
ASKED = {"LIB": questions.parse([CARD]), "CT": questions.parse([ADULTS, KIND])}


def _request(*recipients: intake.RecipientAnswer) -> intake.MoveRequest:
    return intake.MoveRequest(
        submitter=move_domain.Submitter(kind="citizen"),
        person=intake.PersonDetails(given_name="Ada", family_name="Lovelace"),
        new_uprn=2,
        move_date=dt.date(2025, 3, 14),
        recipients=recipients,
    )


def _answer(service: str, answers: dict[str, Any], selected: bool | None = True) -> Any:
    return intake.RecipientAnswer(partner_service_id=service, selected=selected, answers=answers)


def _refusal(*recipients: intake.RecipientAnswer) -> str:
    with pytest.raises(errors.InvalidMove) as caught:
        questions.check_answers(_request(*recipients), ASKED)
    assert caught.value.details["field"] == str(caught.value).split(":")[0]
    return str(caught.value)


def test_a_question_list_reads_labels_either_way_and_round_trips() -> None:
    (card,) = ASKED["LIB"]
    assert (card.label_en, card.label_cy, card.required) == (
        "Library card number",
        "Rhif cerdyn llyfrgell",
        True,
    )
    assert questions.parse([q.as_json() for q in ASKED["CT"]]) == ASKED["CT"]


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"label_en": "x"}, "questions[0].id"),
        ({"id": "Bad Id", "label_en": "x"}, "questions[0].id"),
        ({"id": "q", "label_en": "x", "type": "colour"}, "questions[0].type"),
        ({"id": "q", "type": "text"}, "questions[0].label_en"),
        ({"id": "q", "label_en": "x", "validation": {"regex": "."}}, "questions[0].validation"),
        ({"id": "q", "label_en": "x", "type": "choice"}, "questions[0].validation.choices"),
        (
            {"id": "q", "label_en": "x", "validation": {"pattern": "("}},
            "questions[0].validation.pattern",
        ),
        ({"id": "q", "label_en": "x", "data_category": "secret"}, "questions[0].data_category"),
    ],
)
def test_an_unusable_question_is_refused_naming_its_field(raw: dict[str, Any], field: str) -> None:
    with pytest.raises(questions.InvalidQuestions) as caught:
        questions.parse([raw])
    assert caught.value.details["field"] == field


def test_question_ids_are_unique() -> None:
    with pytest.raises(questions.InvalidQuestions):
        questions.parse([ADULTS, ADULTS])


def test_good_answers_pass() -> None:
    questions.check_answers(
        _request(
            _answer("LIB", {"library_card": "12345678"}),
            _answer("CT", {"adults": 2, "kind": "b"}),
            _answer("OTHER", {}),
        ),
        ASKED,
    )


def test_each_kind_of_bad_answer_is_refused_naming_the_field() -> None:
    ok = _answer("LIB", {"library_card": "12345678"})
    assert _refusal(ok, _answer("CT", {"adults": 0})).startswith("recipients[1].answers.adults:")
    assert "whole number" in _refusal(_answer("CT", {"adults": 2.5}))
    assert "whole number" in _refusal(_answer("CT", {"adults": True}))
    assert "one of a, b" in _refusal(_answer("CT", {"kind": "c"}))
    assert "expected form" in _refusal(_answer("LIB", {"library_card": "1234567x"}))
    assert "at most 8" in _refusal(_answer("LIB", {"library_card": "123456789"}))
    assert _refusal(ok, ok, _answer("CT", {"pets": 1})).startswith("recipients[2].answers.pets:")
    assert "no such question" in _refusal(_answer("OTHER", {"adults": 1}))


def test_a_required_question_needs_an_answer_only_when_the_service_is_chosen() -> None:
    assert (
        _refusal(_answer("LIB", {})) == "recipients[0].answers.library_card: an answer is required"
    )
    questions.check_answers(_request(_answer("LIB", {}, selected=False)), ASKED)
    questions.check_answers(_request(_answer("LIB", {}, selected=None)), ASKED)


@pytest.mark.parametrize(
    ("kind", "good", "bad"),
    [
        ("boolean", True, "yes"),
        ("date", "2025-03-14", "14/03/2025"),
        ("number", 2.5, "2.5"),
        ("text", "x", 3),
    ],
)
def test_types(kind: str, good: Any, bad: Any) -> None:
    (q,) = questions.parse([{"id": "q", "label_en": "Q", "type": kind}])
    assert questions.problem(q, good) is None
    assert questions.problem(q, bad) is not None


@settings(max_examples=200)
@given(st.integers(-50, 50), st.integers(-50, 50), st.integers(-100, 100))
def test_an_integer_answer_passes_exactly_when_it_is_in_range(
    low: int, high: int, value: int
) -> None:
    raw = {"id": "n", "label_en": "N", "type": "integer", "validation": {"min": low, "max": high}}
    (q,) = questions.parse([raw])
    assert (questions.problem(q, value) is None) == (low <= value <= high)
