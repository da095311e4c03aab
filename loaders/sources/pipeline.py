"""The steps every source load shares: hash, unchanged check, findings, refusal, load run."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, TypeVar

from sqlalchemy import orm

from core import ids
from core.clock import Clock, SystemClock
from loaders.readers import sources
from loaders.sources import errors, report, runs, staging

CHUNK: Final = 10_000
DEFAULT_REPORT_DIR: Final = Path("var/reports")
DUPLICATE_LIMIT: Final = 10_000
T = TypeVar("T")


@dataclass(frozen=True, kw_only=True, slots=True)
class Job:
    """Who asked for a load, where its findings go, and the clock it is timed by."""

    session: orm.Session
    report_dir: Path
    requested_by: str | None = None
    clock: Clock = field(default_factory=SystemClock)


Apply = Callable[[str, report.FindingSink], report.Counts]


def run(
    job: Job,
    *,
    spec: runs.RunSpec,
    paths: Sequence[Path],
    record_type: str,
    apply: Apply,
    attribution: str | None = None,
) -> report.LoadReport:
    """Load ``paths`` through ``apply`` unless exactly these files were the last applied."""
    files = tuple(describe(paths))
    started, run_id = job.clock.now(), ids.new_id()
    if runs.same_files(runs.last_applied(job.session, spec), files):
        load = _report(
            run_id,
            spec,
            files,
            record_type=record_type,
            counts=report.Counts(),
            sink=None,
            attribution=attribution,
            unchanged=True,
        )
        runs.record(
            job.session, spec=spec, load=load, started_at=started, finished_at=job.clock.now()
        )
        return load
    with report.FindingSink(directory=job.report_dir, run_id=run_id) as sink:
        counts = apply(run_id, sink)
    load = _report(
        run_id,
        spec,
        files,
        record_type=record_type,
        counts=counts,
        sink=sink,
        attribution=attribution,
        unchanged=False,
    )
    runs.record(
        job.session,
        spec=spec,
        load=load,
        started_at=started,
        finished_at=job.clock.now(),
        warnings=[report.finding_json(f) for f in sink.kept_warnings],
        requested_by=job.requested_by,
    )
    return load


def new_run_id() -> str:
    return ids.new_id()


def describe(paths: Sequence[Path]) -> Iterator[report.SourceFile]:
    for path in paths:
        if not path.is_file():
            raise errors.SourceUnreadable(f"{path} is not a readable file")
        yield report.describe(path)


def _report(
    run_id: str,
    spec: runs.RunSpec,
    files: tuple[report.SourceFile, ...],
    *,
    record_type: str,
    counts: report.Counts,
    sink: report.FindingSink | None,
    attribution: str | None,
    unchanged: bool,
) -> report.LoadReport:
    return report.LoadReport(
        run_id=run_id,
        format=spec.format,
        files=files,
        records={record_type: counts},
        warnings=sink.warnings if sink else 0,
        unchanged=unchanged,
        report_file=str(sink.path) if sink and sink.path else None,
        attribution=attribution,
    )


def records_of(
    findings_and_records: Iterable[T | sources.Finding], sink: report.FindingSink
) -> Iterator[T]:
    """The records of a reader; its findings go to ``sink``."""
    for item in findings_and_records:
        if isinstance(item, sources.Finding):
            sink.add(item)
        else:
            yield item


def chunks(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def report_duplicates(
    session: orm.Session,
    statement: str,
    sink: report.FindingSink,
    *,
    record_type: str,
    key_field: str,
) -> None:
    """A finding for every row whose key another row of the same load also carries."""
    for key, file, line in staging.rows(session, statement, limit=DUPLICATE_LIMIT):
        sink.add(
            sources.Finding(
                file=str(file),
                line=int(line),
                record_type=record_type,
                code="FILE-KEY-DUPLICATE",
                message=f"{key_field} {key} appears more than once in this load",
                key=str(key),
                field=key_field,
            )
        )


def refuse_if_errors(sink: report.FindingSink, *, what: str) -> None:
    """Refuse the load, changing nothing, when any error was found."""
    if sink.errors:
        sink.close()
        raise errors.SourceRefused(
            f"{what} refused: {report.refusal_message(sink)}",
            details={
                "errors": sink.errors,
                "warnings": sink.warnings,
                "report_file": str(sink.path) if sink.path else None,
                "findings": [report.finding_json(f) for f in sink.first_errors],
            },
        )


def empty_finding(file: str, record_type: str) -> sources.Finding:
    return sources.Finding(
        file=file,
        line=None,
        record_type=record_type,
        code="FILE-EMPTY",
        message="the source holds no records; a snapshot with none would delete everything",
    )
