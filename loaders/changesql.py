"""The hand-written SQL of what a supply touches and of the gazetteer change log.

The touched UPRNs are those whose label or search rows a supply may change: they are put in the
temporary ``touched_uprn`` table, which the label and search-row statements join. The change
rows compare the labels before and after the supply (stages ``label_before`` and
``label_after``, :data:`loaders.sql.LABELS_BEFORE`) and the classification and point
(``stage_fact_before`` and ``stage_fact_after``). Statements are assembled from our own
schema, never from input, and run on PostgreSQL and SQLite alike.
"""

from __future__ import annotations

from typing import Final

from loaders import model, sql

# --- the touched UPRNs ----------------------------------------------------------------------

CREATE_TOUCHED: Final = {
    sql.POSTGRESQL: "CREATE TEMP TABLE touched_uprn (uprn bigint PRIMARY KEY)",
    sql.SQLITE: "CREATE TEMP TABLE touched_uprn (uprn INTEGER PRIMARY KEY)",
}
DROP_TOUCHED: Final = "DROP TABLE IF EXISTS touched_uprn"
_SEARCH_INPUTS: Final = ("blpu", "lpi", "organisation", "classification", "delivery_point")
"""The record types with a UPRN that a label or a search row is built from: a search row is an
LPI or a delivery point with the facts of its BLPU (its status, class, custodian and postcode,
its first classification, its delivery points' post town and its organisation name)."""


def _staged_uprns(entity: str) -> list[str]:
    """The staged rows' UPRNs and (not with a full supply, which touches every BLPU) the UPRNs
    their keys belong to now: a record moved to another UPRN changes the old one's rows too."""
    parts = [f"SELECT uprn FROM stage_{entity}"]
    (key,) = model.ENTITY_KEYS[entity]
    if key != "uprn":
        parts.append(
            f"SELECT l.uprn FROM {entity} l JOIN stage_{entity} s ON s.{key} = l.{key} "
            "WHERE :everything = 0"
        )
    return parts


def touched_parts(inputs: tuple[str, ...], entities: tuple[str, ...]) -> list[str]:
    """The queries naming the UPRNs a supply staging ``entities`` may change, for a derived
    table built from ``inputs``: those of the staged inputs and the UPRNs their keys belong to
    now, those of the LPIs on streets whose descriptor is staged, and (``:everything = 1``)
    every live BLPU."""
    parts = [p for e in inputs if e in entities for p in _staged_uprns(e)]
    if "street_descriptor" in entities:
        parts.append("SELECT l.uprn FROM lpi l JOIN stage_street_descriptor d ON d.usrn = l.usrn")
    parts.append("SELECT uprn FROM blpu WHERE :everything = 1")
    return parts


def insert_touched(table: str, parts: list[str]) -> str:
    """The statement putting the UPRNs ``parts`` name into the temporary ``table``."""
    union = " UNION ".join(parts)
    return f"INSERT INTO {table} (uprn) SELECT uprn FROM ({union}) t WHERE uprn IS NOT NULL"


def touch_staged(entities: tuple[str, ...]) -> str:
    """The UPRNs whose label or search rows the supply may change (from :data:`_SEARCH_INPUTS`)."""
    return insert_touched("touched_uprn", touched_parts(_SEARCH_INPUTS, entities))


TOUCH_TILE: Final = (
    "INSERT INTO touched_uprn (uprn) "
    + " UNION ".join(f"SELECT uprn FROM {e} WHERE source_tile = :tile" for e in _SEARCH_INPUTS)
    + " EXCEPT SELECT uprn FROM touched_uprn"
)
"""The UPRNs a tile supply may delete without staging them (§5.5.3)."""

# --- the classification and point of the touched UPRNs ----------------------------------------

FACTS_BEFORE: Final = "stage_fact_before"
FACTS_AFTER: Final = "stage_fact_after"
_CREATE_FACTS: Final = {
    sql.POSTGRESQL: "CREATE TEMP TABLE {table} (uprn bigint PRIMARY KEY, class varchar(10), "
    "x double precision, y double precision)",
    sql.SQLITE: "CREATE TEMP TABLE {table} (uprn INTEGER PRIMARY KEY, class TEXT, x REAL, y REAL)",
}
_OPEN_CLASSES: Final = (
    "SELECT c.uprn AS uprn, c.classification_code AS code, ROW_NUMBER() OVER (PARTITION BY c.uprn "
    "ORDER BY CASE WHEN c.class_key IS NULL THEN 1 ELSE 0 END, c.class_key, c.id) AS n "
    "FROM classification c JOIN {table} t ON t.uprn = c.uprn WHERE c.end_date IS NULL"
)
_INSERT_FACTS: Final = (
    "INSERT INTO {into} (uprn, class, x, y) "
    "SELECT b.uprn, COALESCE(c.code, b.blpu_class), b.x_coordinate, b.y_coordinate "
    "FROM {table} t JOIN blpu b ON b.uprn = t.uprn "
    "LEFT JOIN (" + _OPEN_CLASSES + ") c ON c.uprn = b.uprn AND c.n = 1"
)


def create_facts(engine: str, table: str) -> str:
    """The temporary table of UPRNs' classification and point (``FACTS_BEFORE``/``_AFTER``)."""
    return _CREATE_FACTS[engine].format(table=table)


INSERT_FACTS_BEFORE: Final = _INSERT_FACTS.format(into=FACTS_BEFORE, table="touched_uprn")
"""The touched UPRNs' classification (the open one with the lowest CLASS_KEY, a DTF BLPU_CLASS
last, as a lookup shows it) and point, before the apply."""
INSERT_FACTS_AFTER: Final = _INSERT_FACTS.format(into=FACTS_AFTER, table=FACTS_BEFORE)
"""The same after the apply, for the UPRNs that had a BLPU before (only they can change)."""

# --- the gazetteer change log ----------------------------------------------------------------

# The change rows keep a label's first 500 characters (gazetteer_change.old_label/new_label);
# whether it changed is decided on the whole labels.
_CHANGE_COLUMNS: Final = (
    "INSERT INTO gazetteer_change (load_run_id, uprn, kind, old_label, new_label, "
    "successor_uprn, occurred_at) "
)
INSERT_CREATED: Final = (
    _CHANGE_COLUMNS + "SELECT :load_run_id, a.uprn, 'created', NULL, SUBSTR(a.label, 1, 500), "
    "NULL, :now "
    "FROM stage_label_after a WHERE NOT EXISTS "
    "(SELECT 1 FROM stage_label_before b WHERE b.uprn = a.uprn)"
)
INSERT_DELETED: Final = (
    _CHANGE_COLUMNS + "SELECT :load_run_id, b.uprn, 'deleted', SUBSTR(b.label, 1, 500), NULL, "
    "NULL, :now "
    "FROM stage_label_before b WHERE NOT EXISTS "
    "(SELECT 1 FROM stage_label_after a WHERE a.uprn = b.uprn)"
)
INSERT_RETIRED: Final = (
    _CHANGE_COLUMNS + "SELECT :load_run_id, a.uprn, 'retired', SUBSTR(b.label, 1, 500), "
    "SUBSTR(a.label, 1, 500), "
    "(SELECT MIN(s.successor) FROM successor s WHERE s.uprn = a.uprn), :now "
    "FROM stage_label_after a JOIN stage_label_before b ON b.uprn = a.uprn "
    "WHERE a.status = '8' AND b.status IS DISTINCT FROM '8'"
)
_DIFFERS: Final = {
    "lpi_text": "a.label IS DISTINCT FROM b.label",
    "classification": "fa.class IS DISTINCT FROM fb.class",
    "geometry": "(fa.x IS DISTINCT FROM fb.x OR fa.y IS DISTINCT FROM fb.y)",
}
_ATTRIBUTES: Final = (
    "SUBSTR("
    + " || ".join(f"CASE WHEN {test} THEN ',{name}' ELSE '' END" for name, test in _DIFFERS.items())
    + ", 2)"
)
INSERT_CHANGED: Final = (
    "INSERT INTO gazetteer_change (load_run_id, uprn, kind, old_label, new_label, "
    "successor_uprn, occurred_at, changed_attributes, old_classification, new_classification, "
    "old_x, old_y, new_x, new_y) "
    "SELECT :load_run_id, a.uprn, 'changed', SUBSTR(b.label, 1, 500), SUBSTR(a.label, 1, 500), "
    f"NULL, :now, {_ATTRIBUTES}, fb.class, fa.class, fb.x, fb.y, fa.x, fa.y "
    "FROM stage_label_after a JOIN stage_label_before b ON b.uprn = a.uprn "
    f"LEFT JOIN {FACTS_BEFORE} fb ON fb.uprn = a.uprn "
    f"LEFT JOIN {FACTS_AFTER} fa ON fa.uprn = a.uprn "
    "WHERE (" + " OR ".join(_DIFFERS.values()) + ") "
    "AND NOT (a.status = '8' AND b.status IS DISTINCT FROM '8')"
)
"""An address whose label, classification or point differs after the apply (and that was not
retired by it): ``changed_attributes`` names which, in that order."""
