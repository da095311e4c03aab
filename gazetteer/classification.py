"""Descriptions for AddressBase Premium classification codes (gazetteer-standards §2.9).

The code list ships as package data (``gazetteer/data/abp-classification-codes.csv``). A code
is looked up whole first, then by its shorter prefixes (6 → 4 → 2 → 1 characters), so a
quaternary code missing from the list still reads as its tertiary parent, and the older LLPG
four-character BLPU_CLASS codes read as the nearest ABP entry.
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from importlib import resources
from typing import Final

CODE_LIST: Final = "abp-classification-codes.csv"
PREFIX_LENGTHS: Final = (6, 4, 2, 1)


@dataclass(frozen=True, kw_only=True, slots=True)
class ClassificationEntry:
    code: str
    description: str
    primary: str
    secondary: str | None = None
    tertiary: str | None = None
    quaternary: str | None = None


def _entry(row: dict[str, str]) -> ClassificationEntry:
    return ClassificationEntry(
        code=row["concatenated"].strip(),
        description=row["classDesc"].strip(),
        primary=row["primaryDesc"].strip(),
        secondary=row["secondaryDesc"].strip() or None,
        tertiary=row["tertiaryDesc"].strip() or None,
        quaternary=row["quaternaryDesc"].strip() or None,
    )


@functools.cache
def entries() -> dict[str, ClassificationEntry]:
    """Every entry of the scheme, keyed by its full code (read once per process)."""
    raw = resources.files("gazetteer.data").joinpath(CODE_LIST).read_text(encoding="utf-8-sig")
    return {entry.code: entry for entry in map(_entry, csv.DictReader(io.StringIO(raw)))}


def lookup(code: str | None) -> ClassificationEntry | None:
    """The entry for ``code``, else for its longest listed prefix, else ``None``."""
    if not code:
        return None
    known = entries()
    wanted = code.strip().upper()
    for length in PREFIX_LENGTHS:
        entry = known.get(wanted[:length]) if len(wanted) >= length else None
        if entry is not None:
            return entry
    return None


def description(code: str | None) -> str | None:
    """The scheme's description of ``code`` (``"Terraced"`` for ``RD04``), or ``None``."""
    entry = lookup(code)
    return entry.description if entry else None
