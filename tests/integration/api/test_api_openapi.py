"""The served OpenAPI document: metadata, and problem+json for every error on every route."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from api import app as api_app
from core.settings import Settings

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def test_openapi_is_complete_about_errors_and_auth(db_url: str) -> None:
    with TestClient(api_app.create_app(Settings(database_url=db_url))) as client:
        document = client.get("/openapi.json").json()

    info = document["info"]
    assert info["title"] == "addresshub"
    assert info["license"]["identifier"] == "MIT"
    assert info["contact"]["name"]
    assert {"addresses", "health"} <= {tag["name"] for tag in document["tags"]}
    assert {"ApiKeyBearer", "ApiKeyHeader"} <= set(document["components"]["securitySchemes"])

    operations = _operations(document)
    assert ("/v1/addresses/{uprn}", "get") in {(path, method) for path, method, _ in operations}
    for path, method, operation in operations:
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                assert response["content"] == {
                    "application/problem+json": {"schema": PROBLEM_REF}
                }, (
                    path,
                    method,
                    status,
                )
        if path.startswith("/v1/"):
            assert operation.get("security"), (path, method)
            assert "401" in operation["responses"], (path, method)
    lookup = document["paths"]["/v1/addresses/{uprn}"]["get"]
    assert {"200", "401", "404", "422", "500"} <= set(lookup["responses"])
    assert lookup["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Address"
    }
