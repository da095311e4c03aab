"""Questions cross-record rules ask of the gazetteer view (the batch over the live gazetteer)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Final

from gazetteer import domain
from gazetteer.validation import codes
from gazetteer.validation.base import Findings, present
from gazetteer.validation.context import Context, Lookups
from gazetteer.validation.findings import Record

Subject = tuple[Record, str, str]  # the record holding a classification, its field, the code


def is_open(record: domain.Classification | domain.Organisation | domain.CrossReference) -> bool:
    return record.end_date is None


def street_is_closed(street: domain.Street) -> bool:
    """A street is closed when STATE is 4 or it has an end date (§0)."""
    return street.state == "4" or street.end_date is not None


def is_street_record(lpi: domain.Lpi) -> bool:
    return lpi.pao_text == codes.STREET_RECORD


def class_subjects(blpu: domain.Blpu, gazetteer: Lookups) -> list[Subject]:
    """The BLPU's open classifications, with the DTF BLPU_CLASS field as one more."""
    subjects: list[Subject] = [
        (record, "classification_code", record.classification_code)
        for record in gazetteer.classifications_of_uprn(blpu.uprn)
        if is_open(record)
    ]
    if present(blpu.blpu_class):
        subjects.append((blpu, "blpu_class", str(blpu.blpu_class)))
    return subjects


def class_codes(blpu: domain.Blpu, gazetteer: Lookups) -> set[str]:
    return {code for _, _, code in class_subjects(blpu, gazetteer)}


def is_street_blpu(blpu: domain.Blpu, gazetteer: Lookups) -> bool:
    """A street BLPU is classified PS or has a STREET RECORD LPI (§1.2)."""
    if codes.STREET_CLASS in class_codes(blpu, gazetteer):
        return True
    return any(is_street_record(lpi) for lpi in gazetteer.lpis_of_uprn(blpu.uprn))


def is_postal(blpu: domain.Blpu, gazetteer: Lookups) -> bool:
    """Postally addressable: ABP v2 D, C or L; ABP v1 anything but N; DTF an LPI flagged postal."""
    if present(blpu.addressbase_postal):
        return blpu.addressbase_postal in {"D", "C", "L"}
    if present(blpu.postal_flag_v1):
        return blpu.postal_flag_v1 != "N"
    return any(
        present(lpi.postal_address) and lpi.postal_address != "N"
        for lpi in gazetteer.lpis_of_uprn(blpu.uprn)
        if not lpi.is_closed
    )


def point(blpu: domain.Blpu) -> tuple[float, float] | None:
    x, y = blpu.x_coordinate, blpu.y_coordinate
    if x is None or y is None or (x, y) == (0, 0):
        return None
    return float(x), float(y)


def street_ends(street: domain.Street) -> list[tuple[float, float]]:
    ends = ((street.start_x, street.start_y), (street.end_x, street.end_y))
    return [
        (float(x), float(y))
        for x, y in ends
        if x is not None and y is not None and (x, y) != (0, 0)
    ]


def distance_to_ends(here: tuple[float, float], street: domain.Street) -> float | None:
    ends = street_ends(street)
    if not ends:
        return None
    return min(math.dist(here, end) for end in ends)


def streets_of(blpu: domain.Blpu, gazetteer: Lookups) -> Iterator[domain.Street]:
    """The distinct streets the BLPU's LPIs are on (those the gazetteer holds)."""
    usrns = dict.fromkeys(lpi.usrn for lpi in gazetteer.lpis_of_uprn(blpu.uprn))
    for usrn in usrns:
        street = gazetteer.street(usrn)
        if street is not None:
            yield street


BlpuCheck = Callable[[domain.Blpu, Context], Findings]
_UPRN_HOLDERS: Final = (
    domain.Lpi,
    domain.Classification,
    domain.Organisation,
    domain.CrossReference,
    domain.DeliveryPoint,
    domain.Provenance,
)


def via_blpu(check: BlpuCheck) -> Callable[[Record, Context], Findings]:
    """Run a BLPU-group check from a record that refers to the BLPU by UPRN.

    A change to an LPI or classification can break a rule about its BLPU's whole group, so the
    group is judged again from that side; the engine drops the repeated findings.
    """

    def run(record: Record, ctx: Context) -> Findings:
        found = ctx.gazetteer.blpu(record.uprn) if isinstance(record, _UPRN_HOLDERS) else None
        return check(found, ctx) if found is not None else []

    return run
