"""Record-level street (11) and street descriptor (15) rules (§4.1 rows 102–108)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Final

from gazetteer import domain
from gazetteer.validation import codes
from gazetteer.validation.base import Check, Findings, present, report, too_long
from gazetteer.validation.context import Context

ENTRY_MIN: Final = dt.date(1990, 1, 1)
_CODE_LISTS: Final = (
    ("record_type", codes.STREET_RECORD_TYPES),
    ("state", codes.STREET_STATES),
    ("street_surface", codes.STREET_SURFACES),
    ("street_classification", codes.STREET_CLASSIFICATIONS),
)
_DESCRIPTOR_WIDTHS: Final = (
    ("description", 100),
    ("locality", 35),
    ("town_name", 30),
    ("administrative_area", 30),
)


def street_codes(street: domain.Street, ctx: Context) -> Findings:
    return [
        report(ctx, "STR-CODES", street, name, f"{name} {value!r} is not a known code")
        for name, allowed in _CODE_LISTS
        if present(value := getattr(street, name)) and value not in allowed
    ]


def state_date_needs_state(street: domain.Street, ctx: Context) -> Findings:
    if street.state_date is None or present(street.state):
        return []
    return [report(ctx, "STR-STATE-DATE-NEEDS-STATE", street, "state", "STATE_DATE needs STATE")]


def closed_needs_end(street: domain.Street, ctx: Context) -> Findings:
    if street.state != "4" or street.end_date is not None:
        return []
    message = "a permanently closed street (STATE 4) needs STREET_END_DATE"
    return [report(ctx, "STR-CLOSED-NEEDS-END", street, "end_date", message)]


def entry_min(street: domain.Street, ctx: Context) -> Findings:
    if street.entry_date is None or street.entry_date >= ENTRY_MIN:
        return []
    message = f"RECORD_ENTRY_DATE {street.entry_date} is before {ENTRY_MIN}"
    return [report(ctx, "STR-ENTRY-MIN", street, "entry_date", message)]


def town_with_locality(descriptor: domain.StreetDescriptor, ctx: Context) -> Findings:
    """The LOCALITY half of SD-TOWN-REQUIRED; the street-type half needs the street."""
    if not present(descriptor.locality) or present(descriptor.town_name):
        return []
    message = "a descriptor with a LOCALITY needs a TOWN_NAME"
    return [report(ctx, "SD-TOWN-REQUIRED", descriptor, "town_name", message)]


def admin_required(descriptor: domain.StreetDescriptor, ctx: Context) -> Findings:
    if present(descriptor.administrative_area):
        return []
    message = "ADMINISTRATIVE_AREA is required"
    return [report(ctx, "SD-ADMIN-REQUIRED", descriptor, "administrative_area", message)]


def descriptor_lengths(descriptor: domain.StreetDescriptor, ctx: Context) -> Findings:
    return [
        report(ctx, "SD-LENGTHS", descriptor, name, f"{name} is longer than {width}")
        for name, width in _DESCRIPTOR_WIDTHS
        if too_long(getattr(descriptor, name), width)
    ]


def _checks() -> tuple[Check, ...]:
    streets: dict[str, Callable[[domain.Street, Context], Findings]] = {
        "STR-CODES": street_codes,
        "STR-STATE-DATE-NEEDS-STATE": state_date_needs_state,
        "STR-CLOSED-NEEDS-END": closed_needs_end,
        "STR-ENTRY-MIN": entry_min,
    }
    descriptors: dict[str, Callable[[domain.StreetDescriptor, Context], Findings]] = {
        "SD-TOWN-REQUIRED": town_with_locality,
        "SD-ADMIN-REQUIRED": admin_required,
        "SD-LENGTHS": descriptor_lengths,
    }
    return (
        *(Check(rule_id=i, record_type=domain.Street, run=run) for i, run in streets.items()),
        *(
            Check(rule_id=i, record_type=domain.StreetDescriptor, run=run)
            for i, run in descriptors.items()
        ),
    )


CHECKS: Final = _checks()
