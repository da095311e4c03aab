"""Helpers for supply-load integration tests: run a load, and snapshot the gazetteer tables."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import sqlalchemy as sa
from sqlalchemy import orm

from core import db
from gazetteer import find, tables
from gazetteer.search_tables import AddressPoint, AddressSearch, AddressSearchToken
from loaders import bulk, model, service, sql
from tests import supplies

RECORD_TABLES = tuple(sql.LIVE_TABLES)
TABLES: dict[str, sa.Table] = {
    **sql.LIVE_TABLES,
    "gazetteer_change": tables.GazetteerChange.__table__,  # type: ignore[dict-item]
}
VOLATILE = frozenset({"load_run_id", "id"})


def load(
    factory: db.SessionFactory,
    paths: Sequence[Path],
    *,
    report: Path,
    fmt: str = "abp",
    **options: Any,
) -> service.Outcome:
    return service.load(
        session_factory=factory,
        fmt=fmt,
        paths=paths,
        report_path=report,
        options=service.LoadOptions(**options),
    )


def snapshot(
    engine: sa.Engine, *, volatile: bool = False, ignore: frozenset[str] = frozenset()
) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every record table, sorted; ``volatile`` keeps run ids, geometry and history;
    columns named in ``ignore`` are left out."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for name in (*RECORD_TABLES, "gazetteer_change") if volatile else RECORD_TABLES:
            table = TABLES[name]
            columns = [
                _column(c, conn.dialect.name)
                for c in table.c
                if c.name not in ignore
                and (volatile or (c.name not in VOLATILE and c.name != "geom"))
            ]
            rows = conn.execute(sa.select(*columns)).all()
            found[name] = sorted((tuple(r) for r in rows), key=repr)
    return found


def _column(column: sa.Column[Any], dialect: str) -> Any:
    if column.name != "geom":
        return column
    function = sa.func.ST_AsText if dialect == "postgresql" else sa.func.AsText
    return function(column).label("geom")


def expected_rows(state: supplies.State) -> dict[str, list[tuple[Any, ...]]]:
    """What :func:`snapshot` should hold after loading ``state`` (non-volatile columns)."""
    found: dict[str, list[tuple[Any, ...]]] = {name: [] for name in RECORD_TABLES}
    for record in state.all():
        entity = model.entity_of(record)
        live = sql.LIVE_TABLES[entity]
        values = dataclasses.asdict(record)
        row = tuple(values.get(c.name) for c in live.c if _kept(c.name))
        found[entity].append(row)
    return {name: sorted(rows, key=repr) for name, rows in found.items()}


def _kept(name: str) -> bool:
    return name not in VOLATILE and name != "geom"


def dates_as_text(rows: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
    """Dates as ISO text, so snapshots from both engines compare alike."""
    return {
        name: sorted(
            (tuple(v.isoformat() if isinstance(v, dt.date) else v for v in row) for row in values),
            key=repr,
        )
        for name, values in rows.items()
    }


SearchSnapshot = list[tuple[Any, ...]]


def search_rows(session: orm.Session) -> SearchSnapshot:
    """Every search row (without its id) with its sorted tokens, in a stable order."""
    columns = [c for c in AddressSearch.__table__.columns if c.name != "id"]
    tokens: dict[int, list[str]] = {}
    for token, search_id in session.execute(
        sa.select(AddressSearchToken.token, AddressSearchToken.search_id)
    ):
        tokens.setdefault(search_id, []).append(token)
    rows = session.execute(sa.select(AddressSearch.id, *columns)).all()
    assert set(tokens) <= {row[0] for row in rows}, "tokens of rows that are gone"
    return sorted((tuple(row[1:]), tuple(sorted(tokens.get(row[0], [])))) for row in rows)


PointRow = tuple[Any, ...]


def address_points(session: orm.Session) -> list[PointRow]:
    """The ``address_point`` rows (uprn, x, y, label, source, postcode, classification)."""
    p = AddressPoint
    x, y = (
        (sa.func.ST_X(p.geom), sa.func.ST_Y(p.geom))
        if not db.is_sqlite(session)
        else (sa.func.X(p.geom), sa.func.Y(p.geom))
    )
    columns = (p.uprn, x, y, p.label, p.source, p.postcode, p.classification)
    return [tuple(row) for row in session.execute(sa.select(*columns).order_by(p.uprn))]


def expected_points(session: orm.Session) -> list[PointRow]:
    """What ``address_point`` must hold: each BLPU with a point and a list row passing the
    default filters, labelled as ``find.summaries_for`` labels it."""
    b = tables.Blpu
    located = session.execute(
        sa.select(b.uprn, b.x_coordinate, b.y_coordinate).where(b.geom.is_not(None))
    ).all()
    labels = {s.uprn: s for s in find.summaries_for(session, [r[0] for r in located])}
    return sorted(
        (uprn, x, y, s.label, s.source, s.postcode, s.classification)
        for uprn, x, y in located
        if (s := labels.get(uprn)) is not None
    )


@contextmanager
def precise_only() -> Iterator[list[int]]:
    """Loads inside take the precise reader (the fast path declines every supply)."""
    with mock.patch.object(bulk, "eligible", return_value=False):
        yield []


@contextmanager
def counting_fast_stages() -> Iterator[list[int]]:
    """Counts the supplies the fast path staged (a fallback raises and is not counted)."""
    taken: list[int] = []
    real = bulk.stage

    def stage(*args: Any, **kwargs: Any) -> list[model.LoadFinding]:
        found = real(*args, **kwargs)
        taken.append(1)
        return found

    with mock.patch.object(bulk, "stage", stage):
        yield taken
