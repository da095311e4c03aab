"""``addresshub load abp|dtf`` end to end, in a subprocess, on both engines."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

from loaders.writers import supply as writer
from tests import supplies
from tests.support import acceptance

DAY = dt.date(2021, 4, 1)


def _write(tmp_path: Path, flavour: str, *, file_type: str = "F", **options: Any) -> list[str]:
    state = supplies.sample_state(flavour, 3)
    paths = supplies.write(
        tmp_path / flavour,
        flavour=flavour,
        head=supplies.header(process_date=DAY, file_type=file_type),
        changes=supplies.full_changes(state),
        options=writer.WriteOptions(**options),
    )
    return [str(p) for p in paths]


def test_load_abp_prints_the_report_and_reloading_is_unchanged(db_url: str, tmp_path: Path) -> None:
    paths = _write(tmp_path, "abp2", zipped=True, volume_size=4)
    report = tmp_path / "findings.csv"
    args = ("load", "abp", *paths, "--report", str(report))
    first = acceptance.cli_json(*args, database_url=db_url)
    assert set(first) == {
        "run_id", "format", "schema_version", "files", "records", "warnings", "unchanged",
        "report_file",
    }  # fmt: skip
    assert first["format"] == "abp" and first["schema_version"] == "2.1"
    assert first["records"]["blpu"] == {"inserted": 3, "updated": 0, "deleted": 0, "rejected": 0}
    assert first["records"]["delivery_point"]["inserted"] == 3
    assert [len(f["sha256"]) for f in first["files"]] == [64] * len(paths)
    assert first["report_file"] == str(report)
    with report.open(encoding="utf-8") as handle:
        assert next(csv.reader(handle))[:6] == [
            "file",
            "line",
            "record_type",
            "key",
            "field",
            "code",
        ]
    again = acceptance.cli_json(*args, database_url=db_url)
    assert again["unchanged"] is True and again["run_id"] != first["run_id"]


def test_a_refused_supply_exits_non_zero_with_one_line(db_url: str, tmp_path: Path) -> None:
    (path,) = _write(tmp_path, "abp1")
    data = Path(path).read_bytes()
    Path(path).write_bytes(data[: data.rfind(b"\r\n99,")])
    result = acceptance.run_cli("load", "abp", path, "--report", str(tmp_path / "r.csv"),
                                database_url=db_url)  # fmt: skip
    line = acceptance.assert_one_line_failure(result, exit_code=6)
    assert "truncated" in line
    refused = acceptance.run_cli("load", "abp", path, "--json", "--report",
                                 str(tmp_path / "r2.csv"), database_url=db_url)  # fmt: skip
    document = json.loads(refused.stdout)
    assert document["refused"] is True and document["errors"] >= 1


def test_load_dtf(db_url: str, tmp_path: Path) -> None:
    paths = _write(tmp_path, "dtf", line_ending="\n")
    document = acceptance.cli_json("load", "dtf", *paths, "--report", str(tmp_path / "d.csv"),
                                   database_url=db_url)  # fmt: skip
    assert document["format"] == "dtf"
    assert document["records"]["lpi"]["inserted"] == 3
    result = acceptance.run_cli("load", "dtf", *paths, database_url=db_url)
    assert result.returncode == 0, result.stderr
    assert "Unchanged" in result.stdout
