"""The demo's sample move, and ``--once``: submit it over HTTP and watch it fan out.

The sample is a move from a house in Exeter to a flat in Exmouth, reported by an agent, with
one household member and the citizen opting in to Devon's libraries (a consent rule). The
plan that ``POST /v1/moves`` answers says which services are told; ``--once`` then waits
until each of them has received and verified the event (a service without a receiver, the
file-drop one, until the worker has written its row in a CSV batch in the file-drop folder),
checks that no other receiver got anything, and returns the outcome.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import json
import re
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import httpx

from api.demo import errors
from api.demo import receivers as receivers_

SAMPLE_FILE: Final = "sample-move.json"
OLD_UPRN: Final = 990_000_000_012  # 12 ORCHARD WAY, EXETER, EX1 1AE
NEW_UPRN: Final = 990_000_006_103  # FLAT 3, HARBOUR COURT, HARBOUR ROAD, EXMOUTH, EX8 1AA
SETTLED: Final = frozenset({"sent", "refused", "not_sent", "waiting", "delayed"})
STATUS_POLL_S: Final = 0.2


def sample_move(today: dt.date) -> dict[str, Any]:
    """The request body of the sample move (moving today)."""
    return {
        "person": {"given_name": "Alex", "family_name": "Example", "date_of_birth": "1990-05-17"},
        "household": [
            {
                "person": {"given_name": "Sam", "family_name": "Example"},
                "relationship": "partner",
                "authority": "permission_obtained",
                "statement_version": "demo-1",
            }
        ],
        "contact": {"email": "alex.example@example.org"},
        "language": "en",
        "old_uprn": OLD_UPRN,
        "new_uprn": NEW_UPRN,
        "move_date": today.isoformat(),
        "recipients": [{"service": "DEVON-CC/LIBRARIES", "selected": True, "consent": True}],
        "declaration_version": "demo-1",
    }


def write_sample_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = sample_move(dt.date.today())
    path.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")


async def submit_and_watch(
    *,
    base_url: str,
    key: str,
    receivers: receivers_.Receivers,
    inboxes: Sequence[receivers_.Inbox],
    limit_s: float,
    out: Callable[[str], None],
    file_drop: Path,
) -> dict[str, Any]:
    """Submit the sample move; wait for every permitted delivery; return the outcome."""
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=30) as client:
        submitted = await _submit(client, out)
        reference = str(submitted["reference"])
        candidates = _candidates(submitted)
        expected = {c["partner_service_id"] for c in candidates if c["decision"] == "send"}
        deadline = time.monotonic() + limit_s
        await _until_received(receivers, reference, expected, deadline, file_drop)
        status = await _until_settled(client, reference, deadline)
    document = outcome(reference, candidates, inboxes, receivers, status)
    document["recipients"] = [_with_files(r, reference, file_drop) for r in document["recipients"]]
    check(document)
    return document


async def _submit(client: httpx.AsyncClient, out: Callable[[str], None]) -> dict[str, Any]:
    out(f"Submitting the sample move (UPRN {OLD_UPRN} -> UPRN {NEW_UPRN}) ...")
    response = await client.post(
        "/v1/moves",
        json=sample_move(dt.date.today()),
        headers={"Idempotency-Key": f"demo-{uuid.uuid4()}"},
    )
    if response.status_code != 202:
        raise errors.DemoFailed(
            f"POST /v1/moves answered {response.status_code}: {response.text[:300]}"
        )
    document: dict[str, Any] = response.json()
    out(f"Accepted as {document['reference']}; the plan:")
    for c in _candidates(document):
        reasons = ", ".join(r["code"] for r in c.get("reasons", []))
        told = "tell" if c["decision"] == "send" else c["decision"]
        out(f"  {c['partner_service_id']:<34} {c.get('role', ''):<8} {told:<7} {reasons}")
    return document


def _candidates(submitted: Mapping[str, Any]) -> list[dict[str, Any]]:
    plan = submitted.get("plan", submitted)
    return list(plan.get("candidates", []))


def _mine(receivers: receivers_.Receivers, reference: str) -> list[receivers_.Received]:
    return [r for r in receivers.received() if r.submission_ref == reference]


def filed(file_drop: Path, reference: str) -> list[dict[str, str]]:
    """The rows of ``reference`` in the CSV batches written so far, each with its service."""
    found = []
    for path in sorted(file_drop.glob("*.csv")) if file_drop.is_dir() else []:
        text = path.read_text(encoding="utf-8")
        for row in csv.DictReader(io.StringIO(text, newline="")):
            if row.get("submission_ref") == reference:
                found.append(row | {"file": path.name})
    return found


def _file_service(service_id: str) -> str:
    """The prefix a service's batch files start with (``notify.file_drop.file_name``)."""
    return re.sub(r"[^A-Za-z0-9]+", "_", service_id).strip("_") + "_"


def _with_files(recipient: dict[str, Any], reference: str, file_drop: Path) -> dict[str, Any]:
    """A service's file-drop rows count as what it received."""
    prefix = _file_service(recipient["partner_service_id"])
    rows = [r for r in filed(file_drop, reference) if r["file"].startswith(prefix)]
    if not rows:
        return recipient
    return recipient | {"channel": "file_drop", "received": recipient["received"] + rows}


async def _until_received(
    receivers: receivers_.Receivers,
    reference: str,
    expected: set[str],
    deadline: float,
    file_drop: Path,
) -> None:
    while True:
        got = {r.service_id for r in _mine(receivers, reference)}
        rows = filed(file_drop, reference)
        got |= {s for s in expected if any(r["file"].startswith(_file_service(s)) for r in rows)}
        if expected <= got:
            return
        if time.monotonic() > deadline:
            missing = ", ".join(sorted(expected - got))
            raise errors.DemoFailed(f"the move did not reach {missing} in time")
        await receivers.wait_for_arrival(min(1.0, max(deadline - time.monotonic(), 0.01)))


async def _until_settled(
    client: httpx.AsyncClient, reference: str, deadline: float
) -> dict[str, Any]:
    """The move's status once the worker has recorded every delivery's outcome."""
    while True:
        response = await client.get(f"/v1/moves/{reference}")
        if response.status_code != 200:
            raise errors.DemoFailed(
                f"GET /v1/moves/{reference} answered {response.status_code}: {response.text[:300]}"
            )
        status: dict[str, Any] = response.json()
        if all(r.get("status") in SETTLED for r in status.get("recipients", [])):
            return status
        if time.monotonic() > deadline:
            raise errors.DemoFailed(f"the deliveries of {reference} were not recorded in time")
        await asyncio.sleep(STATUS_POLL_S)


def outcome(
    reference: str,
    candidates: Sequence[Mapping[str, Any]],
    inboxes: Sequence[receivers_.Inbox],
    receivers: receivers_.Receivers,
    status: Mapping[str, Any],
) -> dict[str, Any]:
    """Per partner service: the plan's decision, the recorded status and what arrived."""
    planned = {c["partner_service_id"]: c for c in candidates}
    recorded = {r.get("partner_service_id"): r for r in status.get("recipients", [])}
    services = sorted({i.service_id for i in inboxes} | set(planned))
    mine = _mine(receivers, reference)
    return {
        "reference": reference,
        "recipients": [
            {
                "partner_service_id": s,
                "decision": planned.get(s, {}).get("decision", "none"),
                "reasons": [r["code"] for r in planned.get(s, {}).get("reasons", [])],
                "fields": list(planned.get(s, {}).get("fields", [])),
                "status": recorded.get(s, {}).get("status"),
                "received": [r.as_json() for r in mine if r.service_id == s],
                "rejected": receivers.rejected(s),
            }
            for s in services
        ],
    }


def check(document: Mapping[str, Any]) -> None:
    """Every service the plan tells got the move, verified; no other service got anything."""
    for recipient in document["recipients"]:
        told, got = recipient["decision"] == "send", len(recipient["received"])
        if recipient["rejected"]:
            raise errors.DemoFailed(
                f"{recipient['partner_service_id']} rejected a request that did not verify"
            )
        if (told and got == 0) or (not told and got > 0):
            raise errors.DemoFailed(
                f"{recipient['partner_service_id']} ({recipient['decision']}) "
                f"received {got} event(s)"
            )
