"""UK postcodes: normalisation, the govtalk pattern and the parts used for lookup (§7)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from gazetteer.errors import InvalidPostcode

# The govtalk pattern with its character-class subtraction spelt out: the inward letters
# exclude C, I, K, M, O and V. Python's ``$`` also matches before a final newline, so test a
# value with :func:`matches` (a full match); the ``^…$`` text stays portable for JSON Schema.
POSTCODE_PATTERN = re.compile(r"^[A-Z]{1,2}[0-9R][0-9A-Z]? [0-9][ABD-HJLNP-UW-Z]{2}$")
_WHITESPACE = re.compile(r"\s+")


def normalise(raw: str) -> str | None:
    """Upper-case, drop whitespace, then one space before the last three characters.

    Returns ``None`` when the result cannot be a postcode by length (5 to 7 characters without
    the space). The result is not checked against the pattern: see :func:`is_valid`.
    """
    compact = _WHITESPACE.sub("", raw).upper()
    if not 5 <= len(compact) <= 7:
        return None
    return f"{compact[:-3]} {compact[-3:]}"


def matches(value: str) -> bool:
    """True when ``value`` as it stands (already normalised) is the whole of a pattern match."""
    return POSTCODE_PATTERN.fullmatch(value) is not None


def is_valid(value: str) -> bool:
    """True when ``value`` normalises to a string matching the govtalk pattern."""
    normal = normalise(value)
    return normal is not None and matches(normal)


def parse(raw: str) -> str:
    """The normalised postcode, or :class:`InvalidPostcode` naming the rule."""
    normal = normalise(raw)
    if normal is None or not matches(normal):
        raise InvalidPostcode(f"{raw!r} is not a UK postcode (expected a form like 'EX1 1AE')")
    return normal


@dataclass(frozen=True, kw_only=True, slots=True)
class PostcodeParts:
    outward: str
    inward: str
    sector: str
    district: str
    area: str


def parts(postcode: str) -> PostcodeParts:
    """Outward, inward, sector, district and area of a valid postcode."""
    normal = parse(postcode)
    outward, inward = normal.split(" ")
    area = re.match(r"[A-Z]+", outward)
    return PostcodeParts(
        outward=outward,
        inward=inward,
        sector=f"{outward} {inward[0]}",
        district=outward,
        area=area.group(0) if area else outward,
    )
