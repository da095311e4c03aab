"""The file-drop CSV (sharing-and-delivery §6.13), pure: columns, rows and cell escaping.

One RFC 4180 UTF-8 CSV per batch, one row per delivery. The columns are the envelope
(``event_id, event_type, event_time, sequence, subject, submission_ref, lawful_basis,
purpose_code``), then the paths of the field groups that rows of the batch carry, in the
catalogue's fixed order (:data:`notify.projection.FIELD_GROUPS`), named by their path under
``data``. A path over a list (``household[].given_name``) holds a JSON list. Nothing outside
the projected groups is ever written. A cell that starts with ``= + - @`` (or a tab or carriage
return) gets a leading ``'`` so that spreadsheets do not run it as a formula.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from notify import canonical, projection

SCHEMA_VERSION: Final = "addresshub-file-drop/1"
ENVELOPE: Final = (
    "event_id", "event_type", "event_time", "sequence", "subject", "submission_ref",
    "lawful_basis", "purpose_code",
)  # fmt: skip
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")


def columns(field_sets: Iterable[Sequence[str]]) -> list[str]:
    """The envelope, then every path of the groups present, in the catalogue's order."""
    present = {g for fields in field_sets for g in fields}
    paths = [
        path.removeprefix("data.")
        for code, group in projection.FIELD_GROUPS.items()
        if code in present
        for path in group.json_paths
    ]
    return [*ENVELOPE, *dict.fromkeys(paths)]


def row(event: Mapping[str, Any], fields: Sequence[str], names: Sequence[str]) -> list[str]:
    """One delivery's cells under ``names``; paths of groups it does not carry stay empty."""
    data = event.get("data") or {}
    allowed = {
        path.removeprefix("data.")
        for code in fields
        if code in projection.FIELD_GROUPS
        for path in projection.FIELD_GROUPS[code].json_paths
    }
    envelope = _envelope(event, data)
    return [
        safe(envelope[name] if name in envelope else _cell(_lookup(data, name), name in allowed))
        for name in names
    ]


def _envelope(event: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, str]:
    values = {
        "event_id": event.get("id"),
        "event_type": event.get("type"),
        "event_time": event.get("time"),
        "sequence": event.get("sequence"),
        "subject": event.get("subject"),
        "submission_ref": data.get("submission_ref"),
        "lawful_basis": event.get("lawfulbasis"),
        "purpose_code": event.get("purposecode"),
    }
    return {k: "" if v is None else str(v) for k, v in values.items()}


def _lookup(data: Mapping[str, Any], path: str) -> Any:
    head, _, rest = path.partition(".")
    if head.endswith("[]"):
        items = data.get(head[:-2]) or []
        if not rest:
            return list(items)
        return [_lookup(i, rest) if isinstance(i, Mapping) else None for i in items]
    value = data.get(head)
    if not rest:
        return value
    return _lookup(value, rest) if isinstance(value, Mapping) else None


def _cell(value: Any, allowed: bool) -> str:
    if not allowed or value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return canonical.dumps(value).decode("utf-8")
    return str(value)


def safe(cell: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def render(events: Sequence[tuple[Mapping[str, Any], Sequence[str]]]) -> bytes:
    """The CSV bytes (header line, then one row per ``(event, fields)``), CRLF line ends."""
    names = columns(fields for _, fields in events)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(names)
    for event, fields in events:
        writer.writerow(row(event, fields, names))
    return out.getvalue().encode("utf-8")


def manifest(*, batch_id: str, rows: int, content: bytes, created_at: str) -> bytes:
    """The batch's manifest: id, row count, SHA-256 of the CSV, schema version, time."""
    return json.dumps(
        {
            "batch_id": batch_id,
            "rows": rows,
            "sha256": hashlib.sha256(content).hexdigest(),
            "schema_version": SCHEMA_VERSION,
            "created_at": created_at,
        },
        indent=2,
    ).encode("utf-8")
