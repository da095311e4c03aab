"""Record-level delivery point address (28) rules (§4.1 rows 75–83, 71)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from gazetteer import domain, postcode
from gazetteer.validation.base import Check, Findings, present, report, too_long
from gazetteer.validation.context import Context
from gazetteer.validation.findings import Format

BUILDING_NUMBER_MAX: Final = 9999
_DPS: Final = re.compile(r"^\d[A-Z]$")
_PREMISE: Final = ("organisation_name", "building_name", "building_number", "po_box_number")
_NEEDS: Final = (
    ("DPA-DEPT-NEEDS-ORG", "department_name", ("organisation_name",)),
    ("DPA-SUB-NEEDS-BUILDING", "sub_building_name", ("building_name", "building_number")),
    ("DPA-DEPTHF-NEEDS-THF", "dependent_thoroughfare", ("thoroughfare",)),
    ("DPA-DDL-NEEDS-DL", "double_dependent_locality", ("dependent_locality",)),
)
_WIDTHS: Final = (
    ("organisation_name", 60),
    ("department_name", 60),
    ("sub_building_name", 30),
    ("building_name", 50),
    ("dependent_thoroughfare", 80),
    ("thoroughfare", 80),
    ("double_dependent_locality", 35),
    ("dependent_locality", 35),
    ("post_town", 30),
    ("postcode", 8),
    ("delivery_point_suffix", 2),
    ("welsh_dependent_thoroughfare", 80),
    ("welsh_thoroughfare", 80),
    ("welsh_double_dependent_locality", 35),
    ("welsh_dependent_locality", 35),
    ("welsh_post_town", 30),
    ("po_box_number", 6),
)


def _has(dpa: domain.DeliveryPoint, name: str) -> bool:
    return present(getattr(dpa, name))


def premise_required(dpa: domain.DeliveryPoint, ctx: Context) -> Findings:
    if any(_has(dpa, name) for name in _PREMISE):
        return []
    message = "a delivery point needs an organisation, building name or number, or PO box"
    return [report(ctx, "DPA-PREMISE-REQUIRED", dpa, "building_name", message)]


def _needs(rule_id: str, field: str, needed: tuple[str, ...]) -> Callable[..., Findings]:
    def check(dpa: domain.DeliveryPoint, ctx: Context) -> Findings:
        if not _has(dpa, field) or any(_has(dpa, name) for name in needed):
            return []
        message = f"{field} needs {' or '.join(needed)}"
        return [report(ctx, rule_id, dpa, field, message)]

    return check


def mandatory(dpa: domain.DeliveryPoint, ctx: Context) -> Findings:
    names = ["post_town", "postcode", "postcode_type"]
    names += ["delivery_point_suffix"] if ctx.format is Format.ABP2 else []
    return [
        report(ctx, "DPA-MANDATORY", dpa, name, f"{name} is required")
        for name in names
        if not _has(dpa, name)
    ]


def po_box_large_user(dpa: domain.DeliveryPoint, ctx: Context) -> Findings:
    if not _has(dpa, "po_box_number") or dpa.postcode_type == "L":
        return []
    message = f"a PO box has POSTCODE_TYPE L, not {dpa.postcode_type!r}"
    return [report(ctx, "DPA-POBOX-LARGE-USER", dpa, "postcode_type", message)]


def lengths(dpa: domain.DeliveryPoint, ctx: Context) -> Findings:
    found = [
        report(ctx, "DPA-LENGTHS", dpa, name, f"{name} is longer than {width}")
        for name, width in _WIDTHS
        if too_long(getattr(dpa, name), width)
    ]
    number = dpa.building_number
    if number is not None and number != 0 and not 1 <= number <= BUILDING_NUMBER_MAX:
        message = f"BUILDING_NUMBER {number} is not in 1..{BUILDING_NUMBER_MAX}"
        found.append(report(ctx, "DPA-LENGTHS", dpa, "building_number", message))
    return found


def dps_format(dpa: domain.DeliveryPoint, ctx: Context) -> Findings:
    value = dpa.delivery_point_suffix
    if not present(value) or _DPS.match(value or ""):
        return []
    message = f"DELIVERY_POINT_SUFFIX {value!r} is not a digit and a letter"
    return [report(ctx, "DPA-DPS-FORMAT", dpa, "delivery_point_suffix", message)]


def postcode_pattern(dpa: domain.DeliveryPoint, ctx: Context) -> Findings:
    value = dpa.postcode
    if not present(value) or postcode.is_valid(value or ""):
        return []
    message = f"postcode {value!r} does not match the postcode pattern"
    return [report(ctx, "POST-POSTCODE-PATTERN", dpa, "postcode", message)]


def _checks() -> tuple[Check, ...]:
    table: list[tuple[str, Callable[[domain.DeliveryPoint, Context], Findings]]] = [
        ("DPA-PREMISE-REQUIRED", premise_required),
        *((rule_id, _needs(rule_id, field, needed)) for rule_id, field, needed in _NEEDS),
        ("DPA-MANDATORY", mandatory),
        ("DPA-POBOX-LARGE-USER", po_box_large_user),
        ("DPA-LENGTHS", lengths),
        ("DPA-DPS-FORMAT", dps_format),
        ("POST-POSTCODE-PATTERN", postcode_pattern),
    ]
    return tuple(Check(rule_id=i, record_type=domain.DeliveryPoint, run=run) for i, run in table)


CHECKS: Final = _checks()
