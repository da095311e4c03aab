"""5 km tile change-only supplies on both engines (gazetteer-standards §5.5.3): a tile supply
replaces exactly its tile's BLPU groups, and equals the diff-based apply of the same change."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import db
from gazetteer import domain, tables
from loaders import errors, model, sql
from tests import supplies
from tests.integration import supply_db

DAY0 = dt.date(2022, 3, 7)
DB_SETTINGS = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TILED = tuple(sorted(sql.TILED))


def _day(i: int) -> dt.date:
    return DAY0 + dt.timedelta(days=7 * i)


def _write(directory: Path, changes: list[model.Change], *, day: dt.date) -> list[Path]:
    head = supplies.header(process_date=day, file_type="C")
    return supplies.write(directory / str(day), flavour="abp2", head=head, changes=changes)


def _tile_files(directory: Path, state: supplies.State, *, day: dt.date, tile: str) -> list[Path]:
    """A tile COU as OS names it: every record an insert, the tile in place of the volume."""
    (path,) = _write(directory / tile, supplies.full_changes(state), day=day)
    named = path.with_name(path.name.replace("_001.", f"_{tile}."))
    return [Path(shutil.move(path, named))]


def _clear(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        for name in (*supply_db.RECORD_TABLES, "gazetteer_change", "load_run"):
            conn.execute(sa.text(f"DELETE FROM {name}"))


def _split(state: supplies.State, uprns: set[int]) -> supplies.State:
    """The streets, and the BLPU groups of ``uprns``."""
    return supplies.state_of(
        r for r in state.all() if getattr(r, "uprn", None) in uprns or not hasattr(r, "uprn")
    )


def _changes(engine: sa.Engine, run_id: str) -> list[tuple[Any, ...]]:
    change = tables.GazetteerChange.__table__
    columns = [change.c[n] for n in ("uprn", "kind", "old_label", "new_label", "successor_uprn")]
    with engine.connect() as conn:
        rows = conn.execute(sa.select(*columns).where(change.c.load_run_id == run_id)).all()
    return sorted(tuple(r) for r in rows)


def _tiles(engine: sa.Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return {
            name: sorted(
                conn.execute(
                    sa.text(f"SELECT source_tile, COUNT(*) FROM {name} GROUP BY source_tile")
                ).all(),
                key=repr,
            )
            for name in TILED
        }


def _counts(state: supplies.State) -> dict[str, int]:
    return {name: len(state.of(name)) for name in TILED}


@pytest.mark.parametrize("validate", ["full", "structural"])
def test_a_tile_supply_replaces_its_tile_and_leaves_the_others(
    engine: sa.Engine, session_factory: db.SessionFactory, tmp_path: Path, validate: str
) -> None:
    whole = supplies.sample_state("abp2", blpus_count=5, first_uprn=10_001)
    west, east = _split(whole, {10_001, 10_002, 10_003}), _split(whole, {10_004, 10_005})
    paths = _tile_files(tmp_path, west, day=_day(0), tile="SX9292")
    paths += _tile_files(tmp_path, east, day=_day(0), tile="SX9393")
    supply_db.load(session_factory, paths, report=tmp_path / "first.csv")
    east_rows = supply_db.snapshot(engine)
    # The west tile again: one address gone, one renamed, one unchanged.
    kept = _split(whole, {10_001, 10_002})
    renamed = supplies.state_of(_renamed(r) if _lpi_of(r, 10_002) else r for r in kept.all())
    again = _tile_files(tmp_path / "again", renamed, day=_day(1), tile="SX9292")
    outcome = supply_db.load(
        session_factory, again, report=tmp_path / "again.csv", validate=validate
    )
    assert _tiles(engine)["blpu"] == [("SX9292", 2), ("SX9393", 2)]
    assert _tiles(engine)["lpi"] == [("SX9292", 2), ("SX9393", 2)]
    after = supply_db.snapshot(engine)
    east_uprns = {10_004, 10_005}
    for name in TILED:
        assert [r for r in after[name] if r[_uprn_at(name)] in east_uprns] == [
            r for r in east_rows[name] if r[_uprn_at(name)] in east_uprns
        ]
    kinds = {(uprn, kind) for uprn, kind, *_ in _changes(engine, outcome.reports[0].run_id)}
    assert kinds == {(10_002, "changed"), (10_003, "deleted")}
    records = outcome.as_json()["records"]
    assert records["blpu"] == {"inserted": 0, "updated": 2, "deleted": 1, "rejected": 0}


def test_a_refused_tile_supply_changes_nothing(
    engine: sa.Engine, session_factory: db.SessionFactory, tmp_path: Path
) -> None:
    state = supplies.sample_state("abp2", blpus_count=3, first_uprn=10_001)
    first = _tile_files(tmp_path, state, day=_day(0), tile="SX9292")
    supply_db.load(session_factory, first, report=tmp_path / "first.csv")
    before = supply_db.snapshot(engine, volatile=True)
    (path,) = _tile_files(tmp_path / "cut", _split(state, {10_001}), day=_day(1), tile="SX9292")
    data = path.read_bytes()
    path.write_bytes(data[: data.rfind(b"\r\n99,")])  # truncated: no trailer
    with pytest.raises(errors.SupplyNotApplied):
        supply_db.load(session_factory, [path], report=tmp_path / "cut.csv")
    assert supply_db.snapshot(engine, volatile=True) == before


def _lpi_of(record: model.GazetteerRecord, uprn: int) -> bool:
    return isinstance(record, domain.Lpi) and record.uprn == uprn


def _renamed(record: model.GazetteerRecord) -> model.GazetteerRecord:
    assert isinstance(record, domain.Lpi)
    return dataclasses.replace(record, pao_start_number=None, pao_text="THE OLD MILL")


def _uprn_at(name: str) -> int:
    live = supply_db.TABLES[name]
    kept = [c.name for c in live.c if c.name not in supply_db.VOLATILE and c.name != "geom"]
    return kept.index("uprn")


@DB_SETTINGS
@given(data=st.data())
def test_delete_tile_and_insert_equals_the_diff_based_apply(
    engine: sa.Engine, session_factory: db.SessionFactory, data: st.DataObject
) -> None:
    old, new = data.draw(supplies.chains("abp2", length=1))
    other = supplies.sample_state("abp2", blpus_count=2, first_uprn=500_000_000_001)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for mode in ("tile", "diff"):
            root = Path(tmp) / mode
            _clear(engine)
            first = _tile_files(root, other, day=_day(0), tile="SU1234")
            first += _tile_files(root, old, day=_day(0), tile="TQ3080")
            supply_db.load(session_factory, first, report=root / "first.csv")
            if mode == "tile":
                paths = _tile_files(root / "next", new, day=_day(1), tile="TQ3080")
            else:
                paths = _write(root, supplies.diff(old, new), day=_day(1))
            run = supply_db.load(session_factory, paths, report=root / "next.csv")
            snapshot = supply_db.snapshot(engine, ignore=frozenset({"source_tile"}))
            results.append((supply_db.dates_as_text(snapshot),
                            _changes(engine, run.reports[0].run_id)))  # fmt: skip
            if mode == "tile":
                tiles = _tiles(engine)
    assert results[0] == results[1]
    expected = {n: c for n, c in _counts(new).items() if c}
    other_counts = _counts(other)
    for name in TILED:
        by_tile = dict(tiles[name])
        assert by_tile.get("TQ3080", 0) == expected.get(name, 0)
        assert by_tile.get("SU1234", 0) == other_counts[name]
