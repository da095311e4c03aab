"""The loads API and address history through the real app, on both engines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy import orm

from api import app as api_app
from api.keys import domain as keys
from api.keys import service as key_service
from core import clock as clocks
from core.settings import Settings
from gazetteer import domain, repository, tables
from loaders import model
from loaders.writers import dtf
from tests import supplies

EX_ROW = '"EX1 1AE",10,291960,92581,"E92000001","","","","E07000041","E05003502"\r\n'


@pytest.fixture
def load_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "incoming"
    directory.mkdir()
    return directory


@pytest.fixture
def settings(db_url: str, load_dir: Path) -> Settings:
    return Settings(database_url=db_url, load_directory=load_dir)


@pytest.fixture
def client(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    monkeypatch.chdir(tmp_path)  # reports land under ./var/reports
    with TestClient(api_app.create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client


def _headers(session: orm.Session, settings: Settings, role: keys.Role) -> dict[str, str]:
    issued = key_service.create_key(
        session=session, settings=settings, clock=clocks.SystemClock(), role=role
    )
    session.commit()
    return {"Authorization": f"Bearer {issued.plaintext}"}


def test_an_uploaded_codepoint_file_loads_and_its_run_is_listed(
    client: TestClient, session: orm.Session, settings: Settings
) -> None:
    headers = _headers(session, settings, keys.Role.CUSTODIAN)
    response = client.post(
        "/v1/loads",
        headers=headers,
        data={"format": "codepoint"},
        files={"files": ("ex.csv", EX_ROW.encode(), "text/csv")},
    )
    assert response.status_code == 201, response.text
    report = response.json()
    assert report["records"]["postcode"]["inserted"] == 1
    assert report["files"][0]["path"].endswith("ex.csv")
    listed = client.get("/v1/loads", headers=headers).json()
    assert [run["id"] for run in listed] == [report["run_id"]]
    one = client.get(f"/v1/loads/{report['run_id']}", headers=headers).json()
    assert one["status"] == "applied"
    assert one["report"]["records"]["postcode"]["inserted"] == 1
    missing = client.get("/v1/loads/nope", headers=headers)
    assert (missing.status_code, missing.json()["code"]) == (404, "load_run_not_found")


def test_a_refused_upload_is_422_listing_each_finding(
    client: TestClient, session: orm.Session, settings: Settings
) -> None:
    headers = _headers(session, settings, keys.Role.ADMIN)
    response = client.post(
        "/v1/loads",
        headers=headers,
        data={"format": "csv", "uprn_column": "UPRN", "address_column": "Address"},
        files={"files": ("roll.csv", b"UPRN,Address\nx,1 High St\n2,\n", "text/csv")},
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "source_refused"
    assert [(e["location"], e["type"]) for e in problem["errors"]] == [
        (["roll.csv", 2, "UPRN"], "LIST-UPRN"),
        (["roll.csv", 3, "Address"], "LIST-ADDRESS"),
    ]
    assert client.get("/v1/loads", headers=headers).json() == []


def test_server_side_paths_must_lie_in_the_load_directory(
    client: TestClient, session: orm.Session, settings: Settings, load_dir: Path
) -> None:
    headers = _headers(session, settings, keys.Role.CUSTODIAN)
    (load_dir / "ex.csv").write_text(EX_ROW, encoding="utf-8")
    inside = client.post(
        "/v1/loads", headers=headers, data={"format": "codepoint", "paths": "ex.csv"}
    )
    assert inside.status_code == 201, inside.text
    outside = client.post(
        "/v1/loads", headers=headers, data={"format": "codepoint", "paths": "../../etc/passwd"}
    )
    assert (outside.status_code, outside.json()["code"]) == (403, "load_path_not_allowed")


def test_only_custodians_and_admins_may_load(
    client: TestClient, session: orm.Session, settings: Settings
) -> None:
    headers = _headers(session, settings, keys.Role.AGENT)
    response = client.post("/v1/loads", headers=headers, data={"format": "codepoint"})
    assert response.status_code == 403
    assert client.get("/v1/loads", headers=headers).status_code == 403


def test_a_dtf_supply_goes_through_the_supply_loader(
    client: TestClient, session: orm.Session, settings: Settings, tmp_path: Path
) -> None:
    headers = _headers(session, settings, keys.Role.CUSTODIAN)
    (path,) = dtf.write(
        tmp_path / "dtf",
        header=model.Header(
            custodian_name="NEWTOWN",
            local_custodian_code=1110,
            process_date=dt.date(2025, 1, 2),
            volume_number=1,
            entry_date=dt.date(2025, 1, 2),
            time_stamp="120000",
            file_type="F",
        ),
        changes=[model.Change(change_type="I", record=record) for record in _records()],
    )
    response = client.post(
        "/v1/loads",
        headers=headers,
        data={"format": "dtf"},
        files={"files": (path.name, path.read_bytes(), "text/csv")},
    )
    assert response.status_code == 201, response.text
    assert response.json()["records"]["blpu"]["inserted"] == 1
    history = client.get("/v1/addresses/100040214130/history", headers=headers)
    assert history.status_code == 200
    assert [c["kind"] for c in history.json()["changes"]] == ["created"]


def _records() -> list[model.GazetteerRecord]:
    return [
        domain.Street(usrn=7, record_type="1", state="2", start_date=dt.date(2000, 1, 1)),
        domain.StreetDescriptor(usrn=7, description="MILL LANE", town_name="NEWTOWN"),
        domain.Blpu(
            uprn=100040214130,
            logical_status="1",
            blpu_state="2",
            x_coordinate=291960.0,
            y_coordinate=92581.0,
            rpc="1",
            local_custodian_code=1110,
            start_date=dt.date(2000, 1, 1),
            entry_date=dt.date(2000, 1, 1),
            last_update_date=dt.date(2000, 1, 1),
            blpu_class="RD04",
        ),
        domain.Lpi(
            uprn=100040214130,
            lpi_key="1110L000000001",
            language="ENG",
            logical_status="1",
            usrn=7,
            pao_start_number=12,
            postal_address="Y",
            postcode="NT1 1AA",
            post_town="NEWTOWN",
            start_date=dt.date(2000, 1, 1),
            entry_date=dt.date(2000, 1, 1),
            last_update_date=dt.date(2000, 1, 1),
        ),
    ]


def test_history_lists_changes_oldest_first_and_404s_unknown_uprns(
    client: TestClient, session: orm.Session, settings: Settings
) -> None:
    headers = _headers(session, settings, keys.Role.AGENT)
    repository.save_records(session, [domain.Blpu(uprn=5, logical_status="1")])
    at = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    session.add_all(
        [
            tables.GazetteerChange(
                uprn=6, kind="retired", old_label="1 A ST", successor_uprn=7, occurred_at=at
            ),
            tables.GazetteerChange(
                uprn=6, kind="created", new_label="1 A ST", occurred_at=at.replace(year=2024)
            ),
            tables.GazetteerChange(
                uprn=6,
                kind="changed",
                old_label="1 A ST",
                new_label="1 A ST",
                occurred_at=at.replace(month=6, year=2024),
                changed_attributes="classification",
                old_classification="RD04",
                new_classification="CR08",
                old_x=1.0,
                old_y=2.0,
                new_x=1.0,
                new_y=2.0,
            ),
        ]
    )
    session.commit()
    six = client.get("/v1/addresses/6/history", headers=headers).json()
    assert [(c["kind"], c["successor_uprn"]) for c in six["changes"]] == [
        ("created", None),
        ("changed", None),
        ("retired", 7),
    ]
    changed = six["changes"][1]
    assert changed["changed_attributes"] == ["classification"]
    assert (changed["old_classification"], changed["new_classification"]) == ("RD04", "CR08")
    assert changed["old_point"] == changed["new_point"] == [1.0, 2.0]
    assert six["changes"][0]["changed_attributes"] == []
    assert client.get("/v1/addresses/5/history", headers=headers).json()["changes"] == []
    unknown = client.get("/v1/addresses/8/history", headers=headers)
    assert (unknown.status_code, unknown.json()["code"]) == (404, "address_not_found")


def test_an_abp_tile_supply_takes_its_tile_from_the_form(
    client: TestClient, session: orm.Session, settings: Settings, tmp_path: Path
) -> None:
    headers = _headers(session, settings, keys.Role.CUSTODIAN)
    state = supplies.sample_state("abp2", blpus_count=2, first_uprn=10_001)
    head = supplies.header(process_date=dt.date(2022, 3, 7), file_type="C")
    (path,) = supplies.write(tmp_path / "cou", flavour="abp2", head=head,
                             changes=supplies.full_changes(state))  # fmt: skip
    upload = {"files": (path.name, path.read_bytes(), "text/csv")}
    wrong = client.post("/v1/loads", headers=headers, data={"format": "abp", "tile": "SX-92"},
                        files=upload)  # fmt: skip
    assert (wrong.status_code, wrong.json()["code"]) == (422, "invalid_tile"), wrong.text
    points = {"files": ("ex.csv", EX_ROW.encode(), "text/csv")}
    other = client.post("/v1/loads", headers=headers,
                        data={"format": "codepoint", "tile": "SX9292"}, files=points)  # fmt: skip
    assert other.status_code == 422 and "abp" in other.json()["detail"]
    response = client.post("/v1/loads", headers=headers, data={"format": "abp", "tile": "sx9292"},
                           files=upload)  # fmt: skip
    assert response.status_code == 201, response.text
    assert response.json()["records"]["blpu"]["inserted"] == 2
    session.rollback()
    tiles = session.scalars(sa.select(tables.Blpu.source_tile)).all()
    assert tiles == ["SX9292", "SX9292"]  # without the form field the file name has no tile
