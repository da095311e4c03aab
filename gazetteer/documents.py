"""What a lookup returns: one address as a document of plain, frozen values.

Documents are built by :mod:`gazetteer.service` from the stored records and carry no database
or HTTP types; the API and the command line render them as they need.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

# BLPU_STATE (§2.4); the ABP labels where ABP and the DTF differ.
STATE_NAMES: Final = {
    "0": "not applicable",
    "1": "under construction",
    "2": "in use",
    "3": "unoccupied",
    "4": "no longer existing",
    "5": "planning application received",
    "6": "planning permission granted",
    "7": "planning application refused",
}


@dataclass(frozen=True, kw_only=True, slots=True)
class Code:
    """A code as supplied and its meaning (``None`` for a code outside the list)."""

    code: str
    name: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Coordinates:
    """The BLPU's point: easting and northing in EPSG:27700, latitude and longitude in 4326."""

    x: float | None = None
    y: float | None = None
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Classification:
    code: str
    description: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Street:
    """The street of the chosen LPI, described in the LPI's language where possible."""

    usrn: int
    description: str | None = None
    locality: str | None = None
    town: str | None = None
    administrative_area: str | None = None
    language: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class LpiSummary:
    lpi_key: str
    language: str
    status: Code
    usrn: int
    single_line: str
    is_closed: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class Labels:
    """The geographic label (from the LPI) and, when there is a PAF record, the postal one."""

    single_line: str
    lines: tuple[str, ...]
    postal_single_line: str | None = None
    postal_lines: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class CrossReference:
    source: str
    cross_reference: str
    version: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class DeliveryPoint:
    """The Royal Mail PAF delivery point matched to the UPRN."""

    udprn: int
    postcode: str | None = None
    post_town: str | None = None
    postcode_type: str | None = None
    delivery_point_suffix: str | None = None
    organisation_name: str | None = None
    department_name: str | None = None
    sub_building_name: str | None = None
    building_name: str | None = None
    building_number: int | None = None
    po_box_number: str | None = None
    dependent_thoroughfare: str | None = None
    thoroughfare: str | None = None
    double_dependent_locality: str | None = None
    dependent_locality: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class AddressDocument:
    """Everything the hub knows about one UPRN, ready to show."""

    uprn: int
    status: Code
    state: Code | None = None
    parent_uprn: int | None = None
    children: tuple[int, ...] = ()
    coordinates: Coordinates = field(default_factory=Coordinates)
    rpc: str | None = None
    local_custodian_code: int | None = None
    country: str | None = None
    postcode: str | None = None
    classification: Classification | None = None
    organisation: str | None = None
    street: Street | None = None
    lpis: tuple[LpiSummary, ...] = ()
    labels: Labels
    cross_references: tuple[CrossReference, ...] = ()
    delivery_point: DeliveryPoint | None = None
