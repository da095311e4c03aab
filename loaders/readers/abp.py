"""AddressBase Premium CSV, schema v1.0 and v2.x, mixed or split per record type (§5.2).

Version detection (§5.2.7): the header VERSION; without a header, the field counts of records
11, 15 and 21; failing those, where POSTCODE_TYPE sits in record 28.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import Final

from loaders import layouts
from loaders.readers import csvdialect, engine, supply

SPLIT_FILE: Final = re.compile(r"ID(\d{2})_\w+_Records\.csv", re.IGNORECASE)
SUPPLY_NAME: Final = re.compile(
    r"AddressBasePremium(?:_ISL)?_(FULL|COU)_(\d{4}-\d{2}-\d{2})_(\d{3}|[A-Za-z]{2}\d{4})"
    r"(?:_csv)?\.(?:csv|zip)",
    re.IGNORECASE,
)
"""§5.2.2's tolerant file-name form: a volume number, or a 5 km tile reference in its place."""
SNIFF_ROWS: Final = 500
_COUNTED: Final = ("11", "15", "21")
_POSTCODE_TYPES: Final = frozenset({"S", "L"})


def spec() -> supply.FormatSpec:
    return supply.FormatSpec(
        name="abp",
        layouts=layouts.for_format("abp"),
        split_pattern=SPLIT_FILE,
        detect=detect_layout,
        tile_of=tile_of,
    )


def tile_of(name: str) -> str | None:
    """The tile reference a supply file name carries instead of its volume (``TQ3080``)."""
    match = SUPPLY_NAME.fullmatch(name)
    if match is None or match.group(3).isdigit():
        return None
    return match.group(3).upper()


def plan(paths: Iterable[str | Path], *, schema_version: str | None = None) -> supply.Plan:
    """The supplies under ``paths``; ``schema_version`` ("1" or "2") forces a layout."""
    forced = layouts.get("abp", schema_version) if schema_version else None
    return supply.plan(paths, spec(), layout=forced)


def read(plan_supply: supply.Supply) -> Iterator[engine.Item]:
    """Typed rows and findings of one supply, streamed."""
    return engine.read_supply(plan_supply, spec())


def detect_layout(parts: Sequence[supply.Part]) -> layouts.Layout | None:
    """The layout of a volume without a header record, from its rows."""
    rows = [row for part in parts for row in _sample(part)]
    for row in rows:
        rid = supply.record_id_of(row[0])
        if rid in _COUNTED:
            found = _by_count(rid, len(row))
            if found is not None:
                return found
    return next((lay for row in rows if (lay := _by_postcode_type(row)) is not None), None)


def _sample(part: supply.Part) -> list[list[str]]:
    with part.source.open() as handle:
        rows = (fields for _, fields in csvdialect.CsvStream(handle).rows())
        return [r for r in islice(rows, SNIFF_ROWS) if not supply.is_header_row(r)]


def _by_count(rid: str, count: int) -> layouts.Layout | None:
    for layout in layouts.for_format("abp"):
        if layout.records[rid].field_count == count:
            return layout
    return None


def _by_postcode_type(row: list[str]) -> layouts.Layout | None:
    if supply.record_id_of(row[0]) != "28" or len(row) != 29:
        return None
    if row[16] in _POSTCODE_TYPES:
        return layouts.get("abp", "2")
    if row[17] in _POSTCODE_TYPES:
        return layouts.get("abp", "1")
    return None
