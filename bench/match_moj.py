"""The same matching benchmark through the MoJ ``uk-address-matcher``, for comparison.

    .venv/bin/python -m bench.match_moj export DIR [--queries 3000 --seed 7]
        [--families citizen council]
    python3 -m venv /tmp/moj && /tmp/moj/bin/pip install uk-address-matcher
    /tmp/moj/bin/python bench/match_moj.py run DIR

``export`` writes the gazetteer and the queries of ``bench.match`` (same seed, same order) as
``canonical.csv`` and ``messy.csv``; ``run`` matches them with the package's default stages
(exact, then Splink) and prints throughput, and precision and recall at each pair of
thresholds on match weight and distinguishability (an exact match always counts).
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
from pathlib import Path
from typing import Any

_POSTCODE = re.compile(r"\b([A-Za-z]{1,2}\d[A-Za-z\d]?)\s*(\d[A-Za-z]{2})\s*$")


def export(folder: Path, queries: int, seed: int, families: tuple[str, ...] = ("citizen",)) -> None:
    import random

    from bench import match_council, match_data

    rng = random.Random(seed)
    gaz = match_data.gazetteer(rng)
    typed = match_data.queries(rng, gaz, queries)
    typed = typed if "citizen" in families else []
    if "council" in families:  # as bench.match builds it
        gaz, council = match_council.family(seed, gaz, queries)
        typed += council
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "canonical.csv").open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["unique_id", "address_concat", "postcode"])
        for address in gaz.addresses:
            if not address.held_back:
                body = address.label[: -len(address.postcode)].rstrip(", ")
                out.writerow([address.uprn, body, address.postcode])
    with (folder / "messy.csv").open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["unique_id", "address_concat", "postcode", "expected", "kind"])
        for number, query in enumerate(typed):
            found = _POSTCODE.search(query.text)
            postcode = f"{found.group(1)} {found.group(2)}".upper() if found else ""
            body = query.text[: found.start()].rstrip(", ") if found else query.text
            out.writerow([number, body, postcode, query.expected or "", query.kind])


def run(folder: Path) -> None:
    import duckdb
    from uk_address_matcher import AddressMatcher

    con = duckdb.connect()
    canonical = con.read_csv(str(folder / "canonical.csv"), header=True, all_varchar=True)
    messy = con.sql(
        "SELECT unique_id, address_concat, postcode FROM "
        f"read_csv('{folder / 'messy.csv'}', header=true, all_varchar=true)"
    )
    expected = {
        r["unique_id"]: r["expected"] for r in csv.DictReader((folder / "messy.csv").open())
    }
    started = time.perf_counter()
    result = AddressMatcher(
        canonical_addresses=canonical, addresses_to_match=messy, con=con, show_progress="off"
    ).match()
    relation = result.matches()
    rows = [dict(zip(relation.columns, row, strict=True)) for row in relation.fetchall()]
    elapsed = time.perf_counter() - started
    print(f"{len(expected)} queries in {elapsed:.1f} s: {len(expected) / elapsed:.0f} addresses/s")
    answerable = sum(1 for value in expected.values() if value)
    for distinguishability in (0, 5, 10):
        for weight in (-100, 0, 10, 20, 25):
            _report(rows, expected, answerable, distinguishability, weight)


def _report(
    rows: list[dict[str, Any]], expected: dict[str, str], answerable: int, d: float, w: float
) -> None:
    matched = right = 0
    for row in rows:
        if row["resolved_canonical_id"] is None:
            continue
        exact = "exact" in str(row["match_reason"]).lower()
        low = (row["distinguishability"] or 0) < d or (row["match_weight"] or 0) < w
        if low and not exact:
            continue
        matched += 1
        right += str(row["resolved_canonical_id"]) == expected[row["unique_id"]]
    precision = right / matched if matched else 1.0
    print(
        f"distinguishability >= {d}, weight >= {w}: precision {precision:.2%},"
        f" recall {right / answerable:.2%}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["export", "run"])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--queries", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--families", nargs="+", default=["citizen"], choices=["citizen", "council"]
    )
    args = parser.parse_args()
    if args.action == "export":
        export(args.folder, args.queries, args.seed, tuple(args.families))
    else:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        run(args.folder)
