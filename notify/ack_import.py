"""Business acknowledgements uploaded as a CSV (sharing-and-delivery §6.13, §6.14): how a back
office that takes its events by file drop answers them.

The file is RFC 4180 UTF-8 (a BOM is allowed) with a header row naming at least ``event_id``
(the delivery id, as the file drop's rows carry it) and ``outcome``; ``reason_code``,
``message``, ``message_cy`` and ``partner_case_ref`` may follow, other columns are ignored.
Each row is applied as ``POST /v1/deliveries/{id}/ack`` would apply it (an identical repeat is
no change). The file applies whole or not at all: every row that fails is listed with its line,
and then nothing is kept. The caller commits.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import orm

from core import errors
from notify import acks

REQUIRED: Final = ("event_id", "outcome")
OPTIONAL: Final = ("reason_code", "message", "message_cy", "partner_case_ref")
LISTED: Final = 50


class AckFileRefused(errors.InvalidInput):
    code = "ack_file_refused"
    title = "Acknowledgement file refused"


@dataclass(frozen=True, kw_only=True, slots=True)
class Imported:
    created: int
    unchanged: int


def parse(text: str, *, partner_id: str) -> list[tuple[int, acks.AckRequest]]:
    """The file's rows as requests, each with its line; AckFileRefused if the header lacks a
    required column."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    names = [n.strip().lower() for n in reader.fieldnames or ()]
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        item = {"field": "header", "code": "missing_column", "detail": ", ".join(missing)}
        raise AckFileRefused(f"the header row lacks {item['detail']}",
                             details={"field_errors": [item]})  # fmt: skip
    reader.fieldnames = names
    return [(reader.line_num, _request(row, partner_id)) for row in reader if any(row.values())]


def _request(row: dict[str, Any], partner_id: str) -> acks.AckRequest:
    value = {k: (str(row.get(k) or "").strip() or None) for k in (*REQUIRED, *OPTIONAL)}
    return acks.AckRequest(
        delivery_id=value["event_id"] or "", partner_id=partner_id,
        outcome=value["outcome"] or "", reason_code=value["reason_code"],
        message=value["message"], message_cy=value["message_cy"],
        partner_case_ref=value["partner_case_ref"],
    )  # fmt: skip


def apply(
    session: orm.Session,
    *,
    rows: list[tuple[int, acks.AckRequest]],
    actor: str,
    now: dt.datetime,
) -> Imported:
    """Acknowledge every row; AckFileRefused listing each failed line (the caller rolls back)."""
    created = unchanged = 0
    failed: list[dict[str, str]] = []
    for line, request in rows:
        try:
            with session.begin_nested():
                done = acks.acknowledge(session=session, request=request, actor=actor, now=now)
        except errors.AddressHubError as exc:
            failed.append({"field": f"line {line}", "code": exc.code, "detail": exc.message})
            continue
        created, unchanged = created + done.created, unchanged + (not done.created)
    if failed:
        raise AckFileRefused(f"{len(failed)} of {len(rows)} rows cannot be applied; none was",
                             details={"field_errors": failed[:LISTED]})  # fmt: skip
    return Imported(created=created, unchanged=unchanged)
