"""Rules that apply to every record type: identifiers (ID-*), dates (DATE-*) and text (TXT-*)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import itertools
import re
from collections.abc import Iterator
from typing import Final

from gazetteer import domain
from gazetteer.validation import base, findings
from gazetteer.validation.base import Check, Findings, report
from gazetteer.validation.context import Context
from gazetteer.validation.findings import Record, Severity

_UPRN_FIELDS: Final[dict[type, tuple[str, ...]]] = {
    domain.Blpu: ("uprn", "parent_uprn"),
    domain.Successor: ("uprn", "successor"),
    domain.DeliveryPoint: ("uprn", "parent_addressable_uprn"),
}
_KEY_FIELDS: Final[dict[type, tuple[str, str | None]]] = {
    domain.Lpi: ("lpi_key", "L"),
    domain.CrossReference: ("xref_key", "X"),
    domain.Classification: ("class_key", "C"),
    domain.Organisation: ("org_key", "O"),
    domain.Successor: ("succ_key", "S"),
    domain.Provenance: ("prov_key", None),  # [UNVERIFIED] pattern: only the length is checked
}
_KEY_PATTERN: Final = re.compile(r"^\d{4}[LXCOS]\d{9}$")
_KEY_WIDTH: Final = 14
_NOT_FUTURE: Final = ("start_date", "end_date", "blpu_state_date", "state_date", "last_update_date")
DATE_MIN: Final = dt.date(1753, 1, 1)
_PUNCTUATION_FIELDS: Final[dict[type, tuple[str, ...]]] = {
    domain.Lpi: ("pao_text", "sao_text"),
    domain.Organisation: ("organisation", "legal_name"),
    domain.Blpu: ("organisation",),
    domain.DeliveryPoint: ("organisation_name",),
}
_PUNCTUATION: Final = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_BRACKETS: Final = {")": "(", "]": "[", "}": "{"}
_GOVTALK_AON: Final = re.compile(r"^[A-Za-z0-9:;<=>?@%&'()*+,\-. ]{1,90}$")
CHARSET: Final = "iso8859_14"


@functools.cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(field.name for field in dataclasses.fields(kind))


def _dates(record: Record) -> Iterator[tuple[str, dt.date]]:
    kind: type = type(record)
    for name in _field_names(kind):
        value = getattr(record, name)
        if isinstance(value, dt.date):
            yield name, value


def _texts(record: Record) -> Iterator[tuple[str, str]]:
    kind: type = type(record)
    for name in _field_names(kind):
        value = getattr(record, name)
        if isinstance(value, str):
            yield name, value


def _in_range(value: int | None, upper: int) -> bool:
    return value is None or 1 <= value <= upper


def uprn_range(record: Record, ctx: Context) -> Findings:
    names = _UPRN_FIELDS.get(type(record), ("uprn",))
    return [
        report(ctx, "ID-UPRN", record, name, f"{name} {value} is not in 1..{domain.UPRN_MAX}")
        for name in names
        if not _in_range(value := getattr(record, name), domain.UPRN_MAX)
    ]


def usrn_range(
    record: domain.Street | domain.StreetDescriptor | domain.Lpi, ctx: Context
) -> Findings:
    if _in_range(record.usrn, domain.USRN_MAX):
        return []
    return [report(ctx, "ID-USRN", record, "usrn", f"USRN {record.usrn} is out of range")]


def udprn_range(record: domain.DeliveryPoint, ctx: Context) -> Findings:
    if _in_range(record.udprn, domain.UDPRN_MAX):
        return []
    return [report(ctx, "ID-UDPRN", record, "udprn", f"UDPRN {record.udprn} is out of range")]


def key_format(record: Record, ctx: Context) -> Findings:
    name, letter = _KEY_FIELDS[type(record)]
    value: str = getattr(record, name)
    if len(value) != _KEY_WIDTH:
        message = f"{name} {value!r} is not {_KEY_WIDTH} characters"
        return [report(ctx, "ID-KEY-FORMAT", record, name, message, severity=Severity.ERROR)]
    if letter is None or (_KEY_PATTERN.match(value) and value[4] == letter):
        return []
    message = f"{name} {value!r} is not a custodian code, {letter} and a 9-digit sequence"
    return [report(ctx, "ID-KEY-FORMAT", record, name, message)]


def date_min(record: Record, ctx: Context) -> Findings:
    return [
        report(ctx, "DATE-MIN", record, name, f"{name} {value} is before {DATE_MIN}")
        for name, value in _dates(record)
        if value < DATE_MIN
    ]


def date_not_future(record: Record, ctx: Context) -> Findings:
    as_of = ctx.as_of
    if as_of is None:
        return []
    dates = ((name, getattr(record, name, None)) for name in _NOT_FUTURE)
    return [
        report(ctx, "DATE-NOT-FUTURE", record, name, f"{name} {value} is after {as_of}")
        for name, value in dates
        if value is not None and value > as_of
    ]


def end_after_start(record: Record, ctx: Context) -> Findings:
    start, end = record.start_date, record.end_date
    if start is None or end is None or end >= start:
        return []
    message = f"end_date {end} is before start_date {start}"
    return [report(ctx, "DATE-END-AFTER-START", record, "end_date", message)]


def last_update(record: Record, ctx: Context) -> Findings:
    updated = record.last_update_date
    if updated is None:
        return []
    earlier = (("entry_date", record.entry_date), ("start_date", record.start_date))
    return [
        report(ctx, "DATE-LAST-UPDATE", record, "last_update_date", f"before {name} {value}")
        for name, value in earlier
        if value is not None and updated < value
    ]


def charset(record: Record, ctx: Context) -> Findings:
    found = []
    for name, value in _texts(record):
        if value.isascii():  # ISO-8859-14 holds all of ASCII: nothing to encode
            continue
        try:
            value.encode(CHARSET)
        except UnicodeEncodeError:
            message = f"{name} has characters outside ISO-8859-14"
            found.append(report(ctx, "TXT-CHARSET", record, name, message))
    return found


def spacing(record: Record, ctx: Context) -> Findings:
    return [
        report(ctx, "TXT-SPACING", record, name, f"{name} has a leading, trailing or double space")
        for name, value in _texts(record)
        if value != value.strip() or "  " in value
    ]


def punctuation_problem(text: str) -> str | None:
    """Why ``text`` breaks TXT-PUNCTUATION: a repeated punctuation mark or unbalanced brackets."""
    for before, after in itertools.pairwise(text):
        if before == after and before in _PUNCTUATION:
            return f"{before!r} appears twice in a row"
    stack: list[str] = []
    for char in text:
        if char in "([{":
            stack.append(char)
        elif char in _BRACKETS and (not stack or stack.pop() != _BRACKETS[char]):
            return "brackets do not balance"
    return "brackets do not balance" if stack else None


def punctuation(record: Record, ctx: Context) -> Findings:
    found = []
    for name in _PUNCTUATION_FIELDS[type(record)]:
        value = getattr(record, name)
        problem = value and punctuation_problem(value)
        if problem:
            found.append(report(ctx, "TXT-PUNCTUATION", record, name, f"{name}: {problem}"))
    return found


def govtalk_aon(record: domain.Lpi, ctx: Context) -> Findings:
    return [
        report(ctx, "TXT-GOVTALK-AON", record, name, f"{name} is outside the govtalk set")
        for name in ("pao_text", "sao_text")
        if base.present(value := getattr(record, name)) and not _GOVTALK_AON.match(value)
    ]


_ALL: Final = tuple(findings.RECORD_TYPES)
_WITH_UPRN: Final = tuple(k for k in _ALL if k not in {domain.Street, domain.StreetDescriptor})
CHECKS: Final[tuple[Check, ...]] = (
    *base.for_types("ID-UPRN", uprn_range, *_WITH_UPRN),
    *base.for_types("ID-USRN", usrn_range, domain.Street, domain.StreetDescriptor, domain.Lpi),
    Check(rule_id="ID-UDPRN", record_type=domain.DeliveryPoint, run=udprn_range),
    *base.for_types("ID-KEY-FORMAT", key_format, *_KEY_FIELDS),
    *base.for_types("DATE-MIN", date_min, *_ALL),
    *base.for_types("DATE-NOT-FUTURE", date_not_future, *_ALL),
    *base.for_types("DATE-END-AFTER-START", end_after_start, *_ALL),
    *base.for_types("DATE-LAST-UPDATE", last_update, *_ALL),
    *base.for_types("TXT-CHARSET", charset, *_ALL),
    *base.for_types("TXT-SPACING", spacing, *_ALL),
    *base.for_types("TXT-PUNCTUATION", punctuation, *_PUNCTUATION_FIELDS),
    Check(rule_id="TXT-GOVTALK-AON", record_type=domain.Lpi, run=govtalk_aon),
)
