"""``addresshub erase``, ``ledger`` and ``retention run`` in subprocesses, on both engines.

A move is reported and carried through delivery in process; the commands then read the
ledger, erase the mover (and find their values nowhere), and run the retention job.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from core import db
from notify.tables import moves as m
from tests.strategies import Canary
from tests.support import acceptance
from tests.support import privacy_world as pw

MOVER = Canary.of("climover", dt.date(1948, 2, 3), 616161)
MEMBER = Canary.of("climembr", dt.date(1949, 4, 5), 626262)


def _moved(db_url: str) -> str:
    """The mover's subject id, once their move has been carried through delivery."""
    engine = db.create_engine(db_url)
    try:
        with db.session_factory(engine)() as session:
            pw.seed(session)
            submitted = pw.submit(session, MOVER, MEMBER)
            pw.dispatch(session)
            return session.get_one(m.ChangeSubmission, submitted.submission_id).subject_id
    finally:
        engine.dispose()


def _values_left(db_url: str) -> set[tuple[str, str, str]]:
    engine = db.create_engine(db_url)
    try:
        with db.session_factory(engine)() as session:
            return pw.find_values(session, MOVER.values())
    finally:
        engine.dispose()


def test_ledger_erase_and_retention_from_the_command_line(db_url: str, tmp_path: Path) -> None:
    subject_id = _moved(db_url)
    csv_path = tmp_path / "disclosures.csv"

    found = acceptance.cli_json(
        "ledger", "person", subject_id, "--csv", str(csv_path), database_url=db_url
    )
    assert len(found["disclosures"]) == 3
    with csv_path.open(newline="", encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == 3
    assert _values_left(db_url)

    erased = acceptance.cli_json(
        "erase", "--person", subject_id, "--case-ref", "DSAR-1", database_url=db_url
    )
    assert erased["erasure_ref"] and erased["counts"]["notices_enqueued"] == 2
    assert erased["counts"]["deliveries_cancelled"] == 2  # the dead one and the queued one
    assert _values_left(db_url) == set()
    human = acceptance.run_cli("erase", "--person", subject_id, database_url=db_url)
    assert human.returncode == 0 and "already erased" in human.stdout

    ran = acceptance.cli_json("retention", "run", database_url=db_url)
    assert ran["run_id"] and ran["counts"]["ledger_lines_deleted"] == 0  # kept for 72 months

    missing = acceptance.run_cli("erase", "--person", "nobody", database_url=db_url)
    assert "person_not_found" in acceptance.assert_one_line_failure(missing, exit_code=3)
