"""Registry validation (sharing-and-delivery §3.1, RV1–RV11), pure.

Each finding names the rule (``RV1``…, or ``REF`` for a dangling reference, ``APPROVAL`` for an
active rule without DPO sign-off) and the item. A finding blocks an item that is not a draft;
on a draft it is reported and the draft may still be saved.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from notify import codes, domain, projection, routing

STATUTORY: Final = codes.STATUTORY_BASES


@dataclass(frozen=True, kw_only=True, slots=True)
class Finding:
    code: str
    item: str
    message: str
    blocking: bool


def validate(registry: domain.Registry) -> list[Finding]:
    """Every finding, rules after agreements and services, in a stable order."""
    findings = [*_services(registry), *_agreements(registry)]
    for rule in registry.rules:
        blocking = rule.status != "draft"
        findings += [
            Finding(code=code, item=f"rule {rule.label}", message=message, blocking=blocking)
            for code, message in _rule(registry, rule)
        ]
    return findings


def blocking(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.blocking]


def _services(registry: domain.Registry) -> Iterator[Finding]:
    for service in registry.services.values():
        unknown = service.accepted_field_groups - set(projection.FIELD_GROUPS)
        if unknown:
            yield Finding(
                code="REF",
                item=f"service {service.id}",
                message=f"unknown field groups {sorted(unknown)}",
                blocking=True,
            )
        if service.partner_id not in registry.partners:
            yield Finding(
                code="REF", item=f"service {service.id}", message="no such partner", blocking=True
            )


def _agreements(registry: domain.Registry) -> Iterator[Finding]:
    for dsa in registry.agreements.values():
        item = f"agreement {dsa.label}"
        if dsa.effective_to is not None and dsa.effective_to <= dsa.effective_from:
            yield Finding(code="RV9", item=item, message="empty effective window", blocking=True)
        for partner_id, role in dsa.parties:
            if partner_id not in registry.partners:
                yield Finding(
                    code="REF", item=item, message=f"no partner {partner_id}", blocking=True
                )
            if role not in ("discloser", "recipient", "hub_operator"):
                yield Finding(code="REF", item=item, message=f"no party role {role}", blocking=True)


def _rule(registry: domain.Registry, rule: domain.SharingRule) -> Iterator[tuple[str, str]]:
    service = registry.services.get(rule.partner_service_id)
    dsa = registry.agreements.get((rule.dsa_id, rule.dsa_version))
    if service is None:
        yield "RV1", f"the recipient must be one known service, not {rule.partner_service_id!r}"
    if rule.purpose_code not in registry.purposes:
        yield "RV2", f"purpose {rule.purpose_code!r} is not in the catalogue"
    if dsa is None:
        yield "REF", f"no agreement {rule.dsa_id}@{rule.dsa_version}"
    yield from _basis(registry, rule, service, dsa)
    yield from _groups(registry, rule, service, dsa)
    yield from _window(rule, dsa)
    yield from _nesting(registry, rule)
    if rule.status == "active" and not (rule.approved_by and rule.approved_at):
        yield "APPROVAL", "an active rule needs DPO sign-off (approved_by, approved_at)"


def _basis(
    registry: domain.Registry,
    rule: domain.SharingRule,
    service: domain.PartnerService | None,
    dsa: domain.Agreement | None,
) -> Iterator[tuple[str, str]]:
    if rule.lawful_basis in STATUTORY and dsa is not None and not dsa.legal_gateway_refs:
        yield "RV3", "public_task and legal_obligation rules need an agreement citing a gateway"
    if rule.lawful_basis == "consent" and rule.choice_mode != "citizen_opt_in":
        yield "RV4", "consent rules need choice_mode citizen_opt_in"
    if rule.choice_mode == "automatic_with_notice" and rule.lawful_basis not in STATUTORY:
        yield "RV5", "automatic_with_notice is only for public_task and legal_obligation"
    partner = registry.partners.get(service.partner_id) if service else None
    if rule.lawful_basis == "legitimate_interests" and partner and partner.is_public_authority:
        yield "RV7", "legitimate interests cannot be a public authority's basis for its tasks"
    yield from _ambiguous_basis(registry, rule)


def _groups(
    registry: domain.Registry,
    rule: domain.SharingRule,
    service: domain.PartnerService | None,
    dsa: domain.Agreement | None,
) -> Iterator[tuple[str, str]]:
    unknown = (rule.field_groups | rule.required_field_groups) - set(projection.FIELD_GROUPS)
    if unknown:
        yield "REF", f"unknown field groups {sorted(unknown)}"
    if service is not None and not unknown:
        categories = {projection.group_category(g, service) for g in rule.field_groups}
        if "special-category" in categories and not rule.art9_condition:
            yield "RV6", "a special-category group needs an Art. 9 condition"
        if "sensitive" in categories and not rule.art10_condition:
            yield "RV6", "a sensitive group needs an Art. 10 condition"
    if not rule.required_field_groups <= rule.field_groups:
        yield "RV8", "required field groups must be among the rule's field groups"
    if service is not None and not rule.field_groups <= service.accepted_field_groups:
        yield "RV8", "the rule's field groups must be groups the service accepts"
    for code in sorted(rule.overrides_restrictions):
        restriction = registry.restrictions.get(code)
        cited = set(dsa.legal_gateway_refs) if dsa else set()
        if restriction is None or not restriction.lifted_by & cited:
            yield "RV8", f"overriding {code} needs the agreement to cite a gateway that lifts it"
    unknown_events = rule.event_types - codes.EVENT_KINDS
    if unknown_events:
        yield "REF", f"unknown event types {sorted(unknown_events)}"


def _window(rule: domain.SharingRule, dsa: domain.Agreement | None) -> Iterator[tuple[str, str]]:
    """RV9; an open start or end means "with the agreement's"."""
    if dsa is None:
        return
    starts_inside = rule.valid_from is None or rule.valid_from >= dsa.effective_from
    ends_inside = (
        rule.valid_to is None or dsa.effective_to is None or rule.valid_to <= dsa.effective_to
    )
    if not (starts_inside and ends_inside):
        yield "RV9", "the rule's window must lie inside the agreement's"


def _nesting(registry: domain.Registry, rule: domain.SharingRule) -> Iterator[tuple[str, str]]:
    depth, node = 0, rule
    while node.parent_rule_id is not None:
        parent = routing.current_version(registry, node.parent_rule_id)
        if parent is None:
            yield "RV10", f"no parent rule {node.parent_rule_id!r}"
            return
        if node is rule and parent.partner_service_id != rule.partner_service_id:
            yield "RV10", "a child rule has its parent's service"
        if node is rule and not rule.event_types <= parent.event_types:
            yield "RV10", "a child rule's event types are a subset of its parent's"
        depth, node = depth + 1, parent
        if depth > routing.MAX_RULE_DEPTH:
            yield "RV10", f"rules nest at most {routing.MAX_RULE_DEPTH} levels"
            return


def _ambiguous_basis(
    registry: domain.Registry, rule: domain.SharingRule
) -> Iterator[tuple[str, str]]:
    """RV11: two active permit roots for one service and event type with different bases."""
    if rule.status != "active" or rule.decision != "permit" or rule.parent_rule_id:
        return
    for other in registry.rules:
        if (
            other.id != rule.id
            and other.status == "active"
            and other.decision == "permit"
            and other.parent_rule_id is None
            and other.partner_service_id == rule.partner_service_id
            and other.event_types & rule.event_types
            and other.lawful_basis != rule.lawful_basis
            and routing.current_version(registry, other.id) == other
        ):
            yield "RV11", f"ambiguous basis: {other.label} is {other.lawful_basis}"
