"""LLPG DTF 7.3 writer, through ``layouts/dtf_7_3.json`` (what ``export dtf`` writes)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from loaders import layouts, model
from loaders.writers import supply


def write(
    directory: Path,
    *,
    header: model.Header,
    changes: Iterable[model.Change],
    options: supply.WriteOptions | None = None,
) -> list[Path]:
    """Write a DTF 7.3 supply (mixed files only; DTF has no split layout)."""
    layout = layouts.get("dtf", "7.3")
    return supply.write_supply(
        directory,
        layout=layout,
        header=header,
        changes=changes,
        options=options or supply.WriteOptions(),
    )
