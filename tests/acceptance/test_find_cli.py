"""``addresshub search``, ``lookup postcode`` and ``match`` in a subprocess, on both engines."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import sqlalchemy as sa

from core import db
from tests.integration import find_seed
from tests.support import acceptance


def _seed(db_url: str) -> None:
    engine = db.create_engine(db_url)
    try:
        with db.unit_of_work(db.session_factory(engine)) as session:
            find_seed.seed(session)
    finally:
        engine.dispose()


def _documents(db_url: str, statement: str) -> int:
    engine = db.create_engine(db_url)
    try:
        with engine.begin() as conn:
            result = conn.execute(sa.text(statement))
            return int(result.scalar_one() if result.returns_rows else result.rowcount)
    finally:
        engine.dispose()


def test_search_and_postcode_lookup(db_url: str) -> None:
    _seed(db_url)
    assert _documents(db_url, "DELETE FROM address_document") > 0
    reindexed = acceptance.cli_json("reindex", database_url=db_url)
    assert reindexed == {"rows": len(find_seed.ADDRESSES) + 1}
    # reindex writes the stored lookup documents too: one per BLPU again
    missing = "SELECT COUNT(*) FROM blpu WHERE uprn NOT IN (SELECT uprn FROM address_document)"
    assert _documents(db_url, missing) == 0
    assert _documents(db_url, "SELECT COUNT(*) FROM address_document") > 0
    found = acceptance.cli_json("search", "12 high st newtown", "--limit", "3", database_url=db_url)
    assert found["results"][0]["uprn"] == 112
    human = acceptance.run_cli("search", "rose cottage", database_url=db_url)
    assert human.returncode == 0
    assert "ROSE COTTAGE, HIGH STREET, NEWTOWN" in human.stdout.splitlines()[0]
    listed = acceptance.cli_json(
        "lookup", "postcode", "nt11ab", "--classification", "RD06", database_url=db_url
    )
    assert [a["uprn"] for a in listed["addresses"]] == [131, 132]
    bad = acceptance.run_cli("lookup", "postcode", "nonsense", database_url=db_url)
    assert "invalid_postcode" in acceptance.assert_one_line_failure(bad, exit_code=2)


def test_match_csv_keeps_columns_and_adds_the_decision(db_url: str, tmp_path: Path) -> None:
    _seed(db_url)
    source = tmp_path / "in.csv"
    rows = [
        {"ref": "a", "address": "flat 2, 12 high st, newtown nt1 1ab"},
        {"ref": "b", "address": "10 High Street"},
        {"ref": "c", "address": "1 Nowhere Lane, Elsewhere ZZ9 9ZZ"},
    ]
    with source.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, ["ref", "address"])
        writer.writeheader()
        writer.writerows(rows)
    target = tmp_path / "out.csv"
    summary = acceptance.cli_json(
        "match", "--input", str(source), "--address-column", "address",
        "--output", str(target), database_url=db_url,
    )  # fmt: skip
    assert summary == {"rows": 3, "matched": 1, "review": 1, "unmatched": 1}
    with target.open(newline="") as handle:
        out = list(csv.DictReader(handle))
    assert [r["ref"] for r in out] == ["a", "b", "c"]
    assert (out[0]["uprn"], out[0]["status"]) == ("132", "matched")
    assert (out[1]["uprn"], out[1]["status"]) == ("", "review")
    assert json.loads(out[1]["candidates"])[0]["uprn"] in {110, 201}
    missing = acceptance.run_cli(
        "match", "--input", str(source), "--address-column", "nope",
        "--output", str(target), database_url=db_url,
    )  # fmt: skip
    assert "nope" in acceptance.assert_one_line_failure(missing, exit_code=2)
