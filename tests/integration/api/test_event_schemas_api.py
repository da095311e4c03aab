"""Event schemas and the event-type catalog through the API, on both engines.

A move is reported, sent, its consent withdrawn, corrected, withdrawn and its person erased
through the API; every event body the hub wrote fits the model of its type, and the
``dataschema`` each one names resolves, with no API key, to that type's JSON Schema. An
unknown type or version is a 404 problem; the catalog needs a key and lists every type.
"""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import urlsplit

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy import orm

from notify import codes, event_catalog, ops_event_schemas
from notify.tables import moves as m
from notify.tables import outbox as o
from tests.integration.api.test_moves_api import Role, _body, _key, client
from tests.support import event_contract

__all__ = ["client"]
NS = event_contract.NAMESPACE


def _deliver_all(session: orm.Session, seen: dict[str, bytes]) -> None:
    """What the worker does on a 2xx, for every delivery waiting; their bodies kept."""
    session.rollback()  # a fresh snapshot: the API committed in its own session
    waiting = o.Delivery.state.in_(("pending", "scheduled"))
    for delivery in session.scalars(sa.select(o.Delivery).where(waiting)):
        assert delivery.body is not None
        seen[delivery.id] = delivery.body
        delivery.state = "delivered"
        for line in session.scalars(
            sa.select(o.Disclosure).where(o.Disclosure.delivery_id == delivery.id)
        ):
            line.outcome, line.disclosed_at = "disclosed", delivery.created_at
    session.commit()


def _move_through_its_life(client: TestClient, session: orm.Session) -> dict[str, bytes]:
    accepted = client.post("/v1/moves", json=_body(), headers=_key(session, Role.ADMIN)).json()
    reference = accepted["reference"]
    citizen = {"Authorization": f"Bearer {accepted['receipt_token']}"}
    seen: dict[str, bytes] = {}
    _deliver_all(session, seen)
    status = client.get(f"/v1/moves/{reference}", headers=citizen).json()
    library = {r["partner_service_id"]: r for r in status["recipients"]}["NEWTOWN-DC/LIBRARIES"]
    consent = f"/v1/moves/{reference}/consents/{library['consent_id']}/withdraw"
    assert client.post(consent, headers=citizen).status_code == 200
    _deliver_all(session, seen)
    new_date = (dt.date.today() + dt.timedelta(days=7)).isoformat()
    corrected = client.post(
        f"/v1/moves/{reference}/corrections", json={"move_date": new_date}, headers=citizen
    )
    assert corrected.status_code == 202, corrected.text
    _deliver_all(session, seen)
    assert client.post(f"/v1/moves/{reference}/withdraw", headers=citizen).status_code == 200
    _deliver_all(session, seen)
    subject = session.scalars(
        sa.select(m.ChangeSubmission.subject_id).where(m.ChangeSubmission.reference == reference)
    ).first()
    erased = client.post(f"/v1/people/{subject}/erasure", headers=_key(session, Role.DPO),
                         json={"case_ref": "DSAR-7"})  # fmt: skip
    assert erased.status_code == 200, erased.text
    _deliver_all(session, seen)
    return seen


def test_every_event_of_a_move_fits_the_schema_its_dataschema_names(
    client: TestClient, session: orm.Session
) -> None:
    bodies = _move_through_its_life(client, session)
    kinds = set()
    for raw in bodies.values():
        event = json.loads(raw)
        kind = event_contract.kind_of(event)
        event_contract.check(event)
        url = event["dataschema"]
        served = client.get(urlsplit(url).path)  # no API key
        assert served.status_code == 200, (url, served.text)
        assert served.headers["content-type"] == "application/schema+json"
        assert "max-age" in served.headers["cache-control"]
        assert served.json() == json.loads(json.dumps(event_catalog.schema_document(
            namespace=NS, hub_host="localhost", kind=kind)))  # fmt: skip
        assert served.json()["$id"] == url
        again = client.get(urlsplit(url).path, headers={"If-None-Match": served.headers["etag"]})
        assert again.status_code == 304
        kinds.add(kind)
    assert kinds == {codes.SUBMITTED, codes.CORRECTED, codes.WITHDRAWN, codes.CONSENT_WITHDRAWN,
                     codes.ERASED}  # fmt: skip


def test_an_unknown_type_or_version_is_a_404_problem(client: TestClient) -> None:
    for path in (
        f"/schemas/{NS}.change_of_address.moved/1.json",
        f"/schemas/{NS}.{codes.SUBMITTED}/2.json",
        f"/schemas/other.namespace.{codes.SUBMITTED}/1.json",
    ):
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["code"] == "event_schema_not_found"


def test_the_catalog_lists_every_type_for_any_key(client: TestClient, session: orm.Session) -> None:
    assert client.get("/v1/event-types").status_code == 401
    partner = _key(session, Role.PARTNER, partner_id="NEWTOWN-DC")
    answer = client.get("/v1/event-types", headers=partner)
    assert answer.status_code == 200, answer.text
    catalog = answer.json()
    assert catalog["namespace"] == NS and catalog["specversion"] == "1.0"
    items = {i["kind"]: i for i in catalog["items"]}
    assert set(items) == set(codes.EVENT_KINDS) | set(ops_event_schemas.OPS_KINDS)
    for kind, item in items.items():
        assert item["type"] == f"{NS}.{kind}" and item["description"]
        assert client.get(urlsplit(item["dataschema"]).path).status_code == 200
    assert items[codes.SUBMITTED]["personal_data"] is True
    assert items[codes.SUBMITTED]["lane"] == "person_partner"
    assert items[codes.GAZ_CREATED]["data_categories"] == ["non-sensitive"]
    assert items[codes.GAZ_CREATED]["personal_data"] is False
    assert items[codes.ENDPOINT_TEST]["lane"] == "none"
