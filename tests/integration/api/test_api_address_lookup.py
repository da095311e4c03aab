"""``GET /v1/addresses/{uprn}`` on both engines: the body is the Address model's, byte for byte."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import orm

from api import app as api_app
from api.keys import domain, service
from api.schemas import addresses as schemas
from core import clock as clocks
from core.settings import Settings
from gazetteer import repository
from gazetteer import service as gazetteer
from tests.integration import test_address_lookup as seed

UPRNS = [seed.PARENT, seed.FLAT, seed.OLD_FLAT, seed.OFFICE]


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(database_url=db_url)


@pytest.fixture
def seeded(session: orm.Session) -> orm.Session:
    records = [*seed.DTF_RECORDS, *seed.FLAT_RECORDS, *seed.PARENT_RECORDS, *seed.STREET]
    repository.save_records(session, records)
    session.commit()
    return session


@pytest.fixture
def client(settings: Settings, seeded: orm.Session) -> Iterator[TestClient]:
    issued = service.create_key(
        session=seeded, settings=settings, clock=clocks.SystemClock(), role=domain.Role.CITIZEN,
        submission_ref="MOVE-1",
    )  # fmt: skip
    seeded.commit()
    with TestClient(api_app.create_app(settings), raise_server_exceptions=False) as test_client:
        test_client.headers["X-API-Key"] = issued.plaintext
        yield test_client


@pytest.mark.parametrize("language", ["ENG", "CYM"])
def test_the_body_is_the_response_models_json(
    client: TestClient, seeded: orm.Session, settings: Settings, language: str
) -> None:
    for uprn in UPRNS:
        response = client.get(f"/v1/addresses/{uprn}", params={"language": language})
        document = gazetteer.get_address(
            session=seeded, uprn=uprn, settings=settings, language=language
        )
        expected = schemas.Address.from_document(document).model_dump_json().encode()
        assert (response.status_code, response.headers["content-type"]) == (
            200,
            "application/json",
        )
        assert response.content == expected


def test_the_welsh_label_and_the_coordinates_as_floats(client: TestClient) -> None:
    response = client.get(f"/v1/addresses/{seed.FLAT}", params={"language": "CYM"})
    body = response.json()
    assert (
        body["labels"]["single_line"] == "10 RIVER LOFTS, 12-16 HEOL Y FELIN, Y DREFNEWYDD, NT1 1AA"
    )
    assert b'"x":292000.0,"y":92500.0' in response.content


def test_unknown_and_invalid_uprns_are_problems(client: TestClient) -> None:
    unknown = client.get("/v1/addresses/999999999999")
    invalid = client.get("/v1/addresses/0")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "address_not_found")
    assert unknown.headers["content-type"] == "application/problem+json"
    assert (invalid.status_code, invalid.json()["code"]) == (422, "invalid_uprn")


def test_a_key_is_still_required(client: TestClient) -> None:
    response = client.get(f"/v1/addresses/{seed.FLAT}", headers={"X-API-Key": ""})
    assert (response.status_code, response.json()["code"]) == (401, "unauthenticated")


def test_a_gaelic_label_where_the_gazetteer_has_one_in_any_case(
    client: TestClient, seeded: orm.Session
) -> None:
    gaelic_street = dataclasses.replace(
        seed.STREET_NAMES[0], description="SRÀID A' MHUILINN", town_name="AM BAILE ÙR",
        administrative_area="AN SIORRAMACHD ÙR", language="GAE",
    )  # fmt: skip
    gaelic_lpi = seed._lpi(seed.FLAT, "1110L000000009", language="GAE", sao_start_number=10)
    repository.save_records(seeded, [gaelic_street, gaelic_lpi])
    seeded.commit()
    response = client.get(f"/v1/addresses/{seed.FLAT}", params={"language": "gae"})
    assert response.status_code == 200, response.text
    assert response.json()["labels"]["single_line"] == (
        "10 RIVER LOFTS, 12-16 SRÀID A' MHUILINN, AM BAILE ÙR, NT1 1AA"
    )
    upper = client.get(f"/v1/addresses/{seed.FLAT}", params={"language": "GAE"})
    assert upper.json() == response.json()


def test_a_language_that_names_nothing_is_refused(client: TestClient) -> None:
    for path in (f"/v1/addresses/{seed.FLAT}", "/v1/addresses"):
        refused = client.get(path, params={"language": "english", "postcode": "NT1 1AA"})
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in refused.json()["errors"]] == ["language"]
    bulk = client.post("/v1/addresses/lookup?language=FRA", json={"uprns": [seed.FLAT]})
    assert bulk.status_code == 422
