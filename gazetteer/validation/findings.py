"""What the validator reports: severities, profiles, formats and findings (standards §0, §4).

A finding names the stable rule id, its severity in the profile that produced it, the record it is
about (type and key) and the field. Nothing here does I/O.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gazetteer import domain

Record = (
    domain.Street
    | domain.StreetDescriptor
    | domain.Blpu
    | domain.Lpi
    | domain.DeliveryPoint
    | domain.CrossReference
    | domain.Classification
    | domain.Organisation
    | domain.Successor
    | domain.Provenance
)


class Severity(enum.StrEnum):
    """E rejects the row (or, for supply-level rules, the supply); W is reported only."""

    ERROR = "E"
    WARNING = "W"


class Profile(enum.StrEnum):
    """``ingest`` for third-party supplies; ``edit`` for records created or changed in the hub."""

    INGEST = "ingest"
    EDIT = "edit"


class Format(enum.StrEnum):
    """The shape the records arrived in; some rules depend on it."""

    ABP1 = "abp1"
    ABP2 = "abp2"
    DTF = "dtf"

    @property
    def is_abp(self) -> bool:
        return self is not Format.DTF


@dataclass(frozen=True, kw_only=True, slots=True)
class Finding:
    rule_id: str
    severity: Severity
    record_type: str
    record_key: str
    field: str | None
    message: str

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


RECORD_TYPES: dict[type, str] = {
    domain.Street: "street",
    domain.StreetDescriptor: "street_descriptor",
    domain.Blpu: "blpu",
    domain.Lpi: "lpi",
    domain.DeliveryPoint: "delivery_point",
    domain.CrossReference: "cross_reference",
    domain.Classification: "classification",
    domain.Organisation: "organisation",
    domain.Successor: "successor",
    domain.Provenance: "provenance",
}


def record_type(record: Record) -> str:
    """The record's type as the storage tables name it (``blpu``, ``lpi``, ``street`` ...)."""
    return RECORD_TYPES[type(record)]


_KEYS: dict[type, Callable[[Any], object]] = {
    domain.Blpu: lambda r: r.uprn,
    domain.Street: lambda r: r.usrn,
    domain.StreetDescriptor: lambda r: f"{r.usrn}/{r.language}",
    domain.DeliveryPoint: lambda r: r.udprn,
    domain.Lpi: lambda r: r.lpi_key,
    domain.CrossReference: lambda r: r.xref_key,
    domain.Classification: lambda r: r.class_key,
    domain.Organisation: lambda r: r.org_key,
    domain.Successor: lambda r: r.succ_key,
    domain.Provenance: lambda r: r.prov_key,
}


def record_key(record: Record) -> str:
    """The record's key (§5.5.1) as text: UPRN, LPI_KEY, USRN, ``USRN/LANGUAGE``, UDPRN ..."""
    return str(_KEYS[type(record)](record))
