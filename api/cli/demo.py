"""``addresshub demo``: the API, a worker, a sample gazetteer and partner receivers, locally."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from api.cli import common


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    *,
    once: Annotated[
        bool,
        typer.Option(
            "--once",
            help="Submit the sample move, wait until every permitted receiver has it, then stop.",
        ),
    ] = False,
    host: Annotated[str | None, typer.Option(help="API bind address (default: settings).")] = None,
    port: Annotated[int | None, typer.Option(help="API port (default: settings).")] = None,
    receiver_port: Annotated[
        int, typer.Option(help="Port of the demo receivers (0: any free port).")
    ] = 8100,
    work_dir: Annotated[
        Path | None,
        typer.Option(help="Where the sample files and logs go (default: beside the database)."),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", help="Print one line per event, not its data.")
    ] = False,
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Run the demo: a sample gazetteer, demo partners and receivers, the API and a worker.

    Prints what to curl to report a move, then every event the receivers verify, until
    Ctrl-C. With --json (for --once), progress goes to stderr and the outcome to stdout.
    """
    # Imported here: the demo's machinery is not needed by the other commands.
    from api.demo import errors, run, sample, text

    settings = common.settings_for(database_url)
    options = run.Options(
        host=host or settings.host,
        port=port or settings.port,
        receiver_port=receiver_port,
        work_dir=work_dir or run.work_dir_for(settings.database_url),
        once=once,
        verbose=not quiet,
    )
    stream = sys.stderr if as_json else sys.stdout

    def out(line: str) -> None:
        stream.write(line + "\n")
        stream.flush()

    try:
        document = run.run(settings=settings, options=options, out=out)
    except OSError as exc:
        raise errors.DemoFailed(f"cannot start the demo: {exc.strerror or exc}") from exc
    if once:
        document |= {"attribution": sample.attribution()}
        common.emit(text.outcome(document), document, as_json)
    else:
        out("Stopped.")
