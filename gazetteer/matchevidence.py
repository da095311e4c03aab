"""Evidence for the word components of a match, and how evidence becomes a score (pure).

See :mod:`gazetteer.matching` for the decision these feed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from gazetteer import addressparse, matchaon, matchtext
from gazetteer import addresswords as words
from gazetteer import matchplace as place
from gazetteer.matchaon import CONFLICTING, MATCHED, MISSING, PARTIAL

if TYPE_CHECKING:
    from gazetteer.matching import CandidateAddress

# How much each component says about identity. Place components (organisation, locality, town,
# postcode) count only when the query names them; a candidate is not marked down for detail
# the person left out.
WEIGHTS = {
    "sao": 0.20,
    "pao": 0.25,
    "building_name": 0.10,
    "street": 0.25,
    "organisation": 0.03,
    "locality": 0.04,
    "town": 0.06,
    "postcode": 0.20,
}
_PLACE = frozenset({"organisation", "locality", "town", "postcode"})
_BEFORE_ORGANISATION = frozenset({"street", "building_name"})
_VALUES = {MATCHED: 1.0, PARTIAL: 0.5, MISSING: 0.0, CONFLICTING: 0.0}
# A building name left out while the house number agrees is common and nearly harmless.
_BUILDING_LEFT_OUT = 0.6
# A house number left out beside a name that agrees: enough to match, less than a house of
# that name without any number (two ``THE BARN`` on one street, one of them numbered).
_NUMBER_LEFT_OUT = 0.8
_NO_PLACE_FACTOR = 0.85
_UNEXPLAINED_STEP = 0.07
_BEST_INEXACT = 0.99
_FUZZY_STREET = 0.8
_MAX_LEFTOVER = 2
NO_PLACE = "no postcode or town confirms the place"
FUZZY_STREET = "street only partly matches"


@dataclass(frozen=True, kw_only=True, slots=True)
class ComponentEvidence:
    """How one component of the query compares with the candidate (similarity 0..1)."""

    component: str
    status: str
    similarity: float = 0.0
    query: str | None = None
    candidate: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class QueryFacts:
    """What the matcher derives once per query: readings, word pool, exact-label key."""

    parsed: addressparse.ParsedAddress
    readings: tuple[matchaon.Reading, ...]
    pool: tuple[str, ...]
    label_key: str
    # The typed postcode's district holds one place with a street of the typed name, and the
    # typed postcode holds no address with the typed number (see :func:`recoded_postcode`).
    district: bool = False


def query_facts(parsed: addressparse.ParsedAddress) -> QueryFacts:
    sao_words = set(matchtext.words_of(parsed.sao_text))
    texts = (parsed.pao_text, parsed.street, *parsed.rest)
    pool = tuple(
        w
        for text in texts
        if text
        for w in text.split()
        if w not in sao_words and w not in matchtext.STOP_WORDS
    )
    return QueryFacts(
        parsed=parsed,
        readings=tuple(matchaon.readings(parsed)),
        pool=pool,
        label_key=label_key(parsed),
    )


def label_key(parsed: addressparse.ParsedAddress) -> str:
    """The normalised text without its postcode: equal keys mean the same label."""
    tail = parsed.postcode or parsed.postcode_sector or parsed.postcode_outward
    body = parsed.normalised
    return body[: -len(tail) - 1] if tail and body.endswith(tail) else body


def text_evidence(
    query: QueryFacts, candidate: CandidateAddress, pool: list[str]
) -> list[ComponentEvidence]:
    """Street, building name, organisation, locality, town and postcode; consumes ``pool``."""
    found = []
    towns = [candidate.town, candidate.post_town]
    named = [("street", candidate.street), ("building_name", candidate.pao.text)]
    name_first = _name_first(candidate, pool)
    if name_first:
        named.reverse()
    for name, text in (
        *named,
        ("locality", candidate.locality if candidate.locality not in towns else None),
    ):
        evidence = _word_evidence(name, text, pool)
        if evidence is not None:
            found.append(evidence)
    if name_first:
        found.sort(key=lambda e: _TEXT_ORDER[e.component])
    town = _town_evidence(candidate, pool)
    if town is not None:
        found.append(town)
    # After the town: an organisation named after it (``NEWTOWN MOTORS``) must not take the
    # town's word from the address.
    organisation = _word_evidence("organisation", candidate.organisation, pool)
    if organisation is not None:
        found.insert(len([e for e in found if e.component in _BEFORE_ORGANISATION]), organisation)
    postcode = _postcode_evidence(query.parsed, candidate.postcode)
    if postcode is not None:
        found.append(postcode)
    return _street_conflict(found, query, pool)


_TEXT_ORDER = {"street": 0, "building_name": 1, "locality": 2}


def _name_first(candidate: CandidateAddress, pool: list[str]) -> bool:
    """A house name typed exactly where its street is not (``MOOR FARM, NEWTOWN`` for
    ``MOOR FARM, MOOR LANE``): the name's words are the name's, not part of a street."""
    if not candidate.pao.text or not candidate.street:
        return False
    target = matchtext.words_of(candidate.pao.text)
    if not all(w in pool for w in target):
        return False  # not typed exactly: the usual case, decided without a window search
    name = matchtext.find_window(target, pool)
    if name is None or name.similarity < 1.0:
        return False
    street = matchtext.find_window(matchtext.words_of(candidate.street), pool)
    return street is None or street.similarity < 1.0


def _word_evidence(name: str, text: str | None, pool: list[str]) -> ComponentEvidence | None:
    target = matchtext.words_of(text)
    if not target:
        return None
    window = matchtext.find_window(target, pool)
    if window is not None and window.similarity >= _FUZZY_STREET:
        query_text = " ".join(pool[window.start : window.end])
        del pool[window.start : window.end]
        status = MATCHED if window.similarity == 1.0 else PARTIAL
        return ComponentEvidence(
            component=name,
            status=status,
            similarity=round(window.similarity, 3),
            query=query_text,
            candidate=text,
        )
    shared = [w for w in target if w in pool and w not in matchtext.STOP_WORDS]
    if shared:
        for word in shared:
            pool.remove(word)
        score = 0.5 * len(shared) / len(target)
        return ComponentEvidence(
            component=name,
            status=PARTIAL,
            similarity=round(score, 3),
            query=" ".join(shared),
            candidate=text,
        )
    return ComponentEvidence(component=name, status=MISSING, candidate=text)


def _town_evidence(candidate: CandidateAddress, pool: list[str]) -> ComponentEvidence | None:
    names = [t for t in dict.fromkeys((candidate.town, candidate.post_town)) if t]
    best: ComponentEvidence | None = None
    kept = pool
    for town in names:
        trial = list(pool)
        evidence = _word_evidence("town", town, trial)
        if evidence is not None and (best is None or _better(evidence, best)):
            best, kept = evidence, trial
    if best is not None and best.status != MISSING:
        pool[:] = list(kept)
    return best


def _better(first: ComponentEvidence, second: ComponentEvidence) -> bool:
    return _VALUES[first.status] + first.similarity > _VALUES[second.status] + second.similarity


def _postcode_evidence(
    parsed: addressparse.ParsedAddress, postcode: str | None
) -> ComponentEvidence | None:
    given = parsed.postcode or parsed.postcode_sector or parsed.postcode_outward
    if given is None:
        return None if postcode is None else _evidence("postcode", MISSING, 0.0, None, postcode)
    if postcode is None:
        return _evidence("postcode", MISSING, 0.0, given, None)
    outward, inward = postcode.split(" ")
    if parsed.postcode == postcode:
        return _evidence("postcode", MATCHED, 1.0, given, postcode)
    if parsed.postcode_sector == f"{outward} {inward[0]}":
        return _evidence("postcode", PARTIAL, 0.7, given, postcode)
    if parsed.postcode_outward == outward:
        return _evidence("postcode", PARTIAL, 0.5, given, postcode)
    return _evidence("postcode", CONFLICTING, 0.0, given, postcode)


def _evidence(
    name: str, status: str, score: float, query: str | None, candidate: str | None
) -> ComponentEvidence:
    return ComponentEvidence(
        component=name, status=status, similarity=score, query=query, candidate=candidate
    )


def _street_conflict(
    found: list[ComponentEvidence], query: QueryFacts, pool: list[str]
) -> list[ComponentEvidence]:
    """A street the query names, left unexplained, contradicts the candidate's street."""
    named = matchtext.words_of(query.parsed.street)
    unexplained = named and all(w in pool for w in named)
    out = []
    for item in found:
        if item.component == "street" and item.status == MISSING and unexplained:
            out.append(_evidence("street", CONFLICTING, 0.0, query.parsed.street, item.candidate))
        else:
            out.append(item)
    return out


def score_of(
    evidence: list[ComponentEvidence],
    *,
    unexplained: int,
    exact: bool,
    place_given: bool = True,
    district: bool = False,
) -> float:
    """Weighted agreement over the components that count, marked down for leftover words.

    A place the query names but the candidate does not confirm marks it down; a query that
    names no place at all (no postcode, no word left over) marks no candidate down for it.
    ``district``: an old postcode of the typed street's district may stand for the place
    (:func:`recoded_postcode`).
    """
    if exact and not any(e.status == CONFLICTING for e in evidence):
        return 1.0
    total = weight = 0.0
    for item in evidence:
        value = _value(item, evidence, district)
        if value is None:
            continue
        total += WEIGHTS[item.component] * value
        weight += WEIGHTS[item.component]
    score = total / weight if weight else 0.0
    if place_given and not place.place_confirmed(evidence, district=district):
        score *= _NO_PLACE_FACTOR
    score *= max(0.5, 1.0 - _UNEXPLAINED_STEP * unexplained)
    return round(min(score, _BEST_INEXACT), 4)


def _value(
    item: ComponentEvidence, evidence: list[ComponentEvidence], district: bool
) -> float | None:
    if _not_counted(item, evidence, district):
        return None
    if item.component == "pao" and item.status == MISSING and place.named_exactly(evidence):
        return _NUMBER_LEFT_OUT
    if item.component == "building_name" and item.status == MISSING:
        return _BUILDING_LEFT_OUT if place.status(evidence, "pao") == MATCHED else 0.0
    if item.status == PARTIAL:
        return item.similarity
    return _VALUES[item.status]


def _not_counted(
    item: ComponentEvidence, evidence: list[ComponentEvidence], district: bool
) -> bool:
    """A place the query does not name, the street of a house named exactly at its exact
    postcode left out (``MOOR FARM, NEWTOWN, NT1 9AR``), or an old postcode outweighed."""
    if item.status == MISSING:
        if item.component in _PLACE:
            return True
        return item.component == "street" and place.named_at_postcode(evidence)
    if item.status != PARTIAL or item.component != "postcode":
        return False  # the common case, kept cheap: called for every component of every candidate
    return place.old_postcode_outweighed(item, evidence, district=district)


def _similarity(evidence: list[ComponentEvidence], component: str) -> float:
    return next((e.similarity for e in evidence if e.component == component), 0.0)


def reason_of(evidence: list[ComponentEvidence], *, district: bool = False) -> str:
    """A short phrase naming the evidence the score rests on."""
    status = {e.component: e.status for e in evidence}
    number = MATCHED in {status.get("pao"), status.get("sao")}
    if status.get("street") == PARTIAL:
        return "fuzzy street"
    if status.get("postcode") == MATCHED and number:
        return "postcode+number"
    if status.get("postcode") == MATCHED and status.get("building_name") == MATCHED:
        return "postcode+name"
    return _placed_reason(evidence, status, number=number, district=district)


def _placed_reason(
    evidence: list[ComponentEvidence], status: dict[str, str], *, number: bool, district: bool
) -> str:
    street = number and status.get("street") == MATCHED
    if street and place.place_confirmed(evidence):
        return "street+number+town"
    if status.get("building_name") == MATCHED and place.place_confirmed(evidence):
        return "name+town"
    if district and place.place_confirmed(evidence, district=True):
        named = status.get("building_name") == MATCHED
        return "street+number+district" if street else "name+district" if named else "partial"
    return "partial"


def blockers_of(
    evidence: list[ComponentEvidence],
    *,
    query: QueryFacts,
    leftover: tuple[str, ...],
    district: bool = False,
) -> tuple[str, ...]:
    """Why this candidate may not be used automatically (empty: it may, score permitting)."""
    found = [f"{e.component} {e.status}" for e in evidence if e.status == CONFLICTING]
    for component in ("sao", "pao"):
        status = place.status(evidence, component)
        named = component == "pao" and status == MISSING and place.named_exactly(evidence)
        if status in {MISSING, PARTIAL} and not named:
            found.append(f"{component} {status}")
    found += _name_blockers(evidence)
    if not place.place_confirmed(evidence, district=district):
        found.append(NO_PLACE)
    if query.parsed.other_numbers:
        found.append("unexplained numbers in the address")
    if any(w in words.SAO_HINTS or _lone_letter(w) for w in leftover):
        found.append("unexplained sub-building words")
    if len(leftover) > _MAX_LEFTOVER:
        found.append("too many unexplained words")
    if leftover and place.status(evidence, "street") == MISSING:
        found.append("unexplained words beside a house named without its street")
    return tuple(dict.fromkeys(found))


def _lone_letter(word: str) -> bool:
    """A single letter left over may be a flat (``FLAT B``) the candidate does not have."""
    return len(word) == 1 and word.isalpha()


def _name_blockers(evidence: list[ComponentEvidence]) -> list[str]:
    postcode_exact = place.status(evidence, "postcode") == MATCHED
    street = place.status(evidence, "street")
    found = []
    if street == PARTIAL and not (postcode_exact and _similarity(evidence, "street") >= 0.8):
        found.append(FUZZY_STREET)
    named = place.status(evidence, "building_name")
    numbered = place.status(evidence, "pao") == MATCHED
    if named in {MISSING, PARTIAL} and not numbered:
        fuzzy_ok = named == PARTIAL and postcode_exact
        if not fuzzy_ok or _similarity(evidence, "building_name") < 0.85:
            found.append(f"building name {named}")
    if street == MISSING and not (postcode_exact and named == MATCHED):
        found.append("street missing")
    return found
