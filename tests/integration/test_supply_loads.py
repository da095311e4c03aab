"""ABP and DTF supplies applied to both engines: full loads, atomicity, reports and runs."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from core import db
from core.errors import SupplyRefused
from gazetteer import domain, tables
from loaders import errors, model
from loaders.writers import supply as writer
from tests import supplies
from tests.integration import supply_db

DAY0 = dt.date(2021, 1, 4)


def write(
    tmp_path: Path,
    state: supplies.State,
    *,
    flavour: str = "abp2",
    day: dt.date = DAY0,
    file_type: str = "F",
    changes: list[model.Change] | None = None,
    **options: Any,
) -> list[Path]:
    directory = tmp_path / f"{flavour}-{day}-{file_type}"
    return supplies.write(
        directory,
        flavour=flavour,
        head=supplies.header(process_date=day, file_type=file_type),
        changes=supplies.full_changes(state) if changes is None else changes,
        options=writer.WriteOptions(**options),
    )


@pytest.mark.parametrize("flavour", ["abp1", "abp2"])
def test_a_full_abp_supply_loads_every_record(
    engine: sa.Engine, session_factory: db.SessionFactory, tmp_path: Path, flavour: str
) -> None:
    state = supplies.sample_state(flavour, 4)
    paths = write(tmp_path, state, flavour=flavour, split=flavour == "abp1", header_row=True)
    outcome = supply_db.load(session_factory, paths, report=tmp_path / "r.csv")
    document = outcome.as_json()
    assert set(document) == {
        "run_id", "format", "schema_version", "files", "records", "warnings", "unchanged",
        "report_file",
    }  # fmt: skip
    assert document["records"]["blpu"] == {"inserted": 4, "updated": 0, "deleted": 0, "rejected": 0}
    assert document["records"]["lpi"]["inserted"] == 4
    assert document["unchanged"] is False
    got = supply_db.dates_as_text(supply_db.snapshot(engine))
    assert got == supply_db.dates_as_text(supply_db.expected_rows(state))
    with session_factory() as session:
        run = session.get(tables.LoadRun, document["run_id"])
        assert run is not None and run.status == "applied" and run.process_date == DAY0
        blpu_runs = session.scalars(sa.select(tables.Blpu.load_run_id)).all()
        assert set(blpu_runs) == {document["run_id"]}
        kinds = session.scalars(sa.select(tables.GazetteerChange.kind)).all()
        assert kinds == ["created"] * 4


def test_geometry_and_coordinates_are_set_from_x_and_y(
    engine: sa.Engine, session_factory: db.SessionFactory, tmp_path: Path
) -> None:
    state = supplies.sample_state("abp2", 1)
    supply_db.load(session_factory, write(tmp_path, state), report=tmp_path / "r.csv")
    with engine.connect() as conn:
        x_of = sa.func.ST_X if conn.dialect.name == "postgresql" else sa.func.X
        srid = sa.func.ST_SRID if conn.dialect.name == "postgresql" else sa.func.SRID
        row = conn.execute(
            sa.select(x_of(tables.Blpu.geom), srid(tables.Blpu.geom), tables.Blpu.latitude)
        ).one()
    assert row == (292_100.0, 27700, 50.72)


def test_reloading_an_applied_supply_reports_unchanged(
    engine: sa.Engine, session_factory: db.SessionFactory, tmp_path: Path
) -> None:
    paths = write(tmp_path, supplies.sample_state("abp2", 2))
    supply_db.load(session_factory, paths, report=tmp_path / "1.csv")
    before = supply_db.snapshot(engine, volatile=True)
    again = supply_db.load(session_factory, paths, report=tmp_path / "2.csv").as_json()
    assert again["unchanged"] is True
    assert again["records"] == {}
    assert supply_db.snapshot(engine, volatile=True) == before


def test_a_corrupted_supply_changes_nothing_and_lists_every_error(
    engine: sa.Engine, session_factory: db.SessionFactory, tmp_path: Path
) -> None:
    supply_db.load(session_factory, write(tmp_path, supplies.sample_state("abp2", 2)),
                   report=tmp_path / "0.csv")  # fmt: skip
    before = supply_db.snapshot(engine, volatile=True)
    state = supplies.sample_state("abp2", 5, first_uprn=20_001)
    (path,) = write(tmp_path, state, day=dt.date(2021, 2, 1))
    lines = path.read_bytes().split(b"\r\n")
    lines[3] = lines[3].replace(b",2005-01-01,", b",2005-01-41,", 1)
    lines[5] = lines[5] + b',"extra"'
    lines[7] = b"77" + lines[7][2:]
    path.write_bytes(b"\r\n".join(lines))
    report = tmp_path / "bad.csv"
    with pytest.raises(errors.SupplyNotApplied) as refused:
        supply_db.load(session_factory, [path], report=report)
    assert supply_db.snapshot(engine, volatile=False) == supply_db.snapshot(engine)
    after = supply_db.snapshot(engine, volatile=True)
    assert after == before
    with report.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    errors_listed = {(r["line"], r["code"]) for r in rows if r["severity"] == "E"}
    assert errors_listed == {("4", "FILE-DATE-FORMAT"), ("6", "FILE-FIELD-COUNT")}
    assert ("8", "FILE-RECORD-ID-KNOWN") in {(r["line"], r["code"]) for r in rows}
    assert refused.value.details["errors"] == 2
    with session_factory() as session:
        statuses = session.scalars(sa.select(tables.LoadRun.status).order_by(
            tables.LoadRun.started_at)).all()  # fmt: skip
    assert statuses == ["applied", "refused"]


def test_duplicate_keys_in_a_full_supply_refuse_it(
    engine: sa.Engine, session_factory: db.SessionFactory, tmp_path: Path
) -> None:
    state = supplies.sample_state("abp2", 2)
    changes = supplies.full_changes(state)
    blpu = next(c for c in changes if type(c.record).__name__ == "Blpu")
    paths = write(tmp_path, state, changes=[*changes, blpu])
    report = tmp_path / "dup.csv"
    with pytest.raises(SupplyRefused):
        supply_db.load(session_factory, paths, report=report)
    assert supply_db.snapshot(engine) == supply_db.snapshot(engine)
    assert all(not rows for rows in supply_db.snapshot(engine).values())
    text = report.read_text(encoding="utf-8")
    assert text.count("FILE-KEY-ONCE") == 2


def test_a_truncated_volume_is_refused_with_a_message_that_says_so(
    engine: sa.Engine, session_factory: db.SessionFactory, tmp_path: Path
) -> None:
    (path,) = write(tmp_path, supplies.sample_state("abp2", 3))
    data = path.read_bytes()
    path.write_bytes(data[: data.rfind(b"\r\n99,")])
    with pytest.raises(errors.SupplyNotApplied) as refused:
        supply_db.load(session_factory, [path], report=tmp_path / "t.csv")
    assert "truncated" in str(refused.value)
    assert all(not rows for rows in supply_db.snapshot(engine).values())


def test_rule_findings_load_as_warnings_and_strict_refuses(
    engine: sa.Engine, session_factory: db.SessionFactory, tmp_path: Path
) -> None:
    state = supplies.sample_state("abp2", 2)
    (path,) = write(tmp_path, state)
    text = path.read_text(encoding="utf-8").replace('"EX1 1AA"', '"NOT A PC"', 1)
    path.write_text(text, encoding="utf-8", newline="")
    with pytest.raises(errors.SupplyNotApplied):
        supply_db.load(session_factory, [path], report=tmp_path / "s.csv", strict=True)
    assert all(not rows for rows in supply_db.snapshot(engine).values())
    document = supply_db.load(session_factory, [path], report=tmp_path / "w.csv").as_json()
    assert document["warnings"] >= 1
    assert document["records"]["blpu"]["inserted"] == 2
    assert "BLPU-POSTCODE-LOCATOR" in (tmp_path / "w.csv").read_text(encoding="utf-8")


def test_a_dtf_supply_loads_class_and_organisation_under_surrogate_keys(
    engine: sa.Engine, session_factory: db.SessionFactory, tmp_path: Path
) -> None:
    state = supplies.sample_state("dtf", 3)
    paths = write(tmp_path, state, flavour="dtf")
    document = supply_db.load(session_factory, paths, report=tmp_path / "d.csv",
                              fmt="dtf").as_json()  # fmt: skip
    assert document["format"] == "dtf"
    assert document["records"]["lpi"]["inserted"] == 3
    with session_factory() as session:
        classes = session.execute(
            sa.select(tables.Classification.class_key, tables.Classification.classification_code)
        ).all()
        lpi = session.scalars(sa.select(tables.Lpi)).first()
    assert sorted(classes, key=repr) == sorted(
        [(None, "RD04")] * 3 + [(f"1110C{u:09d}", "RD04") for u in range(10_001, 10_004)], key=repr
    )
    assert lpi is not None and lpi.postcode == "EX1 1AA" and lpi.post_town == "EXETER"


def test_a_pro_order_used_twice_in_a_supply_is_a_warning(
    engine: sa.Engine, session_factory: db.SessionFactory, tmp_path: Path
) -> None:
    state = supplies.sample_state("abp2", 2)
    changes = [dataclasses.replace(c, pro_order=i + 1) for i, c in enumerate(
        supplies.full_changes(state))]  # fmt: skip
    changes[-1] = dataclasses.replace(changes[-1], pro_order=1)
    paths = write(tmp_path, state, changes=changes, split=True)
    document = supply_db.load(session_factory, paths, report=tmp_path / "p.csv").as_json()
    assert document["records"]["blpu"]["inserted"] == 2
    with (tmp_path / "p.csv").open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["code"] == "FILE-PRO-ORDER"]
    assert {r["severity"] for r in rows} == {"W"}
    repeated = [r for r in rows if "more than one row" in r["message"]]
    assert sorted(r["file"].rsplit("/", 1)[1] for r in repeated) == [
        "ID11_Street_Records.csv", "ID32_Class_Records.csv"
    ]  # fmt: skip
    assert any("does not increase" in r["message"] for r in rows)


def _other_authority(first_uprn: int, custodian: int) -> supplies.State:
    """The sample gazetteer's addresses under another local custodian, on other UPRNs."""
    state = supplies.sample_state("abp2", 2, first_uprn=first_uprn)
    return supplies.state_of(
        dataclasses.replace(r, local_custodian_code=custodian) if isinstance(r, domain.Blpu) else r
        for r in state.all()
    )


def test_a_full_supply_that_would_delete_another_custodians_blpus_is_refused(
    engine: sa.Engine, session_factory: db.SessionFactory, tmp_path: Path
) -> None:
    ours = supplies.sample_state("abp2", 3)
    supply_db.load(session_factory, write(tmp_path, ours), report=tmp_path / "a.csv")
    before = supply_db.snapshot(engine)
    theirs = _other_authority(20_001, 1234)
    later = DAY0 + dt.timedelta(days=7)
    paths = write(tmp_path, theirs, day=later)
    with pytest.raises(errors.SupplyNotApplied):
        supply_db.load(session_factory, paths, report=tmp_path / "b.csv")
    text = (tmp_path / "b.csv").read_text(encoding="utf-8")
    (scope,) = [r for r in csv.DictReader(io.StringIO(text)) if r["severity"] == "E"]
    assert (scope["code"], scope["field"]) == ("FILE-FULL-SCOPE", "LOCAL_CUSTODIAN_CODE")
    assert f"3 of custodian {supplies.CUSTODIAN}" in scope["message"]
    assert supply_db.snapshot(engine) == before  # nothing applied
    supply_db.load(session_factory, paths, report=tmp_path / "c.csv", replace_all=True)
    with session_factory() as session:
        held = session.execute(sa.select(tables.Blpu.uprn, tables.Blpu.local_custodian_code))
        assert sorted(held) == [(20_001, 1234), (20_002, 1234)]


def test_a_full_supply_carrying_the_same_custodians_replaces_as_before(
    session_factory: db.SessionFactory, tmp_path: Path
) -> None:
    supply_db.load(session_factory, write(tmp_path, supplies.sample_state("abp2", 3)),
                   report=tmp_path / "a.csv")  # fmt: skip
    fewer = supplies.sample_state("abp2", 1)  # the same custodian, two addresses gone
    later = DAY0 + dt.timedelta(days=7)
    outcome = supply_db.load(session_factory, write(tmp_path, fewer, day=later),
                             report=tmp_path / "b.csv")  # fmt: skip
    assert outcome.as_json()["records"]["blpu"]["deleted"] == 2
    with session_factory() as session:
        assert session.scalars(sa.select(tables.Blpu.uprn)).all() == [10_001]
