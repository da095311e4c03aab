"""Errors of the supply loaders (ABP and DTF): branches of the one tree in :mod:`core.errors`."""

from __future__ import annotations

from core.errors import InvalidInput, SupplyRefused


class SupplyNotApplied(SupplyRefused):
    """The supply has errors (structural, or rule findings under ``--strict``); nothing changed.

    ``details`` carries the counts, the first findings and the report file.
    """

    code = "supply_not_applied"
    title = "Supply not applied"


class StaleSupply(SupplyRefused):
    """The supply is dated on or before the last applied supply of the same product and area."""

    code = "supply_stale"
    title = "Supply is stale"


class NoSupplyFound(InvalidInput):
    """The paths hold no readable supply files."""

    code = "no_supply_found"
    title = "No supply found"


class InvalidTile(InvalidInput):
    """A ``--tile`` that is not a tile reference (1 to 12 letters and digits)."""

    code = "invalid_tile"
    title = "Invalid tile reference"
