"""The demo's sample gazetteer: generated, deterministic, around real Exeter-area postcodes.

Ten postcode units are taken from Code-Point Open (``data/codepoint-ex.csv``, under the Open
Government Licence, attribution in ``data/codepoint-licence.md``): six in Exeter and four in
Exmouth, East Devon. Around each one the sample places one street with fifteen houses, and
on every other street a block of eight flats (a parent BLPU with child BLPUs), 195 addresses
in all. The street names and house numbers are made up; the postcodes, their points and the
council areas they lie in are real.

The demo's boundaries are made from the same units: a 300 m square around each postcode
centroid is one ward (the postcode's ward code), the squares of a district make the district
(E07000041 Exeter, E07000040 East Devon), and all of them make the county (E10000008 Devon).

Nothing here touches a database: :func:`build` returns the records and the boundaries, and
the same inputs always give the same output.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any, Final

import pyproj

from gazetteer import domain

DATA: Final = resources.files("api.demo") / "data"
CODEPOINT_FILE: Final = "codepoint-ex.csv"
LICENCE_FILE: Final = "codepoint-licence.md"
UPRN_BASE: Final = 990_000_000_000
USRN_BASE: Final = 99_000_000
UDPRN_BASE: Final = 99_000_000
HOUSES_PER_STREET: Final = 15
FLATS_PER_BLOCK: Final = 8
CELL_HALF_SIDE_M: Final = 150.0
RECORD_DATE: Final = dt.date(2020, 4, 1)
COUNTY: Final = ("E10000008", "Devon")


@dataclass(frozen=True, kw_only=True, slots=True)
class Town:
    district_code: str
    district_name: str
    post_town: str
    custodian_code: int


TOWNS: Final = {
    "E07000041": Town(
        district_code="E07000041", district_name="Exeter", post_town="EXETER", custodian_code=1110
    ),
    "E07000040": Town(
        district_code="E07000040",
        district_name="East Devon",
        post_town="EXMOUTH",
        custodian_code=1105,
    ),
}
# One made-up street per postcode unit, in the order of the Code-Point sample file.
STREET_NAMES: Final = (
    "ORCHARD WAY", "MILL LANE", "STATION ROAD", "CHURCH STREET", "BEACON HILL", "PARK VIEW",
    "HARBOUR ROAD", "CLIFF TERRACE", "SEA VIEW", "ESTUARY CLOSE",
)  # fmt: skip


@dataclass(frozen=True, kw_only=True, slots=True)
class PostcodeUnit:
    """One Code-Point Open row: a postcode's centroid and the areas it lies in."""

    postcode: str
    easting: int
    northing: int
    county_code: str
    district_code: str
    ward_code: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Sample:
    records: tuple[domain.Street | domain.StreetDescriptor | domain.Blpu | domain.Lpi
                   | domain.Classification | domain.DeliveryPoint, ...]  # fmt: skip
    boundaries: dict[str, dict[str, Any]]  # area type -> GeoJSON (EPSG:27700)
    units: tuple[PostcodeUnit, ...]

    def uprns(self) -> list[int]:
        return [r.uprn for r in self.records if isinstance(r, domain.Blpu)]


def codepoint_text() -> str:
    return (DATA / CODEPOINT_FILE).read_text(encoding="utf-8")


def attribution() -> str:
    """The Code-Point Open licence statement, exactly as Ordnance Survey supplies it."""
    return (DATA / LICENCE_FILE).read_text(encoding="utf-8").strip()


def units(text: str) -> tuple[PostcodeUnit, ...]:
    return tuple(
        PostcodeUnit(
            postcode=row[0],
            easting=int(row[2]),
            northing=int(row[3]),
            county_code=row[7],
            district_code=row[8],
            ward_code=row[9],
        )
        for row in csv.reader(io.StringIO(text))
        if row
    )


def build() -> Sample:
    """The sample gazetteer and its boundaries, from the bundled Code-Point rows."""
    found = units(codepoint_text())
    records: list[Any] = []
    for index, unit in enumerate(found):
        records.extend(_street_records(index, unit))
    return Sample(records=tuple(records), boundaries=boundaries(found), units=found)


# Addresses -----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class _Place:
    """Where one street's records go: its unit, town, USRN and first UPRN."""

    index: int
    unit: PostcodeUnit
    town: Town
    usrn: int
    name: str

    def uprn(self, n: int) -> int:
        return UPRN_BASE + self.index * 1000 + n

    def key(self, letter: str, n: int) -> str:
        return f"{self.town.custodian_code}{letter}{self.index * 1000 + n:09d}"


def _street_records(index: int, unit: PostcodeUnit) -> Iterator[Any]:
    place = _Place(
        index=index,
        unit=unit,
        town=TOWNS[unit.district_code],
        usrn=USRN_BASE + index + 1,
        name=STREET_NAMES[index],
    )
    yield from _street(place)
    for number in range(1, HOUSES_PER_STREET + 1):
        yield from _house(place, number)
    if index % 2 == 0:
        yield from _block(place)


def _dates() -> dict[str, Any]:
    return {"start_date": RECORD_DATE, "entry_date": RECORD_DATE, "last_update_date": RECORD_DATE}


def _street(place: _Place) -> Iterator[Any]:
    e, n = place.unit.easting, place.unit.northing
    (start_lat, start_long), (end_lat, end_long) = _wgs84(e - 90, n), _wgs84(e + 90, n)
    yield domain.Street(
        usrn=place.usrn,
        record_type="1",
        swa_org_ref_naming=place.town.custodian_code,
        state="2",
        street_surface="1",
        street_classification="8",
        version=1,
        start_x=e - 90.0,
        start_y=float(n),
        start_lat=start_lat,
        start_long=start_long,
        end_x=e + 90.0,
        end_y=float(n),
        end_lat=end_lat,
        end_long=end_long,
        tolerance=10,
        **_dates(),
    )
    yield domain.StreetDescriptor(
        usrn=place.usrn,
        description=place.name,
        locality=None,
        town_name=place.town.post_town,
        administrative_area="DEVON",
        **_dates(),
    )


def _blpu(place: _Place, n: int, x: float, y: float, **fields: Any) -> domain.Blpu:
    lat, long = _wgs84(x, y)
    values: dict[str, Any] = {
        "uprn": place.uprn(n),
        "logical_status": "1",
        "blpu_state": "2",
        "x_coordinate": x,
        "y_coordinate": y,
        "latitude": lat,
        "longitude": long,
        "rpc": "1",
        "local_custodian_code": place.town.custodian_code,
        "country": "E",
        "addressbase_postal": "D",
        "postcode_locator": place.unit.postcode,
        "multi_occ_count": 0,
        **_dates(),
    }
    return domain.Blpu(**(values | fields))


def _lpi(place: _Place, n: int, **aons: Any) -> domain.Lpi:
    return domain.Lpi(
        uprn=place.uprn(n),
        lpi_key=place.key("L", n),
        language=domain.LANGUAGE_ENGLISH,
        logical_status="1",
        usrn=place.usrn,
        usrn_match_indicator="1",
        official_flag="Y",
        postal_address="Y",
        postcode=place.unit.postcode,
        post_town=place.town.post_town,
        **aons,
        **_dates(),
    )


def _classification(place: _Place, n: int, code: str) -> domain.Classification:
    return domain.Classification(
        uprn=place.uprn(n),
        class_key=place.key("C", n),
        classification_code=code,
        class_scheme="AddressBase Premium Classification Scheme",
        scheme_version="1.0",
        **_dates(),
    )


def _delivery_point(place: _Place, n: int, **names: Any) -> domain.DeliveryPoint:
    return domain.DeliveryPoint(
        uprn=place.uprn(n),
        udprn=UDPRN_BASE + place.index * 1000 + n,
        thoroughfare=place.name,
        post_town=place.town.post_town,
        postcode=place.unit.postcode,
        postcode_type="S",
        process_date=RECORD_DATE,
        **names,
        **_dates(),
    )


def _house(place: _Place, number: int) -> Iterator[Any]:
    """Odd numbers on the north side of the street, even on the south, 12 m apart."""
    x = place.unit.easting - 84.0 + 12.0 * number
    y = place.unit.northing + (12.0 if number % 2 else -12.0)
    yield _blpu(place, number, x, y)
    yield _lpi(place, number, pao_start_number=number)
    yield _classification(place, number, "RD04")
    yield _delivery_point(place, number, building_number=number)


def _block(place: _Place) -> Iterator[Any]:
    """A building (a parent BLPU, classed PP) and its flats, which share its point."""
    parent = 100
    building = f"{place.name.split()[0]} COURT"
    x, y = place.unit.easting + 0.0, place.unit.northing + 45.0
    yield _blpu(place, parent, x, y, addressbase_postal="C", multi_occ_count=FLATS_PER_BLOCK)
    yield _lpi(place, parent, pao_text=building)
    yield _classification(place, parent, "PP")
    for flat in range(1, FLATS_PER_BLOCK + 1):
        n = parent + flat
        yield _blpu(place, n, x, y, parent_uprn=place.uprn(parent))
        yield _lpi(place, n, sao_text=f"FLAT {flat}", pao_text=building)
        yield _classification(place, n, "RD06")
        yield _delivery_point(place, n, sub_building_name=f"FLAT {flat}", building_name=building)


@functools.cache
def _to_wgs84() -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(27700, 4326, always_xy=True)


def _wgs84(x: float, y: float) -> tuple[float, float]:
    """(latitude, longitude) of a British National Grid point, to 7 decimal places."""
    long, lat = _to_wgs84().transform(x, y)
    return round(lat, 7), round(long, 7)


# Boundaries ----------------------------------------------------------------------------------


def _square(unit: PostcodeUnit) -> list[list[list[float]]]:
    e, n, h = float(unit.easting), float(unit.northing), CELL_HALF_SIDE_M
    return [[[e - h, n - h], [e + h, n - h], [e + h, n + h], [e - h, n + h], [e - h, n - h]]]


def _feature(code: str, name: str, members: list[PostcodeUnit]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"code": code, "name": name},
        "geometry": {"type": "MultiPolygon", "coordinates": [_square(u) for u in members]},
    }


def _collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}},
        "features": features,
    }


def boundaries(found: tuple[PostcodeUnit, ...]) -> dict[str, dict[str, Any]]:
    """Ward, district and county boundaries made of the squares around the postcode units
    (the units lie at least 400 m apart, so the squares never overlap)."""
    wards = [_feature(u.ward_code, f"Ward {u.ward_code}", [u]) for u in found]
    districts = [
        _feature(code, town.district_name, [u for u in found if u.district_code == code])
        for code, town in TOWNS.items()
    ]
    county = [_feature(COUNTY[0], COUNTY[1], list(found))]
    return {
        "ward": _collection(wards),
        "district": _collection(districts),
        "county": _collection(county),
    }
