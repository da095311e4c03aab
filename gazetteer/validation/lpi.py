"""Record-level LPI rules (§4.1 rows 37–49, 59, 62, 66–71): the PAO/SAO chains, codes, postal flags.

A number of 0 counts as absent (§3.2): LPI-NUM-RANGE reports it with a W in both profiles, and the
other rules treat it as missing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Final

from gazetteer import domain, postcode
from gazetteer.validation import blpu, codes
from gazetteer.validation.base import Check, Findings, present, report, too_long
from gazetteer.validation.context import Context
from gazetteer.validation.findings import Format, Profile, Severity

NUMBER_MAX: Final = 9999
_OBJECTS: Final = ("pao", "sao")
PARTS: Final = ("start_number", "start_suffix", "end_number", "end_suffix", "text")
_SUFFIX: Final = re.compile(r"^[A-Z]+$")
_DIGITS: Final = re.compile(r"^[0-9]+$")
_WIDTHS: Final = (("pao_text", 90), ("sao_text", 90), ("level", 30), ("area_name", 40))
_DTF_WIDTHS: Final = (("post_town", 30), ("postcode", 8))
NEEDS_BOTH_FLAGS: Final = frozenset({"Y", "A", "L", "P"})


def _has(lpi: domain.Lpi, name: str) -> bool:
    return present(getattr(lpi, name))


def has_pao(lpi: domain.Lpi) -> bool:
    return _has(lpi, "pao_start_number") or _has(lpi, "pao_text")


def sao_fields(lpi: domain.Lpi) -> list[str]:
    """The SAO fields present on ``lpi``."""
    return [f"sao_{part}" for part in PARTS if _has(lpi, f"sao_{part}")]


def _numbers(lpi: domain.Lpi) -> Iterator[tuple[str, int | None]]:
    for obj in _OBJECTS:
        for part in ("start_number", "end_number"):
            yield f"{obj}_{part}", getattr(lpi, f"{obj}_{part}")


def _suffixes(lpi: domain.Lpi) -> Iterator[tuple[str, str]]:
    for obj in _OBJECTS:
        for part in ("start_suffix", "end_suffix"):
            value = getattr(lpi, f"{obj}_{part}")
            if present(value):
                yield f"{obj}_{part}", value


def status_code(lpi: domain.Lpi, ctx: Context) -> Findings:
    if lpi.logical_status in codes.LPI_STATUSES:
        return []
    message = f"LPI status {lpi.logical_status!r} is not one of {sorted(codes.LPI_STATUSES)}"
    return [report(ctx, "LPI-STATUS-CODE", lpi, "logical_status", message)]


def end_iff_closed(lpi: domain.Lpi, ctx: Context) -> Findings:
    return blpu.end_iff_closed(lpi, ctx, rule_id="LPI-END-IFF-CLOSED")


def pao_required(lpi: domain.Lpi, ctx: Context) -> Findings:
    if has_pao(lpi):
        return []
    message = "a PAO needs PAO_START_NUMBER or PAO_TEXT"
    return [report(ctx, "LPI-PAO-REQUIRED", lpi, "pao_start_number", message)]


def sao_needs_pao(lpi: domain.Lpi, ctx: Context) -> Findings:
    fields = sao_fields(lpi)
    if not fields or has_pao(lpi):
        return []
    message = "a SAO needs a PAO start number or text"
    return [report(ctx, "LPI-SAO-NEEDS-PAO", lpi, fields[0], message)]


def number_range(lpi: domain.Lpi, ctx: Context) -> Findings:
    found = []
    for name, value in _numbers(lpi):
        if value == 0:
            message = f"{name} 0 is read as absent"
            found.append(
                report(ctx, "LPI-NUM-RANGE", lpi, name, message, severity=Severity.WARNING)
            )
        elif value is not None and not 1 <= value <= NUMBER_MAX:
            message = f"{name} {value} is not in 1..{NUMBER_MAX}"
            found.append(report(ctx, "LPI-NUM-RANGE", lpi, name, message))
    return found


def end_needs_start(lpi: domain.Lpi, ctx: Context) -> Findings:
    return [
        report(ctx, "LPI-END-NEEDS-START", lpi, f"{o}_end_number", "an end number needs a start")
        for o in _OBJECTS
        if _has(lpi, f"{o}_end_number") and not _has(lpi, f"{o}_start_number")
    ]


def end_gt_start(lpi: domain.Lpi, ctx: Context) -> Findings:
    found = []
    for obj in _OBJECTS:
        start, end = getattr(lpi, f"{obj}_start_number"), getattr(lpi, f"{obj}_end_number")
        if present(start) and present(end) and end <= start:
            message = f"end number {end} is not greater than start number {start}"
            found.append(report(ctx, "LPI-END-GT-START", lpi, f"{obj}_end_number", message))
    return found


def suffix_needs_number(lpi: domain.Lpi, ctx: Context) -> Findings:
    return [
        report(ctx, "LPI-SUFFIX-NEEDS-NUMBER", lpi, name, f"{name} needs its number")
        for name, _ in _suffixes(lpi)
        if not _has(lpi, name.replace("suffix", "number"))
    ]


def suffix_charset(lpi: domain.Lpi, ctx: Context) -> Findings:
    return [
        report(ctx, "LPI-SUFFIX-CHARSET", lpi, name, f"{name} {value!r} is not A-Z only")
        for name, value in _suffixes(lpi)
        if not _SUFFIX.match(value)
    ]


def suffix_width(lpi: domain.Lpi, ctx: Context) -> int:
    """ABP allows 2 characters; GeoPlace 1, or 2 for a Welsh authority (or a CYM LPI)."""
    abp_ingest = ctx.format.is_abp and ctx.profile is Profile.INGEST
    return 2 if abp_ingest or ctx.is_welsh or lpi.language == domain.LANGUAGE_WELSH else 1


def suffix_length(lpi: domain.Lpi, ctx: Context) -> Findings:
    width = suffix_width(lpi, ctx)
    return [
        report(ctx, "LPI-SUFFIX-LENGTH", lpi, name, f"{name} is longer than {width}")
        for name, value in _suffixes(lpi)
        if len(value) > width
    ]


def text_length(lpi: domain.Lpi, ctx: Context) -> Findings:
    widths = _WIDTHS + (_DTF_WIDTHS if ctx.format is Format.DTF else ())
    return [
        report(ctx, "LPI-TEXT-LENGTH", lpi, name, f"{name} is longer than {width}")
        for name, width in widths
        if too_long(getattr(lpi, name), width)
    ]


def text_not_number(lpi: domain.Lpi, ctx: Context) -> Findings:
    return [
        report(ctx, "LPI-TEXT-NOT-NUMBER", lpi, name, f"{name} is a number: use the number fields")
        for name in ("pao_text", "sao_text")
        if _DIGITS.match((getattr(lpi, name) or "").strip())
    ]


def pao_sao_differ(lpi: domain.Lpi, ctx: Context) -> Findings:
    pao, sao = lpi.pao_text, lpi.sao_text
    if not (present(pao) and present(sao)) or str(pao).casefold() != str(sao).casefold():
        return []
    return [report(ctx, "LPI-PAO-SAO-DIFFER", lpi, "sao_text", "SAO_TEXT repeats PAO_TEXT")]


def street_record_shape(lpi: domain.Lpi, ctx: Context) -> Findings:
    if lpi.pao_text != codes.STREET_RECORD:
        return []
    extra = [n for n, v in _numbers(lpi) if present(v)] + [n for n, _ in _suffixes(lpi)]
    extra += ["sao_text"] if _has(lpi, "sao_text") else []
    return [
        report(ctx, "LPI-STREET-RECORD-SHAPE", lpi, name, f"a STREET RECORD has no {name}")
        for name in extra
    ]


def language_code(lpi: domain.Lpi, ctx: Context) -> Findings:
    if lpi.language in codes.LANGUAGES:
        return []
    old = lpi.language in codes.LANGUAGES_WARN
    severity = Severity.WARNING if old else None
    message = f"language {lpi.language!r} is {'a DTF-era code' if old else 'unknown'}"
    return [report(ctx, "LPI-LANGUAGE-CODE", lpi, "language", message, severity=severity)]


def official_flag(lpi: domain.Lpi, ctx: Context) -> Findings:
    flag = lpi.official_flag
    if not present(flag) or flag in codes.OFFICIAL_FLAGS:
        return []
    return [report(ctx, "LPI-OFFICIAL-FLAG", lpi, "official_flag", f"unknown flag {flag!r}")]


def match_indicator(lpi: domain.Lpi, ctx: Context) -> Findings:
    value = lpi.usrn_match_indicator
    if not ctx.format.is_abp or value in codes.MATCH_INDICATORS:
        return []
    message = f"USRN_MATCH_INDICATOR {value!r} is not 1 or 2"
    return [report(ctx, "LPI-MATCH-INDICATOR", lpi, "usrn_match_indicator", message)]


def postal_flag_code(lpi: domain.Lpi, ctx: Context) -> Findings:
    flag = lpi.postal_address
    if ctx.format is not Format.DTF and flag is None:
        return []
    allowed = codes.POSTAL_FLAGS_OSG if ctx.osg else codes.POSTAL_FLAGS
    if flag in allowed:
        return []
    message = f"POSTAL_ADDRESS {flag!r} is not one of {sorted(allowed)}"
    return [report(ctx, "POST-FLAG-CODE", lpi, "postal_address", message)]


def postal_n_empty(lpi: domain.Lpi, ctx: Context) -> Findings:
    if lpi.postal_address != "N":
        return []
    return [
        report(ctx, "POST-FLAG-N-EMPTY", lpi, name, f"a non-postal LPI has no {name}")
        for name in ("postcode", "post_town")
        if _has(lpi, name)
    ]


def postal_needs_both(lpi: domain.Lpi, ctx: Context) -> Findings:
    if lpi.postal_address not in NEEDS_BOTH_FLAGS:
        return []
    return [
        report(ctx, "POST-FLAG-NEEDS-BOTH", lpi, name, f"POSTAL_ADDRESS needs a {name}")
        for name in ("postcode", "post_town")
        if not _has(lpi, name)
    ]


def postcode_pattern(lpi: domain.Lpi, ctx: Context) -> Findings:
    """Pseudo postcodes (flag P) are checked against the pattern only [UNVERIFIED]."""
    value = lpi.postcode
    if not present(value) or postcode.is_valid(value or ""):
        return []
    message = f"postcode {value!r} does not match the postcode pattern"
    return [report(ctx, "POST-POSTCODE-PATTERN", lpi, "postcode", message)]


def _checks() -> tuple[Check, ...]:
    table: dict[str, Callable[[domain.Lpi, Context], Findings]] = {
        "LPI-STATUS-CODE": status_code,
        "LPI-END-IFF-CLOSED": end_iff_closed,
        "LPI-PAO-REQUIRED": pao_required,
        "LPI-SAO-NEEDS-PAO": sao_needs_pao,
        "LPI-NUM-RANGE": number_range,
        "LPI-END-NEEDS-START": end_needs_start,
        "LPI-END-GT-START": end_gt_start,
        "LPI-SUFFIX-NEEDS-NUMBER": suffix_needs_number,
        "LPI-SUFFIX-CHARSET": suffix_charset,
        "LPI-SUFFIX-LENGTH": suffix_length,
        "LPI-TEXT-LENGTH": text_length,
        "LPI-TEXT-NOT-NUMBER": text_not_number,
        "LPI-PAO-SAO-DIFFER": pao_sao_differ,
        "LPI-STREET-RECORD-SHAPE": street_record_shape,
        "LPI-LANGUAGE-CODE": language_code,
        "LPI-OFFICIAL-FLAG": official_flag,
        "LPI-MATCH-INDICATOR": match_indicator,
        "POST-FLAG-CODE": postal_flag_code,
        "POST-FLAG-N-EMPTY": postal_n_empty,
        "POST-FLAG-NEEDS-BOTH": postal_needs_both,
        "POST-POSTCODE-PATTERN": postcode_pattern,
    }
    return tuple(Check(rule_id=i, record_type=domain.Lpi, run=run) for i, run in table.items())


CHECKS: Final = _checks()
