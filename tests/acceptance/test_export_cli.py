"""``addresshub export csv|geojson|bs7666-xml`` in a subprocess, on both engines."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import sqlalchemy as sa

from core import db
from gazetteer import domain, repository

ADDRESSHUB = Path(sys.executable).parent / "addresshub"


def _seed(db_url: str) -> None:
    engine = db.create_engine(db_url)
    try:
        with db.unit_of_work(db.session_factory(engine)) as session:
            repository.save_records(
                session,
                [
                    domain.StreetDescriptor(usrn=7, description="MILL LANE", town_name="NEWTOWN"),
                    domain.Blpu(
                        uprn=10,
                        logical_status="1",
                        x_coordinate=291960.0,
                        y_coordinate=92581.0,
                        latitude=50.72,
                        longitude=-3.53,
                        last_update_date=dt.date(2025, 3, 1),
                    ),
                    domain.Lpi(
                        uprn=10,
                        lpi_key="1110L000000010",
                        language="ENG",
                        logical_status="1",
                        usrn=7,
                        pao_start_number=12,
                        postcode="NT1 1AA",
                    ),
                ],
            )
    finally:
        engine.dispose()


def _export(db_url: str, *args: str) -> dict[str, object]:
    result = subprocess.run(
        [str(ADDRESSHUB), "export", *args, "--database-url", db_url, "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    document: dict[str, object] = json.loads(result.stdout)
    return document


def test_every_export_format_writes_its_file(db_url: str, tmp_path: Path) -> None:
    _seed(db_url)
    csv_report = _export(db_url, "csv", "--output", str(tmp_path / "a.csv"))
    assert csv_report["addresses"] == 1
    assert "12 MILL LANE, NEWTOWN, NT1 1AA" in (tmp_path / "a.csv").read_text(encoding="utf-8")
    _export(db_url, "geojson", "--output", str(tmp_path / "a.geojson"))
    features = json.loads((tmp_path / "a.geojson").read_text(encoding="utf-8"))["features"]
    assert features[0]["geometry"]["coordinates"] == [-3.53, 50.72]
    recent = _export(
        db_url, "bs7666-xml", "--output", str(tmp_path / "a.xml"), "--since", "2026-01-01"
    )
    assert recent["addresses"] == 0
    assert list(ET.parse(tmp_path / "a.xml").getroot()) == []


def test_export_dtf_writes_a_supply_the_dtf_loader_reads_back(db_url: str, tmp_path: Path) -> None:
    _seed(db_url)
    output = tmp_path / "llpg.csv"
    report = _export(db_url, "dtf", "--output", str(output), "--custodian-code", "1110")
    assert (report["records"], report["file_type"]) == (3, "F")
    lines = output.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith('10,"ADDRESSHUB",1110,')
    assert [line.split(",")[0] for line in lines] == ["10", "15", "21", "24", "99"]


def _load_dtf(db_url: str, path: Path, tmp_path: Path) -> dict[str, object]:
    result = subprocess.run(
        [str(ADDRESSHUB), "load", "dtf", str(path), "--database-url", db_url, "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    document: dict[str, object] = json.loads(result.stdout)
    return document


def test_a_full_dtf_export_loads_back_and_exports_identically(db_url: str, tmp_path: Path) -> None:
    _seed(db_url)
    first = tmp_path / "first.csv"
    _export(db_url, "dtf", "--output", str(first), "--custodian-code", "1110")
    engine = db.create_engine(db_url)
    try:
        with db.unit_of_work(db.session_factory(engine)) as session:
            for table in ("lpi", "blpu", "street_descriptor", "street", "load_run"):
                session.execute(sa.text(f"DELETE FROM {table}"))
    finally:
        engine.dispose()
    loaded = _load_dtf(db_url, first, tmp_path)
    assert loaded["unchanged"] is False
    second = tmp_path / "second.csv"
    _export(db_url, "dtf", "--output", str(second), "--custodian-code", "1110")
    assert second.read_bytes() == first.read_bytes()
