"""Structural checks of the reader: counters kept while streaming and the findings they yield.

Codes follow gazetteer-standards §4.1 (rows 1–13 and 138). Every finding names the file, the
physical line, the record type, the key, the field and a stable code.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final

from loaders import layouts, model
from loaders.readers import convert, csvdialect, supply

SUSPECT_MIN_ROWS: Final = 5
PRO_ORDER_DIGITS: Final = 16


@dataclass(kw_only=True, slots=True)
class _Tally:
    count: int = 0
    first_line: int = 0

    def add(self, line: int) -> None:
        if self.count == 0:
            self.first_line = line
        self.count += 1


@dataclass(kw_only=True, slots=True)
class _RecordStats:
    rows: int = 0
    both_dates: int = 0
    entry_after_update: int = 0
    check_misses: int = 0
    alternative_hits: dict[str, int] = field(default_factory=dict)


@dataclass(kw_only=True, slots=True)
class PartStats:
    """Counters for one source while it streams."""

    part: supply.Part
    layout: layouts.Layout
    rows: int = 0
    number_errors: int = 0
    last_pro_order: int | None = None
    pro_order_regressions: _Tally = field(default_factory=_Tally)
    skipped: dict[tuple[str, bool], _Tally] = field(default_factory=dict)
    extra_fields: dict[str, _Tally] = field(default_factory=dict)
    records: dict[str, _RecordStats] = field(default_factory=dict)

    def skip(self, rid: str, line: int, *, known: bool) -> None:
        self.skipped.setdefault((rid, known), _Tally()).add(line)

    def observe(self, record: layouts.RecordLayout, fields: list[str]) -> None:
        """Raw plausibility counters for FILE-LAYOUT-SUSPECT (§4.1 row 138)."""
        stats = self.records.setdefault(record.record_id, _RecordStats())
        stats.rows += 1
        entry = _raw(record, fields, "entry_date")
        update = _raw(record, fields, "last_update_date")
        if entry and update and len(entry) == len(update) == 10:
            stats.both_dates += 1
            stats.entry_after_update += entry > update
        if record.check_column is not None:
            self._observe_check(stats, record, fields)

    def _observe_check(
        self, stats: _RecordStats, record: layouts.RecordLayout, fields: list[str]
    ) -> None:
        position = record.column(record.check_column or "").position
        stats.check_misses += fields[position] not in record.check_values
        for other in layouts.for_format(self.layout.format):
            alt = other.record(record.record_id)
            if other is self.layout or alt is None or alt.check_column is None:
                continue
            alt_position = alt.column(alt.check_column).position
            hit = alt_position < len(fields) and fields[alt_position] in alt.check_values
            version = other.schema_version
            stats.alternative_hits[version] = stats.alternative_hits.get(version, 0) + hit


def _raw(record: layouts.RecordLayout, fields: list[str], name: str) -> str | None:
    position = record.position_of_field(name)
    return None if position is None else fields[position]


def finding(
    stats: PartStats,
    line: int | None,
    rid: str | None,
    *,
    code: str,
    severity: model.Severity,
    message: str,
    key: str | None = None,
    column: str | None = None,
) -> model.LoadFinding:
    return model.finding(
        code=code,
        severity=severity,
        message=message,
        file=stats.part.name,
        line=line,
        record_type=rid,
        key=key,
        field=column,
    )


def row_finding(
    stats: PartStats,
    line: int,
    record: layouts.RecordLayout,
    *,
    key: str | None,
    code: str,
    severity: model.Severity,
    column: str | None,
    message: str,
) -> model.LoadFinding:
    return finding(
        stats,
        line,
        record.record_id,
        code=code,
        severity=severity,
        message=message,
        key=key,
        column=column,
    )


def key_text(record: layouts.RecordLayout, fields: list[str]) -> str | None:
    """The row's key as text (``"100023336956"``, ``"12345/ENG"``), for findings."""
    parts: list[str] = []
    for name in record.key:
        position = record.position_of_field(name)
        if position is None or position >= len(fields):
            return None
        parts.append(fields[position])
    return "/".join(parts) if parts else None


def field_count(
    stats: PartStats,
    line: int,
    record: layouts.RecordLayout,
    fields: list[str],
    *,
    extra_policy: str,
) -> model.LoadFinding | None:
    expected, got = record.field_count, len(fields)
    if got == expected:
        return None
    if got > expected and extra_policy == "warn":
        stats.extra_fields.setdefault(record.record_id, _Tally()).add(line)
        return None
    message = (
        f"record {record.record_id} ({record.name}) has {got} fields; "
        f"schema {stats.layout.format} {stats.layout.schema_version} expects {expected}"
    )
    return row_finding(
        stats,
        line,
        record,
        key=key_text(record, fields),
        code="FILE-FIELD-COUNT",
        severity="E",
        column=None,
        message=message,
    )


def metadata_count(
    stats: PartStats, line: int, record: layouts.RecordLayout, fields: list[str]
) -> model.LoadFinding:
    """The metadata record (29) is kept as text and its layout is unverified for ABP v1 and
    DTF (§5.2.7): another field count is a warning; missing fields are empty, extras ignored."""
    return row_finding(
        stats,
        line,
        record,
        key=None,
        code="FILE-FIELD-COUNT",
        severity="W",
        column=None,
        message=f"record 29 (metadata) has {len(fields)} fields; schema "
        f"{stats.layout.format} {stats.layout.schema_version} expects {record.field_count}: "
        "read by position, missing fields empty, extra fields ignored",
    )


def bad_field(
    stats: PartStats,
    line: int,
    record: layouts.RecordLayout,
    key: str | None,
    bad: convert.BadField,
) -> model.LoadFinding:
    return row_finding(
        stats,
        line,
        record,
        key=key,
        code=bad.code,
        severity="E",
        column=bad.column,
        message=bad.message,
    )


def pro_order(
    stats: PartStats, line: int, record: layouts.RecordLayout, fields: list[str]
) -> Iterator[model.LoadFinding]:
    raw = fields[2]
    try:
        value = convert.to_int(raw)
    except convert.FieldError:
        value = None
    key = None if value is not None and len(raw) <= PRO_ORDER_DIGITS else key_text(record, fields)
    if value is None:
        yield row_finding(
            stats,
            line,
            record,
            key=key,
            code="FILE-PRO-ORDER",
            severity="E",
            column="PRO_ORDER",
            message=f"PRO_ORDER {raw!r} is not a whole number",
        )
        return
    if len(raw.lstrip("+-")) > PRO_ORDER_DIGITS:
        yield row_finding(
            stats,
            line,
            record,
            key=key,
            code="FILE-PRO-ORDER",
            severity="W",
            column="PRO_ORDER",
            message=f"PRO_ORDER {raw!r} has more than {PRO_ORDER_DIGITS} digits",
        )
    if stats.last_pro_order is not None and value <= stats.last_pro_order:
        stats.pro_order_regressions.add(line)
    stats.last_pro_order = value


def header_not_first(stats: PartStats, line: int, rid: str) -> model.LoadFinding:
    return finding(
        stats,
        line,
        rid,
        code="FILE-HEADER-FIRST",
        severity="E",
        message=f"the file starts with record {rid!r}, not a header record (10)",
    )


def after_trailer(stats: PartStats, line: int, rid: str) -> model.LoadFinding:
    return finding(
        stats,
        line,
        rid,
        code="FILE-TRAILER-LAST",
        severity="E",
        message="a data record after the trailer record (99)",
    )


def header_names(stats: PartStats, line: int, fields: list[str]) -> Iterator[model.LoadFinding]:
    """A header-name row must match the layout, through the alias table (§5.2.7): W if not."""
    rid = stats.part.record_id
    record = stats.layout.record(rid) if rid else None
    if record is None:
        return
    names = [stats.layout.canonical_name(f) for f in fields]
    expected = [stats.layout.canonical_name(c.name) for c in record.columns]
    if names == expected:
        return
    diffs = [
        f"{i}: {a} != {b}" for i, (a, b) in enumerate(zip(names, expected, strict=False)) if a != b
    ]
    if len(names) != len(expected):
        diffs.append(f"{len(names)} names for {len(expected)} columns")
    message = (
        f"header row does not match the {stats.layout.format} "
        f"{stats.layout.schema_version} layout of record {rid} ({'; '.join(diffs[:5])}); "
        "columns are read by position"
    )
    yield finding(stats, line, rid, code="FILE-LAYOUT-SUSPECT", severity="W", message=message)


def encoding(
    part: supply.Part, stream: csvdialect.CsvStream, fallback: str | None
) -> Iterator[model.LoadFinding]:
    for line in stream.encoding_error_lines:
        yield model.finding(
            code="FILE-ENCODING",
            severity="E",
            file=part.name,
            line=line,
            message="the line is not valid UTF-8",
        )
    hidden = stream.encoding_error_count - len(stream.encoding_error_lines)
    if hidden > 0:
        yield model.finding(
            code="FILE-ENCODING",
            severity="E",
            file=part.name,
            message=f"{hidden} more lines are not valid UTF-8",
        )
    for line in stream.nul_lines:
        yield model.finding(
            code="FILE-ENCODING",
            severity="E",
            file=part.name,
            line=line,
            message="the line holds a NUL character (byte 0x00), which no text field may hold",
        )
    if stream.utf16:
        yield model.finding(
            code="FILE-ENCODING",
            severity="W",
            file=part.name,
            line=1,
            message="the file is UTF-16 (it starts with a UTF-16 byte order mark), not UTF-8; "
            "it was read as UTF-16",
        )
    if stream.fallback_lines:
        yield model.finding(
            code="FILE-ENCODING",
            severity="W",
            file=part.name,
            line=stream.fallback_lines[0],
            message=f"{len(stream.fallback_lines)} or more lines are not UTF-8; "
            f"read them as {fallback}",
        )
