"""``GET /v1/addresses/{uprn}`` on both engines: the body is the Address model's, byte for byte."""

from __future__ import annotations

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
