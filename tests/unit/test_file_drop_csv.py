"""The file-drop CSV: the projected groups only, in a fixed column order, formula-safe cells,
and a manifest whose digest is the file's."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from notify import file_drop_csv, projection
from tests import strategies

cell_texts = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=12
)


def _event(name: str, family: str, postcode: str) -> dict[str, Any]:
    return {
        "id": "01J0000000000000000000000A",
        "type": "uk.gov.example.addresshub.change_of_address.submitted",
        "time": "2026-01-02T03:04:05Z",
        "sequence": "00000000000000000001",
        "subject": "sp_ABC",
        "lawfulbasis": "public_task",
        "purposecode": "council_tax_liability",
        "data": {
            "submission_ref": "COA-AAAA-BBBB",
            "person": {"given_name": name, "family_name": family, "date_of_birth": "1990-01-01"},
            "new_address": {"uprn": "100", "postcode": postcode, "single_line": "1 High St"},
            "old_address": {"uprn": "200", "postcode": "EX1 1AA"},
            "move_date": "2026-01-01",
            "household": [{"given_name": "Bo", "family_name": "X"}],
        },
    }


def _parse(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8"), newline="")))


def test_columns_are_the_envelope_then_the_groups_paths_in_catalogue_order() -> None:
    names = file_drop_csv.columns([["NEW_ADDRESS", "PERSON_NAME"], ["MOVE_DATE"]])
    assert names == [
        *file_drop_csv.ENVELOPE,
        "person.given_name", "person.family_name",
        "new_address.uprn", "new_address.single_line", "new_address.postcode",
        "new_address.welsh_single_line",
        "move_date", "move_date_kind",
    ]  # fmt: skip


@settings(max_examples=150)
@given(fields=strategies.notify_groups, name=cell_texts, family=cell_texts, postcode=cell_texts)
def test_a_row_carries_its_groups_only_and_cells_never_start_a_formula(
    fields: frozenset[str], name: str, family: str, postcode: str
) -> None:
    name = "Qz" + name  # a canary: it appears only where the name may
    event = _event(name, family, postcode)
    content = file_drop_csv.render([(event, sorted(fields))])
    header, row = _parse(content)
    assert header == file_drop_csv.columns([sorted(fields)])
    cells = dict(zip(header, row, strict=True))
    allowed = {
        p.removeprefix("data.") for g in fields for p in projection.FIELD_GROUPS[g].json_paths
    }
    assert set(header) - set(file_drop_csv.ENVELOPE) == allowed
    if "PERSON_NAME" in fields:
        assert cells["person.given_name"] == _safe(name)
        assert cells["person.family_name"] == _safe(family)
    else:
        assert "Qz" not in content.decode()
    if "PERSON_DOB" not in fields:
        assert "1990-01-01" not in content.decode()
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in row)
    assert cells["event_id"] == event["id"] and cells["submission_ref"] == "COA-AAAA-BBBB"


def _safe(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def test_a_list_path_holds_a_json_list_and_missing_values_are_empty() -> None:
    event = _event("Ada", "Lovelace", "EX2 2BB")
    header, row = _parse(file_drop_csv.render([(event, ["HOUSEHOLD", "NEW_ADDRESS"])]))
    cells = dict(zip(header, row, strict=True))
    assert json.loads(cells["household[].given_name"]) == ["Bo"]
    assert json.loads(cells["household[].moving"]) == [None]
    assert cells["new_address.welsh_single_line"] == ""


def test_the_manifest_names_the_files_digest_and_row_count() -> None:
    content = file_drop_csv.render([(_event("A", "B", "C"), ["PERSON_NAME"])])
    manifest = json.loads(
        file_drop_csv.manifest(batch_id="b1", rows=1, content=content, created_at="t")
    )
    assert manifest["sha256"] == hashlib.sha256(content).hexdigest()
    assert (manifest["rows"], manifest["schema_version"]) == (1, file_drop_csv.SCHEMA_VERSION)
