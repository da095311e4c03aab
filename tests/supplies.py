"""Realistic supplies for loader tests: gazetteer states, full supplies and COU chains.

A *state* is the set of live records per record type, keyed as §5.5.1 keys them. A full supply
is every record of a state as an insert; a change-only supply is the diff of two successive
states (I for new keys, U for changed records, D for removed keys). Strategies here generate
states that pass the layout plausibility checks (ENTRY_DATE never after LAST_UPDATE_DATE, every
delivery point has a POSTCODE_TYPE) so that what a test varies is what it means to vary.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from gazetteer import domain
from loaders import layouts, model
from loaders.writers import supply as writer
from tests import strategies

FLAVOURS = ("abp1", "abp2", "dtf")
CUSTODIAN = 1110
CLASS_SCHEME = "AddressBase Premium Classification Scheme"
TEXT_ALPHABET = strategies.LETTERS + " ,'&-\""


def layout_of(flavour: str) -> layouts.Layout:
    return {
        "abp1": layouts.get("abp", "1"),
        "abp2": layouts.get("abp", "2"),
        "dtf": layouts.get("dtf", "7.3"),
    }[flavour]


def entities_of(flavour: str) -> tuple[str, ...]:
    layout = layout_of(flavour)
    return tuple(e for e in model.APPLY_ORDER if layout.by_entity(e) is not None)


def restrict(record: model.GazetteerRecord, layout: layouts.Layout) -> model.GazetteerRecord:
    """The record with every field the layout does not carry set to None."""
    rec = layout.by_entity(model.entity_of(record))
    assert rec is not None
    carried = {c.field for c in rec.columns if c.field}
    cleared: dict[str, Any] = {
        f.name: None
        for f in dataclasses.fields(record)
        if f.name not in carried and getattr(record, f.name) is not None
    }
    return dataclasses.replace(record, **cleared) if cleared else record


@dataclass(frozen=True)
class State:
    """Live records per record type, keyed by their §5.5.1 key."""

    records: dict[str, dict[tuple[object, ...], model.GazetteerRecord]] = field(
        default_factory=dict
    )

    def all(self) -> Iterator[model.GazetteerRecord]:
        for entity in model.APPLY_ORDER:
            yield from self.records.get(entity, {}).values()

    def of(self, entity: str) -> dict[tuple[object, ...], model.GazetteerRecord]:
        return self.records.get(entity, {})

    def count(self) -> int:
        return sum(len(v) for v in self.records.values())


def state_of(records: Iterable[model.GazetteerRecord]) -> State:
    grouped: dict[str, dict[tuple[object, ...], model.GazetteerRecord]] = {}
    for record in records:
        grouped.setdefault(model.entity_of(record), {})[model.key_of(record)] = record
    return State(records=grouped)


def full_changes(state: State) -> list[model.Change]:
    return [model.Change(change_type="I", record=r) for r in state.all()]


def diff(old: State, new: State) -> list[model.Change]:
    """The change-only rows that turn ``old`` into ``new``."""
    changes: list[model.Change] = []
    for entity in model.APPLY_ORDER:
        before, after = old.of(entity), new.of(entity)
        for key, record in after.items():
            if key not in before:
                changes.append(model.Change(change_type="I", record=record))
            elif before[key] != record:
                changes.append(model.Change(change_type="U", record=record))
        changes.extend(
            model.Change(change_type="D", record=record)
            for key, record in before.items()
            if key not in after
        )
    return changes


def header(
    *,
    process_date: dt.date,
    file_type: str = "F",
    version: str | None = None,
    custodian: int = 9999,
) -> model.Header:
    return model.Header(
        custodian_name="NAG Hub - GeoPlace",
        local_custodian_code=custodian,
        process_date=process_date,
        volume_number=1,
        entry_date=process_date,
        time_stamp="09:01:38",
        version=version,
        file_type=file_type,
    )


def write(
    directory: Path,
    *,
    flavour: str,
    head: model.Header,
    changes: Iterable[model.Change],
    options: writer.WriteOptions | None = None,
) -> list[Path]:
    layout = layout_of(flavour)
    return writer.write_supply(
        directory,
        layout=layout,
        header=head,
        changes=changes,
        options=options or writer.WriteOptions(),
    )


# --- values ---------------------------------------------------------------------------------

texts = st.text(alphabet=TEXT_ALPHABET, min_size=1, max_size=20).filter(
    lambda t: t.strip() == t and t != ""
)
eastings = st.integers(min_value=8_000_000, max_value=65_610_000).map(lambda c: c / 100)
northings = st.integers(min_value=500_000, max_value=65_770_000).map(lambda c: c / 100)
latitudes = st.integers(min_value=499_000_000, max_value=609_000_000).map(lambda c: c / 10**7)
longitudes = st.integers(min_value=-89_000_000, max_value=19_000_000).map(lambda c: c / 10**7)


@st.composite
def record_dates(draw: st.DrawFn) -> strategies.RecordDates:
    """START_DATE ≤ ENTRY_DATE ≤ LAST_UPDATE_DATE, as real supplies have them."""
    entry = draw(st.dates(min_value=dt.date(1995, 1, 1), max_value=dt.date(2015, 12, 31)))
    start = entry - dt.timedelta(days=draw(st.integers(min_value=0, max_value=400)))
    last = entry + dt.timedelta(days=draw(st.integers(min_value=0, max_value=1500)))
    return {"start_date": start, "entry_date": entry, "last_update_date": last}


# --- records ----------------------------------------------------------------------------------


@st.composite
def streets(draw: st.DrawFn, usrn: int) -> domain.Street:
    dates = draw(record_dates())
    return domain.Street(
        usrn=usrn,
        record_type=draw(st.sampled_from(["1", "2", "3", "4"])),
        swa_org_ref_naming=CUSTODIAN,
        state=draw(st.sampled_from([None, "1", "2"])),
        street_surface=draw(st.sampled_from([None, "1", "2"])),
        street_classification=draw(st.sampled_from([None, "8", "4"])),
        version=0,
        start_x=draw(eastings),
        start_y=draw(northings),
        start_lat=draw(latitudes),
        start_long=draw(longitudes),
        end_x=draw(eastings),
        end_y=draw(northings),
        end_lat=draw(latitudes),
        end_long=draw(longitudes),
        tolerance=draw(st.sampled_from([None, 0, 10])),
        **dates,
    )


@st.composite
def descriptors(draw: st.DrawFn, usrn: int, language: str = "ENG") -> domain.StreetDescriptor:
    return domain.StreetDescriptor(
        usrn=usrn,
        description=draw(strategies.address_texts),
        language=language,
        locality=draw(st.none() | strategies.address_texts),
        town_name=draw(strategies.address_texts),
        administrative_area=draw(strategies.address_texts),
        **draw(record_dates()),
    )


@st.composite
def blpus(draw: st.DrawFn, uprn: int) -> domain.Blpu:
    return domain.Blpu(
        uprn=uprn,
        logical_status="1",
        blpu_state=draw(st.sampled_from([None, "2"])),
        x_coordinate=draw(eastings),
        y_coordinate=draw(northings),
        latitude=draw(latitudes),
        longitude=draw(longitudes),
        rpc=draw(st.sampled_from(["1", "2"])),
        local_custodian_code=CUSTODIAN,
        country="E",
        addressbase_postal=draw(st.sampled_from(["D", "N", "C", "L"])),
        postal_flag_v1=draw(st.sampled_from(["S", "C", "M", "N"])),
        postcode_locator=draw(strategies.postcodes()),
        multi_occ_count=0,
        blpu_class=draw(st.sampled_from(["RD04", "CO01", "RD06"])),
        organisation=draw(st.none() | texts),
        ward_code=draw(st.none() | st.sampled_from(["E05003", "E05004"])),
        parish_code=None,
        **draw(record_dates()),
    )


@st.composite
def lpis(draw: st.DrawFn, *, uprn: int, key: str, usrn: int, status: str) -> domain.Lpi:
    return domain.Lpi(
        uprn=uprn,
        lpi_key=key,
        language="ENG",
        logical_status=status,
        usrn=usrn,
        usrn_match_indicator="1",
        area_name=None,
        level=draw(st.none() | st.sampled_from(["1", "GROUND"])),
        official_flag=draw(st.sampled_from([None, "Y", "N"])),
        postal_address="Y",
        postcode=draw(strategies.postcodes()),
        post_town=draw(strategies.address_texts),
        **draw(strategies.aons(prefix="sao", required=False)),
        **draw(strategies.aons(prefix="pao", required=True)),
        **draw(record_dates()),
    )


@st.composite
def delivery_points(draw: st.DrawFn, *, uprn: int, udprn: int) -> domain.DeliveryPoint:
    return domain.DeliveryPoint(
        uprn=uprn,
        udprn=udprn,
        parent_addressable_uprn=None,
        building_number=draw(st.none() | strategies.aon_numbers),
        building_name=draw(strategies.address_texts),
        thoroughfare=draw(strategies.address_texts),
        post_town=draw(strategies.address_texts),
        postcode=draw(strategies.postcodes()),
        postcode_type=draw(st.sampled_from(["S", "L"])),
        delivery_point_suffix=f"{draw(st.integers(1, 9))}{draw(st.sampled_from('ABT'))}",
        process_date=dt.date(2020, 1, 1),
        **draw(record_dates()),
    )


# --- states -----------------------------------------------------------------------------------


@dataclass
class _Keys:
    """Monotonic key counters, so keys never collide across evolutions of a state."""

    next_number: int = 1

    def take(self) -> int:
        number = self.next_number
        self.next_number += 1
        return number


@st.composite
def blpu_group(
    draw: st.DrawFn, *, flavour: str, uprn: int, usrns: list[int], keys: _Keys
) -> list[model.GazetteerRecord]:
    """A BLPU with its LPIs and, as the flavour carries them, DPA, class, org, xref."""
    records: list[model.GazetteerRecord] = [draw(blpus(uprn))]
    for i in range(draw(st.integers(min_value=1, max_value=2))):
        key = f"{CUSTODIAN}L{keys.take():09d}"
        usrn = draw(st.sampled_from(usrns))
        records.append(draw(lpis(uprn=uprn, key=key, usrn=usrn, status="1" if i == 0 else "3")))
    if flavour != "dtf" and draw(st.booleans()):
        records.append(draw(delivery_points(uprn=uprn, udprn=keys.take())))
    if flavour != "dtf":
        records.append(_classification(uprn, keys.take(), draw(st.sampled_from(["RD04", "CO01"]))))
    if draw(st.booleans()):
        records.append(_cross_reference(uprn, keys.take()))
    if flavour == "dtf" and draw(st.booleans()):
        records.append(_provenance(uprn, keys.take(), draw(st.sampled_from("TLFRPOU"))))
    return records


def _classification(uprn: int, n: int, code: str) -> domain.Classification:
    return domain.Classification(
        uprn=uprn,
        class_key=f"{CUSTODIAN}C{n:09d}",
        classification_code=code,
        class_scheme=CLASS_SCHEME,
        scheme_version="1.0",
        start_date=dt.date(2008, 1, 1),
        entry_date=dt.date(2008, 1, 1),
        last_update_date=dt.date(2010, 1, 1),
    )


def _cross_reference(uprn: int, n: int) -> domain.CrossReference:
    return domain.CrossReference(
        uprn=uprn,
        xref_key=f"{CUSTODIAN}X{n:09d}",
        cross_reference=f"osgb{1000000000000 + n}",
        version=3,
        source="7666MT",
        start_date=dt.date(2009, 1, 1),
        entry_date=dt.date(2009, 1, 1),
        last_update_date=dt.date(2011, 1, 1),
    )


def _provenance(uprn: int, n: int, code: str) -> domain.Provenance:
    return domain.Provenance(
        uprn=uprn,
        prov_key=f"{CUSTODIAN}P{n:09d}",
        provenance_code=code,
        annotation=None,
        start_date=dt.date(2009, 1, 1),
        entry_date=dt.date(2009, 1, 1),
        last_update_date=dt.date(2011, 1, 1),
    )


@dataclass(frozen=True)
class Gazetteer:
    """A generated state with the counters needed to evolve it."""

    flavour: str
    state: State
    keys: _Keys = field(compare=False)
    next_uprn: int = 100_000_000_000


@st.composite
def gazetteers(draw: st.DrawFn, flavour: str = "abp2", max_blpus: int = 6) -> Gazetteer:
    keys = _Keys()
    usrn_list = draw(
        st.lists(
            st.integers(min_value=1, max_value=99_999_999), min_size=1, max_size=3, unique=True
        )
    )
    records: list[model.GazetteerRecord] = []
    for usrn in usrn_list:
        records.append(draw(streets(usrn)))
        records.append(draw(descriptors(usrn)))
    base = draw(st.integers(min_value=1, max_value=10**11))
    for i in range(draw(st.integers(min_value=1, max_value=max_blpus))):
        records.extend(draw(blpu_group(flavour=flavour, uprn=base + i, usrns=usrn_list, keys=keys)))
    layout = layout_of(flavour)
    state = state_of(restrict(r, layout) for r in records)
    return Gazetteer(flavour=flavour, state=state, keys=keys, next_uprn=base + max_blpus + 1)


@st.composite
def evolutions(draw: st.DrawFn, gaz: Gazetteer) -> Gazetteer:
    """The next state: some addresses renamed, retired (status 8) or removed; some added."""
    layout = layout_of(gaz.flavour)
    records = {e: dict(v) for e, v in gaz.state.records.items()}
    for key, blpu in list(records.get("blpu", {}).items()):
        assert isinstance(blpu, domain.Blpu)
        action = draw(st.sampled_from(["keep", "keep", "rename", "retire", "remove"]))
        _evolve_blpu(draw, records, _int(key[0]), blpu, action)
    usrns = [_int(k[0]) for k in records.get("street", {})]
    uprn = gaz.next_uprn
    for _ in range(draw(st.integers(min_value=0, max_value=2))):
        for record in draw(blpu_group(flavour=gaz.flavour, uprn=uprn, usrns=usrns, keys=gaz.keys)):
            records.setdefault(model.entity_of(record), {})[model.key_of(record)] = record
        uprn += 1
    state = state_of(restrict(r, layout) for v in records.values() for r in v.values())
    return Gazetteer(flavour=gaz.flavour, state=state, keys=gaz.keys, next_uprn=uprn)


def _int(key_value: object) -> int:
    """A UPRN or USRN key value, as the int it always is."""
    assert isinstance(key_value, int)
    return key_value


def _evolve_blpu(
    draw: st.DrawFn,
    records: dict[str, dict[tuple[object, ...], Any]],
    uprn: int,
    blpu: domain.Blpu,
    action: str,
) -> None:
    children = {
        e: [k for k, r in v.items() if getattr(r, "uprn", None) == uprn]
        for e, v in records.items()
        if e not in ("blpu", "street", "street_descriptor")
    }
    if action == "remove":
        del records["blpu"][(uprn,)]
        for entity, keys in children.items():
            for key in keys:
                del records[entity][key]
    elif action == "retire":
        end = dt.date(2021, 6, 1)
        records["blpu"][(uprn,)] = dataclasses.replace(
            blpu, logical_status="8", end_date=end, blpu_state="4", last_update_date=end
        )
        for key in children.get("lpi", []):
            lpi = records["lpi"][key]
            records["lpi"][key] = dataclasses.replace(
                lpi, logical_status="8", end_date=end, last_update_date=end
            )
    elif action == "rename":
        for key in children.get("lpi", [])[:1]:
            lpi = records["lpi"][key]
            text = draw(strategies.address_texts)
            records["lpi"][key] = dataclasses.replace(
                lpi,
                pao_text=text,
                pao_start_number=None,
                pao_start_suffix=None,
                pao_end_number=None,
                pao_end_suffix=None,
            )


@st.composite
def chains(
    draw: st.DrawFn, flavour: str = "abp2", length: int = 2, max_blpus: int = 5
) -> list[State]:
    """States S0..Sn, each an evolution of the one before."""
    gaz = draw(gazetteers(flavour, max_blpus=max_blpus))
    states = [gaz.state]
    for _ in range(length):
        gaz = draw(evolutions(gaz))
        states.append(gaz.state)
    return states


# --- deterministic samples (for example-based tests) -----------------------------------------


def sample_state(flavour: str = "abp2", blpus_count: int = 3, *, first_uprn: int = 10_001) -> State:
    """A small fixed gazetteer: one street, and BLPUs each with an LPI, a DPA and a class."""
    dates: strategies.RecordDates = {
        "start_date": dt.date(2005, 1, 1),
        "entry_date": dt.date(2005, 2, 1),
        "last_update_date": dt.date(2010, 3, 1),
    }
    usrn = 14_200_001
    records: list[model.GazetteerRecord] = [
        domain.Street(
            usrn=usrn,
            record_type="1",
            swa_org_ref_naming=CUSTODIAN,
            version=0,
            start_x=292_000.5,
            start_y=92_000.25,
            end_x=292_400.0,
            end_y=92_300.0,
            start_lat=50.7,
            start_long=-3.5,
            end_lat=50.71,
            end_long=-3.49,
            tolerance=10,
            **dates,
        ),
        domain.StreetDescriptor(
            usrn=usrn,
            description="HIGH STREET",
            town_name="EXETER",
            administrative_area="DEVON",
            language="ENG",
            **dates,
        ),
    ]
    for i in range(blpus_count):
        records.extend(_sample_group(first_uprn + i, usrn, i, dates))
    layout = layout_of(flavour)
    kept = [r for r in records if layout.by_entity(model.entity_of(r)) is not None]
    return state_of(restrict(r, layout) for r in kept)


def _sample_group(
    uprn: int, usrn: int, i: int, dates: strategies.RecordDates
) -> list[model.GazetteerRecord]:
    return [
        domain.Blpu(
            uprn=uprn,
            logical_status="1",
            blpu_state="2",
            x_coordinate=292_100.0 + i,
            y_coordinate=92_100.0,
            latitude=50.72,
            longitude=-3.52,
            rpc="1",
            local_custodian_code=CUSTODIAN,
            country="E",
            addressbase_postal="D",
            postal_flag_v1="S",
            postcode_locator="EX1 1AA",
            multi_occ_count=0,
            blpu_class="RD04",
            organisation=None,
            **dates,
        ),
        domain.Lpi(
            uprn=uprn,
            lpi_key=f"{CUSTODIAN}L{uprn:09d}",
            language="ENG",
            logical_status="1",
            usrn=usrn,
            pao_start_number=i + 1,
            usrn_match_indicator="1",
            official_flag="Y",
            postal_address="Y",
            postcode="EX1 1AA",
            post_town="EXETER",
            **dates,
        ),
        domain.DeliveryPoint(
            uprn=uprn,
            udprn=50_000_000 + i,
            building_number=i + 1,
            thoroughfare="HIGH STREET",
            post_town="EXETER",
            postcode="EX1 1AA",
            postcode_type="S",
            delivery_point_suffix="1A",
            process_date=dt.date(2020, 1, 1),
            **dates,
        ),
        _classification(uprn, uprn, "RD04"),
    ]
