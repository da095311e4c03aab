"""A small gazetteer that passes every validation rule, for the validation tests to break.

One street (USRN 200) with its descriptor and street BLPU (300, PS, STREET RECORD); a building
(100) with one flat (101) below it; a demolished house (102) whose successor is 100. As of
``AS_OF`` and as a full supply, ``validate_records(world().values(), context(...))`` is empty in
both profiles.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import Any, TypeVar

from gazetteer import domain
from gazetteer.validation import (
    Context,
    Finding,
    Format,
    Profile,
    Record,
    findings,
    validate_record,
    validate_records,
)

AS_OF = dt.date(2024, 6, 1)
SCHEME = "AddressBase Premium Classification Scheme"
CODES = frozenset({"PP", "PS", "RD", "RD04", "RD06", "R", "U", "UC", "CE01", "LA", "C"})
DATES: dict[str, Any] = {
    "start_date": dt.date(2001, 1, 1),
    "entry_date": dt.date(2001, 1, 1),
    "last_update_date": dt.date(2020, 1, 1),
}
ENDED: dict[str, Any] = {**DATES, "end_date": dt.date(2019, 1, 1)}


def _blpu(uprn: int, **changes: Any) -> domain.Blpu:
    base = domain.Blpu(
        uprn=uprn,
        logical_status="1",
        blpu_state="2",
        blpu_state_date=dt.date(2005, 1, 1),
        x_coordinate=292_100.0,
        y_coordinate=92_450.0,
        latitude=50.7236,
        longitude=-3.5275,
        rpc="1",
        local_custodian_code=1110,
        country="E",
        addressbase_postal="N",
        postcode_locator="EX1 1AE",
        multi_occ_count=0,
        **DATES,
    )
    return dataclasses.replace(base, **changes)


def _lpi(uprn: int, **changes: Any) -> domain.Lpi:
    base = domain.Lpi(
        uprn=uprn,
        lpi_key=f"1110L{uprn:09d}",
        language="ENG",
        logical_status="1",
        usrn=200,
        usrn_match_indicator="1",
        official_flag="Y",
        **DATES,
    )
    return dataclasses.replace(base, **changes)


def _class(uprn: int, code: str, **changes: Any) -> domain.Classification:
    base = domain.Classification(
        uprn=uprn,
        class_key=f"1110C{uprn:09d}",
        classification_code=code,
        class_scheme=SCHEME,
        scheme_version="1.0",
        **DATES,
    )
    return dataclasses.replace(base, **changes)


def world() -> dict[str, Record]:
    """The named records of the clean gazetteer (a fresh dict each call)."""
    return {
        "street": domain.Street(
            usrn=200, record_type="1", swa_org_ref_naming=1110, state="2",
            state_date=dt.date(2001, 1, 1), street_surface="1", street_classification="8",
            version=1, start_x=292_000.0, start_y=92_400.0, end_x=292_500.0, end_y=92_600.0,
            start_lat=50.7231, start_long=-3.5289, end_lat=50.7250, end_long=-3.5219,
            tolerance=10, **DATES,
        ),
        "descriptor": domain.StreetDescriptor(
            usrn=200, description="HIGH STREET", language="ENG", town_name="EXETER",
            administrative_area="DEVON", **DATES,
        ),
        "street_blpu": _blpu(300, blpu_state=None, blpu_state_date=None, rpc="4",
                             x_coordinate=292_000.0, y_coordinate=92_400.0),
        "street_lpi": _lpi(300, pao_text="STREET RECORD"),
        "street_class": _class(300, "PS"),
        "building": _blpu(100, multi_occ_count=1),
        "building_lpi": _lpi(100, pao_start_number=12),
        "building_class": _class(100, "PP"),
        "building_org": domain.Organisation(
            uprn=100, org_key="1110O000000100", organisation="ACME LTD", **DATES
        ),
        "building_xref": domain.CrossReference(
            uprn=100, xref_key="1110X000000100", cross_reference="osgb1000002070655284",
            source="7666MT", version=3, **DATES,
        ),
        "flat": _blpu(101, parent_uprn=100, addressbase_postal="D"),
        "flat_lpi": _lpi(101, pao_start_number=12, sao_text="FLAT 1"),
        "flat_class": _class(101, "RD06"),
        "flat_dpa": domain.DeliveryPoint(
            udprn=5000, uprn=101, sub_building_name="FLAT 1", building_number=12,
            thoroughfare="HIGH STREET", post_town="EXETER", postcode="EX1 1AE",
            postcode_type="S", delivery_point_suffix="1A", process_date=dt.date(2024, 5, 1),
            **DATES,
        ),
        "old": _blpu(102, logical_status="8", blpu_state="4", **ENDED),
        "old_lpi": _lpi(102, logical_status="8", pao_start_number=14, **ENDED),
        "old_class": _class(102, "RD04", **ENDED),
        "old_successor": domain.Successor(
            uprn=102, succ_key="1110S000000102", successor=100, **DATES
        ),
        "building_provenance": domain.Provenance(
            uprn=100, prov_key="1110P000000100", provenance_code="P", **DATES
        ),
    }  # fmt: skip


_RecordT = TypeVar("_RecordT")


def named(name: str, kind: type[_RecordT]) -> _RecordT:
    """The clean world's record ``name``, which is a ``kind``."""
    record = world()[name]
    assert isinstance(record, kind)
    return record


def context(profile: Profile = Profile.INGEST, **changes: Any) -> Context:
    settings: dict[str, Any] = {
        "profile": profile,
        "as_of": AS_OF,
        "full_supply": True,
        "classification_codes": CODES,
        **changes,
    }
    if "format" in settings:
        settings["format"] = Format(settings["format"])
    return Context(**settings)


def changed(records: dict[str, Record], name: str, **changes: Any) -> dict[str, Record]:
    """A copy of ``records`` with one record changed."""
    return {**records, name: dataclasses.replace(records[name], **changes)}


def without(records: dict[str, Record], *names: str) -> dict[str, Record]:
    return {key: record for key, record in records.items() if key not in names}


def hits(found: Iterable[Finding], rule_id: str) -> list[Finding]:
    return [finding for finding in found if finding.rule_id == rule_id]


@dataclasses.dataclass(frozen=True, kw_only=True)
class Case:
    """One rule, a record (or world) that breaks it and one that keeps it, and the severity
    §4.1 gives the finding in each profile (``None``: the profile does not run the rule)."""

    rule_id: str
    field: str | None
    ingest: str | None
    edit: str | None
    bad: Any
    good: Any = None
    ctx: dict[str, Any] = dataclasses.field(default_factory=dict)
    key: str | None = None  # cross-record cases: the key of the record the finding is on
    note: str = ""

    def severity(self, profile: Profile) -> str | None:
        return self.ingest if profile is Profile.INGEST else self.edit

    @property
    def id(self) -> str:
        return f"{self.rule_id}{'-' + self.note if self.note else ''}"


def record_case(case: Case, profile: Profile) -> None:
    """The bad record yields exactly the expected finding; the good one none of that rule."""
    ctx = context(profile, **case.ctx)
    expected = case.severity(profile)
    key = findings.record_key(case.bad)
    want = [] if expected is None else [(key, case.field, expected)]
    found = hits(validate_record(case.bad, ctx), case.rule_id)
    assert [(f.record_key, f.field, f.severity.value) for f in found] == want
    assert hits(validate_record(case.good, ctx), case.rule_id) == []


def world_case(case: Case, profile: Profile) -> None:
    """The broken world yields the finding on ``case.key``; the good world (by default the clean
    one) yields none of that rule."""
    ctx = context(profile, **case.ctx)
    expected = case.severity(profile)
    want = [] if expected is None else [(case.field, expected)]
    found = hits(validate_records(case.bad.values(), ctx), case.rule_id)
    assert [(f.field, f.severity.value) for f in found if f.record_key == case.key] == want
    good = world() if case.good is None else case.good
    assert hits(validate_records(good.values(), ctx), case.rule_id) == []
