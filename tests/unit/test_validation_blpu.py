"""Record-level BLPU and coordinate rules: one failing and one passing record per case, in both
profiles, with the severity §4.1 gives."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from gazetteer import domain
from gazetteer.validation import Profile, validate_record
from tests.unit import validation_world as w
from tests.unit.validation_world import Case

BLPU = w.named("building", domain.Blpu)
ENDED = dt.date(2019, 1, 1)


def blpu(**changes: Any) -> domain.Blpu:
    return dataclasses.replace(BLPU, **changes)


def case(rule_id: str, field: str | None, ingest: str | None, edit: str | None, **kw: Any) -> Case:
    kw.setdefault("good", BLPU)
    return Case(rule_id=rule_id, field=field, ingest=ingest, edit=edit, **kw)


CASES = [
    case("ID-UPRN", "uprn", "E", "E", bad=blpu(uprn=0)),
    case("ID-UPRN", "parent_uprn", "E", "E", bad=blpu(parent_uprn=10**12), note="parent"),
    case("BLPU-STATUS-CODE", "logical_status", "E", "E", bad=blpu(logical_status="3")),
    case("BLPU-STATUS-CODE", "logical_status", "E", "E", note="osg",
         bad=blpu(logical_status="5", blpu_state="1"), ctx={"osg": True}),
    case("BLPU-STATE-CODE", "blpu_state", "E", "E", bad=blpu(blpu_state="8")),
    case("BLPU-STATE-CODE", "blpu_state", "E", "E", bad=blpu(blpu_state="0"), note="zero"),
    case("BLPU-STATE-VS-STATUS", "blpu_state", "W", "E", bad=blpu(blpu_state="4")),
    case("BLPU-STATE-VS-STATUS", "blpu_state", "W", "E", note="required",
         bad=blpu(logical_status="5", blpu_state=None, blpu_state_date=None),
         good=blpu(logical_status="5")),
    case("BLPU-STATE-DATE-PAIR", "blpu_state_date", "W", "E", bad=blpu(blpu_state_date=None)),
    case("BLPU-STATE-DATE-PAIR", "blpu_state", "W", "E", bad=blpu(blpu_state=None),
         note="date-only"),
    case("BLPU-END-IFF-CLOSED", "end_date", "W", "E", bad=blpu(end_date=ENDED)),
    case("BLPU-END-IFF-CLOSED", "end_date", "W", "E", note="closed-without-end",
         bad=blpu(logical_status="8", blpu_state="4"),
         good=blpu(logical_status="8", blpu_state="4", end_date=ENDED)),
    case("BLPU-ENDED-STATE", "blpu_state", "W", "W", bad=blpu(end_date=ENDED)),
    case("BLPU-ENDED-STATE", "blpu_state", "W", "W", note="table-a-yields",
         bad=blpu(logical_status="8", blpu_state="2", end_date=ENDED),
         good=blpu(logical_status="9", blpu_state="2", end_date=ENDED)),
    case("BLPU-RPC-CODE", "rpc", "E", "E", bad=blpu(rpc="6")),
    case("BLPU-RPC-CODE", "rpc", "E", "E", bad=blpu(rpc=None), note="missing"),
    case("BLPU-RPC-CODE", "rpc", "E", "E", bad=blpu(rpc="7"), note="dtf",
         good=blpu(rpc="6"), ctx={"format": "dtf"}),
    case("BLPU-RPC-DEPRECATED", "rpc", "W", "E", bad=blpu(rpc="5")),
    case("BLPU-RPC-DEPRECATED", "rpc", "W", "E", bad=blpu(rpc="6"), note="dtf-alias",
         ctx={"format": "dtf"}),
    case("BLPU-CUSTODIAN", "local_custodian_code", "E", "E", bad=blpu(local_custodian_code=0)),
    case("BLPU-CUSTODIAN", "local_custodian_code", "E", "E", note="wide",
         bad=blpu(local_custodian_code=10_000)),
    case("BLPU-COUNTRY-CODE", "country", "E", "E", bad=blpu(country="X")),
    case("BLPU-COUNTRY-CODE", "country", "E", "E", bad=blpu(country=None), note="v2-missing"),
    case("BLPU-COUNTRY-CODE", "country", "E", "E", bad=blpu(country="X"), note="v1",
         good=blpu(country=None), ctx={"format": "abp1", "authority_country": "E"}),
    case("BLPU-POSTCODE-LOCATOR", "postcode_locator", "W", "E",
         bad=blpu(postcode_locator="EX1 1AC")),
    case("BLPU-POSTCODE-LOCATOR", "postcode_locator", "W", "E", note="abp-missing",
         bad=blpu(postcode_locator=None)),
    case("BLPU-POSTCODE-LOCATOR", "postcode_locator", "W", "E", note="dtf",
         bad=blpu(postcode_locator="NOT A PC"), good=blpu(postcode_locator=None),
         ctx={"format": "dtf"}),
    case("BLPU-MULTI-OCC", "multi_occ_count", "W", "W", bad=blpu(multi_occ_count=-1)),
    case("POST-ABP-CODE", "addressbase_postal", "E", "E", bad=blpu(addressbase_postal="S")),
    case("POST-ABP-CODE", "postal_flag_v1", "E", "E", note="v1",
         bad=blpu(postal_flag_v1="D", country=None),
         good=blpu(postal_flag_v1="M", country=None), ctx={"format": "abp1"}),
    case("POST-ABP-C-HAS-PARENT", "parent_uprn", "W", "W", bad=blpu(addressbase_postal="C"),
         good=blpu(addressbase_postal="C", parent_uprn=99)),
    # [UNVERIFIED] v1 flag meanings: a v1 C without a parent is not judged.
    case("POST-ABP-C-HAS-PARENT", "parent_uprn", "W", "W", note="v1-not-judged",
         bad=blpu(addressbase_postal="C"), good=blpu(postal_flag_v1="C", addressbase_postal=None),
         ctx={"format": "abp1"}),
    case("PAR-NOT-SELF", "parent_uprn", "E", "E", bad=blpu(parent_uprn=100)),
    case("CLS-CODE", "blpu_class", "E", "E", bad=blpu(blpu_class="R1"),
         good=blpu(blpu_class="RD04"), ctx={"format": "dtf"}),
    case("COORD-REQUIRED", "x_coordinate", "W", "E", bad=blpu(x_coordinate=None)),
    case("COORD-REQUIRED", "y_coordinate", "W", "E", bad=blpu(y_coordinate=None), note="y"),
    case("COORD-REQUIRED", "x_coordinate", "W", "E", note="zero-is-missing",
         bad=blpu(x_coordinate=0.0, y_coordinate=0.0)),
    case("COORD-REQUIRED", "x_coordinate", "W", "E", note="channel-islands",
         bad=blpu(x_coordinate=None),
         good=blpu(country="L", x_coordinate=None, y_coordinate=None)),
    case("COORD-BOX-EW", "x_coordinate", "W", "E", bad=blpu(x_coordinate=50_000.0)),
    case("COORD-BOX-EW", "x_coordinate", "W", "E", note="dtf-authority",
         bad=blpu(country=None, y_coordinate=700_000.0), good=blpu(country=None),
         ctx={"format": "dtf", "authority_country": "W"}),
    case("COORD-BOX-SCOT", "x_coordinate", "W", "E",
         bad=blpu(country="S", x_coordinate=700_000.0, y_coordinate=800_000.0),
         good=blpu(country="S", x_coordinate=300_000.0, y_coordinate=800_000.0)),
    case("COORD-BOX-OTHER", "x_coordinate", "W", "W",
         bad=blpu(country="N", x_coordinate=800_000.0), good=blpu(country="N")),
    # [PROJECT] no country known (ABP v1, no authority): the widest box.
    case("COORD-BOX-OTHER", "x_coordinate", "W", "W", note="unknown-country",
         bad=blpu(country=None, x_coordinate=800_000.0), good=blpu(country=None),
         ctx={"format": "abp1"}),
    case("COORD-LATLON", "latitude", "W", "E", bad=blpu(latitude=62.0)),
    case("COORD-LATLON", "longitude", "W", "E", bad=blpu(longitude=3.0), note="longitude"),
    case("COORD-XSD", "x_coordinate", None, "E",
         bad=blpu(country="N", x_coordinate=-0.6), good=blpu(x_coordinate=292_100.4)),
]  # fmt: skip


@pytest.mark.parametrize("profile", list(Profile))
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_blpu_rule(case: Case, profile: Profile) -> None:
    w.record_case(case, profile)


def test_zero_state_is_allowed_under_osg() -> None:
    ctx = w.context(Profile.EDIT, osg=True)
    found = w.hits(validate_record(blpu(blpu_state="0"), ctx), "BLPU-STATE-CODE")
    assert found == []


def test_the_clean_blpu_has_no_findings() -> None:
    for profile in Profile:
        assert validate_record(BLPU, w.context(profile)) == []
