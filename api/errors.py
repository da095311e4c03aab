"""One mapping from errors to RFC 9457 problem details (``application/problem+json``).

Every :class:`core.errors.AddressHubError` becomes a problem carrying the error's stable
``code``, title, HTTP status and safe message. Starlette's HTTP errors (an unknown path, a
method not allowed) and request-validation errors take the same shape. Validation problems
(a request that does not parse, or an invalid-input error naming its fields) also list each
failure under ``errors`` as ``{field, code, detail}``, an RFC 9457 extension member.
Anything else is a 500 ``internal_error`` whose body says nothing about the failure: the
server log has the traceback.

``type`` is a URN built from the code (``urn:addresshub:problem:address_not_found``): stable,
and never dereferenced.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Any, Final

import fastapi
from fastapi import exceptions as fastapi_exceptions
from fastapi import responses
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette import exceptions as starlette_exceptions

from core import errors

PROBLEM_MEDIA_TYPE: Final = "application/problem+json"
PROBLEM_TYPE_PREFIX: Final = "urn:addresshub:problem:"
AUTHENTICATE_CHALLENGE: Final = 'Bearer realm="addresshub"'
INVALID_REQUEST: Final = "invalid_request"
INTERNAL_ERROR: Final = "internal_error"
_REQUEST_PARTS: Final = frozenset({"body", "query", "path", "header", "cookie"})


class ProblemItem(BaseModel):
    """One failed check of a request: which field, a stable code, and why.

    ``field`` is the path to the value (``recipients[1].answers.adults``, ``uprn``); ``code``
    names the check and ``detail`` says why. ``location`` (the part of the request, then the
    path) is given for a request that did not parse; ``type`` and ``message`` repeat ``code``
    and ``detail`` for older clients.
    """

    model_config = ConfigDict(frozen=True)

    field: str = Field(
        default="",
        description="The path to the refused value.",
        examples=["recipients[1].answers.adults"],
    )
    code: str = Field(default="", description="A stable name for the failed check.")
    detail: str = Field(default="", description="Why the value was refused.")
    location: list[str | int] | None = Field(
        default=None,
        description="Where the value was: the part of the request, then the path to it.",
        examples=[["path", "uprn"]],
    )
    message: str = Field(default="", description="The same as `detail`.")
    type: str = Field(default="", description="The same as `code`.")

    @model_validator(mode="before")
    @classmethod
    def _both_names(cls, raw: Any) -> Any:
        """Either naming may be given; the other is filled in (``field`` from ``location``)."""
        if not isinstance(raw, Mapping):
            return raw
        values = dict(raw)
        values["code"] = values.get("code") or values.get("type") or ""
        values["type"] = values.get("type") or values["code"]
        values["detail"] = values.get("detail") or values.get("message") or ""
        values["message"] = values.get("message") or values["detail"]
        if values.get("field") is None:
            values["field"] = field_path(values.get("location") or [])
        return values


def field_path(location: Sequence[str | int]) -> str:
    """``("body", "recipients", 1, "answers")`` as ``recipients[1].answers``."""
    parts = list(location)
    if parts and parts[0] in _REQUEST_PARTS:
        parts = parts[1:]
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
    return path


class Problem(BaseModel):
    """An RFC 9457 problem detail with addresshub's stable ``code``."""

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "type": f"{PROBLEM_TYPE_PREFIX}address_not_found",
                    "title": "Address not found",
                    "status": 404,
                    "detail": "no address has UPRN 100023336956",
                    "instance": "/v1/addresses/100023336956",
                    "code": "address_not_found",
                }
            ]
        },
    )

    type: str = Field(description="A URN naming the kind of problem; ends with the code.")
    title: str = Field(description="A short summary of the kind of problem.")
    status: int = Field(ge=400, le=599, description="The HTTP status code.")
    detail: str | None = Field(default=None, description="What went wrong with this request.")
    instance: str | None = Field(default=None, description="The path of the request.")
    code: str = Field(description="A stable machine-readable code, e.g. `address_not_found`.")
    errors: list[ProblemItem] | None = Field(
        default=None,
        description="Each failed check (field, code, detail), for validation problems.",
    )


def problem(
    *,
    code: str,
    title: str,
    status: int,
    detail: str | None = None,
    instance: str | None = None,
    items: Sequence[ProblemItem] | None = None,
) -> Problem:
    return Problem(
        type=f"{PROBLEM_TYPE_PREFIX}{code}",
        title=title,
        status=status,
        detail=detail,
        instance=instance,
        code=code,
        errors=list(items) if items is not None else None,
    )


def from_error(error: errors.AddressHubError, *, instance: str | None = None) -> Problem:
    """The problem for one of addresshub's own errors (a validation error lists its fields)."""
    return problem(
        code=error.code,
        title=error.title,
        status=error.http_status,
        detail=error.message,
        instance=instance,
        items=field_errors(error),
    )


def field_errors(error: errors.AddressHubError) -> list[ProblemItem] | None:
    """The fields an invalid-input error names: ``details["field_errors"]`` (a list of
    ``{field, code?, detail}``) or ``details["field"]`` with the message; None otherwise."""
    if not isinstance(error, errors.InvalidInput):
        return None
    listed = error.details.get("field_errors")
    if isinstance(listed, list):
        return [_field_error(error, item) for item in listed if isinstance(item, Mapping)]
    field = error.details.get("field")
    if not isinstance(field, str):
        return None
    return [_field_error(error, {"field": field, "detail": error.message})]


def _field_error(error: errors.AddressHubError, item: Mapping[str, Any]) -> ProblemItem:
    field, detail = str(item.get("field", "")), str(item.get("detail", ""))
    detail = detail.removeprefix(f"{field}: ") if field else detail
    return ProblemItem(field=field, code=str(item.get("code") or error.code), detail=detail)


def from_http_status(
    status: int, *, detail: str | None = None, instance: str | None = None
) -> Problem:
    """The problem for a bare HTTP error: the code is the status phrase in snake case."""
    phrase = HTTPStatus(status).phrase
    code = phrase.lower().replace(" ", "_").replace("-", "_")
    shown = detail if detail and detail != phrase else None
    return problem(code=code, title=phrase, status=status, detail=shown, instance=instance)


def from_validation(
    failures: Iterable[Mapping[str, Any]], *, instance: str | None = None
) -> Problem:
    """A 422 problem listing each failure.

    When every failure is the same identifier check (a pydantic custom error whose type is the
    code of an :class:`core.errors.InvalidInput` subclass, e.g. ``invalid_uprn``), the problem
    takes that code and title, so a bad path parameter reads like the domain's own error.
    """
    items = [_item(failure) for failure in failures]
    known = _invalid_input_titles()
    kinds = {item.type for item in items}
    if len(kinds) == 1 and (kind := kinds.pop()) in known:
        detail = "; ".join(item.message for item in items)
        return problem(
            code=kind, title=known[kind], status=422, detail=detail, instance=instance, items=items
        )
    detail = f"the request did not validate ({len(items)} problem(s))"
    return problem(
        code=INVALID_REQUEST,
        title="Invalid request",
        status=422,
        detail=detail,
        instance=instance,
        items=items,
    )


def internal(*, instance: str | None = None) -> Problem:
    return problem(
        code=INTERNAL_ERROR,
        title="Internal error",
        status=500,
        detail="An unexpected error occurred. It has been logged.",
        instance=instance,
    )


def _item(failure: Mapping[str, Any]) -> ProblemItem:
    location = [part if isinstance(part, int) else str(part) for part in failure["loc"]]
    return ProblemItem(
        field=field_path(location),
        code=str(failure["type"]),
        detail=str(failure["msg"]),
        location=location,
    )


def _invalid_input_titles() -> dict[str, str]:
    """Code -> title of every :class:`InvalidInput` subclass defined so far."""
    titles: dict[str, str] = {}
    pending: list[type[errors.InvalidInput]] = [errors.InvalidInput]
    while pending:
        cls = pending.pop()
        titles[cls.code] = cls.title
        pending.extend(cls.__subclasses__())
    return titles


# -- responses ---------------------------------------------------------------------------


def response(body: Problem, *, headers: Mapping[str, str] | None = None) -> responses.JSONResponse:
    merged = dict(headers or {})
    if body.status == 401:
        merged.setdefault("WWW-Authenticate", AUTHENTICATE_CHALLENGE)
    return responses.JSONResponse(
        body.model_dump(mode="json", exclude_none=True),
        status_code=body.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=merged,
    )


async def _on_addresshub_error(request: fastapi.Request, exc: Exception) -> responses.Response:
    assert isinstance(exc, errors.AddressHubError)
    headers = getattr(exc, "headers", None)
    return response(from_error(exc, instance=request.url.path), headers=headers)


async def _on_http_error(request: fastapi.Request, exc: Exception) -> responses.Response:
    assert isinstance(exc, starlette_exceptions.HTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else None
    body = from_http_status(exc.status_code, detail=detail, instance=request.url.path)
    return response(body, headers=exc.headers)


async def _on_validation_error(request: fastapi.Request, exc: Exception) -> responses.Response:
    assert isinstance(exc, fastapi_exceptions.RequestValidationError)
    return response(from_validation(exc.errors(), instance=request.url.path))


async def _on_unexpected_error(request: fastapi.Request, exc: Exception) -> responses.Response:
    # Starlette re-raises the exception after this response, so the server logs it.
    return response(internal(instance=request.url.path))


def install(app: fastapi.FastAPI) -> None:
    """Register the one mapping on ``app``."""
    app.add_exception_handler(errors.AddressHubError, _on_addresshub_error)
    app.add_exception_handler(starlette_exceptions.HTTPException, _on_http_error)
    app.add_exception_handler(fastapi_exceptions.RequestValidationError, _on_validation_error)
    app.add_exception_handler(Exception, _on_unexpected_error)


# -- OpenAPI -----------------------------------------------------------------------------

_DESCRIPTIONS: Final = {
    400: "The request is malformed.",
    401: "No API key, or an unknown or revoked one (`unauthenticated`).",
    403: "The API key's role may not do this (`forbidden`).",
    404: "Nothing is there.",
    409: "The request conflicts with the current state.",
    422: "The request did not validate (`invalid_request` or an identifier code).",
    500: "An unexpected error (`internal_error`).",
    503: "The database is unavailable or its schema is not current.",
}


def responses_for(*statuses: int, **descriptions: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` documenting problem bodies for ``statuses``.

    ``descriptions`` overrides the text per status, keyed ``s404="..."``.
    """
    return {
        status: {
            "model": Problem,
            "description": descriptions.get(f"s{status}", _DESCRIPTIONS.get(status, "A problem.")),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }
