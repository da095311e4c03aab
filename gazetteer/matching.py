"""Score gazetteer candidates against a typed address and decide the match status (pure).

For each candidate the matcher gives per-component evidence (SAO, PAO number, building name,
street, organisation, locality, town, postcode: matched, partial, missing or conflicting), a
score in 0..1, a match reason, and the blockers that keep it from being used automatically.
The ranking groups candidates by UPRN; the result's status is:

* ``matched``: the best candidate has no blocker, its score reaches the auto threshold, and it
  leads the next UPRN by at least the minimum margin. A conflicting or missing flat or house
  number is always a blocker, as are a fuzzy street without an exact postcode and an address
  with neither a postcode nor a town to confirm the place.
* ``review``: the best score reaches the review threshold; a person should decide.
* ``unmatched``: nothing came close.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from gazetteer import addressparse, matchaon, matchtext
from gazetteer import addresswords as words
from gazetteer.addresstokens import AonParts
from gazetteer.matchaon import CONFLICTING, MATCHED, MISSING, PARTIAL
from gazetteer.matchevidence import (
    FUZZY_STREET,
    NO_PLACE,
    ComponentEvidence,
    QueryFacts,
    blockers_of,
    query_facts,
    reason_of,
    score_of,
    text_evidence,
)
from gazetteer.matchplace import place_noise

__all__ = [
    "CONFLICTING",
    "MATCHED",
    "MISSING",
    "PARTIAL",
    "CandidateAddress",
    "ComponentEvidence",
    "MatchResult",
    "ScoredCandidate",
    "Thresholds",
    "match",
    "score_candidate",
]

SHORTLIST = 40
# How far the best UPRN must lead the next for a match resting on its distinctiveness alone.
DISTINGUISHING_MARGIN = 0.1
FUZZY_STREET_SIMILARITY = 0.8
STATUS_MATCHED = "matched"
STATUS_REVIEW = "review"
STATUS_UNMATCHED = "unmatched"


@dataclass(frozen=True, kw_only=True, slots=True)
class Thresholds:
    """``auto``: lowest score used automatically; ``review``: lowest worth a person's time;
    ``min_margin``: how far the best UPRN must lead the next one to be used automatically."""

    auto: float = 0.9
    review: float = 0.5
    min_margin: float = 0.05


@dataclass(frozen=True, kw_only=True, slots=True)
class CandidateAddress:
    """One addressable label of a UPRN, its texts in canonical form (see :func:`make_candidate`)."""

    uprn: int
    source: str
    label: str
    sao: AonParts = field(default_factory=AonParts)
    pao: AonParts = field(default_factory=AonParts)
    organisation: str | None = None
    street: str | None = None
    locality: str | None = None
    town: str | None = None
    post_town: str | None = None
    postcode: str | None = None
    label_key: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class ScoredCandidate:
    candidate: CandidateAddress
    score: float
    evidence: tuple[ComponentEvidence, ...]
    match_reason: str
    blockers: tuple[str, ...]
    exact: bool = False
    leftover: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class MatchResult:
    """The decision for one typed address; ``uprn`` is set only when ``status`` is matched."""

    query: addressparse.ParsedAddress
    status: str
    uprn: int | None
    score: float
    margin: float
    match_reason: str | None
    candidates: tuple[ScoredCandidate, ...]
    blockers: tuple[str, ...] = ()


def score_candidate(query: QueryFacts, candidate: CandidateAddress) -> ScoredCandidate:
    """Evidence, score, reason and blockers of one candidate for one query."""
    best = _score_reading(query, query.readings[0], candidate)
    for reading in query.readings[1:]:
        if _numbers_agree(best):
            break
        scored = _score_reading(query, reading, candidate)
        if scored.score > best.score:
            best = scored
    return best


def _numbers_agree(scored: ScoredCandidate) -> bool:
    """No other reading of the query's numbers can do better than this one."""
    numbered = (e for e in scored.evidence if e.component in {"sao", "pao"})
    return all(e.status == MATCHED for e in numbered)


def _score_reading(
    query: QueryFacts, reading: matchaon.Reading, candidate: CandidateAddress
) -> ScoredCandidate:
    pool = list(query.pool)
    evidence = _number_evidence(reading, candidate, pool)
    evidence += text_evidence(query, candidate, pool)
    exact = _is_exact(query, candidate)
    leftover = _leftover(pool)
    place_given = bool(leftover or query.parsed.postcode_outward or query.parsed.postcode)
    noise = place_noise(leftover, query=query, evidence=evidence)
    leftover = tuple(w for w in leftover if w not in noise)
    unexplained = len(leftover) + len(query.parsed.other_numbers)
    # The district stands for the place only when no word of the query is left unexplained:
    # a word left over may name a town whose street of that name the gazetteer lacks.
    district = query.district and not leftover
    score = score_of(
        evidence, unexplained=unexplained, exact=exact, place_given=place_given, district=district
    )
    return ScoredCandidate(
        candidate=candidate,
        score=score,
        evidence=tuple(evidence),
        match_reason="exact label" if exact else reason_of(evidence, district=district),
        blockers=blockers_of(evidence, query=query, leftover=leftover, district=district),
        exact=exact,
        leftover=leftover,
    )


def _number_evidence(
    reading: matchaon.Reading, candidate: CandidateAddress, pool: list[str]
) -> list[ComponentEvidence]:
    sao = matchaon.compare_sao(reading.sao, candidate.sao)
    if sao.status == MISSING and not candidate.sao.has_number and candidate.sao.text:
        sao = _sao_text_in_pool(candidate.sao, pool) or sao
    pao = matchaon.compare_pao_numbers(reading.pao, candidate.pao)
    found = []
    for name, verdict in (("sao", sao), ("pao", pao)):
        if verdict.status is not None:
            found.append(
                ComponentEvidence(
                    component=name,
                    status=verdict.status,
                    similarity=verdict.similarity,
                    query=verdict.query,
                    candidate=verdict.candidate,
                )
            )
    return found


def _sao_text_in_pool(sao: AonParts, pool: list[str]) -> matchaon.AonVerdict | None:
    """A SAO text the parser did not recognise (``STAFF QUARTERS``) may sit among the words."""
    target = matchtext.words_of(sao.text)
    window = matchtext.find_window(target, pool)
    if window is None or window.similarity < 0.8:
        return None
    del pool[window.start : window.end]
    status = MATCHED if window.similarity == 1.0 else PARTIAL
    return matchaon.AonVerdict(
        status=status, similarity=window.similarity, query=sao.text, candidate=sao.text
    )


def _is_exact(query: QueryFacts, candidate: CandidateAddress) -> bool:
    postcode_agrees = query.parsed.postcode in {None, candidate.postcode}
    return postcode_agrees and query.label_key == candidate.label_key


def _leftover(pool: list[str]) -> tuple[str, ...]:
    ignored = matchtext.STOP_WORDS | words.NOISE_WORDS | words.COUNTY_WORDS
    return tuple(w for w in pool if w not in ignored)


def match(
    parsed: addressparse.ParsedAddress,
    candidates: Iterable[CandidateAddress],
    *,
    thresholds: Thresholds,
    limit: int = 10,
    shortlist: int = SHORTLIST,
    street_towns: int | None = None,
    district_places: int | None = None,
) -> MatchResult:
    """Rank ``candidates`` (best label per UPRN) and decide matched, review or unmatched.

    Only the ``shortlist`` candidates that agree most on numbers, postcode and words are
    scored in full; the others cannot outscore them. ``street_towns`` is in how many towns
    (0, 1, or 2 for more) the street the query names exists as typed, when known: a street
    only resembling a typed street that exists is another street, never a typo of it, and an
    address typed without any place is distinctive only on a street that one town has.
    ``district_places`` is in how many places (0, 1, or 2 for more) a street of the typed name
    lies within the typed postcode's district, when known: with one, and no address with the
    typed number at the typed postcode, a postcode of another sector of that district is taken
    for an old one once the street and the number agree exactly.
    """
    chosen = list(candidates)
    query = query_facts(parsed)
    if district_places == 1 and not _postcode_holds_number(query, chosen):
        query = replace(query, district=True)
    best: dict[int, ScoredCandidate] = {}
    for candidate in _shortlist(query, chosen, shortlist):
        scored = score_candidate(query, candidate)
        held = best.get(candidate.uprn)
        if held is None or _rank_key(scored) > _rank_key(held):
            best[candidate.uprn] = scored
    ranked = sorted(best.values(), key=_rank_key, reverse=True)
    return _decide(parsed, ranked, thresholds, limit, street_towns=street_towns)


def _postcode_holds_number(query: QueryFacts, candidates: list[CandidateAddress]) -> bool:
    """Whether a candidate at the typed postcode has a house number (or the house name) the
    query may mean: then the postcode may be right and the street wrong, and it is not taken
    for an old one."""
    postcode = query.parsed.postcode
    if postcode is None:
        return False
    numbers = {r.pao.number for r in query.readings} - {None}
    name = query.parsed.pao_text
    return any(
        c.postcode == postcode and (c.pao.number in numbers or (name and c.pao.text == name))
        for c in candidates
    )


def _shortlist(
    query: QueryFacts, candidates: list[CandidateAddress], size: int
) -> list[CandidateAddress]:
    if len(candidates) <= size:
        return candidates
    numbers = {a.number for r in query.readings for a in (r.sao, r.pao) if a.number is not None}
    pool = set(query.pool)
    parsed = query.parsed

    def agreement(candidate: CandidateAddress) -> tuple[int, int, int]:
        own = {candidate.sao.number, candidate.pao.number} - {None}
        texts = (candidate.street, candidate.pao.text, candidate.town, candidate.locality)
        shared = sum(1 for text in texts if text for w in text.split() if w in pool)
        postcode = candidate.postcode or ""
        place = 2 if postcode == parsed.postcode else int(postcode[:-4] == parsed.postcode_outward)
        return (len(own & numbers) - len(own - numbers), shared, place)

    return sorted(candidates, key=agreement, reverse=True)[:size]


def _rank_key(scored: ScoredCandidate) -> tuple[float, bool, bool, int]:
    return (scored.score, scored.exact, not scored.blockers, -scored.candidate.uprn)


def _decide(
    parsed: addressparse.ParsedAddress,
    ranked: list[ScoredCandidate],
    thresholds: Thresholds,
    limit: int,
    *,
    street_towns: int | None,
) -> MatchResult:
    if not ranked:
        return MatchResult(
            query=parsed, status=STATUS_UNMATCHED, uprn=None, score=0.0, margin=0.0,
            match_reason=None, candidates=(), blockers=("no candidates",),
        )  # fmt: skip
    top = ranked[0]
    margin = top.score - ranked[1].score if len(ranked) > 1 else top.score
    blockers = list(top.blockers)
    if margin >= DISTINGUISHING_MARGIN:
        lifted = distinguishable(top, parsed, street_towns=street_towns)
        blockers = [b for b in blockers if b not in lifted]
    if top.score < thresholds.auto:
        blockers.append("score below the automatic threshold")
    if margin < thresholds.min_margin:
        blockers.append("too close to the next candidate")
    status = STATUS_MATCHED if not blockers else STATUS_REVIEW
    if status == STATUS_REVIEW and top.score < thresholds.review:
        status = STATUS_UNMATCHED
    return MatchResult(
        query=parsed,
        status=status,
        uprn=top.candidate.uprn if status == STATUS_MATCHED else None,
        score=top.score,
        margin=round(margin, 4),
        match_reason=top.match_reason,
        candidates=tuple(ranked[:limit]),
        blockers=tuple(blockers),
    )


def distinguishable(
    top: ScoredCandidate, parsed: addressparse.ParsedAddress, *, street_towns: int | None
) -> frozenset[str]:
    """The blockers a clear lead lifts, for a best candidate that leads the next UPRN by at
    least ``DISTINGUISHING_MARGIN``, every number matched and nothing left over:

    * an address typed without any place (no postcode, town or county) on a street of that
      exact name that only one town has;
    * a street typed with a typo (no street of that spelling exists) in a town that matches.
    """
    status = {e.component: e for e in top.evidence}
    numbered = "pao" in status and all(
        status[c].status == MATCHED for c in ("sao", "pao") if c in status
    )
    street = status.get("street")
    if not numbered or street is None or top.leftover or parsed.other_numbers:
        return frozenset()
    typo = street.status == PARTIAL and street.similarity >= FUZZY_STREET_SIMILARITY
    if street_towns is None or parsed.postcode or parsed.postcode_outward:
        return frozenset()
    place = {status[c].status for c in ("town", "locality") if c in status}
    county = any(w in words.COUNTY_WORDS for w in parsed.words)
    if street.status == MATCHED and street_towns == 1 and MATCHED not in place and not county:
        return frozenset({NO_PLACE})
    if typo and street_towns == 0 and MATCHED in place:
        return frozenset({FUZZY_STREET})
    return frozenset()


def apply_decision(result: MatchResult, *, uprn: int | None) -> MatchResult:
    """The result as a person decided it: their UPRN (``matched``) or none (``unmatched``)."""
    return replace(
        result,
        status=STATUS_MATCHED if uprn is not None else STATUS_UNMATCHED,
        uprn=uprn,
        match_reason="confirmed by review" if uprn is not None else "rejected by review",
        blockers=(),
    )
