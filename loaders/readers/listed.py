"""Council address lists (electoral, council tax, CRM extracts): any CSV with a header row.

The caller names the columns: a UPRN and an address are required; a postcode and either
British National Grid X/Y or WGS84 latitude/longitude are optional. Every finding names the
file, the line, the column and the rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Final

from gazetteer import domain
from gazetteer import postcode as postcodes
from gazetteer.errors import InvalidUprn
from loaders.readers import sources

RECORD_TYPE: Final = "listed_address"
ADDRESS_MAX: Final = 500


@dataclass(frozen=True, kw_only=True, slots=True)
class ListedColumns:
    """Which header names hold which values; coordinates are X/Y or lat/lon, never both."""

    uprn: str
    address: str
    postcode: str | None = None
    x: str | None = None
    y: str | None = None
    latitude: str | None = None
    longitude: str | None = None

    def problems(self) -> list[str]:
        """Why these column choices cannot work, if they cannot."""
        found: list[str] = []
        if (self.x is None) != (self.y is None):
            found.append("give both --x-column and --y-column, or neither")
        if (self.latitude is None) != (self.longitude is None):
            found.append("give both --lat-column and --lon-column, or neither")
        if self.x is not None and self.latitude is not None:
            found.append("give X/Y columns or latitude/longitude columns, not both")
        return found

    def named(self) -> dict[str, str]:
        """Role -> header name, for the columns in use."""
        roles = {
            "uprn": self.uprn,
            "address": self.address,
            "postcode": self.postcode,
            "x": self.x,
            "y": self.y,
            "latitude": self.latitude,
            "longitude": self.longitude,
        }
        return {role: name for role, name in roles.items() if name is not None}


@dataclass(frozen=True, kw_only=True, slots=True)
class ListedRecord:
    line: int
    uprn: int
    address: str
    postcode: str | None = None
    x_coordinate: float | None = None
    y_coordinate: float | None = None
    latitude: float | None = None
    longitude: float | None = None


def read(
    stream: IO[bytes], *, file: str, columns: ListedColumns
) -> Iterator[ListedRecord | sources.Finding]:
    """Records and findings in file order; missing columns refuse the file at line 1."""
    try:
        yield from _read(sources.csv_rows(stream), file, columns)
    except sources.UnreadableText as exc:
        yield exc.finding(file=file, record_type=RECORD_TYPE)


def _read(
    rows: Iterator[sources.CsvRow], file: str, columns: ListedColumns
) -> Iterator[ListedRecord | sources.Finding]:
    header = next(rows, None)
    if header is None:
        yield _finding(1, file, None, "FILE-EMPTY", "the file has no header row")
        return
    positions, missing = _positions([v or "" for v in header.values], columns.named())
    for role, name in missing:
        message = f"no column {name!r} for the {role} (columns: {_listing(header.values)})"
        yield _finding(1, file, name, "LIST-COLUMN-MISSING", message)
    if missing:
        return
    for row in rows:
        yield _record(row, file, positions, columns)


def _positions(
    header: list[str], named: dict[str, str]
) -> tuple[dict[str, int], list[tuple[str, str]]]:
    folded = [h.strip().casefold() for h in header]
    positions: dict[str, int] = {}
    missing: list[tuple[str, str]] = []
    for role, name in named.items():
        if name.strip().casefold() in folded:
            positions[role] = folded.index(name.strip().casefold())
        else:
            missing.append((role, name))
    return positions, missing


def _listing(values: list[str | None]) -> str:
    return ", ".join(repr(v or "") for v in values)


def _record(
    row: sources.CsvRow, file: str, positions: dict[str, int], columns: ListedColumns
) -> ListedRecord | sources.Finding:
    get = _Get(row.values, positions)
    try:
        uprn = domain.parse_uprn(get("uprn") or "")
    except InvalidUprn as exc:
        return _finding(row.line, file, columns.uprn, "LIST-UPRN", str(exc))
    address = " ".join((get("address") or "").split())
    if not address or len(address) > ADDRESS_MAX:
        message = f"the address must be 1 to {ADDRESS_MAX} characters"
        return _finding(row.line, file, columns.address, "LIST-ADDRESS", message, key=uprn)
    try:
        postcode = _postcode(get("postcode"))
    except ValueError as exc:
        return _finding(row.line, file, columns.postcode, "LIST-POSTCODE", str(exc), key=uprn)
    coordinates = _coordinates(row, file, get, columns, uprn)
    if isinstance(coordinates, sources.Finding):
        return coordinates
    x, y, lat, lon = coordinates
    return ListedRecord(
        line=row.line,
        uprn=uprn,
        address=address,
        postcode=postcode,
        x_coordinate=x,
        y_coordinate=y,
        latitude=lat,
        longitude=lon,
    )


class _Get:
    def __init__(self, values: list[str | None], positions: dict[str, int]) -> None:
        self._values = values
        self._positions = positions

    def __call__(self, role: str) -> str | None:
        index = self._positions.get(role)
        if index is None or index >= len(self._values):
            return None
        value = self._values[index]
        return value.strip() or None if value is not None else None


def _postcode(raw: str | None) -> str | None:
    """The normalised postcode, ``None`` when absent; ValueError when not a postcode."""
    if raw is None:
        return None
    normal = postcodes.normalise(raw)
    if normal is None or not postcodes.POSTCODE_PATTERN.match(normal):
        raise ValueError(f"{raw!r} is not a postcode")
    return normal


Coordinates = tuple[float | None, float | None, float | None, float | None]
_BOUNDS: Final = {
    "x": (0.0, 700_000.0),
    "y": (0.0, 1_300_000.0),
    "latitude": (49.0, 61.5),
    "longitude": (-9.0, 2.5),
}


def _coordinates(
    row: sources.CsvRow, file: str, get: _Get, columns: ListedColumns, uprn: int
) -> Coordinates | sources.Finding:
    roles = ("x", "y") if columns.x is not None else ("latitude", "longitude")
    names = columns.named()
    parsed: list[float | None] = []
    for role in roles:
        raw = get(role)
        try:
            value = sources.parse_float(raw)
        except ValueError:
            message = f"{raw!r} is not a number"
            return _finding(row.line, file, names.get(role), "LIST-COORDINATE", message, key=uprn)
        low, high = _BOUNDS[role]
        if value is not None and not low <= value <= high:
            message = f"{role} {value} is outside Great Britain ({low} to {high})"
            return _finding(row.line, file, names.get(role), "LIST-COORDINATE", message, key=uprn)
        parsed.append(value)
    if (parsed[0] is None) != (parsed[1] is None):
        message = f"give both {roles[0]} and {roles[1]}, or neither"
        return _finding(row.line, file, names.get(roles[0]), "LIST-COORDINATE", message, key=uprn)
    first, second = parsed
    if columns.x is not None:
        return first, second, None, None
    return None, None, first, second


def _finding(
    line: int, file: str, column: str | None, code: str, message: str, *, key: int | None = None
) -> sources.Finding:
    return sources.Finding(
        file=file,
        line=line,
        record_type=RECORD_TYPE,
        code=code,
        message=message,
        key=None if key is None else str(key),
        field=column,
    )
