"""Record-level rules for streets, descriptors, delivery points, cross references,
classifications, organisations, successors and provenances, and the DATE-* and TXT-* rules:
one failing and one passing record per case, in both profiles."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from gazetteer.validation import Profile, Record, validate_record
from tests.unit import validation_world as w
from tests.unit.validation_world import Case

WORLD = w.world()
DTF = {"format": "dtf"}


def rec(name: str, **changes: Any) -> Record:
    return dataclasses.replace(WORLD[name], **changes)


def case(
    rule_id: str, field: str | None, ingest: str | None, edit: str | None, name: str, **kw: Any
) -> Case:
    """A case on the world record ``name``: ``bad`` and ``good`` are changes to it."""
    bad = rec(name, **kw.pop("bad"))
    good = rec(name, **kw.pop("good", {}))
    return Case(rule_id=rule_id, field=field, ingest=ingest, edit=edit, bad=bad, good=good, **kw)


CASES = [
    # street (11)
    case("ID-USRN", "usrn", "E", "E", "street", bad={"usrn": 0}),
    case("STR-CODES", "record_type", "E", "E", "street", bad={"record_type": "5"},
         good={"record_type": "9"}),
    case("STR-CODES", "state", "E", "E", "street", bad={"state": "3"}, note="state"),
    case("STR-CODES", "street_surface", "E", "E", "street", bad={"street_surface": "4"},
         good={"street_surface": None}, note="surface"),
    case("STR-CODES", "street_classification", "E", "E", "street", note="class",
         bad={"street_classification": "5"}, good={"street_classification": "10"}),
    case("STR-STATE-DATE-NEEDS-STATE", "state", "W", "E", "street", bad={"state": None},
         good={"state": None, "state_date": None}),
    case("STR-CLOSED-NEEDS-END", "end_date", "W", "E", "street", bad={"state": "4"},
         good={"state": "4", "end_date": dt.date(2019, 1, 1)}),
    case("STR-ENTRY-MIN", "entry_date", "W", "W", "street",
         bad={"entry_date": dt.date(1989, 12, 31), "start_date": dt.date(1989, 12, 31)},
         good={"entry_date": dt.date(1990, 1, 1), "start_date": dt.date(1990, 1, 1)}),
    case("COORD-BOX-EW", "start_x", "W", "E", "street", bad={"start_x": 50_000.0},
         ctx={"authority_country": "E"}),
    case("COORD-BOX-EW", "end_x", "W", "E", "street", bad={"end_x": 700_000.0}, note="end",
         ctx={"authority_country": "E"}),
    case("COORD-LATLON", "start_lat", "W", "E", "street", bad={"start_lat": 40.0}),
    # street descriptor (15)
    case("SD-TOWN-REQUIRED", "town_name", "W", "E", "descriptor",
         bad={"locality": "ST THOMAS", "town_name": None}, good={"locality": "ST THOMAS"}),
    case("SD-ADMIN-REQUIRED", "administrative_area", "W", "E", "descriptor",
         bad={"administrative_area": None}),
    case("SD-LENGTHS", "description", "W", "E", "descriptor", bad={"description": "A" * 101},
         good={"description": "A" * 100}),
    case("SD-LENGTHS", "locality", "W", "E", "descriptor", bad={"locality": "A" * 36},
         note="locality"),
    # delivery point (28)
    case("ID-UDPRN", "udprn", "E", "E", "flat_dpa", bad={"udprn": 100_000_000}),
    case("DPA-PREMISE-REQUIRED", "building_name", "W", "E", "flat_dpa",
         bad={"building_number": None, "sub_building_name": None},
         good={"building_number": None, "sub_building_name": None, "po_box_number": "123",
               "postcode_type": "L"}),
    case("DPA-DEPT-NEEDS-ORG", "department_name", "W", "E", "flat_dpa",
         bad={"department_name": "SALES"},
         good={"department_name": "SALES", "organisation_name": "ACME LTD"}),
    case("DPA-SUB-NEEDS-BUILDING", "sub_building_name", "W", "E", "flat_dpa",
         bad={"building_number": None, "organisation_name": "ACME LTD"},
         good={"building_number": None, "building_name": "RIVER LOFTS"}),
    case("DPA-DEPTHF-NEEDS-THF", "dependent_thoroughfare", "W", "E", "flat_dpa",
         bad={"dependent_thoroughfare": "THE MEWS", "thoroughfare": None},
         good={"dependent_thoroughfare": "THE MEWS"}),
    case("DPA-DDL-NEEDS-DL", "double_dependent_locality", "W", "E", "flat_dpa",
         bad={"double_dependent_locality": "TOPSHAM"},
         good={"double_dependent_locality": "TOPSHAM", "dependent_locality": "COUNTESS WEAR"}),
    case("DPA-MANDATORY", "post_town", "E", "E", "flat_dpa", bad={"post_town": None}),
    case("DPA-MANDATORY", "delivery_point_suffix", "E", "E", "flat_dpa", note="v2-dps",
         bad={"delivery_point_suffix": None}),
    case("DPA-POBOX-LARGE-USER", "postcode_type", "W", "E", "flat_dpa",
         bad={"po_box_number": "123"}, good={"po_box_number": "123", "postcode_type": "L"}),
    case("DPA-LENGTHS", "building_name", "W", "E", "flat_dpa", bad={"building_name": "A" * 51},
         good={"building_name": "A" * 50}),
    case("DPA-LENGTHS", "building_number", "W", "E", "flat_dpa", note="number",
         bad={"building_number": 10_000}),
    case("DPA-DPS-FORMAT", "delivery_point_suffix", "W", "W", "flat_dpa",
         bad={"delivery_point_suffix": "A1"}),
    case("POST-POSTCODE-PATTERN", "postcode", "W", "E", "flat_dpa", bad={"postcode": "EX1 1CA"},
         good={"postcode": "ex11ae"}),
    # cross reference (23), classification (32), organisation (31), successor (30), provenance
    case("XRF-FIELDS", "cross_reference", "E", "E", "building_xref",
         bad={"cross_reference": ""}),
    case("XRF-FIELDS", "source", "E", "E", "building_xref", bad={"source": "7666MTX"},
         note="source"),
    case("XRF-FIELDS", "cross_reference", "E", "E", "building_xref", note="dtf-width",
         bad={"cross_reference": "A" * 21}, good={"cross_reference": "A" * 20}, ctx=DTF),
    case("ID-KEY-FORMAT", "xref_key", "W", "E", "building_xref",
         bad={"xref_key": "1110C000000100"}),
    case("CLS-CODE", "classification_code", "E", "E", "building_class",
         bad={"classification_code": "R1"}),
    case("CLS-CODE", "classification_code", "W", "E", "building_class", note="not-in-scheme",
         bad={"classification_code": "RZ"}),
    case("CLS-CODE", "classification_code", "E", "E", "building_class", note="no-scheme-list",
         bad={"classification_code": "r"}, good={"classification_code": "RZ"},
         ctx={"classification_codes": None}),
    case("ORG-TEXT", "organisation", "W", "E", "building_org", bad={"organisation": " ACME"}),
    case("ORG-TEXT", "organisation", "W", "E", "building_org", bad={"organisation": "A" * 101},
         note="width", good={"organisation": "A" * 100}),
    case("ORG-TEXT", "legal_name", "W", "E", "building_org", bad={"legal_name": "A" * 61},
         good={"legal_name": "ACME LIMITED"}, note="legal"),
    case("ID-UPRN", "successor", "E", "E", "old_successor", bad={"successor": 0}),
    case("SUC-TARGET", "successor", "W", "E", "old_successor", bad={"successor": 102}),
    case("ID-KEY-FORMAT", "succ_key", "W", "E", "old_successor",
         bad={"succ_key": "1110O000000102"}),
    case("PRV-CODE", "provenance_code", "E", "E", "building_provenance",
         bad={"provenance_code": "X"}),
    # [UNVERIFIED] PROV_KEY pattern: only its length is judged.
    case("ID-KEY-FORMAT", "prov_key", "E", "E", "building_provenance",
         bad={"prov_key": "P1"}, good={"prov_key": "ABCDEFGHIJKLMN"}),
    # dates and text, on any record type
    case("DATE-MIN", "start_date", "W", "E", "building",
         bad={"start_date": dt.date(1752, 12, 31)}),
    case("DATE-NOT-FUTURE", "last_update_date", "W", "E", "building",
         bad={"last_update_date": dt.date(2024, 6, 2)}),
    case("DATE-NOT-FUTURE", "state_date", "W", "E", "street", note="state",
         bad={"state_date": dt.date(2030, 1, 1)}),
    case("DATE-END-AFTER-START", "end_date", "W", "E", "old",
         bad={"end_date": dt.date(2000, 12, 31)}),
    case("DATE-LAST-UPDATE", "last_update_date", "W", "E", "flat_lpi",
         bad={"entry_date": dt.date(2021, 1, 1)}),
    case("TXT-CHARSET", "organisation", "W", "E", "building_org", bad={"organisation": "ACME ☃"},
         good={"organisation": "TŶ GWYN"}),
    case("TXT-SPACING", "description", "W", "E", "descriptor", bad={"description": " HIGH ST"}),
    case("TXT-PUNCTUATION", "organisation", "W", "E", "building_org",
         bad={"organisation": "ACME (UK LTD"}, good={"organisation": "ACME (UK) LTD."}),
]  # fmt: skip


@pytest.mark.parametrize("profile", list(Profile))
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_record_rule(case: Case, profile: Profile) -> None:
    w.record_case(case, profile)


@pytest.mark.parametrize("profile", list(Profile))
@pytest.mark.parametrize("name", sorted(WORLD))
def test_every_clean_record_passes_the_record_rules(name: str, profile: Profile) -> None:
    assert validate_record(WORLD[name], w.context(profile)) == []


def test_without_an_as_of_date_no_date_is_in_the_future() -> None:
    late = rec("building", last_update_date=dt.date(2099, 1, 1))
    assert w.hits(validate_record(late, w.context(as_of=None)), "DATE-NOT-FUTURE") == []
    assert w.hits(validate_record(late, w.context()), "DATE-NOT-FUTURE") != []
