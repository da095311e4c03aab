"""A service's questions in the registry file through the command line, on both engines:
a bad question is refused with the file, service, question and field named; a good one is
applied, shown by ``moves questions``, exported, and a change to it appears in the dry-run diff.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.support import acceptance

EXAMPLE = Path(__file__).resolve().parents[2] / "notify" / "data" / "example-registry.yaml"
CARD = {"id": "card", "label_en": "Library card number", "type": "text", "required": True}


def _file(tmp_path: Path, name: str, questions: list[dict[str, Any]]) -> Path:
    raw = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    raw["partners"]["NEWTOWN-DC"]["services"]["LIBRARIES"]["questions"] = questions
    path = tmp_path / name
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def test_questions_in_the_registry_file(db_url: str, tmp_path: Path) -> None:
    bad = _file(tmp_path, "bad.yaml", [CARD | {"type": "choice"}])
    line = acceptance.assert_one_line_failure(
        acceptance.run_cli("rules", "apply", str(bad), database_url=db_url), exit_code=2
    )
    assert f"{bad}: partners.NEWTOWN-DC.services.LIBRARIES.questions[0].validation.choices" in line

    good = _file(tmp_path, "good.yaml", [CARD])
    acceptance.cli_json("rules", "apply", str(good), database_url=db_url)
    shown = acceptance.cli_json("moves", "questions", "NEWTOWN-DC/LIBRARIES", database_url=db_url)
    assert [q["id"] for q in shown["questions"]] == ["card"]
    exported = acceptance.run_cli("rules", "export", database_url=db_url)
    assert exported.returncode == 0, exported.stderr
    services = yaml.safe_load(exported.stdout)["partners"]["NEWTOWN-DC"]["services"]
    assert [q["id"] for q in services["LIBRARIES"]["questions"]] == ["card"]
    again = tmp_path / "exported.yaml"
    again.write_text(exported.stdout, encoding="utf-8")
    acceptance.cli_json("rules", "apply", str(again), database_url=db_url)
    assert acceptance.run_cli("rules", "export", database_url=db_url).stdout == exported.stdout

    changed = _file(tmp_path, "changed.yaml", [CARD | {"required": False}])
    diff = acceptance.run_cli("rules", "apply", "--dry-run", str(changed), database_url=db_url)
    assert diff.returncode == 0, diff.stderr
    assert "update  service NEWTOWN-DC/LIBRARIES (questions) questions ~card" in diff.stdout
    still = acceptance.cli_json("moves", "questions", "NEWTOWN-DC/LIBRARIES", database_url=db_url)
    assert still["questions"][0]["required"] is True
