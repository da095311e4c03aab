"""The sharing speed goals: enqueue of a move with 10 recipients, and explain, against bare SQL.

    .venv/bin/python -m bench.sharing --database-url postgresql://USER@/postgres?host=... \\
        [--moves 300] [--explains 300]

A fresh database is created on that server (SQLite in a temporary directory without
``--database-url``), migrated, and given a small gazetteer (an old address in one district, a
new one in the next) and a generated registry: ``--partners`` partners (50) with two services
each, every service with two rules (leaving and joining: 200 rules). The services of
``--recipients`` / 2 partners (5) cover the new address, so a move is sent to 10 of them and
refused (out of area) by the other 90.

1. Baseline ``B_commit``: on one connection of the bare driver, per move one transaction that
   inserts as many rows as a submitted move writes (counted in this run) with ``executemany``
   and commits. The row count per move is printed.
2. ``submit_move`` through the service layer, one unit of work per move, one connection:
   moves/s, and its share of ``B_commit``. Goal: at least 25%. The two are measured in
   ``--rounds`` alternating rounds (10), so that on a shared machine both meet the same load;
   each round's own share is printed too (median and range), to show how much the machine
   moved during the run. The moves are spread over ``--addresses`` pairs of old and new
   addresses (1,000), as a council's are: few share an address within the review window.
3. The same, every move between the same two addresses: the review check's worst case (each
   move compares itself with the latest 50 live moves there), against its own ``B_commit``.
4. ``explain_move`` through the service layer: p50 and p95 per call. Goal: p95 at most 20 ms.

The process runs as the API server does: once set up (seeded, the registry read, 20 moves
warmed up) it freezes what is alive out of the cyclic garbage collector (``gc.freeze()``, as
the app does when it starts and the worker when it runs), before both the baseline and the
measured loops.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import gc
import math
import os
import statistics
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from geoalchemy2 import WKTElement
from sqlalchemy import orm

from bench import database
from core import db
from core.settings import Settings
from core.tables import Base
from gazetteer import domain as gaz
from gazetteer import repository as gaz_repository
from gazetteer import tables as gaz_tables
from notify import intake, move_domain, registry_service, service
from tests.integration import sharing_world as w

NOW = dt.datetime.now(dt.UTC)
SERVICES = ("COUNCIL_TAX", "LIBRARIES")
FIELDS = "[PERSON_NAME, OLD_ADDRESS, NEW_ADDRESS, MOVE_DATE]"
BASELINE_TABLE = "bench_sharing_rows"
DATES: dict[str, Any] = dict(w.DATES)


# The registry --------------------------------------------------------------------------------


def registry_yaml(partners: int, covering: int) -> str:
    """``partners`` partners, two services and four rules each; the first ``covering`` cover
    the new address's district, the rest a district with no address in it."""
    lines = ["format: addresshub-registry/1", "purposes:"]
    for s in SERVICES:
        lines += [f"  purpose_{s.lower()}:", f"    label_en: Purpose {s}"]
    lines += ["partners:"]
    for p in range(partners):
        area = "E07000002" if p < covering else f"E0799{p:04d}"
        lines += [f"  P{p:03d}:", f"    name_en: Partner {p}", "    kind: council", "    services:"]
        for s in SERVICES:
            lines += [
                f"      {s}:",
                f"        name_en: {s}",
                f"        accepted_field_groups: {FIELDS}",
                "        coverage:",
                f"          - {{area_code: {area}}}",
                "        subscriptions:",
                f"          - {{channel: webhook, url: 'https://p{p}.example/{s.lower()}'}}",
            ]
    lines += [*_agreement(partners), "rules:"]
    for p in range(partners):
        for s in SERVICES:
            for role in ("leaving", "joining"):
                lines += _rule(p, s, role)
    return "\n".join(lines) + "\n"


def _agreement(partners: int) -> list[str]:
    parties = ", ".join(f"P{p:03d}: recipient" for p in range(partners))
    return [
        "agreements:",
        "  DSA-BENCH:",
        "    - version: 1",
        "      status: active",
        "      title: Bench agreement",
        "      legal_gateway_refs: [LGA1972 s.111]",
        "      effective_from: 2020-01-01T00:00:00Z",
        "      review_due: 2099-01-01",
        "      ledger_retention_months: 72",
        f"      parties: {{{parties}}}",
    ]


def _rule(partner: int, service_code: str, role: str) -> list[str]:
    return [
        f"  r-{partner:03d}-{service_code.lower()}-{role}:",
        "    - version: 1",
        "      status: active",
        "      agreement: DSA-BENCH@1",
        f"      service: P{partner:03d}/{service_code}",
        f"      purpose: purpose_{service_code.lower()}",
        "      lawful_basis: public_task",
        f"      trigger_roles: [{role}]",
        f"      field_groups: {FIELDS}",
        "      approved_by: Bench",
        "      approved_at: 2020-01-01T00:00:00Z",
    ]


# The database ---------------------------------------------------------------------------------


def seed(factory: db.SessionFactory, *, partners: int, covering: int, addresses: int = 1) -> None:
    with db.unit_of_work(factory) as session:
        _gazetteer(session, addresses)
        registry_service.apply_file(
            session=session, text=registry_yaml(partners, covering), actor="bench", now=NOW
        )


def address_pair(n: int) -> tuple[int, int]:
    """The old and new UPRN of pair ``n``: pair 0 is the sharing tests' two addresses."""
    if n == 0:
        return w.OLD_UPRN, w.NEW_UPRN
    return 300_000_000_000 + n, 400_000_000_000 + n


def _gazetteer(session: orm.Session, addresses: int) -> None:
    """The sharing tests' street, with ``addresses`` pairs of addresses on it: each pair's old
    address in Oldtown, its new one in Newtown."""
    records: list[object] = [
        gaz.Street(usrn=w.STREET, record_type="1", state="2", **DATES),
        gaz.StreetDescriptor(usrn=w.STREET, description="MILL LANE", town_name="NEWTOWN",
                             language="ENG", administrative_area="NEWSHIRE"),
    ]  # fmt: skip
    for n in range(addresses):
        old, new = address_pair(n)
        records += w.address(old, 292000.0 - n % 1000, 1105, 2 * n + 1)
        records += w.address(new, 296000.0 + n % 1000, 1110, 2 * n + 2)
    gaz_repository.save_records(session, records)  # type: ignore[arg-type]
    for code, x0, x1 in (("E07000001", 288000, 293000), ("E07000002", 293000, 299000)):
        wkt = f"MULTIPOLYGON((({x0} 90000,{x1} 90000,{x1} 95000,{x0} 95000,{x0} 90000)))"
        session.add(gaz_tables.Area(type="lad", code=code, name=code, version="",
                                    geom=WKTElement(wkt, srid=27700)))  # fmt: skip
    session.flush()


def _request(n: int, addresses: int = 1) -> intake.MoveRequest:
    """Move ``n``: a different person each time (so none is held as a repeat), between the
    addresses of pair ``n`` modulo ``addresses``."""
    old, new = address_pair(n % addresses)
    return intake.MoveRequest(
        submitter=move_domain.Submitter(kind="citizen"),
        person=intake.PersonDetails(
            given_name=f"Given{n}", family_name=f"Family{n}", date_of_birth=dt.date(1980, 1, 1)
        ),
        old_uprn=old,
        new_uprn=new,
        move_date=NOW.date(),
    )


def _rows(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return sum(
            int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one())
            for t in Base.metadata.sorted_tables
        )


# Measurements -----------------------------------------------------------------------------------


def baseline_table(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql(
            f"CREATE TABLE {BASELINE_TABLE} (id varchar(40) PRIMARY KEY, kind varchar(40), "
            "body text, n integer)"
        )


def baseline(engine: sa.Engine, *, moves: int, rows: int, first: int = 0) -> float:
    """Seconds taken by ``moves`` moves of ``rows`` bare inserts and a commit each, on one
    driver connection (the table made by :func:`baseline_table`)."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        marker = "?" if engine.dialect.name == "sqlite" else "%s"
        insert = f"INSERT INTO {BASELINE_TABLE} VALUES ({marker}, {marker}, {marker}, {marker})"
        body = "x" * 200
        started = time.perf_counter()
        for m in range(first, first + moves):
            cursor.executemany(insert, [(f"{m}-{r}", "row", body, r) for r in range(rows)])
            raw.commit()
        return time.perf_counter() - started
    finally:
        raw.close()


def submit(
    factory: db.SessionFactory, settings: Settings, *, moves: int, first: int, addresses: int = 1
) -> float:
    """Seconds taken by ``moves`` moves through the service layer, one unit of work each."""
    started = time.perf_counter()
    for n in range(first, first + moves):
        with db.unit_of_work(factory) as session:
            request = _request(n, addresses)
            service.submit_move(session=session, request=request, settings=settings, now=NOW)
    return time.perf_counter() - started


@dataclass(frozen=True, slots=True)
class Paired:
    """``B_commit`` and ``submit_move`` in moves/s over all rounds, and each round's share."""

    base: float
    rate: float
    shares: tuple[float, ...]


def interleaved(
    engine: sa.Engine,
    factory: db.SessionFactory,
    settings: Settings,
    *,
    moves: int,
    rows: int,
    rounds: int,
    addresses: int,
    first: int,
) -> Paired:
    """``B_commit`` and ``submit_move`` measured in alternating rounds (a share of the moves
    each), so that both meet the same load on a shared machine; each round's share of its own
    ``B_commit`` too, whose spread shows how much the machine moved during the run."""
    base = took = 0.0
    per, shares = max(moves // rounds, 1), []
    for r in range(rounds):
        one = baseline(engine, moves=per, rows=rows, first=first + r * per)
        two = submit(factory, settings, moves=per, first=first + r * per, addresses=addresses)
        base, took = base + one, took + two
        shares.append(one / two)
    return Paired(base=per * rounds / base, rate=per * rounds / took, shares=tuple(shares))


def explain(factory: db.SessionFactory, settings: Settings, *, calls: int) -> list[float]:
    took = []
    for n in range(calls):
        with db.unit_of_work(factory) as session:
            started = time.perf_counter()
            service.explain_move(session=session, request=_request(n), settings=settings, now=NOW)
            took.append(time.perf_counter() - started)
    return took


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(math.ceil(q * len(ordered)) - 1, 0)]


def run(args: argparse.Namespace) -> None:
    settings = Settings(environment="test", move_review_same_uprn=False)
    spread = max(args.addresses, args.moves + 100)  # no pair used twice: none shares an address
    with database.fresh_database(args.database_url, "sharing") as url:
        engine = db.create_engine(url)
        factory = db.session_factory(engine)
        seed(factory, partners=args.partners, covering=args.recipients // len(SERVICES),
             addresses=spread)  # fmt: skip
        before = _rows(engine)
        submit(factory, settings, moves=1, first=0)  # warms up, and counts the rows written
        rows = _rows(engine) - before
        submit(factory, settings, moves=min(20, args.moves), first=1)
        gc.freeze()  # as the server once started (api.app's lifespan)
        baseline_table(engine)
        measure = functools.partial(interleaved, engine, factory, settings, moves=args.moves,
                                    rows=rows, rounds=args.rounds)  # fmt: skip
        measured = {"spread": measure(addresses=spread, first=100)}
        submit(factory, settings, moves=50, first=90_000)  # 50 live moves at the same pair
        measured["same"] = measure(addresses=1, first=100_000)
        explain(factory, settings, calls=10)
        took = explain(factory, settings, calls=args.explains)
        engine.dispose()
    _report(url, args, rows, measured, took)


def _report(
    url: str,
    args: argparse.Namespace,
    rows: int,
    measured: dict[str, Paired],
    took: list[float],
) -> None:
    kind = url.split(":", 1)[0].split("+", 1)[0]
    print(f"{kind}: {args.partners} partners, {2 * args.partners} services, "
          f"{4 * args.partners} rules; {args.recipients} recipients per move; "
          f"{rows} rows written per move; load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    for label, paired in (
        ("moves over distinct addresses", measured["spread"]),
        ("moves all between the same two addresses (review check's worst case)",
         measured["same"]),
    ):  # fmt: skip
        base, rate, shares = paired.base, paired.rate, sorted(paired.shares)
        print(f"  {label}:")
        print(f"    B_commit (bare executemany of {rows} rows + commit): {base:8.0f} moves/s")
        print(f"    submit_move:                                     {rate:8.1f} moves/s"
              f"  = {100 * rate / base:.1f}% of B_commit (goal 25%)")  # fmt: skip
        print(f"    per round: median {100 * statistics.median(shares):.1f}%,"
              f" {100 * shares[0]:.1f}% to {100 * shares[-1]:.1f}%")  # fmt: skip
    print(f"  explain_move: p50 {1000 * statistics.median(took):.1f} ms, "
          f"p95 {1000 * _p(took, 0.95):.1f} ms (goal 20 ms)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--partners", type=int, default=50)
    parser.add_argument("--recipients", type=int, default=10)
    parser.add_argument("--moves", type=int, default=300)
    parser.add_argument("--explains", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=10, help="alternating rounds of the two")
    parser.add_argument(
        "--addresses", type=int, default=1000, help="address pairs the moves are spread over"
    )
    run(parser.parse_args())


if __name__ == "__main__":
    main()
