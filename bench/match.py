"""Matching benchmark: precision of ``matched``, recall and throughput on realistic queries.

    .venv/bin/python -m bench.match [--queries 3000] [--seed 7] [--database-url URL]

Builds a synthetic gazetteer (see :mod:`bench.match_data`) in a fresh database (SQLite by
default), loads it, rebuilds the search index and matches citizen-style queries generated from
it: case, abbreviations, typos, dropped town and/or postcode, flats written several ways,
properties held back from the gazetteer and addresses from elsewhere.

* precision: of the queries answered ``matched``, the share matched to the right UPRN (a match
  for an address the gazetteer does not hold is wrong);
* recall: of the queries whose address is in the gazetteer, the share ``matched`` correctly;
* throughput: queries matched per second, end to end (parse, retrieve, score), one process;
  one at a time through ``find.match_address``, or with ``--batch`` through the batch path
  (``find_many.match_many``, what ``addresshub match --input`` and the batch API use).
"""

from __future__ import annotations

import argparse
import collections
import random
import tempfile
import time
from pathlib import Path

import migrations
from bench import match_council, match_data
from core import db
from core.settings import Settings
from gazetteer import find, find_many, matching, repository, search_index

FAMILIES = ("citizen", "council")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--streets-per-town", type=int, default=30)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--show-errors", type=int, default=10)
    parser.add_argument(
        "--families",
        nargs="+",
        choices=FAMILIES,
        default=["citizen"],
        help="query families: citizen (as a person types), council (as council lists hold them)",
    )
    parser.add_argument(
        "--batch", action="store_true", help="match through the batch path (find_many)"
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    gaz = match_data.gazetteer(rng, streets_per_town=args.streets_per_town)
    queries = match_data.queries(rng, gaz, args.queries) if "citizen" in args.families else []
    if "council" in args.families:
        gaz, council = match_council.family(args.seed, gaz, args.queries)
        queries += council
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        run(url, gaz, queries, show_errors=args.show_errors, batch=args.batch)


def run(
    url: str,
    gaz: match_data.Gazetteer,
    queries: list[match_data.Query],
    *,
    show_errors: int,
    batch: bool = False,
) -> None:
    migrations.upgrade(url)
    engine = db.create_engine(url)
    factory = db.session_factory(engine)
    started = time.perf_counter()
    with db.unit_of_work(factory) as session:
        repository.save_records(session, gaz.records())
        rows = search_index.rebuild(session)
    loaded = time.perf_counter() - started
    held = sum(a.held_back for a in gaz.addresses)
    print(
        f"gazetteer: {len(gaz.addresses) - held} addresses ({held} held back), "
        f"{rows} index rows, loaded and indexed in {loaded:.1f} s on {engine.dialect.name}"
    )
    settings = Settings(database_url=url)
    with db.unit_of_work(factory) as session:
        started = time.perf_counter()
        if batch:
            texts = [query.text for query in queries]
            results = find_many.match_many(session=session, texts=texts, settings=settings)
        else:
            results = [
                find.match_address(session=session, text=query.text, settings=settings)
                for query in queries
            ]
        elapsed = time.perf_counter() - started
    outcomes = list(zip(queries, results, strict=True))
    engine.dispose()
    report(outcomes, elapsed, show_errors=show_errors)


Outcome = tuple[match_data.Query, matching.MatchResult]


def report(outcomes: list[Outcome], elapsed: float, *, show_errors: int) -> None:
    _summary(outcomes)
    print(f"throughput: {len(outcomes) / elapsed:.0f} addresses/s ({elapsed:.1f} s)")
    families = {_family(q) for q, _ in outcomes}
    for family in sorted(families) if len(families) > 1 else ():
        print(f"\nfamily {family}:")
        _summary([(q, r) for q, r in outcomes if _family(q) == family])
    _by_kind(outcomes)
    wrong = [(q, r) for q, r in outcomes if r.status == "matched" and r.uprn != q.expected]
    for query, result in wrong[:show_errors]:
        top = result.candidates[0]
        print(f"WRONG {query.text!r} expected {query.expected}: {top.candidate.label!r}")


def _family(query: match_data.Query) -> str:
    return "council" if query.kind.startswith("council") else "citizen"


def _summary(outcomes: list[Outcome]) -> None:
    matched = [(q, r) for q, r in outcomes if r.status == "matched"]
    wrong = [(q, r) for q, r in matched if r.uprn != q.expected]
    answerable = [q for q, _ in outcomes if q.expected is not None]
    right = len(matched) - len(wrong)
    precision = right / len(matched) if matched else 1.0
    recall = right / len(answerable) if answerable else 0.0
    print(f"queries: {len(outcomes)} ({len(answerable)} in the gazetteer)")
    print(f"precision of matched: {precision:.4%} ({len(wrong)} wrong of {len(matched)})")
    print(f"recall: {recall:.4%} ({right} of {len(answerable)})")


def _by_kind(outcomes: list[Outcome]) -> None:
    by_kind: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for query, result in outcomes:
        wrong = result.status == "matched" and result.uprn != query.expected
        by_kind[query.kind]["wrong" if wrong else result.status] += 1
    columns = ("matched", "review", "unmatched", "wrong")
    print(f"\n| kind | n | {' | '.join(columns)} |\n|---|---:|{'---:|' * len(columns)}")
    for kind, counts in sorted(by_kind.items(), key=lambda item: -sum(item[1].values())):
        cells = " | ".join(str(counts[c]) for c in columns)
        print(f"| {kind} | {sum(counts.values())} | {cells} |")


if __name__ == "__main__":
    main()
