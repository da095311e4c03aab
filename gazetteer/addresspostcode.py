"""Find the postcode in typed address tokens (pure): full, or a trailing outward code or sector."""

from __future__ import annotations

import re
from dataclasses import dataclass

from gazetteer import addresswords as words
from gazetteer import postcode as postcodes
from gazetteer.addresstokens import COMMA

_FULL_POSTCODE = re.compile(r"^([A-Z]{1,2}\d[0-9A-Z]?)(\d[ABD-HJLNP-UW-Z]{2})$")
_OUTWARD = re.compile(r"^[A-Z]{1,2}\d[0-9A-Z]?$")
_INWARD = re.compile(r"^\d[ABD-HJLNP-UW-Z]{2}$")


@dataclass(frozen=True, kw_only=True, slots=True)
class FoundPostcode:
    """A full postcode in its one-space form, and/or its outward code and sector."""

    full: str | None = None
    outward: str | None = None
    sector: str | None = None

    @property
    def text(self) -> str | None:
        return self.full or self.sector or self.outward


def extract(tokens: list[str]) -> tuple[list[str], FoundPostcode]:
    """Take the last full postcode out of ``tokens``, else a trailing outward code or sector."""
    for i in range(len(tokens) - 1, -1, -1):
        found = _full_postcode_at(tokens, i)
        if found is not None:
            full, width = found
            outward, inward = full.split(" ")
            kept = tokens[:i] + tokens[i + width :]
            return kept, FoundPostcode(full=full, outward=outward, sector=f"{outward} {inward[0]}")
    return _extract_partial_postcode(tokens)


def _full_postcode_at(tokens: list[str], i: int) -> tuple[str, int] | None:
    token = tokens[i]
    match = _FULL_POSTCODE.match(_fix_inward(token, at=-3))
    if match and len(token) >= 5:
        return f"{match.group(1)} {match.group(2)}", 1
    if i + 1 < len(tokens) and _OUTWARD.match(token):
        inward = _fix_inward(tokens[i + 1], at=0)
        if _INWARD.match(inward) and postcodes.is_valid(f"{token} {inward}"):
            return f"{token} {inward}", 2
    return None


def _fix_inward(token: str, *, at: int) -> str:
    """People type O for 0 and I or L for 1 in the digit of the inward code."""
    if len(token) < 3 or token[at] not in "OIL":
        return token
    digit = "0" if token[at] == "O" else "1"
    index = at % len(token)
    return token[:index] + digit + token[index + 1 :]


def _extract_partial_postcode(tokens: list[str]) -> tuple[list[str], FoundPostcode]:
    body = [t for t in tokens if t != COMMA]
    if len(body) >= 3 and body[-1].isdigit() and len(body[-1]) == 1 and _OUTWARD.match(body[-2]):
        cut = _last_index(tokens, body[-2])
        return tokens[:cut], FoundPostcode(outward=body[-2], sector=f"{body[-2]} {body[-1]}")
    if len(body) >= 2 and _OUTWARD.match(body[-1]) and body[-2] not in words.SAO_KEYWORDS:
        cut = _last_index(tokens, body[-1])
        return tokens[:cut], FoundPostcode(outward=body[-1])
    return tokens, FoundPostcode()


def _last_index(tokens: list[str], value: str) -> int:
    return len(tokens) - 1 - tokens[::-1].index(value)
