"""Address text to canonical tokens, and number tokens to AON parts (pure).

A token is an upper-case word, a number token (``10``, ``10A``, ``3-5``, ``2/10``) or a comma,
which marks where the writer separated two parts of the address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from gazetteer import addresswords as words

COMMA = ","

_NUMBER = re.compile(r"^(\d{1,5})([A-Z]{0,2})$")
_RANGE = re.compile(r"^(\d{1,5})([A-Z]{0,2})-(\d{1,5})([A-Z]{0,2})$")
_SLASH = re.compile(r"^\d{1,5}[A-Z]?/\d{1,5}[A-Z]?$")
_DROP = re.compile(r"[^A-Z0-9,/\- ]")
_QUOTES = re.compile(r"['`\u2018\u2019\"]")
_DASHES = re.compile(r"[\u2010-\u2015]")
_JOIN_NUMBERS = re.compile(r"(?<=\d)([A-Z]?)\s*([-/])\s*(?=\d)")
_LINE_BREAKS = re.compile(r"[\r\n;|]+")
_CARE_OF = re.compile(r"\b(?:C\s*[/\\]\s*O|CARE\s+OF|FAO|ATTN)\b")
_WELSH_ARTICLES = frozenset({"Y"})
_NUMBER_AFTER_NO = re.compile(r"^NO(\d{1,5}[A-Z]?)$")
CARE_OF = "CAREOF"
_CARE_OF_WORDS = 4
"""Stands for ``C/O`` (and ``FAO``, ``ATTN``) once cleaned: the words it leads name a person."""
_SAINT_OR_STREET = frozenset({"ST"})
_FLOOR_FOLLOWERS = words.FLOOR_WORDS | frozenset(words.SAO_KEYWORDS)


@dataclass(frozen=True, kw_only=True, slots=True)
class AonParts:
    """An addressable object's number range, text and (for a SAO) the kind word it had."""

    number: int | None = None
    suffix: str | None = None
    end_number: int | None = None
    end_suffix: str | None = None
    text: str | None = None
    kind: str | None = None

    @property
    def is_empty(self) -> bool:
        return self.number is None and not self.text and not self.suffix

    @property
    def has_number(self) -> bool:
        return self.number is not None

    def with_text(self, text: str | None) -> AonParts:
        return replace(self, text=text)

    def range_text(self) -> str:
        """The §6.1 range string (``1A-5C``), or "" without a number."""
        if self.number is None:
            return ""
        start = f"{self.number}{self.suffix or ''}"
        if self.end_number is None:
            return start
        return f"{start}-{self.end_number}{self.end_suffix or ''}"


def is_number_token(token: str) -> bool:
    return bool(_NUMBER.match(token) or _RANGE.match(token) or _SLASH.match(token))


def is_slash_token(token: str) -> bool:
    return bool(_SLASH.match(token))


def aon_from_token(token: str) -> AonParts:
    """``10A`` -> 10 A; ``3-5`` -> 3 to 5; anything else -> text."""
    single = _NUMBER.match(token)
    if single:
        return AonParts(number=int(single.group(1)), suffix=single.group(2) or None)
    ranged = _RANGE.match(token)
    if ranged:
        start, start_sfx, end, end_sfx = ranged.groups()
        return AonParts(
            number=int(start),
            suffix=start_sfx or None,
            end_number=int(end),
            end_suffix=end_sfx or None,
        )
    return AonParts(text=token)


def split_segments(tokens: list[str]) -> list[list[str]]:
    """Tokens grouped by the commas between them, empty groups dropped."""
    segments: list[list[str]] = [[]]
    for token in tokens:
        if token == COMMA:
            segments.append([])
        else:
            segments[-1].append(token)
    return [s for s in segments if s]


def tokenise(raw: str) -> list[str]:
    """Canonical tokens of ``raw``: cleaned, split, abbreviations expanded."""
    return canonical_tokens(raw_tokens(raw))


def raw_tokens(raw: str) -> list[str]:
    """``raw`` cleaned and split, nothing expanded yet (where a postcode is looked for)."""
    return _split(_clean(raw))


def cleaned(raw: str) -> str:
    """The first half of :func:`raw_tokens`: ``raw`` cleaned, not yet split."""
    return _clean(raw)


def split_cleaned(text: str) -> list[str]:
    """The second half of :func:`raw_tokens`: ``split_cleaned(cleaned(raw)) == raw_tokens(raw)``."""
    return _split(text)


def is_context_free_number(token: str) -> bool:
    """A single number or range (``12``, ``12A``, ``3-5``) that the canonical rewrite keeps as it
    is whatever its neighbours (not an ordinal such as ``1ST``, nor an abbreviation)."""
    return (
        bool(_NUMBER.match(token) or _RANGE.match(token))
        and token not in words.ORDINALS
        and token not in words.FLOOR_ABBREVIATIONS
        and token not in _SAINT_OR_STREET
        and _canonical_word(token) == token
    )


def canonical_tokens(tokens: list[str]) -> list[str]:
    """Suffix letters joined to their numbers, abbreviations and ordinals spelt out; a ``C/O``
    name dropped."""
    return _expand(_merge_suffix_letters(_drop_care_of(tokens)))


def _drop_care_of(tokens: list[str]) -> list[str]:
    """``C/O MRS J SMITH, 10 HIGH ST``: the name runs to the next comma, number or flat word,
    and is at most four words (``C/O MS K JONES THE OLD RECTORY MANOR CL``)."""
    if CARE_OF not in tokens:
        return tokens
    out: list[str] = []
    left = 0
    for token in tokens:
        if token == CARE_OF:
            left = _CARE_OF_WORDS
            continue
        stop = token == COMMA or is_number_token(token) or token in _FLOOR_FOLLOWERS
        left = 0 if stop else left
        if left:
            left -= 1
        else:
            out.append(token)
    return out


def _clean(raw: str) -> str:
    text = _CARE_OF.sub(f" {CARE_OF} ", _LINE_BREAKS.sub(",", raw.upper()))
    text = text.replace("&", " AND ").replace("+", " AND ")
    text = _DASHES.sub("-", _QUOTES.sub("", text))
    text = _DROP.sub(" ", text)
    return _JOIN_NUMBERS.sub(r"\1\2", text)


def _split(text: str) -> list[str]:
    tokens: list[str] = []
    for piece in text.replace(",", " , ").split():
        numbered = _NUMBER_AFTER_NO.match(piece)
        if piece == COMMA or is_number_token(piece):
            tokens.append(piece)
        elif numbered:
            tokens.append(numbered.group(1))  # NO12: house number 12
        else:
            tokens.extend(p for p in re.split(r"[-/]", piece) if p)
    return tokens


def _merge_suffix_letters(tokens: list[str]) -> list[str]:
    """``10 A HIGH ST`` -> ``10A HIGH ST`` (a lone letter after a plain number is its suffix),
    also before a comma, a number or the end (``FLAT 2 A, 9 HIGH ST``). A Welsh article
    (``5 Y GARTH``) stays a word.

    Commas are looked through, so the result does not depend on where they were.
    """
    out: list[str] = []
    last = -1  # index in ``out`` of the last token that is not a comma
    for i, token in enumerate(tokens):
        prev = out[last] if last >= 0 else ""
        lone = len(token) == 1 and token.isalpha()
        nxt = next((t for t in tokens[i + 1 :] if t != COMMA), "")
        ends = not nxt.isalpha() and (not nxt or is_number_token(nxt))
        welsh = token in _WELSH_ARTICLES and nxt.isalpha()
        if lone and (nxt.isalpha() or ends) and prev.isdigit() and not welsh:
            out[last] = prev + token
            continue
        out.append(token)
        if token != COMMA:
            last = len(out) - 1
    return out


def _expand(tokens: list[str]) -> list[str]:
    out: list[str] = []
    for i, token in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else COMMA
        if token in {"NO", "NUMBER"} and is_number_token(nxt):
            continue
        if token in _SAINT_OR_STREET:
            out.append(_saint_or_street(tokens, i, out))
        elif token in words.ORDINALS and nxt in _FLOOR_FOLLOWERS:
            out.append(words.ORDINALS[token])
        elif token in words.FLOOR_ABBREVIATIONS:
            out.extend(words.FLOOR_ABBREVIATIONS[token])
        else:
            out.append(_canonical_word(token))
    return out


def _canonical_word(token: str) -> str:
    if token in words.STREET_ABBREVIATIONS:
        return words.STREET_ABBREVIATIONS[token]
    return words.SAO_KEYWORD_SPELLING.get(token, token)


def _saint_or_street(tokens: list[str], i: int, done: list[str]) -> str:
    """``ST`` is SAINT before a name (``ST MARYS RD``) and STREET after one (``HIGH ST``)."""
    nxt = tokens[i + 1] if i + 1 < len(tokens) else COMMA
    if nxt == COMMA or is_number_token(nxt):
        return "STREET"
    after = _canonical_word(tokens[i + 2]) if i + 2 < len(tokens) else COMMA
    prev = done[-1] if done else COMMA
    if after in words.STREET_TYPES or after == "ST":
        return "SAINT"
    saint_before = prev in {COMMA, "AND", "STREET"} or is_number_token(prev)
    return "SAINT" if saint_before or prev in words.SAO_KEYWORDS else "STREET"
