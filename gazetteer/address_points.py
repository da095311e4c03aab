"""The ``address_point`` rows (:class:`gazetteer.search_tables.AddressPoint`): each UPRN's
point with its preferred current list row, rewritten with the search rows.

A rebuild of the search rows (:func:`gazetteer.search_index.rebuild`) calls the statements of
:data:`REFRESH` with its scope: the points of the scope's UPRNs (every UPRN when unscoped)
are deleted and written again from the BLPUs and the search rows just written. The preferred
row is the one the filtered nearest labels a point with (``nearest_sql.preferred`` with the
default filters), so reading this table gives the same answer as that statement.
"""

from __future__ import annotations

from typing import Any, Final, Protocol

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from gazetteer import nearest_sql, tables
from gazetteer import search_repository as repo
from gazetteer.search_tables import AddressPoint, AddressSearch

_SCOPE = sa.table("search_scope", sa.column("uprn", sa.BigInteger))
_LABELS: Final = nearest_sql.PG_LABEL_COLUMNS
_WRITTEN: Final = ("uprn", "geom", *_LABELS)
_DIALECTS: Final[dict[str, Any]] = {"postgresql": postgresql, "sqlite": sqlite}


def _pg_rows() -> sa.Select[Any]:
    """Each BLPU with a point joined to its preferred row (PostgreSQL: a lateral probe, 2.6x
    faster at a million than looking the row up again by id)."""
    blpu = tables.Blpu.__table__
    best = nearest_sql.preferred(blpu.c.uprn, repo.Filters()).lateral("best")
    rows = sa.select(blpu.c.uprn, blpu.c.geom, *(best.c[n] for n in _LABELS))
    return rows.select_from(blpu.join(best, sa.true())).where(blpu.c.geom.is_not(None))


def _sqlite_rows() -> sa.Select[Any]:
    """Each BLPU with a point joined to its preferred row by id (SQLite has no lateral)."""
    blpu, search = tables.Blpu.__table__, AddressSearch.__table__.alias("chosen")
    best = nearest_sql.preferred(blpu.c.uprn, repo.Filters(), ("id",), sqlite=True)
    rows = sa.select(blpu.c.uprn, blpu.c.geom, *(search.c[n] for n in _LABELS))
    joined = blpu.join(search, search.c.id == best.correlate(blpu).scalar_subquery())
    return rows.select_from(joined).where(blpu.c.geom.is_not(None))


def _fill(engine: str, *, scoped: bool) -> str:
    """``INSERT ... SELECT`` of the points of the scope's UPRNs (or of every UPRN)."""
    rows = _pg_rows() if engine == "postgresql" else _sqlite_rows()
    if scoped:
        rows = rows.where(tables.Blpu.uprn.in_(sa.select(_SCOPE.c.uprn)))
    return _sql(engine, sa.insert(AddressPoint).from_select(list(_WRITTEN), rows))


def _delete(engine: str, *, scoped: bool) -> str:
    if not scoped:
        return _sql(engine, sa.delete(AddressPoint))
    in_scope = AddressPoint.uprn.in_(sa.select(_SCOPE.c.uprn))
    return _sql(engine, sa.delete(AddressPoint).where(in_scope))


def _sql(engine: str, statement: Any) -> str:
    """The engine's text of ``statement``, its few constants written in."""
    dialect: sa.Dialect = _DIALECTS[engine].dialect()
    return str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


#: The statements of a refresh, per engine and scoped: delete the points, then write them.
REFRESH: Final = {
    (engine, scoped): (_delete(engine, scoped=scoped), _fill(engine, scoped=scoped))
    for engine in _DIALECTS
    for scoped in (True, False)
}
POINT_INDEXES: Final = (
    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
    "AND tablename = 'address_point' AND indexname NOT LIKE 'pk_%' ORDER BY indexname"
)


class Target(Protocol):
    """Where a rebuild writes (``search_index``'s connection, spoken to without the ORM)."""

    postgresql: bool

    def execute(self, statement: str) -> None: ...

    def catalogue(self, statement: str) -> list[tuple[str, str]]: ...


def refresh(target: Target, *, scoped: bool, emptied: bool) -> None:
    """Write the points of the rebuild's scope again, after its search rows and their indexes
    (the fill probes the rows by UPRN). ``emptied``: a bulk rebuild's ``TRUNCATE`` removed
    them all, so the spatial index is built once after the rows instead of row by row."""
    delete, fill = REFRESH["postgresql" if target.postgresql else "sqlite", scoped]
    if not emptied:
        target.execute(delete)
        target.execute(fill)
        return
    found = target.catalogue(POINT_INDEXES)
    for name, _definition in found:
        target.execute(f'DROP INDEX "{name}"')  # names read from the catalogue
    target.execute(fill)
    for _name, definition in found:
        target.execute(definition)  # definitions read from the catalogue
    target.execute("ANALYZE address_point")
