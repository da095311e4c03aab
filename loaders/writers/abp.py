"""AddressBase Premium CSV writer (v1 or v2), through ``layouts/abp_v*.json``."""

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
    schema_version: str = "2",
    options: supply.WriteOptions | None = None,
) -> list[Path]:
    """Write an ABP supply; ``schema_version`` is "1" or "2"."""
    layout = layouts.get("abp", schema_version)
    return supply.write_supply(
        directory,
        layout=layout,
        header=header,
        changes=changes,
        options=options or supply.WriteOptions(),
    )
