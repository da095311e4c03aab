"""What every ``addresshub`` command shares: options, output, sessions and error mapping.

The command line contract: every command takes ``--database-url`` (or
``ADDRESSHUB_DATABASE_URL``), prints a human summary, and with ``--json`` prints one JSON
document on stdout. Success exits 0; failure exits non-zero with one line on stderr.

* ``DatabaseUrlOption``, ``JsonOption``: the shared options, as ``Annotated`` aliases.
* ``settings_for(database_url)``: the process settings with the database URL from the option.
* ``session_scope(settings)``: one unit of work on that database (commit on success).
* ``emit(human, document, as_json)``: print one or the other.
* ``cli_errors()``: the one mapping from errors to a line on stderr and an exit code. The
  top-level app (:class:`Cli`) runs every command inside it, sub-apps included, so commands
  simply raise :class:`core.errors.AddressHubError` subclasses.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import json
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from pydantic import BaseModel
from rich import console as rich_console

from core.errors import AddressHubError
from core.settings import Settings, get_settings

if TYPE_CHECKING:  # the database layer is imported by the commands that use it
    from sqlalchemy import orm

UNEXPECTED_EXIT = 1
INTERRUPTED_EXIT = 130
PIPED_WIDTH = 160

DatabaseUrlOption = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar="ADDRESSHUB_DATABASE_URL",
        show_envvar=True,
        help="Database URL: sqlite:///PATH or postgresql://USER@HOST/DB.",
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print one machine-readable JSON document on stdout.")
]


def now() -> dt.datetime:
    """The time a command acts at (UTC)."""
    return dt.datetime.now(dt.UTC)


def actor_or_login(actor: str | None) -> str:
    """The actor a command records: the one given, else the operating system's login name."""
    return actor or getpass.getuser()


def settings_for(database_url: str | None) -> Settings:
    """The process settings, with ``database_url`` in place when given."""
    settings = get_settings()
    if database_url is None:
        return settings
    return settings.model_copy(update={"database_url": database_url})


@contextlib.contextmanager
def session_scope(settings: Settings, *, writes: bool = True) -> Iterator[orm.Session]:
    """One unit of work on the settings' database: commit on success, roll back on error.

    A command that may write holds SQLite's write lock from its first statement, so a worker or
    the API committing in between makes it wait instead of failing with "database is locked";
    a command that only reads (``writes=False``) takes no lock and holds nobody back, however
    long it runs (exports, batch matching)."""
    from core import db

    engine = db.create_engine(
        settings.database_url,
        spatialite_library=settings.spatialite_library,
        echo=settings.database_echo,
    )
    try:
        with db.unit_of_work(db.session_factory(engine), immediate=writes) as session:
            yield session
    finally:
        engine.dispose()


def emit(human: str | rich_console.RenderableType, document: Any, as_json: bool) -> None:
    """Print ``document`` as JSON (with ``--json``) or ``human`` for a person, on stdout."""
    if as_json:
        if isinstance(document, BaseModel):
            document = document.model_dump(mode="json")
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        sys.stdout.flush()
        return
    out = rich_console.Console(soft_wrap=True)
    if not out.is_terminal:
        # Piped output is read by people later or by tools: keep tables unwrapped.
        out.width = max(out.width, PIPED_WIDTH)
    if isinstance(human, str):
        out.print(human, markup=False, highlight=False)
    else:
        out.print(human)


def one_line(text: str) -> str:
    return " ".join(text.split())


def fail(message: str, exit_code: int) -> NoReturn:
    """End the command: one line on stderr and ``exit_code``."""
    sys.stderr.write(f"addresshub: error: {one_line(message)}\n")
    sys.stderr.flush()
    raise SystemExit(exit_code)


@contextlib.contextmanager
def cli_errors() -> Iterator[None]:
    """Map what a command raises to one line on stderr and the error's exit code.

    Our own errors show their safe message and code; anything else shows its type and
    message and exits 1. The command line's own exits and usage errors pass through.
    """
    try:
        yield
    except (typer.Exit, typer.Abort, typer.TyperException):
        raise
    except AddressHubError as exc:
        fail(f"{exc.message} [{exc.code}]", exc.exit_code)
    except KeyboardInterrupt:
        fail("interrupted", INTERRUPTED_EXIT)
    except Exception as exc:
        fail(f"unexpected {type(exc).__name__}: {exc}", UNEXPECTED_EXIT)


class Cli(typer.Typer):
    """The top-level app: every command, sub-apps included, ends by the one error mapping.

    Usage errors (a missing argument, an unknown option) also end as one line on stderr,
    with click's exit code 2.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        with cli_errors():
            try:
                code = typer.main.get_command(self).main(*args, **kwargs)
            except typer.TyperException as exc:
                _usage_error(exc)
            except typer.Abort:
                fail("aborted", UNEXPECTED_EXIT)
        raise SystemExit(code if isinstance(code, int) else 0)


def _usage_error(exc: typer.TyperException) -> NoReturn:
    # A group run without a command has already printed its help; say nothing more.
    if type(exc).__name__ == "NoArgsIsHelpError":
        raise SystemExit(exc.exit_code)
    fail(exc.format_message(), exc.exit_code)
