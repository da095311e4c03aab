"""Checks of a volume's envelope and of the supply's chain of volumes: header first, trailer
last with its RECORD_COUNT, volumes 1..n following on (gazetteer-standards §4.1 row 7, §5.2.5).

A set of split-per-record files may hold several volumes: Ordnance Survey's record splitter
writes every volume of a download into one file per record type, so ``ID10_Header_Records.csv``
holds one header and ``ID99_Trailer_Records.csv`` one trailer per volume, in the same order. Such
a set is read as one volume that carries several volume numbers; its data rows cannot be told
apart by volume, so the trailers' RECORD_COUNTs are checked by their sum.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from loaders import layouts, model
from loaders.readers import checks, supply


@dataclass(kw_only=True, slots=True)
class VolumeSummary:
    """What a volume's envelope said, for the trailer and volume-chain checks."""

    volume: supply.Volume
    headers: list[model.Header] = field(default_factory=list)
    """Every header read: one, or one per volume in a split set that merges volumes."""
    header_where: tuple[str, int] | None = None
    trailers: list[model.Trailer] = field(default_factory=list)
    trailer_where: tuple[str, int] | None = None
    metadata: model.Metadata | None = None
    data_rows: int = 0
    metadata_rows: int = 0
    malformed: set[str] = field(default_factory=set)
    """Envelope record identifiers met with a row that could not be read (already reported)."""

    @property
    def header(self) -> model.Header | None:
        return self.headers[0] if self.headers else None

    @property
    def trailer(self) -> model.Trailer | None:
        return self.trailers[0] if self.trailers else None

    @property
    def merged(self) -> bool:
        """A split set holding several volumes' envelopes (OS's record splitter)."""
        return len(self.headers) > 1 or len(self.trailers) > 1

    def add_header(
        self, stats: checks.PartStats, line: int, header: model.Header
    ) -> Iterator[model.LoadFinding]:
        if self.header is not None and not self.volume.split:
            yield _second(stats, line, layouts.HEADER_ID, "FILE-HEADER-FIRST", "header")
            return
        if self.header is not None and _supply_of(header) != _supply_of(self.header):
            yield _other_supply(stats, line, self.header, header)
            return
        self.header_where = self.header_where or (stats.part.name, line)
        self.headers.append(header)

    def add_trailer(
        self, stats: checks.PartStats, line: int, trailer: model.Trailer
    ) -> Iterator[model.LoadFinding]:
        if self.trailer is not None and not self.volume.split:
            yield _second(stats, line, layouts.TRAILER_ID, "FILE-TRAILER-LAST", "trailer")
            return
        self.trailer_where = self.trailer_where or (stats.part.name, line)
        self.trailers.append(trailer)


def _supply_of(header: model.Header) -> tuple[object, ...]:
    """What every volume of one supply shares (§4.1 row 7)."""
    return (header.process_date, header.file_type, header.version, header.local_custodian_code)


def _second(
    stats: checks.PartStats, line: int, record_id: str, code: str, what: str
) -> model.LoadFinding:
    """A second header or trailer record in one volume."""
    message = f"a second {what} record ({record_id}) in one volume"
    return checks.finding(stats, line, record_id, code=code, severity="E", message=message)


def _other_supply(
    stats: checks.PartStats, line: int, first: model.Header, other: model.Header
) -> model.LoadFinding:
    """A split set whose header file holds the headers of two different supplies."""
    message = (
        f"the split files hold more than one supply: this header (PROCESS_DATE "
        f"{other.process_date}, FILE_TYPE {other.file_type}, VERSION {other.version}) differs "
        f"from the first ({first.process_date}, {first.file_type}, {first.version}); "
        "split each supply into its own folder"
    )
    return checks.finding(
        stats, line, layouts.HEADER_ID, code="FILE-VOLUME-CHAIN", severity="E", message=message
    )


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
    total = _record_count(summary.trailers)
    file, line = summary.trailer_where or ("", 0)
    counted, with_meta = summary.data_rows, summary.data_rows + summary.metadata_rows
    if total == counted:
        return
    if total == with_meta:
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
    what = (
        f"the {len(summary.trailers)} trailers' RECORD_COUNTs sum to {total}"
        if summary.merged
        else f"RECORD_COUNT is {total}"
    )
    yield model.finding(
        code="FILE-TRAILER-COUNT",
        severity="E",
        file=file,
        line=line,
        record_type=layouts.TRAILER_ID,
        field="RECORD_COUNT",
        message=f"{what} but the volume holds {counted} data records: rows are missing or extra",
    )


def _record_count(trailers: Sequence[model.Trailer]) -> int | None:
    counts = [t.record_count for t in trailers]
    return None if None in counts else sum(c for c in counts if c is not None)


def volume_chain(
    plan_supply: supply.Supply, volumes: Sequence[VolumeSummary]
) -> Iterator[model.LoadFinding]:
    """Volumes 1..n with no gaps, trailers pointing on, one version and file type (§4.1 row 7)."""
    headed = [v for v in volumes if v.headers]
    if not headed:
        return
    files = ", ".join(plan_supply.files)
    for problem in _chain_problems(headed):
        yield model.finding(
            code="FILE-VOLUME-CHAIN",
            severity="E",
            file=files,
            record_type=layouts.HEADER_ID,
            message=problem,
        )


def _chain_problems(volumes: Sequence[VolumeSummary]) -> Iterator[str]:
    date = volumes[0].headers[0].process_date
    numbers = [_number(h) for v in volumes for h in v.headers]
    missing = sorted(set(range(1, max(numbers) + 1)) - set(numbers))
    if missing:
        yield f"supply of {date}: volume(s) {missing} are missing"
    duplicates = sorted({n for n in numbers if numbers.count(n) > 1})
    if duplicates:
        yield f"supply of {date}: volume(s) {duplicates} given more than once"
    for summary in volumes:
        yield from _unpaired(summary, date)
        for header, trailer in zip(summary.headers, summary.trailers, strict=False):
            yield from _next_volume(_number(header), max(numbers), trailer, date)
    kinds = {(h.version, h.file_type) for v in volumes for h in v.headers}
    if len(kinds) > 1:
        yield f"supply of {date}: volumes differ in VERSION or FILE_TYPE: {sorted(kinds)}"


def _number(header: model.Header) -> int:
    return 1 if header.volume_number is None else header.volume_number


def _unpaired(summary: VolumeSummary, date: dt.date | None) -> Iterator[str]:
    """A split set merging volumes pairs its headers and trailers in file order."""
    headers, trailers = len(summary.headers), len(summary.trailers)
    if summary.merged and trailers and headers != trailers:
        yield (
            f"supply of {date}: the split files hold {headers} header records (10) but "
            f"{trailers} trailer records (99); a volume's envelope is incomplete"
        )


def _next_volume(
    number: int, last: int, trailer: model.Trailer, date: dt.date | None
) -> Iterator[str]:
    following = trailer.next_volume_number
    if following is None:
        return
    if number == last and following != 0:
        yield (
            f"supply of {date}: volume {number} says volume {following} follows, "
            "but it was not given"
        )
    elif number < last and following != number + 1:
        yield (
            f"supply of {date}: volume {number} says the next volume is {following}, "
            f"not {number + 1}"
        )
