"""Code-Point Open (§5.7): one CSV per postcode area, no header row, 10 columns.

Postcodes arrive in a fixed-width 7-character form (``EX1 1AE``, ``EX100AA``) and are stored
normalised (§7). A point of (0, 0), or positional quality 90, means "no coordinates".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Final

from gazetteer import postcode as postcodes
from loaders.readers import sources

RECORD_TYPE: Final = "postcode"
FIELD_COUNT: Final = 10
COLUMNS: Final = ("PC", "PQ", "EA", "NO", "CY", "RH", "LH", "CC", "DC", "WC")
NO_COORDINATES_PQ: Final = 90
# The per-area data files in a Code-Point Open zip (``Data/CSV/ex.csv``), not its documents.
AREA_FILE: Final = re.compile(r"(^|/)[a-z]{1,2}\.csv$", re.IGNORECASE)
ATTRIBUTION: Final = (
    "Contains OS data © Crown copyright and database right; "
    "Contains Royal Mail data © Royal Mail copyright and database right; "
    "Contains National Statistics data © Crown copyright and database right"
)


@dataclass(frozen=True, kw_only=True, slots=True)
class PostcodeRecord:
    line: int
    postcode: str
    positional_quality: int
    easting: int | None
    northing: int | None
    country_code: str | None
    nhs_regional_ha_code: str | None
    nhs_ha_code: str | None
    admin_county_code: str | None
    admin_district_code: str | None
    admin_ward_code: str | None


def read(stream: IO[bytes], *, file: str) -> Iterator[PostcodeRecord | sources.Finding]:
    """Postcode records and findings, in file order."""
    try:
        for row in sources.csv_rows(stream):
            yield _record(row, file)
    except sources.UnreadableText as exc:
        yield exc.finding(file=file, record_type=RECORD_TYPE)


def is_area_file(name: str) -> bool:
    return AREA_FILE.search(name) is not None


def _record(row: sources.CsvRow, file: str) -> PostcodeRecord | sources.Finding:
    values = row.values
    if len(values) != FIELD_COUNT:
        return _finding(
            row, file, "FILE-FIELD-COUNT", f"expected {FIELD_COUNT} fields, found {len(values)}"
        )
    postcode = postcodes.normalise(values[0] or "")
    if postcode is None or not postcodes.POSTCODE_PATTERN.match(postcode):
        return _finding(row, file, "CP-POSTCODE", f"{values[0]!r} is not a postcode", field="PC")
    try:
        pq, easting, northing = (sources.parse_int(values[i]) for i in (1, 2, 3))
    except ValueError as exc:
        return _finding(row, file, "FILE-NUMBER", str(exc), key=postcode, field=_bad_int(values))
    if pq is None:
        return _finding(row, file, "CP-PQ", "positional quality is empty", key=postcode, field="PQ")
    if pq == NO_COORDINATES_PQ or (easting, northing) == (0, 0) or None in (easting, northing):
        easting = northing = None
    return PostcodeRecord(
        line=row.line,
        postcode=postcode,
        positional_quality=pq,
        easting=easting,
        northing=northing,
        country_code=values[4],
        nhs_regional_ha_code=values[5],
        nhs_ha_code=values[6],
        admin_county_code=values[7],
        admin_district_code=values[8],
        admin_ward_code=values[9],
    )


def _bad_int(values: list[str | None]) -> str:
    for index in (1, 2, 3):
        try:
            sources.parse_int(values[index])
        except ValueError:
            return COLUMNS[index]
    return COLUMNS[1]


def _finding(
    row: sources.CsvRow,
    file: str,
    code: str,
    message: str,
    *,
    key: str | None = None,
    field: str | None = None,
) -> sources.Finding:
    return sources.Finding(
        file=file,
        line=row.line,
        record_type=RECORD_TYPE,
        code=code,
        message=message,
        key=key,
        field=field,
    )
