"""The fast staging path (``--validate structural`` on PostgreSQL) against the precise reader.

For valid supplies both leave identical tables and identical reports; a supply the fast path
cannot vouch for falls back to the precise reader, so a corrupted supply is still refused with
every error listed. On SpatiaLite both runs take the precise path (the fast path is PostgreSQL's),
which the same assertions check.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import itertools
import tempfile
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import db
from loaders import errors, model, service
from loaders.writers import supply as writer
from tests import supplies
from tests.integration import supply_db

DAY0 = dt.date(2021, 1, 4)
DB_SETTINGS = settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
STRUCTURAL = service.STRUCTURAL


def _clear(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        for name in (*supply_db.RECORD_TABLES, "gazetteer_change", "load_run"):
            conn.execute(sa.text(f"DELETE FROM {name}"))


def _report_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _outcome(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k not in {"run_id", "report_file", "runs"}}


def _write_chain(
    root: Path, states: list[supplies.State], *, flavour: str, options: writer.WriteOptions
) -> list[Path]:
    def write(name: str, changes: list[model.Change], day: dt.date, kind: str) -> list[Path]:
        head = supplies.header(process_date=day, file_type=kind)
        return supplies.write(root / name, flavour=flavour, head=head, changes=changes,
                              options=options)  # fmt: skip

    paths = write("full", supplies.full_changes(states[0]), DAY0, "F")
    for i, (old, new) in enumerate(itertools.pairwise(states), start=1):
        paths += write(f"cou{i}", supplies.diff(old, new), DAY0 + dt.timedelta(days=7 * i), "C")
    return paths


@pytest.mark.parametrize("flavour", ["abp1", "abp2"])
@DB_SETTINGS
@given(data=st.data())
def test_fast_and_precise_paths_leave_identical_tables_and_reports(
    engine: sa.Engine, session_factory: db.SessionFactory, flavour: str, data: st.DataObject
) -> None:
    states = data.draw(supplies.chains(flavour, length=2))
    options = writer.WriteOptions(
        split=data.draw(st.booleans()),
        header_row=data.draw(st.booleans()),
        volume_size=data.draw(st.none() | st.just(7)),
        line_ending=data.draw(st.sampled_from(["\r\n", "\n"])),
    )
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        paths = _write_chain(root, states, flavour=flavour, options=options)
        _clear(engine)
        with supply_db.counting_fast_stages() as taken:
            fast = supply_db.load(session_factory, paths, report=root / "fast.csv",
                                  validate=STRUCTURAL).as_json()  # fmt: skip
        fast_tables = supply_db.snapshot(engine)
        _clear(engine)
        with supply_db.precise_only():
            precise = supply_db.load(session_factory, paths, report=root / "precise.csv",
                                     validate=STRUCTURAL).as_json()  # fmt: skip
        assert fast_tables == supply_db.snapshot(engine)
        assert _outcome(fast) == _outcome(precise)
        assert _report_rows(root / "fast.csv") == _report_rows(root / "precise.csv")
        # On PostgreSQL at least the full supply takes the fast path; SpatiaLite never does.
        assert (len(taken) >= 1) == (engine.dialect.name == "postgresql")


def test_the_fast_path_loads_every_record_of_a_full_supply(
    engine: sa.Engine, session_factory: db.SessionFactory, tmp_path: Path
) -> None:
    state = supplies.sample_state("abp2", 4)
    head = supplies.header(process_date=DAY0)
    paths = supplies.write(tmp_path / "s", flavour="abp2", head=head,
                           changes=supplies.full_changes(state))  # fmt: skip
    with supply_db.counting_fast_stages() as taken:
        document = supply_db.load(session_factory, paths, report=tmp_path / "r.csv",
                                  validate=STRUCTURAL).as_json()  # fmt: skip
    assert len(taken) == (1 if engine.dialect.name == "postgresql" else 0)
    assert document["records"]["blpu"] == {"inserted": 4, "updated": 0, "deleted": 0, "rejected": 0}
    got = supply_db.dates_as_text(supply_db.snapshot(engine))
    assert got == supply_db.dates_as_text(supply_db.expected_rows(state))


def _corrupt(path: Path) -> None:
    lines = path.read_bytes().split(b"\r\n")
    lines[3] = lines[3].replace(b",2005-01-01,", b",2005-01-41,", 1)
    lines[5] = lines[5] + b',"extra"'
    lines[7] = b"77" + lines[7][2:]
    lines[9] = lines[9].replace(b'"I"', b'"X"', 1)
    path.write_bytes(b"\r\n".join(lines))


def test_a_corrupted_supply_falls_back_and_is_refused_with_every_error(
    engine: sa.Engine, session_factory: db.SessionFactory, tmp_path: Path
) -> None:
    state = supplies.sample_state("abp2", 5)
    head = supplies.header(process_date=DAY0)
    (path,) = supplies.write(tmp_path / "s", flavour="abp2", head=head,
                             changes=supplies.full_changes(state))  # fmt: skip
    _corrupt(path)
    report = tmp_path / "bad.csv"
    with (
        supply_db.counting_fast_stages() as taken,
        pytest.raises(errors.SupplyNotApplied) as refused,
    ):
        supply_db.load(session_factory, [path], report=report, validate=STRUCTURAL)
    assert taken == []
    assert all(not rows for rows in supply_db.snapshot(engine).values())
    rows = _report_rows(report)
    listed = {(r["line"], r["code"], r["field"]) for r in rows if r["severity"] == "E"}
    assert listed == {
        ("4", "FILE-DATE-FORMAT", "START_DATE"),
        ("6", "FILE-FIELD-COUNT", ""),
        ("10", "FILE-CHANGE-TYPE", "CHANGE_TYPE"),
    }
    assert ("8", "FILE-RECORD-ID-KNOWN") in {(r["line"], r["code"]) for r in rows}
    assert refused.value.details["errors"] == 3


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b",2005-01-01,", b",2005-02-30,"),  # a date shaped right but not in the calendar
        (b",2005-01-01,", b",2005-1-01,"),  # a date of the wrong shape
        (b'"1110L000010001"', b'""'),  # an LPI without its key: the row is rejected
    ],
)
def test_what_only_the_database_sees_still_falls_back_to_the_precise_report(
    engine: sa.Engine, session_factory: db.SessionFactory, tmp_path: Path, old: bytes, new: bytes
) -> None:
    state = supplies.sample_state("abp2", 3)
    head = supplies.header(process_date=DAY0)
    (path,) = supplies.write(tmp_path / "s", flavour="abp2", head=head,
                             changes=supplies.full_changes(state))  # fmt: skip
    data = path.read_bytes()
    assert old in data
    path.write_bytes(data.replace(old, new))
    with supply_db.counting_fast_stages() as taken, contextlib.suppress(errors.SupplyNotApplied):
        supply_db.load(session_factory, [path], report=tmp_path / "f.csv", validate=STRUCTURAL)
    fast_rows = _report_rows(tmp_path / "f.csv")
    assert taken == []
    _clear(engine)
    with supply_db.precise_only(), contextlib.suppress(errors.SupplyNotApplied):
        supply_db.load(session_factory, [path], report=tmp_path / "p.csv", validate=STRUCTURAL)
    assert fast_rows == _report_rows(tmp_path / "p.csv")
    assert any(r["severity"] == "E" for r in fast_rows)
