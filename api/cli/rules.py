"""``addresshub rules apply FILE | rules export``: the registry as a reviewable file."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from api.cli import common
from core.errors import InvalidInput
from notify import errors

if TYPE_CHECKING:  # imported by each command: other commands start without it
    from notify import registry_service

rules_app = typer.Typer(
    help="Partners, agreements and sharing rules as a reviewable file.", no_args_is_help=True
)


@rules_app.command("apply")
def apply(
    file: Annotated[Path, typer.Argument(help="The registry file (YAML).")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only show what would change.")
    ] = False,
    actor: Annotated[
        str | None, typer.Option(help="Who applies it, for the audit (default: the OS user).")
    ] = None,
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Apply a registry file: validate it, show the diff and write new items and versions."""
    from notify import registry_service

    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot read {file}: {exc.strerror}") from exc
    settings = common.settings_for(database_url)
    with common.session_scope(settings) as session, _naming(file):
        report = registry_service.apply_file(
            session=session,
            text=text,
            actor=common.actor_or_login(actor),
            now=common.now(),
            dry_run=dry_run,
        )
    common.emit(_summary(report), report.as_json(), as_json)


@contextlib.contextmanager
def _naming(file: Path) -> Iterator[None]:
    """A problem in the file is reported with the file's name in front of its place."""
    try:
        yield
    except errors.InvalidRegistryFile as exc:
        raise errors.InvalidRegistryFile(f"{file}: {exc}", details=exc.details) from exc


def _summary(report: registry_service.ApplyReport) -> str:
    verb = "Would apply" if report.dry_run else "Applied"
    lines = [
        f"{verb} registry file sha256:{report.file_sha256[:12]}: "
        f"{report.count('create')} created, {report.count('update')} updated, "
        f"{report.count('unchanged')} unchanged."
    ]
    for change in report.changes:
        if change.action == "unchanged":
            continue
        version = f"@{change.version}" if change.version is not None else ""
        fields = f" ({', '.join(change.fields)})" if change.fields else ""
        fields += f" questions {' '.join(change.questions)}" if change.questions else ""
        lines.append(f"  {change.action:<7} {change.kind} {change.key}{version}{fields}")
    lines += [f"  warning {w.item}: {w.code} {w.message}" for w in report.warnings]
    return "\n".join(lines)


@rules_app.command("export")
def export(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here (default: stdout).")
    ] = None,
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Export the registry as a file that `rules apply` reads back unchanged."""
    from notify import registry_service

    settings = common.settings_for(database_url)
    with common.session_scope(settings) as session:
        text = registry_service.export_file(session=session)
    if output is None and not as_json:
        typer.echo(text, nl=False)
        return
    if output is not None:
        output.write_text(text, encoding="utf-8")
    common.emit(
        f"Wrote the registry to {output}.", {"output": str(output), "registry": text}, as_json
    )
