"""Pure types shared by readers, writers and the apply step: supply envelopes, rows, findings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final, Literal

from gazetteer import domain
from loaders.readers import sources

GazetteerRecord = (
    domain.Street
    | domain.StreetDescriptor
    | domain.Blpu
    | domain.Lpi
    | domain.CrossReference
    | domain.DeliveryPoint
    | domain.Classification
    | domain.Organisation
    | domain.Successor
    | domain.Provenance
)

ENTITY_CLASSES: Final[dict[str, type[GazetteerRecord]]] = {
    "street": domain.Street,
    "street_descriptor": domain.StreetDescriptor,
    "blpu": domain.Blpu,
    "lpi": domain.Lpi,
    "cross_reference": domain.CrossReference,
    "delivery_point": domain.DeliveryPoint,
    "classification": domain.Classification,
    "organisation": domain.Organisation,
    "successor": domain.Successor,
    "provenance": domain.Provenance,
}
ENTITY_OF_CLASS: Final = {cls: name for name, cls in ENTITY_CLASSES.items()}

# The key of each record type (gazetteer-standards §5.5.1).
ENTITY_KEYS: Final[dict[str, tuple[str, ...]]] = {
    "street": ("usrn",),
    "street_descriptor": ("usrn", "language"),
    "blpu": ("uprn",),
    "provenance": ("prov_key",),
    "cross_reference": ("xref_key",),
    "lpi": ("lpi_key",),
    "delivery_point": ("udprn",),
    "successor": ("succ_key",),
    "organisation": ("org_key",),
    "classification": ("class_key",),
}
# Parents first: the order inserts run in; deletes run in reverse (§5.5.2).
APPLY_ORDER: Final = tuple(ENTITY_KEYS)

CHANGE_TYPES: Final = frozenset({"I", "U", "D"})
FILE_TYPES: Final = frozenset({"F", "C"})
Severity = Literal["E", "W"]


def entity_of(record: GazetteerRecord) -> str:
    """The table/entity name of a domain record (``blpu``, ``lpi`` ...)."""
    return ENTITY_OF_CLASS[type(record)]


def key_of(record: GazetteerRecord) -> tuple[object, ...]:
    """The record's key values, in the order of :data:`ENTITY_KEYS`."""
    return tuple(getattr(record, name) for name in ENTITY_KEYS[entity_of(record)])


@dataclass(frozen=True, kw_only=True, slots=True)
class Header:
    """Record 10: one per volume."""

    custodian_name: str | None = None
    local_custodian_code: int | None = None
    process_date: dt.date | None = None
    volume_number: int | None = None
    entry_date: dt.date | None = None
    time_stamp: str | None = None
    version: str | None = None
    file_type: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Trailer:
    """Record 99: the last row of a volume."""

    next_volume_number: int | None = None
    record_count: int | None = None
    entry_date: dt.date | None = None
    time_stamp: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Metadata:
    """Record 29: describes the gazetteer; every field is kept as text."""

    gaz_name: str | None = None
    gaz_scope: str | None = None
    ter_of_use: str | None = None
    linked_data: str | None = None
    gaz_owner: str | None = None
    ngaz_freq: str | None = None
    custodian_name: str | None = None
    custodian_uprn: str | None = None
    local_custodian_code: str | None = None
    co_ord_system: str | None = None
    co_ord_unit: str | None = None
    meta_date: str | None = None
    class_scheme: str | None = None
    gaz_date: str | None = None
    language: str | None = None
    character_set: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Change:
    """One data row of a supply: a record with its change type and processing order."""

    change_type: str
    record: GazetteerRecord
    pro_order: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Row:
    """A typed data row as read, with where it came from."""

    file: str
    line: int
    record_id: str
    entity: str
    change_type: str
    pro_order: int
    record: GazetteerRecord

    @property
    def change(self) -> Change:
        return Change(change_type=self.change_type, record=self.record, pro_order=self.pro_order)


LoadFinding = sources.Finding


def finding(
    *,
    code: str,
    severity: Severity,
    message: str,
    file: str = "",
    line: int | None = None,
    record_type: str | None = None,
    key: str | None = None,
    field: str | None = None,
) -> LoadFinding:
    """A finding as the load report's CSV file carries it (stable ``code``, E or W)."""
    return sources.Finding(
        code=code,
        severity=severity,
        message=message,
        file=file,
        line=line,
        record_type=record_type or "",
        key=key,
        field=field,
    )
