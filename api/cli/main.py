"""The ``addresshub`` command line (the console script points at ``app``).

Each group of commands lives in its own module and is added here with one ``add_typer`` line.
Modules that add commands to an existing group (``load_app``, ``export_app``) are imported here
so that their commands are registered.

Importing this module is cheap: the command modules declare their options and help only, and
each command imports the modules it works with (SQLAlchemy, the loaders, the sharing engine)
when it runs, so every command starts without the others' (``tests/acceptance/
test_cli_startup.py`` holds ``sqlalchemy``, ``geoalchemy2`` and ``loaders`` out of the import).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated

import typer

import api.cli.load_supplies  # noqa: F401 - registers load abp|dtf
from api.cli import (
    common,
    load_sources,  # noqa: F401 - registers load codepoint|open-uprn|csv|areas
)
from api.cli.apikey import apikey_app
from api.cli.demo import register as register_demo
from api.cli.events import events_app
from api.cli.export import export_app
from api.cli.filedrop import register as register_filedrop
from api.cli.find import register as register_find
from api.cli.load import load_app
from api.cli.lookup import lookup_app
from api.cli.move_blocks import register as register_move_blocks
from api.cli.move_corrections import register as register_move_corrections
from api.cli.moves import moves_app
from api.cli.privacy import register as register_privacy
from api.cli.rules import rules_app
from api.cli.uprns import uprns_app
from api.cli.worker import register as register_worker
from core.errors import StorageError

if TYPE_CHECKING:  # imported by the command that migrates
    import sqlalchemy as sa

app = common.Cli(
    name="addresshub",
    help="A BS7666 gazetteer and change-of-address notification hub.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="The database schema.", no_args_is_help=True)

app.add_typer(db_app, name="db")
app.add_typer(load_app, name="load")
app.add_typer(export_app, name="export")
app.add_typer(lookup_app, name="lookup")
app.add_typer(apikey_app, name="apikey")
app.add_typer(rules_app, name="rules")
app.add_typer(events_app, name="events")
app.add_typer(moves_app, name="moves")
app.add_typer(uprns_app, name="uprns")
register_find(app)  # addresshub search | match, and lookup postcode
register_privacy(app)  # addresshub erase | retention run | ledger ...
register_worker(app)  # addresshub worker, deliveries list|resend|recover|reroute|abandon
register_demo(app)  # addresshub demo
register_move_blocks(moves_app)  # addresshub moves block|unblock|blocks|reviews|questions
register_move_corrections(moves_app)  # addresshub moves correct
register_filedrop(app)  # addresshub filedrop run, ops-notices, endpoints test


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Option(help="The revision to reach.")] = "head",
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Create or migrate the database schema (both engines)."""
    import sqlalchemy as sa

    import migrations

    settings = common.settings_for(database_url)
    try:
        migrations.upgrade(settings.database_url, revision)
        current = migrations.current_revision(settings.database_url)
    except sa.exc.OperationalError as exc:
        raise StorageError(f"cannot migrate the database: {_driver_reason(exc)}") from exc
    shown = sa.make_url(settings.database_url).render_as_string(hide_password=True)
    common.emit(
        f"Database {shown} is at revision {current}.",
        {"database_url": shown, "revision": current},
        as_json,
    )


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default: settings).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: settings).")] = None,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development).")] = False,
    database_url: common.DatabaseUrlOption = None,
) -> None:
    """Run the HTTP API (uvicorn)."""
    # Imported here: the web stack is not needed by the other commands, which start faster.
    import uvicorn

    from api import app as api_app

    settings = common.settings_for(database_url)
    bind_host, bind_port = host or settings.host, port or settings.port
    if reload:
        # The reloading server imports the factory afresh and reads the settings itself.
        os.environ["ADDRESSHUB_DATABASE_URL"] = settings.database_url
        uvicorn.run("api.app:create_app", factory=True, host=bind_host, port=bind_port, reload=True)
        return
    uvicorn.run(api_app.create_app(settings), host=bind_host, port=bind_port)


def _driver_reason(exc: sa.exc.DBAPIError) -> str:
    lines = str(exc.orig).strip().splitlines()
    return lines[0] if lines else type(exc.orig).__name__
