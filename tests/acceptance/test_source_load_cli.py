"""``addresshub load codepoint|open-uprn|csv|areas`` end to end, in a subprocess, both engines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "codepoint-open-ex"
ADDRESSHUB = Path(sys.executable).parent / "addresshub"


def _run(db_url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ADDRESSHUB), *args, "--database-url", db_url, "--report-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _json(result: subprocess.CompletedProcess[str]) -> Any:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_codepoint_loads_once_then_reports_unchanged(db_url: str, tmp_path: Path) -> None:
    first = _json(_run(db_url, tmp_path, "load", "codepoint", str(SHARED / "ex.csv"), "--json"))
    assert first["format"] == "codepoint"
    assert first["records"]["postcode"] == {
        "inserted": 21_704,
        "updated": 0,
        "deleted": 0,
        "rejected": 0,
    }
    assert first["unchanged"] is False
    assert len(first["files"][0]["sha256"]) == 64
    assert "Crown copyright" in first["attribution"]
    again = _json(_run(db_url, tmp_path, "load", "codepoint", str(SHARED / "ex.csv"), "--json"))
    assert again["unchanged"] is True
    assert again["run_id"] != first["run_id"]


def test_a_refused_list_exits_6_with_one_line_and_json_findings(
    db_url: str, tmp_path: Path
) -> None:
    source = tmp_path / "electoral.csv"
    source.write_text("UPRN,Address\n1,One Street\nnot-a-uprn,Two Street\n", encoding="utf-8")
    args = ("load", "csv", str(source), "--uprn-column", "UPRN", "--address-column", "Address")
    refused = _run(db_url, tmp_path, *args, "--json")
    assert refused.returncode == 6
    assert refused.stderr.count("\n") == 1
    assert "electoral.csv line 3 field UPRN: LIST-UPRN" in refused.stderr
    document = json.loads(refused.stdout)
    assert document["refused"] is True
    assert [(f["line"], f["code"]) for f in document["findings"]] == [(3, "LIST-UPRN")]
    source.write_text("UPRN,Address\n1,One Street\n2,Two Street\n", encoding="utf-8")
    loaded = _json(_run(db_url, tmp_path, *args, "--json"))
    assert loaded["records"]["listed_address"]["inserted"] == 2
    human = _run(db_url, tmp_path, *args)
    assert human.returncode == 0
    assert "Unchanged" in human.stdout


def test_areas_load_from_the_command_line(db_url: str, tmp_path: Path) -> None:
    ring = [[-3.54, 50.72], [-3.52, 50.72], [-3.52, 50.73], [-3.54, 50.73], [-3.54, 50.72]]
    feature = {
        "type": "Feature",
        "properties": {"code": "E05003502", "name": "St David's"},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }
    source = tmp_path / "wards.geojson"
    source.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    args = ("--type", "ward", "--code-property", "code", "--name-property", "name")
    loaded = _json(_run(db_url, tmp_path, "load", "areas", str(source), *args, "--json"))
    assert loaded["records"]["area"]["inserted"] == 1
    bad = _run(db_url, tmp_path, "load", "areas", str(source), "--type", "galaxy", *args[2:])
    assert bad.returncode == 2
    assert "invalid_source_options" in bad.stderr
