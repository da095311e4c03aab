"""Data-protection rules, pure (sharing-and-delivery §2.5, §3.9, §3.10).

* :class:`Periods`: how long each category of personal data is kept (§3.10), with
  :func:`body_days` (a delivered body's window, by data category, an agreement's own
  ``payload_retention_days`` first) and :func:`add_months` (the ledger's window).
* :func:`erasure_action`: what erasing a person does to one delivery that carries their data.
* :func:`drop_member`: a stored event body without one household member (Art. 17 for a
  member whose household's delivery still goes ahead).
* :class:`LedgerEntry` and :func:`to_csv`: a ledger line as the DPO reads it, and as RFC 4180
  CSV (cells that could start a spreadsheet formula get a leading ``'``).
* :class:`ErasureReport`, :class:`RetentionReport`: what the two jobs did, as counts.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Final, Literal

from notify import canonical, delivery_body, projection

NON_TERMINAL: Final = frozenset({"scheduled", "pending", "in_flight", "retry_wait", "held", "dead"})
SHORT_CATEGORIES: Final = frozenset({"sensitive", "special-category"})
FORMULA_STARTS: Final = ("=", "+", "-", "@")

ErasureAction = Literal["rebuild", "cancel", "purge"]


@dataclass(frozen=True, kw_only=True, slots=True)
class Periods:
    """Retention defaults (§3.10); an agreement confirms or overrides them."""

    body_days: int = 30
    sensitive_body_days: int = 7
    dead_body_days: int = 30
    response_excerpt_days: int = 30
    submission_days: int = 90
    ledger_months: int = 72


def body_days(
    periods: Periods, category: str | None, agreement_days: Mapping[str, int] | None = None
) -> int:
    """Days a delivered body is kept: the agreement's figure for the category, else the default."""
    if agreement_days and category is not None and category in agreement_days:
        return int(agreement_days[category])
    return periods.sensitive_body_days if category in SHORT_CATEGORIES else periods.body_days


def add_months(at: dt.datetime, months: int) -> dt.datetime:
    """``at`` plus whole calendar months; the day is clamped to the target month's length."""
    index = at.year * 12 + (at.month - 1) + months
    year, month = divmod(index, 12)
    day = min(at.day, calendar.monthrange(year, month + 1)[1])
    return at.replace(year=year, month=month + 1, day=day)


def erasure_action(*, state: str, role: str) -> ErasureAction:
    """A queued delivery loses just the erased member; any other is cancelled or purged (§3.9).

    A household member's data rides in the mover's delivery, so while it is still queued it is
    rebuilt without them and goes ahead; the mover's own queued deliveries are cancelled; a
    delivery that is already closed keeps its row and loses its body.
    """
    if state in NON_TERMINAL and role == "household":
        return "rebuild"
    return "cancel" if state in NON_TERMINAL else "purge"


def drop_member(body: bytes, index: int) -> tuple[bytes, list[str]]:
    """The body without household member ``index`` (as listed in it), and its field groups.

    When no member is left the household groups go too, so the body and ``data.fields`` stay
    consistent with what it carries.
    """
    event = json.loads(body)
    data = dict(event.get("data") or {})
    members = list(data.get("household") or [])
    if not 0 <= index < len(members):
        raise ValueError(f"the body lists {len(members)} household members, not {index + 1}")
    del members[index]
    fields_now = sorted(data.get("fields") or [])
    if members:
        return canonical.dumps({**event, "data": {**data, "household": members}}), fields_now
    kept = [g for g in fields_now if g not in projection.HOUSEHOLD_GROUPS]
    return delivery_body.narrow(canonical.dumps(event), kept), kept


# The ledger as the DPO reads it ------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class LedgerEntry:
    """One ledger line with names resolved; field groups as codes, never values."""

    disclosure_id: str
    delivery_id: str
    event_id: str
    event_type: str
    role: str | None
    submission_reference: str | None
    partner_id: str
    partner_name: str | None
    partner_service_id: str
    service_name: str | None
    channel: str
    purpose_code: str | None
    purpose_label: str | None
    lawful_basis: str | None
    art9_condition: str | None
    rule: str
    agreement: str | None
    consent_record_id: str | None
    receipt_id: str | None
    fields: tuple[str, ...]
    outcome: str
    close_reason: str | None
    planned_at: dt.datetime
    disclosed_at: dt.datetime | None
    closed_at: dt.datetime | None
    notice_of: str | None
    art19_status: str
    payload_digest: str | None
    erased_at: dt.datetime | None = None
    erasure_ref: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}


CSV_COLUMNS: Final = tuple(f.name for f in fields(LedgerEntry))


def iso(value: dt.datetime | None) -> str | None:
    """RFC 3339 in UTC with a ``Z``, as every document here writes times."""
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if value else None


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return iso(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def _cell(value: Any) -> str:
    value = _plain(value)
    if value is None:
        return ""
    text = ";".join(value) if isinstance(value, list) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(entries: Iterable[LedgerEntry]) -> str:
    """RFC 4180 CSV (CRLF line ends), one row per ledger line, field groups joined by ``;``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        writer.writerow([_cell(getattr(entry, name)) for name in CSV_COLUMNS])
    return out.getvalue()


# Reports ------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class ErasureReport:
    """What an erasure did. ``subject_id`` is echoed to the caller only, never stored."""

    subject_id: str
    erasure_ref: str | None
    already_erased: bool
    executed_at: dt.datetime
    counts: Mapping[str, int] = field(default_factory=dict)
    notices: tuple[str, ...] = ()
    impossible: tuple[Mapping[str, str], ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "subject_id": self.subject_id,
            "erasure_ref": self.erasure_ref,
            "already_erased": self.already_erased,
            "executed_at": _plain(self.executed_at),
            "counts": dict(self.counts),
            "notices": list(self.notices),
            "impossible": [dict(i) for i in self.impossible],
        }


@dataclass(frozen=True, kw_only=True, slots=True)
class RetentionReport:
    run_id: str
    run_at: dt.datetime
    counts: Mapping[str, int]

    def as_json(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "run_at": _plain(self.run_at), "counts": dict(self.counts)}


def summary(counts: Mapping[str, int], order: Sequence[str]) -> str:
    """``name n, name n`` in ``order``, for the command line."""
    return ", ".join(f"{name.replace('_', ' ')} {counts.get(name, 0)}" for name in order)
