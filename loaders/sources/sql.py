"""The hand-written SQL of the source loaders, in one place, for both engines.

Statements are assembled once, at import, from the column names below (identifiers of our own
schema, never input). Staging tables are temporary and private to the loading connection.
The diff statements are plain SQL that PostgreSQL 15 and SQLite >= 3.39 both run
(``UPDATE ... FROM``, ``IS DISTINCT FROM``); only geometry construction differs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

POSTGRESQL: Final = "postgresql"
SQLITE: Final = "sqlite"

# SQL types per engine for staging columns.
_TYPES: Final = {
    POSTGRESQL: {"text": "text", "int": "bigint", "float": "double precision", "blob": "bytea"},
    SQLITE: {"text": "TEXT", "int": "INTEGER", "float": "REAL", "blob": "BLOB"},
}
_POINT: Final = {
    POSTGRESQL: "ST_SetSRID(ST_MakePoint(s.{x}, s.{y}), 27700)",
    SQLITE: "MakePoint(s.{x}, s.{y}, 27700)",
}
_MULTIPOLYGON: Final = {
    POSTGRESQL: "ST_Multi(ST_GeomFromWKB(s.wkb, 27700))",
    SQLITE: "CastToMultiPolygon(GeomFromWKB(s.wkb, 27700))",
}
_DROP: Final = {
    POSTGRESQL: "DROP TABLE IF EXISTS pg_temp.{t}",
    SQLITE: "DROP TABLE IF EXISTS temp.{t}",
}


@dataclass(frozen=True, kw_only=True, slots=True)
class Stage:
    """A staging table: ``columns`` in the order rows are written, with their kinds."""

    name: str
    columns: tuple[tuple[str, str], ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)

    def create(self, engine: str) -> str:
        types = _TYPES[engine]
        body = ", ".join(f"{name} {types[kind]}" for name, kind in self.columns)
        return f"CREATE TEMP TABLE {self.name} ({body})"

    def drop(self, engine: str) -> str:
        return _DROP[engine].format(t=self.name)

    def index(self, column: str) -> str:
        """An index on the staged key, so the diff joins by index on both engines."""
        return f"CREATE INDEX ix_{self.name}_{column} ON {self.name} ({column})"

    def analyze(self, engine: str) -> str | None:
        """PostgreSQL never analyses temporary tables by itself; the planner needs the counts."""
        return f"ANALYZE {self.name}" if engine == POSTGRESQL else None

    def copy(self) -> str:
        return f"COPY {self.name} ({', '.join(self.column_names)}) FROM STDIN"

    def insert(self) -> str:
        marks = ", ".join("?" for _ in self.columns)
        return f"INSERT INTO {self.name} ({', '.join(self.column_names)}) VALUES ({marks})"


@dataclass(frozen=True, kw_only=True, slots=True)
class Snapshot:
    """A live table diffed against a full snapshot by one key column."""

    table: str
    key: str
    values: tuple[str, ...]
    point: tuple[str, str]
    stage: Stage

    def duplicates(self) -> str:
        return (
            f"SELECT s.{self.key}, s.source_file, s.line FROM {self.stage.name} s "
            f"WHERE s.{self.key} IN (SELECT {self.key} FROM {self.stage.name} "
            f"GROUP BY {self.key} HAVING count(*) > 1) "
            f"ORDER BY s.{self.key}, s.source_file, s.line LIMIT :limit"
        )

    def delete_missing(self) -> str:
        return (
            f"DELETE FROM {self.table} WHERE NOT EXISTS (SELECT 1 FROM {self.stage.name} s "
            f"WHERE s.{self.key} = {self.table}.{self.key})"
        )

    def update_changed(self, engine: str) -> str:
        sets = ", ".join(f"{c} = s.{c}" for c in self.values)
        differs = " OR ".join(f"{self.table}.{c} IS DISTINCT FROM s.{c}" for c in self.values)
        point = _point(engine, self.point)
        return (
            f"UPDATE {self.table} SET {sets}, geom = {point}, load_run_id = :run "
            f"FROM {self.stage.name} s WHERE {self.table}.{self.key} = s.{self.key} "
            f"AND ({differs})"
        )

    def insert_new(self, engine: str) -> str:
        columns = ", ".join((self.key, *self.values))
        selected = ", ".join(f"s.{c}" for c in (self.key, *self.values))
        point = _point(engine, self.point)
        return (
            f"INSERT INTO {self.table} ({columns}, geom, load_run_id) "
            f"SELECT {selected}, {point}, :run FROM {self.stage.name} s "
            f"WHERE NOT EXISTS (SELECT 1 FROM {self.table} t WHERE t.{self.key} = s.{self.key})"
        )


def _point(engine: str, xy: tuple[str, str]) -> str:
    x, y = xy
    point = _POINT[engine].format(x=x, y=y)
    return f"CASE WHEN s.{x} IS NULL OR s.{y} IS NULL THEN NULL ELSE {point} END"


_SOURCE: Final = (("source_file", "text"), ("line", "int"))

POSTCODE: Final = Snapshot(
    table="postcode",
    key="postcode",
    values=(
        "positional_quality",
        "eastings",
        "northings",
        "latitude",
        "longitude",
        "country_code",
        "nhs_regional_ha_code",
        "nhs_ha_code",
        "admin_county_code",
        "admin_district_code",
        "admin_ward_code",
    ),
    point=("eastings", "northings"),
    stage=Stage(
        name="src_stage_postcode",
        columns=(
            ("postcode", "text"),
            ("positional_quality", "int"),
            ("eastings", "int"),
            ("northings", "int"),
            ("latitude", "float"),
            ("longitude", "float"),
            ("country_code", "text"),
            ("nhs_regional_ha_code", "text"),
            ("nhs_ha_code", "text"),
            ("admin_county_code", "text"),
            ("admin_district_code", "text"),
            ("admin_ward_code", "text"),
            ("area", "text"),
            *_SOURCE,
        ),
    ),
)

# Code-Point comes one file per postcode area: a load replaces the areas it carries, no others.
POSTCODE_AREAS: Final = "SELECT DISTINCT area FROM src_stage_postcode ORDER BY area"
DELETE_POSTCODES_MISSING_IN_AREA: Final = (
    "DELETE FROM postcode WHERE substr(postcode, 1, CAST(:length AS INTEGER)) = :area "
    "AND substr(postcode, CAST(:length AS INTEGER) + 1, 1) BETWEEN '0' AND '9' "
    "AND NOT EXISTS (SELECT 1 FROM src_stage_postcode s WHERE s.postcode = postcode.postcode)"
)

OPEN_UPRN: Final = Snapshot(
    table="open_uprn",
    key="uprn",
    values=("x_coordinate", "y_coordinate", "latitude", "longitude"),
    point=("x_coordinate", "y_coordinate"),
    stage=Stage(
        name="src_stage_open_uprn",
        columns=(
            ("uprn", "int"),
            ("x_coordinate", "float"),
            ("y_coordinate", "float"),
            ("latitude", "float"),
            ("longitude", "float"),
            *_SOURCE,
        ),
    ),
)

LISTED_STAGE: Final = Stage(
    name="src_stage_listed",
    columns=(
        ("uprn", "int"),
        ("address", "text"),
        ("postcode", "text"),
        ("x_coordinate", "float"),
        ("y_coordinate", "float"),
        ("latitude", "float"),
        ("longitude", "float"),
        *_SOURCE,
    ),
)
DELETE_LIST: Final = "DELETE FROM listed_address WHERE list_name = :list_name"
# The UPRNs whose search index rows a list load changes: the old list's and the new one's.
LIST_UPRNS: Final = (
    "SELECT uprn FROM listed_address WHERE list_name = :list_name AND uprn IS NOT NULL "
    "UNION SELECT uprn FROM src_stage_listed"
)


def insert_list(engine: str) -> str:
    point = _point(engine, ("x_coordinate", "y_coordinate"))
    return (
        "INSERT INTO listed_address (list_name, uprn, address, postcode, x_coordinate, "
        "y_coordinate, latitude, longitude, geom, load_run_id) "
        "SELECT :list_name, s.uprn, s.address, s.postcode, s.x_coordinate, s.y_coordinate, "
        f"s.latitude, s.longitude, {point}, :run FROM src_stage_listed s "
        "ORDER BY s.source_file, s.line"
    )


AREA_STAGE: Final = Stage(
    name="src_stage_area",
    columns=(("code", "text"), ("name", "text"), ("wkb", "blob"), *_SOURCE),
)
AREA_DUPLICATES: Final = (
    "SELECT s.code, s.source_file, s.line FROM src_stage_area s WHERE s.code IN "
    "(SELECT code FROM src_stage_area GROUP BY code HAVING count(*) > 1) "
    "ORDER BY s.code, s.source_file, s.line LIMIT :limit"
)


def update_areas(engine: str) -> str:
    geometry = _MULTIPOLYGON[engine]
    return (
        f"UPDATE area SET name = s.name, geom = {geometry}, load_run_id = :run "
        "FROM src_stage_area s WHERE area.type = :type AND area.version = :version "
        "AND area.code = s.code AND (area.name IS DISTINCT FROM s.name "
        "OR ST_AsBinary(area.geom) IS DISTINCT FROM s.wkb)"
    )


def insert_areas(engine: str) -> str:
    geometry = _MULTIPOLYGON[engine]
    return (
        "INSERT INTO area (type, code, name, version, geom, load_run_id) "
        "SELECT CAST(:type AS VARCHAR(40)), s.code, s.name, CAST(:version AS VARCHAR(40)), "
        f"{geometry}, :run FROM src_stage_area s "
        "WHERE NOT EXISTS (SELECT 1 FROM area a WHERE a.type = :type "
        "AND a.version = :version AND a.code = s.code)"
    )
