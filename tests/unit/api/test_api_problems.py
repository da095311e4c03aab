"""Problem details: every error becomes RFC 9457 problem+json with a stable code."""

from __future__ import annotations

from typing import Annotated

import fastapi
import fastapi.security
import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from api import errors, openapi
from api.schemas import types
from core import errors as core_errors
from gazetteer import domain
from gazetteer.errors import AddressNotFound, InvalidUprn

CORE_ERRORS = [
    core_errors.AddressHubError,
    core_errors.InvalidInput,
    core_errors.InvalidIdentifier,
    core_errors.InvalidRecord,
    core_errors.NotFound,
    core_errors.Conflict,
    core_errors.Unauthenticated,
    core_errors.Forbidden,
    core_errors.SupplyRefused,
    core_errors.ConfigurationError,
    core_errors.StorageError,
    AddressNotFound,
]


class Boom(RuntimeError):
    pass


def _app() -> fastapi.FastAPI:
    app = fastapi.FastAPI()
    errors.install(app)
    openapi.install(app)

    @app.get("/raise/{name}")
    def raise_error(name: str) -> None:
        cls = {cls.__name__: cls for cls in CORE_ERRORS}[name]
        raise cls(f"safe message from {name}")

    @app.get("/boom")
    def boom() -> None:
        raise Boom("database password is hunter2")

    @app.get("/uprn/{uprn}", responses=errors.responses_for(422))
    def by_uprn(uprn: Annotated[types.Uprn, fastapi.Path()], limit: int = 10) -> dict[str, int]:
        return {"uprn": uprn, "limit": limit}

    @app.get("/postcode/{postcode}")
    def by_postcode(postcode: types.Postcode) -> dict[str, str]:
        return {"postcode": postcode}

    secured = fastapi.security.HTTPBearer(auto_error=False)

    @app.get("/secured", dependencies=[fastapi.Depends(secured)])
    def secured_route() -> dict[str, str]:
        return {}

    return app


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(_app(), raise_server_exceptions=False)


@pytest.mark.parametrize("cls", CORE_ERRORS, ids=lambda cls: cls.__name__)
def test_every_error_maps_to_its_code_status_and_title(
    client: TestClient, cls: type[core_errors.AddressHubError]
) -> None:
    response = client.get(f"/raise/{cls.__name__}")
    assert response.status_code == cls.http_status
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body == {
        "type": f"urn:addresshub:problem:{cls.code}",
        "title": cls.title,
        "status": cls.http_status,
        "detail": f"safe message from {cls.__name__}",
        "instance": f"/raise/{cls.__name__}",
        "code": cls.code,
    }


def test_401_carries_a_bearer_challenge(client: TestClient) -> None:
    response = client.get("/raise/Unauthenticated")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer ")


def test_unknown_path_and_wrong_method_are_problems(client: TestClient) -> None:
    missing = client.get("/nowhere")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["code"] == "not_found"
    wrong = client.delete("/boom")
    assert wrong.status_code == 405
    assert wrong.json()["code"] == "method_not_allowed"
    assert wrong.headers["allow"] == "GET"


def test_unexpected_errors_leak_nothing(client: TestClient) -> None:
    response = client.get("/boom")
    assert response.status_code == 500
    body = response.json()
    assert body["code"] == "internal_error"
    assert "hunter2" not in response.text
    assert "Boom" not in response.text


@pytest.mark.parametrize("raw", ["0", "abc", "1000000000000", "-5", "1.5"])
def test_a_bad_uprn_in_the_path_is_invalid_uprn(client: TestClient, raw: str) -> None:
    response = client.get(f"/uprn/{raw}")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_uprn"
    assert body["title"] == "Invalid UPRN"
    assert body["errors"][0]["location"] == ["path", "uprn"]
    assert body["errors"][0]["type"] == "invalid_uprn"


def test_mixed_failures_are_a_generic_invalid_request(client: TestClient) -> None:
    response = client.get("/uprn/0?limit=many")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_request"
    assert sorted(tuple(item["location"]) for item in body["errors"]) == [
        ("path", "uprn"),
        ("query", "limit"),
    ]


def test_a_good_uprn_and_postcode_parse(client: TestClient) -> None:
    assert client.get("/uprn/0100023336956").json() == {"uprn": 100023336956, "limit": 10}
    assert client.get("/postcode/ex11ae").json() == {"postcode": "EX1 1AE"}
    assert client.get("/postcode/XX").json()["code"] == "invalid_postcode"


@settings(max_examples=200)
@given(st.integers())
def test_uprn_type_agrees_with_the_domain(value: int) -> None:
    adapter = TypeAdapter(types.Uprn)
    if 1 <= value <= domain.UPRN_MAX:
        assert adapter.validate_python(value) == value
        assert adapter.validate_python(str(value)) == value
    else:
        with pytest.raises(ValidationError) as caught:
            adapter.validate_python(value)
        assert caught.value.errors()[0]["type"] == InvalidUprn.code


def test_usrn_type_refuses_out_of_range() -> None:
    adapter = TypeAdapter(types.Usrn)
    assert adapter.validate_python("14200386") == 14200386
    with pytest.raises(ValidationError) as caught:
        adapter.validate_python(domain.USRN_MAX + 1)
    assert caught.value.errors()[0]["type"] == "invalid_usrn"


def test_identifier_types_refuse_booleans_and_floats() -> None:
    for value in (True, 1.0, None):
        with pytest.raises(ValidationError):
            TypeAdapter(types.Uprn).validate_python(value)


def test_openapi_documents_problems_only_as_problem_json(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    uprn_responses = document["paths"]["/uprn/{uprn}"]["get"]["responses"]
    assert set(uprn_responses["422"]["content"]) == {"application/problem+json"}
    # FastAPI's own 422 shape is replaced on routes that did not document one.
    postcode_responses = document["paths"]["/postcode/{postcode}"]["get"]["responses"]
    assert set(postcode_responses["422"]["content"]) == {"application/problem+json"}
    assert "HTTPValidationError" not in document["components"]["schemas"]
    problem = document["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "code"} <= set(problem["required"])
    # An operation needing credentials documents the 401 problem.
    assert "401" in document["paths"]["/secured"]["get"]["responses"]
    assert "401" not in document["paths"]["/boom"]["get"]["responses"]


def test_from_http_status_names_the_code_after_the_phrase() -> None:
    body = errors.from_http_status(415, detail="send JSON", instance="/x")
    assert body.code == "unsupported_media_type"
    assert body.detail == "send JSON"
    assert errors.from_http_status(404, detail="Not Found").detail is None
