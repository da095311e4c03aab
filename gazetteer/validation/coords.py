"""Coordinate rules (COORD-*) for BLPU points and street start and end points.

The box is chosen by the BLPU's COUNTRY (ABP v2), else by the supplying authority's country
(``Context.authority_country``). Where neither is known the widest box applies, under
COORD-BOX-OTHER [PROJECT]. A point of exactly (0, 0) counts as missing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from gazetteer import domain
from gazetteer.validation.base import Check, Findings, report
from gazetteer.validation.context import Context
from gazetteer.validation.findings import Record


@dataclass(frozen=True, kw_only=True, slots=True)
class Box:
    rule_id: str
    min_x: float
    max_x: float
    min_y: float
    max_y: float

    def contains(self, x: float, y: float) -> bool:
        return self.min_x <= x <= self.max_x and self.min_y <= y <= self.max_y


BOX_EW: Final = Box(rule_id="COORD-BOX-EW", min_x=80_000, max_x=656_100, min_y=5_000, max_y=657_700)
BOX_SCOT: Final = Box(rule_id="COORD-BOX-SCOT", min_x=1, max_x=660_000, min_y=1, max_y=1_300_000)
BOX_OTHER: Final = Box(rule_id="COORD-BOX-OTHER", min_x=0, max_x=700_000, min_y=0, max_y=1_300_000)
_BOXES: Final[dict[str, Box | None]] = {
    "E": BOX_EW,
    "W": BOX_EW,
    "S": BOX_SCOT,
    "N": BOX_OTHER,
    "M": BOX_OTHER,
    "J": BOX_OTHER,
    "L": None,  # Channel Islands records carry latitude and longitude only
}
LATITUDE: Final = (49.0, 61.0)
LONGITUDE: Final = (-9.0, 2.0)
XSD_MAX: Final = 9_999_999
_POINTS: Final[dict[type, tuple[tuple[str, str], ...]]] = {
    domain.Blpu: (("x_coordinate", "y_coordinate"),),
    domain.Street: (("start_x", "start_y"), ("end_x", "end_y")),
}
_LATLONS: Final[dict[type, tuple[tuple[str, str], ...]]] = {
    domain.Blpu: (("latitude", "longitude"),),
    domain.Street: (("start_lat", "start_long"), ("end_lat", "end_long")),
}


def box_for(country: str | None) -> Box | None:
    """The box for a country code; the widest box when the country is unknown."""
    if country is None:
        return BOX_OTHER
    return _BOXES.get(country, BOX_OTHER)


def _country(record: Record, ctx: Context) -> str | None:
    if isinstance(record, domain.Blpu) and record.country:
        return record.country
    return ctx.authority_country


def _points(record: Record) -> list[tuple[str, float, float]]:
    """(x field, x, y) for each point of ``record`` that is present and not (0, 0)."""
    points = []
    for x_name, y_name in _POINTS[type(record)]:
        x, y = getattr(record, x_name), getattr(record, y_name)
        if x is not None and y is not None and (x, y) != (0, 0):
            points.append((x_name, float(x), float(y)))
    return points


def required(record: domain.Blpu, ctx: Context) -> Findings:
    if _country(record, ctx) == "L":
        return []
    x, y = record.x_coordinate, record.y_coordinate
    if x == 0 and y == 0:
        return [report(ctx, "COORD-REQUIRED", record, "x_coordinate", "(0, 0) counts as missing")]
    return [
        report(ctx, "COORD-REQUIRED", record, name, f"{name} is missing")
        for name, value in (("x_coordinate", x), ("y_coordinate", y))
        if value is None
    ]


def in_box(box: Box) -> Callable[[Record, Context], Findings]:
    """The check of ``box``'s rule: it judges the records whose country selects ``box``."""

    def check(record: Record, ctx: Context) -> Findings:
        if box_for(_country(record, ctx)) is not box:
            return []
        return [
            report(ctx, box.rule_id, record, name, f"({x}, {y}) lies outside the box")
            for name, x, y in _points(record)
            if not box.contains(x, y)
        ]

    return check


def latlon(record: Record, ctx: Context) -> Findings:
    found = []
    for lat_name, lon_name in _LATLONS[type(record)]:
        lat, lon = getattr(record, lat_name), getattr(record, lon_name)
        if lat is not None and not LATITUDE[0] <= lat <= LATITUDE[1]:
            found.append(report(ctx, "COORD-LATLON", record, lat_name, f"latitude {lat}"))
        if lon is not None and not LONGITUDE[0] <= lon <= LONGITUDE[1]:
            found.append(report(ctx, "COORD-LATLON", record, lon_name, f"longitude {lon}"))
    return found


def xsd(record: Record, ctx: Context) -> Findings:
    """Whole-metre coordinates, as the govtalk export writes them, fit 0..9 999 999."""
    return [
        report(ctx, "COORD-XSD", record, name, f"({x}, {y}) does not fit the govtalk range")
        for name, x, y in _points(record)
        if not (0 <= round(x) <= XSD_MAX and 0 <= round(y) <= XSD_MAX)
    ]


def _box_checks() -> list[Check]:
    return [
        Check(rule_id=box.rule_id, record_type=kind, run=in_box(box))
        for box in (BOX_EW, BOX_SCOT, BOX_OTHER)
        for kind in _POINTS
    ]


CHECKS: Final[tuple[Check, ...]] = (
    Check(rule_id="COORD-REQUIRED", record_type=domain.Blpu, run=required),
    *_box_checks(),
    Check(rule_id="COORD-LATLON", record_type=domain.Blpu, run=latlon),
    Check(rule_id="COORD-LATLON", record_type=domain.Street, run=latlon),
    Check(rule_id="COORD-XSD", record_type=domain.Blpu, run=xsd),
    Check(rule_id="COORD-XSD", record_type=domain.Street, run=xsd),
)
