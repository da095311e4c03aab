"""Cross-record rules on a staged supply (gazetteer-standards §5.5.2 step 6).

The validator's cross-record rules (BLPU-HAS-LPI, *-EXISTS, PAR-*, LIFE-* ...) see the supply
laid over the live gazetteer. The live records they may consult (those sharing a UPRN or USRN
with the supply, parents, children and successors) are read once, before the apply, so the
LIFE-* rules compare against the pre-image. The batch is kept in memory, so this runs on supplies
up to :data:`LIMIT` rows (change-only updates, council extracts); above that a warning says the
cross-record rules were not run.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import orm

from gazetteer import validation
from loaders import findings, model, sql

LIMIT: Final = 50_000
CHUNK: Final = 500
PARENT_LEVELS: Final = 5
Where = tuple[str, int, str]


@dataclass(kw_only=True)
class Batch:
    """The supply's rows while they stream, kept only up to :data:`LIMIT`."""

    rows: dict[tuple[str, tuple[object, ...]], tuple[model.Change, Where]] = field(
        default_factory=dict
    )
    seen: int = 0

    def add(self, row: model.Row) -> None:
        self.seen += 1
        if self.seen > LIMIT:
            self.rows.clear()
            return
        key = (row.entity, model.key_of(row.record))
        known = self.rows.get(key)
        if known is None or (known[0].pro_order or 0) < row.pro_order:
            self.rows[key] = (row.change, (row.file, row.line, row.record_id))

    @property
    def too_large(self) -> bool:
        return self.seen > LIMIT


def run(
    session: orm.Session, batch: Batch, context: validation.Context, out: findings.ReportFile
) -> None:
    """Report the cross-record findings of the batch as warnings."""
    if batch.too_large:
        out.warn(_skipped(batch.seen))
        return
    kept = [c.record for c, _ in batch.rows.values() if c.change_type != "D"]
    if not kept:
        return
    live = validation.index(_live(session, kept))
    ctx = dataclasses.replace(context, lookups=live)
    where = {(model.entity_of(c.record), _text_key(c.record)): w
             for c, w in batch.rows.values()}  # fmt: skip
    for finding in validation.validate_records(kept, ctx, record_rules=False):
        out.warn(_located(finding, where.get((finding.record_type, finding.record_key))))


def _skipped(seen: int) -> model.LoadFinding:
    return model.finding(
        code="XREC-NOT-RUN",
        severity="W",
        message=f"cross-record rules not run: the supply has {seen} rows (limit {LIMIT})",
    )


def _located(finding: validation.Finding, where: Where | None) -> model.LoadFinding:
    file, line, rid = where or ("", 0, finding.record_type)
    return model.finding(
        code=finding.rule_id,
        severity="W",
        message=finding.message + ("" if finding.severity == "W" else " (E on ingest)"),
        file=file,
        line=line or None,
        record_type=rid,
        key=finding.record_key,
        field=finding.field.upper() if finding.field else None,
    )


def _text_key(record: model.GazetteerRecord) -> str:
    return "/".join(str(v) for v in model.key_of(record))


# --- the live records the rules may consult ---------------------------------------------------


def _live(session: orm.Session, batch: Sequence[model.GazetteerRecord]) -> list[Any]:
    uprns = {u for r in batch if (u := getattr(r, "uprn", None)) is not None}
    usrns = {u for r in batch if (u := getattr(r, "usrn", None)) is not None}
    related = {v for r in batch for v in (getattr(r, "parent_uprn", None),
                                          getattr(r, "successor", None)) if v}  # fmt: skip
    records: list[Any] = []
    blpus = list(_ancestors(session, uprns | related))
    blpus += _select(session, "blpu", "parent_uprn", uprns)
    records += blpus
    lpis = _select(session, "lpi", "uprn", uprns) + _select(session, "lpi", "usrn", usrns)
    records += lpis
    usrns |= {lpi.usrn for lpi in lpis}
    records += _select(session, "street", "usrn", usrns)
    records += _select(session, "street_descriptor", "usrn", usrns)
    for entity in ("classification", "organisation", "cross_reference", "delivery_point",
                   "provenance", "successor"):  # fmt: skip
        records += _select(session, entity, "uprn", uprns)
    return records


def _ancestors(session: orm.Session, uprns: set[int]) -> Iterator[Any]:
    """The BLPUs with these UPRNs and their parents, up to :data:`PARENT_LEVELS` levels."""
    wanted, seen = set(uprns), set[int]()
    for _ in range(PARENT_LEVELS):
        found = _select(session, "blpu", "uprn", wanted - seen)
        seen |= wanted
        yield from found
        wanted = {b.parent_uprn for b in found if b.parent_uprn} - seen
        if not wanted:
            return


def _select(session: orm.Session, entity: str, column: str, values: Iterable[Any]) -> list[Any]:
    table = sql.LIVE_TABLES[entity]
    cls = model.ENTITY_CLASSES[entity]
    names = [f.name for f in dataclasses.fields(cls) if f.name in table.c]
    found: list[Any] = []
    for chunk in _chunks(sorted(values)):
        statement = sa.select(*(table.c[n] for n in names)).where(table.c[column].in_(chunk))
        found += [cls(**dict(zip(names, row, strict=True))) for row in session.execute(statement)]
    return found


def _chunks(values: list[Any]) -> Iterator[list[Any]]:
    iterator = iter(values)
    while chunk := list(itertools.islice(iterator, CHUNK)):
        yield chunk
