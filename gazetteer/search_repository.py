"""Candidate retrieval from the address search index, one interface on both engines.

Retrieval is blocking, as record-linkage tools do it: the rows at the query's postcode, the
rows on the typed street with the typed number (one probe of the street-and-number index),
then the rows that share a house or flat number and words with the query, ranked by how many
they share and found from the rarest words first (:mod:`gazetteer.search_tokens`); with no
number, the rows sharing the most words. On PostgreSQL a trigram search over the canonical
text (GIN, pg_trgm) finds rows when no word matched exactly (typos in every word). Filters
apply to the rows fetched.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from core import db
from gazetteer import facts_query, matchtext, search_facts, search_tokens
from gazetteer.search_tables import AddressSearch

POSTCODE_LIMIT = 300
BLOCK_LIMIT = 100
STREET_LIMIT = 1000

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
    street: str | None = None
    street_partial: bool = False
    rest: tuple[str, ...] = ()
    limit: int = BLOCK_LIMIT


@dataclass(frozen=True, kw_only=True, slots=True)
class Prefetched:
    """Block rows read for many queries in one round trip each (see :func:`prefetch`):
    ``postcodes`` maps a postcode to its (id, PAO number, street) rows, ``streets`` a (street, PAO
    number) pair to its place rows; a key absent from a map was not read."""

    postcodes: dict[str, list[tuple[int, int | None, str | None]]] = field(default_factory=dict)
    streets: dict[tuple[str, int], list[Any]] = field(default_factory=dict)


def candidate_ids(
    session: orm.Session, query: QueryTokens, prefetched: Prefetched | None = None
) -> list[int]:
    """Index row ids worth scoring for ``query`` (unfiltered, unordered, deduplicated).

    Blocks, cheapest and surest first: the postcode (settles it when it holds the number
    asked for), the typed street with the number (settles it when a row there lies in a
    place the query names), then the rare-first word block.
    """
    found: dict[int, None] = {}
    ahead = prefetched or Prefetched()
    if query.postcode:
        at_postcode = ahead.postcodes.get(query.postcode)
        if at_postcode is None:
            at_postcode = _by_postcode(session, query.postcode)
        found.update(dict.fromkeys(row[0] for row in at_postcode))
        # The postcode holds the number asked for on the street asked for: candidates elsewhere
        # disagree on the postcode and cannot come first. (On another street, the postcode may
        # be an old one: ``FLAT 1, 19 HAWTHORN DRIVE`` with the postcode of ``1 WINDMILL AVE``.)
        if any(_settles(query, number, street) for _, number, street in at_postcode):
            return list(found)
        # Nothing but the postcode was typed.
        if at_postcode and not query.numbers and set(query.words) <= set(query.postcode.split()):
            return list(found)
    if query.street:
        on_street, settled = _by_street(session, query, ahead)
        found.update(dict.fromkeys(on_street))
        if settled:
            return list(found)
    if query.words or query.prefix:
        words = search_tokens.WordQuery(
            numbers=query.numbers, words=query.words, prefix=query.prefix, limit=query.limit
        )
        found.update(dict.fromkeys(search_tokens.ranked_ids(session, words)))
    return list(found)


def prefetch(session: orm.Session, queries: Iterable[QueryTokens]) -> Prefetched:
    """The postcode and street-and-number block rows of many queries, one statement each."""
    chosen = list(queries)
    postcodes = sorted({q.postcode for q in chosen if q.postcode})
    pairs: list[tuple[str, int]] = sorted(
        {(q.street, n) for q in chosen if q.street and _exact_street(q) for n in _numbers(q)}
    )
    found = Prefetched(postcodes={p: [] for p in postcodes}, streets={pair: [] for pair in pairs})
    connection = session.connection()
    for part in _chunks(postcodes):
        for postcode, *row in connection.execute(_POSTCODES_BLOCK, {"postcodes": part}):
            found.postcodes[postcode].append((row[0], row[1], row[2]))
    for part in _chunks(pairs):
        condition = sa.tuple_(_TABLE.c.street_key, _TABLE.c.pao_number).in_(part)
        for placed in connection.execute(sa.select(*_PLACE_COLUMNS, *_PAIR).where(condition)):
            found.streets[(placed.street_key, placed.pao_number)].append(placed)
    return found


def _exact_street(query: QueryTokens) -> bool:
    return bool(query.street) and not query.street_partial and bool(_numbers(query))


def _numbers(query: QueryTokens) -> list[int]:
    return [int(n) for n in query.numbers if n.isdigit()]


def _chunks(values: list[Any], size: int = 400) -> Iterable[list[Any]]:
    return (values[start : start + size] for start in range(0, len(values), size))


def trigram_ids(session: orm.Session, text: str, limit: int = BLOCK_LIMIT) -> list[int]:
    """Rows whose canonical text is trigram-similar to ``text`` (PostgreSQL; [] on SQLite)."""
    if db.is_sqlite(session) or not text:
        return []
    return list(session.scalars(TRIGRAM_SEARCH, {"text": text, "limit": limit}))


_ALIKE = 0.7


def _by_postcode(session: orm.Session, postcode: str) -> list[tuple[int, int | None, str | None]]:
    found = session.connection().execute(_POSTCODE_BLOCK, {"postcode": postcode})
    return [(row_id, number, street) for row_id, number, street in found]


def _settles(query: QueryTokens, number: int | None, street: str | None) -> bool:
    """A row at the typed postcode with a typed number, on the typed street (or one a typo
    away from it) if one is given."""
    if str(number) not in query.numbers:
        return False
    if not query.street or query.street_partial or street == query.street:
        return True
    return street is not None and _alike(street, query.street)


def _alike(street: str, typed: str) -> bool:
    """``HIGH STREET`` and ``HGIH STREET`` (or ``LORD TERRACE`` and ``LORD TECRACE NEWTOWN``):
    the typed street, cut to as many words, within the edits the matcher forgives."""
    cut = " ".join(typed.split()[: len(street.split())])
    return matchtext.similarity(street, cut) >= _ALIKE


def _by_street(
    session: orm.Session, query: QueryTokens, ahead: Prefetched
) -> tuple[list[int], bool]:
    """Rows on the typed street (with the number, when one is given; in a place the query
    names, when it gives none), those in such a place first, and whether the block settles
    the candidates: a row lies in such a place, or the query names nothing but the street."""
    assert query.street is not None
    numbers = _numbers(query)
    read = [ahead.streets.get((query.street, n)) for n in numbers]
    if _exact_street(query) and all(rows is not None for rows in read):
        on_street = [row for rows in read if rows is not None for row in rows]
    else:
        on_street = list(_street_rows(session, query, numbers))
    words = set(query.words)
    placed: list[int] = []
    elsewhere: list[int] = []
    for row in on_street[:STREET_LIMIT]:
        (placed if _in_place(row, words, query.postcode) else elsewhere).append(row.id)
    found = (placed + elsewhere)[: max(query.limit, len(placed))]
    return found, bool(placed) or bool(found and not query.rest and not query.postcode)


def _street_rows(session: orm.Session, query: QueryTokens, numbers: list[int]) -> Any:
    places = _place_names(query.rest)
    statement = _street_statement(
        numbers=bool(numbers), places=bool(places), partial=query.street_partial
    )
    values = {
        "street": query.street,
        "high": search_tokens.after(query.street or " "),
        "numbers": numbers,
        "places": places,
    }
    return session.connection().execute(statement, values)


def _place_names(rest: tuple[str, ...]) -> list[str]:
    """The town or locality names the place words may spell: each word, pair and the run."""
    names = set(rest) | {" ".join(rest[i : i + 2]) for i in range(len(rest) - 1)}
    return sorted(names | ({" ".join(rest)} if rest else set()))


@functools.lru_cache(maxsize=16)
def _street_statement(*, numbers: bool, places: bool, partial: bool) -> sa.Select[Any]:
    street = _TABLE.c.street_key
    if partial:
        condition = sa.and_(street >= sa.bindparam("street"), street < sa.bindparam("high"))
    else:
        condition = street == sa.bindparam("street")
    if numbers:
        condition = sa.and_(condition, _TABLE.c.pao_number.in_(_expanding("numbers")))
    elif places:
        named = _expanding("places")
        in_place = sa.or_(*(_TABLE.c[c].in_(named) for c in ("town", "post_town", "locality")))
        condition = sa.and_(condition, in_place)
    return sa.select(*_PLACE_COLUMNS).where(condition).limit(STREET_LIMIT)


def _expanding(name: str) -> sa.BindParameter[Any]:
    return sa.bindparam(name, expanding=True)


def street_towns(session: orm.Session, street: str) -> int:
    """In how many towns a street of exactly this canonical name lies: 0, 1, or 2 for more."""
    found = session.connection().execute(_STREET_TOWNS, {"street": street})
    return len(found.all())


def district_places(
    session: orm.Session, pairs: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """For (street, postcode district) pairs, in how many places (town and locality) a street
    of exactly that canonical name lies within the district: 0, 1, or 2 for more. Only the
    gazetteer's own streets count (rows with a USRN: an LPI's street)."""
    wanted = set(pairs)
    counts = dict.fromkeys(wanted, 0)
    places: dict[tuple[str, str], set[tuple[str | None, str | None]]] = {}
    streets = sorted({street for street, _ in wanted})
    for part in _chunks(streets):
        for street, sector, town, locality in session.connection().execute(
            _DISTRICT_PLACES, {"streets": part}
        ):
            key = (street, sector.split(" ")[0])
            if key in wanted:
                places.setdefault(key, set()).add((town, locality))
    counts.update({key: min(2, len(found)) for key, found in places.items()})
    return counts


def _in_place(row: Any, words: set[str], postcode: str | None) -> bool:
    if postcode and row.postcode and row.postcode.split()[0] == postcode.split()[0]:
        return True
    places = (row.town, row.post_town, row.locality)
    return any(place and set(place.split()) <= words for place in places)


def rows(session: orm.Session, ids: Iterable[int], filters: Filters) -> list[dict[str, Any]]:
    """The index rows with ``ids`` that pass ``filters``, as column dictionaries."""
    chosen = list(ids)
    statement = _rows_statement(filters)
    found: list[dict[str, Any]] = []
    for start in range(0, len(chosen), 500):
        part = {"ids": chosen[start : start + 500]}
        found += [dict(row) for row in session.connection().execute(statement, part).mappings()]
    return found


@functools.lru_cache(maxsize=64)
def _rows_statement(filters: Filters) -> sa.Select[Any]:
    wanted = _TABLE.c.id.in_(sa.bindparam("ids", expanding=True))
    return apply_filters(sa.select(_TABLE).where(wanted), filters)


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


def postcode_rows(session: orm.Session, postcode: str, filters: Filters) -> list[Any]:
    """The rows at ``postcode`` that pass ``filters``: tuples of ``LIST_COLUMNS``, any order.

    One prepared statement per filter set on the session's DB-API connection
    (:func:`gazetteer.facts_query.fetch_all`); on PostgreSQL an index-only scan (0010).
    """
    connection = session.connection()
    statement = _list_statement(connection.dialect, "postcode", filters)
    return facts_query.fetch_all(connection, statement, {"key": postcode}, what="the postcode")


def street_rows(session: orm.Session, usrn: int, filters: Filters) -> list[Any]:
    connection = session.connection()
    statement = _list_statement(connection.dialect, "usrn", filters)
    return facts_query.fetch_all(connection, statement, {"key": usrn}, what="the street")


@functools.lru_cache(maxsize=128)
def _list_statement(
    dialect: sa.Dialect, column: str, filters: Filters
) -> facts_query.DriverStatement:
    key = sa.bindparam("key", None, type_=_TABLE.c[column].type)
    selected = sa.select(*(_TABLE.c[c] for c in LIST_COLUMNS)).where(_TABLE.c[column] == key)
    return facts_query.driver_statement(apply_filters(selected, filters), dialect)


def uprn_rows(session: orm.Session, uprns: Iterable[int], filters: Filters) -> list[Any]:
    """The rows of ``uprns`` that pass ``filters``: tuples of ``LIST_COLUMNS``, any order."""
    chosen = sorted(set(uprns))
    columns = (_TABLE.c[c] for c in LIST_COLUMNS)
    statement = apply_filters(
        sa.select(*columns).where(_TABLE.c.uprn.in_(_expanding("ids"))), filters
    )
    found: list[Any] = []
    for start in range(0, len(chosen), 500):
        part = {"ids": chosen[start : start + 500]}
        found += [tuple(row) for row in session.connection().execute(statement, part)]
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
_PLACE_COLUMNS = (
    _TABLE.c.id, _TABLE.c.town, _TABLE.c.post_town, _TABLE.c.locality, _TABLE.c.postcode,
)  # fmt: skip
# The blocks, built once (their values are bound per call).
_PAIR = (_TABLE.c.street_key, _TABLE.c.pao_number)
_POSTCODES_BLOCK = sa.select(
    _TABLE.c.postcode, _TABLE.c.id, _TABLE.c.pao_number, _TABLE.c.street_key
).where(_TABLE.c.postcode.in_(sa.bindparam("postcodes", expanding=True)))
_POSTCODE_BLOCK = (
    sa.select(_TABLE.c.id, _TABLE.c.pao_number, _TABLE.c.street_key)
    .where(_TABLE.c.postcode == sa.bindparam("postcode"))
    .limit(POSTCODE_LIMIT)
)
_DISTRICT_PLACES = (
    sa.select(_TABLE.c.street_key, _TABLE.c.postcode_sector, _TABLE.c.town, _TABLE.c.locality)
    .where(
        _TABLE.c.street_key.in_(sa.bindparam("streets", expanding=True)),
        _TABLE.c.usrn.is_not(None),
        _TABLE.c.postcode_sector.is_not(None),
    )
    .distinct()
)
_STREET_TOWNS = (
    sa.select(_TABLE.c.town)
    .where(_TABLE.c.street_key == sa.bindparam("street"))
    .distinct()
    .limit(2)
)
