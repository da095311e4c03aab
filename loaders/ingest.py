"""Stream one supply into the staging tables, validating each row on the way.

Reader findings go to the report; a row missing a value the gazetteer must store (its key or
another NOT NULL column) is rejected; every other row is staged, and the validator's
record-level rules (ingest profile) report on it as warnings. Rows are buffered per record type
and written in batches (``COPY`` on PostgreSQL), so memory stays flat.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from operator import attrgetter
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import orm

from gazetteer import validation
from loaders import crosscheck, findings, model, sql, staging
from loaders.readers import convert

BATCH: Final = 20_000
FORMATS: Final = {
    ("abp", "1"): validation.Format.ABP1,
    ("abp", "2"): validation.Format.ABP2,
    ("dtf", "7.3"): validation.Format.DTF,
}
Progress = Callable[[int], None]


def _required(stage: sql.Stage) -> tuple[str, ...]:
    live = stage.live
    return tuple(f for f in stage.fields if f in live.c and not live.c[f].nullable)


def widths(stage: sql.Stage) -> tuple[tuple[str, int], ...]:
    """The stage's text fields whose live column has a width, with that width (a field carried
    to another table, such as a DTF BLPU's organisation, has that table column's width)."""
    live, carried = stage.live, sql.CARRIED.get(stage.entity, {})
    found: list[tuple[str, int]] = []
    for name in stage.fields:
        column = live.c[name] if name in live.c else carried.get(name)
        column_type = column.type if column is not None else None
        length = getattr(column_type, "length", None)
        if isinstance(column_type, sa.String) and isinstance(length, int):
            found.append((name, length))
    return tuple(found)


def small_ints(stage: sql.Stage) -> tuple[str, ...]:
    """The stage's fields whose live column is a 32-bit integer (not the 64-bit default)."""
    live = stage.live
    return tuple(n for n in stage.fields if n in live.c and type(live.c[n].type) is sa.Integer)


class Stager:
    """Buffers typed rows per record type and writes them to the stage tables."""

    def __init__(self, session: orm.Session, entities: Iterable[str]) -> None:
        self.session = session
        self.stages = {e: sql.STAGES[e] for e in entities}
        self.buffers: dict[str, list[tuple[Any, ...]]] = {e: [] for e in self.stages}
        self.getters = {e: attrgetter(*s.fields) for e, s in self.stages.items()}
        self.required = {e: _required(s) for e, s in self.stages.items()}
        self.widths = {e: widths(s) for e, s in self.stages.items()}
        self.small_ints = {e: small_ints(s) for e, s in self.stages.items()}
        self.staged = dict.fromkeys(self.stages, 0)
        for stage in self.stages.values():
            staging.create(session, stage)

    def missing(self, row: model.Row) -> list[str]:
        return [f for f in self.required[row.entity] if getattr(row.record, f) is None]

    def too_long(self, row: model.Row) -> list[tuple[str, int, int]]:
        """``(field, width, length)`` of each text longer than the gazetteer stores."""
        found = []
        for name, width in self.widths[row.entity]:
            value = getattr(row.record, name)
            if isinstance(value, str) and len(value) > width:
                found.append((name, width, len(value)))
        return found

    def out_of_range(self, row: model.Row) -> list[tuple[str, int]]:
        """``(field, value)`` of each number beyond its 32-bit column."""
        found = []
        for name in self.small_ints[row.entity]:
            value = getattr(row.record, name)
            if isinstance(value, int) and not convert.INT32_MIN <= value <= convert.INT32_MAX:
                found.append((name, value))
        return found

    def add(self, row: model.Row) -> None:
        values = self.getters[row.entity](row.record)
        buffer = self.buffers[row.entity]
        buffer.append((*values, row.change_type, row.pro_order, row.file, row.line))
        if len(buffer) >= BATCH:
            self._flush(row.entity)

    def finish(self) -> dict[str, int]:
        for entity in self.stages:
            self._flush(entity)
            staging.execute(self.session, self.stages[entity].index())
        return dict(self.staged)

    def _flush(self, entity: str) -> None:
        buffer = self.buffers[entity]
        staging.write(self.session, self.stages[entity], buffer)
        self.staged[entity] += len(buffer)
        buffer.clear()


def context_for(fmt: str, schema_version: str, *, as_of: Any, full: bool) -> validation.Context:
    return validation.Context(
        profile=validation.Profile.INGEST,
        format=FORMATS[(fmt, schema_version)],
        as_of=as_of,
        full_supply=full,
        carries_provenance=fmt == "dtf",
    )


def stage_supply(
    items: Iterable[model.Row | model.LoadFinding],
    *,
    stager: Stager,
    report: findings.ReportFile,
    context: validation.Context | None,
    rejected: dict[str, int],
    batch: crosscheck.Batch | None = None,
    progress: Progress | None = None,
) -> None:
    """Consume a reader's items: findings to the report, rows to the stage (and ``batch``).

    ``context`` is ``None`` when the validator's rules are not run (``--validate structural``).
    """
    for count, item in enumerate(items, start=1):
        if isinstance(item, model.Row):
            if _row(item, stager, report, context, rejected) and batch is not None:
                batch.add(item)
        else:
            report.add(item)
        if progress is not None and count % 10_000 == 0:
            progress(10_000)


def _row(
    row: model.Row,
    stager: Stager,
    report: findings.ReportFile,
    context: validation.Context | None,
    rejected: dict[str, int],
) -> bool:
    too_long = stager.too_long(row)
    for name, width, length in too_long:
        report.add(_too_long(row, name, width, length))
    too_large = stager.out_of_range(row)
    for name, value in too_large:
        report.add(_too_large(row, name, value))
    if too_long or too_large:
        return False
    missing = stager.missing(row)
    if missing:
        rejected[row.entity] = rejected.get(row.entity, 0) + 1
        report.reject(_rejection(row, missing))
        return False
    if context is not None:
        for finding in validation.validate_record(row.record, context):
            report.warn(_rule_finding(row, finding))
    stager.add(row)
    return True


def _rejection(row: model.Row, missing: list[str]) -> model.LoadFinding:
    return model.finding(
        code="FILE-FIELD-REQUIRED",
        severity="E",
        message=f"no value for {', '.join(m.upper() for m in missing)}: the row is not loaded",
        file=row.file,
        line=row.line,
        record_type=row.record_id,
        key=_key(row),
        field=missing[0].upper(),
    )


def _too_long(row: model.Row, name: str, width: int, length: int) -> model.LoadFinding:
    return model.finding(
        code="FILE-FIELD-WIDTH",
        severity="E",
        message=f"{name.upper()} has {length} characters; the gazetteer stores at most {width} "
        "(the specification's widths are smaller): the supply is refused",
        file=row.file,
        line=row.line,
        record_type=row.record_id,
        key=_key(row),
        field=name.upper(),
    )


def _too_large(row: model.Row, name: str, value: int) -> model.LoadFinding:
    return model.finding(
        code=convert.NUMBER_ERROR,
        severity="E",
        message=f"{name.upper()} {value} is beyond the gazetteer's column "
        f"({convert.INT32_MIN}..{convert.INT32_MAX}): the supply is refused",
        file=row.file,
        line=row.line,
        record_type=row.record_id,
        key=_key(row),
        field=name.upper(),
    )


def _rule_finding(row: model.Row, finding: validation.Finding) -> model.LoadFinding:
    severity = "" if finding.severity == validation.Severity.WARNING else " (E on ingest)"
    return model.finding(
        code=finding.rule_id,
        severity="W",
        message=f"{finding.message}{severity}",
        file=row.file,
        line=row.line,
        record_type=row.record_id,
        key=finding.record_key,
        field=finding.field.upper() if finding.field else None,
    )


def _key(row: model.Row) -> str:
    return "/".join(str(v) for v in model.key_of(row.record))
