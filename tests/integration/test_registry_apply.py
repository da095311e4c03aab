"""Applying and exporting the registry file on both engines: diff, versions, audit, round trip."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from notify import errors, registry_file, registry_service
from notify import registry_repository as repo
from notify.tables import registry as t

EXAMPLE = (
    Path(__file__).resolve().parents[2] / "notify" / "data" / "example-registry.yaml"
).read_text(encoding="utf-8")
NOW = dt.datetime(2025, 3, 1, 9, tzinfo=dt.UTC)


def _apply(session: orm.Session, text: str = EXAMPLE, **kw: Any) -> registry_service.ApplyReport:
    report = registry_service.apply_file(session=session, text=text, actor="dpo", now=NOW, **kw)
    session.commit()
    return report


def test_apply_creates_everything_then_nothing_changes(session: orm.Session) -> None:
    first = _apply(session)
    assert (first.count("create"), first.count("update")) == (19, 0)
    stored = repo.load(session)
    parsed = registry_file.parse(EXAMPLE)
    assert stored.partners == parsed.partners
    assert stored.agreements == parsed.agreements
    assert stored.rules == parsed.rules
    assert stored.purposes == parsed.purposes
    service = stored.services["NEWTOWN-DC/LIBRARIES"]
    (subscription,) = service.subscriptions
    assert subscription.endpoint is not None
    assert subscription.endpoint.url == "https://newtown.example/hooks/lib"
    again = _apply(session)
    assert (again.count("create"), again.count("update"), again.count("unchanged")) == (0, 0, 19)
    audit = session.scalars(sa.select(t.RegistryChange)).all()
    assert len(audit) == 19
    assert {a.actor for a in audit} == {"dpo"}
    assert {a.file_sha256 for a in audit} == {first.file_sha256}


def test_export_reads_back_unchanged(session: orm.Session) -> None:
    _apply(session)
    exported = registry_service.export_file(session=session)
    example = registry_file.parse(EXAMPLE)
    stated = {k: dataclasses.replace(s, questions=()) for k, s in example.services.items()}
    # the export states each service's questions (none here); the example leaves them out
    assert registry_file.parse(exported) == dataclasses.replace(example, services=stated)
    report = _apply(session, exported)
    assert report.count("unchanged") == 19 and report.count("create") == 0


def test_dry_run_writes_nothing(session: orm.Session) -> None:
    report = _apply(session, dry_run=True)
    assert report.count("create") == 19
    assert session.scalar(sa.select(sa.func.count()).select_from(t.Partner)) == 0


def test_an_active_version_is_immutable_except_its_status(session: orm.Session) -> None:
    _apply(session)
    widened = EXAMPLE.replace(
        "field_groups: [PERSON_NAME, NEW_ADDRESS, PARTNER_REFERENCE]",
        "field_groups: [PERSON_NAME, NEW_ADDRESS, PARTNER_REFERENCE, CONTACT]",
    )
    with pytest.raises(errors.ImmutableVersion, match="lib-newtown@1"):
        _apply(session, widened)
    session.rollback()
    suspended = EXAMPLE.replace(
        "    - version: 2\n      status: active", "    - version: 2\n      status: suspended"
    )
    report = _apply(session, suspended)
    (change,) = [c for c in report.changes if c.action == "update"]
    assert (change.kind, change.key, change.version, change.fields) == (
        "agreement",
        "DSA-2024-011",
        2,
        ("status",),
    )
    agreement = session.get(t.Agreement, ("DSA-2024-011", 2))
    assert agreement is not None and agreement.status == "suspended"


def test_a_new_version_is_added_beside_the_old(session: orm.Session) -> None:
    _apply(session)
    v2 = EXAMPLE.replace(
        "  lib-newtown:\n",
        "  lib-newtown:\n"
        "    - version: 2\n      status: active\n      agreement: DSA-2024-011@2\n"
        "      service: NEWTOWN-DC/LIBRARIES\n      purpose: library_membership\n"
        "      lawful_basis: consent\n      choice_mode: citizen_opt_in\n"
        "      field_groups: [PERSON_NAME, NEW_ADDRESS, CONTACT]\n"
        "      approved_by: DPO\n      approved_at: 2025-02-01T00:00:00Z\n",
    )
    report = _apply(session, v2)
    created = [(c.kind, c.key, c.version) for c in report.changes if c.action == "create"]
    assert created == [("rule", "lib-newtown", 2)]
    versions = session.scalars(
        sa.select(t.SharingRule.version).where(t.SharingRule.id == "lib-newtown")
    ).all()
    assert sorted(versions) == [1, 2]


def test_invalid_registry_is_refused_whole(session: orm.Session) -> None:
    broken = EXAMPLE.replace("purpose: library_membership", "purpose: marketing")
    with pytest.raises(errors.InvalidRule, match="RV2"):
        _apply(session, broken)
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(t.Partner)) == 0
