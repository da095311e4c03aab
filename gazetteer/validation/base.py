"""What rule modules share: the finding helper, the check type and small field tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gazetteer.validation import findings, rules
from gazetteer.validation.context import Context
from gazetteer.validation.findings import Finding, Record, Severity

Findings = list[Finding]


@dataclass(frozen=True, kw_only=True, slots=True)
class Check:
    """One rule function for one record type. ``rule_id`` decides whether the profile runs it."""

    rule_id: str
    record_type: type
    run: Callable[[Any, Context], Findings]


def for_types(rule_id: str, run: Callable[[Any, Context], Findings], *kinds: type) -> list[Check]:
    """The checks of one rule function that applies to several record types."""
    return [Check(rule_id=rule_id, record_type=kind, run=run) for kind in kinds]


def report(
    ctx: Context,
    rule_id: str,
    record: Record,
    field: str | None,
    message: str,
    *,
    severity: Severity | None = None,
) -> Finding:
    """A finding of ``rule_id`` on ``record``, at the rule's severity in the profile by default."""
    chosen = severity or rules.severity(rule_id, ctx.profile) or Severity.WARNING
    return Finding(
        rule_id=rule_id,
        severity=chosen,
        record_type=findings.record_type(record),
        record_key=findings.record_key(record),
        field=field,
        message=message,
    )


def present(value: object) -> bool:
    """A value is present unless it is ``None``, blank text, or the number 0 (§3.2: 0 is absent)."""
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip() != ""
    return value != 0


def too_long(value: str | None, width: int) -> bool:
    return value is not None and len(value) > width
