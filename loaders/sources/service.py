"""Use cases: load Code-Point Open, OS Open UPRN, a council address list, or boundaries.

Each runs in the caller's transaction (the caller commits), stages its rows in bulk, applies
one set-based diff, adds a ``load_run`` row and returns the report. A source with any
structural error is refused with :class:`~loaders.sources.errors.SourceRefused` before the
live tables are touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Final

from loaders.readers import areas, codepoint, listed
from loaders.sources import (
    address_lists,
    boundaries,
    errors,
    pipeline,
    postcodes,
    report,
    runs,
    uprns,
)
from loaders.sources.pipeline import Job

OPEN_UPRN_ATTRIBUTION: Final = "Contains OS data © Crown copyright and database right"


def load_codepoint(*, job: Job, paths: Sequence[Path]) -> report.LoadReport:
    """Code-Point Open area files (or a zip of them): replaces the postcode areas they carry."""
    spec = runs.RunSpec(
        format="codepoint", product="Code-Point Open", target=postcodes.names(paths), file_type="F"
    )

    def apply(run_id: str, sink: report.FindingSink) -> report.Counts:
        return postcodes.apply(job.session, paths, run_id, sink)

    return pipeline.run(
        job,
        spec=spec,
        paths=paths,
        record_type="postcode",
        apply=apply,
        attribution=codepoint.ATTRIBUTION,
    )


def load_open_uprn(*, job: Job, path: Path) -> report.LoadReport:
    """An OS Open UPRN release (CSV or zip): a full snapshot of Great Britain, diffed by UPRN."""
    spec = runs.RunSpec(format="open_uprn", product="OS Open UPRN", target="GB", file_type="F")

    def apply(run_id: str, sink: report.FindingSink) -> report.Counts:
        return uprns.apply(job.session, path, run_id, sink)

    return pipeline.run(
        job,
        spec=spec,
        paths=[path],
        record_type="open_uprn",
        apply=apply,
        attribution=OPEN_UPRN_ATTRIBUTION,
    )


def load_listed(
    *, job: Job, path: Path, columns: listed.ListedColumns, list_name: str | None = None
) -> report.LoadReport:
    """A council's address list: replaces the list of the same name (default: the file stem)."""
    if problems := columns.problems():
        raise errors.InvalidSourceOptions("; ".join(problems))
    name = (list_name or path.stem).strip()
    if not name:
        raise errors.InvalidSourceOptions("the list name must not be empty")
    spec = runs.RunSpec(format="csv", product="address list", target=name, file_type="F")

    def apply(run_id: str, sink: report.FindingSink) -> report.Counts:
        return address_lists.apply(
            job.session, path, columns=columns, list_name=name, run_id=run_id, sink=sink
        )

    return pipeline.run(job, spec=spec, paths=[path], record_type="listed_address", apply=apply)


def load_areas(
    *,
    job: Job,
    path: Path,
    area_type: str,
    code_property: str,
    name_property: str,
    version: str | None = None,
) -> report.LoadReport:
    """Boundary polygons of one type: upserted by (type, code, version); others are kept."""
    if area_type not in areas.AREA_TYPES:
        raise errors.InvalidSourceOptions(
            f"area type {area_type!r} is not one of {', '.join(areas.AREA_TYPES)}"
        )
    version = (version or "").strip()
    target = f"{area_type}:{version}" if version else area_type
    spec = runs.RunSpec(format="areas", product="boundaries", target=target, file_type=None)

    def apply(run_id: str, sink: report.FindingSink) -> report.Counts:
        options = boundaries.Options(
            area_type=area_type,
            code_property=code_property,
            name_property=name_property,
            version=version,
        )
        return boundaries.apply(job.session, path, options, run_id, sink)

    return pipeline.run(job, spec=spec, paths=[path], record_type="area", apply=apply)
