"""The per-file summaries of the reader's structural checks, yielded once a file has streamed.

Skipped record identifiers (FILE-RECORD-ID-KNOWN), rows with extra fields (FILE-FIELD-COUNT),
PRO_ORDER that does not increase (FILE-PRO-ORDER) and the layout plausibility counters
(FILE-LAYOUT-SUSPECT, gazetteer-standards §4.1 row 138), read from the counters
:class:`loaders.readers.checks.PartStats` kept while the file streamed.
"""

from __future__ import annotations

from collections.abc import Iterator

from loaders import layouts, model
from loaders.readers import checks


def part_findings(stats: checks.PartStats) -> Iterator[model.LoadFinding]:
    """The per-file summaries: skipped records, extra fields, order and layout plausibility."""
    for (rid, known), tally in stats.skipped.items():
        what = "is not loaded" if known else "is not a known record identifier"
        yield checks.finding(
            stats,
            tally.first_line,
            rid,
            code="FILE-RECORD-ID-KNOWN",
            severity="W",
            message=f"record {rid!r} {what}: {tally.count} rows skipped",
        )
    for rid, tally in stats.extra_fields.items():
        yield checks.finding(
            stats,
            tally.first_line,
            rid,
            code="FILE-FIELD-COUNT",
            severity="W",
            message=f"{tally.count} rows have more fields than the layout; extras ignored",
        )
    regressions = stats.pro_order_regressions
    if regressions.count:
        yield checks.finding(
            stats,
            regressions.first_line,
            None,
            code="FILE-PRO-ORDER",
            severity="W",
            message=f"PRO_ORDER does not increase on {regressions.count} rows",
        )
    for rid, record_stats in stats.records.items():
        yield from _suspect(stats, rid, record_stats)
    if stats.number_errors >= checks.SUSPECT_MIN_ROWS and stats.number_errors * 2 > stats.rows:
        yield checks.finding(
            stats,
            None,
            None,
            code="FILE-LAYOUT-SUSPECT",
            severity="E",
            message=f"{stats.number_errors} of {stats.rows} rows have letters in number "
            f"columns: the file does not look like {stats.layout.format} "
            f"{stats.layout.schema_version}",
        )


def _suspect(
    stats: checks.PartStats, rid: str, rec: checks._RecordStats
) -> Iterator[model.LoadFinding]:
    layout = stats.layout
    if rec.both_dates >= checks.SUSPECT_MIN_ROWS and rec.entry_after_update * 2 > rec.both_dates:
        yield checks.finding(
            stats,
            None,
            rid,
            code="FILE-LAYOUT-SUSPECT",
            severity="E",
            message=f"ENTRY_DATE is later than LAST_UPDATE_DATE on {rec.entry_after_update} "
            f"of {rec.both_dates} rows of record {rid}: the two columns look swapped in the "
            f"{layout.format} {layout.schema_version} layout",
            column="ENTRY_DATE",
        )
    if rec.rows and rec.check_misses * 2 > rec.rows:
        record = layout.records[rid]
        yield checks.finding(
            stats,
            None,
            rid,
            code="FILE-LAYOUT-SUSPECT",
            severity="E",
            message=_check_message(layout, record, rec),
            column=record.check_column,
        )


def _check_message(
    layout: layouts.Layout, record: layouts.RecordLayout, rec: checks._RecordStats
) -> str:
    column = record.check_column or ""
    position = record.column(column).position
    text = (
        f"{column} (position {position}) is not one of {sorted(record.check_values)} on "
        f"{rec.check_misses} of {rec.rows} rows of record {record.record_id}: these rows do "
        f"not fit the {layout.format} schema {layout.schema_version} layout"
    )
    best = max(rec.alternative_hits.items(), key=lambda kv: kv[1], default=None)
    if best is not None and best[1] * 2 > rec.rows:
        text += (
            f"; they look like schema {best[0]} rows (probable v{layout.schema_version}/"
            f"v{best[0]} swap)"
        )
    return text
