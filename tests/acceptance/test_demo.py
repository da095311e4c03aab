"""``addresshub demo --once``: from an empty database to a move fanned out, in a subprocess.

The demo's own receivers verify every request with the ``standardwebhooks`` library; the
outcome lists what each one verified and received. The expectations below come from the
demo registry file (its rules), not from the demo's plan.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

from api.demo import sample
from tests.support import acceptance

# From api/demo/data/demo-registry.yaml: the sample move (Exeter -> Exmouth, libraries chosen)
TOLD = {
    "EXETER-CC/COUNCIL_TAX": ["MOVE_DATE", "NEW_ADDRESS", "OLD_ADDRESS", "PERSON_NAME"],
    "EAST-DEVON-DC/COUNCIL_TAX": ["MOVE_DATE", "NEW_ADDRESS", "OLD_ADDRESS", "PERSON_NAME"],
    "EAST-DEVON-DC/ELECTORAL_REG": ["HOUSEHOLD", "MOVE_DATE", "NEW_ADDRESS", "PERSON_NAME"],
    "DEVON-CC/LIBRARIES": ["CONTACT", "NEW_ADDRESS", "PERSON_NAME"],
}
FILED = {"DSFIRE/OTHER": ["MOVE_DATE", "NEW_ADDRESS", "PERSON_NAME"]}  # a file-drop service
NOT_TOLD = {
    "EXETER-CC/ELECTORAL_REG": "NO_MATCHING_RULE",
    "DEVON-CC/ADULT_SOCIAL_CARE": "NO_EXISTING_RELATIONSHIP",
    "DC-POLICE/POLICE": "DENIED_BY_RULE",
}


def test_demo_once_fans_the_sample_move_out_to_exactly_the_permitted_receivers(
    tmp_path: Path,
) -> None:
    database_url = f"sqlite:///{tmp_path / 'demo.db'}"
    result = acceptance.run_cli(
        "demo",
        "--once",
        "--json",
        "--port",
        str(acceptance.free_port()),
        "--receiver-port",
        "0",
        "--work-dir",
        str(tmp_path / "work"),
        database_url=database_url,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout)
    recipients = {r["partner_service_id"]: r for r in outcome["recipients"]}
    assert set(recipients) == set(TOLD) | set(FILED) | set(NOT_TOLD)
    for service, fields in TOLD.items():
        got = recipients[service]
        assert got["decision"] == "send" and got["status"] == "sent", got
        assert got["rejected"] == 0
        assert len({r["webhook_id"] for r in got["received"]}) == 1, got["received"]
        event = got["received"][0]
        assert event["verified"] and event["type"].endswith("change_of_address.submitted")
        assert event["fields"] == fields
        assert event["data"]["submission_ref"] == outcome["reference"]
        assert ("old_address" in event["data"]) == ("OLD_ADDRESS" in fields)
        assert ("contact" in event["data"]) == ("CONTACT" in fields)
        assert event["data"]["new_address"]["uprn"] == "990000006103"
    for service, fields in FILED.items():
        got = recipients[service]
        assert got["decision"] == "send" and got["status"] == "sent", got
        assert got["channel"] == "file_drop" and got["fields"] == fields
        (row,) = got["received"]
        assert row["submission_ref"] == outcome["reference"] and "old_address.uprn" not in row
        assert row["new_address.uprn"] == "990000006103" and row["person.given_name"] == "Alex"
        csv_file = tmp_path / "work" / "file-drop" / row["file"]
        assert csv_file.is_file() and row["event_id"] in csv_file.read_text(encoding="utf-8")
        assert "file drop  " + str(csv_file.parent) in result.stderr  # the banner says where
    for service, reason in NOT_TOLD.items():
        assert recipients[service]["decision"] == "refuse"
        assert recipients[service]["reasons"] == [reason]
        assert recipients[service]["received"] == []
    attribution = sample.attribution()
    assert "Contains Ordnance Survey data © Crown copyright and database right 2014." in attribution
    assert outcome["attribution"] == attribution
    assert attribution.splitlines()[4] in result.stderr  # the banner shows it too


def test_demo_refuses_a_receiver_port_that_is_taken(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = acceptance.run_cli(
            "demo",
            "--once",
            "--receiver-port",
            str(port),
            "--work-dir",
            str(tmp_path / "work"),
            database_url=f"sqlite:///{tmp_path / 'demo.db'}",
            timeout=120,
        )
    line = acceptance.assert_one_line_failure(result)
    assert "demo_failed" in line and str(port) in line
