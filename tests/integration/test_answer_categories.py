"""A service's answers are classified by the questions answered, on both engines: the stored
questions reach the plan through the registry, and a sensitive answer raises the category."""

from __future__ import annotations

from typing import Any

from sqlalchemy import orm

from notify import question_store, service
from tests.integration import sharing_world as w

COUNCIL_TAX = "NEWTOWN-DC/COUNCIL_TAX"
BENEFIT: dict[str, Any] = {
    "id": "benefit",
    "label_en": "Do you get a council tax reduction?",
    "type": "boolean",
}


def _plan_for_council_tax(session: orm.Session, asked: list[dict[str, Any]]) -> Any:
    w.seed(session)
    question_store.save(session=session, service_id=COUNCIL_TAX, raw=asked, now=w.NOW)
    session.commit()
    result = service.submit_move(
        session=session, request=w.request(), settings=w.SETTINGS, now=w.NOW
    )
    session.commit()
    assert result.plan is not None
    found = result.plan.for_service(COUNCIL_TAX)
    assert found is not None
    return found


def test_an_unanswered_sensitive_question_leaves_the_answers_standard(
    session: orm.Session,
) -> None:
    asked = [*w.ADULTS_QUESTION, BENEFIT | {"data_category": "sensitive"}]
    decided = _plan_for_council_tax(session, asked)
    assert (decided.outcome, decided.data_category) == ("send", "standard")
    assert "SERVICE_ANSWERS" in decided.fields


def test_a_sensitive_answer_exceeds_a_standard_rule(session: orm.Session) -> None:
    asked = [w.ADULTS_QUESTION[0] | {"data_category": "sensitive"}]
    decided = _plan_for_council_tax(session, asked)
    assert decided.outcome == "refuse"
    assert "CATEGORY_EXCEEDS_RULE" in decided.codes
