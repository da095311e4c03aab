"""Parse a UK address as a person types it into BS7666 parts (pure).

``parse("flat 2, 10a high st, newtown ex11ae")`` gives SAO 2, PAO 10A, street ``HIGH STREET``,
rest ``("NEWTOWN",)`` and postcode ``EX1 1AE``. The same normalisation (:func:`normalise_text`)
applies to gazetteer labels, so both sides of a match speak the same canonical words:
upper case, no punctuation, abbreviations expanded (``RD`` -> ``ROAD``; ``ST`` -> ``SAINT`` before
a name and ``STREET`` after one), ordinals spelt out, postcodes in their one-space form.

Roles the text does not settle are guessed and flagged: a number is a flat only when a word says
so (``FLAT 2``), or when two numbers stand together (``2, 10 HIGH ST`` and ``10/2``); the
matcher may try the other reading when ``sao_from_keyword`` is false.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gazetteer import addresspostcode
from gazetteer import addresswords as words
from gazetteer.addresstokens import (
    COMMA,
    AonParts,
    aon_from_token,
    canonical_tokens,
    is_number_token,
    is_slash_token,
    raw_tokens,
    split_segments,
    tokenise,
)

__all__ = ["AonParts", "ParsedAddress", "normalise_text", "parse", "parse_aon_text"]


@dataclass(frozen=True, kw_only=True, slots=True)
class ParsedAddress:
    """A typed address split into BS7666 parts. Every text value is canonical upper case."""

    raw: str
    normalised: str
    sao_number: int | None = None
    sao_suffix: str | None = None
    sao_end_number: int | None = None
    sao_end_suffix: str | None = None
    sao_text: str | None = None
    sao_kind: str | None = None
    sao_from_keyword: bool = False
    pao_number: int | None = None
    pao_suffix: str | None = None
    pao_end_number: int | None = None
    pao_end_suffix: str | None = None
    pao_text: str | None = None
    street: str | None = None
    rest: tuple[str, ...] = ()
    other_numbers: tuple[str, ...] = ()
    slash_form: bool = False
    postcode: str | None = None
    postcode_outward: str | None = None
    postcode_sector: str | None = None

    @property
    def sao(self) -> AonParts:
        return AonParts(
            number=self.sao_number,
            suffix=self.sao_suffix,
            end_number=self.sao_end_number,
            end_suffix=self.sao_end_suffix,
            text=self.sao_text,
            kind=self.sao_kind,
        )

    @property
    def pao(self) -> AonParts:
        return AonParts(
            number=self.pao_number,
            suffix=self.pao_suffix,
            end_number=self.pao_end_number,
            end_suffix=self.pao_end_suffix,
            text=self.pao_text,
        )

    @property
    def words(self) -> tuple[str, ...]:
        """Every word that is neither a number nor the postcode, in reading order."""
        parts = (self.sao_text, self.pao_text, self.street, *self.rest)
        return tuple(w for part in parts if part for w in part.split())


def normalise_text(raw: str) -> str:
    """The canonical form of any address text: one line of upper-case words, no commas."""
    tokens, found = addresspostcode.extract(raw_tokens(raw))
    body = " ".join(t for t in canonical_tokens(tokens) if t != COMMA)
    return f"{body} {found.text}".strip() if found.text else body


def parse(raw: str) -> ParsedAddress:
    """Split ``raw`` into SAO, PAO, street, other place words and postcode."""
    tokens, found = addresspostcode.extract(raw_tokens(raw))
    tokens = canonical_tokens(tokens)
    body = " ".join(t for t in tokens if t != COMMA)
    sao, tokens = _take_sao(tokens)
    parts = _assign_numbers(tokens, sao)
    text = f"{body} {found.text}".strip() if found.text else body
    return _build(raw, text, found, parts)


def parse_aon_text(text: str | None) -> AonParts:
    """A gazetteer SAO/PAO text or PAF (sub-)building name as number, suffix, text and kind.

    ``FLAT 2`` -> number 2, kind FLAT; ``98A`` -> 98 suffix A; ``GROUND FLOOR FLAT`` -> text
    ``GROUND FLOOR``, kind FLAT; ``ROSE COURT`` -> text ``ROSE COURT``.
    """
    if not text:
        return AonParts()
    tokens = [t for t in tokenise(text) if t != COMMA]
    kind = next((words.SAO_KEYWORDS[t] for t in tokens if t in words.SAO_KEYWORDS), None)
    numbers = [t for t in tokens if is_number_token(t)]
    rest = [t for t in tokens if t not in words.SAO_KEYWORDS and not is_number_token(t)]
    aon = aon_from_token(numbers[0]) if len(numbers) == 1 else AonParts()
    if len(numbers) > 1:
        rest = [t for t in tokens if t not in words.SAO_KEYWORDS]
    return AonParts(
        number=aon.number,
        suffix=aon.suffix,
        end_number=aon.end_number,
        end_suffix=aon.end_suffix,
        text=" ".join(rest) or aon.text,
        kind=kind,
    )


# --- SAO ----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class _Sao:
    aon: AonParts = field(default_factory=AonParts)
    from_keyword: bool = False


def _take_sao(tokens: list[str]) -> tuple[_Sao, list[str]]:
    """Remove ``FLAT 2``-style pairs and floor phrases (``GROUND FLOOR FLAT``) from ``tokens``."""
    numbered, tokens = _take_keyword_number(tokens)
    text, kind, tokens = _take_floor_phrase(tokens)
    if numbered is None and text is None:
        return _Sao(), tokens
    base = numbered or AonParts()
    merged_text = " ".join(t for t in (text, base.text) if t) or None
    aon = AonParts(
        number=base.number,
        suffix=base.suffix,
        end_number=base.end_number,
        end_suffix=base.end_suffix,
        text=merged_text,
        kind=base.kind or kind,
    )
    return _Sao(aon=aon, from_keyword=True), tokens


def _take_keyword_number(tokens: list[str]) -> tuple[AonParts | None, list[str]]:
    for i, token in enumerate(tokens[:-1]):
        following = tokens[i + 1]
        if token not in words.SAO_KEYWORDS or not _is_sao_value(following):
            continue
        if _floor_then_pao(tokens, i):
            continue
        aon = aon_from_token(following) if is_number_token(following) else AonParts()
        text = following if not is_number_token(following) or is_slash_token(following) else None
        if is_slash_token(following):
            aon = AonParts()
        kind = words.SAO_KEYWORDS[token]
        found = AonParts(
            number=aon.number,
            suffix=aon.suffix,
            end_number=aon.end_number,
            end_suffix=aon.end_suffix,
            text=text,
            kind=kind,
        )
        return found, tokens[:i] + tokens[i + 2 :]
    return None, tokens


def _floor_then_pao(tokens: list[str], i: int) -> bool:
    """``GROUND FLOOR FLAT 7 PARK RD``: the number after a floor phrase is the PAO."""
    after_floor = i > 0 and tokens[i - 1] in words.FLOOR_WORDS
    return after_floor and not any(is_number_token(t) for t in tokens[i + 2 :])


def _is_sao_value(token: str) -> bool:
    return is_number_token(token) or (len(token) == 1 and token.isalpha())


def _take_floor_phrase(tokens: list[str]) -> tuple[str | None, str | None, list[str]]:
    allowed = words.FLOOR_WORDS | words.SAO_STANDALONE | frozenset(words.SAO_KEYWORDS)
    i = 0
    while i < len(tokens):
        j = i
        while j < len(tokens) and tokens[j] in allowed:
            j += 1
        run = tokens[i:j]
        after = tokens[j] if j < len(tokens) else None
        if run and _is_floor_phrase(run, after):
            kind = next((words.SAO_KEYWORDS[t] for t in run if t in words.SAO_KEYWORDS), None)
            start = i - 1 if i > 0 and tokens[i - 1] == "THE" else i
            text = [t for t in tokens[start:j] if t not in words.SAO_KEYWORDS] or run
            return " ".join(text), kind, tokens[:start] + tokens[j:]
        i = j + 1 if j == i else j
    return None, None, tokens


def _is_floor_phrase(run: list[str], after: str | None) -> bool:
    if after in words.STREET_TYPES:
        return False
    marks = {"FLOOR", "BASEMENT"} | words.SAO_STANDALONE
    flat_kind = any(words.SAO_KEYWORDS.get(t) == "FLAT" for t in run)
    return flat_kind or any(t in marks for t in run)


# --- numbers, building names and street ------------------------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class _Parts:
    sao: _Sao
    pao: AonParts
    street: str | None
    rest: tuple[str, ...]
    other: tuple[str, ...] = ()
    slash: bool = False


def _assign_numbers(tokens: list[str], sao: _Sao) -> _Parts:
    segments = split_segments(tokens)
    flat = [(s, t) for s, segment in enumerate(segments) for t in segment]
    numbers = [k for k, (_, t) in enumerate(flat) if is_number_token(t)]
    if not numbers:
        building, street, rest = _names_without_number(segments)
        return _Parts(sao=sao, pao=AonParts(text=building), street=street, rest=rest)
    pao_at = _pao_position(flat, numbers)
    pao_token = flat[pao_at][1]
    earlier = [flat[k][1] for k in numbers if k < pao_at]
    other = [flat[k][1] for k in numbers if k > pao_at]
    sao_aon, slash = sao.aon, False
    if is_slash_token(pao_token) and sao_aon.is_empty and not earlier:
        first, second = pao_token.split("/")
        pao_token, sao_aon, slash = first, aon_from_token(second), True
    elif earlier and sao_aon.is_empty:
        sao_aon = _sao_from_token(earlier.pop())
    building, street, rest = _names_around(flat, numbers, pao_at, segments)
    pao = aon_from_token(pao_token).with_text(building)
    numbered = _numbered_building(street, segments, flat[pao_at][0])
    if sao_aon.is_empty and not earlier and not slash and numbered:
        sao_aon, pao = pao.with_text(None), AonParts(text=street)
        street, rest = _street_from_rest(segments, flat[pao_at][0])
    return _Parts(
        sao=_Sao(aon=sao_aon, from_keyword=sao.from_keyword),
        pao=pao,
        street=street,
        rest=rest,
        other=tuple(earlier + other),
        slash=slash,
    )


def _numbered_building(street: str | None, segments: list[list[str]], segment: int) -> bool:
    """``1A ROSE COURT, MAIN STREET``: a numbered building name, then a street segment."""
    if not street or street.split()[-1] not in words.BUILDING_WORDS:
        return False
    following = segments[segment + 1] if segment + 1 < len(segments) else []
    plain = not any(is_number_token(t) for t in following)
    return plain and bool(following) and following[-1] in words.STREET_TYPES


def _street_from_rest(
    segments: list[list[str]], segment: int
) -> tuple[str | None, tuple[str, ...]]:
    later = segments[segment + 1 :]
    street = " ".join(later[0]) if later else None
    return street, tuple(t for seg in later[1:] for t in seg)


def _sao_from_token(token: str) -> AonParts:
    if is_slash_token(token):
        return AonParts(text=token)
    return aon_from_token(token)


def _pao_position(flat: list[tuple[int, str]], numbers: list[int]) -> int:
    """The PAO is the last number that a word follows in its own segment, else the last one."""
    for k in reversed(numbers):
        after = flat[k + 1] if k + 1 < len(flat) else None
        if after is not None and after[0] == flat[k][0] and not is_number_token(after[1]):
            return k
    return numbers[-1]


def _names_around(
    flat: list[tuple[int, str]],
    numbers: list[int],
    pao_at: int,
    segments: list[list[str]],
) -> tuple[str | None, str | None, tuple[str, ...]]:
    """Building name before the PAO number; street and place words after it."""
    before = [t for k, (_, t) in enumerate(flat[:pao_at]) if k not in numbers]
    segment = flat[pao_at][0]
    same = [t for s, t in flat[pao_at + 1 :] if s == segment and not is_number_token(t)]
    later = [seg for seg in segments[segment + 1 :] if seg]
    if not same and later:  # ``12, HIGH ST``: the number alone, the street next
        same, later = [t for t in later[0] if not is_number_token(t)], later[1:]
    street, spill = _split_street(same, has_commas=bool(later) or len(segments) > 1)
    rest = tuple(spill) + tuple(t for seg in later for t in seg if not is_number_token(t))
    return " ".join(before) or None, " ".join(street) or None, rest


def _split_street(tokens: list[str], *, has_commas: bool) -> tuple[list[str], list[str]]:
    """Cut ``HIGH STREET NEWTOWN`` after the run of street-type words that ends the street."""
    if has_commas:
        return tokens, []
    end = None
    for i, token in enumerate(tokens):
        if token in words.STREET_TYPES and i > 0:
            end = i
            while end + 1 < len(tokens) and tokens[end + 1] in words.STREET_TYPES:
                end += 1
            break
    if end is None:
        return tokens, []
    return tokens[: end + 1], tokens[end + 1 :]


def _names_without_number(
    segments: list[list[str]],
) -> tuple[str | None, str | None, tuple[str, ...]]:
    """``ROSE COTTAGE, HIGH STREET, NEWTOWN`` or ``ROSE COTTAGE HIGH STREET NEWTOWN``."""
    if len(segments) > 1:
        first, *others = segments
        if any(t in words.STREET_TYPES for t in others[0]):
            rest = tuple(t for seg in others[1:] for t in seg)
            return " ".join(first) or None, " ".join(others[0]) or None, rest
        return None, " ".join(first) or None, tuple(t for seg in others for t in seg)
    tokens = segments[0] if segments else []
    # A building word names a building unless a street type follows it (``CHURCH ROAD``).
    cut = next(
        (
            i
            for i, t in enumerate(tokens[:-1])
            if t in words.BUILDING_WORDS and tokens[i + 1] not in words.STREET_TYPES
        ),
        None,
    )
    building = tokens[: cut + 1] if cut is not None else []
    street_words, place_words = _split_street(tokens[len(building) :], has_commas=False)
    return " ".join(building) or None, " ".join(street_words) or None, tuple(place_words)


def _build(
    raw: str, normalised: str, found: addresspostcode.FoundPostcode, parts: _Parts
) -> ParsedAddress:
    sao, pao = parts.sao.aon, parts.pao
    return ParsedAddress(
        raw=raw,
        normalised=normalised,
        sao_number=sao.number,
        sao_suffix=sao.suffix,
        sao_end_number=sao.end_number,
        sao_end_suffix=sao.end_suffix,
        sao_text=sao.text,
        sao_kind=sao.kind,
        sao_from_keyword=parts.sao.from_keyword,
        pao_number=pao.number,
        pao_suffix=pao.suffix,
        pao_end_number=pao.end_number,
        pao_end_suffix=pao.end_suffix,
        pao_text=pao.text,
        street=parts.street,
        rest=tuple(t for t in parts.rest if t not in words.NOISE_WORDS),
        other_numbers=parts.other,
        slash_form=parts.slash,
        postcode=found.full,
        postcode_outward=found.outward,
        postcode_sector=found.sector,
    )
