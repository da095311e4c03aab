"""Where a candidate lies against the place a typed address names (pure).

The rules that read a place from postcode, town, district and list noise: whether the place is
confirmed, an old postcode, a house name standing for its number, and the words of place lines
a candidate need not explain. See :mod:`gazetteer.matching` for the decision they feed.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from gazetteer import addresswords as words
from gazetteer import matchtext
from gazetteer.matchaon import MATCHED, MISSING, PARTIAL

if TYPE_CHECKING:
    from gazetteer.matchevidence import ComponentEvidence, QueryFacts

# Words of an administrative line (``EAST DEVON``, ``BOROUGH OF X``) that say nothing about
# which property is meant once the town is confirmed.
ADMIN_WORDS = frozenset(
    {"NORTH", "SOUTH", "EAST", "WEST", "MID", "CENTRAL", "GREATER", "DISTRICT", "BOROUGH",
     "COUNCIL", "COUNTY", "CITY", "METROPOLITAN", "ROYAL", "OF"}
)  # fmt: skip


def status(evidence: list[ComponentEvidence], component: str) -> str | None:
    for item in evidence:  # a plain loop: called for every component of every candidate
        if item.component == component:
            return item.status
    return None


def old_postcode_outweighed(
    item: ComponentEvidence, evidence: list[ComponentEvidence], *, district: bool
) -> bool:
    """A postcode not counted: an old one beside a street, number and town that all agree
    (:func:`old_postcode`), or, when ``district`` holds (see
    :class:`gazetteer.matchevidence.QueryFacts`), one of the typed street's only district."""
    if old_postcode(item) and identified_by_street(evidence):
        return True
    return district and recoded_postcode(item, evidence)


def old_postcode(item: ComponentEvidence) -> bool:
    """A postcode of the candidate's sector but not its own: recoded, or typed from an old
    list. One of another sector may belong to a same-named street elsewhere in the town."""
    return item.component == "postcode" and item.status == PARTIAL and item.similarity >= 0.7


def identified_by_street(evidence: list[ComponentEvidence]) -> bool:
    """Street, house number and town or locality all agree exactly."""
    town = MATCHED in {status(evidence, "town"), status(evidence, "locality")}
    return town and status(evidence, "street") == MATCHED and status(evidence, "pao") == MATCHED


def recoded_postcode(item: ComponentEvidence, evidence: list[ComponentEvidence]) -> bool:
    """A postcode of the candidate's district but not its own, beside a street and house
    number (or house name) that agree exactly. Given that the district holds one place with a
    street of that name (the caller knows it from the whole gazetteer, not from the
    candidates) and that the typed postcode holds no address with the typed number or name,
    the postcode is an old one or mistyped: the street and number or name name the house, the
    district the place."""
    if item.component != "postcode" or item.status != PARTIAL:
        return False
    if status(evidence, "street") != MATCHED:
        return False
    pao = status(evidence, "pao")
    return pao == MATCHED or (pao in {None, MISSING} and named_exactly(evidence))


def named_exactly(evidence: list[ComponentEvidence]) -> bool:
    """A house name that agrees exactly on a street that agrees exactly: the name identifies
    a house whose number the query left out (``ROSE COTTAGE, HIGH ST`` for
    ``ROSE COTTAGE, 12 HIGH ST``)."""
    named = status(evidence, "building_name") == MATCHED
    return named and status(evidence, "street") == MATCHED


def named_at_postcode(evidence: list[ComponentEvidence]) -> bool:
    """A house name that agrees exactly at a postcode that agrees exactly, its street left
    out (rural lists: ``HILL FARM, NEWTOWN, NT1 9AR``); the number, if it has one, too."""
    named = status(evidence, "building_name") == MATCHED and status(evidence, "street") == MISSING
    number = status(evidence, "pao") in {MATCHED, None}
    return named and number and status(evidence, "postcode") == MATCHED


def place_noise(
    leftover: tuple[str, ...], *, query: QueryFacts, evidence: list[ComponentEvidence]
) -> frozenset[str]:
    """Words of the place lines after the street that a candidate need not explain.

    Council lists add a district, a county or an old locality after the town (``HEAVITREE,
    EXETER, EAST DEVON, DEVON``). Once the street and the house number (or name) agree
    exactly, such words are forgiven: all of them when the full postcode agrees, and the
    words of an administrative line (``EAST``, ``BOROUGH``, and the name after such a word in
    a line after the town: ``SOUTH HAMS``) when the town agrees. Words that may name a flat
    (``FLAT``, a lone letter) are never forgiven, and nothing is when a word that ends a
    building name (``COURT``) is left over.
    """
    at_postcode = named_at_postcode(evidence)
    numbered = status(evidence, "pao") == MATCHED or named_exactly(evidence) or at_postcode
    if not leftover or not numbered:
        return frozenset()
    if status(evidence, "street") != MATCHED and not at_postcode:
        return frozenset()
    if any(w in words.BUILDING_WORDS for w in leftover):
        return frozenset()  # ``IVY COURT`` left over may be the building meant
    head = set(matchtext.words_of(query.parsed.pao_text))
    head |= set(matchtext.words_of(query.parsed.street))
    postcode = status(evidence, "postcode") == MATCHED
    town = MATCHED in {status(evidence, "town"), status(evidence, "locality")}
    admin = ADMIN_WORDS | _district_names(query.parsed.rest, evidence)
    found = set()
    for word in leftover:
        if word in head or word not in query.parsed.rest or not _may_be_place(word):
            continue
        if postcode or (town and word in admin):
            found.add(word)
    return frozenset(found)


def _district_names(rest: tuple[str, ...], evidence: list[ComponentEvidence]) -> frozenset[str]:
    """Words after the matched town that follow an administrative word: the name of a district
    (``WESTBY, SOUTH HAMS``; ``EAST RIDING OF YORKSHIRE``). Before the town such a pair may be
    a locality (``NORTH END``), so only the words after it count."""
    town = next((e.query for e in evidence if e.component == "town" and e.status == MATCHED), "")
    named = tuple((town or "").split())
    starts = [i for i in range(len(rest)) if named and rest[i : i + len(named)] == named]
    if not starts:
        return frozenset()
    after = rest[starts[-1] + len(named) :]
    return frozenset(w for before, w in itertools.pairwise(after) if before in ADMIN_WORDS)


def _may_be_place(word: str) -> bool:
    return len(word) > 1 and word not in words.SAO_HINTS and word not in words.BUILDING_WORDS


def place_confirmed(evidence: list[ComponentEvidence], *, district: bool = False) -> bool:
    postcode = status(evidence, "postcode")
    if postcode == MATCHED:
        return True
    town_or_locality = MATCHED in {status(evidence, "town"), status(evidence, "locality")}
    street_exact = status(evidence, "street") in {MATCHED, None}
    if postcode == PARTIAL:
        return street_exact and (town_or_locality or (district and _by_district(evidence)))
    return postcode in {None, MISSING} and town_or_locality


def _by_district(evidence: list[ComponentEvidence]) -> bool:
    postcode = next(e for e in evidence if e.component == "postcode")
    return recoded_postcode(postcode, evidence)
