"""The registry file (parse, dump, round trip) and registry validation RV1–RV11 (§3.1)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings

from notify import domain, errors, registry_file, validation
from notify import questions as asked
from tests import strategies

EXAMPLE = Path(__file__).resolve().parents[2] / "notify" / "data" / "example-registry.yaml"


def example() -> domain.Registry:
    return registry_file.parse(EXAMPLE.read_text(encoding="utf-8"))


def test_example_parses_into_natural_keys() -> None:
    registry = example()
    assert sorted(registry.partners) == ["COUNTY-CC", "NEWTOWN-DC", "OLDTOWN-BC"]
    service = registry.services["NEWTOWN-DC/LIBRARIES"]
    assert (service.partner_id, service.service_code) == ("NEWTOWN-DC", "LIBRARIES")
    (subscription,) = service.subscriptions
    assert subscription.endpoint is not None
    assert subscription.endpoint.url == "https://newtown.example/hooks/lib"
    rule = next(r for r in registry.rules if r.id == "lib-newtown")
    assert (rule.dsa_id, rule.dsa_version, rule.partner_service_id) == (
        "DSA-2024-011",
        2,
        "NEWTOWN-DC/LIBRARIES",
    )
    assert (rule.lawful_basis, rule.choice_mode, rule.consent_required) == (
        "consent",
        "citizen_opt_in",
        True,
    )
    dsa = registry.agreements[("DSA-2024-011", 2)]
    assert dsa.effective_from == dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    assert dict(dsa.parties)["OLDTOWN-BC"] == "discloser"


def test_dump_parse_round_trip_is_exact() -> None:
    registry = example()
    text = registry_file.dump(registry)
    assert registry_file.parse(text) == registry
    assert registry_file.dump(registry_file.parse(text)) == text


def test_example_passes_validation() -> None:
    assert validation.validate(example()) == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("format: other/1\n", "format"),
        ("format: addresshub-registry/1\nextras: {}\n", "unknown sections"),
        ("format: addresshub-registry/1\npartners: {bad code: {name_en: x}}\n", "partner code"),
        (
            "format: addresshub-registry/1\npartners: {P1: {name_en: x, colour: red}}\n",
            "unknown keys: colour",
        ),
        (
            "format: addresshub-registry/1\npartners: {P1: {name_en: x, kind: shop}}\n",
            "'shop' is not one of",
        ),
        ("format: addresshub-registry/1\nrules: {r1: [{version: 1, agreement: X}]}\n", "REF@V"),
        ("format: addresshub-registry/1\nrules: {r1: {version: 1}}\n", "list of versions"),
        (
            "format: addresshub-registry/1\n"
            "agreements: {D: [{version: 1, effective_from: soon}]}\n",
            "not a date or time",
        ),
        ("format: [unclosed\n", "not valid YAML"),
    ],
)
def test_unreadable_files_are_refused_with_the_place(text: str, problem: str) -> None:
    with pytest.raises(errors.InvalidRegistryFile, match=problem):
        registry_file.parse(text)


def test_missing_required_fields_are_named() -> None:
    text = "format: addresshub-registry/1\nagreements: {D: [{version: 1}]}\n"
    with pytest.raises(errors.InvalidRegistryFile, match=r"agreements\.D\[0\].*effective_from"):
        registry_file.parse(text)


# Validation --------------------------------------------------------------------------------


def _with_rule(**changes: Any) -> domain.Registry:
    registry = example()
    rules = [
        dataclasses.replace(r, **changes) if r.id == "ct-newtown-joining" else r
        for r in registry.rules
    ]
    return dataclasses.replace(registry, rules=tuple(rules))


def _codes(registry: domain.Registry) -> list[str]:
    return [f.code for f in validation.validate(registry)]


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"partner_service_id": "*"}, "RV1"),
        ({"purpose_code": "anything"}, "RV2"),
        ({"lawful_basis": "consent"}, "RV4"),
        ({"lawful_basis": "contract"}, "RV5"),
        ({"lawful_basis": "legitimate_interests", "choice_mode": "citizen_opt_in"}, "RV7"),
        ({"required_field_groups": frozenset({"CONTACT"})}, "RV8"),
        ({"field_groups": frozenset({"PERSON_NAME", "CONTACT"})}, "RV8"),
        ({"overrides_restrictions": frozenset({"LGFA1992_CT"})}, "RV8"),
        ({"valid_from": dt.datetime(2023, 1, 1, tzinfo=dt.UTC)}, "RV9"),
        ({"parent_rule_id": "no-such-rule"}, "RV10"),
        ({"parent_rule_id": "lib-newtown"}, "RV10"),
        ({"approved_by": None}, "APPROVAL"),
        ({"event_types": frozenset({"made.up"})}, "REF"),
        ({"dsa_version": 9}, "REF"),
    ],
)
def test_each_registry_rule(changes: dict[str, object], code: str) -> None:
    registry = _with_rule(**changes)
    assert code in _codes(registry)
    assert all(f.blocking for f in validation.validate(registry))
    draft = _with_rule(status="draft", **changes)
    assert not validation.blocking(validation.validate(draft)) or code in ("REF", "RV1")


def test_rv3_statutory_rules_need_a_gateway() -> None:
    registry = example()
    dsa = registry.agreements[("DSA-2024-011", 2)]
    agreements = {
        dsa_key: dataclasses.replace(dsa, legal_gateway_refs=())
        for dsa_key in [("DSA-2024-011", 2)]
    }
    assert "RV3" in _codes(dataclasses.replace(registry, agreements=agreements))


def test_rv6_special_category_needs_an_art9_condition() -> None:
    registry = example()
    rules = [
        dataclasses.replace(r, art9_condition=None) if r.id == "asc-county" else r
        for r in registry.rules
    ]
    assert "RV6" in _codes(dataclasses.replace(registry, rules=tuple(rules)))


def test_rv11_two_permit_roots_with_different_bases() -> None:
    registry = example()
    base = next(r for r in registry.rules if r.id == "ct-newtown-joining")
    rival = dataclasses.replace(base, id="ct-newtown-other", lawful_basis="legal_obligation")
    found = _codes(dataclasses.replace(registry, rules=(*registry.rules, rival)))
    assert found.count("RV11") == 2
    same_basis = dataclasses.replace(rival, lawful_basis="public_task")
    assert "RV11" not in _codes(dataclasses.replace(registry, rules=(*registry.rules, same_basis)))


def test_override_with_a_lifting_gateway_is_valid() -> None:
    registry = _with_rule(overrides_restrictions=frozenset({"LGFA1992_CT"}))
    dsa = registry.agreements[("DSA-2024-011", 2)]
    cited = dataclasses.replace(
        dsa, legal_gateway_refs=(*dsa.legal_gateway_refs, "LGFA1992 Sch 2 para 17A")
    )
    agreements = {("DSA-2024-011", 2): cited}
    assert _codes(dataclasses.replace(registry, agreements=agreements)) == []


# Service questions ------------------------------------------------------------------------

CARD = {
    "id": "card",
    "label_en": "Library card number",
    "label_cy": "Rhif cerdyn llyfrgell",
    "type": "text",
    "validation": {"pattern": "^[0-9]{8}$"},
    "data_category": "standard",
}


def _with_questions(questions: object) -> str:
    raw = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    raw["partners"]["NEWTOWN-DC"]["services"]["LIBRARIES"]["questions"] = questions
    return yaml.safe_dump(raw, sort_keys=False)


def test_questions_are_read_written_and_round_trip() -> None:
    registry = registry_file.parse(_with_questions([CARD]))
    (card,) = registry.services["NEWTOWN-DC/LIBRARIES"].questions or ()
    assert (card.id, card.pattern, card.label_cy) == ("card", "^[0-9]{8}$", "Rhif cerdyn llyfrgell")
    assert registry.services["COUNTY-CC/ADULT_SOCIAL_CARE"].questions is None
    text = registry_file.dump(registry)
    assert yaml.safe_load(text)["partners"]["NEWTOWN-DC"]["services"]["LIBRARIES"]["questions"] == [
        card.as_json()
    ]
    assert registry_file.parse(text) == registry
    assert registry_file.dump(registry_file.parse(text)) == text
    empty = registry_file.parse(_with_questions([])).services["NEWTOWN-DC/LIBRARIES"]
    assert empty.questions == ()


SERVICE = "partners.NEWTOWN-DC.services.LIBRARIES.questions"


@pytest.mark.parametrize(
    ("questions", "path", "problem"),
    [
        ([CARD, CARD], SERVICE, "unique"),
        ([CARD | {"type": "colour"}], f"{SERVICE}[0].type", "one of"),
        ([CARD, CARD | {"id": "x", "type": "choice"}], f"{SERVICE}[1].validation.choices", "lists"),
        ([CARD | {"data_category": "secret"}], f"{SERVICE}[0].data_category", "one of"),
        ([CARD | {"label_en": ""}], f"{SERVICE}[0].label_en", "English label"),
        ([CARD | {"id": "Card"}], f"{SERVICE}[0].id", "an id is"),
        ([CARD | {"validation": {"colour": 1}}], f"{SERVICE}[0].validation", "only"),
        ({"card": CARD}, SERVICE, "a list"),
    ],
)
def test_bad_questions_are_refused_naming_service_question_and_field(
    questions: object, path: str, problem: str
) -> None:
    with pytest.raises(errors.InvalidRegistryFile, match=problem) as refused:
        registry_file.parse(_with_questions(questions))
    assert refused.value.details == {"path": path}
    assert str(refused.value).startswith(f"{path}: ")


@settings(max_examples=100, deadline=None)
@given(found=strategies.notify_questions())
def test_any_valid_questions_round_trip_through_the_file(
    found: tuple[asked.Question, ...],
) -> None:
    registry = example()
    service = dataclasses.replace(registry.services["NEWTOWN-DC/LIBRARIES"], questions=found)
    changed = dataclasses.replace(registry, services={**registry.services, service.id: service})
    text = registry_file.dump(changed)
    assert registry_file.parse(text) == changed
    assert registry_file.dump(registry_file.parse(text)) == text
