"""The entry points: run the rules the profile applies to one record, a batch, or a change."""

from __future__ import annotations

import dataclasses
import functools
import itertools
from collections.abc import Iterable, Mapping, Sequence
from typing import Final

from gazetteer.validation import (
    blpu,
    classes,
    context,
    coords,
    crossrecord,
    dpa,
    general,
    lifecycle,
    lpi,
    other,
    parents,
    references,
    rules,
    street,
)
from gazetteer.validation.base import Check
from gazetteer.validation.context import Context
from gazetteer.validation.findings import Finding, Profile, Record


def _by_type(*modules: Iterable[Check]) -> Mapping[type, tuple[Check, ...]]:
    grouped: dict[type, list[Check]] = {}
    for check in itertools.chain(*modules):
        grouped.setdefault(check.record_type, []).append(check)
    return {kind: tuple(found) for kind, found in grouped.items()}


RECORD_CHECKS: Final = _by_type(
    general.CHECKS, coords.CHECKS, blpu.CHECKS, lpi.CHECKS, street.CHECKS, dpa.CHECKS, other.CHECKS
)
CROSS_CHECKS: Final = _by_type(
    crossrecord.CHECKS, references.CHECKS, classes.CHECKS, parents.CHECKS, lifecycle.CHECKS
)


@functools.cache
def _active(kind: type, profile: Profile, *, cross: bool) -> tuple[Check, ...]:
    """The checks ``profile`` runs on records of ``kind``."""
    checks = (CROSS_CHECKS if cross else RECORD_CHECKS).get(kind, ())
    return tuple(c for c in checks if rules.severity(c.rule_id, profile) is not None)


def _run(record: Record, ctx: Context, *, cross: bool) -> list[Finding]:
    found: list[Finding] = []
    kind: type = type(record)
    for check in _active(kind, ctx.profile, cross=cross):
        found += check.run(record, ctx)
    return found


def _unique(found: Iterable[Finding]) -> list[Finding]:
    return list(dict.fromkeys(found))


def validate_record(record: Record, ctx: Context) -> list[Finding]:
    """The record-level rules: those judged from the record and the context's flags alone."""
    return _unique(_run(record, ctx, cross=False))


def validate_records(
    records: Iterable[Record], ctx: Context, *, record_rules: bool = True
) -> list[Finding]:
    """Record-level rules on each record (unless ``record_rules`` is false) and the cross-record
    rules over the batch, which sees the records laid over ``ctx.lookups``.

    A record whose key repeats in the batch is judged as its last occurrence, as in a COU.
    """
    batch: Sequence[Record] = list(records)
    view = dataclasses.replace(ctx, view=context.overlay(batch, ctx.gazetteer), memo={})
    found: list[Finding] = []
    for record in batch:
        if record_rules:
            found += _run(record, ctx, cross=False)
        found += _run(record, view, cross=True)
    return _unique(found)


def validate_change(*, before: Record, after: Record, ctx: Context) -> list[Finding]:
    """The lifecycle rules (LIFE-*, XRF-NO-REPARENT) for a record and its live pre-image."""
    return _unique(lifecycle.check_change(before, after, ctx))
