"""``addresshub load abp --tile``: a 5 km tile change-only supply end to end, on both engines."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests import supplies
from tests.support import acceptance

DAY = dt.date(2021, 4, 1)


def _tile_supply(directory: Path, state: supplies.State, day: dt.date) -> str:
    (path,) = supplies.write(
        directory,
        flavour="abp2",
        head=supplies.header(process_date=day, file_type="C"),
        changes=supplies.full_changes(state),
    )
    return str(path)


def test_load_abp_with_tile_replaces_the_tile(db_url: str, tmp_path: Path) -> None:
    first = _tile_supply(tmp_path / "a", supplies.sample_state("abp2", 3), DAY)
    later = _tile_supply(tmp_path / "b", supplies.sample_state("abp2", 2), DAY + dt.timedelta(7))
    report = str(tmp_path / "r.csv")
    loaded = acceptance.cli_json("load", "abp", first, "--tile", "sx9292", "--report", report,
                                 database_url=db_url)  # fmt: skip
    assert loaded["records"]["blpu"] == {"inserted": 3, "updated": 0, "deleted": 0, "rejected": 0}
    # Every record again as an insert: no COU-INSERT-EXISTS, and the one left out is deleted.
    again = acceptance.cli_json("load", "abp", later, "--tile", "SX9292", "--report", report,
                                database_url=db_url)  # fmt: skip
    assert again["records"]["blpu"] == {"inserted": 0, "updated": 2, "deleted": 1, "rejected": 0}
    assert again["records"]["lpi"]["deleted"] == 1


def test_an_invalid_tile_is_refused_with_one_line(db_url: str, tmp_path: Path) -> None:
    path = _tile_supply(tmp_path, supplies.sample_state("abp2", 1), DAY)
    result = acceptance.run_cli("load", "abp", path, "--tile", "SX 92/92", "--report",
                                str(tmp_path / "r.csv"), database_url=db_url)  # fmt: skip
    line = acceptance.assert_one_line_failure(result, exit_code=2)
    assert "--tile" in line
