"""Finding and matching through the HTTP API, on both engines."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import orm

from api import app as api_app
from api.keys import domain, service
from core import clock as clocks
from core.settings import Settings
from tests.integration import find_seed


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(database_url=db_url)


@pytest.fixture
def client(settings: Settings, session: orm.Session) -> Iterator[TestClient]:
    find_seed.seed(session)
    issued = service.create_key(
        session=session, settings=settings, clock=clocks.SystemClock(), role=domain.Role.AGENT
    )
    session.commit()
    app = api_app.create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        test_client.headers["Authorization"] = f"Bearer {issued.plaintext}"
        yield test_client


def test_postcode_list_in_natural_order_with_filters(client: TestClient) -> None:
    response = client.get("/v1/addresses", params={"postcode": "nt11ab", "classification": "RD06"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert [a["uprn"] for a in body["addresses"]] == [131, 132]
    assert body["addresses"][0]["label"] == "FLAT 1, 12 HIGH STREET, NEWTOWN, NT1 1AB"
    postal = client.get("/v1/addresses", params={"postcode": "NT1 1AB", "dataset": "dpa"}).json()
    assert [(a["uprn"], a["dataset"]) for a in postal["addresses"]] == [(131, "dpa")]


def test_bad_postcode_is_a_problem_with_its_code(client: TestClient) -> None:
    response = client.get("/v1/addresses", params={"postcode": "NOT A POSTCODE"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_postcode"


def test_a_filter_value_that_names_nothing_is_refused_not_an_empty_list(
    client: TestClient,
) -> None:
    at = {"postcode": "NT1 1AB"}
    for name, value in (("language", "english"), ("logical_status", "3")):
        refused = client.get("/v1/addresses", params=at | {name: value})
        assert refused.status_code == 422, (name, refused.text)
        assert [e["field"] for e in refused.json()["errors"]] == [name]
    lower, upper = (
        client.get("/v1/addresses", params=at | {"language": code}).json()["addresses"]
        for code in ("eng", "ENG")
    )
    assert lower and lower == upper  # any case
    approved = client.get("/v1/addresses", params=at | {"logical_status": "1"})
    assert approved.status_code == 200 and approved.json()["count"] >= 1


def test_search_is_not_read_as_a_uprn(client: TestClient) -> None:
    response = client.get("/v1/addresses/search", params={"q": "rose cottage newtown"})
    assert response.status_code == 200, response.text
    first = response.json()["results"][0]
    assert first["uprn"] == 141
    spans = {first["label"][s["start"] : s["end"]] for s in first["highlights"]}
    assert {"ROSE", "COTTAGE", "NEWTOWN"} <= spans


def test_match_returns_status_evidence_and_margin(client: TestClient) -> None:
    response = client.post("/v1/addresses/match", json={"text": "flat 2 12 high st nt1 1ab"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["uprn"]) == ("matched", 132)
    assert body["margin"] > 0
    evidence = {e["component"]: e["status"] for e in body["candidates"][0]["evidence"]}
    assert evidence["sao"] == "matched"
    assert body["parsed"]["sao"] == "2"


def test_match_from_lines_and_postcode_and_a_doubtful_one(client: TestClient) -> None:
    lines = {"lines": ["10 High St", "Oldtown"], "postcode": "OT1 1AA"}
    assert client.post("/v1/addresses/match", json=lines).json()["uprn"] == 201
    doubtful = client.post("/v1/addresses/match", json={"text": "10 High Street"}).json()
    assert (doubtful["status"], doubtful["uprn"]) == ("review", None)
    assert doubtful["blockers"]


def test_match_needs_some_address(client: TestClient) -> None:
    assert client.post("/v1/addresses/match", json={}).status_code == 422


def test_lookup_many_reports_missing(client: TestClient) -> None:
    response = client.post("/v1/addresses/lookup", json={"uprns": [110, 999999, 141]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert [a["uprn"] for a in body["addresses"]] == [110, 141]
    assert body["missing"] == [999999]


def test_single_uprn_route_still_works(client: TestClient) -> None:
    assert client.get("/v1/addresses/110").json()["uprn"] == 110


def test_nearest_by_grid_and_by_latitude_longitude(client: TestClient) -> None:
    grid = client.get("/v1/addresses/nearest", params={"x": 300052, "y": 100000, "n": 2})
    assert grid.status_code == 200, grid.text
    assert [a["address"]["uprn"] for a in grid.json()["addresses"]] == [105, 106]
    assert grid.json()["addresses"][0]["x"] == 300050
    lon, lat = -3.55, 50.75
    wgs = client.get(
        "/v1/addresses/nearest", params={"lat": lat, "lon": lon, "n": 1, "srs": 4326}
    ).json()
    point = wgs["addresses"][0]
    assert point["srs"] == 4326
    assert -180 <= point["x"] <= 180 and -90 <= point["y"] <= 90
    missing = client.get("/v1/addresses/nearest", params={"n": 1})
    assert missing.status_code == 422


def test_within_bbox_and_polygon(client: TestClient) -> None:
    boxed = client.get("/v1/addresses/within", params={"bbox": "300005,99990,300035,100010"})
    assert sorted(a["address"]["uprn"] for a in boxed.json()["addresses"]) == [101, 102, 103]
    ring = [
        [299990, 100999],
        [300010, 100999],
        [300010, 101002],
        [299990, 101002],
        [299990, 100999],
    ]
    polygon = {"geometry": {"type": "Polygon", "coordinates": [ring]}}
    inside = client.post("/v1/addresses/within", json=polygon)
    assert sorted(a["address"]["uprn"] for a in inside.json()["addresses"]) == [301, 302]
    bad = client.get("/v1/addresses/within", params={"bbox": "1,2,x,4"})
    assert bad.status_code == 422


def test_areas_of_an_address_and_of_a_missing_one(client: TestClient) -> None:
    response = client.get("/v1/addresses/101/areas")
    assert response.status_code == 200, response.text
    assert response.json() == {"uprn": 101, "areas": []}
    assert client.get("/v1/addresses/999999/areas").status_code == 404
    unknown = client.get("/v1/areas/ward/E05999999/addresses")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")


def test_street_with_its_addresses(client: TestClient) -> None:
    body = client.get("/v1/streets/1003").json()
    assert body["names"][0]["description"] == "PARK ROAD"
    assert [a["uprn"] for a in body["addresses"]] == [301, 302]
    assert client.get("/v1/streets/99999").status_code == 404
