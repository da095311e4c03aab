"""A service's extra questions in the registry file, on both engines: apply, export, the diff,
questions kept when the file does not state them, and bad questions refused whole."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from sqlalchemy import orm

from notify import errors, question_store, registry_service
from notify.tables import registry as t

EXAMPLE = (
    Path(__file__).resolve().parents[2] / "notify" / "data" / "example-registry.yaml"
).read_text(encoding="utf-8")
NOW = dt.datetime(2025, 3, 1, 9, tzinfo=dt.UTC)
LIBRARIES = "NEWTOWN-DC/LIBRARIES"
CARD = {
    "id": "card",
    "label_en": "Library card number",
    "label_cy": "Rhif cerdyn llyfrgell",
    "type": "text",
    "required": True,
    "validation": {"pattern": "^[0-9]{8}$"},
    "data_category": "standard",
}
ADULTS = {
    "id": "adults",
    "label_en": "Adults at the new address",
    "type": "integer",
    "validation": {"min": 1, "max": 20},
}


def _text(questions: Any) -> str:
    raw = yaml.safe_load(EXAMPLE)
    if questions is not None:
        raw["partners"]["NEWTOWN-DC"]["services"]["LIBRARIES"]["questions"] = questions
    return yaml.safe_dump(raw, sort_keys=False)


def _apply(session: orm.Session, text: str, **kw: Any) -> registry_service.ApplyReport:
    report = registry_service.apply_file(session=session, text=text, actor="dpo", now=NOW, **kw)
    session.commit()
    return report


def _ids(session: orm.Session) -> list[str]:
    return [q.id for q in question_store.get(session=session, service_id=LIBRARIES)]


def test_apply_stores_the_questions_and_export_round_trips(session: orm.Session) -> None:
    _apply(session, _text([CARD, ADULTS]))
    stored = question_store.get(session=session, service_id=LIBRARIES)
    assert [q.id for q in stored] == ["card", "adults"]
    assert stored[0].required and stored[0].pattern == "^[0-9]{8}$"
    assert (stored[1].type, stored[1].maximum) == ("integer", 20.0)
    exported = registry_service.export_file(session=session)
    assert yaml.safe_load(exported)["partners"]["NEWTOWN-DC"]["services"]["LIBRARIES"][
        "questions"
    ] == [q.as_json() for q in stored]
    again = _apply(session, exported)
    assert again.count("update") == 0 and again.count("create") == 0
    assert registry_service.export_file(session=session) == exported


def test_the_diff_names_changed_questions_and_a_dry_run_writes_nothing(
    session: orm.Session,
) -> None:
    _apply(session, _text([CARD]))
    report = _apply(session, _text([CARD, ADULTS]), dry_run=True)
    changed = [c for c in report.as_json()["changes"] if c["action"] == "update"]
    assert changed == [
        {"kind": "service", "key": LIBRARIES, "version": None, "action": "update",
         "fields": ["questions"], "questions": ["+adults"]}
    ]  # fmt: skip
    assert _ids(session) == ["card"]
    replaced = _apply(session, _text([ADULTS | {"required": True}]))
    assert [c.questions for c in replaced.changes if c.action == "update"] == [("+adults", "-card")]
    assert _ids(session) == ["adults"]
    edited = _apply(session, _text([ADULTS]))
    assert [c.questions for c in edited.changes if c.action == "update"] == [("~adults",)]
    audit = session.scalars(
        sa.select(t.RegistryChange).where(t.RegistryChange.item_key == LIBRARIES)
    ).all()
    assert {"fields": ["questions"], "questions": ["+adults", "-card"]} in [a.detail for a in audit]


def test_a_file_without_questions_keeps_them_and_an_empty_list_clears_them(
    session: orm.Session,
) -> None:
    _apply(session, _text(None))
    question_store.save(session=session, service_id=LIBRARIES, raw=[CARD], now=NOW)
    session.commit()
    report = _apply(session, _text(None))
    assert report.count("update") == 0
    assert _ids(session) == ["card"]
    cleared = _apply(session, _text([]))
    assert cleared.count("update") == 1
    assert _ids(session) == []


@pytest.mark.parametrize(
    ("questions", "path"),
    [
        ([CARD, CARD], "questions"),
        ([ADULTS, CARD | {"type": "choice"}], "questions[1].validation.choices"),
        ([CARD | {"type": "colour"}], "questions[0].type"),
    ],
)
def test_bad_questions_refuse_the_whole_file(
    session: orm.Session, questions: Any, path: str
) -> None:
    _apply(session, _text(None))
    with pytest.raises(errors.InvalidRegistryFile) as refused:
        _apply(session, _text(questions))
    session.rollback()
    full = f"partners.NEWTOWN-DC.services.LIBRARIES.{path}"
    assert refused.value.details == {"path": full}
    assert _ids(session) == []


def test_setting_questions_applies_rv6_to_the_services_rules(session: orm.Session) -> None:
    _apply(session, _text(None))
    council_tax = "NEWTOWN-DC/COUNCIL_TAX"  # its rule sends SERVICE_ANSWERS, no Art. 9/10 condition
    for category, condition in (("special-category", "Art. 9"), ("sensitive", "Art. 10")):
        with pytest.raises(errors.InvalidRule) as refused:
            question_store.save(session=session, service_id=council_tax,
                                raw=[ADULTS | {"data_category": category}], now=NOW)  # fmt: skip
        session.rollback()
        (finding,) = refused.value.details["findings"]
        assert finding["code"] == "RV6" and finding["item"] == "rule ct-newtown-joining@1"
        assert condition in finding["message"]
    assert question_store.get(session=session, service_id=council_tax) == ()
    standard = question_store.save(session=session, service_id=council_tax, raw=[ADULTS], now=NOW)
    assert [q.id for q in standard] == ["adults"]
    special = CARD | {"data_category": "special-category"}  # its rule sends no SERVICE_ANSWERS
    assert question_store.save(session=session, service_id=LIBRARIES, raw=[special], now=NOW)
    session.commit()
    assert _ids(session) == ["card"]
