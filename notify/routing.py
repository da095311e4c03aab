"""Area routing (§3.3) and rule selection (§3.2 ``select_rule``), both pure.

Coverage is evaluated on the move date (who was responsible then); rules at ``now``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, Literal

from notify import codes, domain, move_domain

if TYPE_CHECKING:
    from notify.decision import Decision

MAX_RULE_DEPTH: Final = 2  # RV10: at most two levels below a root in the MVP
Side = Literal["in", "out", "ambiguous"]
_ROLES: Final[dict[tuple[bool, bool], codes.Role]] = {
    (True, False): "leaving",
    (False, True): "joining",
    (True, True): "within",
    (False, False): "none",
}


def area_role(
    *,
    move: move_domain.Move,
    facts: move_domain.GazetteerFacts,
    service: domain.PartnerService,
    registry: domain.Registry,
) -> codes.Role:
    """``leaving``/``joining``/``within``/``none``, or ``pending``/``ambiguous`` (never a guess)."""
    if facts.new is None:
        return "pending"
    old = facts.old if move.old_uprn is not None else None
    index = registry_index(registry)
    sides = (
        _side(index, old, service, registry, move.move_date) if old else "out",
        _side(index, facts.new, service, registry, move.move_date),
    )
    if "ambiguous" in sides:
        return "ambiguous"
    return _ROLES[(sides[0] == "in", sides[1] == "in")]


#: Pairs of area-code sets an index keeps the outside services of (then it starts afresh).
KEPT_OUTSIDE: Final = 4096


def outside(
    *, move: move_domain.Move, facts: move_domain.GazetteerFacts, registry: domain.Registry
) -> frozenset[str]:
    """The ids of services whose role for the move is ``none`` whatever the date: their
    coverage has no dates and no area code of either address (:func:`area_role` finds each
    side ``out``). Empty while the new address has no point (every role is ``pending``)."""
    if facts.new is None:
        return frozenset()
    old = facts.old.area_codes if facts.old is not None and move.old_uprn is not None else None
    index, key = registry_index(registry), (old, facts.new.area_codes)
    found = index.outside.get(key)
    if found is None:
        if len(index.outside) >= KEPT_OUTSIDE:
            index.outside.clear()
        found = index.outside[key] = frozenset(
            service_id
            for service_id, (_, codes_) in index.areas.items()
            if codes_.isdisjoint(key[1]) and (old is None or codes_.isdisjoint(old))
        )
    return found


def covers(service: domain.PartnerService, location: move_domain.Location, day: dt.date) -> bool:
    return any(c.area_code in location.area_codes for c in service.coverage_on(day))


def _covers(
    index: RegistryIndex,
    service: domain.PartnerService,
    location: move_domain.Location,
    day: dt.date,
) -> bool:
    """:func:`covers`, from the index's area codes when the service's coverage has no dates."""
    kept = index.areas.get(service.id)
    if kept is None or kept[0] is not service:
        return covers(service, location, day)
    return not kept[1].isdisjoint(location.area_codes)


def _custodian_matches(
    service: domain.PartnerService, location: move_domain.Location, day: dt.date
) -> bool:
    return location.custodian_code is not None and any(
        c.area_code in location.area_codes and c.custodian_code == location.custodian_code
        for c in service.coverage_on(day)
    )


def _side(
    index: RegistryIndex,
    location: move_domain.Location,
    service: domain.PartnerService,
    registry: domain.Registry,
    day: dt.date,
) -> Side:
    """Whether ``service`` is responsible for ``location``; exclusive services settle overlaps
    by the BLPU's local custodian code, and hold for review when that does not decide."""
    if not _covers(index, service, location, day):
        return "out"
    if not service.exclusive_area:
        return "in"
    rivals = [s for s in _same_code_exclusive(service, registry) if covers(s, location, day)]
    if not rivals:
        return "in"
    winners = [s for s in (service, *rivals) if _custodian_matches(s, location, day)]
    if len(winners) == 1:
        return "in" if winners[0].id == service.id else "out"
    return "ambiguous"


def _same_code_exclusive(
    service: domain.PartnerService, registry: domain.Registry
) -> Iterable[domain.PartnerService]:
    return (
        s
        for s in registry.services.values()
        if s.id != service.id and s.exclusive_area and s.service_code == service.service_code
    )


# Rule selection -----------------------------------------------------------------------------


def current_version(registry: domain.Registry, rule_id: str) -> domain.SharingRule | None:
    """The latest version of a rule that has left ``draft`` (drafts never take effect)."""
    versions = [r for r in registry.rules if r.id == rule_id and r.status != "draft"]
    return max(versions, key=lambda r: r.version) if versions else None


@dataclass(frozen=True, kw_only=True, slots=True)
class RegistryIndex:
    """What the decision procedure looks up in one registry, worked out once per registry.

    ``current``: per service, the latest version of each of its rules that has left ``draft``
    (in the order of ``registry.rules``); ``areas``: per service whose coverage has no dates,
    the service and its area codes; ``relationships``: whether any rule (any version) requires
    an existing relationship, without which a plan never reads one; ``versions``: every rule
    by id and version; ``candidates``: per event kind, ``matching``: per service, event
    kind, role and channel, ``outside``: per pair of area-code sets, and ``out_of_area``: the
    decisions :mod:`notify.decision` keeps for services outside a move, filled on first use.
    """

    current: Mapping[str, tuple[domain.SharingRule, ...]]
    areas: Mapping[str, tuple[domain.PartnerService, frozenset[str]]]
    relationships: bool
    versions: Mapping[tuple[str, int], domain.SharingRule]
    candidates: dict[str, tuple[domain.PartnerService, ...]] = field(default_factory=dict)
    matching: dict[tuple[str, str, str, str], tuple[domain.SharingRule, ...]] = field(
        default_factory=dict
    )
    outside: dict[tuple[frozenset[str] | None, frozenset[str]], frozenset[str]] = field(
        default_factory=dict
    )
    out_of_area: dict[tuple[object, ...], Decision] = field(default_factory=dict)


_last_index: tuple[domain.Registry, RegistryIndex] | None = None


def registry_index(registry: domain.Registry) -> RegistryIndex:
    """The index of ``registry``, built once for the last registry object seen (a registry
    kept between requests is indexed once, not on every decision)."""
    global _last_index  # noqa: PLW0603 - one immutable pair, replaced whole
    kept = _last_index
    if kept is not None and kept[0] is registry:
        return kept[1]
    index = RegistryIndex(
        current=_current_by_service(registry),
        areas=_undated_areas(registry),
        relationships=any(r.relationship_requirement != "none" for r in registry.rules),
        versions=_versions(registry),
    )
    _last_index = (registry, index)
    return index


def _versions(registry: domain.Registry) -> dict[tuple[str, int], domain.SharingRule]:
    found: dict[tuple[str, int], domain.SharingRule] = {}
    for rule in registry.rules:
        found.setdefault((rule.id, rule.version), rule)  # the first, as a scan finds it
    return found


def rule_version(
    registry: domain.Registry, rule_id: str | None, version: int | None
) -> domain.SharingRule | None:
    """The rule ``rule_id`` at ``version`` (any status), or ``None``."""
    if rule_id is None or version is None:
        return None
    return registry_index(registry).versions.get((rule_id, version))


def _current_by_service(registry: domain.Registry) -> dict[str, tuple[domain.SharingRule, ...]]:
    latest: dict[str, dict[str, domain.SharingRule]] = {}
    for rule in registry.rules:
        if rule.status == "draft":
            continue
        of_service = latest.setdefault(rule.partner_service_id, {})
        if rule.id not in of_service or of_service[rule.id].version < rule.version:
            of_service[rule.id] = rule
    return {service_id: tuple(rules.values()) for service_id, rules in latest.items()}


def _undated_areas(
    registry: domain.Registry,
) -> dict[str, tuple[domain.PartnerService, frozenset[str]]]:
    return {
        s.id: (s, frozenset(c.area_code for c in s.coverage))
        for s in registry.services.values()
        if all(c.valid_from is None and c.valid_to is None for c in s.coverage)
    }


def live_rules(
    registry: domain.Registry, service_id: str, now: dt.datetime
) -> tuple[domain.SharingRule, ...]:
    """The current version of each rule of the service, if it is active and in its window."""
    current = registry_index(registry).current.get(service_id, ())
    return tuple(r for r in current if r.live(now))


def _matches(
    rule: domain.SharingRule, event_kind: str, role: codes.Role, channel: codes.SourceChannel
) -> bool:
    role_ok = "anywhere" in rule.trigger_roles or role in rule.trigger_roles
    return event_kind in rule.event_types and role_ok and channel in rule.source_channels


def matching_rules(
    registry: domain.Registry,
    service_id: str,
    event_kind: str,
    role: codes.Role,
    channel: codes.SourceChannel,
) -> tuple[domain.SharingRule, ...]:
    """The service's current rules that match the event, role and channel, live or not (kept
    in the index per combination; liveness depends on the time and is checked by the caller)."""
    index = registry_index(registry)
    key = (service_id, event_kind, role, channel)
    found = index.matching.get(key)
    if found is None:
        current = index.current.get(service_id, ())
        found = index.matching[key] = tuple(
            r for r in current if _matches(r, event_kind, role, channel)
        )
    return found


def _best(rules: Iterable[domain.SharingRule]) -> domain.SharingRule | None:
    """Highest priority; at equal priority a deny wins; then the lowest id (deterministic)."""
    ordered = sorted(rules, key=lambda r: (-r.priority, r.decision != "deny", r.id))
    return ordered[0] if ordered else None


def select_rule(
    *,
    registry: domain.Registry,
    service_id: str,
    event_kind: str,
    role: codes.Role,
    channel: codes.SourceChannel,
    now: dt.datetime,
) -> domain.SharingRule | None:
    """The best matching root, then down to the deepest matching child (nested exceptions)."""
    matching = [
        r for r in matching_rules(registry, service_id, event_kind, role, channel) if r.live(now)
    ]
    if not matching:
        return None
    node = _best(r for r in matching if r.parent_rule_id is None)
    for _ in range(MAX_RULE_DEPTH):
        if node is None:
            break
        parent_id = node.id
        child = _best(r for r in matching if r.parent_rule_id == parent_id)
        if child is None:
            break
        node = child
    return node
