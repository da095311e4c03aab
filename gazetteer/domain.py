"""The BS7666 model as pure, frozen types (gazetteer-standards §1–§3).

Field names are the specification's column names in lower case. Codes are kept as the strings
supplied; numbers that are identifiers are ``int``; coordinates are ``float`` metres (EPSG:27700)
or degrees (ETRS89/WGS84). Nothing here does I/O.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Final

from gazetteer.errors import InvalidRecordKey, InvalidUprn, InvalidUsrn

UPRN_MAX: Final = 999_999_999_999
USRN_MAX: Final = 99_999_999
UDPRN_MAX: Final = 99_999_999

LANGUAGE_ENGLISH: Final = "ENG"
LANGUAGE_WELSH: Final = "CYM"

BLPU_STATUSES: Final = frozenset({"1", "5", "6", "7", "8", "9"})
LPI_STATUSES: Final = frozenset({"1", "3", "5", "6", "7", "8", "9"})
CLOSED_STATUSES: Final = frozenset({"7", "8", "9"})
STATUS_NAMES: Final = {
    "1": "approved",
    "2": "approved alternative",
    "3": "alternative",
    "5": "candidate",
    "6": "provisional",
    "7": "rejected (external)",
    "8": "historical",
    "9": "rejected (internal)",
}

_KEY_PATTERN = re.compile(r"^\d{4}[LXCOS]\d{9}$")


def _as_int(value: int | str, what: str, error: type[InvalidUprn | InvalidUsrn]) -> int:
    if isinstance(value, bool):
        raise error(f"{what} must be a whole number, not {value!r}")
    if isinstance(value, int):
        return value
    text = value.strip()
    if not text.isdigit():
        raise error(f"{what} must be a whole number, not {value!r}")
    return int(text)


def parse_uprn(value: int | str) -> int:
    """A UPRN: 1 to 999 999 999 999 (12 digits), never zero-padded in storage."""
    uprn = _as_int(value, "UPRN", InvalidUprn)
    if not 1 <= uprn <= UPRN_MAX:
        raise InvalidUprn(f"UPRN must be between 1 and {UPRN_MAX}, not {uprn}")
    return uprn


def parse_usrn(value: int | str) -> int:
    """A USRN: 1 to 99 999 999 (8 digits)."""
    usrn = _as_int(value, "USRN", InvalidUsrn)
    if not 1 <= usrn <= USRN_MAX:
        raise InvalidUsrn(f"USRN must be between 1 and {USRN_MAX}, not {usrn}")
    return usrn


def parse_record_key(value: str, letter: str) -> str:
    """A 14-character key such as an LPI_KEY (``1110L000163496``); ``letter`` is L, X, C, O or S."""
    if not _KEY_PATTERN.match(value) or value[4] != letter:
        raise InvalidRecordKey(
            f"{value!r} is not a {letter} key (4-digit custodian, {letter}, 9-digit sequence)"
        )
    return value


def is_closed(*, logical_status: str | None, end_date: dt.date | None) -> bool:
    """A BLPU or LPI is closed when it has an end date or a status of 7, 8 or 9 (§0)."""
    return end_date is not None or logical_status in CLOSED_STATUSES


@dataclass(frozen=True, kw_only=True, slots=True)
class Aon:
    """An addressable object (PAO or SAO): a number range, suffixes and text (§1.3)."""

    start_number: int | None = None
    start_suffix: str | None = None
    end_number: int | None = None
    end_suffix: str | None = None
    text: str | None = None

    @property
    def is_empty(self) -> bool:
        return not (
            self.start_number
            or self.start_suffix
            or self.end_number
            or self.end_suffix
            or self.text
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class Dates:
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    last_update_date: dt.date | None = None
    entry_date: dt.date | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Street:
    usrn: int
    record_type: str | None = None
    swa_org_ref_naming: int | None = None
    state: str | None = None
    state_date: dt.date | None = None
    street_surface: str | None = None
    street_classification: str | None = None
    version: int | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    last_update_date: dt.date | None = None
    entry_date: dt.date | None = None
    start_x: float | None = None
    start_y: float | None = None
    start_lat: float | None = None
    start_long: float | None = None
    end_x: float | None = None
    end_y: float | None = None
    end_lat: float | None = None
    end_long: float | None = None
    tolerance: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class StreetDescriptor:
    usrn: int
    description: str
    language: str = LANGUAGE_ENGLISH
    locality: str | None = None
    town_name: str | None = None
    administrative_area: str | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    last_update_date: dt.date | None = None
    entry_date: dt.date | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Blpu:
    uprn: int
    logical_status: str
    blpu_state: str | None = None
    blpu_state_date: dt.date | None = None
    parent_uprn: int | None = None
    x_coordinate: float | None = None
    y_coordinate: float | None = None
    latitude: float | None = None
    longitude: float | None = None
    rpc: str | None = None
    local_custodian_code: int | None = None
    country: str | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    last_update_date: dt.date | None = None
    entry_date: dt.date | None = None
    addressbase_postal: str | None = None
    postal_flag_v1: str | None = None
    postcode_locator: str | None = None
    multi_occ_count: int | None = None
    # LLPG DTF 7.3 carries these on the BLPU itself.
    blpu_class: str | None = None
    organisation: str | None = None
    ward_code: str | None = None
    parish_code: str | None = None

    @property
    def is_closed(self) -> bool:
        return is_closed(logical_status=self.logical_status, end_date=self.end_date)


@dataclass(frozen=True, kw_only=True, slots=True)
class Lpi:
    uprn: int
    lpi_key: str
    language: str
    logical_status: str
    usrn: int
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    last_update_date: dt.date | None = None
    entry_date: dt.date | None = None
    sao_start_number: int | None = None
    sao_start_suffix: str | None = None
    sao_end_number: int | None = None
    sao_end_suffix: str | None = None
    sao_text: str | None = None
    pao_start_number: int | None = None
    pao_start_suffix: str | None = None
    pao_end_number: int | None = None
    pao_end_suffix: str | None = None
    pao_text: str | None = None
    usrn_match_indicator: str | None = None
    area_name: str | None = None
    level: str | None = None
    official_flag: str | None = None
    # LLPG DTF 7.3 carries the postal address on the LPI.
    postal_address: str | None = None
    postcode: str | None = None
    post_town: str | None = None

    @property
    def pao(self) -> Aon:
        return Aon(
            start_number=self.pao_start_number,
            start_suffix=self.pao_start_suffix,
            end_number=self.pao_end_number,
            end_suffix=self.pao_end_suffix,
            text=self.pao_text,
        )

    @property
    def sao(self) -> Aon:
        return Aon(
            start_number=self.sao_start_number,
            start_suffix=self.sao_start_suffix,
            end_number=self.sao_end_number,
            end_suffix=self.sao_end_suffix,
            text=self.sao_text,
        )

    @property
    def is_closed(self) -> bool:
        return is_closed(logical_status=self.logical_status, end_date=self.end_date)


@dataclass(frozen=True, kw_only=True, slots=True)
class DeliveryPoint:
    """A Royal Mail PAF delivery point address (ABP record 28)."""

    udprn: int
    uprn: int
    post_town: str | None = None
    postcode: str | None = None
    postcode_type: str | None = None
    parent_addressable_uprn: int | None = None
    organisation_name: str | None = None
    department_name: str | None = None
    sub_building_name: str | None = None
    building_name: str | None = None
    building_number: int | None = None
    dependent_thoroughfare: str | None = None
    thoroughfare: str | None = None
    double_dependent_locality: str | None = None
    dependent_locality: str | None = None
    delivery_point_suffix: str | None = None
    welsh_dependent_thoroughfare: str | None = None
    welsh_thoroughfare: str | None = None
    welsh_double_dependent_locality: str | None = None
    welsh_dependent_locality: str | None = None
    welsh_post_town: str | None = None
    po_box_number: str | None = None
    process_date: dt.date | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    last_update_date: dt.date | None = None
    entry_date: dt.date | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class CrossReference:
    uprn: int
    xref_key: str
    cross_reference: str
    source: str
    version: int | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    last_update_date: dt.date | None = None
    entry_date: dt.date | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Classification:
    uprn: int
    class_key: str
    classification_code: str
    class_scheme: str | None = None
    scheme_version: str | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    last_update_date: dt.date | None = None
    entry_date: dt.date | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Organisation:
    uprn: int
    org_key: str
    organisation: str
    legal_name: str | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    last_update_date: dt.date | None = None
    entry_date: dt.date | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Successor:
    uprn: int
    succ_key: str
    successor: int
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    last_update_date: dt.date | None = None
    entry_date: dt.date | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Provenance:
    uprn: int
    prov_key: str
    provenance_code: str
    annotation: str | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    last_update_date: dt.date | None = None
    entry_date: dt.date | None = None
