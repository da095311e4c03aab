"""``addresshub search``, ``addresshub match`` and ``addresshub lookup postcode``.

:func:`register` adds the top-level commands to the ``addresshub`` app; ``lookup postcode``
joins the ``lookup`` group when this module is imported.
"""

from __future__ import annotations

import csv
import itertools
import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from api.cli import common
from api.cli.lookup import lookup_app
from core.errors import InvalidInput

if TYPE_CHECKING:  # imported by each command: other commands start without them
    from gazetteer import find, matching

OUTPUT_COLUMNS = ("uprn", "score", "match_reason", "status", "candidates")

LimitOption = Annotated[int, typer.Option(min=1, max=100, help="How many results.")]
ClassificationOption = Annotated[
    str | None, typer.Option(help="Classification code prefix, e.g. RD or RD* (residential).")
]
DatasetOption = Annotated[
    list[str] | None, typer.Option(help="Label sources: lpi, dpa, listed (repeatable).")
]
HistoricalOption = Annotated[
    bool, typer.Option("--include-historical", help="Include historical labels.")
]


def register(app: typer.Typer) -> None:
    """Add ``search`` and ``match`` to the top-level ``addresshub`` app."""
    app.command("search")(search)
    app.command("match")(match)
    app.command("reindex")(reindex)


def reindex(
    uprn: Annotated[
        list[int] | None, typer.Option(help="Only these UPRNs (repeatable); default all.")
    ] = None,
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Rebuild the address search index and the stored lookup documents from the gazetteer
    tables."""
    from gazetteer import address_documents, search_index

    settings = common.settings_for(database_url)
    with common.session_scope(settings) as session:
        rows = search_index.rebuild(session, uprns=uprn or None)
        address_documents.refresh(session, uprn or None)
    common.emit(f"{rows} labels indexed", {"rows": rows}, as_json)


def _filters(
    classification: str | None, dataset: list[str] | None, include_historical: bool
) -> find.Filters:
    from gazetteer import find

    chosen = tuple(dataset) if dataset else find.Filters().datasets
    unknown = set(chosen) - set(find.Filters().datasets)
    if unknown:
        raise InvalidInput(f"unknown dataset {sorted(unknown)}; use lpi, dpa or listed")
    return find.Filters(
        classification=classification, datasets=chosen, include_historical=include_historical
    )


def search(
    text: Annotated[str, typer.Argument(metavar="TEXT", help="What to look for.")],
    *,
    limit: LimitOption = 10,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many results.")] = 0,
    classification: ClassificationOption = None,
    dataset: DatasetOption = None,
    include_historical: HistoricalOption = False,
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Search addresses: ranked results, as GET /v1/addresses/search."""
    from api.schemas import find as schemas
    from gazetteer import find

    settings = common.settings_for(database_url)
    chosen = _filters(classification, dataset, include_historical)
    with common.session_scope(settings, writes=False) as session:
        page = find.search(
            session=session, q=text, settings=settings, filters=chosen, limit=limit, offset=offset
        )
    document = schemas.SearchPage(
        query=text,
        total=page.total,
        limit=limit,
        offset=offset,
        results=[schemas.AddressSummary.from_summary(r) for r in page.results],
    )
    human = [f"{r.uprn:>12}  {r.score or 0:.2f}  {r.label}" for r in page.results]
    common.emit("\n".join(human) or "no addresses found", document, as_json)


@lookup_app.command("postcode")
def lookup_postcode(
    postcode: Annotated[str, typer.Argument(metavar="POSTCODE", help="Any spacing or case.")],
    *,
    classification: ClassificationOption = None,
    dataset: DatasetOption = None,
    include_historical: HistoricalOption = False,
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Every address at a postcode in natural order, as GET /v1/addresses?postcode=."""
    from api.schemas import find as schemas
    from gazetteer import find

    settings = common.settings_for(database_url)
    chosen = _filters(classification, dataset, include_historical)
    with common.session_scope(settings, writes=False) as session:
        found = find.addresses_at_postcode(session=session, postcode=postcode, filters=chosen)
    document = schemas.AddressList(
        count=len(found), addresses=[schemas.AddressSummary.from_summary(a) for a in found]
    )
    human = [f"{a.uprn:>12}  {a.label}" for a in found]
    common.emit("\n".join(human) or "no addresses at this postcode", document, as_json)


def match(
    input_path: Annotated[
        Path, typer.Option("--input", exists=True, dir_okay=False, help="CSV with a header row.")
    ],
    address_column: Annotated[str, typer.Option(help="The column holding the address.")],
    output: Annotated[Path, typer.Option(dir_okay=False, help="CSV to write.")],
    database_url: common.DatabaseUrlOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Match every row of a CSV; the output keeps each input column and adds uprn, score,
    match_reason, status and candidates (the best UPRNs with their scores)."""
    from gazetteer import find_many

    settings = common.settings_for(database_url)
    counts: Counter[str] = Counter()
    with input_path.open(newline="", encoding="utf-8-sig") as source:
        reader = csv.DictReader(source)
        columns = list(reader.fieldnames or [])
        if address_column not in columns:
            raise InvalidInput(f"the input has no column {address_column!r}")
        with (
            output.open("w", newline="", encoding="utf-8") as target,
            common.session_scope(settings, writes=False) as session,
        ):
            writer = csv.DictWriter(target, [*columns, *_new_columns(columns)])
            writer.writeheader()
            while rows := list(itertools.islice(reader, find_many.ROUND)):
                texts = [row[address_column] or "" for row in rows]
                matched = find_many.match_many(session=session, texts=texts, settings=settings)
                for row, result in zip(rows, matched, strict=True):
                    counts[result.status] += 1
                    writer.writerow({**row, **_result_columns(result, columns)})
    document = {"rows": sum(counts.values()), **{s: counts[s] for s in _STATUSES}}
    summary = ", ".join(f"{document[s]} {s}" for s in _STATUSES)
    common.emit(f"{document['rows']} rows matched into {output}: {summary}", document, as_json)


_STATUSES = ("matched", "review", "unmatched")


def _new_columns(columns: list[str]) -> list[str]:
    return [_output_name(name, columns) for name in OUTPUT_COLUMNS]


def _output_name(name: str, columns: list[str]) -> str:
    """``uprn`` unless the input has one already; then ``match_uprn``."""
    return name if name not in columns else f"match_{name}"


def _result_columns(result: matching.MatchResult, columns: list[str]) -> dict[str, Any]:
    best = [{"uprn": c.candidate.uprn, "score": c.score} for c in result.candidates[:3]]
    values = {
        "uprn": result.uprn if result.uprn is not None else "",
        "score": f"{result.score:.4f}",
        "match_reason": result.match_reason or "",
        "status": result.status,
        "candidates": json.dumps(best),
    }
    return {_output_name(name, columns): value for name, value in values.items()}
