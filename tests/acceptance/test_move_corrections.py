"""Correcting a move through a real server and the CLI, on both engines (§3.8).

A move is reported over HTTP and one service is sent it. The citizen corrects the move date
with the receipt token: version 2, the queued deliveries are replaced, the service that had the
move gets a ``corrected`` event naming the event it corrects. The CLI then corrects it again
(``addresshub moves correct``): version 3 replaces version 2's queued correction, and a retry
with the same key changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa

from core import db
from notify import codes, projection
from notify.tables import outbox as o
from tests.acceptance.conftest import StartServer
from tests.integration import sharing_world as w
from tests.support import acceptance

PROBLEM_JSON = "application/problem+json"
SERVICE = "NEWTOWN-DC/COUNCIL_TAX"


def _seed(db_url: str) -> None:
    engine = db.create_engine(db_url)
    try:
        with db.session_factory(engine)() as session:
            w.seed(session)
            session.commit()
    finally:
        engine.dispose()


def _deliver(db_url: str, service: str) -> str:
    """What a worker records on a 2xx: delivered, and the ledger line disclosed."""
    engine = db.create_engine(db_url)
    try:
        with db.session_factory(engine)() as session:
            delivery = session.scalars(
                sa.select(o.Delivery).where(o.Delivery.partner_service_id == service)
            ).one()
            delivery.state = "delivered"
            line = session.scalars(
                sa.select(o.Disclosure).where(o.Disclosure.delivery_id == delivery.id)
            ).one()
            line.outcome, line.disclosed_at = "disclosed", delivery.created_at
            session.commit()
            return delivery.id
    finally:
        engine.dispose()


def _corrected(db_url: str) -> list[dict[str, Any]]:
    engine = db.create_engine(db_url)
    try:
        with db.session_factory(engine)() as session:
            rows = session.scalars(
                sa.select(o.Delivery)
                .where(o.Delivery.event_type == codes.CORRECTED)
                .order_by(o.Delivery.seq)
            )
            return [json.loads(r.body) | {"_fields": r.fields_planned} for r in rows if r.body]
    finally:
        engine.dispose()


def _move() -> dict[str, Any]:
    return {
        "person": {"given_name": "Ada", "family_name": "Lovelace"},
        "old_uprn": w.OLD_UPRN,
        "new_uprn": w.NEW_UPRN,
        "move_date": dt.date.today().isoformat(),
        "recipients": [{"service": "NEWTOWN-DC/LIBRARIES", "selected": True, "consent": True}],
    }


def test_correcting_a_move_over_http_and_on_the_command_line(
    db_url: str, start_server: StartServer
) -> None:
    _seed(db_url)
    admin = acceptance.cli_json("apikey", "create", "--role", "admin", database_url=db_url)
    server = start_server(db_url)
    with server.client(admin["key"]) as journey:
        accepted = journey.post("/v1/moves", json=_move())
        assert accepted.status_code == 202, accepted.text
    reference, token = accepted.json()["reference"], accepted.json()["receipt_token"]
    sent_id = _deliver(db_url, SERVICE)
    later = (dt.date.today() + dt.timedelta(days=7)).isoformat()

    with server.client(token) as citizen:
        answer = citizen.post(f"/v1/moves/{reference}/corrections", json={"move_date": later})
        assert answer.status_code == 202, answer.text
        result = answer.json()
        assert (result["version"], result["corrected"], result["notices"]) == (2, 1, 0)
        assert result["cancelled"] == result["submitted"] + result["corrected"] - 1
        status = citizen.get(f"/v1/moves/{reference}").json()
        assert (status["version"], status["move_date"]) == (2, later)
        bad = citizen.post(f"/v1/moves/{reference}/corrections", json={"new_uprn": w.OLD_UPRN})
        assert bad.status_code == 422 and bad.headers["content-type"] == PROBLEM_JSON
    (event,) = _corrected(db_url)
    assert event["causationid"] == sent_id and event["data"]["corrects"] == sent_id
    assert event["data"]["changed_fields"] == ["MOVE_DATE"]
    assert projection.stray_paths(event["data"], event["_fields"]) == frozenset()

    args = ("moves", "correct", reference, "--move-date", dt.date.today().isoformat())
    keyed = (*args, "--idempotency-key", "cli-1")
    third = acceptance.cli_json(*keyed, database_url=db_url)
    assert (third["version"], third["corrected"], third["replayed"]) == (3, 1, False)
    assert acceptance.cli_json(*keyed, database_url=db_url)["replayed"] is True
    (live,) = _corrected(db_url)  # version 2's is cancelled, its body purged
    assert live["data"]["corrects"] == sent_id
    assert live["data"]["move_date"] == dt.date.today().isoformat()
    missing = acceptance.run_cli(
        "moves", "correct", "COA-0000-0000", "--move-date", later, database_url=db_url
    )
    assert "[move_not_found]" in acceptance.assert_one_line_failure(missing, exit_code=3)
