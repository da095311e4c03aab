"""GeoJSON boundaries in any declared CRS land in British National Grid."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from shapely import geometry as shapes

from loaders.readers import areas, sources

# Exeter Guildhall, in WGS84 and in British National Grid.
GUILDHALL_LONLAT = (-3.5300, 50.7243)
GUILDHALL_BNG = (291_953.0, 92_660.0)


def _square(cx: float, cy: float, half: float) -> list[list[list[float]]]:
    return [
        [
            [cx - half, cy - half],
            [cx + half, cy - half],
            [cx + half, cy + half],
            [cx - half, cy + half],
            [cx - half, cy - half],
        ]
    ]


def _collection(features: list[Any], crs: str | None = None) -> io.BytesIO:
    document: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    if crs is not None:
        document["crs"] = {"type": "name", "properties": {"name": crs}}
    return io.BytesIO(json.dumps(document).encode())


def _feature(geometry: Any, **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def _read(stream: io.BytesIO) -> list[areas.AreaRecord | sources.Finding]:
    return list(areas.read(stream, file="w.geojson", code_property="code", name_property="name"))


@pytest.mark.parametrize(
    ("name", "srid"),
    [
        (None, 4326),
        ("urn:ogc:def:crs:OGC:1.3:CRS84", 4326),
        ("urn:ogc:def:crs:OGC::CRS84", 4326),
        ("EPSG:4326", 4326),
        ("urn:ogc:def:crs:EPSG::27700", 27700),
        ("urn:ogc:def:crs:EPSG:6.18.3:27700", 27700),
        ("EPSG:3857", 3857),
    ],
)
def test_declared_crs_names_resolve_to_epsg_codes(name: str | None, srid: int) -> None:
    crs = None if name is None else {"type": "name", "properties": {"name": name}}
    assert areas.srid_of(crs) == srid


def test_unknown_crs_names_are_refused() -> None:
    with pytest.raises(areas.CrsError):
        areas.srid_of({"type": "name", "properties": {"name": "my local grid"}})


def test_a_wgs84_polygon_lands_in_27700_around_the_same_place() -> None:
    polygon = {"type": "Polygon", "coordinates": _square(*GUILDHALL_LONLAT, 0.01)}
    (record,) = _read(_collection([_feature(polygon, code="E05003502", name="St David's")]))
    assert isinstance(record, areas.AreaRecord)
    assert (record.code, record.name) == ("E05003502", "St David's")
    shape = record.geometry
    assert isinstance(shape, shapes.MultiPolygon)
    assert shape.contains(shapes.Point(GUILDHALL_BNG))
    minx, miny, maxx, maxy = shape.bounds
    assert 1_000 < maxx - minx < 1_600  # 0.02 degrees of longitude at 50.7N is about 1.4 km
    assert 2_000 < maxy - miny < 2_400


def test_a_27700_multipolygon_is_kept_as_is() -> None:
    multi = {
        "type": "MultiPolygon",
        "coordinates": [_square(*GUILDHALL_BNG, 100), _square(300_000, 100_000, 50)],
    }
    (record,) = _read(
        _collection([_feature(multi, code=42, name="Two parts")], "urn:ogc:def:crs:EPSG::27700")
    )
    assert isinstance(record, areas.AreaRecord)
    assert record.code == "42"
    assert len(record.geometry.geoms) == 2
    assert record.geometry.area == pytest.approx(200 * 200 + 100 * 100)


def test_bad_features_name_their_number_property_and_rule() -> None:
    polygon = {"type": "Polygon", "coordinates": _square(*GUILDHALL_LONLAT, 0.01)}
    point = {"type": "Point", "coordinates": list(GUILDHALL_LONLAT)}
    found = _read(
        _collection(
            [
                _feature(polygon, code="A", name="Fine"),
                _feature(polygon, name="No code"),
                _feature(point, code="C", name="A point"),
                _feature(
                    {"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}, code="D", name="x"
                ),
            ]
        )
    )
    findings = [f for f in found if isinstance(f, sources.Finding)]
    assert [(f.line, f.code, f.field) for f in findings] == [
        (2, "AREA-PROPERTY", "code"),
        (3, "AREA-GEOMETRY", "geometry"),
        (4, "AREA-GEOMETRY", "geometry"),
    ]
    assert findings[1].key == "C"


def test_a_self_intersecting_polygon_is_repaired_not_refused() -> None:
    bowtie = [[[0, 0], [10, 10], [10, 0], [0, 10], [0, 0]]]
    shifted = [[[x + 300_000, y + 100_000] for x, y in bowtie[0]]]
    (record,) = _read(
        _collection(
            [_feature({"type": "Polygon", "coordinates": shifted}, code="B", name="Bow")],
            "EPSG:27700",
        )
    )
    assert isinstance(record, areas.AreaRecord)
    assert record.geometry.is_valid
    assert record.geometry.area == pytest.approx(50.0)


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (b"{not json", "AREA-JSON"),
        (b'{"type": "Feature"}', "AREA-STRUCTURE"),
        (
            b'{"type":"FeatureCollection","features":[],"crs":{"properties":{"name":"x"}}}',
            "AREA-CRS",
        ),
    ],
)
def test_documents_that_are_not_usable_are_one_finding(payload: bytes, code: str) -> None:
    (finding,) = _read(io.BytesIO(payload))
    assert isinstance(finding, sources.Finding)
    assert finding.code == code
