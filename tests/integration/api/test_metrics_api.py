"""``GET /metrics`` through the real app, on both engines: what the database holds, in the
Prometheus text format as Prometheus's own parser reads it, to the metrics token or an admin."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import orm

from api import app as api_app
from api.keys import domain as key_domain
from core import ids
from core.settings import Settings
from gazetteer import tables as gaz
from notify.tables import outbox as o
from notify.tables import registry as reg
from tests.integration.api import http_world
from tests.support import outbox_world, pki

NOW = dt.datetime.now(dt.UTC)
TOKEN = "metrics-token-0123456789"
world = outbox_world.two_partners_fixture(NOW - dt.timedelta(minutes=5))
CLIENT = pki.authority().client()


@pytest.fixture
def client(db_url: str, world: outbox_world.World) -> Iterator[TestClient]:
    settings = Settings(database_url=db_url, metrics_token=TOKEN)
    with TestClient(api_app.create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample by name and labels, as Prometheus's parser reads the exposition."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def _seed(session: orm.Session, world: outbox_world.World) -> dt.datetime:
    """Three deliveries due for five minutes (one of them dead), P1's endpoint paused and
    presenting a client certificate, one gazetteer change not yet published, one applied load
    run."""
    due = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)  # not NOW: collected long before
    made = [world.enqueue(session, partner="P0", subject_id=ids.new_id(), now=due) for _ in "abc"]
    made[0].state = "dead"
    paused = session.get_one(reg.Endpoint, world.endpoints["P1"])
    paused.status, paused.mtls_certificate = "paused", CLIENT.certificate
    paused.mtls_private_key = CLIENT.private_key
    session.add(gaz.GazetteerChange(uprn=7, kind="created", new_label="7 A ST", occurred_at=NOW))
    session.add(gaz.LoadRun(id="01J9LOADRUN", format="abp", status="applied", started_at=due,
                            finished_at=due + dt.timedelta(seconds=30)))  # fmt: skip
    session.commit()
    return due


def test_the_metrics_say_what_the_database_holds(
    client: TestClient, session: orm.Session, world: outbox_world.World
) -> None:
    due = _seed(session, world)
    answer = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    since_due = (dt.datetime.now(dt.UTC) - due).total_seconds()
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain; version=")
    found = _samples(answer.text)
    assert found[("addresshub_deliveries", (("state", "pending"),))] == 2
    assert found[("addresshub_deliveries", (("state", "dead"),))] == 1
    assert found[("addresshub_deliveries", (("state", "delivered"),))] == 0
    assert found[("addresshub_endpoints", (("state", "active"),))] == 1
    assert found[("addresshub_endpoints", (("state", "paused"),))] == 1
    assert found[("addresshub_gazetteer_changes_unpublished", ())] == 1
    assert found[("addresshub_load_runs", (("state", "applied"),))] == 1
    finished = (due + dt.timedelta(seconds=30)).timestamp()
    assert found[("addresshub_last_load_applied_timestamp_seconds", ())] == pytest.approx(finished)
    lanes = session.scalars(sa.select(o.DeliveryLane.state)).all()
    assert found[("addresshub_delivery_lanes", (("state", "ready"),))] == lanes.count("ready") > 0
    waited = found[("addresshub_delivery_oldest_due_seconds", ())]
    assert 5 * 60 - 1 <= waited <= since_due + 1  # due five minutes before the scrape
    assert ("addresshub_build_info", (("version", client.app.version),)) in found  # type: ignore[attr-defined]
    assert "subject" not in answer.text and "P0" not in answer.text
    expiry = ("addresshub_endpoint_client_certificate_expiry_timestamp_seconds",
              (("endpoint", world.endpoints["P1"]),))  # fmt: skip
    assert found[expiry] == CLIENT.cert.not_valid_after_utc.timestamp()
    assert sum(name == expiry[0] for name, _ in found) == 1  # P0 presents none


def test_only_the_metrics_token_or_an_admin_key_reads_them(
    client: TestClient, session: orm.Session
) -> None:
    admin = http_world.auth(session, key_domain.Role.ADMIN)
    partner = http_world.auth(session, key_domain.Role.PARTNER, partner_id="P0")
    assert client.get("/metrics", headers=admin).status_code == 200
    assert client.get("/metrics").status_code == 401
    refused = client.get("/metrics", headers=partner)
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    wrong = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}x"})
    assert wrong.status_code == 401
    other = client.get(
        "/v1/ops-notices", headers={"Authorization": f"Bearer {TOKEN}"}
    )  # the token opens nothing else
    assert other.status_code == 401


def test_openmetrics_when_the_scraper_asks_for_it(client: TestClient) -> None:
    accept = "application/openmetrics-text; version=1.0.0"
    answer = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}", "Accept": accept})
    assert answer.headers["content-type"].startswith("application/openmetrics-text")
    assert answer.text.rstrip().endswith("# EOF")
