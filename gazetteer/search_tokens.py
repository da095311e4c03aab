"""Rare-first word retrieval over ``address_search_token``, one interface on both engines.

A common word (``ROAD``, a town) has a posting for a large share of the index; joining the
postings of every query word makes every query read them all. Retrieval here starts from the
rarest words instead: each query token's document frequency (how many index rows hold it) is
counted once, up to a cap, and kept per process; rows are seeded from the postings of the rare
words (or, when every word is common, from the rarest word's postings that also hold the
query's number or second word) and only those seed rows are ranked by how many query tokens
they share.

The counts are a cache of derived data: they are dropped when the index's newest row id moves
(every index rebuild writes new ids), after ``TTL_SECONDS``, or by :func:`forget_counts`. A
stale count only changes which postings seed the search, never which rows qualify.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from gazetteer.search_tables import AddressSearch, AddressSearchToken

COUNT_CAP = 20_000  # a token's postings are counted up to this
SEED_ROWS = 1_000  # the rarest words whose postings together stay within this are "rare"
SEED_LIMIT = 1_000  # at most this many seed rows are ranked
TTL_SECONDS = 300.0

_TOKEN = AddressSearchToken.__table__
_NEWEST_ROW = sa.select(sa.func.max(AddressSearch.__table__.c.id))


@dataclass(frozen=True, kw_only=True, slots=True)
class WordQuery:
    """The tokens of one query: numbers (a row must hold one when given), words, a prefix."""

    numbers: tuple[str, ...]
    words: tuple[str, ...]
    prefix: str | None = None
    limit: int = 100


@dataclass(kw_only=True, slots=True)
class _Counts:
    newest: int | None
    at: float
    counts: dict[str, int] = field(default_factory=dict)


_CACHE: weakref.WeakKeyDictionary[Any, _Counts] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def forget_counts() -> None:
    """Drop every cached token count (e.g. after changing the index outside a rebuild)."""
    with _LOCK:
        _CACHE.clear()


def token_counts(session: orm.Session, tokens: Sequence[str]) -> dict[str, int]:
    """How many index rows hold each token, counted up to ``COUNT_CAP``."""
    held = _current(session)
    missing = [t for t in dict.fromkeys(tokens) if t not in held.counts]
    if missing:
        values = {f"t{i}": token for i, token in enumerate(missing)}
        found = session.connection().execute(_count_statement(len(missing)), values).one()
        with _LOCK:
            held.counts.update(zip(missing, (int(n) for n in found), strict=True))
    return {t: held.counts[t] for t in tokens}


def _current(session: orm.Session) -> _Counts:
    bind = session.get_bind()
    newest = session.connection().execute(_NEWEST_ROW).scalar()
    now = time.monotonic()
    with _LOCK:
        held = _CACHE.get(bind)
        if held is None or held.newest != newest or now - held.at > TTL_SECONDS:
            held = _Counts(newest=newest, at=now)
            _CACHE[bind] = held
        return held


@lru_cache(maxsize=32)
def _count_statement(size: int) -> sa.Select[Any]:
    """Counts the postings of tokens ``t0 .. t<size-1>``, each up to ``COUNT_CAP``."""

    def count(name: str) -> sa.ScalarSelect[Any]:
        postings = sa.select(sa.literal(1)).where(_TOKEN.c.token == sa.bindparam(name))
        capped = postings.limit(COUNT_CAP).subquery()
        return sa.select(sa.func.count()).select_from(capped).scalar_subquery()

    return sa.select(*(count(f"t{i}") for i in range(size)))


def ranked_ids(session: orm.Session, query: WordQuery) -> list[int]:
    """Up to ``query.limit`` row ids sharing the most tokens with the query, rare words first."""
    seed = _seed(session, query)
    if seed is None:
        return []
    shape, values = seed
    values |= {
        "all": list(query.numbers + query.words),
        "limit": query.limit,
        "seed_limit": SEED_LIMIT,
    }
    if query.prefix:
        values |= {"low": query.prefix, "high": after(query.prefix)}
    statement = _ranked_statement(shape, prefix=query.prefix is not None)
    return list(session.connection().execute(statement, values).scalars())


@dataclass(frozen=True, kw_only=True, slots=True)
class _Shape:
    """Which conditions seed the rows (the statement is built once per shape)."""

    rare: bool = False
    joined: bool = False
    joined_word: bool = False
    prefix_seed: bool = False
    numbers: bool = False


def _seed(session: orm.Session, query: WordQuery) -> tuple[_Shape, dict[str, Any]] | None:
    """The rows worth ranking: the postings of the rare words, and an intersection."""
    counts = token_counts(session, query.words)
    known = sorted((n, w) for w, n in counts.items() if n > 0)
    rare, total = [], 0
    for count, word in known:
        if total + count > SEED_ROWS:
            break
        rare.append(word)
        total += count
    rest = [word for _, word in known[len(rare) :]]
    values: dict[str, Any] = {"rare": rare, "numbers": list(query.numbers)}
    # The remaining words are common: the rarest one's postings that also hold the number (or
    # the next word) are few, and a rare word that is noise (a county, a typo) cannot hide them.
    joined = bool(rest) and (bool(query.numbers) or len(rest) > 1 or not rare)
    joined_word = joined and not query.numbers and len(rest) > 1
    if joined:
        values["first"] = rest[0]
        values["second"] = rest[1:2]
    prefix_seed = not rare and not joined and query.prefix is not None
    if not (rare or joined or prefix_seed):
        return None
    shape = _Shape(
        rare=bool(rare),
        joined=joined,
        joined_word=joined_word,
        prefix_seed=prefix_seed,
        numbers=bool(query.numbers),
    )
    return shape, values


@lru_cache(maxsize=64)
def _ranked_statement(shape: _Shape, *, prefix: bool) -> sa.Select[Any]:
    posting = _TOKEN.alias("posting")
    conditions: list[sa.ColumnElement[bool]] = []
    if shape.rare:
        conditions.append(posting.c.token.in_(sa.bindparam("rare", expanding=True)))
    if shape.joined:
        joined: sa.ColumnElement[bool] = posting.c.token == sa.bindparam("first")
        if shape.joined_word:
            joined = sa.and_(joined, _holds(posting, "second"))
        conditions.append(joined)
    if shape.prefix_seed:
        conditions.append(_prefix_condition(posting))
    condition = sa.or_(*conditions)
    if shape.numbers:
        condition = sa.and_(condition, _holds(posting, "numbers"))
    seed = sa.select(posting.c.search_id).where(condition).limit(sa.bindparam("seed_limit"))
    member = _TOKEN.alias("member")
    wanted: sa.ColumnElement[bool] = member.c.token.in_(sa.bindparam("all", expanding=True))
    if prefix:
        wanted = sa.or_(wanted, _prefix_condition(member))
    return (
        sa.select(member.c.search_id)
        .where(member.c.search_id.in_(seed), wanted)
        .group_by(member.c.search_id)
        .order_by(sa.func.count().desc(), member.c.search_id)
        .limit(sa.bindparam("limit"))
    )


def _holds(posting: Any, name: str) -> sa.ColumnElement[bool]:
    """The posting's row also holds one of the tokens bound as ``name``: a probe of the
    primary key per row (a correlated scalar subquery, which PostgreSQL runs per row rather
    than joining every posting of a common token)."""
    other = _TOKEN.alias("other")
    tokens: sa.BindParameter[Any] = sa.bindparam(name, expanding=True)
    probe = (
        sa.select(sa.literal(1))
        .where(other.c.token.in_(tokens), other.c.search_id == posting.c.search_id)
        .limit(1)
        .correlate(posting)
        .scalar_subquery()
    )
    return probe.is_not(None)


def _prefix_condition(table: Any) -> sa.ColumnElement[bool]:
    return sa.and_(table.c.token >= sa.bindparam("low"), table.c.token < sa.bindparam("high"))


def after(prefix: str) -> str:
    """The first string past every string starting with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)
