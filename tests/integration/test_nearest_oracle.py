"""Nearest and radius answer what a plain computation over every point gives: the ``n``
nearest points with a list row that passes the filters, by distance then UPRN, on both
engines (points on a grid, so many lie at the same distance)."""

from __future__ import annotations

import math
from typing import Any

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import orm

from core import db
from gazetteer import address_points, domain, find, repository, spatial
from gazetteer import search_repository as repo
from gazetteer.search_tables import AddressSearch
from gazetteer.tables import Blpu

ORIGIN = (300000, 100000)
_label_rows = st.lists(
    st.fixed_dictionaries(
        {
            "source": st.sampled_from(["lpi", "dpa", "listed"]),
            "classification": st.sampled_from(["RD04", "RD06", "CR01"]),
            "historical": st.booleans(),
            "label_status": st.sampled_from(["1", "6", None]),
            "source_key": st.sampled_from(["K1", "K2", "k1", "K10"]),
        }
    ),
    max_size=3,
)
points = st.lists(
    st.tuples(st.integers(0, 5), st.integers(0, 5), _label_rows), min_size=1, max_size=20
)
filter_sets = st.just(repo.Filters()) | st.builds(
    repo.Filters,
    classification=st.none() | st.sampled_from(["RD*", "CR01"]),
    include_historical=st.booleans(),
    datasets=st.sampled_from([("lpi", "dpa", "listed"), ("dpa",), ("dpa", "listed")]),
)


def _write(session: orm.Session, chosen: list[tuple[int, int, list[dict[str, Any]]]]) -> None:
    session.execute(sa.delete(AddressSearch))
    session.execute(sa.delete(Blpu))
    blpus = [
        domain.Blpu(uprn=uprn, logical_status="1", x_coordinate=_x(gx), y_coordinate=_y(gy))
        for uprn, (gx, gy, _rows) in enumerate(chosen, start=1)
    ]
    repository.save_records(session, blpus[::-1])  # stored against UPRN order, for the ties
    for uprn, (_gx, _gy, rows) in enumerate(chosen, start=1):
        for n, row in enumerate(rows):
            key = f"{row['source_key']}-{n}"  # one row per source and key, as loaded
            session.add(
                AddressSearch(
                    uprn=uprn, language="ENG", label=f"{uprn} {n} HIGH ST",
                    search_text="x", label_key="x", blpu_status="1", **(row | {"source_key": key}),
                )
            )  # fmt: skip
    session.flush()
    engine = "sqlite" if db.is_sqlite(session) else "postgresql"
    for statement in address_points.REFRESH[engine, False]:  # what the default filters read
        session.execute(sa.text(statement))


def _x(gx: int) -> float:
    return ORIGIN[0] + 30.0 * gx


def _y(gy: int) -> float:
    return ORIGIN[1] + 40.0 * gy


def _expected(
    chosen: list[tuple[int, int, list[dict[str, Any]]]],
    at: tuple[float, float],
    filters: repo.Filters,
    limit: int,
    radius: float | None,
) -> list[tuple[int, float]]:
    passing = []
    for uprn, (gx, gy, rows) in enumerate(chosen, start=1):
        if not any(_passes(row, filters) for row in rows):
            continue
        distance = math.hypot(_x(gx) - at[0], _y(gy) - at[1])
        if radius is None or distance <= radius:
            passing.append((distance, uprn))
    return [(uprn, round(distance, 2)) for distance, uprn in sorted(passing)[:limit]]


def _passes(row: dict[str, Any], filters: repo.Filters) -> bool:
    prefix = (filters.classification or "").rstrip("*")
    return (
        row["source"] in filters.datasets
        and row["classification"].startswith(prefix)
        and (filters.include_historical or not row["historical"])
    )


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    chosen=points,
    at=st.tuples(st.integers(-1, 6), st.integers(-1, 6)),
    filters=filter_sets,
    limit=st.integers(1, 6),
    radius=st.none() | st.sampled_from([45.0, 100.0]),
)
def test_nearest_is_the_plain_computation(
    session: orm.Session,
    chosen: list[tuple[int, int, list[dict[str, Any]]]],
    at: tuple[int, int],
    filters: repo.Filters,
    limit: int,
    radius: float | None,
) -> None:
    _write(session, chosen)
    point = (_x(at[0]) + 7.0, _y(at[1]))
    found = spatial.nearest(
        session=session, x=point[0], y=point[1], srid=27700, limit=limit, radius=radius,
        filters=filters,
    )  # fmt: skip
    assert [(p.address.uprn, p.distance) for p in found] == _expected(
        chosen, point, filters, limit, radius
    )
    labels = {
        s.uprn: s for s in find.summaries_for(session, [p.address.uprn for p in found], filters)
    }
    assert all(p.address == labels[p.address.uprn] for p in found)
