"""``addresshub load ...``: commands that load supplies into the gazetteer.

Each supply format adds its command to ``load_app`` here.
"""

from __future__ import annotations

import typer

load_app = typer.Typer(
    help="Load supplies (AddressBase, LLPG DTF, Open UPRN, Code-Point, CSV lists, areas).",
    no_args_is_help=True,
)
