"""OS Open UPRN (§5.6): ``UPRN,X_COORDINATE,Y_COORDINATE,LATITUDE,LONGITUDE`` with a BOM.

Each release is a full snapshot of Great Britain; the apply diffs it by UPRN.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Final

from gazetteer import domain
from gazetteer.errors import InvalidUprn
from loaders.readers import sources

RECORD_TYPE: Final = "open_uprn"
HEADER: Final = ("UPRN", "X_COORDINATE", "Y_COORDINATE", "LATITUDE", "LONGITUDE")


@dataclass(frozen=True, kw_only=True, slots=True)
class OpenUprnRecord:
    line: int
    uprn: int
    x_coordinate: float
    y_coordinate: float
    latitude: float
    longitude: float


def read(stream: IO[bytes], *, file: str) -> Iterator[OpenUprnRecord | sources.Finding]:
    """Records and findings in file order; a wrong header refuses the file at line 1."""
    try:
        yield from _read(sources.csv_rows(stream), file)
    except sources.UnreadableText as exc:
        yield exc.finding(file=file, record_type=RECORD_TYPE)


def _read(rows: Iterator[sources.CsvRow], file: str) -> Iterator[OpenUprnRecord | sources.Finding]:
    header = next(rows, None)
    if header is None or tuple(v.strip() if v else "" for v in header.values) != HEADER:
        got = ",".join(v or "" for v in header.values) if header else "an empty file"
        yield _finding(1, file, "FILE-HEADER", f"expected header {','.join(HEADER)}, got {got}")
        return
    for row in rows:
        yield _record(row, file)


def _record(row: sources.CsvRow, file: str) -> OpenUprnRecord | sources.Finding:
    values = row.values
    if len(values) != len(HEADER):
        message = f"expected {len(HEADER)} fields, found {len(values)}"
        return _finding(row.line, file, "FILE-FIELD-COUNT", message)
    try:
        uprn = domain.parse_uprn(values[0] or "")
    except InvalidUprn as exc:
        return _finding(row.line, file, "FILE-UPRN", str(exc), field="UPRN")
    numbers: list[float] = []
    for name, value in zip(HEADER[1:], values[1:], strict=True):
        try:
            number = sources.parse_float(value)
        except ValueError:
            number = None
        if number is None:
            message = f"{name} must be a number, not {value!r}"
            return _finding(row.line, file, "FILE-NUMBER", message, key=str(uprn), field=name)
        numbers.append(number)
    x, y, lat, lon = numbers
    return OpenUprnRecord(
        line=row.line, uprn=uprn, x_coordinate=x, y_coordinate=y, latitude=lat, longitude=lon
    )


def _finding(
    line: int,
    file: str,
    code: str,
    message: str,
    *,
    key: str | None = None,
    field: str | None = None,
) -> sources.Finding:
    return sources.Finding(
        file=file,
        line=line,
        record_type=RECORD_TYPE,
        code=code,
        message=message,
        key=key,
        field=field,
    )
