"""Candidate retrieval from the address search index, one interface on both engines.

Retrieval is blocking, as record-linkage tools do it: the rows at the query's postcode, the
rows that share a house or flat number and at least one word with the query (ranked by how
many words they share), or, with no number, the rows sharing the most words. On PostgreSQL a
trigram search over the canonical text (GIN, pg_trgm) finds rows when no word matched
exactly (typos in every word). Filters apply to the rows fetched.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from core import db
from gazetteer import search_facts
from gazetteer.search_tables import AddressSearch, AddressSearchToken

POSTCODE_LIMIT = 300
BLOCK_LIMIT = 100

# Hand-written SQL (PostgreSQL only): the trigram fallback. The GIN index serves ``%``.
TRIGRAM_SEARCH = sa.text(
    "SELECT id FROM address_search WHERE search_text % :text "
    "ORDER BY similarity(search_text, :text) DESC LIMIT :limit"
)


@dataclass(frozen=True, kw_only=True, slots=True)
class Filters:
    """Filters every list honours. ``classification`` is a prefix (``RD`` or ``RD*``)."""

    classification: str | None = None
    logical_status: str | None = None
    include_historical: bool = False
    custodian: int | None = None
    language: str | None = None
    datasets: tuple[str, ...] = field(default=search_facts.SOURCES)


@dataclass(frozen=True, kw_only=True, slots=True)
class QueryTokens:
    postcode: str | None
    numbers: tuple[str, ...]
    words: tuple[str, ...]
    prefix: str | None = None


def candidate_ids(session: orm.Session, query: QueryTokens) -> list[int]:
    """Index row ids worth scoring for ``query`` (unfiltered, unordered, deduplicated)."""
    found: dict[int, None] = {}
    settled = False
    if query.postcode:
        at_postcode = _by_postcode(session, query.postcode)
        found.update(dict.fromkeys(row_id for row_id, _ in at_postcode))
        # The postcode holds the number asked for: candidates elsewhere disagree on the postcode
        # and cannot come first.
        settled = any(str(number) in query.numbers for _, number in at_postcode)
    if settled:
        return list(found)
    if query.numbers and query.words:
        found.update(dict.fromkeys(_by_number_and_words(session, query)))
    elif query.words or query.prefix:
        found.update(dict.fromkeys(_by_words(session, query)))
    return list(found)


def trigram_ids(session: orm.Session, text: str, limit: int = BLOCK_LIMIT) -> list[int]:
    """Rows whose canonical text is trigram-similar to ``text`` (PostgreSQL; [] on SQLite)."""
    if db.is_sqlite(session) or not text:
        return []
    return list(session.scalars(TRIGRAM_SEARCH, {"text": text, "limit": limit}))


def _by_postcode(session: orm.Session, postcode: str) -> list[tuple[int, int | None]]:
    statement = (
        sa.select(AddressSearch.id, AddressSearch.pao_number)
        .where(AddressSearch.postcode == postcode)
        .limit(POSTCODE_LIMIT)
    )
    return [(row_id, number) for row_id, number in session.execute(statement)]


def _by_number_and_words(session: orm.Session, query: QueryTokens) -> Sequence[int]:
    number = orm.aliased(AddressSearchToken)
    word = orm.aliased(AddressSearchToken)
    hits = sa.func.count()
    statement = (
        sa.select(number.search_id)
        .join(word, word.search_id == number.search_id)
        .where(number.token.in_(query.numbers), _word_condition(word, query))
        .group_by(number.search_id)
        .order_by(hits.desc(), number.search_id)
        .limit(BLOCK_LIMIT)
    )
    return session.scalars(statement).all()


def _by_words(session: orm.Session, query: QueryTokens) -> Sequence[int]:
    token = AddressSearchToken
    statement = (
        sa.select(token.search_id)
        .where(_word_condition(token, query))
        .group_by(token.search_id)
        .order_by(sa.func.count().desc(), token.search_id)
        .limit(BLOCK_LIMIT)
    )
    return session.scalars(statement).all()


def _word_condition(token: Any, query: QueryTokens) -> sa.ColumnElement[bool]:
    condition: sa.ColumnElement[bool] = token.token.in_(query.words)
    if query.prefix:
        upper = query.prefix[:-1] + chr(ord(query.prefix[-1]) + 1)
        condition = sa.or_(condition, sa.and_(token.token >= query.prefix, token.token < upper))
    return condition


def rows(session: orm.Session, ids: Iterable[int], filters: Filters) -> list[dict[str, Any]]:
    """The index rows with ``ids`` that pass ``filters``, as column dictionaries."""
    chosen = list(ids)
    found: list[dict[str, Any]] = []
    for start in range(0, len(chosen), 500):
        part = chosen[start : start + 500]
        statement = apply_filters(sa.select(_TABLE).where(_TABLE.c.id.in_(part)), filters)
        found += [dict(row) for row in session.execute(statement).mappings()]
    return found


# The columns a list of addresses reads: the label, what picks the preferred label of a UPRN,
# the natural order, and the filters. PostgreSQL's postcode index covers them (0010).
LIST_COLUMNS = (
    "uprn",
    "source",
    "source_key",
    "label",
    "label_status",
    "postcode",
    "classification",
    "street_key",
    "pao_number",
    "pao_suffix",
    "pao_text",
    "sao_number",
    "sao_suffix",
    "sao_text",
)
FILTER_COLUMNS = ("blpu_status", "historical", "custodian", "language")


def _list_rows(session: orm.Session, where: sa.ColumnElement[bool], filters: Filters) -> Any:
    statement = apply_filters(sa.select(*(_TABLE.c[c] for c in LIST_COLUMNS)).where(where), filters)
    return [dict(row) for row in session.connection().execute(statement).mappings()]


def postcode_rows(session: orm.Session, postcode: str, filters: Filters) -> list[dict[str, Any]]:
    return list(_list_rows(session, _TABLE.c.postcode == postcode, filters))


def street_rows(session: orm.Session, usrn: int, filters: Filters) -> list[dict[str, Any]]:
    return list(_list_rows(session, _TABLE.c.usrn == usrn, filters))


def uprn_rows(session: orm.Session, uprns: Iterable[int], filters: Filters) -> list[dict[str, Any]]:
    chosen = sorted(set(uprns))
    found: list[dict[str, Any]] = []
    for start in range(0, len(chosen), 500):
        found += _list_rows(session, _TABLE.c.uprn.in_(chosen[start : start + 500]), filters)
    return found


def apply_filters(statement: sa.Select[Any], filters: Filters) -> sa.Select[Any]:
    """``statement`` narrowed by every filter that is set."""
    conditions: list[sa.ColumnElement[bool]] = [AddressSearch.source.in_(filters.datasets)]
    if filters.classification:
        prefix = filters.classification.rstrip("*").upper()
        conditions.append(AddressSearch.classification.startswith(prefix, autoescape=True))
    if filters.logical_status:
        conditions.append(AddressSearch.blpu_status == filters.logical_status)
    if not filters.include_historical:
        conditions.append(AddressSearch.historical.is_(False))
    if filters.custodian is not None:
        conditions.append(AddressSearch.custodian == filters.custodian)
    if filters.language:
        conditions.append(AddressSearch.language == filters.language.upper())
    return statement.where(*conditions)


_TABLE = AddressSearch.__table__
