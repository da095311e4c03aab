"""Keep the address search index in step with the gazetteer.

:func:`rebuild` recomputes the ``address_search`` rows (and their tokens) of the given UPRNs,
or of the whole gazetteer: loaders call it after a load, in the load's transaction. The labels
and canonical facts are computed in Python (the same normaliser the matcher uses on typed
input, :mod:`gazetteer.search_facts`); everything around them is set-based:

* the chosen UPRNs go into a temporary table (``COPY`` on PostgreSQL), and their old rows and
  tokens are deleted with one statement each (nothing to delete when the index is empty);
* each source (LPIs, delivery points, council list addresses) is read with one joined query
  over that table, streamed (a server-side cursor on PostgreSQL), as plain tuples;
* rows and tokens are written with ``COPY`` on PostgreSQL and ``executemany`` on SQLite.

When a large rebuild on PostgreSQL replaces every row of the index (the first full supply into
an empty index, or a later full supply that touches every UPRN), the index is truncated, its
secondary indexes (and the tokens' primary key) are dropped and built again at the end, in the
same transaction: building a trigram index once is much cheaper than maintaining it row by row.
Until the load commits, searches wait for it instead of reading the old rows.
"""

from __future__ import annotations

import dataclasses
import functools
import operator
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing as _closing
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import orm

from core import memory
from gazetteer import address_points, domain, search_facts
from gazetteer.search_facts import BlpuFacts, IndexRow
from gazetteer.search_tables import AddressSearch

BATCH: Final = 5000
_COPY_ESCAPED: Final = re.compile(r"[\\\x00-\x08\x0b-\x1f\x7f]")
"""What ``COPY`` text format reads other than as written (backslash, control bytes) but for the
tab and newline that separate columns and rows, which are counted instead."""
_DESCRIPTORS_CACHED: Final = 1 << 12
BULK_MIN: Final = 20_000
"""UPRNs from which a PostgreSQL rebuild that replaces every row of the index (an empty index,
or one whose UPRNs are all chosen) empties it and builds its secondary indexes afresh."""

_SCOPE: Final = sa.table("search_scope", sa.column("uprn"))
_ROW_COLUMNS: Final = tuple(c.name for c in AddressSearch.__table__.columns)
_VALUE_COLUMNS: Final = tuple(c for c in _ROW_COLUMNS if c != "id")
_VALUES_OF: Final = operator.itemgetter(*_VALUE_COLUMNS)
_LPI_FIELDS: Final = tuple(f.name for f in dataclasses.fields(domain.Lpi))
_DESCRIPTOR_FIELDS: Final = tuple(f.name for f in dataclasses.fields(domain.StreetDescriptor))
_DPA_FIELDS: Final = tuple(f.name for f in dataclasses.fields(domain.DeliveryPoint))

# --- named SQL (both engines; scope fragments are our own identifiers, never input) ----------

CREATE_SCOPE: Final = {
    "postgresql": "CREATE TEMP TABLE search_scope (uprn bigint PRIMARY KEY) ON COMMIT DROP",
    "sqlite": "CREATE TEMP TABLE search_scope (uprn INTEGER PRIMARY KEY)",
}
DROP_SCOPE: Final = "DROP TABLE IF EXISTS search_scope"
COPY_SCOPE: Final = "COPY search_scope (uprn) FROM STDIN"
INSERT_SCOPE: Final = "INSERT OR IGNORE INTO search_scope (uprn) VALUES (?)"
WHOLE_CURSOR: Final = "SET LOCAL cursor_tuple_fraction = 1.0"
RESET_CURSOR: Final = "RESET cursor_tuple_fraction"
ANALYZE_SCOPE: Final = "ANALYZE search_scope"
COUNT_SCOPE: Final = "SELECT COUNT(*) FROM search_scope"
ANY_ROW: Final = "SELECT 1 FROM address_search LIMIT 1"
UNCOVERED_ROW: Final = (
    "SELECT 1 FROM address_search a WHERE NOT EXISTS "
    "(SELECT 1 FROM search_scope s WHERE s.uprn = a.uprn) LIMIT 1"
)
TRUNCATE: Final = "TRUNCATE address_search_token, address_search, address_point"
INDEX_BUILD_MEMORY: Final = (
    "SELECT set_config('maintenance_work_mem', '256MB', true) "
    "WHERE pg_size_bytes(current_setting('maintenance_work_mem')) < pg_size_bytes('256MB')"
)
"""For the index builds of a bulk rebuild, in this transaction only (never lowered): at a
million records the tokens' key sorts about 3 million rows, which spill to disk at the
default 64 MB."""
MAX_ID: Final = "SELECT MAX(id) FROM address_search"
DELETE_ALL_TOKENS: Final = "DELETE FROM address_search_token"
DELETE_ALL_ROWS: Final = "DELETE FROM address_search"
DELETE_SCOPED_TOKENS: Final = (
    "DELETE FROM address_search_token WHERE search_id IN (SELECT a.id FROM address_search a "
    "JOIN search_scope s ON s.uprn = a.uprn)"
)
DELETE_SCOPED_ROWS: Final = (
    "DELETE FROM address_search WHERE uprn IN (SELECT uprn FROM search_scope)"
)
SECONDARY_INDEXES: Final = (
    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
    "AND tablename IN ('address_search', 'address_search_token') "
    "AND indexname NOT LIKE 'pk_%' ORDER BY indexname"
)
PRIMARY_KEY_OF_TOKENS: Final = (
    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
    "WHERE conrelid = 'address_search_token'::regclass AND contype = 'p'"
)
COPY_ROWS: Final = f"COPY address_search ({', '.join(_ROW_COLUMNS)}) FROM STDIN"
COPY_TOKENS: Final = "COPY address_search_token (token, search_id) FROM STDIN"
INSERT_ROWS: Final = (
    f"INSERT INTO address_search ({', '.join(_ROW_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _ROW_COLUMNS)})"
)
INSERT_TOKENS: Final = "INSERT INTO address_search_token (token, search_id) VALUES (?, ?)"

_IN_SCOPE: Final = " AND uprn IN (SELECT uprn FROM search_scope)"
# The BLPU facts: the first live classification (else the BLPU's own class), post town of a
# live delivery point and live organisation name, each aggregated once per UPRN and joined.
_BLPU_FACTS: Final = (
    "b.uprn, b.logical_status, COALESCE(c.code, b.blpu_class), b.local_custodian_code, "
    "b.postcode_locator, p.post_town, o.name"
)
_BLPU_JOINS: Final = (
    "LEFT JOIN (SELECT uprn, MIN(classification_code) AS code FROM classification "
    "WHERE end_date IS NULL{scope} GROUP BY uprn) c ON c.uprn = b.uprn "
    "LEFT JOIN (SELECT uprn, MIN(post_town) AS post_town FROM delivery_point "
    "WHERE end_date IS NULL{scope} GROUP BY uprn) p ON p.uprn = b.uprn "
    "LEFT JOIN (SELECT uprn, MIN(organisation) AS name FROM organisation "
    "WHERE end_date IS NULL{scope} GROUP BY uprn) o ON o.uprn = b.uprn "
)
_INDEXED_LPI_STATUSES: Final = "('1', '3', '6', '8')"
_LPI_ROWS: Final = (
    f"SELECT {', '.join('l.' + f for f in _LPI_FIELDS)}, "
    f"{', '.join('own.' + f for f in _DESCRIPTOR_FIELDS)}, "
    f"{', '.join('eng.' + f for f in _DESCRIPTOR_FIELDS)}, {_BLPU_FACTS} "
    "FROM lpi l JOIN blpu b ON b.uprn = l.uprn {join}"
    "LEFT JOIN street_descriptor own ON own.usrn = l.usrn AND own.language = l.language "
    "LEFT JOIN street_descriptor eng ON eng.usrn = l.usrn AND eng.language = 'ENG' "
    f"{_BLPU_JOINS}WHERE l.logical_status IN {_INDEXED_LPI_STATUSES}"
)
_DPA_ROWS: Final = (
    f"SELECT {', '.join('d.' + f for f in _DPA_FIELDS)}, {_BLPU_FACTS} "
    "FROM delivery_point d JOIN blpu b ON b.uprn = d.uprn {join}" + _BLPU_JOINS
)
_LISTED_ROWS: Final = (
    f"SELECT i.id, i.uprn, i.address, i.postcode, {_BLPU_FACTS} "
    "FROM listed_address i {join}LEFT JOIN blpu b ON b.uprn = i.uprn "
    f"{_BLPU_JOINS}WHERE i.uprn IS NOT NULL"
)


def _scoped(template: str, *, alias: str, scoped: bool) -> str:
    join = f"JOIN search_scope s ON s.uprn = {alias}.uprn " if scoped else ""
    return template.format(join=join, scope=_IN_SCOPE if scoped else "")


SOURCE_ROWS: Final = {
    scoped: {
        "lpi": _scoped(_LPI_ROWS, alias="l", scoped=scoped),
        "dpa": _scoped(_DPA_ROWS, alias="d", scoped=scoped),
        "listed": _scoped(_LISTED_ROWS, alias="i", scoped=scoped),
    }
    for scoped in (True, False)
}


# --- the rebuild -----------------------------------------------------------------------------


def rebuild(session: orm.Session, uprns: Iterable[int] | None = None) -> int:
    """Replace the index rows of ``uprns`` (all UPRNs when None); returns the rows written."""
    session.flush()
    target = _Target(session)
    if uprns is None:
        return _rebuild(target, scoped=False)
    target.open_scope()
    target.fill_scope(set(uprns))
    return _rebuild(target, scoped=True)


def rebuild_selected(session: orm.Session, uprns: sa.Select[Any]) -> int:
    """:func:`rebuild` for the distinct UPRNs a query selects, copied in the database (a large
    load's touched UPRNs never pass through Python)."""
    session.flush()
    target = _Target(session)
    target.open_scope()
    session.execute(sa.insert(_SCOPE).from_select(["uprn"], uprns))
    return _rebuild(target, scoped=True)


def _rebuild(target: _Target, *, scoped: bool) -> int:
    if scoped and target.postgresql:
        target.execute(ANALYZE_SCOPE)
    large = target.postgresql and (not scoped or target.scalar(COUNT_SCOPE) >= BULK_MIN)
    # A large rebuild that replaces every row (a full supply again) empties the index first.
    bulk = large and (not scoped or target.scalar(UNCOVERED_ROW) is None)
    if bulk:
        target.execute(TRUNCATE)
    elif target.scalar(ANY_ROW) is not None:
        target.delete(scoped=scoped)
    indexes = target.drop_secondary_indexes() if bulk else []
    with memory.no_cycle_collection():
        written = target.write(_all_rows(target, scoped=scoped))
    target.create_indexes(indexes)  # before the points: their fill probes the rows by UPRN
    address_points.refresh(target, scoped=scoped, emptied=bulk)
    if scoped:
        target.execute(DROP_SCOPE)
    return written


def _all_rows(target: _Target, *, scoped: bool) -> Iterator[IndexRow]:
    statements = SOURCE_ROWS[scoped]
    for row in target.stream(statements["lpi"]):
        yield _lpi_row(row)
    for row in target.stream(statements["dpa"]):
        yield _dpa_row(row)
    for row in target.stream(statements["listed"]):
        yield _listed_row(row)


def _blpu_facts(values: Sequence[Any]) -> tuple[BlpuFacts, str | None]:
    uprn, status, classification, custodian, postcode, post_town, organisation = values
    facts = BlpuFacts(
        uprn=uprn,
        logical_status=status,
        classification=classification,
        custodian=custodian,
        postcode=postcode,
        post_town=post_town,
    )
    return facts, organisation


def _lpi_row(row: Sequence[Any]) -> IndexRow:
    lpi_end = len(_LPI_FIELDS)
    own_end = lpi_end + len(_DESCRIPTOR_FIELDS)
    eng_end = own_end + len(_DESCRIPTOR_FIELDS)
    record = domain.Lpi(**dict(zip(_LPI_FIELDS, row[:lpi_end], strict=True)))
    descriptor = _descriptor(row[lpi_end:own_end]) or _descriptor(row[own_end:eng_end])
    blpu, organisation = _blpu_facts(row[eng_end:])
    return search_facts.lpi(record, descriptor, blpu=blpu, organisation=organisation)


def _descriptor(values: Sequence[Any]) -> domain.StreetDescriptor | None:
    if values[0] is None:
        return None
    return _descriptor_of(tuple(values))


@functools.lru_cache(maxsize=_DESCRIPTORS_CACHED)
def _descriptor_of(values: tuple[Any, ...]) -> domain.StreetDescriptor:
    """One descriptor object per distinct descriptor: a street serves many LPIs."""
    return domain.StreetDescriptor(**dict(zip(_DESCRIPTOR_FIELDS, values, strict=True)))


def _dpa_row(row: Sequence[Any]) -> IndexRow:
    fields = len(_DPA_FIELDS)
    record = domain.DeliveryPoint(**dict(zip(_DPA_FIELDS, row[:fields], strict=True)))
    blpu, _organisation = _blpu_facts(row[fields:])
    return search_facts.delivery_point(record, blpu=blpu)


def _listed_row(row: Sequence[Any]) -> IndexRow:
    row_id, uprn, address, postcode, blpu_uprn, *blpu_values = row
    blpu, _organisation = _blpu_facts([blpu_uprn or uprn, *blpu_values])
    return search_facts.listed(
        row_id=row_id, uprn=uprn, address=address, postcode=postcode, blpu=blpu
    )


# --- the connection ------------------------------------------------------------------------


class _Target:
    """The session's DBAPI connection, spoken to without the ORM."""

    def __init__(self, session: orm.Session) -> None:
        self.postgresql = session.get_bind().dialect.name == "postgresql"
        self.driver: Any = session.connection().connection.driver_connection

    def execute(self, statement: str) -> None:
        with _closing(self.driver.cursor()) as cursor:
            cursor.execute(statement)

    def scalar(self, statement: str) -> Any:
        with _closing(self.driver.cursor()) as cursor:
            cursor.execute(statement)
            found = cursor.fetchone()
        return None if found is None else found[0]

    def open_scope(self) -> None:
        self.execute(DROP_SCOPE)
        self.execute(CREATE_SCOPE["postgresql" if self.postgresql else "sqlite"])

    def fill_scope(self, uprns: Iterable[int]) -> None:
        self._put(COPY_SCOPE, INSERT_SCOPE, [(uprn,) for uprn in uprns])

    def delete(self, *, scoped: bool) -> None:
        for statement in (
            (DELETE_SCOPED_TOKENS, DELETE_SCOPED_ROWS)
            if scoped
            else (DELETE_ALL_TOKENS, DELETE_ALL_ROWS)
        ):
            self.execute(statement)

    def stream(self, statement: str) -> Iterator[Sequence[Any]]:
        """The rows of ``statement`` in batches (a server-side cursor on PostgreSQL)."""
        if not self.postgresql:
            yield from self._fetch(self.driver.cursor(), statement)
            return
        # A cursor is planned for its first rows unless told it will be read to the end.
        self.execute(WHOLE_CURSOR)
        try:
            yield from self._fetch(self.driver.cursor(name="search_rows"), statement)
        finally:
            self.execute(RESET_CURSOR)

    def _fetch(self, cursor: Any, statement: str) -> Iterator[Sequence[Any]]:
        with _closing(cursor):
            cursor.execute(statement)
            while batch := cursor.fetchmany(BATCH):
                yield from batch

    def write(self, rows: Iterable[IndexRow]) -> int:
        next_id = (self.scalar(MAX_ID) or 0) + 1
        written, batch = 0, []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                self._write_batch(batch, first_id=next_id + written)
                written, batch = written + len(batch), []
        self._write_batch(batch, first_id=next_id + written)
        return written + len(batch)

    def _write_batch(self, rows: list[IndexRow], *, first_id: int) -> None:
        values = [(first_id + i, *_VALUES_OF(row.values)) for i, row in enumerate(rows)]
        tokens = [
            (token, first_id + i) for i, row in enumerate(rows) for token in sorted(row.tokens)
        ]
        self._put(COPY_ROWS, INSERT_ROWS, values)
        if self.postgresql and tokens:
            self._copy_tokens(tokens)
        else:
            self._put(COPY_TOKENS, INSERT_TOKENS, tokens)

    def _copy_tokens(self, tokens: list[tuple[str, int]]) -> None:
        """The tokens as ``COPY`` text in one write: they are canonical words (letters, digits,
        ``-`` and ``/``), which text format takes as they are; anything else goes row by row."""
        text = "".join(f"{token}\t{search_id}\n" for token, search_id in tokens)
        count = len(tokens)
        if _COPY_ESCAPED.search(text) or text.count("\t") != count or text.count("\n") != count:
            self._put(COPY_TOKENS, INSERT_TOKENS, tokens)
            return
        with _closing(self.driver.cursor()) as cursor, cursor.copy(COPY_TOKENS) as out:
            out.write(text)

    def _put(self, copy: str, insert: str, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        with _closing(self.driver.cursor()) as cursor:
            if self.postgresql:
                with cursor.copy(copy) as out:
                    for row in rows:
                        out.write_row(row)
            else:
                cursor.executemany(insert, rows)

    def drop_secondary_indexes(self) -> list[str]:
        """Drop the secondary indexes and the tokens' primary key (a key built once after the
        rows is cheaper than one maintained per token); the statements that make them again."""
        found = self.catalogue(SECONDARY_INDEXES)
        for name, _definition in found:
            self.execute(f'DROP INDEX "{name}"')  # names read from the catalogue
        keys = self.catalogue(PRIMARY_KEY_OF_TOKENS)
        for name, _definition in keys:
            self.execute(f'ALTER TABLE address_search_token DROP CONSTRAINT "{name}"')
        remake = [f'ALTER TABLE address_search_token ADD CONSTRAINT "{n}" {d}' for n, d in keys]
        return remake + [definition for _name, definition in found]

    def catalogue(self, statement: str) -> list[tuple[str, str]]:
        with _closing(self.driver.cursor()) as cursor:
            cursor.execute(statement)
            return [(str(name), str(definition)) for name, definition in cursor.fetchall()]

    def create_indexes(self, definitions: list[str]) -> None:
        if definitions:
            self.execute(INDEX_BUILD_MEMORY)
        for definition in definitions:
            self.execute(definition)  # definitions read from the catalogue
        if definitions:
            self.execute("ANALYZE address_search, address_search_token")
