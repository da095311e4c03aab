"""The layout-driven reader shared by the ABP and DTF readers.

It streams every part of every volume of a supply and yields typed :class:`~loaders.model.Row`
objects and :class:`~loaders.model.LoadFinding` objects, in file order. It keeps only counters,
so memory stays flat however large the files are. The supply-level checks (header first, trailer
last and its count, the volume chain, layout plausibility) are yielded once the data they need
has been read.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from loaders import layouts, model
from loaders.readers import checks, convert, csvdialect, part_checks, supply, volume_checks

Item = model.Row | model.LoadFinding
MAX_PRO_ORDER: Final = 10**16 - 1


def read_supply(plan_supply: supply.Supply, spec: supply.FormatSpec) -> Iterator[Item]:
    """Every row and finding of a supply, then the volume-chain findings."""
    volumes: list[volume_checks.VolumeSummary] = []
    for volume in plan_supply.volumes:
        reader = VolumeReader(plan_supply, volume, spec)
        yield from reader.read()
        volumes.append(reader.summary)
    yield from volume_checks.volume_chain(plan_supply, volumes)


class VolumeReader:
    """Reads one volume; :meth:`row` judges one parsed row (the fast path hands it rare ones)."""

    def __init__(
        self, plan_supply: supply.Supply, volume: supply.Volume, spec: supply.FormatSpec
    ) -> None:
        self.supply = plan_supply
        self.volume = volume
        self.layout = volume.layout
        self.spec = spec
        self.summary = volume_checks.VolumeSummary(volume=volume)
        self.parsers = {
            rid: convert.RecordParser.for_record(rec) for rid, rec in self.layout.records.items()
        }
        self.full = plan_supply.file_type == "F"

    def read(self) -> Iterator[Item]:
        for part in self.volume.parts:
            yield from self._read_part(part)
        yield from volume_checks.volume_envelope(self.summary, split=self.volume.split)

    def _read_part(self, part: supply.Part) -> Iterator[Item]:
        stats = checks.PartStats(part=part, layout=self.layout)
        with part.source.open() as handle:
            stream = csvdialect.CsvStream(handle, fallback_encoding=self.spec.fallback_encoding)
            for line, fields in stream.rows():
                yield from self.row(stats, line, fields)
        yield from checks.encoding(part, stream, self.spec.fallback_encoding)
        yield from part_checks.part_findings(stats)

    def row(self, stats: checks.PartStats, line: int, fields: list[str]) -> Iterator[Item]:
        first = stats.rows == 0
        stats.rows += 1
        if first and supply.is_header_row(fields):
            yield from checks.header_names(stats, line, fields)
            return
        rid = supply.record_id_of(fields[0])
        if first and not self.volume.split and rid != layouts.HEADER_ID:
            yield checks.header_not_first(stats, line, rid)
        if rid in layouts.ENVELOPE_IDS:
            yield from self._envelope(stats, line, rid, fields)
            return
        self.summary.data_rows += 1
        if self.summary.trailer is not None:
            yield checks.after_trailer(stats, line, rid)
        yield from self._data(stats, line, rid, fields)

    def _envelope(
        self, stats: checks.PartStats, line: int, rid: str, fields: list[str]
    ) -> Iterator[Item]:
        record = self.layout.records[rid]
        if rid == layouts.METADATA_ID and len(fields) != record.field_count:
            yield checks.metadata_count(stats, line, record, fields)
            fields = (fields + [""] * record.field_count)[: record.field_count]
        values, findings = self._convert(stats, line, record, fields)
        yield from findings
        if values is None:
            self.summary.malformed.add(rid)
            return
        if rid == layouts.HEADER_ID:
            yield from self.summary.add_header(stats, line, model.Header(**values))  # type: ignore[arg-type]
        elif rid == layouts.TRAILER_ID:
            yield from self.summary.add_trailer(stats, line, model.Trailer(**values))  # type: ignore[arg-type]
        else:
            self.summary.metadata_rows += 1
            self.summary.metadata = model.Metadata(**values)  # type: ignore[arg-type]

    def _data(
        self, stats: checks.PartStats, line: int, rid: str, fields: list[str]
    ) -> Iterator[Item]:
        record = self.layout.record(rid)
        skipped = rid in self.layout.skipped_records
        if record is None or record.entity is None or skipped:
            stats.skip(rid, line, known=record is not None or skipped)
            return
        values, findings = self._convert(stats, line, record, fields)
        yield from findings
        if any(f.code == "FILE-FIELD-COUNT" and f.is_error for f in findings):
            return
        envelope = list(self._envelope_findings(stats, line, record, fields))
        yield from envelope
        if values is None or any(f.is_error for f in envelope):
            return
        yield model.Row(
            file=stats.part.name,
            line=line,
            record_id=rid,
            entity=record.entity,
            change_type=fields[1],
            pro_order=int(fields[2]),
            record=model.ENTITY_CLASSES[record.entity](**values),  # type: ignore[arg-type]
        )

    def _convert(
        self,
        stats: checks.PartStats,
        line: int,
        record: layouts.RecordLayout,
        fields: list[str],
    ) -> tuple[dict[str, convert.Value] | None, list[model.LoadFinding]]:
        count = checks.field_count(
            stats, line, record, fields, extra_policy=self.layout.extra_fields
        )
        if count is not None and count.is_error:
            return None, [count]
        pre = [] if count is None else [count]
        stats.observe(record, fields)
        parser = self.parsers[record.record_id]
        try:
            return parser.convert(fields), pre
        except convert.FieldError:
            bad = parser.bad_fields(fields)
            stats.number_errors += any(b.code == convert.NUMBER_ERROR for b in bad)
            key = checks.key_text(record, fields)
            return None, pre + [checks.bad_field(stats, line, record, key, b) for b in bad]

    def _envelope_findings(
        self,
        stats: checks.PartStats,
        line: int,
        record: layouts.RecordLayout,
        fields: list[str],
    ) -> Iterator[model.LoadFinding]:
        change_type = fields[1]
        key = checks.key_text(record, fields) if change_type != "I" else None
        if change_type not in model.CHANGE_TYPES:
            yield checks.row_finding(
                stats,
                line,
                record,
                key=key,
                code="FILE-CHANGE-TYPE",
                severity="E",
                column="CHANGE_TYPE",
                message=f"CHANGE_TYPE {change_type!r} is not I, U or D",
            )
        elif self.full and change_type != "I":
            yield checks.row_finding(
                stats,
                line,
                record,
                key=key,
                code="FILE-FULL-INSERT-ONLY",
                severity="E",
                column="CHANGE_TYPE",
                message=f"a full supply (FILE_TYPE F) may only hold inserts, not {change_type!r}",
            )
        yield from checks.pro_order(stats, line, record, fields)
