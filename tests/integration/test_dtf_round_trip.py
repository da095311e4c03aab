"""Export a full DTF 7.3, load it into an empty gazetteer, get the same gazetteer (both engines)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from core import db
from gazetteer import domain
from loaders import model
from loaders import service as supplies
from loaders.exporters import dtf as dtf_export
from loaders.readers import sources
from loaders.writers import dtf as dtf_writer
from tests import strategies

D1, D2 = dt.date(2001, 2, 3), dt.date(2024, 6, 1)
TABLES = (
    "street",
    "street_descriptor",
    "blpu",
    "lpi",
    "cross_reference",
    "provenance",
    "successor",
    "organisation",
    "classification",
)
IGNORED = {"id", "load_run_id", "geom"}


def _records() -> list[model.GazetteerRecord]:
    street = domain.Street(
        usrn=7, record_type="1", state="2", swa_org_ref_naming=1110, start_date=D1, entry_date=D1
    )
    dates: strategies.OpenRecordDates = {"start_date": D1, "entry_date": D1, "last_update_date": D1}
    return [
        street,
        domain.StreetDescriptor(usrn=7, description="MILL LANE", town_name="NEWTOWN"),
        domain.StreetDescriptor(
            usrn=7, description="LÔN Y FELIN", town_name="TREFNEWYDD", language="CYM"
        ),
        domain.Blpu(
            uprn=100040214130,
            logical_status="1",
            blpu_state="2",
            x_coordinate=291960.12,
            y_coordinate=92581.5,
            rpc="1",
            local_custodian_code=1110,
            blpu_class="RD04",
            organisation="MILL COTTAGE TEAS",
            ward_code="E05003502",
            **dates,
        ),
        domain.Blpu(
            uprn=100040214131,
            logical_status="8",
            blpu_state="4",
            x_coordinate=291970.0,
            y_coordinate=92590.0,
            rpc="2",
            local_custodian_code=1110,
            start_date=D1,
            end_date=D2,
            entry_date=D1,
            last_update_date=D2,
        ),
        domain.Lpi(
            uprn=100040214130,
            lpi_key="1110L000000001",
            language="ENG",
            logical_status="1",
            usrn=7,
            sao_text="FLAT 1",
            pao_start_number=12,
            pao_start_suffix="A",
            postal_address="Y",
            postcode="NT1 1AA",
            post_town="NEWTOWN",
            official_flag="Y",
            **dates,
        ),
        domain.Lpi(
            uprn=100040214130,
            lpi_key="1110L000000002",
            language="CYM",
            logical_status="1",
            usrn=7,
            sao_text="FFLAT 1",
            pao_start_number=12,
            pao_start_suffix="A",
            postal_address="Y",
            postcode="NT1 1AA",
            post_town="NEWTOWN",
            **dates,
        ),
        domain.Lpi(
            uprn=100040214131,
            lpi_key="1110L000000003",
            language="ENG",
            logical_status="8",
            usrn=7,
            pao_text="THE OLD MILL",
            postal_address="N",
            start_date=D1,
            end_date=D2,
            entry_date=D1,
            last_update_date=D2,
        ),
        domain.Provenance(
            uprn=100040214130, prov_key="1110P000000001", provenance_code="T", **dates
        ),
        domain.CrossReference(
            uprn=100040214130,
            xref_key="1110X000000001",
            cross_reference="osgb1000002",
            source="7666MT",
            **dates,
        ),
        domain.Successor(
            uprn=100040214131, succ_key="1110S000000001", successor=100040214130, **dates
        ),
    ]


def _write(directory: Path, process_date: dt.date) -> list[Path]:
    header = model.Header(
        custodian_name="NEWTOWN",
        local_custodian_code=1110,
        process_date=process_date,
        volume_number=1,
        entry_date=process_date,
        time_stamp="120000",
        file_type="F",
    )
    changes = [model.Change(change_type="I", record=r) for r in _records()]
    return dtf_writer.write(directory, header=header, changes=changes)


def _load(factory: db.SessionFactory, paths: list[Path], report: Path) -> Any:
    return supplies.load(session_factory=factory, fmt="dtf", paths=paths, report_path=report)


def _snapshot(session: orm.Session) -> dict[str, set[tuple[Any, ...]]]:
    found: dict[str, set[tuple[Any, ...]]] = {}
    metadata = sa.MetaData()
    for name in TABLES:
        table = sa.Table(name, metadata, autoload_with=session.connection())
        columns = [c for c in table.c if c.name not in IGNORED]
        rows = session.execute(sa.select(*columns)).all()
        found[name] = {tuple(_rounded(v) for v in row) for row in rows}
    return found


def _rounded(value: Any) -> Any:
    return round(value, 6) if isinstance(value, float) else value


def _empty(session: orm.Session) -> None:
    for name in (*TABLES, "gazetteer_change", "load_run"):
        session.execute(sa.text(f"DELETE FROM {name}"))
    session.commit()


def test_a_full_dtf_export_loads_back_to_the_same_gazetteer(
    session_factory: db.SessionFactory, tmp_path: Path
) -> None:
    _load(session_factory, _write(tmp_path / "in", dt.date(2025, 1, 2)), tmp_path / "r1.csv")
    with session_factory() as session:
        before = _snapshot(session)
        assert len(before["blpu"]) == 2 and len(before["lpi"]) == 3
        output = tmp_path / "out" / "export.csv"
        result = dtf_export.export(session=session, output=output, today=dt.date(2025, 3, 4))
        assert result.records == len(_records())
        _empty(session)
    with output.open("rb") as stream:
        rows = list(sources.csv_rows(stream))
    assert rows[0].values[0] == "10" and rows[0].values[-1] == "F"
    assert rows[-1].values[0] == "99"
    outcome = _load(session_factory, [output], tmp_path / "r2.csv")
    assert outcome.reports[0].records["blpu"].inserted == 2
    with session_factory() as session:
        assert _snapshot(session) == before


def test_since_exports_a_change_only_supply_of_what_changed(
    session_factory: db.SessionFactory, tmp_path: Path
) -> None:
    _load(session_factory, _write(tmp_path / "in", dt.date(2025, 1, 2)), tmp_path / "r1.csv")
    output = tmp_path / "cou.csv"
    with session_factory() as session:
        result = dtf_export.export(
            session=session, output=output, today=dt.date(2025, 3, 4), since=dt.date(2024, 1, 1)
        )
    with output.open("rb") as stream:
        rows = [r.values for r in sources.csv_rows(stream)]
    assert rows[0][-1] == "C"
    data = [(r[0], r[1]) for r in rows[1:-1]]
    assert data == [("21", "U"), ("24", "U")]
    assert result.records == 2 and result.file_type == "C"
