"""Applying and exporting the registry file: a reviewable diff, validation, versioning, audit.

``apply_file`` compares the file with the stored registry item by item. New items and new
versions are created; changed partners, services, purposes and restrictions are updated. A
version of an agreement or rule that has left ``draft`` is immutable except for its lifecycle
``status`` (suspend, resume, expire, retire): any other change needs a new version. The merged
registry must pass RV1–RV11 before anything is written. Every write is audited in
``registry_change`` with the actor and the file's SHA-256. The caller commits.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import orm

from notify import canonical, domain, errors, registry_file, validation
from notify import questions as asked
from notify import registry_repository as repo

Action = Literal["create", "update", "unchanged"]
_KINDS = ("purpose", "restriction", "partner", "service", "agreement", "rule")


@dataclass(frozen=True, kw_only=True, slots=True)
class Change:
    kind: str
    key: str
    version: int | None
    action: Action
    fields: tuple[str, ...] = ()
    questions: tuple[str, ...] = ()  # a service's questions: +added, -removed, ~changed ids


@dataclass(frozen=True, kw_only=True, slots=True)
class ApplyReport:
    file_sha256: str
    dry_run: bool
    changes: tuple[Change, ...]
    warnings: tuple[validation.Finding, ...] = field(default=())

    def count(self, action: Action) -> int:
        return sum(1 for c in self.changes if c.action == action)

    def as_json(self) -> dict[str, Any]:
        return {
            "file_sha256": self.file_sha256,
            "dry_run": self.dry_run,
            "created": self.count("create"),
            "updated": self.count("update"),
            "unchanged": self.count("unchanged"),
            "changes": [canonical.jsonable(c) for c in self.changes if c.action != "unchanged"],
            "warnings": [canonical.jsonable(w) for w in self.warnings],
        }


def export_file(*, session: orm.Session) -> str:
    return registry_file.dump(repo.load(session))


def apply_file(
    *, session: orm.Session, text: str, actor: str, now: dt.datetime, dry_run: bool = False
) -> ApplyReport:
    """Apply a registry file (or only report what would change, with ``dry_run``)."""
    current = repo.load(session)
    incoming = _keeping_questions(current, registry_file.parse(text))
    changes = _diff(current, incoming)
    findings = validation.validate(_merged(current, incoming))
    blocking = validation.blocking(findings)
    if blocking:
        raise errors.InvalidRule(
            f"{len(blocking)} problem(s) block this registry, first: "
            f"{blocking[0].item}: {blocking[0].code} {blocking[0].message}",
            details={"findings": [canonical.jsonable(f) for f in blocking]},
        )
    digest = hashlib.sha256(text.encode()).hexdigest()
    if not dry_run:
        _write(session, incoming, changes, actor=actor, now=now, digest=digest)
    return ApplyReport(
        file_sha256=digest, dry_run=dry_run, changes=tuple(changes), warnings=tuple(findings)
    )


# Diff ----------------------------------------------------------------------------------------


def _keeping_questions(current: domain.Registry, incoming: domain.Registry) -> domain.Registry:
    """A service the file gives no ``questions`` keeps the ones stored (none if it is new)."""
    services = [
        s
        if s.questions is not None
        else dataclasses.replace(s, questions=_stored_questions(current, s.id))
        for s in incoming.services.values()
    ]
    return dataclasses.replace(incoming, services={s.id: s for s in services})


def _stored_questions(current: domain.Registry, service_id: str) -> tuple[asked.Question, ...]:
    stored = current.services.get(service_id)
    return (stored.questions or ()) if stored else ()


def _items(registry: domain.Registry) -> dict[str, Mapping[Any, Any]]:
    return {
        "purpose": registry.purposes,
        "restriction": registry.restrictions,
        "partner": registry.partners,
        "service": {k: _comparable(s) for k, s in registry.services.items()},
        "agreement": registry.agreements,
        "rule": {(r.id, r.version): r for r in registry.rules},
    }


def _comparable(service: domain.PartnerService) -> domain.PartnerService:
    """Subscriptions compared by what they say, not by their minted ids."""
    subscriptions = tuple(
        sorted(
            (
                dataclasses.replace(
                    s,
                    id="",
                    endpoint=dataclasses.replace(s.endpoint, id="", status="active")
                    if s.endpoint
                    else None,
                )
                for s in service.subscriptions
            ),
            key=lambda s: (s.channel, s.endpoint.url if s.endpoint else ""),
        )
    )
    coverage = tuple(sorted(service.coverage, key=lambda c: (c.area_code, str(c.valid_from))))
    return dataclasses.replace(service, subscriptions=subscriptions, coverage=coverage)


def _diff(current: domain.Registry, incoming: domain.Registry) -> list[Change]:
    before, after = _items(current), _items(incoming)
    changes, frozen = [], []
    for kind in _KINDS:
        for key, item in after[kind].items():
            change = _change(kind, key, before[kind].get(key), item)
            changes.append(change)
            if kind in ("agreement", "rule") and change.action == "update":
                old = before[kind][key]
                if old.status != "draft" and set(change.fields) - {"status"}:
                    frozen.append(change)
    if frozen:
        first = frozen[0]
        raise errors.ImmutableVersion(
            f"{first.kind} {first.key}@{first.version} has left draft: change "
            f"{', '.join(f for f in first.fields if f != 'status')} in a new version",
            details={"items": [canonical.jsonable(c) for c in frozen]},
        )
    return changes


def _change(kind: str, key: Any, old: Any, new: Any) -> Change:
    name, version = (key[0], key[1]) if isinstance(key, tuple) else (key, None)
    if old is None:
        return Change(kind=kind, key=name, version=version, action="create")
    fields = tuple(
        f.name for f in dataclasses.fields(new) if getattr(old, f.name) != getattr(new, f.name)
    )
    action: Action = "update" if fields else "unchanged"
    asked = _question_changes(old, new) if "questions" in fields else ()
    return Change(
        kind=kind, key=name, version=version, action=action, fields=fields, questions=asked
    )


def _question_changes(old: domain.PartnerService, new: domain.PartnerService) -> tuple[str, ...]:
    before = {q.id: q for q in old.questions or ()}
    after = {q.id: q for q in new.questions or ()}
    added = [f"+{i}" for i in after if i not in before]
    changed = [f"~{i}" for i in after if i in before and before[i] != after[i]]
    return (*added, *changed, *(f"-{i}" for i in before if i not in after))


def _merged(current: domain.Registry, incoming: domain.Registry) -> domain.Registry:
    rules = {(r.id, r.version): r for r in current.rules} | {
        (r.id, r.version): r for r in incoming.rules
    }
    return domain.Registry.build(
        partners=list((dict(current.partners) | dict(incoming.partners)).values()),
        services=list((dict(current.services) | dict(incoming.services)).values()),
        agreements=list((dict(current.agreements) | dict(incoming.agreements)).values()),
        rules=list(rules.values()),
        restrictions=list((dict(current.restrictions) | dict(incoming.restrictions)).values()),
        purposes=list((dict(current.purposes) | dict(incoming.purposes)).values()),
    )


# Writing -------------------------------------------------------------------------------------


def _writers(session: orm.Session, now: dt.datetime) -> dict[str, Callable[[Any], None]]:
    return {
        "purpose": lambda p: repo.save_purpose(session, p),
        "restriction": lambda r: repo.save_restriction(session, r),
        "partner": lambda p: repo.save_partner(session, p, now),
        "service": lambda s: repo.save_service(session, s, now),
        "agreement": lambda a: repo.save_agreement(session, a, now),
        "rule": lambda r: repo.save_rule(session, r, now),
    }


def _write(
    session: orm.Session,
    incoming: domain.Registry,
    changes: list[Change],
    *,
    actor: str,
    now: dt.datetime,
    digest: str,
) -> None:
    writers, items = _writers(session, now), _items(incoming)
    originals = {"service": incoming.services}
    for change in changes:
        if change.action == "unchanged":
            continue
        key = (change.key, change.version) if change.version is not None else change.key
        item = originals.get(change.kind, items[change.kind])[key]
        writers[change.kind](item)
        repo.record_change(
            session,
            at=now,
            actor=actor,
            action=change.action,
            item_kind=change.kind,
            item_key=change.key,
            item_version=change.version,
            file_sha256=digest,
            detail={"fields": list(change.fields)}
            | ({"questions": list(change.questions)} if change.questions else {}),
        )
