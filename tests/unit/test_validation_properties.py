"""The §8 invariants of the validator, as hypothesis properties over tests/strategies.py."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from gazetteer import domain
from gazetteer.validation import (
    Context,
    Finding,
    Format,
    Profile,
    Record,
    index,
    validate_change,
    validate_record,
    validate_records,
)
from tests import strategies as s
from tests.unit import validation_world as w

profiles = st.sampled_from(list(Profile))
# Table B of §4.2, transcribed independently of the validator's copy.
TABLE_B = {
    "1": "1356789",
    "5": "5",
    "6": "6789",
    "7": "79",
    "8": "789",
    "9": "9",
}
ANY_STATUS = [*"0123456789", "", "X"]
ANY_STATE = [None, "", *"0123456789", "X"]


def _rules(found: list[Finding], prefix: str = "") -> set[str]:
    return {f.rule_id for f in found if f.rule_id.startswith(prefix)}


@settings(max_examples=150)
@given(lpi=s.valid_lpis(), profile=profiles)
def test_lpis_drawn_down_the_dependency_chains_pass(lpi: domain.Lpi, profile: Profile) -> None:
    assert validate_record(lpi, w.context(profile)) == []


@settings(max_examples=100)
@given(lpi=s.valid_lpis(dtf=True), profile=profiles)
def test_dtf_lpis_with_consistent_postal_flags_pass(lpi: domain.Lpi, profile: Profile) -> None:
    assert validate_record(lpi, w.context(profile, format="dtf")) == []


@settings(max_examples=100)
@given(lpi=s.valid_lpis(), profile=profiles)
def test_an_lpi_without_pao_number_or_text_fails(lpi: domain.Lpi, profile: Profile) -> None:
    broken = dataclasses.replace(lpi, pao_start_number=None, pao_text=None)
    found = w.hits(validate_record(broken, w.context(profile)), "LPI-PAO-REQUIRED")
    assert [(f.field, f.severity.value) for f in found] == [("pao_start_number", "E")]


@settings(max_examples=100)
@given(
    lpi=s.valid_lpis(),
    obj=st.sampled_from(["pao", "sao"]),
    end=st.sampled_from(["start", "end"]),
    suffix=s.single_suffixes,
    profile=profiles,
)
def test_a_suffix_without_its_number_fails(
    lpi: domain.Lpi, obj: str, end: str, suffix: str, profile: Profile
) -> None:
    changes: dict[str, Any] = {f"{obj}_{end}_number": None, f"{obj}_{end}_suffix": suffix}
    broken = dataclasses.replace(lpi, **changes)
    found = w.hits(validate_record(broken, w.context(profile)), "LPI-SUFFIX-NEEDS-NUMBER")
    assert (f"{obj}_{end}_suffix", "E") in {(f.field, f.severity.value) for f in found}


def test_blpu_state_vs_status_agrees_with_table_a_for_every_pair() -> None:
    blpu = w.world()["building"]
    assert isinstance(blpu, domain.Blpu)
    for status, state, profile in itertools.product(ANY_STATUS, ANY_STATE, Profile):
        record = dataclasses.replace(blpu, logical_status=status, blpu_state=state)
        found = w.hits(validate_record(record, w.context(profile)), "BLPU-STATE-VS-STATUS")
        permitted = s.VALIDATION_TABLE_A.get(status)
        expected = permitted is not None and (state or None) not in permitted
        assert bool(found) == expected, (status, state)
        assert all(f.severity.value == ("W" if profile is Profile.INGEST else "E") for f in found)


def test_blpu_lpi_statuses_agree_with_table_b_for_every_pair() -> None:
    world = w.world()
    for blpu_status, lpi_status in itertools.product(ANY_STATUS, ANY_STATUS):
        records = w.changed(w.changed(world, "building", logical_status=blpu_status),
                            "building_lpi", logical_status=lpi_status)  # fmt: skip
        found = w.hits(validate_records(records.values(), w.context()), "BLPU-LPI-STATUS-ALLOWED")
        on_lpi = [f for f in found if f.record_key == "1110L000000100"]
        permitted = TABLE_B.get(blpu_status)
        assert bool(on_lpi) == (permitted is not None and lpi_status not in set(permitted))


def test_end_date_is_present_iff_the_status_is_closed_for_every_status() -> None:
    world = w.world()
    for name, rule in (("old", "BLPU-END-IFF-CLOSED"), ("old_lpi", "LPI-END-IFF-CLOSED")):
        for status, ended, profile in itertools.product(ANY_STATUS, (True, False), Profile):
            end = w.ENDED["end_date"] if ended else None
            record = dataclasses.replace(world[name], logical_status=status, end_date=end)
            found = w.hits(validate_record(record, w.context(profile)), rule)
            assert bool(found) == ((status in {"7", "8", "9"}) != ended), (rule, status, ended)


@settings(max_examples=100)
@given(
    before_status=st.sampled_from(["7", "9"]),
    after_status=st.sampled_from(ANY_STATUS),
    record=st.sampled_from(["old", "old_lpi"]),
    profile=profiles,
)
def test_any_change_of_status_of_a_live_7_or_9_is_an_error(
    before_status: str, after_status: str, record: str, profile: Profile
) -> None:
    assume(after_status != before_status)
    original = w.world()[record]
    assert isinstance(original, domain.Blpu | domain.Lpi)
    before = dataclasses.replace(original, logical_status=before_status)
    after = dataclasses.replace(original, logical_status=after_status)
    ctx = w.context(profile, lookups=index([before]))
    for found in (
        validate_change(before=before, after=after, ctx=ctx),
        validate_records([after], ctx),
    ):
        terminal = w.hits(found, "LIFE-REJECTED-TERMINAL")
        assert [f.severity.value for f in terminal] == ["E"]


def _forest_blpus(forest: dict[int, int | None], template: domain.Blpu) -> list[domain.Blpu]:
    return [dataclasses.replace(template, uprn=u, parent_uprn=p) for u, p in forest.items()]


@settings(max_examples=100)
@given(forest=s.parent_forests(), template=s.valid_blpus(status="1"), profile=profiles)
def test_random_parent_forests_pass_the_parent_rules(
    forest: dict[int, int | None], template: domain.Blpu, profile: Profile
) -> None:
    found = validate_records(_forest_blpus(forest, template), w.context(profile))
    assert _rules(found, "PAR-") == set()


@settings(max_examples=100)
@given(forest=s.parent_forests(), template=s.valid_blpus(status="1"), data=st.data())
def test_an_edge_closing_a_cycle_trips_par_no_cycle(
    forest: dict[int, int | None], template: domain.Blpu, data: st.DataObject
) -> None:
    children = [u for u, parent in forest.items() if parent is not None]
    assume(children)
    child = data.draw(st.sampled_from(children))
    ancestors = []
    node = forest[child]
    while node is not None:
        ancestors.append(node)
        node = forest[node]
    ancestor = data.draw(st.sampled_from(ancestors))
    looped = {**forest, ancestor: child}
    found = w.hits(validate_records(_forest_blpus(looped, template), w.context()), "PAR-NO-CYCLE")
    assert {str(child), str(ancestor)} <= {f.record_key for f in found}


@settings(max_examples=50)
@given(
    chain=st.lists(s.uprns, min_size=5, max_size=8, unique=True),
    template=s.valid_blpus(status="1"),
    profile=profiles,
)
def test_chains_of_five_levels_trip_par_max_depth(
    chain: list[int], template: domain.Blpu, profile: Profile
) -> None:
    forest = {uprn: (chain[i - 1] if i else None) for i, uprn in enumerate(chain)}
    found = w.hits(
        validate_records(_forest_blpus(forest, template), w.context(profile)), "PAR-MAX-DEPTH"
    )
    assert {f.record_key for f in found} == {str(u) for u in chain[4:]}
    assert {f.severity.value for f in found} == {"W" if profile is Profile.INGEST else "E"}


@settings(max_examples=150)
@given(
    lpi=s.valid_lpis(),
    flag=st.sampled_from([*"YNPAL", "X"]),
    has_postcode=st.booleans(),
    has_town=st.booleans(),
    profile=profiles,
)
def test_postal_flags_match_the_presence_of_postcode_and_post_town(
    lpi: domain.Lpi, flag: str, has_postcode: bool, has_town: bool, profile: Profile
) -> None:
    record = dataclasses.replace(
        lpi,
        postal_address=flag,
        postcode="EX1 1AE" if has_postcode else None,
        post_town="EXETER" if has_town else None,
    )
    found = validate_record(record, w.context(profile, format=Format.DTF))
    fields = {"postcode": has_postcode, "post_town": has_town}
    n_empty = {f.field for f in w.hits(found, "POST-FLAG-N-EMPTY")}
    needs_both = {f.field for f in w.hits(found, "POST-FLAG-NEEDS-BOTH")}
    assert n_empty == ({k for k, v in fields.items() if v} if flag == "N" else set())
    assert needs_both == ({k for k, v in fields.items() if not v} if flag in "YPAL" else set())


@settings(max_examples=100)
@given(data=st.data(), country=st.sampled_from(["E", "S"]), profile=profiles)
def test_swapping_x_and_y_trips_a_box_rule(
    data: st.DataObject, country: str, profile: Profile
) -> None:
    point = data.draw(s.gb_points(country, swap_leaves_box=True))
    blpu = data.draw(s.valid_blpus(country=country, point=point))
    swapped = dataclasses.replace(
        blpu, x_coordinate=blpu.y_coordinate, y_coordinate=blpu.x_coordinate
    )
    ctx = w.context(profile)
    assert _rules(validate_record(blpu, ctx), "COORD-") == set()
    box = "COORD-BOX-EW" if country == "E" else "COORD-BOX-SCOT"
    assert _rules(validate_record(swapped, ctx), "COORD-") == {box}


@settings(max_examples=100)
@given(
    data=st.data(),
    country=st.sampled_from(["E", "W", "S"]),
    profile=profiles,
    fmt=st.sampled_from(list(Format)),
)
def test_generated_records_pass_every_record_level_rule(
    data: st.DataObject, country: str, profile: Profile, fmt: Format
) -> None:
    blpu = data.draw(s.valid_blpus(country=country))
    if fmt is Format.ABP1:
        blpu = dataclasses.replace(blpu, country=None, postal_flag_v1="S", addressbase_postal=None)
    if fmt is Format.DTF:
        blpu = dataclasses.replace(blpu, country=None, addressbase_postal=None)
    ctx = Context(profile=profile, format=fmt, as_of=s.VALIDATION_AS_OF, authority_country=country)
    records: list[Record] = [
        blpu,
        data.draw(s.valid_streets()),
        data.draw(s.valid_descriptors()),
        data.draw(s.valid_delivery_points()),
    ]
    for record in records:
        assert validate_record(record, ctx) == [], record
