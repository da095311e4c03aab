"""Validation problems list each failed field as ``{field, code, detail}`` (an RFC 9457
extension member), the same for a request that does not parse and for an invalid-input error
naming its fields; ``code``, ``title``, ``status`` and ``detail`` are unchanged."""

from __future__ import annotations

from typing import Any

import fastapi
import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel

from api import errors as problems
from core import errors
from notify import errors as notify_errors

FIELD = "recipients[1].answers.adults"


class _Recipient(BaseModel):
    service: str
    answers: dict[str, int] = {}


class _Body(BaseModel):
    recipients: list[_Recipient]


def _app() -> fastapi.FastAPI:
    app = fastapi.FastAPI()
    problems.install(app)

    @app.post("/parse")
    def parse(body: _Body) -> dict[str, str]:
        return {}

    @app.post("/one")
    def one() -> dict[str, str]:
        raise notify_errors.InvalidMove(
            f"{FIELD}: must be a whole number", details={"field": FIELD}
        )

    @app.post("/many")
    def many() -> dict[str, str]:
        found = [
            {"field": FIELD, "code": "invalid_answer", "detail": "must be at least 1"},
            {"field": "recipients[0].answers.card", "detail": "an answer is required"},
        ]
        raise notify_errors.InvalidMove(
            f"{FIELD}: must be at least 1", details={"field": FIELD, "field_errors": found}
        )

    @app.post("/missing")
    def missing() -> dict[str, str]:
        raise errors.NotFound("no such thing", details={"field": "uprn"})

    return app


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(_app(), raise_server_exceptions=False)


def test_an_error_naming_its_field_lists_it(client: TestClient) -> None:
    body = client.post("/one").json()
    assert (body["code"], body["title"], body["status"]) == ("invalid_move", "Invalid move", 422)
    assert body["detail"] == f"{FIELD}: must be a whole number"
    assert body["errors"] == [
        {"field": FIELD, "code": "invalid_move", "detail": "must be a whole number",
         "message": "must be a whole number", "type": "invalid_move"}
    ]  # fmt: skip


def test_an_error_listing_its_fields_lists_each(client: TestClient) -> None:
    body = client.post("/many").json()
    assert body["detail"] == f"{FIELD}: must be at least 1"
    assert [(e["field"], e["code"], e["detail"]) for e in body["errors"]] == [
        (FIELD, "invalid_answer", "must be at least 1"),
        ("recipients[0].answers.card", "invalid_move", "an answer is required"),
    ]


def test_other_errors_list_nothing(client: TestClient) -> None:
    body = client.post("/missing").json()
    assert body["code"] == "not_found" and "errors" not in body


def test_a_request_that_does_not_parse_names_fields_the_same_way(client: TestClient) -> None:
    sent: dict[str, Any] = {
        "recipients": [{"service": "A"}, {"service": "B", "answers": {"adults": "x"}}]
    }
    body = client.post("/parse", json=sent).json()
    assert (body["code"], body["status"]) == ("invalid_request", 422)
    (item,) = body["errors"]
    assert item["field"] == FIELD
    assert item["location"] == ["body", "recipients", 1, "answers", "adults"]
    assert item["code"] == item["type"] == "int_parsing"
    assert item["detail"] == item["message"] and item["detail"]
    domain_keys = set(client.post("/one").json()["errors"][0])
    assert domain_keys <= set(item) and set(item) - domain_keys == {"location"}


@pytest.mark.parametrize(
    ("location", "field"),
    [
        (["path", "uprn"], "uprn"),
        (["query", "limit"], "limit"),
        (["body", "recipients", 0, "answers", "card"], "recipients[0].answers.card"),
        (["body", 2, "name"], "[2].name"),
        (["roll.csv", 3, "Address"], "roll.csv[3].Address"),
    ],
)
def test_field_path(location: list[str | int], field: str) -> None:
    assert problems.field_path(location) == field
    item = problems.ProblemItem(location=location, message="bad", type="check")
    assert (item.field, item.code, item.detail) == (field, "check", "bad")


def test_a_non_input_error_with_a_field_lists_nothing() -> None:
    error = errors.Conflict("taken", details={"field": "reference"})
    assert problems.field_errors(error) is None
    assert problems.from_error(error).errors is None
