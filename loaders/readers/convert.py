"""Typed conversion of raw CSV fields by layout column type (never by guessing, §5.1).

Empty fields read as ``None``. Integers and decimals must look like numbers (leading zeros are
fine: ``092951.40``); dates must be ``CCYY-MM-DD``; times ``HH:MM:SS`` or ``HHMMSS``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from loaders import layouts

_INT: Final = re.compile(r"[+-]?\d+")
_DEC: Final = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME: Final = re.compile(r"(?:[01]\d|2[0-3]):?[0-5]\d:?[0-5]\d")

NUMBER_ERROR: Final = "FILE-NUMBER-FORMAT"
INT64_MIN: Final = -(2**63)
INT64_MAX: Final = 2**63 - 1
INT32_MIN: Final = -(2**31)
INT32_MAX: Final = 2**31 - 1
DATE_ERROR: Final = "FILE-DATE-FORMAT"

Value = int | float | str | dt.date | None
Converter = Callable[[str], Value]


class FieldError(ValueError):
    """A field that does not parse as its column type; ``code`` is the finding code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def to_text(raw: str) -> str | None:
    return raw if raw else None


def to_int(raw: str) -> int | None:
    if not raw:
        return None
    if _INT.fullmatch(raw) is None:
        raise FieldError(NUMBER_ERROR, f"{raw!r} is not a whole number")
    value = int(raw)
    if not INT64_MIN <= value <= INT64_MAX:
        raise FieldError(NUMBER_ERROR, f"{raw!r} is beyond a 64-bit whole number")
    return value


def to_decimal(raw: str) -> float | None:
    if not raw:
        return None
    if _DEC.fullmatch(raw) is None:
        raise FieldError(NUMBER_ERROR, f"{raw!r} is not a decimal number")
    return float(raw)


def to_date(raw: str) -> dt.date | None:
    if not raw:
        return None
    if _DATE.fullmatch(raw) is None:
        raise FieldError(DATE_ERROR, f"{raw!r} is not a date in the form CCYY-MM-DD")
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise FieldError(DATE_ERROR, f"{raw!r} is not a calendar date") from None


def to_time(raw: str) -> str | None:
    if not raw:
        return None
    if _TIME.fullmatch(raw) is None:
        raise FieldError(DATE_ERROR, f"{raw!r} is not a time in the form HH:MM:SS or HHMMSS")
    return raw


CONVERTERS: Final[dict[str, Converter]] = {
    "int": to_int,
    "dec2": to_decimal,
    "dec7": to_decimal,
    "date": to_date,
    "time": to_time,
    "code": to_text,
    "text": to_text,
}


@dataclass(frozen=True, kw_only=True, slots=True)
class BadField:
    column: str
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class RecordParser:
    """Converts the kept columns of one record layout into a ``{field: value}`` mapping."""

    record: layouts.RecordLayout
    plan: tuple[tuple[int, str, Converter], ...]

    @classmethod
    def for_record(cls, record: layouts.RecordLayout) -> RecordParser:
        plan = tuple(
            (c.position, c.field, CONVERTERS[c.type]) for c in record.columns if c.field is not None
        )
        return cls(record, plan)

    def convert(self, fields: list[str]) -> dict[str, Value]:
        """Convert every kept column; raises :class:`FieldError` on the first bad one."""
        return {name: conv(fields[pos]) for pos, name, conv in self.plan}

    def bad_fields(self, fields: list[str]) -> list[BadField]:
        """Every kept column that does not convert (the slow path, for reporting)."""
        bad: list[BadField] = []
        for pos, _name, conv in self.plan:
            try:
                conv(fields[pos])
            except FieldError as exc:
                column = self.record.columns[pos].name
                bad.append(BadField(column=column, code=exc.code, message=str(exc)))
        return bad
