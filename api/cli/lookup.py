"""``addresshub lookup uprn UPRN``: one address, as the API shows it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from api.cli import common
from gazetteer.validation import codes

if TYPE_CHECKING:  # imported by the command: other commands start without them
    from api.schemas import addresses as schemas

lookup_app = typer.Typer(help="Look up addresses.", no_args_is_help=True)


def _language(value: str) -> str:
    code, known = value.upper(), sorted(codes.LANGUAGES | codes.LANGUAGES_WARN)
    if code not in known:
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(known)}")
    return code


@lookup_app.command("uprn")
def uprn(
    value: Annotated[str, typer.Argument(metavar="UPRN", help="The address's UPRN.")],
    language: Annotated[
        str,
        typer.Option(
            callback=_language,
            help="Label language: ENG, CYM (Welsh) or GAE (Scottish Gaelic) where present; "
            "any case.",
        ),
    ] = "ENG",
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """One address by UPRN; --json prints the same document as GET /v1/addresses/{uprn}."""
    from api.schemas import addresses as schemas
    from gazetteer import domain, service

    parsed = domain.parse_uprn(value)
    settings = common.settings_for(database_url)
    with common.session_scope(settings, writes=False) as session:
        document = service.get_address(
            session=session, uprn=parsed, settings=settings, language=language
        )
    address = schemas.Address.from_document(document)
    common.emit(_human(address), address, as_json)


def _human(address: schemas.Address) -> str:
    lines = [f"UPRN {address.uprn} ({address.status.name or address.status.code})"]
    lines += [f"  {line}" for line in address.labels.lines]
    if address.labels.postal_single_line:
        lines.append(f"Postal: {address.labels.postal_single_line}")
    if address.classification:
        described = address.classification.description or ""
        lines.append(f"Class: {address.classification.code} {described}".rstrip())
    if address.coordinates.x is not None and address.coordinates.y is not None:
        lines.append(f"Grid: {address.coordinates.x:.2f}, {address.coordinates.y:.2f}")
    return "\n".join(lines)
