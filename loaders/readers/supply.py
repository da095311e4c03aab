"""From paths to supplies: group sources into volumes and volumes into supplies (§5.2.1, §5.2.2).

A *volume* is one mixed file, or one set of split-per-record files in one directory. A *supply*
is the volumes that share a header PROCESS_DATE, FILE_TYPE and custodian; supplies are returned
in date order, then volume order, which is the order they must be applied in.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from loaders import layouts, model
from loaders.readers import convert, csvdialect

Detector = Callable[[Sequence["Part"]], "layouts.Layout | None"]


@dataclass(frozen=True, kw_only=True, slots=True)
class FormatSpec:
    """What differs between formats: their layouts, split naming, encoding and detection."""

    name: str
    layouts: tuple[layouts.Layout, ...]
    split_pattern: re.Pattern[str] | None = None
    fallback_encoding: str | None = None
    detect: Detector | None = None
    tile_of: Callable[[str], str | None] | None = None
    """The 5 km tile a file name carries in place of the volume (§5.2.2), if the format has one."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Part:
    """One source of a volume; ``record_id`` is set for a split-per-record file."""

    source: csvdialect.Source
    record_id: str | None = None

    @property
    def name(self) -> str:
        return self.source.name


@dataclass(frozen=True, kw_only=True, slots=True)
class Volume:
    parts: tuple[Part, ...]
    layout: layouts.Layout
    header: model.Header | None = None
    tile: str | None = None

    @property
    def split(self) -> bool:
        return any(p.record_id is not None for p in self.parts)

    @property
    def number(self) -> int:
        if self.header is None or self.header.volume_number is None:
            return 1
        return self.header.volume_number


@dataclass(frozen=True, kw_only=True, slots=True)
class Supply:
    format: str
    layout: layouts.Layout
    volumes: tuple[Volume, ...]
    header: model.Header | None = None

    @property
    def file_type(self) -> str | None:
        return None if self.header is None else self.header.file_type

    @property
    def process_date(self) -> dt.date | None:
        return None if self.header is None else self.header.process_date

    @property
    def schema_version(self) -> str:
        if self.header is not None and self.header.version:
            return self.header.version
        return self.layout.schema_version

    @property
    def tile(self) -> str | None:
        """The 5 km tile of a tile change-only supply (from its file names), else ``None``."""
        return self.volumes[0].tile

    @property
    def files(self) -> list[str]:
        return [p.name for v in self.volumes for p in v.parts]

    @property
    def sources(self) -> list[csvdialect.Source]:
        return [p.source for v in self.volumes for p in v.parts]


@dataclass(frozen=True, kw_only=True, slots=True)
class Plan:
    supplies: list[Supply] = field(default_factory=list)
    findings: list[model.LoadFinding] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return any(f.is_error for f in self.findings)


def plan(
    paths: Iterable[str | Path], spec: FormatSpec, *, layout: layouts.Layout | None = None
) -> Plan:
    """Discover the supplies under ``paths``; ``layout`` forces a layout instead of detecting."""
    findings: list[model.LoadFinding] = []
    volumes: list[Volume] = []
    for parts in group_parts(_supply_sources(paths, spec, findings), spec):
        volume = _volume(parts, spec, layout, findings)
        if volume is not None:
            volumes.append(dataclasses.replace(volume, tile=_tile(parts, spec)))
    return Plan(supplies=_supplies(volumes, spec), findings=findings)


def _supply_sources(
    paths: Iterable[str | Path], spec: FormatSpec, findings: list[model.LoadFinding]
) -> list[csvdialect.Source]:
    """The sources under ``paths``, without the files a directory or zip holds beside the supply
    (a readme, a licence, Mac resource forks), each of which is named in a warning."""
    sources: list[csvdialect.Source] = []
    for source in csvdialect.expand(paths):
        kind = csvdialect.sniff(source) if source.contained else csvdialect.SUPPLY
        split = spec.split_pattern is not None and spec.split_pattern.fullmatch(source.base_name)
        if kind == csvdialect.NOT_SUPPLY or (kind == csvdialect.NAMES_ONLY and not split):
            findings.append(_not_a_supply(source, kind))
            continue
        sources.append(source)
    return sources


def _not_a_supply(source: csvdialect.Source, kind: str) -> model.LoadFinding:
    what = (
        "holds only a row of column names (a header file)"
        if kind == csvdialect.NAMES_ONLY
        else "does not start with a record identifier or a header-name row"
    )
    return model.finding(
        code="FILE-NOT-SUPPLY",
        severity="W",
        message=f"the file {what}: it is not read (a readme, a licence, a header file or "
        "another file beside the supply)",
        file=source.name,
    )


def group_parts(sources: Sequence[csvdialect.Source], spec: FormatSpec) -> list[list[Part]]:
    """Mixed files are a volume each; split files are grouped by the directory they sit in."""
    groups: list[list[Part]] = []
    split: dict[str, list[Part]] = {}
    for source in sources:
        match = spec.split_pattern.fullmatch(source.base_name) if spec.split_pattern else None
        if match is None:
            groups.append([Part(source=source)])
            continue
        record_id = str(int(match.group(1)))
        split.setdefault(source.directory, []).append(Part(source=source, record_id=record_id))
    for parts in split.values():
        groups.append(sorted(parts, key=_split_order))
    return groups


def _tile(parts: Sequence[Part], spec: FormatSpec) -> str | None:
    if spec.tile_of is None:
        return None
    names = (n for p in parts for n in (p.source.base_name, Path(p.source.path).name))
    return next((t for n in names if (t := spec.tile_of(n)) is not None), None)


def _split_order(part: Part) -> tuple[int, str]:
    rid = part.record_id or ""
    rank = {"10": 0, "29": 2, "99": 3}.get(rid, 1)
    return rank, rid


def _volume(
    parts: list[Part],
    spec: FormatSpec,
    forced: layouts.Layout | None,
    findings: list[model.LoadFinding],
) -> Volume | None:
    header, header_part = _find_header(parts, spec)
    if forced is not None:
        return Volume(parts=tuple(parts), layout=forced, header=header)
    if header is not None and header.version is not None:
        chosen = next((lay for lay in spec.layouts if lay.accepts_version(header.version)), None)
        if chosen is None:
            findings.append(_unsupported(header, header_part, spec))
            return None
        return Volume(parts=tuple(parts), layout=chosen, header=header)
    detected = spec.detect(parts) if spec.detect else None
    return Volume(parts=tuple(parts), layout=detected or spec.layouts[0], header=header)


def _unsupported(header: model.Header, part: Part | None, spec: FormatSpec) -> model.LoadFinding:
    known = ", ".join(p.pattern for lay in spec.layouts for p in lay.header_versions)
    return model.finding(
        code="FILE-VERSION-SUPPORTED",
        severity="E",
        message=f"header VERSION {header.version!r} is not a supported {spec.name} schema "
        f"(supported: {known}); the volume cannot be read",
        file=part.name if part else "",
        line=1,
        record_type=layouts.HEADER_ID,
        field="VERSION",
    )


def _find_header(
    parts: Sequence[Part], spec: FormatSpec
) -> tuple[model.Header | None, Part | None]:
    for part in parts:
        if part.record_id not in (None, layouts.HEADER_ID):
            continue
        row = first_data_row(part.source)
        if row is not None and record_id_of(row[0]) == layouts.HEADER_ID:
            return parse_header(row, spec.layouts[0]), part
    return None, None


def first_data_row(source: csvdialect.Source) -> list[str] | None:
    """The first row that is not a header-name row."""
    with source.open() as handle:
        for _line, fields in csvdialect.CsvStream(handle).rows():
            if not is_header_row(fields):
                return fields
    return None


def is_header_row(fields: Sequence[str]) -> bool:
    return fields[0].strip().upper().lstrip("\ufeff") == "RECORD_IDENTIFIER"


def record_id_of(raw: str) -> str:
    text = raw.strip()
    return str(int(text)) if text.isascii() and text.isdigit() else text


def parse_header(fields: list[str], layout: layouts.Layout) -> model.Header | None:
    """The typed header, or ``None`` when it has the wrong shape (the reader reports why)."""
    record = layout.records[layouts.HEADER_ID]
    extra = len(fields) > record.field_count and layout.extra_fields == "warn"
    if len(fields) != record.field_count and not extra:
        return None
    fields = fields[: record.field_count]  # a DTF row may carry more fields (the reader warns)
    try:
        values = convert.RecordParser.for_record(record).convert(fields)
    except convert.FieldError:
        return None
    return model.Header(**values)  # type: ignore[arg-type]


def _supplies(volumes: list[Volume], spec: FormatSpec) -> list[Supply]:
    grouped: dict[tuple[object, ...], list[Volume]] = {}
    for volume in volumes:
        grouped.setdefault(_supply_key(volume), []).append(volume)
    supplies = [_supply(sorted(vols, key=lambda v: v.number), spec) for vols in grouped.values()]
    return sorted(supplies, key=_supply_order)


def _supply_key(volume: Volume) -> tuple[object, ...]:
    header = volume.header
    if header is None:
        return (None, volume.tile)
    return (header.process_date, header.file_type, header.local_custodian_code, volume.tile)


def _supply(volumes: list[Volume], spec: FormatSpec) -> Supply:
    first = volumes[0]
    return Supply(
        format=spec.name, layout=first.layout, volumes=tuple(volumes), header=first.header
    )


def _supply_order(supply: Supply) -> tuple[dt.date, int]:
    return supply.process_date or dt.date.min, supply.volumes[0].number
