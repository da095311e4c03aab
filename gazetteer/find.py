"""Finding addresses: match a typed address, search, and list the addresses at a postcode.

Use cases over the search index (:mod:`gazetteer.search_index` keeps it current). Matching and
search share one retrieval (:mod:`gazetteer.search_repository`) and one scorer
(:mod:`gazetteer.matching`); search ranks by the score, matching also decides a status.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import orm

from core.settings import Settings
from gazetteer import (
    addressparse,
    addresswords,
    domain,
    matching,
    matchtext,
    repository,
    reviews,
    search_facts,
)
from gazetteer import postcode as postcodes
from gazetteer import search_repository as repo
from gazetteer.addresstokens import is_number_token, tokenise
from gazetteer.errors import StreetNotFound
from gazetteer.search_repository import Filters

__all__ = [
    "AddressSummary",
    "Filters",
    "SearchPage",
    "addresses_at_postcode",
    "match_address",
    "search",
    "thresholds",
]

MATCH_FILTERS = Filters()
# Search ranks fewer rows than matching decides on: a page needs the best, not the margin.
SEARCH_BLOCK = 50
SEARCH_SHORTLIST = 20
_SOURCE_PREFERENCE = {"lpi": 0, "dpa": 1, "listed": 2}
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’.][A-Za-z]+)?")


@dataclass(frozen=True, kw_only=True, slots=True)
class AddressSummary:
    """One address in a list: its best label, and where the query's words sit in it."""

    uprn: int
    label: str
    source: str
    postcode: str | None
    classification: str | None
    score: float | None = None
    highlights: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class SearchPage:
    query: str
    total: int
    results: tuple[AddressSummary, ...]


def thresholds(settings: Settings) -> matching.Thresholds:
    return matching.Thresholds(
        auto=settings.match_auto_threshold,
        review=settings.match_review_threshold,
        min_margin=settings.match_min_margin,
    )


def match_address(
    *,
    session: orm.Session,
    text: str,
    settings: Settings,
    filters: Filters = MATCH_FILTERS,
    limit: int = 5,
) -> matching.MatchResult:
    """Ranked candidates with evidence for ``text``, and matched / review / unmatched.

    A decision a person took on the same input (see :mod:`gazetteer.reviews`) wins.
    """
    parsed = addressparse.parse(text)
    candidates = _candidates(session, parsed, filters)
    result = matching.match(
        parsed,
        candidates,
        thresholds=thresholds(settings),
        limit=limit,
        street_towns=_street_towns(session, parsed),
        district_places=_district_places(session, parsed, candidates),
    )
    decision = reviews.decision_for(session, parsed)
    if decision is None:
        return result
    return matching.apply_decision(result, uprn=decision.uprn)


def search(
    *,
    session: orm.Session,
    q: str,
    settings: Settings,
    filters: Filters = MATCH_FILTERS,
    limit: int = 10,
    offset: int = 0,
) -> SearchPage:
    """Addresses like ``q``, best first, one per UPRN, with highlight spans."""
    parsed = addressparse.parse(q)
    tokens = query_tokens(parsed, _last_word(q), limit=SEARCH_BLOCK, typing=True)
    candidates = _candidates(session, parsed, filters, tokens)
    result = matching.match(
        parsed,
        candidates,
        thresholds=thresholds(settings),
        limit=offset + limit,
        shortlist=max(SEARCH_SHORTLIST, offset + limit),
    )
    words = _query_words(q)
    page = result.candidates[offset : offset + limit]
    summaries = tuple(_summary(scored, words) for scored in page)
    total = len({c.uprn for c in candidates})
    return SearchPage(query=q, total=total, results=summaries)


def addresses_at_postcode(
    *, session: orm.Session, postcode: str, filters: Filters = MATCH_FILTERS
) -> list[AddressSummary]:
    """Every address at ``postcode``, in natural order: street, PAO number and suffix, SAO."""
    normal = postcodes.parse(postcode)
    best = _best_per_uprn(repo.postcode_rows(session, normal, filters))
    ordered = sorted(best, key=natural_order)
    return [_plain_summary(row) for row in ordered]


@dataclass(frozen=True, kw_only=True, slots=True)
class StreetAddresses:
    usrn: int
    descriptors: tuple[domain.StreetDescriptor, ...]
    addresses: tuple[AddressSummary, ...]


def street(*, session: orm.Session, usrn: int, filters: Filters = MATCH_FILTERS) -> StreetAddresses:
    """A street's names (one per language) and its addresses in natural order."""
    descriptors = repository.descriptors_of(session, [usrn])
    if not descriptors:
        raise StreetNotFound(f"no street has USRN {usrn}", details={"usrn": usrn})
    best = _best_per_uprn(repo.street_rows(session, usrn, filters))
    ordered = tuple(_plain_summary(row) for row in sorted(best, key=natural_order))
    return StreetAddresses(usrn=usrn, descriptors=tuple(descriptors), addresses=ordered)


def summaries_for(
    session: orm.Session, uprns: Iterable[int], filters: Filters = MATCH_FILTERS
) -> list[AddressSummary]:
    """The preferred label of each UPRN that passes ``filters`` (any order)."""
    return summaries_of(repo.uprn_rows(session, uprns, filters))


def summaries_of(rows: Iterable[Sequence[Any]]) -> list[AddressSummary]:
    """The preferred label of each UPRN among list rows, any order: tuples whose first seven
    values are those of ``repo.LIST_COLUMNS`` (uprn, source, source key, label, label status,
    postcode, classification)."""
    return [_plain_summary(row) for row in _best_per_uprn(rows)]


# Positions in a list row (repo.LIST_COLUMNS).
_UPRN, _SOURCE, _SOURCE_KEY, _LABEL, _LABEL_STATUS, _POSTCODE, _CLASSIFICATION = map(
    repo.LIST_COLUMNS.index,
    ("uprn", "source", "source_key", "label", "label_status", "postcode", "classification"),
)
_STREET_KEY, _PAO_NUMBER, _PAO_SUFFIX, _PAO_TEXT, _SAO_NUMBER, _SAO_SUFFIX, _SAO_TEXT = map(
    repo.LIST_COLUMNS.index,
    ("street_key", "pao_number", "pao_suffix", "pao_text", "sao_number", "sao_suffix", "sao_text"),
)
_BIG = 1 << 40


def natural_order(row: Sequence[Any]) -> tuple[Any, ...]:
    """Street, then PAO number and suffix (named buildings after numbers), then SAO."""
    pao_number, sao_number = row[_PAO_NUMBER], row[_SAO_NUMBER]
    return (
        row[_STREET_KEY] or "",
        pao_number if pao_number is not None else _BIG,
        row[_PAO_SUFFIX] or "",
        row[_PAO_TEXT] or "",
        sao_number if sao_number is not None else -1,
        row[_SAO_SUFFIX] or "",
        row[_SAO_TEXT] or "",
        row[_UPRN],
    )


def _best_per_uprn(rows: Iterable[Sequence[Any]]) -> list[Sequence[Any]]:
    best: dict[int, Sequence[Any]] = {}
    for row in rows:
        held = best.get(row[_UPRN])
        if held is None or _preference(row) < _preference(held):
            best[row[_UPRN]] = row
    return list(best.values())


def _preference(row: Sequence[Any]) -> tuple[int, int, str]:
    approved = 0 if row[_LABEL_STATUS] in {"1", None} else 1
    return (_SOURCE_PREFERENCE.get(row[_SOURCE], 9), approved, row[_SOURCE_KEY])


def query_tokens(
    parsed: addressparse.ParsedAddress,
    prefix: str | None = None,
    *,
    limit: int = repo.BLOCK_LIMIT,
    typing: bool = False,
) -> repo.QueryTokens:
    """The tokens retrieval looks up for a parsed query (``typing``: the query may be
    unfinished, so a street it ends with, or the words after its number, are looked up as
    the start of a street name)."""
    numbers = {str(a.number) for a in (parsed.sao, parsed.pao) if a.number is not None}
    numbers |= {n for n in parsed.other_numbers if n.isdigit()}
    words = set(parsed.words) - matchtext.STOP_WORDS - addresswords.SAO_HINTS
    if parsed.postcode:
        words |= set(parsed.postcode.split())
    elif parsed.postcode_outward:
        words.add(parsed.postcode_outward)
    partial = typing and not parsed.rest and not parsed.postcode
    # A named building without a house number (``FLAT 2, KINGSLEY COURT, MANOR CLOSE``): the
    # number is the flat's, so the street-and-number block would look up the wrong house.
    # The word block finds the block's flats; the scorer looks at no more than its shortlist.
    named_only = parsed.pao_text is not None and parsed.pao_number is None and bool(numbers)
    street = None if named_only else parsed.street
    limit = min(limit, matching.SHORTLIST) if named_only else limit
    if partial and street is None and parsed.pao_number is not None and parsed.words:
        street = " ".join(parsed.words)
    return repo.QueryTokens(
        postcode=parsed.postcode,
        numbers=tuple(sorted(numbers)),
        words=tuple(sorted(words)),
        prefix=prefix,
        street=street,
        street_partial=partial,
        rest=parsed.rest,
        limit=limit,
    )


def _candidates(
    session: orm.Session,
    parsed: addressparse.ParsedAddress,
    filters: Filters,
    tokens: repo.QueryTokens | None = None,
) -> list[matching.CandidateAddress]:
    ids = repo.candidate_ids(session, tokens or query_tokens(parsed))
    if not ids:
        ids = repo.trigram_ids(session, parsed.normalised)
    return [search_facts.candidate_from_values(row) for row in repo.rows(session, ids, filters)]


def asks_street_towns(parsed: addressparse.ParsedAddress) -> bool:
    """Whether the matcher needs to know in how many towns the typed street lies: only for a
    query without a postcode (to tell a typo, or a distinctive street)."""
    return bool(parsed.street) and not (parsed.postcode or parsed.postcode_outward)


def _street_towns(session: orm.Session, parsed: addressparse.ParsedAddress) -> int | None:
    """In how many towns the typed street exists (0, 1, 2+), when the matcher asks."""
    if not parsed.street or not asks_street_towns(parsed):
        return None
    return repo.street_towns(session, parsed.street)


def district_asked(
    parsed: addressparse.ParsedAddress, placed: Iterable[tuple[str | None, str | None]]
) -> tuple[str, str] | None:
    """The (street, postcode district) whose places the matcher needs to know, if any: for a
    query with a street, a house number or name and a postcode (or its district) that no
    candidate on the typed street has, which may be an old postcode (see
    :func:`matching.match`). ``placed``: each candidate's (postcode, street)."""
    if not parsed.street or not parsed.postcode_outward:
        return None
    if parsed.pao_number is None and not parsed.pao_text:
        return None
    if parsed.postcode and (parsed.postcode, parsed.street) in set(placed):
        return None
    return (parsed.street, parsed.postcode_outward)


def _district_places(
    session: orm.Session,
    parsed: addressparse.ParsedAddress,
    candidates: Sequence[matching.CandidateAddress],
) -> int | None:
    asked = district_asked(parsed, ((c.postcode, c.street) for c in candidates))
    return None if asked is None else repo.district_places(session, [asked])[asked]


def _last_word(q: str) -> str | None:
    """The last word typed, for prefix search, when the text does not end in a space."""
    if not q or q[-1].isspace():
        return None
    tokens = tokenise(q.rsplit(maxsplit=1)[-1]) if q.split() else []
    word = tokens[-1] if tokens else ""
    return word if len(word) >= 2 and not is_number_token(word) else None


def _query_words(q: str) -> set[str]:
    return {t for t in tokenise(q) if t != ","}


def _summary(scored: matching.ScoredCandidate, words: set[str]) -> AddressSummary:
    candidate = scored.candidate
    return AddressSummary(
        uprn=candidate.uprn,
        label=candidate.label,
        source=candidate.source,
        postcode=candidate.postcode,
        classification=None,
        score=scored.score,
        highlights=highlights(candidate.label, words),
    )


def highlights(label: str, words: set[str]) -> tuple[tuple[int, int], ...]:
    """Character spans of the label's words whose canonical form the query contains."""
    spans = []
    for found in _WORD.finditer(label):
        canonical = _canonical_word(found.group(0))
        if canonical and (canonical in words or _prefix_hit(canonical, words)):
            spans.append((found.start(), found.end()))
    return tuple(spans)


@functools.lru_cache(maxsize=65536)
def _canonical_word(word: str) -> str | None:
    tokens = tokenise(word)
    return tokens[0] if tokens else None


def _prefix_hit(word: str, words: set[str]) -> bool:
    return any(len(w) >= 3 and word.startswith(w) for w in words)


def _plain_summary(row: Sequence[Any]) -> AddressSummary:
    return AddressSummary(
        uprn=row[_UPRN],
        label=row[_LABEL],
        source=row[_SOURCE],
        postcode=row[_POSTCODE],
        classification=row[_CLASSIFICATION],
    )
