"""Lifecycle rules comparing a record with its live pre-image (§4.1 rows 98, 135–137).

The pre-image comes from ``context.lookups`` (the live gazetteer before the change), never from the
batch view. :func:`check_change` judges one pair directly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from gazetteer import domain
from gazetteer.validation import codes, rules
from gazetteer.validation.base import Check, Findings, report
from gazetteer.validation.context import Context
from gazetteer.validation.findings import Record

HISTORICAL: Final = "8"
FROZEN_FIELDS: Final = (
    *(f"{o}_{p}" for o in ("pao", "sao") for p in ("start_number", "start_suffix")),
    *(f"{o}_{p}" for o in ("pao", "sao") for p in ("end_number", "end_suffix", "text")),
    "usrn",
    "level",
    "postcode",
    "post_town",
)


def rejected_terminal(
    before: domain.Blpu | domain.Lpi, after: domain.Blpu | domain.Lpi, ctx: Context
) -> Findings:
    if before.logical_status not in codes.TERMINAL_STATUSES:
        return []
    if after.logical_status == before.logical_status:
        return []
    message = f"status {before.logical_status} is terminal: it cannot become {after.logical_status}"
    return [report(ctx, "LIFE-REJECTED-TERMINAL", after, "logical_status", message)]


def historic_frozen(before: domain.Lpi, after: domain.Lpi, ctx: Context) -> Findings:
    if before.logical_status != HISTORICAL:
        return []
    return [
        report(ctx, "LIFE-HISTORIC-FROZEN", after, name, f"a historical LPI keeps its {name}")
        for name in FROZEN_FIELDS
        if getattr(before, name) != getattr(after, name)
    ]


def historic_postcode(before: domain.Lpi, after: domain.Lpi, ctx: Context) -> Findings:
    if before.logical_status == HISTORICAL or after.logical_status != HISTORICAL:
        return []
    if before.postcode == after.postcode:
        return []
    message = "an update that makes an LPI historical does not change its postcode"
    return [report(ctx, "LIFE-HISTORIC-POSTCODE", after, "postcode", message)]


def xref_no_reparent(
    before: domain.CrossReference, after: domain.CrossReference, ctx: Context
) -> Findings:
    if before.uprn == after.uprn:
        return []
    message = f"an update moves the cross reference from UPRN {before.uprn} to {after.uprn}"
    return [report(ctx, "XRF-NO-REPARENT", after, "uprn", message)]


Pair = Callable[[Any, Any, Context], Findings]
_PAIRS: Final[tuple[tuple[str, type, Pair], ...]] = (
    ("LIFE-REJECTED-TERMINAL", domain.Blpu, rejected_terminal),
    ("LIFE-REJECTED-TERMINAL", domain.Lpi, rejected_terminal),
    ("LIFE-HISTORIC-FROZEN", domain.Lpi, historic_frozen),
    ("LIFE-HISTORIC-POSTCODE", domain.Lpi, historic_postcode),
    ("XRF-NO-REPARENT", domain.CrossReference, xref_no_reparent),
)


def pre_image(record: Record, ctx: Context) -> Record | None:
    """The live record with the same key, before this change."""
    match record:
        case domain.Blpu():
            return ctx.lookups.blpu(record.uprn)
        case domain.Lpi():
            return ctx.lookups.lpi(record.lpi_key)
        case domain.CrossReference():
            return ctx.lookups.cross_reference(record.xref_key)
        case _:
            return None


def _against_live(pair: Pair) -> Callable[[Record, Context], Findings]:
    def run(record: Record, ctx: Context) -> Findings:
        before = pre_image(record, ctx)
        return pair(before, record, ctx) if before is not None else []

    return run


def check_change(before: Record, after: Record, ctx: Context) -> Findings:
    """Every lifecycle rule the profile runs, for one record and its pre-image."""
    found: Findings = []
    for rule_id, kind, pair in _PAIRS:
        applies = rules.severity(rule_id, ctx.profile) is not None
        if applies and isinstance(before, kind) and isinstance(after, kind):
            found += pair(before, after, ctx)
    return found


CHECKS: Final[tuple[Check, ...]] = tuple(
    Check(rule_id=rule_id, record_type=kind, run=_against_live(pair))
    for rule_id, kind, pair in _PAIRS
)
