"""A label's canonical text and search tokens, assembled from its lines (pure).

A search row needs what ``addressparse.parse(label)`` makes of its label: the canonical text
(cleaned, split, abbreviations expanded, the postcode moved to the end) and the postcode found
in it, then the tokens of that text. :func:`plain` computes them from the whole label.

Labels repeat their lines massively (a street, a town, a postcode serve many addresses), so
:func:`of_lines` computes each distinct line once and assembles the label's text from its
lines' where the normaliser provably composes over ``", "``:

* cleaning is character by character, and the number-joining rule cannot match across a comma,
  so the raw tokens of ``", ".join(lines)`` are each line's raw tokens with a comma between;
* the canonical rewrite of a token looks at its neighbours, and at a line's edge the neighbour
  is the comma, which is what it sees at the edge of the line alone, except that a lone letter
  looks through commas for the number it joins: so every line's first and last word must not
  be a lone letter;
* a line led by a number that the rewrite keeps whatever its neighbours (``12``, ``3-5``; not
  ``1ST``) is that number and the rest, unless the rest starts with a lone letter (``12 A``
  is ``12A``) or with ``-`` or ``/`` (``12 -14`` is ``12-14``): a ``SAINT`` or ``STREET``
  read after a number is the one read at the start of a line;
* the postcode is searched for from the end: when the last line alone is exactly one full
  postcode, it is the postcode of the whole label and nothing else is taken out.

Any label outside these conditions takes :func:`plain`. A property test checks
``of_lines(lines) == plain(", ".join(lines))`` on generated lines.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from gazetteer import addressparse, addresspostcode
from gazetteer.addresstokens import (
    COMMA,
    aon_from_token,
    canonical_tokens,
    cleaned,
    is_context_free_number,
    is_number_token,
    raw_tokens,
    split_cleaned,
)

TOKEN_MAX: Final = 40
_CACHED: Final = 1 << 16
_LINES_CACHED: Final = 1 << 14
"""Distinct lines remembered: the frequent ones (streets, towns) stay, and memory is bounded."""
SEPARATOR: Final = ", "


@dataclass(frozen=True, kw_only=True, slots=True)
class LabelText:
    """What a search row keeps of its label: the parse's first half and the text's tokens."""

    parsed: addressparse.ParsedAddress
    tokens: frozenset[str]


def plain(label: str) -> LabelText:
    """The canonical text of ``label`` computed whole: the reference :func:`of_lines` meets."""
    tokens, found = addresspostcode.extract(raw_tokens(label))
    body = " ".join(t for t in canonical_tokens(tokens) if t != COMMA)
    parsed = _parsed(label, body, found)
    return LabelText(parsed=parsed, tokens=tokens_of(parsed.normalised))


def of_lines(lines: Sequence[str]) -> LabelText:
    """:func:`plain` of ``", ".join(lines)``, from the lines' remembered canonical words."""
    label = SEPARATOR.join(lines)
    if not lines:
        return plain(label)
    found = _postcode_line(lines[-1])
    parts = [_line(line) for line in lines[:-1]]
    if found is None or not all(part.composes for part in parts):
        return plain(label)
    body = " ".join(word for part in parts for word in part.words)
    parsed = _parsed(label, body, found)
    return LabelText(
        parsed=parsed,
        tokens=frozenset().union(*(part.tokens for part in parts), _postcode_tokens(found)),
    )


def _parsed(
    label: str, body: str, found: addresspostcode.FoundPostcode
) -> addressparse.ParsedAddress:
    return addressparse.ParsedAddress(
        raw=label,
        normalised=f"{body} {found.text}".strip() if found.text else body,
        postcode=found.full,
        postcode_outward=found.outward,
        postcode_sector=found.sector,
    )


@dataclass(frozen=True, kw_only=True, slots=True)
class _Line:
    words: tuple[str, ...]
    tokens: frozenset[str]
    first_lone: bool  # the first raw word (commas aside) is a lone letter
    last_lone: bool  # the last one is
    joins_back: bool  # the cleaned text starts with "-" or "/" (joins a number before it)

    @property
    def composes(self) -> bool:
        return not (self.first_lone or self.last_lone)


@functools.lru_cache(maxsize=_LINES_CACHED)
def _line(line: str) -> _Line:
    """A line's canonical words; a line led by a plain number (``12 HIGH ST``) is that number
    and the rest, remembered apart (the rest is a street that many numbers share)."""
    head, _, rest = line.partition(" ")
    if rest and is_context_free_number(head):
        tail = _line(rest)
        if not (tail.first_lone or tail.joins_back):
            return _Line(
                words=(head, *tail.words),
                tokens=tail.tokens | tokens_of(head),
                first_lone=False,
                last_lone=tail.last_lone,
                joins_back=False,
            )
    return _whole_line(line)


def _whole_line(line: str) -> _Line:
    text = cleaned(line)
    raw = split_cleaned(text)
    words = tuple(t for t in canonical_tokens(raw) if t != COMMA)
    edges = [t for t in raw if t != COMMA]
    return _Line(
        words=words,
        tokens=tokens_of(" ".join(words)),
        first_lone=bool(edges) and _lone_letter(edges[0]),
        last_lone=bool(edges) and _lone_letter(edges[-1]),
        joins_back=text.lstrip().startswith(("-", "/")),
    )


def _lone_letter(token: str) -> bool:
    return len(token) == 1 and token.isalpha()


@functools.lru_cache(maxsize=_CACHED)
def _postcode_line(line: str) -> addresspostcode.FoundPostcode | None:
    """The postcode when ``line`` is exactly one full postcode, else None."""
    kept, found = addresspostcode.extract(raw_tokens(line))
    return found if found.full is not None and not kept else None


@functools.lru_cache(maxsize=_CACHED)
def _postcode_tokens(found: addresspostcode.FoundPostcode) -> frozenset[str]:
    return tokens_of(found.text or "")


def tokens_of(normalised: str) -> frozenset[str]:
    """Every word of a canonical text, and the bare numbers inside number tokens."""
    found: set[str] = set()
    for word in normalised.split():
        found.update(_word_tokens(word))
    return frozenset(found)


@functools.lru_cache(maxsize=_CACHED)
def _word_tokens(word: str) -> tuple[str, ...]:
    if is_number_token(word):
        return (word[:TOKEN_MAX], *_bare_numbers(word))
    return (word[:TOKEN_MAX],)


def _bare_numbers(word: str) -> set[str]:
    numbers = set()
    for part in word.replace("/", "-").split("-"):
        aon = aon_from_token(part)
        if aon.number is not None:
            numbers.add(str(aon.number))
    return numbers
