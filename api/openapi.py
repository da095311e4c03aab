"""The OpenAPI document, made to tell the truth about errors.

FastAPI documents problem responses under ``application/json`` too and gives every route with
parameters its own 422 shape. This pass, run once when the document is first built:

* keeps only ``application/problem+json`` for problem responses;
* replaces FastAPI's default 422 with the problem schema;
* adds the 401 problem to every operation that needs an API key (it has a ``security`` entry).
"""

from __future__ import annotations

from typing import Any

import fastapi

from api import errors

_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def install(app: fastapi.FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = tidy(fastapi.FastAPI.openapi(app))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def tidy(document: dict[str, Any]) -> dict[str, Any]:
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            _tidy_operation(operation)
    schemas = document.get("components", {}).get("schemas", {})
    if not _references(document, "HTTPValidationError"):
        for name in _FASTAPI_VALIDATION_SCHEMAS:
            schemas.pop(name, None)
    return document


def _tidy_operation(operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    if operation.get("security"):
        responses.setdefault("401", _problem_response(401))
    validation = responses.get("422")
    if validation is not None and errors.PROBLEM_MEDIA_TYPE not in validation.get("content", {}):
        responses["422"] = _problem_response(422)
    for response in responses.values():
        content = response.get("content", {})
        if errors.PROBLEM_MEDIA_TYPE in content:
            content.pop("application/json", None)


def _problem_response(status: int) -> dict[str, Any]:
    documented = errors.responses_for(status)[status]
    return {
        "description": documented["description"],
        "content": {errors.PROBLEM_MEDIA_TYPE: {"schema": dict(_PROBLEM_REF)}},
    }


def _references(node: Any, schema_name: str) -> bool:
    target = f"#/components/schemas/{schema_name}"
    if isinstance(node, dict):
        if node.get("$ref") == target:
            return True
        return any(_references(value, schema_name) for value in node.values())
    if isinstance(node, list):
        return any(_references(value, schema_name) for value in node)
    return False
