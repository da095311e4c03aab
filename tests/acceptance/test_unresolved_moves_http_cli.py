"""Typed addresses and the custodian's queue through a real server and the CLI, on both engines.

A move typed with a matching address is planned at once. One whose new address matches
nothing with confidence is accepted (202) with every service waiting, and the citizen sees it
waiting. The custodian finds it in the queue (HTTP and ``addresshub moves unresolved``),
resolves one move over HTTP and another with ``addresshub moves resolve``; the services are
then planned with only their permitted fields. Errors are problem+json or one line on stderr.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa

from api.keys import service as keys
from api.keys.domain import Role
from core import clock, db
from core.settings import Settings
from gazetteer import search_index
from notify import projection
from notify.tables import outbox as o
from tests.acceptance.conftest import StartServer
from tests.integration import sharing_world as w
from tests.support import acceptance

PROBLEM_JSON = "application/problem+json"
MATCHING = {"text": "2 Mill Lane, Newtown, NT1 1AA"}
UNKNOWN = {"text": "7 Mill Lane, Newtown", "postcode": "NT1 1AA"}
TOLD = {"NEWTOWN-DC/COUNCIL_TAX", "NEWTOWN-DC/ELECTORAL_REG", "NEWTOWN-DC/LIBRARIES",
        "OLDTOWN-BC/COUNCIL_TAX"}  # fmt: skip


def _seed(db_url: str) -> tuple[str, str]:
    """The gazetteer, its search index and the registry; an admin and a custodian key."""
    engine = db.create_engine(db_url)
    try:
        with db.session_factory(engine)() as session:
            w.seed(session)
            search_index.rebuild(session)
            issued = [
                keys.create_key(
                    session=session, settings=Settings(), clock=clock.SystemClock(), role=role
                ).plaintext
                for role in (Role.ADMIN, Role.CUSTODIAN)
            ]
            session.commit()
    finally:
        engine.dispose()
    return issued[0], issued[1]


def _deliveries(db_url: str) -> list[o.Delivery]:
    engine = db.create_engine(db_url)
    try:
        with db.session_factory(engine)() as session:
            return list(session.scalars(sa.select(o.Delivery)))
    finally:
        engine.dispose()


def _move(new_address: dict[str, Any]) -> dict[str, Any]:
    return {
        "person": {"given_name": "Ada", "family_name": "Lovelace"},
        "old_address": {"text": "1 Mill Lane, Newtown"},
        "new_address": new_address,
        "move_date": dt.date.today().isoformat(),
        "recipients": [
            {"service": "NEWTOWN-DC/LIBRARIES", "selected": True, "consent": True},
            {"service": "NEWTOWN-DC/COUNCIL_TAX", "answers": {"adults": 1}},
        ],
    }


def _decisions(accepted: dict[str, Any]) -> dict[str, str]:
    return {c["partner_service_id"]: c["decision"] for c in accepted["plan"]["candidates"]}


def test_typed_addresses_and_the_custodian_queue(db_url: str, start_server: StartServer) -> None:
    admin, custodian = _seed(db_url)
    server = start_server(db_url)

    with server.client(admin) as journey:
        matched = journey.post("/v1/moves", json=_move(MATCHING))
        assert matched.status_code == 202, matched.text
        assert _decisions(matched.json())["NEWTOWN-DC/COUNCIL_TAX"] == "send"
        both = journey.post("/v1/moves", json=_move(MATCHING) | {"new_uprn": w.NEW_UPRN})
        assert both.status_code == 422 and both.headers["content-type"] == PROBLEM_JSON
        waiting = [journey.post("/v1/moves", json=_move(UNKNOWN)).json() for _ in range(2)]
    assert all(set(_decisions(a).values()) == {"hold"} for a in waiting)
    first, second = (a["reference"] for a in waiting)
    assert len(_deliveries(db_url)) == len(TOLD)  # the matched move's only

    with server.client(waiting[0]["receipt_token"]) as citizen:
        status = citizen.get(f"/v1/moves/{first}").json()
        assert status["new_address"] == "pending"
        assert {r["status"] for r in status["recipients"]} == {"waiting"}
        refused = citizen.get("/v1/unresolved-moves")
        assert refused.status_code == 403 and refused.headers["content-type"] == PROBLEM_JSON

    with server.client(custodian) as clerk:
        queue = clerk.get("/v1/unresolved-moves", params={"limit": 1}).json()
        assert queue["total"] == 2 and [i["reference"] for i in queue["items"]] == [first]
        assert queue["items"][0]["candidates"][0]["uprn"] == w.NEW_UPRN
        unknown = clerk.post(f"/v1/unresolved-moves/{first}/resolve", json={"uprn": 999999999})
        assert unknown.status_code == 422 and unknown.json()["code"] == "uprn_not_in_gazetteer"
        resolved = clerk.post(f"/v1/unresolved-moves/{first}/resolve", json={"uprn": w.NEW_UPRN})
        assert resolved.status_code == 200, resolved.text
        assert resolved.json()["deliveries"] == len(TOLD)
        again = clerk.post(f"/v1/unresolved-moves/{first}/resolve", json={"uprn": w.NEW_UPRN})
        assert again.status_code == 409 and again.headers["content-type"] == PROBLEM_JSON
        assert again.json()["code"] == "interim_closed"

    listed = acceptance.cli_json("moves", "unresolved", database_url=db_url)
    assert [i["reference"] for i in listed["items"]] == [second]
    bad = acceptance.run_cli("moves", "resolve", second, "--uprn", "999999999", database_url=db_url)
    assert "[uprn_not_in_gazetteer]" in acceptance.assert_one_line_failure(bad, exit_code=2)
    done = acceptance.cli_json(
        "moves", "resolve", second, "--uprn", str(w.NEW_UPRN), database_url=db_url
    )
    assert done["deliveries"] == len(TOLD) and done["move"]["status"] == "resolved"
    assert acceptance.cli_json("moves", "unresolved", database_url=db_url)["total"] == 0

    with server.client(waiting[1]["receipt_token"]) as citizen:
        status = citizen.get(f"/v1/moves/{second}").json()
        assert status["new_address"] == "known"
        assert "waiting" not in {r["status"] for r in status["recipients"]}

    rows = _deliveries(db_url)
    assert len(rows) == 3 * len(TOLD)
    for row in rows:
        data = json.loads(row.body or b"")["data"]
        assert projection.stray_paths(data, row.fields_planned) == frozenset()
        assert data["new_address"]["uprn"] == str(w.NEW_UPRN)
