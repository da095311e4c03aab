"""Finding benchmark: lookups, search, spatial queries and the HTTP endpoint against baselines.

    eval "$(scripts/pg.sh start /tmp/pg-bench)"
    .venv/bin/python -m bench.find                          # 1M addresses on PostGIS
    .venv/bin/python -m bench.find --addresses 10000000     # the 10M run (about 10x the time)

Builds a synthetic gazetteer (:mod:`bench.find_data`) of ``--addresses`` addresses in a fresh
PostGIS database with set-based SQL, checks a sample of its search rows against the index
rebuild, then measures on one connection: a bare ``SELECT 1`` round trip (the baseline), the
UPRN lookup the API makes (``service.get_address``; and in turn with ``SELECT 1``, through its
stored document and through the live facts statement), the postcode list, search (typed
partial and whole addresses), nearest-10 and a 100 m radius. The same spatial queries run on
SpatiaLite and on PostGIS over one smaller gazetteer (``--sqlite-addresses``) for their
ratio. Last, the API runs under uvicorn and a load loop in a second process on 127.0.0.1
drives ``GET /v1/addresses/{uprn}`` and the no-op ``/healthz`` with the same settings, in
alternating rounds. ``--skip-lookups``, ``--skip-search``, ``--skip-http`` and
``--skip-spatial`` leave parts out; the report starts with the load average.
``--postcode-only`` builds only the search rows and their postcode index (in its own database,
``findbench_postcodes``) and times the postcode list against the round trip: the 10M figure
without the full build.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

import migrations
from api.keys import domain as key_domain
from api.keys import service as keys
from bench import find_data, find_http
from core import clock, db
from core.settings import Settings
from gazetteer import facts_query, find, search_index, service, spatial
from gazetteer.search_tables import AddressSearch

SELECT_ONE = sa.text("SELECT 1")
SAMPLE_ROWS = sa.text(
    "SELECT uprn, pao_number, street_key, town, postcode FROM address_search"
    " WHERE source = 'lpi' AND id = ANY(:ids)"
)
POINTS = sa.text("SELECT x_coordinate, y_coordinate FROM blpu WHERE uprn = ANY(:uprns)")
Timings = dict[str, list[float]]
HTTP_ROUNDS = 4


def main() -> None:
    args = _arguments()
    admin = db.create_engine(args.database_url)
    if args.postcode_only:
        with _database(admin, "findbench_postcodes", args.keep, args.reuse) as url:
            _build(url, args.addresses, args.reuse, postcode_only=True)
            report(args, measure_postgis(url, args), {})
        return
    with _database(admin, "findbench_big", args.keep, args.reuse) as url:
        _build(url, args.addresses, args.reuse)
        big = measure_postgis(url, args)
        if not args.skip_http:
            big |= measure_http(url, args)
    spatial_ratio = {}
    if not args.skip_spatial:
        with _database(admin, "findbench_small", args.keep, args.reuse) as small_url:
            spatial_ratio = measure_spatial(small_url, args)
    report(args, big, spatial_ratio)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--addresses", type=int, default=1_000_000)
    parser.add_argument("--sqlite-addresses", type=int, default=100_000)
    parser.add_argument("--database-url", default=os.environ.get("ADDRESSHUB_TEST_PG_URL"))
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--http-requests", type=int, default=4000)
    parser.add_argument("--http-seconds", type=float, default=20.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-lookups", action="store_true", help="no in-process timings")
    parser.add_argument("--skip-search", action="store_true", help="lookups and spatial only")
    parser.add_argument("--skip-spatial", action="store_true", help="no SpatiaLite ratio")
    parser.add_argument(
        "--postcode-only",
        action="store_true",
        help="build only the search rows (database findbench_postcodes); time the postcode list",
    )
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument(
        "--reuse", action="store_true", help="measure the kept databases again (after migrating)"
    )
    args = parser.parse_args()
    if not args.database_url:
        parser.error("--database-url (a PostgreSQL server to create databases on) is required")
    return args


@contextmanager
def _database(admin: sa.Engine, name: str, keep: bool, reuse: bool = False) -> Iterator[str]:
    if not reuse:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # fixed names
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        if not keep and not reuse:
            with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _build(
    url: str, addresses: int, reuse: bool = False, *, postcode_only: bool = False
) -> sa.Engine:
    migrations.upgrade(url)
    engine = db.create_engine(url)
    if reuse:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE address_search")
            documents = conn.scalar(sa.text("SELECT EXISTS (SELECT 1 FROM address_document)"))
            points = conn.scalar(sa.text("SELECT EXISTS (SELECT 1 FROM address_point)"))
        if not postcode_only and not documents:  # built before the stored documents
            find_data.write_documents(engine)
        if not postcode_only and not points:  # built before the points table
            find_data.write_points(engine)
        return engine
    started = time.perf_counter()
    find_data.build_postgis(engine, addresses, postcode_only=postcode_only)
    print(f"built {addresses:,} addresses in {time.perf_counter() - started:.1f} s")
    if not postcode_only:  # the sample check rebuilds from the gazetteer records
        check_sample(engine, addresses)
    return engine


def check_sample(engine: sa.Engine, addresses: int, size: int = 40) -> None:
    """The generated search rows and tokens equal what the index rebuild writes for them."""
    uprns = random.Random(1).sample(range(addresses), min(size, addresses))
    chosen = [find_data.UPRN_BASE + i for i in uprns]
    with db.session_factory(engine)() as session:
        before = _index_of(session, chosen)
        search_index.rebuild(session, chosen)
        after = _index_of(session, chosen)
        session.rollback()
    if before != after:
        raise SystemExit("the generated search index differs from the rebuild's")


def _index_of(session: orm.Session, uprns: list[int]) -> set[tuple[Any, ...]]:
    columns = [c for c in AddressSearch.__table__.columns if c.name != "id"]
    rows = session.execute(sa.select(*columns).where(AddressSearch.uprn.in_(uprns)))
    tokens = session.execute(
        sa.text(
            "SELECT s.source_key, t.token FROM address_search_token t"
            " JOIN address_search s ON s.id = t.search_id WHERE s.uprn = ANY(:uprns)"
        ),
        {"uprns": uprns},
    )
    return {tuple(row) for row in rows} | {tuple(row) for row in tokens}


# --- measuring ----------------------------------------------------------------------------


def _timed(call: Callable[[Any], object], items: Sequence[Any], warm: int = 30) -> list[float]:
    for item in items[:warm]:
        call(item)
    out = []
    for item in items:
        started = time.perf_counter()
        call(item)
        out.append(time.perf_counter() - started)
    return out


def _sample(session: orm.Session, addresses: int, count: int, seed: int) -> list[Any]:
    ids = random.Random(seed).sample(range(1, addresses + 1), count)
    return list(session.execute(SAMPLE_ROWS, {"ids": ids}))


def search_queries(rows: Sequence[Any], seed: int) -> list[str]:
    """Typed queries: partial typeahead, whole addresses, a postcode without its space."""
    rng = random.Random(seed)
    forms: list[Callable[[Any], str]] = [
        lambda r: f"{r.pao_number} {r.street_key.lower()[:-3]}",
        lambda r: f"{r.pao_number} {r.street_key.title()}, {r.town.title()}",
        lambda r: f"{r.pao_number} {r.street_key.lower()} {r.postcode.lower()}",
        lambda r: r.postcode.replace(" ", "").lower(),
        lambda r: f"{r.street_key.title()} {r.town.title()}",
    ]
    return [rng.choice(forms)(row) for row in rows]


def _points(session: orm.Session, rows: Sequence[Any], seed: int) -> list[tuple[float, float]]:
    rng = random.Random(seed)
    found = session.execute(POINTS, {"uprns": [r.uprn for r in rows]})
    return [(x + rng.uniform(-20, 20), y + rng.uniform(-20, 20)) for x, y in found]


def measure_postgis(url: str, args: argparse.Namespace) -> Timings:
    engine = db.create_engine(url)
    settings = Settings(database_url=url)
    if args.skip_lookups:
        return {}
    with db.session_factory(engine)() as session:
        rows = _sample(session, args.addresses, args.samples, args.seed)
        if args.postcode_only:
            return {
                "select_1": _timed(lambda _: session.execute(SELECT_ONE).scalar_one(), rows),
                "postcode": _timed(
                    lambda r: find.addresses_at_postcode(session=session, postcode=r.postcode),
                    rows,
                ),
            }
        points = _points(session, rows, args.seed)
        timings = {
            "select_1": _timed(lambda _: session.execute(SELECT_ONE).scalar_one(), rows),
            "uprn": _timed(
                lambda r: service.get_address(session=session, uprn=r.uprn, settings=settings),
                rows,
            ),
            "postcode": _timed(
                lambda r: find.addresses_at_postcode(session=session, postcode=r.postcode), rows
            ),
        }
        timings |= _stored_and_live(session, settings, rows)
        if not args.skip_search:
            timings["search"] = _timed(
                lambda q: find.search(session=session, q=q, settings=settings),
                search_queries(rows, args.seed),
            )
        timings |= _spatial_timings(session, points)
    return timings


def _stored_and_live(session: orm.Session, settings: Settings, rows: Sequence[Any]) -> Timings:
    """The UPRN lookup through its stored document and through the live facts statement (the
    lookup before ``address_document``), with ``SELECT 1``, in turn for each sample: a change
    in the machine's load falls on all three alike."""
    connection = session.connection()
    area = settings.label_administrative_area

    def live(uprn: int) -> object:
        facts = facts_query.read_live(connection, uprn)
        assert facts is not None
        return service.build_document(facts, administrative_area=area, language="ENG")

    calls: dict[str, Callable[[Any], object]] = {
        "alt_select_1": lambda _: session.execute(SELECT_ONE).scalar_one(),
        "alt_stored": lambda r: service.get_address(
            session=session, uprn=r.uprn, settings=settings
        ),
        "alt_live": lambda r: live(r.uprn),
    }
    timings: Timings = {name: [] for name in calls}
    for row in rows[:30]:
        for call in calls.values():
            call(row)
    for row in rows:
        for name, call in calls.items():
            started = time.perf_counter()
            call(row)
            timings[name].append(time.perf_counter() - started)
    return timings


def _spatial_timings(session: orm.Session, points: Sequence[tuple[float, float]]) -> Timings:
    def nearest(point: tuple[float, float]) -> object:
        return spatial.nearest(session=session, x=point[0], y=point[1], srid=27700, limit=10)

    def radius(point: tuple[float, float]) -> object:
        x, y = point
        return spatial.nearest(session=session, x=x, y=y, srid=27700, limit=100, radius=100.0)

    return {"nearest": _timed(nearest, points), "radius": _timed(radius, points)}


def measure_spatial(url: str, args: argparse.Namespace) -> dict[str, tuple[float, float]]:
    """p50 of nearest-10 and radius on PostGIS and SpatiaLite over the same gazetteer."""
    source = _build(url, args.sqlite_addresses, args.reuse)
    with tempfile.TemporaryDirectory() as tmp:
        lite_url = f"sqlite:///{Path(tmp) / 'find.db'}"
        migrations.upgrade(lite_url)
        lite = db.create_engine(lite_url)
        find_data.copy_to_sqlite(source, lite)
        results = {}
        with db.session_factory(source)() as pg, db.session_factory(lite)() as sl:
            rows = _sample(pg, args.sqlite_addresses, args.samples, args.seed)
            points = _points(pg, rows, args.seed)
            on_pg, on_sl = _spatial_timings(pg, points), _spatial_timings(sl, points)
            for name in on_pg:
                results[name] = (_p(on_pg[name], 50), _p(on_sl[name], 50))
        lite.dispose()
    return results


def measure_http(url: str, args: argparse.Namespace) -> Timings:
    engine = db.create_engine(url)
    with db.unit_of_work(db.session_factory(engine)) as session:
        issued = keys.create_key(
            session=session,
            settings=Settings(database_url=url),
            clock=clock.SystemClock(),
            role=key_domain.Role.AGENT,
            label="find benchmark",
        )
    port = find_http.free_port()
    uprns = range(find_data.UPRN_BASE, find_data.UPRN_BASE + args.addresses)
    done: dict[str, list[find_http.Load]] = {"http_noop": [], "http_uprn": []}
    with find_http.server(url, port):
        # Alternating rounds, so a change in the machine's load falls on both routes alike.
        for _ in range(HTTP_ROUNDS):
            for name, path in (("http_noop", "/healthz"), ("http_uprn", "/v1/addresses/{uprn}")):
                load = find_http.run_load(
                    port=port,
                    path=path,
                    key=issued.plaintext,
                    requests=args.http_requests // HTTP_ROUNDS,
                    seconds=args.http_seconds / HTTP_ROUNDS,
                    connections=args.connections,
                    uprns=uprns,
                )
                print(f"{path}: {load.requests} requests, {load.statuses}")
                done[name].append(load)
    return {
        name: [sum(load.requests for load in loads) / sum(load.seconds for load in loads)]
        for name, loads in done.items()
    }


# --- reporting ----------------------------------------------------------------------------


def _p(values: Sequence[float], percent: int) -> float:
    if percent == 50:
        return statistics.median(values)
    return statistics.quantiles(values, n=100)[percent - 1]


def report(
    args: argparse.Namespace, big: Timings, spatial_ratio: dict[str, tuple[float, float]]
) -> None:
    print(f"\nload average {' '.join(f'{v:.1f}' for v in os.getloadavg())}")
    if "select_1" in big:
        _report_lookups(args, big)
    if "http_uprn" in big:
        noop, uprn = big["http_noop"][0], big["http_uprn"][0]
        print(f"HTTP: no-op {noop:,.0f} req/s, UPRN {uprn:,.0f} req/s = {uprn / noop:.1%} (>= 30%)")
    if not spatial_ratio:
        return
    print(f"\nSpatial at {args.sqlite_addresses:,} addresses (p50, SpatiaLite / PostGIS, <= 2x):")
    for name, (pg, sl) in spatial_ratio.items():
        print(
            f"{name:9} PostGIS {pg * 1e3:7.3f} ms  SpatiaLite {sl * 1e3:7.3f} ms  {sl / pg:5.2f}x"
        )


def _report_lookups(args: argparse.Namespace, big: Timings) -> None:
    base = _p(big["select_1"], 50)
    print(f"{args.addresses:,} addresses on PostGIS; SELECT 1 round trip p50 {base * 1e3:.3f} ms")
    goals = {"uprn": 2, "postcode": 3, "nearest": 4, "radius": 4}
    for name in ("uprn", "postcode", "search", "nearest", "radius"):
        if name not in big:
            continue
        p50, p95 = _p(big[name], 50), _p(big[name], 95)
        goal = f" (goal <= {goals[name]}x)" if name in goals else ""
        print(
            f"{name:9} p50 {p50 * 1e3:8.3f} ms  p95 {p95 * 1e3:8.3f} ms  "
            f"p50/round trip {p50 / base:6.1f}x{goal}"
        )
    if "search" in big:
        print("search p95 goal: <= 50 ms")
    if "alt_select_1" in big:
        alt = _p(big["alt_select_1"], 50)
        stored, live = _p(big["alt_stored"], 50), _p(big["alt_live"], 50)
        print(
            f"in turn: SELECT 1 p50 {alt * 1e3:.3f} ms; UPRN lookup stored document "
            f"{stored * 1e3:.3f} ms ({stored / alt:.1f}x), live statement {live * 1e3:.3f} ms "
            f"({live / alt:.1f}x)"
        )


if __name__ == "__main__":
    main()
