"""The decision procedure's candidate order, area routing and rule selection as they were
before the registry index (:func:`notify.routing.registry_index`): plain scans of the
registry on every decision, kept as the oracle the indexed procedure is compared with."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from notify import codes, decision, domain, move_domain, routing


def candidates(registry: domain.Registry, event_kind: str) -> list[domain.PartnerService]:
    found = [s for s in registry.services.values() if s.subscriptions_for(event_kind)]

    def key(s: domain.PartnerService) -> tuple[str, str, str]:
        partner = registry.partners.get(s.partner_id)
        return (partner.code if partner else "", s.service_code, s.id)

    return sorted(found, key=key)


def covers(service: domain.PartnerService, location: move_domain.Location, day: dt.date) -> bool:
    return any(c.area_code in location.area_codes for c in service.coverage if c.valid_on(day))


def _custodian_matches(
    service: domain.PartnerService, location: move_domain.Location, day: dt.date
) -> bool:
    return location.custodian_code is not None and any(
        c.area_code in location.area_codes and c.custodian_code == location.custodian_code
        for c in service.coverage
        if c.valid_on(day)
    )


def _side(
    location: move_domain.Location,
    service: domain.PartnerService,
    registry: domain.Registry,
    day: dt.date,
) -> str:
    if not covers(service, location, day):
        return "out"
    if not service.exclusive_area:
        return "in"
    rivals = [
        s
        for s in registry.services.values()
        if s.id != service.id
        and s.exclusive_area
        and s.service_code == service.service_code
        and covers(s, location, day)
    ]
    if not rivals:
        return "in"
    winners = [s for s in (service, *rivals) if _custodian_matches(s, location, day)]
    if len(winners) == 1:
        return "in" if winners[0].id == service.id else "out"
    return "ambiguous"


def area_role(
    move: move_domain.Move,
    facts: move_domain.GazetteerFacts,
    service: domain.PartnerService,
    registry: domain.Registry,
) -> codes.Role:
    if facts.new is None:
        return "pending"
    old = facts.old if move.old_uprn is not None else None
    sides = (
        _side(old, service, registry, move.move_date) if old else "out",
        _side(facts.new, service, registry, move.move_date),
    )
    if "ambiguous" in sides:
        return "ambiguous"
    roles: dict[tuple[bool, bool], codes.Role] = {
        (True, False): "leaving",
        (False, True): "joining",
        (True, True): "within",
        (False, False): "none",
    }
    return roles[(sides[0] == "in", sides[1] == "in")]


def live_rules(
    registry: domain.Registry, service_id: str, now: dt.datetime
) -> tuple[domain.SharingRule, ...]:
    latest: dict[str, domain.SharingRule] = {}
    for rule in registry.rules:
        if rule.partner_service_id != service_id or rule.status == "draft":
            continue
        if rule.id not in latest or latest[rule.id].version < rule.version:
            latest[rule.id] = rule
    return tuple(r for r in latest.values() if r.live(now))


def _best(rules: Iterable[domain.SharingRule]) -> domain.SharingRule | None:
    ordered = sorted(rules, key=lambda r: (-r.priority, r.decision != "deny", r.id))
    return ordered[0] if ordered else None


def select_rule(
    registry: domain.Registry,
    service_id: str,
    event_kind: str,
    role: codes.Role,
    channel: codes.SourceChannel,
    now: dt.datetime,
) -> domain.SharingRule | None:
    matching = [
        r
        for r in live_rules(registry, service_id, now)
        if event_kind in r.event_types
        and ("anywhere" in r.trigger_roles or role in r.trigger_roles)
        and channel in r.source_channels
    ]
    node = _best(r for r in matching if r.parent_rule_id is None)
    for _ in range(routing.MAX_RULE_DEPTH):
        if node is None:
            break
        parent_id = node.id
        child = _best(r for r in matching if r.parent_rule_id == parent_id)
        if child is None:
            break
        node = child
    return node


def decide(s: decision.Situation, service: domain.PartnerService) -> decision.Decision:
    draft = decision._Draft(service=service)
    decision._check_state(s, draft)
    for code in s.move_holds:
        draft.hold(code)
    draft.role = area_role(s.move, s.facts, service, s.registry)
    if draft.role in ("pending", "ambiguous"):
        draft.hold("NEW_UPRN_PENDING" if draft.role == "pending" else "AMBIGUOUS_AREA")
        return draft.finish()
    rule = select_rule(s.registry, service.id, s.event_kind, draft.role, s.move.channel, s.now)
    if rule is None:
        draft.refuse("OUT_OF_AREA" if draft.role == "none" else "NO_MATCHING_RULE")
        return draft.finish()
    decision._check_rule(s, draft, rule)
    return draft.finish()


def plan(s: decision.Situation) -> decision.Plan:
    return decision.Plan(
        submission_ref=s.move.reference,
        version=s.move.version,
        phase=s.phase,
        evaluated_at=s.now,
        registry_digest=decision.registry_digest(s.registry),
        decisions=tuple(decide(s, service) for service in candidates(s.registry, s.event_kind)),
    )
