"""Whatever was loaded before, an Open UPRN snapshot leaves exactly its own rows (both engines)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import db
from gazetteer import tables
from loaders.sources import pipeline, service

HEADER = "UPRN,X_COORDINATE,Y_COORDINATE,LATITUDE,LONGITUDE\r\n"
Snapshot = dict[int, tuple[float, float]]

snapshots = st.dictionaries(
    st.integers(min_value=1, max_value=40),
    st.tuples(
        st.integers(min_value=100_000, max_value=600_000).map(float),
        st.integers(min_value=10_000, max_value=600_000).map(float),
    ),
    min_size=1,
    max_size=12,
)


def _write(path: Path, snapshot: Snapshot) -> None:
    rows = "".join(f"{u},{x},{y},51.5,-1.5\r\n" for u, (x, y) in sorted(snapshot.items()))
    path.write_bytes(b"\xef\xbb\xbf" + (HEADER + rows).encode())


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(sequence=st.lists(snapshots, min_size=1, max_size=3))
def test_the_table_always_equals_the_last_snapshot(
    session_factory: db.SessionFactory, tmp_path: Path, sequence: list[Snapshot]
) -> None:
    source = tmp_path / "osopenuprn.csv"
    for snapshot in sequence:
        _write(source, snapshot)
        with db.unit_of_work(session_factory) as session:
            load = service.load_open_uprn(
                job=pipeline.Job(session=session, report_dir=tmp_path), path=source
            )
        counts = load.records["open_uprn"]
        assert counts.inserted + counts.updated <= len(snapshot)
    with session_factory() as session:
        stored = {
            row.uprn: (row.x_coordinate, row.y_coordinate)
            for row in session.scalars(sa.select(tables.OpenUprn))
        }
    assert stored == sequence[-1]
