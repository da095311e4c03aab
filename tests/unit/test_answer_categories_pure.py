"""SERVICE_ANSWERS is classified per question (§2.1, field-group catalogue): the payload's
category, its data-classification attributes and the rule checks follow the answered questions."""

from __future__ import annotations

import dataclasses

import pytest

from notify import codes, domain, events, projection, questions, validation
from tests.unit import decision_world as w


def _asks(*categories: codes.DataCategory) -> tuple[questions.Question, ...]:
    ids = ("adults", "benefit", "carer")
    return tuple(
        questions.Question(id=i, type="text", label_en=i, data_category=c)
        for i, c in zip(ids, categories, strict=False)
    )


def _registry(
    service_id: str, asked: tuple[questions.Question, ...], **rule: object
) -> domain.Registry:
    rule_id = {"new-ct": "r-new-ct", "county-asc": "r-asc"}[service_id]
    return w.registry(
        services=w.replace_service(service_id, questions=asked),
        rules=w.replace_rule(rule_id, **rule) if rule else w.RULES,
    )


def test_an_answered_sensitive_question_raises_the_category() -> None:
    # council tax is asked "adults" (answered: 2) and a sensitive "benefit" (not answered)
    unanswered = w.decide("new-ct", registry=_registry("new-ct", _asks("standard", "sensitive")))
    assert (unanswered.outcome, unanswered.data_category) == ("send", "standard")
    answered = w.decide("new-ct", registry=_registry("new-ct", _asks("sensitive")))
    assert (answered.outcome, answered.codes) == ("refuse", ("CATEGORY_EXCEEDS_RULE",))
    allowed = _registry(
        "new-ct", _asks("sensitive"), max_data_category="sensitive", art10_condition="DPA s10"
    )
    sent = w.decide("new-ct", registry=allowed)
    assert (sent.outcome, sent.data_category) == ("send", "sensitive")
    assert sent.data_category is not None
    attrs = events.classification(sent.data_category)
    assert (attrs["datacategory"], attrs["dataclassification"]) == ("sensitive", "restricted")


def test_answers_never_fall_below_standard_and_care_stays_special() -> None:
    low = w.decide("new-ct", registry=_registry("new-ct", _asks("non-sensitive")))
    assert low.data_category == "standard"
    care = w.decide("county-asc", registry=_registry("county-asc", _asks("non-sensitive")))
    assert care.data_category == "special-category"


@pytest.mark.parametrize(
    ("categories", "answered", "expected"),
    [
        ((), None, "standard"),
        (("standard", "special-category"), None, "special-category"),
        (("standard", "special-category"), ["adults"], "standard"),
        (("standard", "special-category"), ["benefit"], "special-category"),
        (("sensitive",), [], "standard"),
    ],
)
def test_answers_category(
    categories: tuple[codes.DataCategory, ...], answered: list[str] | None, expected: str
) -> None:
    service = dataclasses.replace(w.NEW_CT, questions=_asks(*categories))
    assert projection.answers_category(service, answered) == expected
    assert projection.group_category("SERVICE_ANSWERS", service, answered) == expected
    assert projection.group_category("PERSON_NAME", service, answered) == "standard"


def test_a_rule_sending_sensitive_answers_needs_an_art10_condition() -> None:
    reg = _registry("new-ct", _asks("standard", "sensitive"))
    found = [f for f in validation.validate(reg) if f.item.startswith("rule r-new-ct")]
    assert any(f.code == "RV6" and "Art. 10" in f.message for f in found)
    plain = _registry("new-ct", _asks("standard"))
    assert not any(f.code == "RV6" for f in validation.validate(plain))
