"""Move blocks and moves held for review through the CLI and a real server, on both engines.

A custodian blocks a UPRN on the command line; a move to it is accepted over HTTP with every
service it would tell held; the citizen sees it waiting in plain words; the review queue
shows it (HTTP and CLI); the custodian releases it over HTTP. A second report of another move
for the same person is held as conflicting and refused on the command line: the citizen sees
it refused. Errors are problem+json or one line on stderr.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from core import db
from tests.acceptance.conftest import StartServer
from tests.integration import sharing_world as w
from tests.support import acceptance

PROBLEM_JSON = "application/problem+json"


def _seed(db_url: str) -> None:
    engine = db.create_engine(db_url)
    try:
        with db.session_factory(engine)() as session:
            w.seed(session)
    finally:
        engine.dispose()


def _move(new_uprn: int) -> dict[str, Any]:
    return {
        "person": {"given_name": "Ada", "family_name": "Lovelace"},
        "old_uprn": w.OLD_UPRN,
        "new_uprn": new_uprn,
        "move_date": dt.date.today().isoformat(),
        "recipients": [
            {"service": "NEWTOWN-DC/LIBRARIES", "selected": True, "consent": True},
            {"service": "NEWTOWN-DC/COUNCIL_TAX", "answers": {"adults": 1}},
        ],
    }


def _statuses(server: acceptance.Server, accepted: dict[str, Any]) -> set[tuple[str, str]]:
    with server.client(accepted["receipt_token"]) as citizen:
        status = citizen.get(f"/v1/moves/{accepted['reference']}").json()
    return {
        (r["status"], r["status_text"]) for r in status["recipients"] if r["decision"] == "hold"
    }


def test_blocks_and_the_review_queue(
    db_url: str, start_server: StartServer, tmp_path: Path
) -> None:
    _seed(db_url)
    admin = acceptance.cli_json("apikey", "create", "--role", "admin", database_url=db_url)
    custodian = acceptance.cli_json("apikey", "create", "--role", "custodian", database_url=db_url)
    block = acceptance.cli_json(
        "moves", "block", str(w.NEW_UPRN), "--reason", "fraud report", "--actor", "clerk-1",
        database_url=db_url,
    )  # fmt: skip
    assert block["active"] and block["created_by"] == "clerk-1"
    listed = acceptance.cli_json("moves", "blocks", database_url=db_url)
    assert [b["uprn"] for b in listed["blocks"]] == [w.NEW_UPRN]
    questions = tmp_path / "questions.json"
    questions.write_text(json.dumps([{"id": "x", "type": "colour", "label_en": "X"}]))
    bad = acceptance.run_cli(
        "moves", "questions", "NEWTOWN-DC/LIBRARIES", "--set", str(questions), database_url=db_url
    )
    assert "questions[0].type" in acceptance.assert_one_line_failure(bad, exit_code=2)
    server = start_server(db_url)

    with server.client(admin["key"]) as journey:
        held = journey.post("/v1/moves", json=_move(w.NEW_UPRN)).json()
        assert {c["decision"] for c in held["plan"]["candidates"]} == {"hold", "refuse"}
        bad_answer = _move(w.NEW_UPRN)
        bad_answer["recipients"][1]["answers"] = {"adults": "two"}
        refused = journey.post("/v1/moves", json=bad_answer)
        assert refused.status_code == 422 and refused.headers["content-type"] == PROBLEM_JSON
        assert refused.json()["detail"].startswith("recipients[1].answers.adults:")
    assert _statuses(server, held) == {
        ("delayed", "We need to check this change before anyone is told.")
    }
    unblocked = acceptance.cli_json("moves", "unblock", block["id"], database_url=db_url)
    assert not unblocked["active"]

    with server.client(custodian["key"]) as clerk:
        queue = clerk.get("/v1/move-reviews").json()
        assert [r["reference"] for r in queue["reviews"]] == [held["reference"]]
        released = clerk.post(f"/v1/move-reviews/{queue['reviews'][0]['id']}/release")
        assert released.status_code == 200 and released.json()["status"] == "released"
    assert "delayed" not in {s for s, _ in _statuses(server, held)}

    with server.client(admin["key"]) as journey:
        other = journey.post("/v1/moves", json=_move(w.ELSEWHERE_UPRN)).json()
    reasons = {r["code"] for c in other["plan"]["candidates"] for r in c["reasons"]}
    assert "CONFLICTING_MOVE" in reasons
    pending = acceptance.cli_json("moves", "reviews", "list", database_url=db_url)
    assert [r["reference"] for r in pending["reviews"]] == [other["reference"]]
    done = acceptance.cli_json(
        "moves", "reviews", "reject", pending["reviews"][0]["id"], "--note", "not them",
        database_url=db_url,
    )  # fmt: skip
    assert done["status"] == "refused" and done["note"] == "not them"
    again = acceptance.run_cli(
        "moves", "reviews", "reject", pending["reviews"][0]["id"], database_url=db_url
    )
    assert "[move_review_decided]" in acceptance.assert_one_line_failure(again, exit_code=4)
    late = acceptance.run_cli(
        "moves", "reviews", "release", pending["reviews"][0]["id"], database_url=db_url
    )
    assert "[move_review_decided]" in acceptance.assert_one_line_failure(late, exit_code=4)
    assert _statuses(server, other) == {
        ("refused", "We checked this change and did not pass it on.")
    }
