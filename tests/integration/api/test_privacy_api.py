"""The data-protection API on both engines: disclosures (JSON and CSV), recipients, the record
of processing, erasure (DPO only) and retention (admin only)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import orm

from api import app as api_app
from api.keys import domain as key_domain
from core.settings import Settings
from notify.tables import moves as m
from tests.integration.api import http_world
from tests.strategies import Canary
from tests.support import privacy_world as pw

Role = key_domain.Role
MOVER = Canary.of("apimover", dt.date(1950, 6, 7), 515151)
MEMBER = Canary.of("apimembr", dt.date(1952, 8, 9), 525252)


@pytest.fixture
def moved(db_url: str, session: orm.Session) -> Iterator[tuple[TestClient, str, str]]:
    pw.seed(session)
    submitted = pw.submit(session, MOVER, MEMBER)
    pw.dispatch(session)
    subject_id = session.get_one(m.ChangeSubmission, submitted.submission_id).subject_id
    app = api_app.create_app(Settings(database_url=db_url))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, submitted.reference, subject_id


_key = http_world.auth


def test_the_dpo_reads_the_ledger(moved: tuple[TestClient, str, str], session: orm.Session) -> None:
    client, reference, subject_id = moved
    dpo = _key(session, Role.DPO)

    found = client.get(f"/v1/people/{subject_id}/disclosures", headers=dpo)
    assert found.status_code == 200, found.text
    lines = found.json()["disclosures"]
    assert {x["partner_service_id"]: x["outcome"] for x in lines} == {
        "NEWTOWN-DC/COUNCIL_TAX": "disclosed",
        "NEWTOWN-DC/ELECTORAL_REG": "possibly_disclosed",
        "NEWTOWN-DC/LIBRARIES": "planned",
    }
    assert MOVER.given_name not in found.text  # codes, never values

    as_csv = client.get(f"/v1/people/{subject_id}/disclosures?format=csv", headers=dpo)
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [r["disclosure_id"] for r in rows] == [x["disclosure_id"] for x in lines]

    recipients = client.get(f"/v1/moves/{reference}/recipients", headers=dpo).json()
    assert sorted(r["partner_service_id"] for r in recipients["recipients"]) == [
        "NEWTOWN-DC/COUNCIL_TAX",
        "NEWTOWN-DC/ELECTORAL_REG",
    ]
    assert {s["role"] for s in recipients["subjects"]} == {"primary", "household"}

    record = client.get("/v1/agreements/DSA-2024-011/processing-record", headers=dpo).json()
    rules = {r["rule"]: r for v in record["versions"] for r in v["processing"]}
    assert rules["ct-newtown-joining@1"]["disclosures"]["disclosed"] == 1
    assert client.get("/v1/agreements/NOPE/processing-record", headers=dpo).json()["code"] == (
        "agreement_not_found"
    )
    assert client.get("/v1/people/nobody/disclosures", headers=dpo).status_code == 404


def test_only_a_dpo_erases_and_only_an_admin_runs_retention(
    moved: tuple[TestClient, str, str], session: orm.Session
) -> None:
    client, reference, subject_id = moved
    dpo, admin, agent = (_key(session, role) for role in (Role.DPO, Role.ADMIN, Role.AGENT))
    url = f"/v1/people/{subject_id}/erasure"

    assert client.post(url, headers=admin).status_code == 403
    assert client.get(f"/v1/moves/{reference}/recipients", headers=agent).status_code == 403
    refused = client.post(url, headers=dpo, json={"case_ref": "not a code!"})
    assert refused.status_code == 422
    erased = client.post(url, headers=dpo, json={"case_ref": "DSAR-7"})
    assert erased.status_code == 200, erased.text
    body = erased.json()
    assert body["erasure_ref"] and len(body["notices"]) == 2 and not body["already_erased"]
    assert client.post(url, headers=dpo).json()["already_erased"] is True
    after = client.get(f"/v1/people/{subject_id}/disclosures", headers=dpo).json()
    assert after["disclosures"] == [] and after["erased_at"]

    assert client.post("/v1/retention/run", headers=dpo).status_code == 403
    run = client.post("/v1/retention/run", headers=admin)
    assert run.status_code == 200 and set(run.json()["counts"]) >= {"bodies_purged"}
