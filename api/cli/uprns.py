"""``addresshub uprns register SERVICE FILE | uprns list SERVICE``: the UPRNs a partner service
holds (``notify.uprn_register``), for an operator loading a partner's register on its behalf.

FILE holds one UPRN a line, or is a CSV whose header names a ``UPRN`` column (any case); blank
lines are skipped. A line that is not a UPRN refuses the whole file, naming every such line.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Annotated

import typer

from api.cli import common
from core.errors import InvalidInput

uprns_app = typer.Typer(help="The UPRNs a partner service holds.", no_args_is_help=True)
ServiceArgument = Annotated[str, typer.Argument(help="The partner service, e.g. P1/COUNCIL_TAX.")]
MAX_UPRN = 999_999_999_999
LISTED = 20


@uprns_app.command("register")
def register(
    service: ServiceArgument,
    file: Annotated[Path, typer.Argument(help="One UPRN a line, or a CSV with a UPRN column.")],
    actor: Annotated[
        str | None, typer.Option(help="Who loads it, for the audit (default: the OS user).")
    ] = None,
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Replace the service's register with the file's UPRNs (left-out ones end now)."""
    from notify import uprn_register

    uprns = read_uprns(file)
    settings = common.settings_for(database_url)
    with common.session_scope(settings) as session:
        done = uprn_register.replace(
            session, partner_service_id=service, uprns=uprns,
            actor=common.actor_or_login(actor), now=common.now(),
        )  # fmt: skip
    document = {"partner_service_id": service, "held": done.held, "added": done.added,
                "ended": done.ended}  # fmt: skip
    common.emit(f"{service} holds {done.held} UPRNs ({done.added} added, {done.ended} ended).",
                document, as_json)  # fmt: skip


@uprns_app.command("list")
def list_uprns(
    service: ServiceArgument,
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """The service's register, in UPRN order."""
    from notify import uprn_register

    settings = common.settings_for(database_url)
    found: list[int] = []
    with common.session_scope(settings, writes=False) as session:
        while page := uprn_register.held(
            session, partner_service_id=service, after=found[-1] if found else 0, limit=10_000
        ):
            found += page
    common.emit("\n".join(map(str, found)) or "No UPRNs.",
                {"partner_service_id": service, "uprns": found}, as_json)  # fmt: skip


def read_uprns(path: Path) -> list[int]:
    """The file's UPRNs; InvalidInput naming the file and lines that are not UPRNs."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read {path}: {exc}") from exc
    rows = list(csv.reader(io.StringIO(text)))
    column = _uprn_column(rows[0]) if rows else None
    body, first_line = (rows[1:], 2) if column is not None else (rows, 1)
    at = column or 0
    found, bad = [], []
    for line, row in enumerate(body, first_line):
        value = (row[at] if len(row) > at else "").strip()
        if value.isdigit() and 0 < int(value) <= MAX_UPRN:
            found.append(int(value))
        elif value or len(row) > 1:
            bad.append(line)
    if bad:
        listed = ", ".join(map(str, bad[:LISTED])) + (" ..." if len(bad) > LISTED else "")
        raise InvalidInput(f"{path}: not a UPRN (up to 12 digits) on line {listed}")
    return found


def _uprn_column(header: list[str]) -> int | None:
    names = [h.strip().upper() for h in header]
    return names.index("UPRN") if "UPRN" in names else None
