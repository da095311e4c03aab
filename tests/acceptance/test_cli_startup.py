"""The command line starts without the modules its commands work with.

Every command imports what it works with when it runs, so ``addresshub --help`` and each
group's help are built from the command modules' options alone. These tests hold the help
complete (every command of every group listed) and the start-up free of the database layer
and the loaders, in a fresh interpreter.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from notify import codes
from tests.support import acceptance

TOP_LEVEL = {
    "search", "match", "reindex", "erase", "worker", "demo", "serve", "db", "load", "export",
    "lookup", "apikey", "rules", "events", "moves", "uprns", "retention", "ledger", "deliveries",
    "endpoints", "filedrop", "ops-notices",
}  # fmt: skip
GROUPS = {
    "db": {"upgrade"},
    "load": {"abp", "dtf", "codepoint", "open-uprn", "csv", "areas"},
    "export": {"csv", "geojson", "bs7666-xml", "dtf"},
    "lookup": {"uprn", "postcode"},
    "apikey": {"create", "list", "revoke"},
    "rules": {"apply", "export"},
    "events": {"publish", "types"},
    "moves": {
        "unresolved",
        "resolve",
        "reject",
        "block",
        "unblock",
        "blocks",
        "questions",
        "correct",
        "reviews",
    },
    "retention": {"run"},
    "ledger": {"person", "move", "agreement"},
    "deliveries": {"list", "resend", "recover", "reroute", "abandon"},
    "endpoints": {"list", "rotate-secret", "enable", "test", "rotate-ack-secret"},
    "filedrop": {"run", "collected", "batches"},
    "ops-notices": {"list", "send"},
    "uprns": {"register", "list"},
}
HEAVY = ("sqlalchemy", "geoalchemy2", "loaders", "shapely", "psycopg", "migrations")
PANEL_ROW = re.compile(r"^│ (\S+)\s")


def _listed_commands(*group: str) -> set[str]:
    result = acceptance.run_cli(*group, "--help", env={"COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    panel = result.stdout.split("─ Commands ", 1)[1]
    return {m.group(1) for line in panel.splitlines() if (m := PANEL_ROW.match(line))}


def test_the_help_lists_every_command() -> None:
    assert _listed_commands() == TOP_LEVEL


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_each_group_help_lists_its_commands(group: str) -> None:
    assert _listed_commands(group) == GROUPS[group]


def test_a_command_help_shows_its_options() -> None:
    result = acceptance.run_cli("load", "abp", "--help", env={"COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    for option in ("--database-url", "--json", "--validate", "--tile", "--schema", "--strict"):
        assert option in result.stdout
    assert "full|structural" in result.stdout


def test_building_every_command_imports_no_database_layer_nor_loaders() -> None:
    """``import api.cli.main`` and building the whole command tree (what ``--help`` does)."""
    program = (
        "import json, sys, typer, api.cli.main as m; typer.main.get_command(m.app); "
        "print(json.dumps(sorted(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONWARNINGS": "error"},
    )
    loaded = json.loads(result.stdout)
    assert "api.cli.load_supplies" in loaded  # the load commands were built
    assert [name for name in loaded if name.split(".")[0] in HEAVY] == []


def test_the_commands_import_what_they_run(tmp_path: Path) -> None:
    """Migrating, a lookup and a load each reach their own code's answer, not an import error."""
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    assert acceptance.run_cli("db", "upgrade", database_url=url).returncode == 0
    missing = acceptance.run_cli("lookup", "uprn", "100000000001", database_url=url)
    assert "[address_not_found]" in acceptance.assert_one_line_failure(missing, 3)
    unreadable = acceptance.run_cli("load", "open-uprn", str(tmp_path / "x.csv"), database_url=url)
    assert "[source_unreadable]" in acceptance.assert_one_line_failure(unreadable, 2)


def test_the_event_types_are_listed_with_their_schemas() -> None:
    result = acceptance.run_cli("events", "types", "--json")
    assert result.returncode == 0, result.stderr
    items = json.loads(result.stdout)["items"]
    kinds = {i["type"].removeprefix("uk.gov.example.addresshub.") for i in items}
    assert kinds >= codes.EVENT_KINDS
    assert all(i["dataschema"].endswith(f"/{i['type']}/1.json") for i in items)
