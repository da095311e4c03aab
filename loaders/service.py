"""Load AddressBase Premium and LLPG DTF 7.3 supplies: one transaction per supply.

``load`` plans the supplies under the given paths (date order, then volume order) and applies
each atomically: stage every volume, check the supply, apply set-wise, write the change log and
the load run, commit. A supply that fails leaves the gazetteer exactly as it was; its refusal is
recorded as a load run of its own. A supply whose files were already applied changes nothing
and reports ``unchanged``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from sqlalchemy import orm

from core import db, ids
from core.clock import Clock, SystemClock
from core.errors import SupplyRefused
from gazetteer import validation
from loaders import apply, bulk, crosscheck, errors, findings, history, ingest, model, repository
from loaders.readers import abp, dtf, engine, supply
from loaders.sources import report

Progress = Callable[[int], None]
_PLANNERS: Final = {"abp": abp.plan, "dtf": dtf.plan}
_READERS: Final[dict[str, Callable[[supply.Supply], Iterator[engine.Item]]]] = {
    "abp": abp.read,
    "dtf": dtf.read,
}
_SPECS: Final = {"abp": abp.spec, "dtf": dtf.spec}
FULL: Final = "full"
STRUCTURAL: Final = "structural"
VALIDATE_MODES: Final = (FULL, STRUCTURAL)
TILE_OPTION: Final = re.compile(r"[A-Za-z0-9]{1,12}")


@dataclass(frozen=True, kw_only=True, slots=True)
class LoadOptions:
    strict: bool = False
    tolerant: bool = False
    force: bool = False
    replace_all: bool = False
    """A full supply may delete the BLPUs of custodians it does not carry (FILE-FULL-SCOPE)."""
    schema_version: str | None = None
    requested_by: str | None = None
    validate: str = FULL
    """``full``: the validator's rules report as warnings; ``structural``: structural checks only
    (on PostgreSQL an ABP supply then takes the fast staging path, :mod:`loaders.bulk`)."""
    tile: str | None = None
    """A 5 km tile change-only supply's tile, when its file names do not carry one (§5.5.3)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Outcome:
    """The reports of the supplies applied by one call, in the order they were applied."""

    reports: tuple[report.LoadReport, ...]
    report_file: Path

    def as_json(self) -> dict[str, Any]:
        """One report in issue 3's shape; several supplies are summed, and listed in ``runs``."""
        if len(self.reports) == 1:
            return self.reports[0].as_json()
        last = self.reports[-1]
        summed = dataclasses.replace(
            last,
            files=tuple(f for r in self.reports for f in r.files),
            records=_sum_counts(r.records for r in self.reports),
            warnings=sum(r.warnings for r in self.reports),
            unchanged=all(r.unchanged for r in self.reports),
        )
        return summed.as_json() | {"runs": [r.as_json() for r in self.reports]}


def _sum_counts(all_counts: Iterable[dict[str, report.Counts]]) -> dict[str, report.Counts]:
    total: dict[str, report.Counts] = {}
    for counts in all_counts:
        for name, c in counts.items():
            t = total.get(name, report.Counts())
            total[name] = report.Counts(
                inserted=t.inserted + c.inserted,
                updated=t.updated + c.updated,
                deleted=t.deleted + c.deleted,
                rejected=t.rejected + c.rejected,
            )
    return total


@dataclass(kw_only=True)
class _Job:
    session_factory: db.SessionFactory
    fmt: str
    options: LoadOptions
    clock: Clock
    out: findings.ReportFile
    progress: Progress | None = None
    reports: list[report.LoadReport] = field(default_factory=list)


def load(
    *,
    session_factory: db.SessionFactory,
    fmt: str,
    paths: Sequence[str | Path],
    report_path: Path,
    options: LoadOptions | None = None,
    clock: Clock | None = None,
    progress: Progress | None = None,
) -> Outcome:
    """Apply every supply under ``paths``; raises a :class:`SupplyRefused` on the first refusal."""
    opts = options or LoadOptions()
    if opts.tile is not None and not TILE_OPTION.fullmatch(opts.tile):
        raise errors.InvalidTile(f"--tile {opts.tile!r} is not 1 to 12 letters and digits")
    plan = _plan(fmt, paths, opts)
    with findings.ReportFile(path=report_path) as out:
        job = _Job(
            session_factory=session_factory,
            fmt=fmt,
            options=opts,
            clock=clock or SystemClock(),
            out=out,
            progress=progress,
        )
        _check_plan(plan, out)
        for found in plan.supplies:
            job.reports.append(_one(job, found))
    return Outcome(reports=tuple(job.reports), report_file=report_path)


def _plan(fmt: str, paths: Sequence[str | Path], options: LoadOptions) -> supply.Plan:
    missing = [str(p) for p in paths if not Path(p).exists()]
    if missing:
        raise errors.NoSupplyFound(f"no such file or directory: {', '.join(missing)}")
    if fmt == "abp":
        return abp.plan(paths, schema_version=options.schema_version)
    return _PLANNERS[fmt](paths)


def _check_plan(plan: supply.Plan, out: findings.ReportFile) -> None:
    for finding in plan.findings:
        out.add(finding)
    if out.refusing:
        raise errors.SupplyNotApplied(
            f"supply refused, nothing applied: {out.summary()}", details=out.details()
        )
    if not plan.supplies:
        raise errors.NoSupplyFound("the paths hold no supply files")


def _one(job: _Job, found: supply.Supply) -> report.LoadReport:
    run = _Run.start(job, found)
    try:
        with db.unit_of_work(job.session_factory, immediate=True) as session:
            return run.apply(session)
    except SupplyRefused:
        with db.unit_of_work(job.session_factory, immediate=True) as session:
            run.record(session, run.load_report(unchanged=False), status=repository.REFUSED)
        raise


@dataclass(kw_only=True)
class _Run:
    job: _Job
    found: supply.Supply
    run_id: str
    started: Any
    files: tuple[report.SourceFile, ...]
    area: str
    counts: dict[str, report.Counts] = field(default_factory=dict)
    warnings_before: int = 0
    context: validation.Context | None = None
    batch: crosscheck.Batch = field(default_factory=crosscheck.Batch)
    pro_orders_unique: bool = False
    """Known without asking the stage: the fast path accepted one part (file), whose
    PRO_ORDER it checked to increase row by row."""

    @classmethod
    def start(cls, job: _Job, found: supply.Supply) -> _Run:
        header = found.header
        area = (
            ""
            if header is None or header.local_custodian_code is None
            else str(header.local_custodian_code)
        )
        tile = _tile_of(job, found)
        if tile is not None:  # each tile is its own area: tiles of one date are not stale
            area = f"{area}/{tile}"
        paths = dict.fromkeys(s.path for s in found.sources)
        return cls(
            job=job,
            found=found,
            run_id=ids.new_id(),
            started=job.clock.now(),
            files=tuple(report.describe(Path(p)) for p in paths),
            area=area,
            warnings_before=job.out.warnings,
        )

    def apply(self, session: orm.Session) -> report.LoadReport:
        job = self.job
        if repository.applied_with_files(session, fmt=job.fmt, area=self.area, files=self.files):
            return self._finish(session, unchanged=True)
        self._check_stale(session)
        entities = _entities(self.found)
        rejected = self._stage(session, entities)
        full, tile = self.found.file_type == "F", _tile_of(job, self.found)
        self._check_supply(session, entities, full=full, rejected=rejected, tiled=tile is not None)
        history.before(session, entities, full=full, tile=tile)
        applied = apply.counts(session, entities, full=full, tile=tile)
        apply.apply(
            session, entities, full=full, run_id=self.run_id, dtf=job.fmt == "dtf", tile=tile
        )
        apply.analyze(session, applied)
        history.after(session, run_id=self.run_id, now=job.clock.now())
        apply.drop_stages(session, entities)
        self.counts = apply.record_counts(applied, rejected)
        return self._finish(session, unchanged=False)

    def _check_stale(self, session: orm.Session) -> None:
        date = self.found.process_date
        latest = repository.latest_process_date(session, fmt=self.job.fmt, area=self.area)
        if self.job.options.force or date is None or latest is None or date > latest:
            return
        message = (
            f"the supply's PROCESS_DATE {date} is on or before {latest}, the date of the "
            "last applied supply of this product and area (--force applies it anyway)"
        )
        self.job.out.refuse(
            model.finding(
                code="COU-STALE",
                severity="E",
                message=message,
                file=self.found.files[0],
                record_type="10",
            )
        )
        raise errors.StaleSupply(message, details=self.job.out.details())

    def _stage(self, session: orm.Session, entities: tuple[str, ...]) -> dict[str, int]:
        if self.job.options.validate == STRUCTURAL:
            if self._stage_fast(session, entities):
                return {}
            return self._stage_precise(session, entities, rules=False)
        return self._stage_precise(session, entities, rules=True)

    def _stage_fast(self, session: orm.Session, entities: tuple[str, ...]) -> bool:
        """The fast path; ``False`` (nothing staged, nothing reported) when it falls back."""
        job = self.job
        if not bulk.eligible(session, self.found):
            return False
        try:
            with session.begin_nested():
                noted = bulk.stage(session, self.found, _SPECS[job.fmt](), entities,
                                   progress=job.progress)  # fmt: skip
        except bulk.Fallback:
            return False
        for finding in noted:
            job.out.add(finding)
        self.pro_orders_unique = sum(len(v.parts) for v in self.found.volumes) == 1
        return True

    def _stage_precise(
        self, session: orm.Session, entities: tuple[str, ...], *, rules: bool
    ) -> dict[str, int]:
        job, found = self.job, self.found
        stager = ingest.Stager(session, entities)
        context = ingest.context_for(
            job.fmt,
            found.layout.schema_version,
            as_of=found.process_date,
            full=found.file_type == "F",
        )
        rejected: dict[str, int] = {}
        self.context, self.batch = (context if rules else None), crosscheck.Batch()
        ingest.stage_supply(
            _READERS[job.fmt](found),
            stager=stager,
            report=job.out,
            context=context if rules else None,
            rejected=rejected,
            batch=self.batch if rules else None,
            progress=job.progress,
        )
        stager.finish()
        self._refuse_if_errors()
        return rejected

    def _check_supply(
        self,
        session: orm.Session,
        entities: tuple[str, ...],
        *,
        full: bool,
        rejected: Any,
        tiled: bool = False,
    ) -> None:
        ids_ = {r.entity: rid for rid, r in self.found.layout.records.items() if r.entity}
        apply.check_duplicates(session, entities, full=full, record_ids=ids_, out=self.job.out)
        if full and not self.job.options.replace_all:
            apply.check_full_scope(session, entities, out=self.job.out, file=self.found.files[0])
        if not self.pro_orders_unique:
            apply.check_pro_orders(session, entities, out=self.job.out)
        if not full and not tiled:  # a tile re-supplies its live keys as inserts (§5.5.3)
            apply.check_against_live(
                session,
                entities,
                tolerant=self.job.options.tolerant,
                record_ids=ids_,
                out=self.job.out,
            )
        self._refuse_if_errors()
        if self.context is not None:
            crosscheck.run(session, self.batch, self.context, self.job.out)
        noted = self.job.out.warnings - self.warnings_before + sum(rejected.values())
        if self.job.options.strict and noted:
            raise errors.SupplyNotApplied(
                f"--strict: {noted} findings on a supply of {self.found.process_date}; "
                f"nothing applied (see {self.job.out.path})",
                details=self.job.out.details(),
            )

    def _refuse_if_errors(self) -> None:
        out = self.job.out
        if out.refusing:
            raise errors.SupplyNotApplied(
                f"supply refused, nothing applied: {out.summary()}", details=out.details()
            )

    def _finish(self, session: orm.Session, *, unchanged: bool) -> report.LoadReport:
        load = self.load_report(unchanged=unchanged)
        self.record(session, load, status=repository.APPLIED)
        return load

    def load_report(self, *, unchanged: bool) -> report.LoadReport:
        return report.LoadReport(
            run_id=self.run_id,
            format=self.job.fmt,
            schema_version=self.found.schema_version,
            files=self.files,
            records=self.counts,
            warnings=self.job.out.warnings - self.warnings_before,
            unchanged=unchanged,
            report_file=str(self.job.out.path),
        )

    def record(self, session: orm.Session, load: report.LoadReport, *, status: str) -> None:
        header = self.found.header
        repository.record_run(
            session,
            load=load,
            status=status,
            file_type=self.found.file_type,
            area=self.area,
            process_date=self.found.process_date,
            volumes=len(self.found.volumes),
            header=_header_json(header),
            started_at=self.started,
            finished_at=self.job.clock.now(),
            requested_by=self.job.options.requested_by,
        )


def _tile_of(job: _Job, found: supply.Supply) -> str | None:
    """The tile of a tile change-only supply: ``--tile``, else its file names (§5.5.3)."""
    if found.file_type != "C":
        return None
    tile = job.options.tile or found.tile
    return None if tile is None else tile.upper()


def _entities(found: supply.Supply) -> tuple[str, ...]:
    layout = found.layout
    return tuple(e for e in model.APPLY_ORDER if layout.by_entity(e) is not None)


def _header_json(header: model.Header | None) -> dict[str, Any]:
    if header is None:
        return {}
    return {
        k: (v.isoformat() if hasattr(v, "isoformat") else v)
        for k, v in dataclasses.asdict(header).items()
    }
