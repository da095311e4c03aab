"""How fast ``addresshub load abp`` is against a raw server-side ``COPY`` of the same rows.

Generates N realistic AddressBase Premium v2 records (streets with descriptors, then BLPU groups
of BLPU, LPI, classification, most with a delivery point, some with a cross reference), written
twice: as one mixed CSV volume (what the loader reads) and split per record type without
envelope (what the baseline reads). Then, in one run:

* ``B_copy``: ``COPY raw_<type> FROM '<file>' (FORMAT csv)`` executed by the PostgreSQL server
  into unindexed tables typed like the layout: the rows/s the database itself can ingest;
* ``addresshub load abp`` end to end, in a subprocess, into a fresh PostGIS database with the
  secondary indexes dropped, then into one with every index (the full build);
* the same into SpatiaLite;
* the loader's peak RSS (from ``wait4``) at N and at N/10, to show memory stays flat.

It prints times, rows/s and ratios to ``B_copy``, and for each load the CPU seconds of the
loader process (from ``wait4``) and of the PostgreSQL cluster's processes (from ``/proc``, when
the server runs on this machine): on a shared machine wall times move with the load, CPU
seconds much less.

    eval "$(scripts/pg.sh start /tmp/pg-bench)"
    .venv/bin/python -m bench.load [--records 1000000] [--keep DIR]

``--records 10000000`` is the large run (needs about 6 GB of disk and a long while).
``--memory-only`` answers the memory question alone: the full build into PostGIS at N and at
N/10 and their peak RSS, without ``B_copy``, the split files or the run without the secondary
indexes (a 10M run then writes about 1.7 GB of supply and the database grows by about 15 GB):

    nice -n 10 .venv/bin/python -m bench.load --records 10000000 --validate structural \
        --no-spatialite --memory-only
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TypedDict

import sqlalchemy as sa

import migrations
from bench import load_run
from core import db
from gazetteer import domain
from loaders import layouts, model
from loaders.writers import supply as writer

PROCESS_DATE = dt.date(2024, 1, 8)
SQL_TYPES = {"int": "bigint", "dec2": "double precision", "dec7": "double precision",
             "date": "date", "time": "text", "code": "text", "text": "text"}  # fmt: skip
STREET_WORDS = ("HIGH", "STATION", "CHURCH", "MILL", "PARK", "VICTORIA", "QUEEN", "KING")
STREET_KINDS = ("STREET", "ROAD", "LANE", "AVENUE", "CLOSE", "WAY")


class _Dates(TypedDict):
    """The dates every generated record carries."""

    start_date: dt.date
    entry_date: dt.date
    last_update_date: dt.date


DATES: _Dates = {"start_date": dt.date(2001, 3, 1), "entry_date": dt.date(2001, 3, 5),
                 "last_update_date": dt.date(2019, 7, 1)}  # fmt: skip


# --- the supply ------------------------------------------------------------------------------


def records(count: int, seed: int = 7) -> Iterator[model.Change]:
    """About ``count`` data records: a street per 25 BLPU groups, each group ~4 records."""
    rng = random.Random(seed)
    made, usrn, uprn = 0, 14_200_000, 100_000_000_000
    while made < count:
        usrn += 1
        for record in _street(usrn, rng):
            made += 1
            yield model.Change(change_type="I", record=record)
        for _ in range(25):
            uprn += 1
            for record in _group(uprn, usrn, rng):
                made += 1
                yield model.Change(change_type="I", record=record)
            if made >= count:
                return


def _street(usrn: int, rng: random.Random) -> list[model.GazetteerRecord]:
    x, y = rng.uniform(280_000, 300_000), rng.uniform(80_000, 100_000)
    name = f"{rng.choice(STREET_WORDS)} {rng.choice(STREET_KINDS)}"
    return [
        domain.Street(usrn=usrn, record_type="1", swa_org_ref_naming=1110, state="2", version=0,
                      start_x=round(x, 2), start_y=round(y, 2), end_x=round(x + 150, 2),
                      end_y=round(y + 90, 2), start_lat=50.7, start_long=-3.5, end_lat=50.71,
                      end_long=-3.49, tolerance=10, **DATES),
        domain.StreetDescriptor(usrn=usrn, description=name, town_name="EXETER",
                                administrative_area="DEVON", language="ENG", **DATES),
    ]  # fmt: skip


def _group(uprn: int, usrn: int, rng: random.Random) -> Iterator[model.GazetteerRecord]:
    n = uprn % 1_000_000
    i = uprn - 100_000_000_000  # the group's own number: keys stay unique past 1M groups
    number = n % 200 + 1
    postcode = f"EX{n % 39 + 1} {n % 9 + 1}{'ABDEFGHJLNPQRSTUWXYZ'[n % 20]}{'ABDEFGHJLN'[n % 10]}"
    yield domain.Blpu(uprn=uprn, logical_status="1", blpu_state="2",
                      blpu_state_date=DATES["start_date"],
                      x_coordinate=round(rng.uniform(280_000, 300_000), 2),
                      y_coordinate=round(rng.uniform(80_000, 100_000), 2),
                      latitude=round(rng.uniform(50.6, 50.8), 7),
                      longitude=round(rng.uniform(-3.6, -3.4), 7), rpc="1",
                      local_custodian_code=1110, country="E", addressbase_postal="D",
                      postcode_locator=postcode, multi_occ_count=0, **DATES)  # fmt: skip
    yield domain.Lpi(uprn=uprn, lpi_key=f"1110L{i:09d}", language="ENG", logical_status="1",
                     usrn=usrn, pao_start_number=number, usrn_match_indicator="1",
                     official_flag="Y", **DATES)  # fmt: skip
    yield domain.Classification(uprn=uprn, class_key=f"1110C{i:09d}", classification_code="RD04",
                                class_scheme="AddressBase Premium Classification Scheme",
                                scheme_version="1.0", **DATES)  # fmt: skip
    if rng.random() < 0.7:
        yield domain.DeliveryPoint(uprn=uprn, udprn=i + 1, building_number=number,
                                   thoroughfare="HIGH STREET", post_town="EXETER",
                                   postcode=postcode, postcode_type="S",
                                   delivery_point_suffix="1A", process_date=PROCESS_DATE,
                                   **DATES)  # fmt: skip
    if rng.random() < 0.3:
        yield domain.CrossReference(uprn=uprn, xref_key=f"1110X{i:09d}",
                                    cross_reference=f"osgb{1000000000000 + n}", version=4,
                                    source="7666MT", **DATES)  # fmt: skip


def write_supply(directory: Path, count: int, *, split: bool = True) -> tuple[Path, Path]:
    """The mixed volume (for the loader) and the split files without envelope (for COPY)."""
    header = model.Header(custodian_name="BENCH", local_custodian_code=9999,
                          process_date=PROCESS_DATE, volume_number=1, entry_date=PROCESS_DATE,
                          time_stamp="01:02:03", file_type="F")  # fmt: skip
    layout = layouts.get("abp", "2")
    (mixed,) = writer.write_supply(directory / "mixed", layout=layout, header=header,
                                   changes=records(count))  # fmt: skip
    if not split:
        return mixed, directory / "split"
    writer.write_supply(directory / "split", layout=layout, header=header,
                        changes=records(count),
                        options=writer.WriteOptions(split=True, envelope=False,
                                                    line_ending="\n"))  # fmt: skip
    return mixed, directory / "split"


# --- the baseline: server-side COPY --------------------------------------------------------


def raw_copy(admin: sa.Engine, split: Path) -> float:
    """Seconds for the server to COPY every split file into unindexed typed tables."""
    name = _new_database(admin)
    engine = sa.create_engine(admin.url.set(database=name), poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as conn:
            for rid, record in layouts.get("abp", "2").records.items():
                if record.is_data and record.entity:
                    conn.exec_driver_sql(_raw_table(rid, record))
        readable = _readable_by_server(split)
        started = time.perf_counter()
        with engine.begin() as conn:
            for rid, path in readable:
                conn.exec_driver_sql(f"COPY raw_{rid} FROM '{path}' WITH (FORMAT csv)")
        return time.perf_counter() - started
    finally:
        engine.dispose()
        _drop_database(admin, name)


def _readable_by_server(split: Path) -> list[tuple[str, Path]]:
    """The split data files, made readable by the database server's own user."""
    for parent in (split, *split.parents):
        if parent == Path("/"):
            break
        parent.chmod(parent.stat().st_mode | 0o055)
    files = [(p.name[2:4], p) for p in sorted(split.glob("ID*_Records.csv"))]
    data = [(rid, p) for rid, p in files if rid not in layouts.ENVELOPE_IDS]
    for _rid, path in data:
        path.chmod(0o644)
    return data


def _raw_table(rid: str, record: layouts.RecordLayout) -> str:
    columns = ", ".join(f"c{c.position} {SQL_TYPES[c.type]}" for c in record.columns)
    return f"CREATE UNLOGGED TABLE raw_{rid} ({columns})"


def _new_database(admin: sa.Engine) -> str:
    name = f"bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    return name


def _drop_database(admin: sa.Engine, name: str) -> None:
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- the loader -----------------------------------------------------------------------------


SECONDARY_INDEXES = (
    "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY(:tables) "
    "AND indexname NOT LIKE 'pk_%' AND indexname NOT LIKE 'uq_%'"
)
RECORD_TABLES = [
    "street", "street_descriptor", "blpu", "lpi", "cross_reference", "delivery_point",
    "classification", "organisation", "successor", "provenance",
]  # fmt: skip


def postgis_database(admin: sa.Engine, *, secondary_indexes: bool) -> str:
    name = _new_database(admin)
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    migrations.upgrade(url)
    if not secondary_indexes:
        engine = db.create_engine(url)
        with engine.begin() as conn:
            found = conn.execute(sa.text(SECONDARY_INDEXES), {"tables": RECORD_TABLES}).scalars()
            for index in list(found):
                conn.exec_driver_sql(f'DROP INDEX "{index}"')
        engine.dispose()
    return url


def spatialite_database(directory: Path) -> str:
    directory.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{directory / 'bench.db'}"
    migrations.upgrade(url)
    return url


# --- the run --------------------------------------------------------------------------------


def main() -> None:
    args = _arguments()
    admin_url = os.environ.get("ADDRESSHUB_TEST_PG_URL") or args.pg_url
    if not admin_url:
        raise SystemExit("set ADDRESSHUB_TEST_PG_URL (scripts/pg.sh start DIR) or --pg-url")
    admin = sa.create_engine(db.normalise_url(admin_url), isolation_level="AUTOCOMMIT",
                             poolclass=sa.pool.NullPool)  # fmt: skip
    work = Path(args.keep or tempfile.mkdtemp(prefix="addresshub-bench-"))
    try:
        _measure(admin, work, args)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--pg-url", default=None)
    parser.add_argument("--keep", default=None, help="write the supplies here and keep them")
    parser.add_argument(
        "--validate",
        nargs="+",
        default=["structural", "full"],
        choices=["structural", "full"],
        help="the validation modes to time",
    )
    parser.add_argument("--no-spatialite", action="store_true", help="skip the SpatiaLite run")
    parser.add_argument(
        "--memory-only",
        action="store_true",
        help="only the peak RSS at N and N/10 (full build into PostGIS): no B_copy, no split "
        "files, no run with the secondary indexes dropped",
    )
    return parser.parse_args()


def _measure(admin: sa.Engine, work: Path, args: argparse.Namespace) -> None:
    if args.memory_only:
        _measure_memory(admin, work, args)
        return
    count = args.records
    mixed, split = write_supply(work / "large", count)
    small, _ = write_supply(work / "small", max(count // 10, 1000))
    copy_s = raw_copy(admin, split)
    print(f"records: {count:,}")
    print(f"B_copy (server-side COPY, unindexed): {copy_s:8.2f} s  {count / copy_s:12,.0f} rows/s")
    for mode in args.validate:
        runs = {
            "PostGIS, no secondary indexes": _postgis(admin, mixed, work, mode, secondary=False),
            "PostGIS, all indexes (full build)": _postgis(admin, mixed, work, mode, secondary=True),
        }
        if not args.no_spatialite:
            lite_url = spatialite_database(work / uuid.uuid4().hex[:6])
            runs["SpatiaLite, all indexes"] = load_run.run_loader(
                lite_url, mixed, work / "s.csv", validate=mode
            )
        small_run = _postgis(admin, small, work, mode, secondary=True)
        _print(count, copy_s, mode, runs, small_run)


def _measure_memory(admin: sa.Engine, work: Path, args: argparse.Namespace) -> None:
    """Peak RSS of the full build into PostGIS at N and at N/10, per validation mode."""
    count, small_count = args.records, max(args.records // 10, 1000)
    mixed, _ = write_supply(work / "large", count, split=False)
    small, _ = write_supply(work / "small", small_count, split=False)
    print(f"records: {count:,} (memory only)")
    for mode in args.validate:
        large_run = _postgis(admin, mixed, work, mode, secondary=True)
        small_run = _postgis(admin, small, work, mode, secondary=True)
        print(f"--validate {mode}")
        for n, run in ((count, large_run), (small_count, small_run)):
            print(f"  N = {n:>12,}: {run.seconds:8.2f} s  peak RSS {run.peak_rss_mb:7.1f} MB  "
                  f"{_cpu(run)}  load average {_loadavg()}")  # fmt: skip
        ratio = large_run.peak_rss_mb / small_run.peak_rss_mb
        print(f"  peak RSS at N / at N/10: {ratio:.2f}x (goal <= 1.2x)")


def _loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _postgis(
    admin: sa.Engine, mixed: Path, work: Path, mode: str, *, secondary: bool
) -> load_run.Run:
    url = postgis_database(admin, secondary_indexes=secondary)
    try:
        report = work / f"r-{uuid.uuid4().hex[:6]}.csv"
        return load_run.run_loader(
            url, mixed, report, validate=mode, server=load_run.postmaster_of(admin)
        )
    finally:
        _drop_database(admin, sa.engine.make_url(url).database or "")


def _cpu(run: load_run.Run) -> str:
    server = "" if run.server_cpu_seconds is None else f", server {run.server_cpu_seconds:.2f} s"
    return f"CPU: loader {run.cpu_seconds:.2f} s{server}"


def _print(
    count: int, copy_s: float, mode: str, results: dict[str, load_run.Run], small: load_run.Run
) -> None:
    print(f"--validate {mode}")
    for name, run in results.items():
        rate = count / run.seconds
        print(f"  {name:36s} {run.seconds:8.2f} s  {rate:12,.0f} rows/s  "
              f"{100 * copy_s / run.seconds:5.1f}% of B_copy  {run.seconds / copy_s:5.2f}x time  "
              f"peak RSS {run.peak_rss_mb:7.1f} MB  {_cpu(run)}")  # fmt: skip
    pg = results["PostGIS, all indexes (full build)"]
    lite = results.get("SpatiaLite, all indexes")
    if lite is not None:
        print(f"  SpatiaLite / PostGIS time: {lite.seconds / pg.seconds:.2f}x")
    print(f"  peak RSS at N / at N/10: {pg.peak_rss_mb:.1f} / {small.peak_rss_mb:.1f} MB "
          f"= {pg.peak_rss_mb / small.peak_rss_mb:.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()
