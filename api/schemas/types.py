"""Reusable constrained identifier types for API schemas and parameters.

Each parses with the gazetteer's own rules and, when they refuse a value, fails with a pydantic
error whose type is the domain error's code (``invalid_uprn``, ``invalid_usrn``,
``invalid_postcode``). :func:`api.errors.from_validation` turns such a failure into a problem
with that code, so ``GET /v1/addresses/0`` answers ``invalid_uprn``, not a generic 422.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

from core.errors import InvalidIdentifier
from gazetteer import domain, postcode
from gazetteer.validation import codes


def _as_pydantic_error(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def validate(value: Any) -> Any:
        if not isinstance(value, int | str) or isinstance(value, bool):
            raise PydanticCustomError("int_type", "Input should be a whole number or text")
        try:
            return parse(value)
        except InvalidIdentifier as exc:
            raise PydanticCustomError(exc.code, "{reason}", {"reason": exc.message}) from exc

    return validate


def _parse_postcode(value: int | str) -> str:
    return postcode.parse(str(value))


LANGUAGES = frozenset(codes.LANGUAGES | codes.LANGUAGES_WARN)


def _parse_language(value: object) -> str:
    code = str(value).upper()
    if code not in LANGUAGES:
        raise PydanticCustomError(
            "invalid_language", "Language is one of {codes}, any case", {"codes": _LANGUAGE_LIST}
        )
    return code


_LANGUAGE_LIST = ", ".join(sorted(LANGUAGES))


Uprn = Annotated[
    int,
    Field(
        ge=1,
        le=domain.UPRN_MAX,
        description="Unique Property Reference Number: 1 to 999 999 999 999.",
        examples=[100023336956],
    ),
    BeforeValidator(_as_pydantic_error(domain.parse_uprn)),
]

Usrn = Annotated[
    int,
    Field(
        ge=1,
        le=domain.USRN_MAX,
        description="Unique Street Reference Number: 1 to 99 999 999.",
        examples=[14200386],
    ),
    BeforeValidator(_as_pydantic_error(domain.parse_usrn)),
]

Postcode = Annotated[
    str,
    Field(
        pattern=postcode.POSTCODE_PATTERN.pattern,
        description="A UK postcode, normalised to upper case with one space (`EX1 1AE`).",
        examples=["EX1 1AE"],
    ),
    BeforeValidator(_as_pydantic_error(_parse_postcode)),
]

Language = Annotated[
    str,
    Field(
        description="Label language: `ENG`, `CYM` (Welsh), `GAE` (Scottish Gaelic), or the older "
        "`COR`, `GLE`, `ULL`; any case.",
        examples=["CYM"],
    ),
    BeforeValidator(_parse_language),
]
