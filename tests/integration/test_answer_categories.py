"""A service's answers are classified by the questions answered, on both engines: the stored
questions reach the plan through the registry, and a sensitive answer raises the category.

Setting questions through ``question_store.save`` refuses a sensitive question under a rule
without an Art. 10 condition (RV6); these tests write the stored questions directly, as a
database changed by other means would hold them, to prove the plan's own check still refuses."""

from __future__ import annotations

from typing import Any

from sqlalchemy import orm

from notify import questions, service
from notify.tables import registry
from tests.integration import sharing_world as w

COUNCIL_TAX = "NEWTOWN-DC/COUNCIL_TAX"
BENEFIT: dict[str, Any] = {
    "id": "benefit",
    "label_en": "Do you get a council tax reduction?",
    "type": "boolean",
}


def _plan_for_council_tax(session: orm.Session, asked: list[dict[str, Any]]) -> Any:
    w.seed(session)
    stored = session.get(registry.PartnerService, COUNCIL_TAX)
    assert stored is not None
    stored.questions = [q.as_json() for q in questions.parse(asked)]
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
