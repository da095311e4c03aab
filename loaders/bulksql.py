"""The named SQL of the fast staging path (PostgreSQL only): raw text stages, checks, conversion.

A *raw stage* ``raw_<record id>`` holds the fields of one record identifier exactly as the CSV
gave them (``c0`` .. ``cN``, all text), with the physical line and the part (file) they came
from. The checks find any row the precise reader would report on; the conversion fills the typed
stage tables of :mod:`loaders.sql` with the values the precise reader would have produced. Every
statement is assembled from the layout files and our own schema, never from input.
"""

from __future__ import annotations

import dataclasses
from typing import Final

from loaders import ingest, layouts, model, sql
from loaders.readers import convert

# A live table's secondary (not unique) indexes: dropped and built again around a large insert
# into the empty table (loaders.apply).
SECONDARY_INDEXES: Final = (
    "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
    "JOIN pg_class i ON i.oid = x.indexrelid "
    "WHERE x.indrelid = CAST(:table AS regclass) AND NOT x.indisunique AND NOT x.indisprimary "
    "ORDER BY i.relname"
)
CREATE_PARTS: Final = "CREATE TEMP TABLE raw_part (part integer PRIMARY KEY, name text NOT NULL)"
DROP_PARTS: Final = "DROP TABLE IF EXISTS raw_part"
INSERT_PART: Final = "INSERT INTO raw_part (part, name) VALUES (:part, :name)"

# What the precise reader accepts (loaders.readers.convert), never more: ASCII digits only.
_SHAPES: Final = {
    "int": "^([+-]?[0-9]+)?$",
    "dec2": "^([+-]?([0-9]+([.][0-9]*)?|[.][0-9]+))?$",
    "dec7": "^([+-]?([0-9]+([.][0-9]*)?|[.][0-9]+))?$",
    "date": "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$",
}
_CASTS: Final = {"int": "bigint", "float": "double precision", "date": "date", "text": "text"}
_LAYOUT_CASTS: Final = {"int": "bigint", "dec2": "double precision", "dec7": "double precision",
                        "date": "date"}  # fmt: skip


def _name(record: layouts.RecordLayout) -> str:
    if not record.record_id.isdigit():
        raise ValueError(f"record identifier {record.record_id!r} is not a number")
    return f"raw_{record.record_id}"


def _columns(record: layouts.RecordLayout) -> list[str]:
    return [f"c{c.position}" for c in record.columns]


def create_raw(record: layouts.RecordLayout) -> str:
    body = ", ".join(f"{c} text" for c in _columns(record))
    return f"CREATE TEMP TABLE {_name(record)} ({body}, line bigint, part integer)"


def drop_raw(record: layouts.RecordLayout) -> str:
    return f"DROP TABLE IF EXISTS {_name(record)}"


def copy_raw(record: layouts.RecordLayout) -> str:
    return f"COPY {_name(record)} ({', '.join(_columns(record))}, line, part) FROM STDIN"


def _required(stage: sql.Stage) -> frozenset[str]:
    live = stage.live
    return frozenset(f for f in stage.fields if f in live.c and not live.c[f].nullable)


def first_bad_row(record: layouts.RecordLayout) -> str:
    """One row with a field the precise reader would not convert, a required field empty, or a
    text longer than its live column or a number beyond a 32-bit one (the precise path refuses
    them, ``FILE-FIELD-WIDTH`` and ``FILE-NUMBER-FORMAT``); a number beyond 64 bits fails its
    cast here, which falls back too."""
    assert record.entity is not None
    required = _required(sql.STAGES[record.entity])
    tests = [
        f"COALESCE(c{c.position}, '') !~ '{_SHAPES[c.type]}'"
        for c in record.columns
        if c.field is not None and c.type in _SHAPES
    ]
    tests += [
        f"COALESCE(c{c.position}, '') = ''"
        for c in record.columns
        if c.field is not None and c.field in required
    ]
    small = set(ingest.small_ints(sql.STAGES[record.entity]))
    tests += [
        f"(octet_length(c{c.position}) > 9 AND CASE WHEN c{c.position} ~ '^[+-]?[0-9]{{1,18}}$' "
        f"THEN CAST(c{c.position} AS bigint) NOT BETWEEN {convert.INT32_MIN} AND "
        f"{convert.INT32_MAX} ELSE false END)"
        for c in record.columns
        if c.field is not None and c.field in small and c.type == "int"
    ]
    # octet_length reads the text's header only; length (characters) is counted when needed
    widths = dict(ingest.widths(sql.STAGES[record.entity]))
    tests += [
        f"(octet_length(c{c.position}) > {widths[c.field]} "
        f"AND length(c{c.position}) > {widths[c.field]})"
        for c in record.columns
        if c.field is not None and c.field in widths
    ]
    return f"SELECT line FROM {_name(record)} WHERE {' OR '.join(tests) or 'false'} LIMIT 1"


def plausibility(record: layouts.RecordLayout) -> str:
    """Per part: rows, rows with both dates, ENTRY_DATE after LAST_UPDATE_DATE, check misses
    (the counters of FILE-LAYOUT-SUSPECT, compared as the reader compares the raw text)."""
    entry, update = record.positions.get("entry_date"), record.positions.get("last_update_date")
    both = "false"
    later = "false"
    if entry is not None and update is not None:
        both = f"length(c{entry}) = 10 AND length(c{update}) = 10"
        later = f'{both} AND c{entry} COLLATE "C" > c{update} COLLATE "C"'
    miss = "false"
    if record.check_column is not None:
        miss = f"NOT (COALESCE(c{record.column(record.check_column).position}, '') = ANY(:values))"
    return (
        f"SELECT part, COUNT(*), COUNT(*) FILTER (WHERE {both}), COUNT(*) FILTER (WHERE {later}), "
        f"COUNT(*) FILTER (WHERE {miss}) FROM {_name(record)} GROUP BY part"
    )


def _value(column: layouts.Column, kind: str) -> str:
    raw = f"NULLIF(r.c{column.position}, '')"
    layout_cast = _LAYOUT_CASTS.get(column.type)
    typed = raw if layout_cast is None else f"CAST({raw} AS {layout_cast})"
    return f"CAST({typed} AS {_CASTS[kind]})"


def insert_stage(record: layouts.RecordLayout) -> str:
    """The typed stage rows of one record identifier, converted as the precise reader does."""
    assert record.entity is not None
    stage = sql.STAGES[record.entity]
    by_field = {c.field: c for c in record.columns if c.field is not None}
    defaults = {f.name: f.default for f in dataclasses.fields(model.ENTITY_CLASSES[record.entity])}
    values = []
    for name, kind in zip(stage.fields, stage.kinds, strict=True):
        if name in by_field:
            values.append(_value(by_field[name], kind))
        elif defaults.get(name) is None:
            values.append("NULL")
        else:
            raise ValueError(f"{record.entity}.{name} has a default the layout does not carry")
    values += ["r.c1", "CAST(r.c2 AS bigint)", "p.name", "r.line"]
    return (
        f"INSERT INTO {stage.name} ({', '.join(stage.columns)}) SELECT {', '.join(values)} "
        f"FROM {_name(record)} r JOIN raw_part p ON p.part = r.part"
    )


def count_staged(stage: sql.Stage) -> str:
    return f"SELECT COUNT(*) FROM {stage.name}"
