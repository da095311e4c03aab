"""The hand-written SQL of the ABP and DTF apply, in one place, for both engines.

Every statement is assembled once, at import, from identifiers of our own schema (the tables
in :mod:`gazetteer.tables` and the fields of :mod:`gazetteer.domain`), never from input. Staging
tables are temporary and private to the loading connection and transaction. PostgreSQL 15 and
SQLite >= 3.39 both run the statements; only geometry and a few types differ.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Final

import sqlalchemy as sa

from gazetteer import tables
from loaders import model

POSTGRESQL: Final = "postgresql"
SQLITE: Final = "sqlite"
ENVELOPE: Final = (
    ("change_type", "text"),
    ("pro_order", "int"),
    ("source_file", "text"),
    ("line", "int"),
)

_TYPES: Final = {
    POSTGRESQL: {"text": "text", "int": "bigint", "float": "double precision", "date": "date"},
    SQLITE: {"text": "TEXT", "int": "INTEGER", "float": "REAL", "date": "TEXT"},
}
_POINT: Final = {
    POSTGRESQL: "ST_SetSRID(ST_MakePoint(s.x_coordinate, s.y_coordinate), 27700)",
    SQLITE: "MakePoint(s.x_coordinate, s.y_coordinate, 27700)",
}
LIVE_TABLES: Final[dict[str, sa.Table]] = {
    "street": tables.Street.__table__,  # type: ignore[dict-item]
    "street_descriptor": tables.StreetDescriptor.__table__,  # type: ignore[dict-item]
    "blpu": tables.Blpu.__table__,  # type: ignore[dict-item]
    "lpi": tables.Lpi.__table__,  # type: ignore[dict-item]
    "cross_reference": tables.CrossReference.__table__,  # type: ignore[dict-item]
    "delivery_point": tables.DeliveryPoint.__table__,  # type: ignore[dict-item]
    "classification": tables.Classification.__table__,  # type: ignore[dict-item]
    "organisation": tables.Organisation.__table__,  # type: ignore[dict-item]
    "successor": tables.Successor.__table__,  # type: ignore[dict-item]
    "provenance": tables.Provenance.__table__,  # type: ignore[dict-item]
}
DTF_CLASS_SCHEME: Final = "LLPG DTF 7.3 BLPU_CLASS"
TILED: Final = frozenset(name for name, table in LIVE_TABLES.items() if "source_tile" in table.c)
"""The BLPU-group tables a tile change-only supply replaces by tile (§5.5.3)."""


def _kind(column: sa.Column[object] | None) -> str:
    if column is None:
        return "text"
    if isinstance(column.type, sa.Date):
        return "date"
    if isinstance(column.type, sa.Integer):
        return "int"
    if isinstance(column.type, sa.Float | sa.Double):
        return "float"
    return "text"


@dataclass(frozen=True, kw_only=True, slots=True)
class Stage:
    """The staging table of one record type: the domain fields, then the envelope columns."""

    entity: str
    fields: tuple[str, ...]
    kinds: tuple[str, ...]
    key: tuple[str, ...]
    envelope: bool = True

    @property
    def name(self) -> str:
        return f"stage_{self.entity}"

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.fields, *(name for name, _ in self._envelope))

    @property
    def _envelope(self) -> tuple[tuple[str, str], ...]:
        return ENVELOPE if self.envelope else ()

    @property
    def live(self) -> sa.Table:
        return LIVE_TABLES[self.entity]

    @property
    def stored(self) -> tuple[str, ...]:
        """The fields the live table has columns for."""
        return tuple(f for f in self.fields if f in self.live.c)

    def create(self, engine: str) -> str:
        types = _TYPES[engine]
        kinds = (*self.kinds, *(kind for _, kind in self._envelope))
        body = ", ".join(f"{c} {types[k]}" for c, k in zip(self.columns, kinds, strict=True))
        return f"CREATE TEMP TABLE {self.name} ({body})"

    def drop(self) -> str:
        return f"DROP TABLE IF EXISTS {self.name}"

    def index(self) -> str:
        """An index on the key (then ``pro_order``, for a stage with the envelope)."""
        columns = (*self.key, "pro_order") if self.envelope else self.key
        return f"CREATE INDEX {self.name}_key ON {self.name} ({', '.join(columns)})"

    def copy(self) -> str:
        return f"COPY {self.name} ({', '.join(self.columns)}) FROM STDIN"

    def insert(self) -> str:
        marks = ", ".join("?" for _ in self.columns)
        return f"INSERT INTO {self.name} ({', '.join(self.columns)}) VALUES ({marks})"


def _stage(entity: str) -> Stage:
    cls = model.ENTITY_CLASSES[entity]
    fields = tuple(f.name for f in dataclasses.fields(cls))
    live = LIVE_TABLES[entity]
    kinds = tuple(_kind(live.c.get(f)) for f in fields)
    return Stage(entity=entity, fields=fields, kinds=kinds, key=model.ENTITY_KEYS[entity])


STAGES: Final = {entity: _stage(entity) for entity in model.APPLY_ORDER}


def _match(stage: Stage, left: str, right: str) -> str:
    return " AND ".join(f"{left}.{k} = {right}.{k}" for k in stage.key)


def _keys(stage: Stage, alias: str) -> str:
    return ", ".join(f"{alias}.{k}" for k in stage.key)


def duplicates(stage: Stage) -> str:
    """Rows whose key occurs more than once in the stage, with where they came from."""
    keys = ", ".join(stage.key)
    return (
        f"SELECT {_keys(stage, 's')}, s.source_file, s.line, s.pro_order FROM {stage.name} s "
        f"JOIN (SELECT {keys} FROM {stage.name} GROUP BY {keys} HAVING COUNT(*) > 1) d "
        f"ON {_match(stage, 's', 'd')} ORDER BY {_keys(stage, 's')}, s.pro_order LIMIT :limit"
    )


def repeated_pro_orders(entities: tuple[str, ...]) -> str:
    """PRO_ORDER values used by more than one row of the supply, across every record type."""
    union = " UNION ALL ".join(
        f"SELECT pro_order, source_file, line FROM stage_{e}" for e in entities
    )
    return (
        f"SELECT a.pro_order, a.source_file, a.line FROM ({union}) a "
        f"JOIN (SELECT pro_order FROM ({union}) b GROUP BY pro_order HAVING COUNT(*) > 1) d "
        "ON d.pro_order = a.pro_order ORDER BY a.pro_order, a.source_file, a.line LIMIT :limit"
    )


def dedupe(stage: Stage) -> str:
    """Keep, per key, only the row with the highest PRO_ORDER (§5.5.2 step 2)."""
    return (
        f"DELETE FROM {stage.name} WHERE EXISTS (SELECT 1 FROM {stage.name} s2 WHERE "
        f"{_match(stage, 's2', stage.name)} AND s2.pro_order > {stage.name}.pro_order)"
    )


def against_live(stage: Stage, change_type: str, *, live_exists: bool) -> str:
    """Stage rows of one change type whose key is (or is not) live: the COU-* findings."""
    exists = "EXISTS" if live_exists else "NOT EXISTS"
    return (
        f"SELECT {_keys(stage, 's')}, s.source_file, s.line FROM {stage.name} s "
        f"WHERE s.change_type = '{change_type}' AND {exists} "
        f"(SELECT 1 FROM {stage.live.name} l WHERE {_match(stage, 'l', 's')}) "
        f"ORDER BY s.source_file, s.line LIMIT :limit"
    )


def counts(stage: Stage) -> str:
    """Inserted, updated and deleted, judged against the live table before the apply."""
    live = f"EXISTS (SELECT 1 FROM {stage.live.name} l WHERE {_match(stage, 'l', 's')})"
    return (
        f"SELECT COALESCE(SUM(CASE WHEN s.change_type <> 'D' AND NOT {live} THEN 1 END), 0), "
        f"COALESCE(SUM(CASE WHEN s.change_type <> 'D' AND {live} THEN 1 END), 0), "
        f"COALESCE(SUM(CASE WHEN s.change_type = 'D' AND {live} THEN 1 END), 0) "
        f"FROM {stage.name} s"
    )


def count_live(stage: Stage) -> str:
    return f"SELECT COUNT(*) FROM {stage.live.name}"


def any_live(stage: Stage) -> str:
    return f"SELECT 1 FROM {stage.live.name} LIMIT 1"


def count_into_empty(stage: Stage) -> str:
    """:func:`counts` when the live table is empty: every row but a delete is an insert."""
    return (
        f"SELECT COALESCE(SUM(CASE WHEN change_type <> 'D' THEN 1 END), 0), 0, 0 FROM {stage.name}"
    )


def delete_keyed(stage: Stage) -> str:
    """Delete every live row whose key the stage carries (U, D, and I applied as U)."""
    return (
        f"DELETE FROM {stage.live.name} WHERE EXISTS (SELECT 1 FROM {stage.name} s "
        f"WHERE {_match(stage, 's', stage.live.name)})"
    )


def _in_tile(stage: Stage) -> str:
    """Live rows a tile supply replaces: those of the tile, and any the stage carries."""
    return (
        f"({stage.live.name}.source_tile = :tile OR EXISTS (SELECT 1 FROM {stage.name} s "
        f"WHERE {_match(stage, 's', stage.live.name)}))"
    )


def delete_tile(stage: Stage) -> str:
    """A tile COU deletes everything the hub holds for the tile, then inserts its rows (§5.5.3)."""
    return f"DELETE FROM {stage.live.name} WHERE {_in_tile(stage)}"


def count_tile_deleted(stage: Stage) -> str:
    """Rows :func:`delete_tile` removes that the tile supply does not insert again."""
    return (
        f"SELECT COUNT(*) FROM {stage.live.name} WHERE {_in_tile(stage)} AND NOT EXISTS "
        f"(SELECT 1 FROM {stage.name} s WHERE {_match(stage, 's', stage.live.name)} "
        "AND s.change_type <> 'D')"
    )


def other_custodians(stage: Stage) -> str:
    """Per local custodian code the live BLPUs have and the stage carries none of, how many
    (a BLPU without a code is nobody's)."""
    # NOT IN a list read once (SQLite would run a correlated NOT EXISTS once per live row)
    return (
        f"SELECT l.local_custodian_code, count(*) FROM {stage.live.name} l "
        "WHERE l.local_custodian_code NOT IN (SELECT s.local_custodian_code FROM "
        f"{stage.name} s WHERE s.local_custodian_code IS NOT NULL) "
        "GROUP BY l.local_custodian_code ORDER BY l.local_custodian_code"
    )


def delete_all(stage: Stage) -> str:
    """A full supply replaces the table (§5.5: 'F' is the whole gazetteer)."""
    return f"DELETE FROM {stage.live.name}"


def insert_live(stage: Stage, engine: str) -> str:
    """Insert the stage's I and U rows, with the load run, the tile (``:source_tile``, NULL
    outside a tile supply) and, for BLPUs, the point."""
    columns = [*stage.stored, "load_run_id"]
    values = [f"s.{c}" for c in stage.stored] + [":load_run_id"]
    if "source_tile" in stage.live.c:
        columns.append("source_tile")
        values.append("CAST(:source_tile AS VARCHAR(12))")
    if "geom" in stage.live.c:
        columns.append("geom")
        values.append(
            "CASE WHEN s.x_coordinate IS NOT NULL AND s.y_coordinate IS NOT NULL "
            f"THEN {_POINT[engine]} END"
        )
    return (
        f"INSERT INTO {stage.live.name} ({', '.join(columns)}) "
        f"SELECT {', '.join(values)} FROM {stage.name} s WHERE s.change_type <> 'D'"
    )


# --- DTF: classification and organisation carried on the BLPU (§5.3) --------------------------

#: Stage fields the stage's own live table has no column for, by record type, and the column
#: of another table they are written to (checked against that column's width).
CARRIED: Final[dict[str, dict[str, sa.Column[Any]]]] = {
    "blpu": {"organisation": LIVE_TABLES["organisation"].c.organisation},
}

DELETE_DTF_CLASSIFICATIONS: Final = (
    "DELETE FROM classification WHERE class_key IS NULL AND uprn IN (SELECT uprn FROM stage_blpu)"
)
DELETE_DTF_ORGANISATIONS: Final = (
    "DELETE FROM organisation WHERE org_key IS NULL AND uprn IN (SELECT uprn FROM stage_blpu)"
)
INSERT_DTF_CLASSIFICATIONS: Final = (
    "INSERT INTO classification (uprn, classification_code, class_scheme, start_date, end_date, "
    "last_update_date, entry_date, load_run_id) "
    "SELECT s.uprn, s.blpu_class, :scheme, s.start_date, s.end_date, s.last_update_date, "
    "s.entry_date, :load_run_id FROM stage_blpu s "
    "WHERE s.change_type <> 'D' AND s.blpu_class IS NOT NULL"
)
INSERT_DTF_ORGANISATIONS: Final = (
    "INSERT INTO organisation (uprn, organisation, start_date, end_date, last_update_date, "
    "entry_date, load_run_id) "
    "SELECT s.uprn, s.organisation, s.start_date, s.end_date, s.last_update_date, s.entry_date, "
    ":load_run_id FROM stage_blpu s WHERE s.change_type <> 'D' AND s.organisation IS NOT NULL"
)

# --- labels --------------------------------------------------------------------------------

WHOLE_CURSOR: Final = "SET LOCAL cursor_tuple_fraction = 1.0"
_LABEL_ROWS: Final = (
    "SELECT b.uprn, b.logical_status, b.postcode_locator, "
    "l.lpi_key, l.language, l.logical_status, l.usrn, l.end_date, l.sao_start_number, "
    "l.sao_start_suffix, l.sao_end_number, l.sao_end_suffix, l.sao_text, l.pao_start_number, "
    "l.pao_start_suffix, l.pao_end_number, l.pao_end_suffix, l.pao_text, l.level, l.area_name, "
    "l.postcode, l.post_town, "
    "d.description, d.language, d.locality, d.town_name, d.administrative_area "
    "FROM touched_uprn t JOIN blpu b ON b.uprn = t.uprn "
    "LEFT JOIN lpi l ON l.uprn = b.uprn "
    "LEFT JOIN street_descriptor d ON d.usrn = l.usrn {where}"
    "ORDER BY b.uprn, l.lpi_key, d.language"
)
_ORGANISATION_ROWS: Final = (
    "SELECT o.uprn, o.organisation FROM touched_uprn t JOIN organisation o ON o.uprn = t.uprn "
    "WHERE o.end_date IS NULL {also}ORDER BY o.uprn, o.organisation"
)
_NOT_LABELLED: Final = "NOT EXISTS (SELECT 1 FROM stage_label_after x WHERE x.uprn = {uprn}) "
LABEL_ROWS: Final = _LABEL_ROWS.format(where="")
ORGANISATION_ROWS: Final = _ORGANISATION_ROWS.format(also="")
UNLABELLED_ROWS: Final = _LABEL_ROWS.format(where="WHERE " + _NOT_LABELLED.format(uprn="b.uprn"))
"""LABEL_ROWS of the touched UPRNs that ``LABELS_FROM_SEARCH`` left without a label."""
UNLABELLED_ORGANISATION_ROWS: Final = _ORGANISATION_ROWS.format(
    also="AND " + _NOT_LABELLED.format(uprn="o.uprn")
)
_LABEL_MAX: Final = 500  # address_search.label holds the first 500 characters of a label
_SEARCH_LABELS: Final = (
    "INSERT INTO stage_label_after (uprn, status, label) "
    "SELECT c.uprn, c.status, a.label FROM (SELECT b.uprn AS uprn, b.logical_status AS status, "
    "l.lpi_key AS lpi_key, ROW_NUMBER() OVER (PARTITION BY b.uprn ORDER BY "
    "CASE WHEN l.end_date IS NULL THEN 0 ELSE 1 END, l.lpi_key{collate}) AS n "
    "FROM touched_uprn t JOIN blpu b ON b.uprn = t.uprn JOIN lpi l ON l.uprn = b.uprn "
    "WHERE l.logical_status = '1' AND l.language = 'ENG') c "
    "JOIN address_search a ON a.uprn = c.uprn AND a.source = 'lpi' AND a.source_key = c.lpi_key "
    f"WHERE c.n = 1 AND LENGTH(a.label) < {_LABEL_MAX}"
)
LABELS_FROM_SEARCH: Final = {
    POSTGRESQL: _SEARCH_LABELS.format(collate=' COLLATE "C"'),
    SQLITE: _SEARCH_LABELS.format(collate=""),
}
"""The label of every touched UPRN with an approved English LPI, read from that LPI's search
row (the same geographic single line, §6.4): ``formatting.choose_lpi`` in SQL, the open LPI
first, then the lowest LPI_KEY in code-point order as Python compares it."""
LABELS_BEFORE: Final = Stage(
    entity="label_before",
    fields=("uprn", "status", "label"),
    kinds=("int", "text", "text"),
    key=("uprn",),
    envelope=False,
)
LABELS_AFTER: Final = dataclasses.replace(LABELS_BEFORE, entity="label_after")
LABELS_REST: Final = dataclasses.replace(LABELS_BEFORE, entity="label_rest")
ADD_REST_LABELS: Final = (
    "INSERT INTO stage_label_after (uprn, status, label) SELECT uprn, status, label "
    "FROM stage_label_rest"
)
