"""Matching many typed addresses at once: the batch path behind ``addresshub match --input``
and ``POST /v1/addresses/match/batch``.

The answers are those :func:`gazetteer.find.match_address` gives one by one; the work is
grouped: every text is parsed first, the postcode and street-and-number blocks of a round of
texts are read in one statement each, the candidate rows of the round in one more, the
street-town counts and the clerical decisions likewise, and only the texts the blocks do not
settle ask the word index on their own.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy import orm

from core.settings import Settings
from gazetteer import addressparse, find, matching, reviews, search_facts
from gazetteer import search_repository as repo
from gazetteer.search_tables import AddressSearch

ROUND = 250

_STREET_TOWNS = (
    sa.select(AddressSearch.street_key, AddressSearch.town)
    .where(AddressSearch.street_key.in_(sa.bindparam("streets", expanding=True)))
    .distinct()
)


def match_many(
    *,
    session: orm.Session,
    texts: Sequence[str],
    settings: Settings,
    filters: repo.Filters = find.MATCH_FILTERS,
    limit: int = 5,
) -> list[matching.MatchResult]:
    """One result per text, in order, as :func:`gazetteer.find.match_address` decides it."""
    results: list[matching.MatchResult] = []
    for start in range(0, len(texts), ROUND):
        results += _round(session, texts[start : start + ROUND], settings, filters, limit)
    return results


def _round(
    session: orm.Session,
    texts: Sequence[str],
    settings: Settings,
    filters: repo.Filters,
    limit: int,
) -> list[matching.MatchResult]:
    parsed = [addressparse.parse(text) for text in texts]
    tokens = [find.query_tokens(p) for p in parsed]
    ahead = repo.prefetch(session, tokens)
    ids = [repo.candidate_ids(session, t, ahead) for t in tokens]
    ids = [
        found or repo.trigram_ids(session, p.normalised)
        for found, p in zip(ids, parsed, strict=True)
    ]
    rows = {row["id"]: row for row in repo.rows(session, {i for g in ids for i in g}, filters)}
    towns = _street_towns(session, parsed)
    asked = [
        find.district_asked(
            p, ((rows[i]["postcode"], rows[i]["street_key"]) for i in g if i in rows)
        )
        for p, g in zip(parsed, ids, strict=True)
    ]
    places = repo.district_places(session, [a for a in asked if a is not None])
    decisions = reviews.decisions_for_many(session, parsed)
    thresholds = find.thresholds(settings)
    out = []
    for one, found, district in zip(parsed, ids, asked, strict=True):
        candidates = [search_facts.candidate_from_values(rows[i]) for i in found if i in rows]
        street = one.street if find.asks_street_towns(one) else None
        result = matching.match(
            one,
            candidates,
            thresholds=thresholds,
            limit=limit,
            street_towns=towns.get(street) if street else None,
            district_places=places[district] if district else None,
        )
        decision = decisions.get(reviews.input_key(one))
        out.append(
            result if decision is None else matching.apply_decision(result, uprn=decision.uprn)
        )
    return out


def _street_towns(session: orm.Session, parsed: list[addressparse.ParsedAddress]) -> dict[str, int]:
    """For every street a query asks about, in how many towns it lies (0, 1, or 2 for more)."""
    streets = sorted({p.street for p in parsed if p.street and find.asks_street_towns(p)})
    counts = dict.fromkeys(streets, 0)
    for start in range(0, len(streets), 400):
        part = {"streets": streets[start : start + 400]}
        for street, _ in session.connection().execute(_STREET_TOWNS, part):
            if street is not None:
                counts[street] = min(2, counts[street] + 1)
    return counts
