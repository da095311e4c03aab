"""``addresshub load abp|dtf``: AddressBase Premium and LLPG DTF 7.3 supplies.

Importing this module registers its commands on :data:`api.cli.load.load_app`. Each supply
given applies in its own transaction, in date order; the first refusal stops the run.
"""

from __future__ import annotations

import contextlib
import enum
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from api.cli import common
from api.cli.load import load_app
from core import ids
from core.errors import SupplyRefused

if TYPE_CHECKING:  # imported when a load runs: every other command starts without them
    from loaders import service
    from loaders.sources import report

DEFAULT_REPORT_DIR = Path("var/reports")

Paths = Annotated[list[Path], typer.Argument(help="Supply files, directories or zips.")]
StrictOption = Annotated[
    bool, typer.Option("--strict", help="Refuse the supply on any finding, warnings included.")
]
TolerantOption = Annotated[
    bool, typer.Option("--tolerant", help="Apply an insert for a live key as an update.")
]
ForceOption = Annotated[
    bool, typer.Option("--force", help="Apply a supply dated on or before the last applied one.")
]
ReplaceAllOption = Annotated[
    bool,
    typer.Option(
        "--replace-all",
        help="Let a full supply delete the records of custodians it does not carry.",
    ),
]
ReportOption = Annotated[
    Path | None,
    typer.Option("--report", help="The findings CSV (default: var/reports/<id>.csv)."),
]


class Validate(enum.StrEnum):
    """``loaders.service.FULL`` and ``STRUCTURAL`` (held equal by a test)."""

    FULL = "full"
    STRUCTURAL = "structural"


ValidateOption = Annotated[
    Validate,
    typer.Option(
        "--validate",
        help="full: the validator's rules report as warnings; structural: structural checks "
        "only (the fast path on PostgreSQL).",
    ),
]
RequestedByOption = Annotated[
    str | None, typer.Option("--requested-by", help="Who asked for the load (kept on the run).")
]


@load_app.command("abp")
def load_abp(
    paths: Paths,
    *,
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
    strict: StrictOption = False,
    tolerant: TolerantOption = False,
    force: ForceOption = False,
    replace_all: ReplaceAllOption = False,
    report_path: ReportOption = None,
    schema: Annotated[
        str | None, typer.Option("--schema", help="Force the ABP schema, 1 or 2 (default: detect).")
    ] = None,
    requested_by: RequestedByOption = None,
    validate: ValidateOption = Validate.FULL,
    tile: Annotated[
        str | None,
        typer.Option("--tile", help="A 5 km tile COU's tile (default: from the file names)."),
    ] = None,
) -> None:
    """Load AddressBase Premium CSV (v1 or v2; mixed or split; zipped or not; full or COU)."""
    from loaders import service

    options = service.LoadOptions(strict=strict, tolerant=tolerant, force=force,
                                  replace_all=replace_all, schema_version=schema,
                                  requested_by=requested_by, validate=validate.value,
                                  tile=tile)  # fmt: skip
    _run("abp", paths, database_url=database_url, options=options, report_path=report_path,
         as_json=as_json)  # fmt: skip


@load_app.command("dtf")
def load_dtf(
    paths: Paths,
    *,
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
    strict: StrictOption = False,
    tolerant: TolerantOption = False,
    force: ForceOption = False,
    replace_all: ReplaceAllOption = False,
    report_path: ReportOption = None,
    requested_by: RequestedByOption = None,
    validate: ValidateOption = Validate.FULL,
) -> None:
    """Load an LLPG DTF 7.3 supply (full or change-only)."""
    from loaders import service

    options = service.LoadOptions(strict=strict, tolerant=tolerant, force=force,
                                  replace_all=replace_all, requested_by=requested_by,
                                  validate=validate.value)  # fmt: skip
    _run("dtf", paths, database_url=database_url, options=options, report_path=report_path,
         as_json=as_json)  # fmt: skip


def _run(
    fmt: str,
    paths: list[Path],
    *,
    database_url: str | None,
    options: service.LoadOptions,
    report_path: Path | None,
    as_json: bool,
) -> None:
    from core import db
    from loaders import service

    settings = common.settings_for(database_url)
    engine = db.create_engine(settings.database_url,
                              spatialite_library=settings.spatialite_library)  # fmt: skip
    target = report_path or DEFAULT_REPORT_DIR / f"{ids.new_id()}.csv"
    try:
        with _progress() as advance:
            outcome = service.load(session_factory=db.session_factory(engine), fmt=fmt,
                                   paths=paths, report_path=target, options=options,
                                   progress=advance)  # fmt: skip
    except SupplyRefused as exc:
        if as_json:
            common.emit("", {"refused": True, "code": exc.code, **exc.details}, as_json=True)
        raise
    finally:
        engine.dispose()
    common.emit(_summary(outcome), outcome.as_json(), as_json)


@contextlib.contextmanager
def _progress() -> Iterator[Any]:
    """A progress counter on stderr when it is a terminal; nothing otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich import console as rich_console
    from rich import progress as rich_progress

    console = rich_console.Console(stderr=True)
    columns = (rich_progress.SpinnerColumn(), rich_progress.TextColumn("{task.description}"),
               rich_progress.TextColumn("{task.completed:,} rows"))  # fmt: skip
    with rich_progress.Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("Reading supply", total=None)
        yield lambda rows: bar.advance(task, rows)


def _summary(outcome: service.Outcome) -> str:
    return "\n".join(_supply_summary(load) for load in outcome.reports)


def _supply_summary(load: report.LoadReport) -> str:
    if load.unchanged:
        return f"Unchanged: these files were already applied (run {load.run_id})."
    lines = [f"Loaded {load.format} schema {load.schema_version} (run {load.run_id}):"]
    for name, counts in load.records.items():
        lines.append(
            f"  {name}: {counts.inserted} inserted, {counts.updated} updated, "
            f"{counts.deleted} deleted, {counts.rejected} rejected"
        )
    lines.append(f"{load.warnings} warnings; findings in {load.report_file}.")
    return "\n".join(lines)
