"""The sharing package's hand-written SQL, named, in one place.

Times are bound typed (so SQLite stores them as the tables do). Everything else in
:mod:`notify.repository` is SQLAlchemy ``select()``/``insert()``/``update()``.
"""

from __future__ import annotations

from typing import Final

import sqlalchemy as sa

from core.tables import UtcDateTime


def _typed(sql: str, *times: str) -> sa.TextClause:
    return sa.text(sql).bindparams(*(sa.bindparam(t, type_=UtcDateTime()) for t in times))


#: Allocate the next ``seq`` of a lane (§6.9); PostgreSQL and SQLite >= 3.35 alike.
NEXT_SEQ: Final = sa.text(
    """
    INSERT INTO delivery_lane (ordering_key, endpoint_id, last_seq, state)
    VALUES (:ordering_key, :endpoint_id, 1, 'idle')
    ON CONFLICT (ordering_key) DO UPDATE SET last_seq = delivery_lane.last_seq + 1
    RETURNING last_seq
    """
)

#: An idle lane with a new delivery becomes ready at the delivery's release time.
WAKE_LANE: Final = _typed(
    """
    UPDATE delivery_lane
       SET state = 'ready',
           next_attempt_at = :not_before,
           endpoint_id = COALESCE(endpoint_id, :endpoint_id)
     WHERE ordering_key = :ordering_key AND state = 'idle'
    """,
    "not_before",
)

#: Codes of the areas whose boundary covers a UPRN's point (on the boundary counts).
AREAS_COVERING_UPRN_POSTGRESQL: Final = sa.text(
    """
    SELECT DISTINCT a.code
      FROM blpu b JOIN area a ON ST_Covers(a.geom, b.geom)
     WHERE b.uprn = :uprn
     ORDER BY a.code
    """
)

#: The same on SpatiaLite, with its R*Tree as the pre-filter.
AREAS_COVERING_UPRN_SQLITE: Final = sa.text(
    """
    SELECT DISTINCT a.code
      FROM blpu b, area a
     WHERE b.uprn = :uprn
       AND a.ROWID IN (SELECT ROWID FROM SpatialIndex
                        WHERE f_table_name = 'area' AND f_geometry_column = 'geom'
                          AND search_frame = b.geom)
       AND ST_Covers(a.geom, b.geom) = 1
     ORDER BY a.code
    """
)

#: Each of several UPRNs with the code of every area whose boundary covers its point.
AREAS_COVERING_UPRNS_POSTGRESQL: Final = sa.text(
    """
    SELECT DISTINCT b.uprn, a.code
      FROM blpu b JOIN area a ON ST_Covers(a.geom, b.geom)
     WHERE b.uprn IN :uprns
    """
).bindparams(sa.bindparam("uprns", expanding=True))

#: The same with the UPRNs in ``:wanted`` (bound by the caller), as a part of the review
#: check's statement (:func:`notify.move_review_reads.blocks_earlier_and_areas_query`).
AREAS_COVERING_WANTED_POSTGRESQL: Final = sa.text(
    """
    SELECT DISTINCT b.uprn, a.code
      FROM blpu b JOIN area a ON ST_Covers(a.geom, b.geom)
     WHERE b.uprn IN :wanted
    """
)

#: A delivery's CloudEvents attributes computed from its body in a batch on PostgreSQL
#: (:meth:`notify.row_batch.Batch.derive`, the row ``p``): the body is the canonical JSON of the
#: attributes with the event's ``data`` (:func:`notify.events.envelope`), so they need not be
#: sent twice.
ATTRIBUTES_FROM_BODY: Final = "convert_from(p.body, 'UTF8')::jsonb - 'data'"
#: PostgreSQL: :data:`notify.delivery_sql.REGISTRY_VERSION` as a one-element JSON array
#: (``mark``), so the review check's statement can carry it.
REGISTRY_VERSION_JSON: Final = sa.text(
    "SELECT json_build_array(version)::text AS mark FROM registry_version"
)

#: The same on SpatiaLite, with its R*Tree as the pre-filter.
AREAS_COVERING_UPRNS_SQLITE: Final = sa.text(
    """
    SELECT DISTINCT b.uprn, a.code
      FROM blpu b, area a
     WHERE b.uprn IN :uprns
       AND a.ROWID IN (SELECT ROWID FROM SpatialIndex
                        WHERE f_table_name = 'area' AND f_geometry_column = 'geom'
                          AND search_frame = b.geom)
       AND ST_Covers(a.geom, b.geom) = 1
    """
).bindparams(sa.bindparam("uprns", expanding=True))

#: SQLite: the count of this connection's own changes to registry rows (kept by the temporary
#: triggers below) and a number that moves whenever another connection commits a change
#: (``PRAGMA data_version``): unchanged, no registry row has changed since the last read here.
SQLITE_CHANGE_MARK: Final = sa.text(
    "SELECT (SELECT n FROM temp.registry_change_count),"
    " (SELECT data_version FROM pragma_data_version())"
)


def sqlite_change_counter(tables: tuple[str, ...]) -> list[sa.TextClause]:
    """The connection's counter of registry changes: a temporary table (one row) and, on each
    of ``tables`` (a constant list of the registry's own tables), a temporary trigger per
    insert, update and delete that adds one. Temporary objects live with the connection and
    are not part of the schema; changes to the counter commit and roll back with the rows."""
    statements = [
        sa.text("CREATE TEMP TABLE IF NOT EXISTS registry_change_count (n INTEGER NOT NULL)"),
        sa.text(
            "INSERT INTO temp.registry_change_count (n) SELECT 0"
            " WHERE NOT EXISTS (SELECT 1 FROM temp.registry_change_count)"
        ),
    ]
    for table in tables:
        for event in ("INSERT", "UPDATE", "DELETE"):
            statements.append(
                sa.text(
                    f"CREATE TEMP TRIGGER IF NOT EXISTS registry_count_{table}_{event.lower()}"
                    f" AFTER {event} ON main.{table}"
                    " BEGIN UPDATE registry_change_count SET n = n + 1; END"
                )
            )
    return statements
