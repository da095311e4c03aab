"""Boundary polygons from GeoJSON, in whatever CRS the file declares, as EPSG:27700.

RFC 7946 GeoJSON has no ``crs`` member and is always WGS84 longitude/latitude (OGC CRS84).
Older files, and those exported from desktop GIS, declare one the 2008 way:
``{"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}}``. Both are read;
every geometry is transformed to British National Grid with pyproj (x/y order throughout) and
returned as a MultiPolygon in WKB.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import IO, Any, Final

import numpy as np
import pyproj
import shapely
from shapely import geometry as shapes

from core.tables import BNG_SRID
from loaders.readers import sources

RECORD_TYPE: Final = "area"
AREA_TYPES: Final = ("ward", "parish", "district", "county", "police", "health", "custom")
DEFAULT_SRID: Final = 4326
_EPSG: Final = re.compile(r"EPSG:{1,2}(?:[\d.]*:)?(\d+)$", re.IGNORECASE)
_CRS84: Final = re.compile(r"(OGC:{1,2}(?:1\.3:)?CRS84|CRS:84)$", re.IGNORECASE)


class CrsError(ValueError):
    """The file declares a coordinate reference system this reader cannot identify."""


@dataclass(frozen=True, kw_only=True, slots=True)
class AreaRecord:
    code: str
    name: str
    geometry_wkb: bytes  # a MultiPolygon in EPSG:27700

    @property
    def geometry(self) -> shapes.MultiPolygon:
        return shapely.from_wkb(self.geometry_wkb)


def srid_of(crs: object) -> int:
    """The EPSG code named by a legacy GeoJSON ``crs`` member; 4326 when there is none."""
    if crs is None:
        return DEFAULT_SRID
    name = crs.get("properties", {}).get("name") if isinstance(crs, dict) else None
    if not isinstance(name, str):
        raise CrsError(f"cannot read the crs member {json.dumps(crs)[:200]}")
    name = name.strip()
    if _CRS84.search(name):
        return DEFAULT_SRID
    match = _EPSG.search(name)
    if match is None:
        raise CrsError(f"unknown coordinate reference system {name!r}")
    return int(match.group(1))


def read(
    stream: IO[bytes], *, file: str, code_property: str, name_property: str
) -> Iterator[AreaRecord | sources.Finding]:
    """Areas and findings, one per feature, in file order (line = 1-based feature number)."""
    try:
        document = json.load(stream)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        yield _finding(file, None, "AREA-JSON", f"not a JSON document: {exc}")
        return
    features = _features(document)
    if isinstance(features, str):
        yield _finding(file, None, "AREA-STRUCTURE", features)
        return
    try:
        transform = _transformer(srid_of(document.get("crs")))
    except (CrsError, pyproj.exceptions.CRSError) as exc:
        yield _finding(file, None, "AREA-CRS", str(exc), field="crs")
        return
    for number, feature in enumerate(features, start=1):
        yield _area(
            feature,
            number,
            file,
            code_property=code_property,
            name_property=name_property,
            transform=transform,
        )


def _features(document: Any) -> list[Any] | str:
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        return "expected a GeoJSON FeatureCollection"
    features = document.get("features")
    if not isinstance(features, list):
        return "the FeatureCollection has no features array"
    return features


@lru_cache(maxsize=16)
def _transformer(srid: int) -> pyproj.Transformer | None:
    if srid == BNG_SRID:
        return None
    return pyproj.Transformer.from_crs(srid, BNG_SRID, always_xy=True)


def _area(
    feature: Any,
    number: int,
    file: str,
    *,
    code_property: str,
    name_property: str,
    transform: pyproj.Transformer | None,
) -> AreaRecord | sources.Finding:
    properties = feature.get("properties") if isinstance(feature, dict) else None
    properties = properties if isinstance(properties, dict) else {}
    code, name = properties.get(code_property), properties.get(name_property)
    key = None if code is None else str(code).strip()
    for prop, value in ((code_property, code), (name_property, name)):
        if value is None or not str(value).strip():
            message = f"feature {number} has no {prop!r} property"
            return _finding(file, number, "AREA-PROPERTY", message, key=key, field=prop)
    geometry = _polygons(feature.get("geometry"))
    if isinstance(geometry, str):
        return _finding(file, number, "AREA-GEOMETRY", geometry, key=key, field="geometry")
    if transform is not None:
        geometry = shapely.transform(geometry, _projector(transform))
    geometry = _valid(geometry)
    if geometry is None:
        message = f"feature {number} has an empty or unrepairable polygon"
        return _finding(file, number, "AREA-GEOMETRY", message, key=key, field="geometry")
    return AreaRecord(code=str(key), name=str(name).strip(), geometry_wkb=shapely.to_wkb(geometry))


def _projector(transform: pyproj.Transformer) -> Any:
    def project(xy: Any) -> Any:
        x, y = transform.transform(xy[:, 0], xy[:, 1])
        return np.column_stack((x, y))

    return project


def _polygons(geometry: Any) -> shapes.MultiPolygon | str:
    if not isinstance(geometry, dict) or geometry.get("type") not in {"Polygon", "MultiPolygon"}:
        kind = geometry.get("type") if isinstance(geometry, dict) else geometry
        return f"expected a Polygon or MultiPolygon geometry, found {kind!r}"
    try:
        shape = shapes.shape(geometry)
    except (ValueError, TypeError, AttributeError, IndexError, shapely.errors.ShapelyError) as exc:
        return f"cannot read the polygon: {exc}"
    if isinstance(shape, shapes.Polygon):
        return shapes.MultiPolygon([shape])
    return shape


def _valid(geometry: Any) -> shapes.MultiPolygon | None:
    """The geometry repaired if needed, as a non-empty MultiPolygon, or ``None``."""
    if not geometry.is_valid:
        geometry = shapely.make_valid(geometry)
    polygons = [g for g in getattr(geometry, "geoms", [geometry]) if isinstance(g, shapes.Polygon)]
    polygons += [
        p
        for g in getattr(geometry, "geoms", [])
        if isinstance(g, shapes.MultiPolygon)
        for p in g.geoms
    ]
    polygons = [p for p in polygons if not p.is_empty and p.area > 0]
    return shapes.MultiPolygon(polygons) if polygons else None


def _finding(
    file: str,
    number: int | None,
    code: str,
    message: str,
    *,
    key: str | None = None,
    field: str | None = None,
) -> sources.Finding:
    return sources.Finding(
        file=file,
        line=number,
        record_type=RECORD_TYPE,
        code=code,
        message=message,
        key=key,
        field=field,
    )
