"""``addresshub erase``, ``addresshub retention run`` and ``addresshub ledger ...``.

* ``erase --person ID``: Art. 17 for one person (run once the request has been assessed).
* ``retention run``: the daily retention job, on demand.
* ``ledger person ID [--csv PATH]``: everything disclosed about a person (Art. 15);
  ``ledger move REFERENCE``: whom to tell of a correction (Art. 19);
  ``ledger agreement ID``: the record of processing under an agreement (Art. 30).

:func:`register` adds them to the ``addresshub`` app. The sharing modules are imported by the
commands themselves, so that every other command starts without them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from api.cli import common

if TYPE_CHECKING:  # imported by each command: other commands start without them
    from notify import ledger, privacy

retention_app = typer.Typer(help="Retention of personal data.", no_args_is_help=True)
ledger_app = typer.Typer(
    help="The disclosure ledger: who got what, when and why.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    """Add ``erase``, ``retention`` and ``ledger`` to the top-level ``addresshub`` app."""
    app.command("erase")(erase)
    app.add_typer(retention_app, name="retention")
    app.add_typer(ledger_app, name="ledger")


def erase(
    *,
    person: Annotated[str, typer.Option("--person", help="The person's subject id.")],
    case_ref: Annotated[
        str | None, typer.Option(help="The request's case reference (a code, not free text).")
    ] = None,
    authorised_by: Annotated[
        str | None, typer.Option(help="Who authorised it, for the register (default: OS user).")
    ] = None,
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Erase a person: their data everywhere, Art. 19 notices, redacted ledger lines."""
    from notify import erasure

    settings = common.settings_for(database_url)
    with common.session_scope(settings) as session:
        report = erasure.erase_subject(
            session=session,
            subject_id=person,
            authorised_by=common.actor_or_login(authorised_by),
            now=common.now(),
            settings=settings,
            case_ref=case_ref,
        )
    common.emit(_erasure_summary(report), report.as_json(), as_json)


def _erasure_summary(report: privacy.ErasureReport) -> str:
    from notify import erasure, privacy

    if report.already_erased:
        return (
            f"Person {report.subject_id} was already erased at {privacy.iso(report.executed_at)}."
        )
    return (
        f"Erased person {report.subject_id} (erasure {report.erasure_ref}): "
        f"{privacy.summary(report.counts, erasure.COUNT_ORDER)}."
    )


@retention_app.command("run")
def retention_run(
    actor: Annotated[
        str | None, typer.Option(help="Who runs it, for the log (default: retention).")
    ] = None,
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Purge everything past its retention period and print the counts."""
    from notify import privacy, retention

    settings = common.settings_for(database_url)
    with common.session_scope(settings) as session:
        report = retention.run(
            session=session,
            now=common.now(),
            periods=retention.periods_from(settings),
            actor=actor or retention.ACTOR,
            file_drop_directory=settings.file_drop_directory,
            file_batch_days=settings.retention_file_batch_days,
        )
    human = (
        f"Retention run {report.run_id}: {privacy.summary(report.counts, retention.COUNT_ORDER)}."
    )
    common.emit(human, report.as_json(), as_json)


@ledger_app.command("person")
def ledger_person(
    subject_id: Annotated[str, typer.Argument(metavar="ID", help="The person's subject id.")],
    csv_path: Annotated[
        Path | None, typer.Option("--csv", help="Also write the lines to this CSV file.")
    ] = None,
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Everything disclosed, or planned to be, about one person (Art. 15)."""
    from notify import ledger, privacy

    settings = common.settings_for(database_url)
    with common.session_scope(settings) as session:
        found = ledger.person_disclosures(session=session, subject_id=subject_id)
    if csv_path is not None:
        csv_path.write_text(privacy.to_csv(found.entries), encoding="utf-8", newline="")
    common.emit(_person_summary(found, csv_path), found.as_json(), as_json)


def _person_summary(found: ledger.PersonDisclosures, csv_path: Path | None) -> str:
    from notify import privacy

    lines = [f"Person {found.subject_id}: {len(found.entries)} ledger lines."]
    if found.erased_at:
        lines[0] += f" Erased at {privacy.iso(found.erased_at)}."
    lines += [
        f"  {privacy.iso(e.disclosed_at or e.planned_at)}  {e.outcome:<18} "
        f"{e.partner_service_id:<28} {e.lawful_basis or '-':<16} {','.join(e.fields)}"
        for e in found.entries
    ]
    if csv_path is not None:
        lines.append(f"Wrote {csv_path}.")
    return "\n".join(lines)


@ledger_app.command("move")
def ledger_move(
    reference: Annotated[str, typer.Argument(metavar="REFERENCE", help="COA-XXXX-XXXX.")],
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Every recipient sent data from a move: whom to tell of a correction (Art. 19)."""
    from notify import ledger

    settings = common.settings_for(database_url)
    with common.session_scope(settings) as session:
        document = ledger.move_recipients(session=session, reference=reference)
    common.emit(_move_summary(document), document, as_json)


def _move_summary(document: dict[str, Any]) -> str:
    recipients = document["recipients"]
    lines = [f"Move {document['reference']}: {len(recipients)} recipients to tell of a change."]
    for recipient in recipients:
        told = "cannot be told (offboarded)" if not recipient["can_notify"] else ""
        lines.append(
            f"  {recipient['partner_service_id']:<28} {len(recipient['events'])} events {told}"
        )
    return "\n".join(lines)


@ledger_app.command("agreement")
def ledger_agreement(
    agreement_id: Annotated[str, typer.Argument(metavar="ID", help="The agreement id.")],
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """The record of processing under one agreement (Art. 30), as JSON."""
    from notify import ledger, retention

    settings = common.settings_for(database_url)
    with common.session_scope(settings) as session:
        document = ledger.processing_record(
            session=session, agreement_id=agreement_id, periods=retention.periods_from(settings)
        )
    common.emit(json.dumps(document, indent=2, ensure_ascii=False), document, as_json)
