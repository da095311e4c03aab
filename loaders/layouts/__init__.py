"""Column maps for every supported supply layout, read from the JSON files beside this module.

The JSON files are the single source of truth for column order, per record identifier, of
AddressBase Premium v1 and v2 and LLPG DTF 7.3 (gazetteer-standards §5.2.6, §5.2.7, §5.3). Readers
and writers both go through them, so a layout correction is a data change, never a code change.
Each column is ``[NAME, type, field]``: ``type`` is one of ``int``, ``dec2``, ``dec7``, ``date``,
``time``, ``code`` or ``text``; ``field`` is the attribute of the domain record (or of the
header, trailer or metadata model) the column fills, or ``null`` for columns that are read but
not kept.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Final

COLUMN_TYPES: Final = frozenset({"int", "dec2", "dec7", "date", "time", "code", "text"})
ENVELOPE: Final = ("RECORD_IDENTIFIER", "CHANGE_TYPE", "PRO_ORDER")
HEADER_ID: Final = "10"
METADATA_ID: Final = "29"
TRAILER_ID: Final = "99"
ENVELOPE_IDS: Final = frozenset({HEADER_ID, METADATA_ID, TRAILER_ID})

_FILES: Final = {
    ("abp", "1"): "abp_v1.json",
    ("abp", "2"): "abp_v2.json",
    ("dtf", "7.3"): "dtf_7_3.json",
}


@dataclass(frozen=True, kw_only=True, slots=True)
class Column:
    name: str
    type: str
    field: str | None
    position: int


@dataclass(frozen=True, kw_only=True, slots=True)
class RecordLayout:
    """The columns of one record identifier in one layout."""

    record_id: str
    name: str
    columns: tuple[Column, ...]
    entity: str | None = None
    key: tuple[str, ...] = ()
    file_name: str | None = None
    check_column: str | None = None
    check_values: frozenset[str] = frozenset()
    positions: dict[str, int] = field(default_factory=dict, hash=False, compare=False)
    named: dict[str, Column] = field(default_factory=dict, hash=False, compare=False)

    @property
    def field_count(self) -> int:
        return len(self.columns)

    @property
    def is_data(self) -> bool:
        return self.record_id not in ENVELOPE_IDS

    def column(self, name: str) -> Column:
        return self.named[name]

    def position_of_field(self, field_name: str) -> int | None:
        return self.positions.get(field_name)


@dataclass(frozen=True, kw_only=True, slots=True)
class Layout:
    """One file format at one schema version: ``abp`` 1 or 2, or ``dtf`` 7.3."""

    format: str
    schema_version: str
    version_written: str
    extra_fields: str
    records: dict[str, RecordLayout] = field(hash=False)
    skipped_records: frozenset[str]
    aliases: dict[str, str] = field(hash=False)
    header_versions: tuple[re.Pattern[str], ...]

    def record(self, record_id: str) -> RecordLayout | None:
        return self.records.get(record_id)

    def accepts_version(self, version: str) -> bool:
        return any(p.fullmatch(version) for p in self.header_versions)

    def canonical_name(self, name: str) -> str:
        upper = name.strip().upper()
        return self.aliases.get(upper, upper)

    def by_entity(self, entity: str) -> RecordLayout | None:
        return next((r for r in self.records.values() if r.entity == entity), None)

    def by_file_name(self, file_name: str) -> RecordLayout | None:
        return next((r for r in self.records.values() if r.file_name == file_name), None)


def _record(record_id: str, raw: dict[str, Any]) -> RecordLayout:
    columns = tuple(
        Column(name=name, type=kind, field=fld, position=i)
        for i, (name, kind, fld) in enumerate(raw["columns"])
    )
    unknown = {c.type for c in columns} - COLUMN_TYPES
    if unknown:
        raise ValueError(f"record {record_id}: unknown column types {sorted(unknown)}")
    check = raw.get("check", {})
    return RecordLayout(
        record_id=record_id,
        name=raw["name"],
        columns=columns,
        entity=raw.get("entity"),
        key=tuple(raw.get("key", ())),
        file_name=raw.get("file"),
        check_column=check.get("field"),
        check_values=frozenset(check.get("values", ())),
        positions={c.field: c.position for c in columns if c.field is not None},
        named={c.name: c for c in columns},
    )


def parse_layout(raw: dict[str, Any]) -> Layout:
    """Build a :class:`Layout` from the decoded JSON of a layout file."""
    return Layout(
        format=raw["format"],
        schema_version=raw["schema_version"],
        version_written=raw["version_written"],
        extra_fields=raw["extra_fields"],
        records={rid: _record(rid, rec) for rid, rec in raw["records"].items()},
        skipped_records=frozenset(raw.get("skipped_records", ())),
        aliases=dict(raw.get("aliases", {})),
        header_versions=tuple(re.compile(p) for p in raw["header_versions"]),
    )


@cache
def get(format_name: str, schema_version: str) -> Layout:
    """The layout for ``("abp", "1")``, ``("abp", "2")`` or ``("dtf", "7.3")``."""
    file_name = _FILES[(format_name, schema_version)]
    text = resources.files(__package__).joinpath(file_name).read_text(encoding="utf-8")
    return parse_layout(json.loads(text))


def for_format(format_name: str) -> tuple[Layout, ...]:
    """Every layout of a format, newest schema first."""
    versions = sorted((v for f, v in _FILES if f == format_name), reverse=True)
    return tuple(get(format_name, v) for v in versions)
