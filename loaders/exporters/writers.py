"""Streaming writers for the flat view: CSV and GeoJSON (RFC 7946). Pure: text streams in.

Each writer takes an iterable of rows keyed by :data:`loaders.exporters.flat.COLUMNS` and
writes as it goes, so memory does not grow with the gazetteer.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable
from typing import Any, Final, TextIO

from loaders.exporters import flat

GEOJSON_PLACES: Final = 7  # about 1 cm; RFC 7946 §11.2 advises no more


def write_csv(rows: Iterable[dict[str, Any]], stream: TextIO) -> int:
    """A header row then one row per UPRN (CRLF, minimal quoting); returns the count."""
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(flat.COLUMNS)
    count = 0
    for row in rows:
        writer.writerow([_cell(row[column]) for column in flat.COLUMNS])
        count += 1
    return count


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def write_geojson(
    rows: Iterable[dict[str, Any]], stream: TextIO, *, attribution: str | None = None
) -> int:
    """A FeatureCollection of WGS84 points (longitude, latitude); returns the count."""
    stream.write('{"type":"FeatureCollection",')
    if attribution:
        stream.write(f'"attribution":{json.dumps(attribution)},')
    stream.write('"features":[')
    count = 0
    for row in rows:
        stream.write(",\n" if count else "\n")
        stream.write(json.dumps(feature(row), ensure_ascii=False, separators=(",", ":")))
        count += 1
    stream.write("\n]}\n")
    return count


def feature(row: dict[str, Any]) -> dict[str, Any]:
    """One GeoJSON Feature; ``geometry`` is null when the UPRN has no point."""
    longitude, latitude = row["LONGITUDE"], row["LATITUDE"]
    geometry = None
    if longitude is not None and latitude is not None:
        point = [round(longitude, GEOJSON_PLACES), round(latitude, GEOJSON_PLACES)]
        geometry = {"type": "Point", "coordinates": point}
    properties = {column.lower(): _json_value(row[column]) for column in flat.COLUMNS}
    return {"type": "Feature", "id": row["UPRN"], "geometry": geometry, "properties": properties}


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value
