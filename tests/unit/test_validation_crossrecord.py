"""Cross-record rules over the clean world with one thing broken: the finding lands on the named
record with the severity §4.1 gives, in both profiles, and the clean world has none."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from gazetteer import domain
from gazetteer.validation import Profile, Record, validate_records
from tests.unit import validation_world as w
from tests.unit.validation_world import Case, changed, without

WORLD = w.world()
ENDED = dt.date(2019, 1, 1)
LPI_100, LPI_101, LPI_102, LPI_300 = (f"1110L000000{u}" for u in (100, 101, 102, 300))


def plus(records: dict[str, Record], **extra: Record) -> dict[str, Record]:
    return {**records, **extra}


def copy(name: str, **changes: Any) -> Record:
    return dataclasses.replace(WORLD[name], **changes)


def case(
    rule_id: str, key: str, field: str | None, ingest: str | None, edit: str | None, **kw: Any
) -> Case:
    return Case(rule_id=rule_id, key=key, field=field, ingest=ingest, edit=edit, **kw)


def _deep_chain() -> dict[str, Record]:
    """Flats below the flat down to level 5: 100 > 101 > 103 > 104 > 105."""
    records = dict(WORLD)
    parent = 101
    for uprn in (103, 104, 105):
        records[f"b{uprn}"] = copy("flat", uprn=uprn, parent_uprn=parent)
        parent = uprn
    return records


STREET_CLOSED = {"state": "4", "end_date": ENDED}
CASES = [
    case("LPI-USRN-EXISTS", LPI_100, "usrn", "E", "E",
         bad=changed(WORLD, "building_lpi", usrn=999)),
    case("LPI-BLPU-EXISTS", LPI_102, "uprn", "E", "E", bad=without(WORLD, "old")),
    case("BLPU-HAS-LPI", "100", None, "W", "E", bad=without(WORLD, "building_lpi")),
    case("BLPU-LPI-STATUS-ALLOWED", LPI_102, "logical_status", "W", "E",
         bad=changed(WORLD, "old_lpi", logical_status="1", end_date=None)),
    case("BLPU-LPI-STATUS-ALLOWED", LPI_100, "logical_status", "W", "E", note="from-blpu",
         bad=changed(WORLD, "building", logical_status="5", blpu_state="1")),
    case("BLPU-LPI-STATUS-MATCH", "100", "logical_status", "W", "E",
         bad=changed(WORLD, "building_lpi", logical_status="3")),
    case("LPI-ONE-APPROVED", LPI_100, "logical_status", "W", "E",
         bad=plus(WORLD, extra=copy("building_lpi", lpi_key="1110L900000100", pao_text="X"))),
    case("LPI-DUP-ADDRESS", LPI_100, None, "W", "E",
         bad=plus(WORLD, extra=copy("building_lpi", lpi_key="1110L900000100", logical_status="3"))),
    case("LPI-SAO-NEEDS-PARENT", LPI_101, "sao_text", "W", "E",
         bad=changed(WORLD, "flat", parent_uprn=None)),
    case("LPI-APPROVED-STREET-TYPE", LPI_100, "usrn", "W", "E",
         bad=changed(WORLD, "street", record_type="3")),
    case("LPI-OPEN-ON-CLOSED-BLPU", LPI_100, "logical_status", "W", "E",
         bad=changed(WORLD, "building", end_date=ENDED)),
    case("LPI-OPEN-ON-CLOSED-STREET", LPI_100, "usrn", "W", "E",
         bad=changed(WORLD, "street", **STREET_CLOSED)),
    case("LPI-OPEN-ON-CLOSED-STREET", "100", None, "W", "E", note="blpu",
         bad=changed(WORLD, "street", **STREET_CLOSED)),
    case("LPI-STREET-RECORD-SHAPE", LPI_300, "pao_text", "W", "E",
         bad=changed(WORLD, "street_class", classification_code="RD04")),
    case("LPI-STREET-RECORD-UNIQUE", LPI_300, "pao_text", "W", "E",
         bad=plus(WORLD, extra=copy("street_lpi", lpi_key="1110L900000300", logical_status="3"))),
    case("LPI-STREET-RECORD-STATUS", "300", "logical_status", "W", "E",
         bad=changed(WORLD, "street_blpu", logical_status="5", blpu_state="1",
                     blpu_state_date=dt.date(2005, 1, 1))),
    case("LPI-WELSH-PAIR", LPI_100, "language", "W", "E", bad=WORLD,
         ctx={"welsh_authority": True},
         good=plus(WORLD, **{f"cym{k}": copy(k, lpi_key=f"1110L8{k[:3]}", language="CYM")
                             for k in ("building_lpi", "flat_lpi", "street_lpi")},
                   cym_descriptor=copy("descriptor", language="CYM", description="STRYD FAWR"))),
    case("LPI-GAELIC-PAIR", LPI_100, "language", "W", "E",
         bad=changed(WORLD, "building_lpi", language="GAE")),
    case("LPI-DESCRIPTOR-LANGUAGE", LPI_100, "language", "W", "E",
         bad=changed(WORLD, "descriptor", language="CYM")),
    case("LPI-ORG-NOT-IN-TEXT", LPI_100, "pao_text", "W", "W",
         bad=changed(WORLD, "building_lpi", pao_text="ACME LTD HOUSE")),
    case("BLPU-MULTI-OCC", "100", "multi_occ_count", "W", "W",
         bad=changed(WORLD, "building", multi_occ_count=2)),
    case("BLPU-NEAR-STREET", "101", "x_coordinate", "W", "W",
         bad=changed(WORLD, "flat", x_coordinate=300_000.0)),
    case("BLPU-STREET-RECORD-POINT", "300", "x_coordinate", "W", "W",
         bad=changed(WORLD, "street_blpu", x_coordinate=292_050.0)),
    case("BLPU-PROVENANCE", "101", None, None, "W", bad=WORLD,
         ctx={"carries_provenance": True}, good=without(WORLD, "flat", "flat_lpi", "flat_dpa",
                                                         "flat_class", "street_blpu", "old")),
    case("POST-ABP-D-HAS-DPA", "101", "addressbase_postal", "W", "W",
         bad=changed(WORLD, "flat", addressbase_postal="L")),
    case("POST-ABP-D-HAS-DPA", "100", "addressbase_postal", "W", "W", note="d-without-dpa",
         bad=changed(WORLD, "building", addressbase_postal="D")),
    case("CLS-REQUIRED", "100", None, "W", "E", bad=without(WORLD, "building_class")),
    case("CLS-ONE-OPEN", "1110C000000100", "end_date", "W", "E",
         bad=plus(WORLD, extra=copy("building_class", class_key="1110C900000100"))),
    case("CLS-PS-STREET-RECORD", "100", None, "W", "E",
         bad=changed(WORLD, "building_class", classification_code="PS")),
    case("CLS-CLOSED-BLPU", "1110C000000102", "end_date", "W", "E",
         bad=changed(WORLD, "old_class", end_date=None)),
    case("CLS-NOT-U-IF-POSTAL", "1110C000000101", "classification_code", "W", "E",
         bad=changed(WORLD, "flat_class", classification_code="U")),
    case("CLS-U-AGE", "1110C000000100", "classification_code", "W", "W",
         bad=changed(WORLD, "building_class", classification_code="UC")),
    case("CLS-CONTRADICTORY", "101", None, "W", "E",
         bad=plus(WORLD, extra=copy("flat_class", class_key="1110C900000101",
                                    classification_code="LA", class_scheme="LOCAL"))),
    case("ORG-DUP-OPEN", "1110O000000100", "organisation", "W", "E",
         bad=plus(WORLD, extra=copy("building_org", org_key="1110O900000100"))),
    case("ORG-END-WITH-BLPU", "1110O000000102", "end_date", "W", "E",
         bad=plus(WORLD, extra=copy("building_org", uprn=102, org_key="1110O000000102"))),
    case("XRF-DUP", "1110X000000100", "cross_reference", "W", "E",
         bad=plus(WORLD, extra=copy("building_xref", xref_key="1110X900000100"))),
    case("XRF-BLPU-EXISTS", "1110X000000100", "uprn", "E", "E",
         bad=changed(WORLD, "building_xref", uprn=999)),
    case("XRF-BLPU-EXISTS", "1110O000000100", "uprn", "E", "E", note="organisation",
         bad=changed(WORLD, "building_org", uprn=999)),
    case("XRF-BLPU-EXISTS", "1110C000000100", "uprn", "E", "E", note="classification",
         bad=changed(WORLD, "building_class", uprn=999)),
    case("XRF-BLPU-EXISTS", "1110S000000102", "uprn", "E", "E", note="successor",
         bad=changed(WORLD, "old_successor", uprn=999)),
    case("SUC-TARGET", "1110S000000102", "successor", "W", "E",
         bad=changed(WORLD, "old_successor", successor=999)),
    case("DPA-UPRN-EXISTS", "5000", "uprn", "E", "E", bad=changed(WORLD, "flat_dpa", uprn=999)),
    case("SD-TOWN-REQUIRED", "200/ENG", "town_name", "W", "E",
         bad=changed(WORLD, "descriptor", town_name=None),
         good=changed(changed(WORLD, "descriptor", town_name=None), "street", record_type="9")),
    case("SD-TYPE3-PREFIX", "200/ENG", "description", "W", "W",
         bad=changed(WORLD, "street", record_type="3"),
         good=changed(changed(WORLD, "street", record_type="3"), "descriptor",
                      description="B3212")),
    case("SD-LOCALITY-DISAMBIGUATES", "200/ENG", "locality", "W", "W",
         bad=plus(WORLD, s2=copy("street", usrn=201), d2=copy("descriptor", usrn=201)),
         good=plus(WORLD, s2=copy("street", usrn=201),
                   d2=copy("descriptor", usrn=201, town_name="EXMOUTH"))),
    case("SD-STREET-EXISTS", "999/ENG", "usrn", "E", "E",
         bad=changed(WORLD, "descriptor", usrn=999)),
    case("PAR-EXISTS", "101", "parent_uprn", "W", "E", bad=changed(WORLD, "flat", parent_uprn=999)),
    case("PAR-NO-CYCLE", "100", "parent_uprn", "E", "E",
         bad=changed(WORLD, "building", parent_uprn=101)),
    case("PAR-MAX-DEPTH", "105", "parent_uprn", "W", "E", bad=_deep_chain()),
    case("PAR-NOT-STREET-RECORD", "101", "parent_uprn", "W", "E",
         bad=changed(WORLD, "flat", parent_uprn=300)),
    case("PAR-STREET-NO-CHILDREN", "300", None, "W", "E",
         bad=changed(WORLD, "flat", parent_uprn=300)),
    case("PAR-STATUS-COMPAT", "101", "parent_uprn", "W", "W",
         bad=changed(WORLD, "building", logical_status="8", blpu_state="4", end_date=ENDED)),
]  # fmt: skip


@pytest.mark.parametrize("profile", list(Profile))
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_cross_record_rule(case: Case, profile: Profile) -> None:
    w.world_case(case, profile)


@pytest.mark.parametrize("profile", list(Profile))
def test_the_clean_world_has_no_findings(profile: Profile) -> None:
    assert validate_records(WORLD.values(), w.context(profile)) == []


def test_a_street_blpu_is_exempt_from_the_approved_street_type_rule() -> None:
    found = validate_records(changed(WORLD, "street", record_type="4").values(), w.context())
    on = {f.record_key for f in w.hits(found, "LPI-APPROVED-STREET-TYPE")}
    assert on == {LPI_100, LPI_101}


def test_a_cycle_is_reported_on_every_member() -> None:
    found = validate_records(changed(WORLD, "building", parent_uprn=101).values(), w.context())
    assert {f.record_key for f in w.hits(found, "PAR-NO-CYCLE")} == {"100", "101"}
    assert w.hits(found, "PAR-MAX-DEPTH") == []


def test_a_blpu_record_level_finding_is_not_repeated_by_the_batch() -> None:
    broken = changed(WORLD, "building", rpc="7")
    found = w.hits(validate_records(broken.values(), w.context()), "BLPU-RPC-CODE")
    assert len(found) == 1


def test_cross_record_rules_can_be_run_without_the_record_rules() -> None:
    broken = changed(WORLD, "building", rpc="7", parent_uprn=999)
    found = validate_records(broken.values(), w.context(), record_rules=False)
    assert {f.rule_id for f in found} == {"PAR-EXISTS"}


def test_dtf_blpu_class_counts_as_a_classification() -> None:
    building = WORLD["building"]
    assert isinstance(building, domain.Blpu)
    records = changed(without(WORLD, "building_class"), "building", blpu_class="PP01")
    found = validate_records(records.values(), w.context(classification_codes=None))
    assert w.hits(found, "CLS-REQUIRED") == []
