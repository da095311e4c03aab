"""The fast staging path of an ABP supply on PostgreSQL: raw rows to ``COPY``, checks in SQL.

Python splits each row (the C ``csv`` module, the same dialect as the precise reader) and routes
it by its record identifier to a ``COPY ... FROM STDIN`` of a raw text stage; the only per-row
Python work is the routing, the field count, CHANGE_TYPE and PRO_ORDER. The header, metadata and
trailer records (and anything unusual) go through the precise reader's own row logic. Numbers,
dates, required fields and the layout's plausibility are then checked set-based, and the typed
stage tables are filled in SQL (:mod:`loaders.bulksql`).

The path is optimistic: anything the precise reader would report on a row (a bad number or date,
a wrong field count, a PRO_ORDER that does not increase, an undecodable line, ...) raises
:class:`Fallback`; the caller rolls back to its savepoint and reads the supply again with the
precise reader, which lists every finding with file, line, field and code. A supply this path
accepts stages exactly the rows and values the precise reader would stage.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final

import psycopg
import sqlalchemy as sa
from sqlalchemy import orm

from core import memory
from loaders import bulksql, layouts, model, sql, staging
from loaders.readers import checks, csvdialect, engine, part_checks, supply, volume_checks

BATCH: Final = 10_000
"""Rows buffered per record type before their ``COPY``: the buffers of every record type of a
mixed volume fill together, so this bounds the reader's memory, not the supply's size."""
PRO_ORDER_DIGITS: Final = checks.PRO_ORDER_DIGITS
_COPY_ESCAPED: Final = re.compile(r"[\\\r]")
"""What ``COPY`` text format would read otherwise than as written (tabs and newlines are
counted instead)."""
Progress = Callable[[int], None]


class Fallback(Exception):
    """The fast path met something only the precise reader may report."""


@dataclass(frozen=True, kw_only=True, slots=True)
class _Route:
    record: layouts.RecordLayout
    width: int
    rows: list[list[Any]] = field(default_factory=list)


@dataclass(kw_only=True)
class _Stream:
    """The state of one supply while its rows stream into the raw stages."""

    session: orm.Session
    routes: dict[str, _Route]
    change_types: frozenset[str]
    progress: Progress | None
    findings: list[model.LoadFinding] = field(default_factory=list)
    parts: int = 0

    def flush(self, route: _Route) -> None:
        if not route.rows:
            return
        driver: Any = self.session.connection().connection.driver_connection
        block = copy_text(route.rows, columns=route.width + 2)
        with driver.cursor() as cursor, cursor.copy(bulksql.copy_raw(route.record)) as copy:
            if block is not None:
                copy.write(block)
            else:
                for row in route.rows:
                    copy.write_row(row)
        if self.progress is not None:
            self.progress(len(route.rows))
        route.rows.clear()

    def note(self, items: Iterable[engine.Item]) -> None:
        """Findings of the precise row logic: warnings are kept, anything else falls back."""
        for item in items:
            if isinstance(item, model.Row) or item.is_error:
                raise Fallback(getattr(item, "message", "a data row for the precise reader"))
            self.findings.append(item)


def copy_text(rows: list[list[str]], *, columns: int) -> str | None:
    """``rows`` as one block of ``COPY`` text, or ``None`` when a field holds a tab, a newline,
    a carriage return or a backslash (then each row is written escaped, ``write_row``).

    Fields are strings (an empty one stays empty, never NULL), so a block without those
    characters is exactly what ``write_row`` would send, in one write instead of one a row.
    """
    block = "\n".join(map("\t".join, rows)) + "\n"
    if (
        _COPY_ESCAPED.search(block)
        or block.count("\t") != len(rows) * (columns - 1)
        or block.count("\n") != len(rows)
    ):
        return None
    return block


def eligible(session: orm.Session, found: supply.Supply) -> bool:
    """PostgreSQL and an ABP supply: DTF keeps the precise reader (extra fields, cp1252)."""
    return staging.engine_of(session) == sql.POSTGRESQL and found.format == "abp"


def stage(
    session: orm.Session,
    found: supply.Supply,
    spec: supply.FormatSpec,
    entities: tuple[str, ...],
    *,
    progress: Progress | None = None,
) -> list[model.LoadFinding]:
    """Stage ``found`` into the typed stage tables; the reader's findings (warnings only).

    Raises :class:`Fallback`; the caller runs this inside a savepoint and rolls it back then.
    """
    try:
        return _stage(session, found, spec, entities, progress)
    except (psycopg.Error, sa.exc.DBAPIError, UnicodeDecodeError, csv.Error, ValueError) as exc:
        raise Fallback(str(exc)) from exc


def _stage(
    session: orm.Session,
    found: supply.Supply,
    spec: supply.FormatSpec,
    entities: tuple[str, ...],
    progress: Progress | None,
) -> list[model.LoadFinding]:
    layout = found.layout
    records = [
        r
        for rid, r in layout.records.items()
        if r.entity in entities and rid not in layouts.ENVELOPE_IDS
        and rid not in layout.skipped_records
    ]  # fmt: skip
    _create(session, records)
    stream = _Stream(
        session=session,
        routes={r.record_id: _Route(record=r, width=r.field_count) for r in records},
        change_types=frozenset({"I"}) if found.file_type == "F" else model.CHANGE_TYPES,
        progress=progress,
    )
    _read(stream, found, spec)
    for record in records:
        _check(session, record)
    for record in records:
        staging.execute(session, bulksql.insert_stage(record))
        connection = session.connection()
        connection.exec_driver_sql(bulksql.drop_raw(record))
        assert record.entity is not None
        connection.exec_driver_sql(sql.STAGES[record.entity].index())
    session.connection().exec_driver_sql(bulksql.DROP_PARTS)
    return stream.findings


def _create(session: orm.Session, records: list[layouts.RecordLayout]) -> None:
    connection = session.connection()
    connection.exec_driver_sql(bulksql.DROP_PARTS)
    connection.exec_driver_sql(bulksql.CREATE_PARTS)
    for record in records:
        assert record.entity is not None
        staging.create(session, sql.STAGES[record.entity])
        bulksql.insert_stage(record)  # a layout this path cannot convert raises ValueError here
        connection.exec_driver_sql(bulksql.drop_raw(record))
        connection.exec_driver_sql(bulksql.create_raw(record))


def _read(stream: _Stream, found: supply.Supply, spec: supply.FormatSpec) -> None:
    summaries: list[volume_checks.VolumeSummary] = []
    for volume in found.volumes:
        reader = engine.VolumeReader(found, volume, spec)
        for part in volume.parts:
            stream.parts += 1
            staging.execute(stream.session, bulksql.INSERT_PART, part=stream.parts, name=part.name)
            stats = checks.PartStats(part=part, layout=volume.layout)
            _read_part(stream, reader, stats)
            for route in stream.routes.values():
                stream.flush(route)
            stream.note(part_checks.part_findings(stats))
        stream.note(volume_checks.volume_envelope(reader.summary, split=volume.split))
        summaries.append(reader.summary)
    stream.note(volume_checks.volume_chain(found, summaries))


def _read_part(stream: _Stream, reader: engine.VolumeReader, stats: checks.PartStats) -> None:
    csv.field_size_limit(csvdialect.MAX_FIELD_SIZE)
    with stats.part.source.open() as binary, memory.no_cycle_collection():
        text = io.TextIOWrapper(binary, encoding="utf-8-sig", errors="strict", newline="\n")
        try:
            _route_rows(stream, reader, stats, csv.reader(text, dialect="excel"))
        finally:
            text.detach()


def _route_rows(
    stream: _Stream, reader: engine.VolumeReader, stats: checks.PartStats, rows: Any
) -> None:
    """The hot loop: one dictionary look-up and a few comparisons per row."""
    routes, change_types, part = stream.routes, stream.change_types, str(stream.parts)
    summary, mixed = reader.summary, not reader.volume.split
    count = fast = 0
    last = -1
    for fields in rows:
        if not fields or fields == [""]:
            continue
        route = routes.get(fields[0])
        if route is None or (count == 0 and mixed):
            if csvdialect.is_blank(fields):
                continue
            stats.rows = count
            stream.note(reader.row(stats, rows.line_num, fields))
            count = stats.rows
            continue
        count += 1
        pro_order = fields[2] if len(fields) == route.width else ""
        if not (pro_order.isascii() and pro_order.isdigit()) or len(pro_order) > PRO_ORDER_DIGITS:
            raise Fallback("field count or PRO_ORDER")
        value = int(pro_order)
        if value <= last or fields[1] not in change_types or summary.trailer is not None:
            raise Fallback("PRO_ORDER order, CHANGE_TYPE or a row after the trailer")
        last = value
        fields.append(str(rows.line_num))
        fields.append(part)
        route.rows.append(fields)
        fast += 1
        if len(route.rows) >= BATCH:
            stream.flush(route)
    summary.data_rows += fast
    stats.rows = count


def _check(session: orm.Session, record: layouts.RecordLayout) -> None:
    """Numbers, dates, required fields and layout plausibility, set-based."""
    bad = staging.rows(session, bulksql.first_bad_row(record))
    if bad:
        raise Fallback(f"record {record.record_id}: line {bad[0][0]} needs the precise reader")
    params = {} if record.check_column is None else {"values": sorted(record.check_values)}
    for _part, rows, both, later, misses in staging.rows(
        session, bulksql.plausibility(record), **params
    ):
        if both >= checks.SUSPECT_MIN_ROWS and later * 2 > both:
            raise Fallback(f"record {record.record_id}: ENTRY_DATE and LAST_UPDATE_DATE swapped?")
        if record.check_column is not None and rows and misses * 2 > rows:
            raise Fallback(f"record {record.record_id}: {record.check_column} does not fit")
