"""How long refreshing the stored lookup documents takes, per UPRN and in bulk.

Loads ``bench.load``'s generated AddressBase Premium supply of N records with
``addresshub load abp`` into a fresh PostGIS database (and SpatiaLite with ``--spatialite``),
then times in process, alternating, each refresh statement of
:mod:`gazetteer.address_documents` (delete the chosen documents, write them again), rolled
back after each run: every UPRN (a full supply, ``reindex``), and sets of UPRNs of the sizes
given, named in a temporary table as a load names them (a change-only supply), each with
the per-UPRN statement and the bulk one.

    eval "$(scripts/pg.sh start /tmp/pg-bench)"
    .venv/bin/python -m bench.documents --records 200000 [--sizes 2000 20000 100000] [--spatialite]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from bench import load, load_run
from core import db
from gazetteer import facts_bulk, facts_query, tables
from gazetteer.search_tables import AddressDocument


def statement(dialect: str, chosen: Any, *, bulk: bool, narrow: bool = True) -> Any:
    if bulk:
        return facts_bulk.documents(dialect, chosen, narrow=narrow)
    rows: Any = sa.select(tables.Blpu.uprn, facts_query.stored_facts(dialect))
    return rows if chosen is None else rows.where(tables.Blpu.uprn.in_(chosen))


def timed(url: str, listed: list[int] | None, *, bulk: bool, narrow: bool = True) -> float:
    """Seconds to delete and write the documents of the UPRNs ``listed`` (every one when
    ``None``) as a load names them, in a temporary table (rolled back afterwards)."""
    engine = db.create_engine(url)
    with orm.Session(engine) as session:
        dialect = engine.dialect.name
        chosen: Any = None
        if listed is not None:
            session.execute(sa.text(CREATE[dialect]))
            session.execute(sa.text(FILL), [{"uprn": uprn} for uprn in listed])
            chosen = sa.select(sa.column("uprn")).select_from(sa.table("touched_document"))
        started = time.perf_counter()
        delete = sa.delete(AddressDocument)
        if chosen is not None:
            delete = delete.where(AddressDocument.uprn.in_(chosen))
        session.execute(delete)
        rows = statement(dialect, chosen, bulk=bulk, narrow=narrow)
        session.execute(sa.insert(AddressDocument).from_select(["uprn", "facts"], rows))
        seconds = time.perf_counter() - started
        session.rollback()
    engine.dispose()
    return seconds


CREATE = {
    "postgresql": "CREATE TEMP TABLE touched_document (uprn bigint PRIMARY KEY)",
    "sqlite": "CREATE TEMP TABLE touched_document (uprn INTEGER PRIMARY KEY)",
}
FILL = "INSERT INTO touched_document (uprn) VALUES (:uprn)"


def uprns(url: str, count: int) -> list[int]:
    engine = db.create_engine(url)
    with engine.connect() as conn:
        every = list(conn.scalars(sa.select(tables.Blpu.uprn).order_by(tables.Blpu.uprn)))
    engine.dispose()
    step = max(len(every) // count, 1)
    return every[::step][:count]


def measure(url: str, label: str, sizes: list[int]) -> None:
    with open("/proc/loadavg", encoding="ascii") as loadavg:
        print(f"{label}: load average {loadavg.read().split()[:3]}")
    for size in [0, *sizes]:
        chosen = None if size == 0 else uprns(url, size)
        runs: dict[bool, list[float]] = {False: [], True: []}
        for bulk in (False, True, False, True):  # alternating, the best of two each
            runs[bulk].append(timed(url, chosen, bulk=bulk))
        what = "every UPRN" if size == 0 else f"{size:,} UPRNs"
        wide = timed(url, chosen, bulk=True, narrow=False) if chosen is not None else 0.0
        print(f"  {what:>14}: per UPRN {min(runs[False]):7.3f} s   bulk {min(runs[True]):7.3f} s"
              f"   bulk, every UPRN aggregated {wide:7.3f} s")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--sizes", type=int, nargs="*", default=[2000, 20_000, 100_000])
    parser.add_argument("--spatialite", action="store_true")
    args = parser.parse_args()
    admin = sa.create_engine(db.normalise_url(os.environ["ADDRESSHUB_TEST_PG_URL"]),
                             isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)  # fmt: skip
    work = Path(tempfile.mkdtemp(prefix="addresshub-documents-"))
    try:
        mixed, _split = load.write_supply(work / "supply", args.records)
        url = load.postgis_database(admin, secondary_indexes=True)
        run = load_run.run_loader(url, mixed, work / "pg.csv", validate="structural")
        print(f"records: {args.records:,}; PostGIS load {run.seconds:.1f} s")
        measure(url, "PostGIS", args.sizes)
        if args.spatialite:
            lite = load.spatialite_database(work / "lite")
            load_run.run_loader(lite, mixed, work / "lite.csv", validate="structural")
            measure(lite, "SpatiaLite", args.sizes)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
