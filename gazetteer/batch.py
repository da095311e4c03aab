"""Batch matching: a job of up to 30,000 rows, matched in the background.

``create_job`` stores the rows (any columns; one holds the address) and returns the job;
``run_job`` matches them in chunks (each through the grouped batch path of
:mod:`gazetteer.find_many`), each chunk committed with the job's progress, and stores
every input row with ``uprn, score, match_reason, status, candidates`` added. A job that fails
records why. The caller decides where ``run_job`` runs (a request's background task, a worker).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import orm

from core import db, ids
from core.clock import Clock
from core.errors import InvalidInput
from core.settings import Settings
from gazetteer import find_many, matching
from gazetteer.errors import MatchJobNotFound
from gazetteer.search_tables import MatchJob

MAX_ROWS = 30_000
CHUNK = 500
OUTPUT_COLUMNS = ("uprn", "score", "match_reason", "status", "candidates")


@dataclass(frozen=True, kw_only=True, slots=True)
class Job:
    id: str
    status: str
    total: int
    processed: int
    counts: dict[str, int]
    error: str | None
    created_at: dt.datetime
    finished_at: dt.datetime | None
    results: tuple[dict[str, Any], ...] | None = None


def create_job(
    *, session: orm.Session, rows: Sequence[dict[str, Any]], address_column: str, clock: Clock
) -> Job:
    if not rows or len(rows) > MAX_ROWS:
        raise InvalidInput(f"a batch holds 1 to {MAX_ROWS} rows, not {len(rows)}")
    if any(address_column not in row for row in rows):
        raise InvalidInput(f"every row needs the address column {address_column!r}")
    job = MatchJob(
        id=ids.new_id(),
        status="queued",
        address_column=address_column,
        rows=list(rows),
        processed=0,
        counts={},
        created_at=clock.now(),
    )
    session.add(job)
    session.flush()
    return _job(job, with_results=False)


def get_job(*, session: orm.Session, job_id: str, with_results: bool = True) -> Job:
    job = session.get(MatchJob, job_id)
    if job is None:
        raise MatchJobNotFound(f"no match job {job_id}", details={"id": job_id})
    return _job(job, with_results=with_results)


def run_job(*, factory: db.SessionFactory, job_id: str, settings: Settings, clock: Clock) -> None:
    """Match every row of the job, committing progress chunk by chunk. Units that write take
    SQLite's write lock at their first statement (the worker and the API commit beside them)."""
    with db.unit_of_work(factory, immediate=True) as session:
        job = _claim(session, job_id)
        if job is None:
            return
        rows, column = list(job.rows), job.address_column
    try:
        results = _match_rows(factory, job_id, rows, column, settings)
    except Exception as exc:
        _finish(factory, job_id, clock, error=f"{type(exc).__name__}: {exc}"[:500])
        raise
    _finish(factory, job_id, clock, results=results)


def _claim(session: orm.Session, job_id: str) -> MatchJob | None:
    job = session.get(MatchJob, job_id)
    if job is None or job.status != "queued":
        return None
    job.status = "running"
    session.flush()
    return job


def _match_rows(
    factory: db.SessionFactory,
    job_id: str,
    rows: list[dict[str, Any]],
    column: str,
    settings: Settings,
) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    counts: Counter[str] = Counter()
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        texts = [str(row.get(column) or "") for row in chunk]
        with db.unit_of_work(factory) as session:  # reads only: holds no writer back
            matched = find_many.match_many(session=session, texts=texts, settings=settings)
        for row, result in zip(chunk, matched, strict=True):
            counts[result.status] += 1
            results.append({**row, **output_columns(result, row)})
        _progress(factory, job_id, len(results), counts)
    return results


def _progress(
    factory: db.SessionFactory, job_id: str, processed: int, counts: Counter[str]
) -> None:
    with db.unit_of_work(factory, immediate=True) as session:
        job = session.get(MatchJob, job_id)
        if job is not None:
            job.processed, job.counts = processed, dict(counts)


def output_columns(result: matching.MatchResult, row: dict[str, Any]) -> dict[str, Any]:
    """The columns a match adds to its row (``match_<name>`` where the row has ``<name>``)."""
    best = [{"uprn": c.candidate.uprn, "score": c.score} for c in result.candidates[:3]]
    values = {
        "uprn": result.uprn,
        "score": result.score,
        "match_reason": result.match_reason,
        "status": result.status,
        "candidates": json.dumps(best),
    }
    return {(k if k not in row else f"match_{k}"): v for k, v in values.items()}


def _finish(
    factory: db.SessionFactory,
    job_id: str,
    clock: Clock,
    *,
    results: list[dict[str, Any]] | None = None,
    error: str | None = None,
) -> None:
    with db.unit_of_work(factory, immediate=True) as session:
        job = session.get(MatchJob, job_id)
        if job is None:
            return
        job.status = "failed" if error else "done"
        job.results, job.error, job.finished_at = results, error, clock.now()


def _job(job: MatchJob, *, with_results: bool) -> Job:
    done = with_results and job.status == "done" and job.results is not None
    return Job(
        id=job.id,
        status=job.status,
        total=len(job.rows),
        processed=job.processed,
        counts=dict(job.counts),
        error=job.error,
        created_at=job.created_at,
        finished_at=job.finished_at,
        results=tuple(job.results or ()) if done else None,
    )
