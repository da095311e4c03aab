"""Checks of a volume's envelope and of the supply's chain of volumes: header first, trailer
last with its RECORD_COUNT, volumes 1..n following on (gazetteer-standards §4.1 row 7, §5.2.5).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from loaders import layouts, model
from loaders.readers import checks, supply


@dataclass(kw_only=True, slots=True)
class VolumeSummary:
    """What a volume's envelope said, for the trailer and volume-chain checks."""

    volume: supply.Volume
    header: model.Header | None = None
    header_where: tuple[str, int] | None = None
    trailer: model.Trailer | None = None
    trailer_where: tuple[str, int] | None = None
    metadata: model.Metadata | None = None
    data_rows: int = 0
    metadata_rows: int = 0
    malformed: set[str] = field(default_factory=set)
    """Envelope record identifiers met with a row that could not be read (already reported)."""

    def add_header(
        self, stats: checks.PartStats, line: int, header: model.Header
    ) -> Iterator[model.LoadFinding]:
        if self.header is not None:
            yield _second(stats, line, layouts.HEADER_ID, "FILE-HEADER-FIRST", "header")
            return
        self.header, self.header_where = header, (stats.part.name, line)

    def add_trailer(
        self, stats: checks.PartStats, line: int, trailer: model.Trailer
    ) -> Iterator[model.LoadFinding]:
        if self.trailer is not None:
            yield _second(stats, line, layouts.TRAILER_ID, "FILE-TRAILER-LAST", "trailer")
            return
        self.trailer, self.trailer_where = trailer, (stats.part.name, line)


def _second(
    stats: checks.PartStats, line: int, record_id: str, code: str, what: str
) -> model.LoadFinding:
    """A second header or trailer record in one volume."""
    message = f"a second {what} record ({record_id}) in one volume"
    return checks.finding(stats, line, record_id, code=code, severity="E", message=message)


def volume_envelope(summary: VolumeSummary, *, split: bool) -> Iterator[model.LoadFinding]:
    """Header present, trailer present and last, and the trailer's RECORD_COUNT (§5.2.5)."""
    name = ", ".join(p.name for p in summary.volume.parts)
    if summary.header is None and layouts.HEADER_ID not in summary.malformed:
        severity: model.Severity = "W" if split else "E"
        yield model.finding(
            code="FILE-HEADER-FIRST",
            severity=severity,
            file=name,
            record_type=layouts.HEADER_ID,
            message="the volume has no header record (10)",
        )
    if summary.trailer is None:
        if layouts.TRAILER_ID not in summary.malformed:
            yield _missing_trailer(name, split=split)
        return
    yield from _trailer_count(summary)


def _missing_trailer(name: str, *, split: bool) -> model.LoadFinding:
    if split:
        return model.finding(
            code="FILE-TRAILER-LAST",
            severity="W",
            file=name,
            record_type=layouts.TRAILER_ID,
            message="the split volume has no trailer record (99); "
            "the record count cannot be checked",
        )
    return model.finding(
        code="FILE-VOLUME-CHAIN",
        severity="E",
        file=name,
        record_type=layouts.TRAILER_ID,
        message="the volume has no trailer record (99): the file looks truncated "
        "(an incomplete download or copy); fetch the volume again",
    )


def _trailer_count(summary: VolumeSummary) -> Iterator[model.LoadFinding]:
    trailer = summary.trailer
    assert trailer is not None
    file, line = summary.trailer_where or ("", 0)
    counted, with_meta = summary.data_rows, summary.data_rows + summary.metadata_rows
    if trailer.record_count == counted:
        return
    if trailer.record_count == with_meta:
        yield model.finding(
            code="FILE-TRAILER-COUNT",
            severity="W",
            file=file,
            line=line,
            record_type=layouts.TRAILER_ID,
            field="RECORD_COUNT",
            message="RECORD_COUNT includes the metadata record (29)",
        )
        return
    yield model.finding(
        code="FILE-TRAILER-COUNT",
        severity="E",
        file=file,
        line=line,
        record_type=layouts.TRAILER_ID,
        field="RECORD_COUNT",
        message=f"RECORD_COUNT is {trailer.record_count} but the volume holds {counted} data "
        "records: rows are missing or extra",
    )


def volume_chain(
    plan_supply: supply.Supply, volumes: Sequence[VolumeSummary]
) -> Iterator[model.LoadFinding]:
    """Volumes 1..n with no gaps, trailers pointing on, one version and file type (§4.1 row 7)."""
    headed = [v for v in volumes if v.volume.header is not None]
    if not headed:
        return
    numbers = [v.volume.number for v in headed]
    files = ", ".join(plan_supply.files)
    for problem in _chain_problems(numbers, headed):
        yield model.finding(
            code="FILE-VOLUME-CHAIN",
            severity="E",
            file=files,
            record_type=layouts.HEADER_ID,
            message=problem,
        )


def _chain_problems(numbers: list[int], volumes: Sequence[VolumeSummary]) -> Iterator[str]:
    date = volumes[0].volume.header.process_date if volumes[0].volume.header else None
    expected = list(range(1, max(numbers) + 1))
    missing = sorted(set(expected) - set(numbers))
    if missing:
        yield f"supply of {date}: volume(s) {missing} are missing"
    duplicates = sorted({n for n in numbers if numbers.count(n) > 1})
    if duplicates:
        yield f"supply of {date}: volume(s) {duplicates} given more than once"
    for summary in volumes:
        trailer, number = summary.trailer, summary.volume.number
        if trailer is None or trailer.next_volume_number is None:
            continue
        if number == max(numbers) and trailer.next_volume_number != 0:
            yield (
                f"supply of {date}: volume {number} says volume "
                f"{trailer.next_volume_number} follows, but it was not given"
            )
        elif number < max(numbers) and trailer.next_volume_number != number + 1:
            yield (
                f"supply of {date}: volume {number} says the next volume is "
                f"{trailer.next_volume_number}, not {number + 1}"
            )
    kinds = {
        (v.volume.header.version, v.volume.header.file_type) for v in volumes if v.volume.header
    }
    if len(kinds) > 1:
        yield f"supply of {date}: volumes differ in VERSION or FILE_TYPE: {sorted(kinds)}"
