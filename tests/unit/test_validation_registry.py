"""The rule registry: every §4.1 id, numbered as the checklist, owned by someone, and every rule
the validator owns has a check and a table-driven test case."""

from __future__ import annotations

import itertools

from gazetteer.validation import NOT_CHECKED, RULES, Profile, Severity, validator
from tests.unit import (
    test_validation_blpu,
    test_validation_crossrecord,
    test_validation_lifecycle,
    test_validation_lpi,
    test_validation_records,
)

SUPPLY_LEVEL = {*range(1, 14), *range(138, 143)}


def _checked_ids() -> set[str]:
    checks = itertools.chain(validator.RECORD_CHECKS.values(), validator.CROSS_CHECKS.values())
    return {check.rule_id for group in checks for check in group}


def test_the_registry_numbers_the_whole_checklist() -> None:
    assert [rule.number for rule in RULES.values()] == list(range(1, 143))
    assert all(rule_id == rule.rule_id for rule_id, rule in RULES.items())


def test_supply_level_rules_belong_to_the_loaders() -> None:
    loader = {rule.number for rule in RULES.values() if rule.owner == "loader"}
    assert loader == SUPPLY_LEVEL
    assert RULES["FILE-KEY-ONCE"].severity(Profile.INGEST) is Severity.ERROR
    assert RULES["COU-UPDATE-MISSING"].severity(Profile.EDIT) is Severity.WARNING


def test_rules_the_standard_leaves_out_of_a_profile_have_no_severity_there() -> None:
    ingest_only_dash = {r.rule_id for r in RULES.values() if r.ingest is None}
    assert ingest_only_dash == {"BLPU-PROVENANCE", "COORD-XSD", "TXT-GOVTALK-AON"}
    assert all(rule.edit is not None for rule in RULES.values())


def test_project_decisions_are_pinned() -> None:
    """[PROJECT] LPI-END-GT-START warns in both profiles (12A-12C has equal numbers)."""
    rule = RULES["LPI-END-GT-START"]
    assert (rule.ingest, rule.edit) == (Severity.WARNING, Severity.WARNING)


def test_every_check_names_a_known_rule_and_every_validator_rule_has_a_check() -> None:
    checked = _checked_ids()
    validator_rules = {r.rule_id for r in RULES.values() if r.owner == "validator"}
    assert checked == validator_rules
    assert set(NOT_CHECKED) == {r.rule_id for r in RULES.values() if r.owner == "none"}


def test_every_validator_rule_has_a_table_driven_case() -> None:
    modules = (
        test_validation_blpu,
        test_validation_lpi,
        test_validation_records,
        test_validation_crossrecord,
        test_validation_lifecycle,
    )
    cased = {case.rule_id for module in modules for case in module.CASES}
    assert _checked_ids() - cased == set()
