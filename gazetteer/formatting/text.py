"""Range strings and the small text rules every label shares (§6, §6.1)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal

from gazetteer import domain

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Style = Literal["project", "gsg_commas", "os_sql"]

_NUM_LIKE = re.compile(r"\d+[A-Z]?(-\d+[A-Z]?)?")


def aon_range(
    start: int | None, start_suffix: str | None, end: int | None, end_suffix: str | None
) -> str:
    """A PAO or SAO number range such as ``1``, ``1A``, ``1-5`` or ``1A-5C`` (§6.1).

    A missing or zero start renders ``""``, even when an end is present (the validator reports
    that). The dash is ASCII with no spaces around it.
    """
    if not start:
        return ""
    text = f"{start}{start_suffix or ''}"
    if end:
        text += f"-{end}{end_suffix or ''}"
    return text


def range_of(aon: domain.Aon) -> str:
    """The range string of a PAO or SAO."""
    return aon_range(aon.start_number, aon.start_suffix, aon.end_number, aon.end_suffix)


def num_like(text: str) -> bool:
    """The PAF number-like test (§6.5): ``11A``, ``3-5`` and ``210`` are; ``3 BLOCK A`` is not."""
    return _NUM_LIKE.fullmatch(text) is not None


def clean(text: str | None) -> str:
    """The value with runs of whitespace collapsed to one space and none at either end.

    ``str.split()`` splits on exactly the characters ``\\s`` matches in a text pattern (both
    are ``str.isspace``), so this is ``re.sub(r"\\s+", " ", text).strip()`` at a third of its
    cost; a label calls it about ten times (``tests/unit/test_formatting_clean.py``).
    """
    return " ".join(text.split()) if text else ""


def join(separator: str, *parts: str | None) -> str:
    """The non-empty cleaned parts joined with ``separator``."""
    return separator.join([part for part in map(clean, parts) if part])


def same_name(first: str | None, second: str | None) -> bool:
    """Equal once cleaned, ignoring case (how a town is compared with an area or post town)."""
    return clean(first).casefold() == clean(second).casefold()


def elements(parts: DataclassInstance) -> tuple[str, ...]:
    """A label's elements in their declared (fixed) order."""
    return tuple(str(getattr(parts, field.name)) for field in dataclasses.fields(parts))


def os_sql(pieces: Iterable[tuple[str, str]]) -> str:
    """Each non-empty piece followed by its separator, except the last (OS's reference SQL)."""
    kept = [(clean(text), separator) for text, separator in pieces if clean(text)]
    if not kept:
        return ""
    body = "".join(text + separator for text, separator in kept[:-1])
    return clean(body + kept[-1][0])


def range_separator(number_range: str) -> str:
    """OS's reference SQL follows a range with ``", "`` when it ends in a suffix, else ``" "``."""
    return ", " if number_range[-1:].isalpha() else " "
