"""Record-level rules for cross references (23), classifications (32), organisations (31),
successors (30) and provenances (22): §4.1 rows 85, 93, 96, 100, 101."""

from __future__ import annotations

from typing import Final

from gazetteer import domain
from gazetteer.validation import blpu, codes
from gazetteer.validation.base import Check, Findings, present, report, too_long
from gazetteer.validation.context import Context
from gazetteer.validation.findings import Format, Severity

ORGANISATION_WIDTH: Final = 100
LEGAL_NAME_WIDTH: Final = 60
SOURCE_WIDTH: Final = 6


def xref_fields(xref: domain.CrossReference, ctx: Context) -> Findings:
    width = 20 if ctx.format is Format.DTF else 50
    fields = (
        ("cross_reference", xref.cross_reference, width),
        ("source", xref.source, SOURCE_WIDTH),
    )
    found = []
    for name, value, limit in fields:
        if not present(value):
            found.append(report(ctx, "XRF-FIELDS", xref, name, f"{name} is required"))
        elif too_long(value, limit):
            message = f"{name} is longer than {limit}"
            found.append(report(ctx, "XRF-FIELDS", xref, name, message))
    return found


def class_code(record: domain.Classification, ctx: Context) -> Findings:
    """A code of the wrong shape is E in both profiles; one outside the scheme list follows §4.1."""
    code = record.classification_code
    if not blpu.CLASSIFICATION_SHAPE.match(code):
        message = f"{code!r} is not a classification code"
        severity = Severity.ERROR
        return [report(ctx, "CLS-CODE", record, "classification_code", message, severity=severity)]
    known = ctx.classification_codes
    if known is None or code in known:
        return []
    message = f"{code!r} is not in the classification scheme"
    return [report(ctx, "CLS-CODE", record, "classification_code", message)]


def organisation_text(org: domain.Organisation, ctx: Context) -> Findings:
    name = org.organisation
    found = []
    if not present(name):
        found.append(report(ctx, "ORG-TEXT", org, "organisation", "ORGANISATION is required"))
    elif len(name) > ORGANISATION_WIDTH or name.startswith(" "):
        message = f"ORGANISATION is longer than {ORGANISATION_WIDTH} or starts with a space"
        found.append(report(ctx, "ORG-TEXT", org, "organisation", message))
    if too_long(org.legal_name, LEGAL_NAME_WIDTH):
        message = f"LEGAL_NAME is longer than {LEGAL_NAME_WIDTH}"
        found.append(report(ctx, "ORG-TEXT", org, "legal_name", message))
    return found


def successor_not_self(successor: domain.Successor, ctx: Context) -> Findings:
    """The SUCCESSOR ≠ UPRN half of SUC-TARGET; whether the successor exists needs the gazetteer."""
    if successor.successor != successor.uprn:
        return []
    return [report(ctx, "SUC-TARGET", successor, "successor", "a UPRN cannot succeed itself")]


def provenance_code(provenance: domain.Provenance, ctx: Context) -> Findings:
    code = provenance.provenance_code
    if code in codes.PROVENANCE_CODES:
        return []
    message = f"PROVENANCE_CODE {code!r} is not one of {sorted(codes.PROVENANCE_CODES)}"
    return [report(ctx, "PRV-CODE", provenance, "provenance_code", message)]


CHECKS: Final[tuple[Check, ...]] = (
    Check(rule_id="XRF-FIELDS", record_type=domain.CrossReference, run=xref_fields),
    Check(rule_id="CLS-CODE", record_type=domain.Classification, run=class_code),
    Check(rule_id="ORG-TEXT", record_type=domain.Organisation, run=organisation_text),
    Check(rule_id="SUC-TARGET", record_type=domain.Successor, run=successor_not_self),
    Check(rule_id="PRV-CODE", record_type=domain.Provenance, run=provenance_code),
)
