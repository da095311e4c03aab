"""Change-only updates on both engines: replay equals the later full supply, and the COU-* cases."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import itertools
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import db
from gazetteer import domain, tables
from loaders import errors, model
from loaders.writers import supply as writer
from tests import supplies
from tests.integration import supply_db

DAY0 = dt.date(2021, 1, 4)
DB_SETTINGS = settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _day(i: int) -> dt.date:
    return DAY0 + dt.timedelta(days=7 * i)


def _write(
    directory: Path,
    changes: list[model.Change],
    *,
    flavour: str,
    day: dt.date,
    file_type: str,
    options: writer.WriteOptions | None = None,
) -> list[Path]:
    head = supplies.header(process_date=day, file_type=file_type)
    return supplies.write(
        directory / f"{day}-{file_type}", flavour=flavour, head=head, changes=changes,
        options=options,
    )  # fmt: skip


def _clear(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        for name in (*supply_db.RECORD_TABLES, "gazetteer_change", "load_run"):
            conn.execute(sa.text(f"DELETE FROM {name}"))


def _fmt(flavour: str) -> str:
    return "dtf" if flavour == "dtf" else "abp"


@pytest.mark.parametrize("flavour", ["abp2", "dtf"])
@DB_SETTINGS
@given(data=st.data())
def test_full_then_change_only_supplies_equal_the_later_full_supply(
    engine: sa.Engine, session_factory: db.SessionFactory, flavour: str, data: st.DataObject
) -> None:
    states = data.draw(supplies.chains(flavour, length=2))
    split = flavour != "dtf" and data.draw(st.booleans())
    options = writer.WriteOptions(split=split, volume_size=data.draw(st.none() | st.just(7)))
    _clear(engine)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        paths = _write(root, supplies.full_changes(states[0]), flavour=flavour, day=_day(0),
                       file_type="F", options=options)  # fmt: skip
        for i, (old, new) in enumerate(itertools.pairwise(states), start=1):
            paths += _write(root, supplies.diff(old, new), flavour=flavour, day=_day(i),
                            file_type="C", options=options)  # fmt: skip
        # Given all at once, in any order, the supplies apply in date order.
        supply_db.load(session_factory, list(reversed(paths)), report=root / "chain.csv",
                       fmt=_fmt(flavour))  # fmt: skip
        replayed = supply_db.snapshot(engine)
        _clear(engine)
        final = _write(root, supplies.full_changes(states[-1]), flavour=flavour, day=_day(9),
                       file_type="F")  # fmt: skip
        supply_db.load(session_factory, final, report=root / "full.csv", fmt=_fmt(flavour))
        assert supply_db.dates_as_text(replayed) == supply_db.dates_as_text(
            supply_db.snapshot(engine)
        )


@DB_SETTINGS
@given(data=st.data())
def test_reapplying_a_change_only_supply_changes_nothing(
    engine: sa.Engine, session_factory: db.SessionFactory, data: st.DataObject
) -> None:
    states = data.draw(supplies.chains("abp2", length=2))
    _clear(engine)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        full = _write(root, supplies.full_changes(states[0]), flavour="abp2", day=_day(0),
                      file_type="F")  # fmt: skip
        first = _write(root, supplies.diff(states[0], states[1]), flavour="abp2", day=_day(1),
                       file_type="C")  # fmt: skip
        second = _write(root, supplies.diff(states[1], states[2]), flavour="abp2", day=_day(2),
                        file_type="C")  # fmt: skip
        supply_db.load(session_factory, full + first + second, report=root / "a.csv")
        before = supply_db.snapshot(engine, volatile=True)
        again = supply_db.load(session_factory, first, report=root / "b.csv").as_json()
        assert again["unchanged"] is True
        assert supply_db.snapshot(engine, volatile=True) == before
        # The same changes under a new file, dated before the last applied supply: stale.
        copy = _write(root / "copy", supplies.diff(states[0], states[1]), flavour="abp2",
                      day=_day(1), file_type="C",
                      options=writer.WriteOptions(final_newline=True))  # fmt: skip
        with pytest.raises(errors.StaleSupply):
            supply_db.load(session_factory, copy, report=root / "c.csv")
        assert supply_db.snapshot(engine, volatile=True) == before


def _base(engine: sa.Engine, factory: db.SessionFactory, root: Path) -> supplies.State:
    state = supplies.sample_state("abp2", 3)
    supply_db.load(
        factory,
        _write(root, supplies.full_changes(state), flavour="abp2", day=_day(0), file_type="F"),
        report=root / "base.csv",
    )
    return state


def _blpu(state: supplies.State, uprn: int) -> domain.Blpu:
    record = state.of("blpu")[(uprn,)]
    assert isinstance(record, domain.Blpu)
    return record


def test_insert_of_a_live_key_is_refused_unless_tolerant(
    engine: sa.Engine, session_factory: db.SessionFactory, tmp_path: Path
) -> None:
    state = _base(engine, session_factory, tmp_path)
    changed = dataclasses.replace(_blpu(state, 10_001), rpc="2")
    paths = _write(tmp_path, [model.Change(change_type="I", record=changed)], flavour="abp2",
                   day=_day(1), file_type="C")  # fmt: skip
    before = supply_db.snapshot(engine, volatile=True)
    with pytest.raises(errors.SupplyNotApplied) as refused:
        supply_db.load(session_factory, paths, report=tmp_path / "strict.csv")
    assert refused.value.details["findings"][0]["code"] == "COU-INSERT-EXISTS"
    assert supply_db.snapshot(engine, volatile=True) == before
    document = supply_db.load(session_factory, paths, report=tmp_path / "t.csv",
                              tolerant=True).as_json()  # fmt: skip
    assert document["records"]["blpu"] == {"inserted": 0, "updated": 1, "deleted": 0, "rejected": 0}
    with session_factory() as session:
        stored = session.get(tables.Blpu, 10_001)
        assert stored is not None and stored.rpc == "2"
    assert "COU-INSERT-EXISTS" in (tmp_path / "t.csv").read_text(encoding="utf-8")


def test_update_of_a_missing_key_inserts_and_delete_of_one_does_nothing(
    engine: sa.Engine, session_factory: db.SessionFactory, tmp_path: Path
) -> None:
    state = _base(engine, session_factory, tmp_path)
    new = dataclasses.replace(_blpu(state, 10_001), uprn=99_001)
    gone = dataclasses.replace(_blpu(state, 10_001), uprn=99_002)
    changes = [
        model.Change(change_type="U", record=new),
        model.Change(change_type="D", record=gone),
    ]
    paths = _write(tmp_path, changes, flavour="abp2", day=_day(1), file_type="C")
    document = supply_db.load(session_factory, paths, report=tmp_path / "c.csv").as_json()
    assert document["records"]["blpu"] == {"inserted": 1, "updated": 0, "deleted": 0, "rejected": 0}
    text = (tmp_path / "c.csv").read_text(encoding="utf-8")
    assert "COU-UPDATE-MISSING" in text and "COU-DELETE-MISSING" in text
    with session_factory() as session:
        assert session.get(tables.Blpu, 99_001) is not None


def test_a_repeated_key_in_a_cou_keeps_the_highest_pro_order(
    engine: sa.Engine, session_factory: db.SessionFactory, tmp_path: Path
) -> None:
    state = _base(engine, session_factory, tmp_path)
    blpu = _blpu(state, 10_002)
    changes = [
        model.Change(change_type="U", record=dataclasses.replace(blpu, rpc="2"), pro_order=50),
        model.Change(change_type="U", record=dataclasses.replace(blpu, rpc="4"), pro_order=10),
    ]
    paths = _write(tmp_path, changes, flavour="abp2", day=_day(1), file_type="C")
    supply_db.load(session_factory, paths, report=tmp_path / "c.csv")
    with session_factory() as session:
        stored = session.get(tables.Blpu, 10_002)
        assert stored is not None and stored.rpc == "2"
    assert "FILE-KEY-ONCE" in (tmp_path / "c.csv").read_text(encoding="utf-8")


def test_the_change_log_records_changed_retired_and_deleted_addresses(
    engine: sa.Engine, session_factory: db.SessionFactory, tmp_path: Path
) -> None:
    state = _base(engine, session_factory, tmp_path)
    lpi = state.of("lpi")[("1110L000010001",)]
    assert isinstance(lpi, domain.Lpi)
    retired = dataclasses.replace(_blpu(state, 10_002), logical_status="8",
                                  end_date=dt.date(2021, 1, 5))  # fmt: skip
    successor = domain.Successor(uprn=10_002, succ_key="1110S000000001", successor=10_001)
    deleted = [r for r in state.all() if getattr(r, "uprn", None) == 10_003]
    changes = [
        model.Change(change_type="U", record=dataclasses.replace(lpi, pao_text="ROSE COTTAGE")),
        model.Change(change_type="U", record=retired),
        model.Change(change_type="I", record=successor),
        *(model.Change(change_type="D", record=r) for r in deleted),
    ]
    paths = _write(tmp_path, changes, flavour="abp2", day=_day(1), file_type="C")
    document = supply_db.load(session_factory, paths, report=tmp_path / "c.csv").as_json()
    with session_factory() as session:
        rows = session.execute(
            sa.select(
                tables.GazetteerChange.uprn,
                tables.GazetteerChange.kind,
                tables.GazetteerChange.old_label,
                tables.GazetteerChange.new_label,
                tables.GazetteerChange.successor_uprn,
            ).where(tables.GazetteerChange.load_run_id == document["run_id"])
        ).all()
    assert sorted(rows) == [
        (10_001, "changed", "1 HIGH STREET, EXETER, EX1 1AA",
         "ROSE COTTAGE, 1 HIGH STREET, EXETER, EX1 1AA", None),
        (10_002, "retired", "2 HIGH STREET, EXETER, EX1 1AA", "2 HIGH STREET, EXETER, EX1 1AA",
         10_001),
        (10_003, "deleted", "3 HIGH STREET, EXETER, EX1 1AA", None, None),
    ]  # fmt: skip


@pytest.mark.parametrize("flavour", ["abp2", "dtf"])
def test_a_new_classification_or_a_moved_point_is_a_change_too(
    session_factory: db.SessionFactory, tmp_path: Path, flavour: str
) -> None:
    state = supplies.sample_state(flavour, 3)
    full = _write(tmp_path, supplies.full_changes(state), flavour=flavour, day=_day(0),
                  file_type="F")  # fmt: skip
    supply_db.load(session_factory, full, report=tmp_path / "f.csv", fmt=_fmt(flavour))
    moved = dataclasses.replace(_blpu(state, 10_002), x_coordinate=292_150.0)
    (cls,) = [
        c
        for c in state.of("classification").values()
        if isinstance(c, domain.Classification) and c.uprn == 10_001
    ]
    # The unchanged BLPU 10_003 is updated as it is: not a change.
    changes: list[model.GazetteerRecord] = [
        dataclasses.replace(cls, classification_code="CO01"), moved, _blpu(state, 10_003),
    ]  # fmt: skip
    paths = _write(tmp_path, [model.Change(change_type="U", record=r) for r in changes],
                   flavour=flavour, day=_day(1), file_type="C")  # fmt: skip
    outcome = supply_db.load(session_factory, paths, report=tmp_path / "c.csv", fmt=_fmt(flavour))
    document = outcome.as_json()
    c = tables.GazetteerChange
    with session_factory() as session:
        rows = session.execute(
            sa.select(c.uprn, c.kind, c.changed_attributes, c.old_classification,
                      c.new_classification, c.old_x, c.new_x, c.old_label == c.new_label)
            .where(c.load_run_id == document["run_id"])
        ).all()  # fmt: skip
    assert sorted(rows) == [
        (10_001, "changed", "classification", "RD04", "CO01", 292_100.0, 292_100.0, True),
        (10_002, "changed", "geometry", "RD04", "RD04", 292_101.0, 292_150.0, True),
    ]


def test_cross_record_rules_report_on_a_cou_against_the_live_gazetteer(
    engine: sa.Engine, session_factory: db.SessionFactory, tmp_path: Path
) -> None:
    state = _base(engine, session_factory, tmp_path)
    lpi = state.of("lpi")[("1110L000010001",)]
    assert isinstance(lpi, domain.Lpi)
    stray = dataclasses.replace(lpi, lpi_key="1110L000099999", usrn=77_777_777)
    lonely = dataclasses.replace(_blpu(state, 10_001), uprn=55_001)
    changes = [model.Change(change_type="I", record=stray),
               model.Change(change_type="I", record=lonely)]  # fmt: skip
    paths = _write(tmp_path, changes, flavour="abp2", day=_day(1), file_type="C")
    document = supply_db.load(session_factory, paths, report=tmp_path / "x.csv").as_json()
    assert document["records"]["lpi"]["inserted"] == 1
    with (tmp_path / "x.csv").open(encoding="utf-8") as handle:
        found = {(r["code"], r["key"], r["line"]) for r in csv.DictReader(handle)}
    assert ("LPI-USRN-EXISTS", "1110L000099999", "2") in found
    assert ("BLPU-HAS-LPI", "55001", "3") in found
    assert not any(code == "LPI-BLPU-EXISTS" for code, _, _ in found)
