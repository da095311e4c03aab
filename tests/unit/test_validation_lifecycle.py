"""Lifecycle rules against the live pre-image, and how the batch is laid over the live gazetteer."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from gazetteer import domain
from gazetteer.validation import (
    Profile,
    Record,
    index,
    overlay,
    validate_change,
    validate_record,
    validate_records,
)
from tests.unit import validation_world as w
from tests.unit.validation_world import Case, changed, without

WORLD = w.world()
LPI_102 = "1110L000000102"


def live(name: str, **changes: Any) -> dict[str, Any]:
    """A context change whose live gazetteer holds one pre-image: the world record, changed."""
    before: Record = dataclasses.replace(WORLD[name], **changes)
    return {"lookups": index([before])}


def case(rule_id: str, key: str, field: str, ingest: str, edit: str, name: str, **kw: Any) -> Case:
    """The world is the after-image; ``before`` changes the world record into its pre-image;
    the good world makes the after-image equal the pre-image in the judged field."""
    before = kw.pop("before")
    return Case(
        rule_id=rule_id, key=key, field=field, ingest=ingest, edit=edit, bad=WORLD,
        good=changed(WORLD, name, **kw.pop("good", before)), ctx=live(name, **before), **kw,
    )  # fmt: skip


CASES = [
    case("LIFE-REJECTED-TERMINAL", "102", "logical_status", "E", "E", "old",
         before={"logical_status": "9"}),
    case("LIFE-REJECTED-TERMINAL", LPI_102, "logical_status", "E", "E", "old_lpi",
         before={"logical_status": "7"}, note="lpi"),
    case("LIFE-HISTORIC-FROZEN", LPI_102, "pao_start_number", "W", "E", "old_lpi",
         before={"pao_start_number": 16}),
    case("LIFE-HISTORIC-FROZEN", LPI_102, "usrn", "W", "E", "old_lpi", before={"usrn": 201},
         note="usrn"),
    case("LIFE-HISTORIC-POSTCODE", LPI_102, "postcode", "W", "E", "old_lpi",
         before={"logical_status": "1", "end_date": None, "postcode": "EX1 1AE"},
         good={"postcode": "EX1 1AE"}),
    case("XRF-NO-REPARENT", "1110X000000100", "uprn", "W", "E", "building_xref",
         before={"uprn": 101}),
]  # fmt: skip


@pytest.mark.parametrize("profile", list(Profile))
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_lifecycle_rule(case: Case, profile: Profile) -> None:
    w.world_case(case, profile)


@pytest.mark.parametrize("profile", list(Profile))
def test_validate_change_judges_an_explicit_pre_image(profile: Profile) -> None:
    after = WORLD["old_lpi"]
    assert isinstance(after, domain.Lpi)
    before = dataclasses.replace(after, logical_status="9", pao_start_number=16)
    found = validate_change(before=before, after=after, ctx=w.context(profile))
    assert [(f.rule_id, f.field, f.severity.value) for f in found] == [
        ("LIFE-REJECTED-TERMINAL", "logical_status", "E")
    ]


def test_a_historical_lpi_that_stays_historical_keeps_its_address() -> None:
    after = WORLD["old_lpi"]
    assert isinstance(after, domain.Lpi)
    same = validate_change(before=after, after=after, ctx=w.context())
    moved = validate_change(
        before=after, after=dataclasses.replace(after, level="FIRST FLOOR"), ctx=w.context()
    )
    assert same == []
    assert [(f.rule_id, f.field) for f in moved] == [("LIFE-HISTORIC-FROZEN", "level")]


def test_the_batch_replaces_live_records_with_the_same_key() -> None:
    lpi = WORLD["building_lpi"]
    assert isinstance(lpi, domain.Lpi)
    moved = dataclasses.replace(lpi, uprn=101)
    view = overlay([moved], index(WORLD.values()))
    assert lpi.lpi_key not in {x.lpi_key for x in view.lpis_of_uprn(100)}
    assert moved in view.lpis_of_uprn(101)
    assert view.lpi(lpi.lpi_key) == moved
    assert view.blpu(100) == WORLD["building"]


def test_index_keeps_the_last_record_of_a_key() -> None:
    blpu = WORLD["building"]
    assert isinstance(blpu, domain.Blpu)
    later = dataclasses.replace(blpu, rpc="2")
    assert index([blpu, later]).blpu(100) == later


def test_cross_record_rules_find_records_in_the_live_gazetteer() -> None:
    """A COU carrying only the flat's LPI is judged against the live BLPU, street and
    descriptor; the same LPI alone against an empty gazetteer is not."""
    lpi = WORLD["flat_lpi"]
    ctx = w.context(lookups=index(without(WORLD, "flat_lpi").values()), full_supply=False)
    assert validate_records([lpi], ctx) == []
    rules = {f.rule_id for f in validate_records([lpi], w.context(full_supply=False))}
    assert {"LPI-BLPU-EXISTS", "LPI-USRN-EXISTS", "LPI-DESCRIPTOR-LANGUAGE"} <= rules


def test_pre_images_come_from_the_live_gazetteer_not_the_batch() -> None:
    old = WORLD["old"]
    assert isinstance(old, domain.Blpu)
    reopened = dataclasses.replace(old, logical_status="9")
    ctx = w.context(lookups=index([old]))
    batch = [dataclasses.replace(old, logical_status="7"), reopened]
    assert w.hits(validate_records(batch, ctx), "LIFE-REJECTED-TERMINAL") == []
    ctx = w.context(lookups=index([reopened]))
    found = w.hits(validate_records([old], ctx), "LIFE-REJECTED-TERMINAL")
    assert [f.record_key for f in found] == ["102"]


def test_validate_record_runs_no_cross_record_rule() -> None:
    lpi = WORLD["flat_lpi"]
    assert validate_record(lpi, w.context()) == []
