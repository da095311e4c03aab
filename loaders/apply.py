"""The set-based apply of a staged supply (gazetteer-standards §5.5.2), for both engines.

Supply-level checks on the stage (keys repeated, COU-* against the live tables), then deletes
children first and inserts parents first, all in the caller's transaction. Nothing here builds a
record per row: every step is one statement over a whole stage table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from sqlalchemy import orm

from loaders import bulksql, findings, model, sql, staging
from loaders.sources import report

LISTED: Final = 10_000
REBUILD_FROM: Final = 10_000
"""Rows into an empty live table (PostgreSQL) from which its secondary indexes are dropped
before the insert and built once after it: one sorted build is far cheaper than maintaining
every index (the BLPU's GiST among them) row by row."""
ANALYZE_FROM: Final = 2000
"""Changed rows from which the live tables' planner statistics are refreshed in the load (PG)."""


def check_duplicates(
    session: orm.Session,
    entities: Sequence[str],
    *,
    full: bool,
    record_ids: dict[str, str],
    out: findings.ReportFile,
) -> None:
    """FILE-KEY-ONCE: an error in a full supply; in a COU a warning, and the last row wins."""
    for entity in entities:
        stage = sql.STAGES[entity]
        for row in staging.rows(session, sql.duplicates(stage), limit=LISTED):
            key, (file, line, pro_order) = _key(row, stage), row[len(stage.key) :]
            finding = model.finding(
                code="FILE-KEY-ONCE",
                severity="E" if full else "W",
                message=f"key {key} occurs more than once in the supply"
                + ("" if full else f"; the row with the highest PRO_ORDER wins ({pro_order})"),
                file=str(file),
                line=int(line),
                record_type=record_ids.get(entity, entity),
                key=key,
            )
            out.add(finding)
        if not full:
            staging.execute(session, sql.dedupe(stage))


def check_full_scope(
    session: orm.Session,
    entities: Sequence[str],
    *,
    out: findings.ReportFile,
    file: str,
) -> None:
    """FILE-FULL-SCOPE (E): a full supply replaces the whole gazetteer, so one that would delete
    the BLPUs of a custodian it carries none of (another authority's records, in a gazetteer that
    holds several) is refused unless the caller asked to replace everything."""
    if "blpu" not in entities:
        return
    stage = sql.STAGES["blpu"]
    other = staging.rows(session, sql.other_custodians(stage))
    if not other:
        return
    counts = ", ".join(f"{count:,} of custodian {code}" for code, count in other)
    message = (
        f"this full supply would delete {counts}, which it does not carry (a full supply "
        "replaces the whole gazetteer); load that authority's changes as a change-only supply, "
        "or pass --replace-all to replace everything"
    )
    out.refuse(model.finding(code="FILE-FULL-SCOPE", severity="E", message=message, file=file,
                             record_type="21", field="LOCAL_CUSTODIAN_CODE"))  # fmt: skip


def check_pro_orders(
    session: orm.Session, entities: tuple[str, ...], *, out: findings.ReportFile
) -> None:
    """FILE-PRO-ORDER (W): a PRO_ORDER is unique within the supply (§4.1 row 11)."""
    for pro_order, file, line in staging.rows(
        session, sql.repeated_pro_orders(entities), limit=LISTED
    ):
        out.warn(
            model.finding(
                code="FILE-PRO-ORDER",
                severity="W",
                message=f"PRO_ORDER {pro_order} is used by more than one row of the supply",
                file=str(file),
                line=int(line),
                field="PRO_ORDER",
            )
        )


def _key(row: Sequence[Any], stage: sql.Stage) -> str:
    return "/".join(str(v) for v in row[: len(stage.key)])


_COU_RULES: Final = (
    ("I", True, "COU-INSERT-EXISTS", "an insert (I) for a key that is already live"),
    ("U", False, "COU-UPDATE-MISSING", "an update (U) for a key that is not live: inserted"),
    ("D", False, "COU-DELETE-MISSING", "a delete (D) for a key that is not live: nothing done"),
)


def check_against_live(
    session: orm.Session,
    entities: Sequence[str],
    *,
    tolerant: bool,
    record_ids: dict[str, str],
    out: findings.ReportFile,
) -> None:
    """The COU-* edge cases of §5.5.2 (only for change-only supplies)."""
    for entity in entities:
        stage = sql.STAGES[entity]
        for change_type, exists, code, text in _COU_RULES:
            statement = sql.against_live(stage, change_type, live_exists=exists)
            error = code == "COU-INSERT-EXISTS" and not tolerant
            suffix = "; applied as an update (--tolerant)" if code == "COU-INSERT-EXISTS" else ""
            for row in staging.rows(session, statement, limit=LISTED):
                file, line = row[len(stage.key) :]
                out.add(
                    model.finding(
                        code=code,
                        severity="E" if error else "W",
                        message=text + ("" if error else suffix),
                        file=str(file),
                        line=int(line),
                        record_type=record_ids.get(entity, entity),
                        key=_key(row, stage),
                    )
                )


def counts(
    session: orm.Session, entities: Sequence[str], *, full: bool, tile: str | None = None
) -> dict[str, list[int]]:
    """[inserted, updated, deleted] per record type, judged before the apply."""
    result: dict[str, list[int]] = {}
    for entity in entities:
        stage = sql.STAGES[entity]
        # Into an empty table (a first full supply) nothing exists to probe for, row by row.
        empty = not staging.rows(session, sql.any_live(stage))
        statement = sql.count_into_empty(stage) if empty else sql.counts(stage)
        inserted, updated, deleted = staging.rows(session, statement)[0]
        if full:
            (live,) = staging.rows(session, sql.count_live(stage))[0]
            deleted = int(live) - int(updated)
        elif tile is not None and entity in sql.TILED:
            (deleted,) = staging.rows(session, sql.count_tile_deleted(stage), tile=tile)[0]
        result[entity] = [int(inserted), int(updated), int(deleted)]
    return result


def apply(
    session: orm.Session,
    entities: Sequence[str],
    *,
    full: bool,
    run_id: str,
    dtf: bool,
    tile: str | None = None,
) -> None:
    """Delete children first, insert parents first (§5.5.2 steps 4 and 5). With a ``tile``
    (§5.5.3) the BLPU-group tables lose every row of the tile; streets stay keyed."""
    engine = staging.engine_of(session)
    ordered = [e for e in model.APPLY_ORDER if e in entities]
    rebuilt = _drop_indexes_of_empty(session, ordered) if engine == sql.POSTGRESQL else []
    for entity in reversed(ordered):
        staging.execute(session, _delete(sql.STAGES[entity], full=full, tile=tile), tile=tile)
    if dtf:
        staging.execute(session, sql.DELETE_DTF_CLASSIFICATIONS)
        staging.execute(session, sql.DELETE_DTF_ORGANISATIONS)
    for entity in ordered:
        statement = sql.insert_live(sql.STAGES[entity], engine)
        staging.execute(session, statement, load_run_id=run_id, source_tile=tile)
    for definition in rebuilt:
        session.connection().exec_driver_sql(definition)  # read from the catalogue
    if dtf:
        staging.execute(
            session, sql.INSERT_DTF_CLASSIFICATIONS, load_run_id=run_id, scheme=sql.DTF_CLASS_SCHEME
        )
        staging.execute(session, sql.INSERT_DTF_ORGANISATIONS, load_run_id=run_id)


def _drop_indexes_of_empty(session: orm.Session, ordered: Sequence[str]) -> list[str]:
    """Drop the secondary (not unique) indexes of each live table that is empty and receives
    at least :data:`REBUILD_FROM` rows; the statements that build them again. Primary keys and
    unique constraints stay, and still check every row. Readers of such a table (it had no
    rows) wait for the load to commit instead of reading it empty."""
    connection = session.connection()
    remake: list[str] = []
    for entity in ordered:
        stage = sql.STAGES[entity]
        if staging.rows(session, sql.any_live(stage)):
            continue
        (staged,) = staging.rows(session, bulksql.count_staged(stage))[0]
        if int(staged) < REBUILD_FROM:
            continue
        for name, definition in staging.rows(
            session, bulksql.SECONDARY_INDEXES, table=stage.live.name
        ):
            connection.exec_driver_sql(f'DROP INDEX "{name}"')  # names read from the catalogue
            remake.append(str(definition))
    return remake


def _delete(stage: sql.Stage, *, full: bool, tile: str | None) -> str:
    if full:
        return sql.delete_all(stage)
    if tile is not None and stage.entity in sql.TILED:
        return sql.delete_tile(stage)
    return sql.delete_keyed(stage)


def analyze(session: orm.Session, applied: dict[str, list[int]]) -> None:
    """Fresh statistics for the live tables a large supply changed (PostgreSQL), so the label,
    change-log and search-index queries later in the same transaction plan for their size."""
    if staging.engine_of(session) != sql.POSTGRESQL:
        return
    changed = [e for e, counts in applied.items() if sum(counts)]
    if sum(sum(counts) for counts in applied.values()) >= ANALYZE_FROM:
        names = ", ".join(sql.STAGES[e].live.name for e in changed)
        session.connection().exec_driver_sql(f"ANALYZE {names}")  # our own table names


def record_counts(
    applied: dict[str, list[int]], rejected: dict[str, int]
) -> dict[str, report.Counts]:
    names = [*applied, *(e for e in rejected if e not in applied)]
    return {
        name: report.Counts(
            inserted=applied.get(name, [0, 0, 0])[0],
            updated=applied.get(name, [0, 0, 0])[1],
            deleted=applied.get(name, [0, 0, 0])[2],
            rejected=rejected.get(name, 0),
        )
        for name in names
    }


def drop_stages(session: orm.Session, entities: Sequence[str]) -> None:
    for entity in entities:
        staging.drop(session, sql.STAGES[entity])
