"""Nearest, within (box and polygon), SRS in and out, and areas containing a UPRN."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from geoalchemy2 import WKTElement
from sqlalchemy import orm

from core import db
from core.errors import InvalidInput, NotFound
from gazetteer import spatial
from gazetteer import tables as t
from gazetteer.errors import AddressNotFound
from gazetteer.search_repository import Filters
from tests.integration import find_seed


@pytest.fixture
def seeded(session: orm.Session) -> orm.Session:
    find_seed.seed(session)
    ward = (
        "MULTIPOLYGON(((299000 99000, 300150 99000, 300150 101500, 299000 101500, 299000 99000)))"
    )
    parish = (
        "MULTIPOLYGON(((299000 99000, 302000 99000, 302000 102000, 299000 102000, 299000 99000)))"
    )
    for kind, code, name, wkt in (
        ("ward", "E05000001", "West Ward", ward),
        ("parish", "E04000001", "Newtown Parish", parish),
    ):
        session.add(
            t.Area(type=kind, code=code, name=name, version="", geom=WKTElement(wkt, srid=27700))
        )
    session.commit()
    return session


def test_nearest_in_british_national_grid(seeded: orm.Session) -> None:
    found = spatial.nearest(session=seeded, x=300052, y=100000, srid=27700, limit=3)
    assert [p.address.uprn for p in found] == [105, 106, 104]
    assert found[0].distance == pytest.approx(2.0)
    assert (found[0].x, found[0].y) == (300050, 100000)


def test_nearest_with_a_radius_and_filters(seeded: orm.Session) -> None:
    found = spatial.nearest(session=seeded, x=300120, y=100000, srid=27700, limit=10, radius=1.5)
    assert {p.address.uprn for p in found} == {112, 131}
    flats = spatial.nearest(
        session=seeded,
        x=300120,
        y=100000,
        srid=27700,
        limit=2,
        filters=Filters(classification="RD06"),
    )
    assert [p.address.uprn for p in flats] == [131, 132]


def test_nearest_looks_further_when_the_filters_leave_too_few(seeded: orm.Session) -> None:
    # The nearest points around the high street are mostly not flats: the flat 880 m east
    # is found by fetching further, and comes before the one 1,008 m north.
    flats = spatial.nearest(
        session=seeded,
        x=300120,
        y=100000,
        srid=27700,
        limit=3,
        filters=Filters(classification="RD06"),
    )
    assert [p.address.uprn for p in flats] == [131, 132, 401]


def test_nearest_from_and_to_wgs84(seeded: orm.Session) -> None:
    lon, lat = spatial.from_bng(300050, 100000, 4326)
    found = spatial.nearest(session=seeded, x=lon, y=lat, srid=4326, limit=1)
    assert found[0].address.uprn == 105
    assert (found[0].x, found[0].y) == pytest.approx((lon, lat), abs=1e-6)
    assert -3.6 < found[0].x < -3.4 and 50.7 < found[0].y < 50.9  # Devon, not the sea off Africa


def test_within_box_and_polygon(seeded: orm.Session) -> None:
    boxed = spatial.within_bbox(session=seeded, bbox=(300005, 99990, 300035, 100010), srid=27700)
    assert sorted(p.address.uprn for p in boxed) == [101, 102, 103]
    square = {
        "type": "Polygon",
        "coordinates": [
            [
                [299990, 100999],
                [300010, 100999],
                [300010, 101002],
                [299990, 101002],
                [299990, 100999],
            ]
        ],
    }
    inside = spatial.within_polygon(session=seeded, polygon=square, srid=27700)
    assert sorted(p.address.uprn for p in inside) == [301, 302]
    with pytest.raises(InvalidInput):
        spatial.within_bbox(session=seeded, bbox=(1, 1, 0, 0), srid=27700)


def test_areas_containing_a_uprn(seeded: orm.Session) -> None:
    areas = spatial.areas_of(session=seeded, uprn=101)
    assert [(a.type, a.code) for a in areas] == [("parish", "E04000001"), ("ward", "E05000001")]
    only_parish = spatial.areas_of(session=seeded, uprn=120)
    assert [a.code for a in only_parish] == ["E04000001"]
    with pytest.raises(AddressNotFound):
        spatial.areas_of(session=seeded, uprn=999999)


def test_addresses_inside_an_area(seeded: orm.Session) -> None:
    found = spatial.addresses_in_area(session=seeded, area_type="ward", code="E05000001")
    uprns = [p.address.uprn for p in found]
    assert 101 in uprns and 114 in uprns and 120 not in uprns
    assert uprns == sorted(uprns)
    residential = spatial.addresses_in_area(
        session=seeded, area_type="ward", code="E05000001", filters=Filters(classification="RD06")
    )
    assert {p.address.uprn for p in residential} == {131, 132, 302}
    with pytest.raises(NotFound):
        spatial.addresses_in_area(session=seeded, area_type="ward", code="NOPE")


def test_nearest_reads_points_and_labels_in_one_statement(
    seeded: orm.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counted at the DB-API connection: nearest runs there, past SQLAlchemy's events."""
    seen: list[str] = []
    raw = seeded.connection().connection.driver_connection
    assert raw is not None
    if db.is_sqlite(seeded):
        raw.set_trace_callback(seen.append)
    else:
        execute = psycopg.Cursor.execute

        def counted(cursor: psycopg.Cursor[Any], query: Any, *args: Any, **kwargs: Any) -> Any:
            seen.append(str(query))
            return execute(cursor, query, *args, **kwargs)

        monkeypatch.setattr(psycopg.Cursor, "execute", counted)
    try:
        found = spatial.nearest(session=seeded, x=300052, y=100000, srid=27700, limit=3)
    finally:
        if db.is_sqlite(seeded):
            raw.set_trace_callback(None)
    assert len(found) == 3 and all(p.address.label for p in found)
    seen = [sql for sql in seen if not sql.startswith("--")]  # SpatiaLite's own, nested
    assert len(seen) == 1  # SpatiaLite too, while its first frame holds enough points
    assert "address_point" in seen[0]  # the points with their labels, no list row read
