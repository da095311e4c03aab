"""LLPG DTF 7.3, full (F) or change-only (C) (§5.3).

The column order is reconstructed and [UNVERIFIED], so it lives in ``layouts/dtf_7_3.json``:
rows with more fields than the layout get a warning and the extras are ignored, rows with fewer
are errors, and the layout plausibility check runs on every supply. Lines that are not UTF-8
are read as Windows-1252 or ISO-8859-14 with a warning (the DTF encoding is [UNVERIFIED]; see
:data:`~loaders.readers.csvdialect.LEGACY_ENCODINGS`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Final

from loaders import layouts
from loaders.readers import csvdialect, engine, supply

FALLBACK_ENCODING: Final = csvdialect.LEGACY_ENCODINGS


def spec() -> supply.FormatSpec:
    return supply.FormatSpec(
        name="dtf",
        layouts=layouts.for_format("dtf"),
        fallback_encoding=FALLBACK_ENCODING,
    )


def plan(paths: Iterable[str | Path]) -> supply.Plan:
    return supply.plan(paths, spec())


def read(plan_supply: supply.Supply) -> Iterator[engine.Item]:
    return engine.read_supply(plan_supply, spec())
