"""Loading Code-Point Open, Open UPRN, council lists and boundaries, on both engines."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from core import db
from core.settings import Settings
from gazetteer import find, tables
from loaders.readers import listed
from loaders.sources import errors, pipeline, service

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "codepoint-open-ex"
EX_CSV = SHARED / "ex.csv"

CODES = '"E92000001","E19000002","E18000010","E10000008","E07000041","E05003502"'
EX_ROWS = (
    f'"EX1 1AE",10,291960,92581,{CODES}\r\n'
    f'"EX1 1AF",10,292245,92317,{CODES}\r\n'
    '"EX100AA",10,300000,90000,"E92000001","E19000002","E18000010","","E07000041","E05003502"\r\n'
)


def _job(session: orm.Session, tmp_path: Path) -> pipeline.Job:
    return pipeline.Job(session=session, report_dir=tmp_path / "reports", requested_by="test")


def _load_codepoint(factory: db.SessionFactory, tmp_path: Path, *paths: Path) -> Any:
    with db.unit_of_work(factory) as session:
        return service.load_codepoint(job=_job(session, tmp_path), paths=list(paths))


def _scalar(session: orm.Session, statement: str, **params: Any) -> Any:
    return session.execute(sa.text(statement), params).scalar()


def test_codepoint_loads_then_reload_is_unchanged_then_one_row_updates(
    session_factory: db.SessionFactory, tmp_path: Path
) -> None:
    source = tmp_path / "ex.csv"
    source.write_text(EX_ROWS, encoding="utf-8")
    first = _load_codepoint(session_factory, tmp_path, source)
    assert first.records["postcode"].as_json() == {
        "inserted": 3,
        "updated": 0,
        "deleted": 0,
        "rejected": 0,
    }
    assert first.unchanged is False
    again = _load_codepoint(session_factory, tmp_path, source)
    assert again.unchanged is True
    assert again.records["postcode"].inserted == 0
    source.write_text(EX_ROWS.replace("292245,92317", "292250,92320"), encoding="utf-8")
    changed = _load_codepoint(session_factory, tmp_path, source)
    assert changed.unchanged is False
    assert changed.records["postcode"].as_json() == {
        "inserted": 0,
        "updated": 1,
        "deleted": 0,
        "rejected": 0,
    }
    with session_factory() as session:
        row = session.get(tables.Postcode, "EX1 1AF")
        assert row is not None
        assert (row.eastings, row.northings, row.load_run_id) == (292250, 92320, changed.run_id)
        assert row.latitude == pytest.approx(50.72, abs=0.01)
        assert row.longitude == pytest.approx(-3.52, abs=0.01)
        assert session.get(tables.Postcode, "EX10 0AA") is not None
        runs = session.scalars(sa.select(tables.LoadRun).order_by(tables.LoadRun.started_at)).all()
        assert [r.unchanged for r in runs] == [False, True, False]
        assert runs[0].counts["postcode"]["inserted"] == 3


def test_codepoint_replaces_only_the_areas_it_carries(
    session_factory: db.SessionFactory, tmp_path: Path
) -> None:
    ex = tmp_path / "ex.csv"
    ex.write_text(EX_ROWS, encoding="utf-8")
    e = tmp_path / "e.csv"
    e.write_text('"E1  6AN",10,533000,181000,"E92000001","","","","E09000030","E05000001"\r\n')
    _load_codepoint(session_factory, tmp_path, ex, e)
    ex.write_text(EX_ROWS.splitlines(keepends=True)[0], encoding="utf-8")
    result = _load_codepoint(session_factory, tmp_path, ex)
    assert result.records["postcode"].deleted == 2
    with session_factory() as session:
        remaining = session.scalars(sa.select(tables.Postcode.postcode).order_by("postcode")).all()
    assert remaining == ["E1 6AN", "EX1 1AE"]


def test_a_bad_codepoint_file_changes_nothing_and_lists_every_error(
    session_factory: db.SessionFactory, tmp_path: Path
) -> None:
    source = tmp_path / "ex.csv"
    source.write_text(EX_ROWS, encoding="utf-8")
    _load_codepoint(session_factory, tmp_path, source)
    broken = EX_ROWS.replace("292245", "29x245") + EX_ROWS.splitlines(keepends=True)[0]
    source.write_text(broken, encoding="utf-8")
    with pytest.raises(errors.SourceRefused) as refused:
        _load_codepoint(session_factory, tmp_path, source)
    findings = refused.value.details["findings"]
    assert [(f["line"], f["code"]) for f in findings] == [
        (2, "FILE-NUMBER"),
        (1, "FILE-KEY-DUPLICATE"),
        (4, "FILE-KEY-DUPLICATE"),
    ]
    report_file = Path(refused.value.details["report_file"])
    assert report_file.read_text(encoding="utf-8").count("\n") == 4
    with session_factory() as session:
        row = session.get(tables.Postcode, "EX1 1AF")
        assert row is not None and row.eastings == 292245
        assert _scalar(session, "SELECT count(*) FROM load_run") == 1


def test_the_real_exeter_file_loads_with_points_in_27700(
    session_factory: db.SessionFactory, tmp_path: Path
) -> None:
    result = _load_codepoint(session_factory, tmp_path, EX_CSV)
    assert result.records["postcode"].inserted == 21_704
    assert "Crown copyright" in (result.attribution or "")
    with session_factory() as session:
        assert _scalar(session, "SELECT count(*) FROM postcode WHERE geom IS NOT NULL") == 21_704
        srid = _scalar(session, "SELECT ST_SRID(geom) FROM postcode WHERE postcode = 'EX1 1AE'")
        x = _scalar(session, "SELECT ST_X(geom) FROM postcode WHERE postcode = 'EX1 1AE'")
    assert (srid, x) == (27700, 291960)


def test_open_uprn_snapshot_diffs_by_uprn(
    session_factory: db.SessionFactory, tmp_path: Path
) -> None:
    header = "UPRN,X_COORDINATE,Y_COORDINATE,LATITUDE,LONGITUDE\r\n"
    source = tmp_path / "osopenuprn_202401.csv"
    source.write_bytes(
        b"\xef\xbb\xbf"
        + (header + "1,291960.0,92581.0,50.72,-3.53\r\n2,291000,92000,50.71,-3.54\r\n").encode()
    )
    with db.unit_of_work(session_factory) as session:
        first = service.load_open_uprn(job=_job(session, tmp_path), path=source)
    assert first.records["open_uprn"].inserted == 2
    source.write_bytes(
        (header + "2,291000,92001,50.71,-3.54\r\n3,290000,91000,50.70,-3.55\r\n").encode()
    )
    with db.unit_of_work(session_factory) as session:
        second = service.load_open_uprn(job=_job(session, tmp_path), path=source)
    assert second.records["open_uprn"].as_json() == {
        "inserted": 1,
        "updated": 1,
        "deleted": 1,
        "rejected": 0,
    }
    with session_factory() as session:
        assert session.get(tables.OpenUprn, 1) is None
        row = session.get(tables.OpenUprn, 2)
        assert row is not None and row.y_coordinate == 92001


def test_a_council_list_is_replaced_whole_and_found_by_uprn(
    session_factory: db.SessionFactory, tmp_path: Path
) -> None:
    columns = listed.ListedColumns(
        uprn="UPRN", address="Address", postcode="Postcode", latitude="Lat", longitude="Lon"
    )
    source = tmp_path / "council_tax.csv"
    source.write_text(
        "UPRN,Address,Postcode,Lat,Lon\n"
        '100040214130,"1 High Street, Exeter",ex11ae,50.7236,-3.5275\n'
        "100040214131,2 High Street,,,\n",
        encoding="utf-8",
    )
    with db.unit_of_work(session_factory) as session:
        first = service.load_listed(job=_job(session, tmp_path), path=source, columns=columns)
    assert first.records["listed_address"].inserted == 2
    source.write_text("UPRN,Address,Postcode,Lat,Lon\n100040214130,1 HIGH ST,EX1 1AE,,\n")
    with db.unit_of_work(session_factory) as session:
        second = service.load_listed(job=_job(session, tmp_path), path=source, columns=columns)
    assert second.records["listed_address"].as_json()["deleted"] == 2
    with session_factory() as session:
        rows = session.scalars(
            sa.select(tables.ListedAddress).where(tables.ListedAddress.uprn == 100040214130)
        ).all()
    assert [(r.list_name, r.address, r.postcode) for r in rows] == [
        ("council_tax", "1 HIGH ST", "EX1 1AE")
    ]
    with session_factory() as session:
        page = find.search(session=session, q="1 High St EX1 1AE", settings=Settings())
        gone = find.search(session=session, q="2 High Street", settings=Settings())
    assert [r.uprn for r in page.results][:1] == [100040214130]
    assert 100040214131 not in [r.uprn for r in gone.results]


def test_a_list_with_lat_lon_gets_a_27700_point(
    session_factory: db.SessionFactory, tmp_path: Path
) -> None:
    columns = listed.ListedColumns(uprn="u", address="a", latitude="lat", longitude="lon")
    source = tmp_path / "crm.csv"
    source.write_text("u,a,lat,lon\n7,Guildhall,50.7243,-3.5300\n", encoding="utf-8")
    with db.unit_of_work(session_factory) as session:
        service.load_listed(
            job=_job(session, tmp_path), path=source, columns=columns, list_name="crm"
        )
    with session_factory() as session:
        row = session.scalars(sa.select(tables.ListedAddress)).one()
        x = _scalar(session, "SELECT ST_X(geom) FROM listed_address")
    assert row.x_coordinate == pytest.approx(291_953, abs=200)
    assert x == pytest.approx(row.x_coordinate)


def _geojson(path: Path, features: list[dict[str, Any]], crs: str | None = None) -> Path:
    document: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    if crs:
        document["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _ward(code: str, name: str, lon: float, lat: float, half: float) -> dict[str, Any]:
    ring = [
        [lon - half, lat - half],
        [lon + half, lat - half],
        [lon + half, lat + half],
        [lon - half, lat + half],
        [lon - half, lat - half],
    ]
    return {
        "type": "Feature",
        "properties": {"WD_CODE": code, "WD_NAME": name},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def test_wgs84_areas_land_in_27700_and_contain_a_known_point(
    session_factory: db.SessionFactory, tmp_path: Path
) -> None:
    source = _geojson(
        tmp_path / "wards.geojson",
        [
            _ward("E05003502", "St David's", -3.53, 50.7243, 0.005),
            _ward("E05003499", "Far Away", -3.40, 50.80, 0.005),
        ],
    )

    def load() -> Any:
        with db.unit_of_work(session_factory) as session:
            return service.load_areas(
                job=_job(session, tmp_path),
                path=source,
                area_type="ward",
                code_property="WD_CODE",
                name_property="WD_NAME",
            )

    assert load().records["area"].inserted == 2
    with session_factory() as session:
        inside = (
            session.execute(
                sa.text(
                    "SELECT code FROM area WHERE ST_Contains(geom, "
                    + _point_sql(session)
                    + ") ORDER BY code"
                )
            )
            .scalars()
            .all()
        )
        srid = _scalar(session, "SELECT DISTINCT ST_SRID(geom) FROM area")
    assert (inside, srid) == (["E05003502"], 27700)
    assert load().unchanged is True
    source = _geojson(source, [_ward("E05003502", "St David's (renamed)", -3.53, 50.7243, 0.005)])
    again = load()
    assert again.records["area"].as_json() == {
        "inserted": 0,
        "updated": 1,
        "deleted": 0,
        "rejected": 0,
    }


def _point_sql(session: orm.Session) -> str:
    if db.is_sqlite(session):
        return "MakePoint(291953, 92660, 27700)"
    return "ST_SetSRID(ST_MakePoint(291953, 92660), 27700)"


def test_options_that_cannot_work_are_refused_before_reading(
    session_factory: db.SessionFactory, tmp_path: Path
) -> None:
    source = tmp_path / "x.geojson"
    shutil.copyfile(EX_CSV, source)
    with db.unit_of_work(session_factory) as session, pytest.raises(errors.InvalidSourceOptions):
        service.load_areas(
            job=_job(session, tmp_path),
            path=source,
            area_type="galaxy",
            code_property="c",
            name_property="n",
        )
    with db.unit_of_work(session_factory) as session, pytest.raises(errors.SourceUnreadable):
        service.load_open_uprn(job=_job(session, tmp_path), path=tmp_path / "missing.csv")
