"""Address labels: geographic (LPI), postal (PAF) and the five-line shape (gazetteer-standards §6).

Every renderer is pure and returns the text as stored (upper case is not imposed). Empty parts are
omitted, and runs of whitespace inside a rendered line collapse to one space; stored values are
never changed. Single-line forms take a ``style``:

- ``"project"`` (the default): the multi-line lines joined with ``", "``;
- ``"gsg_commas"``: ``", "`` between every element, as ABP-GSG prints its examples;
- ``"os_sql"``: the separators of Ordnance Survey's reference SQL.

The two compatibility styles exist only to compare with third-party labels.
"""

from __future__ import annotations

from gazetteer.formatting.geographic import (
    choose_descriptor,
    choose_lpi,
    geographic_lines,
    geographic_single_line,
)
from gazetteer.formatting.govtalk import FIVE_LINE_MAX, FiveLineAddress, five_line
from gazetteer.formatting.postal import postal_lines, postal_single_line
from gazetteer.formatting.text import Style, aon_range, num_like

__all__ = [
    "FIVE_LINE_MAX",
    "FiveLineAddress",
    "Style",
    "aon_range",
    "choose_descriptor",
    "choose_lpi",
    "five_line",
    "geographic_lines",
    "geographic_single_line",
    "num_like",
    "postal_lines",
    "postal_single_line",
]
