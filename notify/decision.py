"""The decision procedure (sharing-and-delivery §3.2–§3.5), pure and deterministic.

:func:`plan` decides, for every service subscribed to the event, ``send``, ``refuse``,
``hold`` or (dry run only) ``ask``, with the reasons in the order checked, the lawful basis,
the rule and agreement versions and the exact field groups. Every check runs; the decision is
``refuse`` if any refusal reason exists, else ``hold`` if any hold reason exists, else ``ask``
(explain only), else ``send``. Routing holds and a missing rule stop evaluation early.

The send-time gate of §3.7 lives in :mod:`notify.recheck` and shares the checks below.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

from notify import canonical, checks, codes, decision_rule, domain, move_domain, projection, routing

Phase = Literal["plan", "explain"]
Outcome = Literal["send", "refuse", "hold", "ask"]
ROUTING_HOLDS: Final = frozenset({"AMBIGUOUS_AREA", "NEW_UPRN_PENDING"})
REFUSALS: Final = codes.REFUSALS
HOLDS: Final = codes.HOLDS
REASON_CODES: Final = REFUSALS | HOLDS


@dataclass(frozen=True, kw_only=True, slots=True)
class Reason:
    code: str
    effect: Literal["refuse", "hold", "warn"]
    detail: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Target:
    """One place the event goes for this service: a subscription and its endpoint."""

    subscription_id: str
    channel: codes.DeliveryChannel
    endpoint_id: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Decision:
    partner_service_id: str
    partner_id: str
    role: codes.Role
    outcome: Outcome
    reasons: tuple[Reason, ...] = ()
    warnings: tuple[Reason, ...] = ()
    rule_id: str | None = None
    rule_version: int | None = None
    dsa_id: str | None = None
    dsa_version: int | None = None
    dsa_label: str | None = None
    lawful_basis: codes.LawfulBasis | None = None
    purpose_code: str | None = None
    consent_id: str | None = None
    fields: tuple[str, ...] = ()
    fields_dropped: tuple[tuple[str, str], ...] = ()
    member_ids: tuple[str, ...] = ()
    data_category: codes.DataCategory | None = None
    targets: tuple[Target, ...] = ()
    not_before: dt.datetime | None = None
    expires_at: dt.datetime | None = None

    @property
    def routing_hold(self) -> bool:
        return self.outcome == "hold" and any(r.code in ROUTING_HOLDS for r in self.reasons)

    @property
    def creates_delivery(self) -> bool:
        """``send``, or a hold the send-time recheck can release (not a routing hold)."""
        return self.outcome == "send" or (self.outcome == "hold" and not self.routing_hold)

    @property
    def rule_label(self) -> str | None:
        return f"{self.rule_id}@{self.rule_version}" if self.rule_id else None

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.reasons)


@dataclass(frozen=True, kw_only=True, slots=True)
class Situation:
    """Everything one plan reads: the move, gazetteer facts, registry, consents and time."""

    move: move_domain.Move
    facts: move_domain.GazetteerFacts
    registry: domain.Registry
    consents: Sequence[move_domain.Consent] = ()
    relationships: Sequence[move_domain.Relationship] = ()
    now: dt.datetime
    phase: Phase = "plan"
    event_kind: str = codes.SUBMITTED
    move_holds: tuple[str, ...] = ()  # review holds found at intake (notify.holds)


@dataclass(frozen=True, kw_only=True, slots=True)
class Plan:
    submission_ref: str
    version: int
    phase: Phase
    evaluated_at: dt.datetime
    registry_digest: str
    decisions: tuple[Decision, ...]

    def for_service(self, partner_service_id: str) -> Decision | None:
        return next((d for d in self.decisions if d.partner_service_id == partner_service_id), None)


_last_digest: tuple[domain.Registry, str] | None = None


def registry_digest(registry: domain.Registry) -> str:
    """The hash of the registry rows a plan used; kept for the last registry object seen (a
    registry kept between requests is hashed once, not on every plan)."""
    global _last_digest  # noqa: PLW0603 - one immutable pair, replaced whole
    kept = _last_digest
    if kept is not None and kept[0] is registry:
        return kept[1]
    digest = canonical.digest(registry)
    _last_digest = (registry, digest)
    return digest


def candidates(registry: domain.Registry, event_kind: str) -> list[domain.PartnerService]:
    """Services with an active subscription for the event, in a stable order (worked out
    once per registry and event kind)."""
    kept = routing.registry_index(registry).candidates
    found = kept.get(event_kind)
    if found is None:
        subscribed = [s for s in registry.services.values() if s.subscriptions_for(event_kind)]
        key = lambda s: (_partner_code(registry, s), s.service_code, s.id)  # noqa: E731
        found = kept[event_kind] = tuple(sorted(subscribed, key=key))
    return list(found)


def _partner_code(registry: domain.Registry, service: domain.PartnerService) -> str:
    partner = registry.partners.get(service.partner_id)
    return partner.code if partner else ""


def reads_relationships(registry: domain.Registry) -> bool:
    """Whether a plan on ``registry`` can look at relationships: only a rule that requires an
    existing relationship does (:func:`notify.decision_rule.check_relationship`), so without
    one none need be read."""
    return routing.registry_index(registry).relationships


def plan(situation: Situation) -> Plan:
    """§3.2: one decision per candidate service, deterministic for (move, registry, now)."""
    services = candidates(situation.registry, situation.event_kind)
    move, registry = situation.move, situation.registry
    outside = routing.outside(move=move, facts=situation.facts, registry=registry)
    return Plan(
        submission_ref=move.reference,
        version=move.version,
        phase=situation.phase,
        evaluated_at=situation.now,
        registry_digest=registry_digest(registry),
        decisions=tuple(
            _out_of_area(situation, s) if s.id in outside else decide(situation, s)
            for s in services
        ),
    )


def _out_of_area(situation: Situation, service: domain.PartnerService) -> Decision:
    """:func:`decide` for a service responsible for neither address (role ``none``): with no
    rule for that role its decision depends only on the move's state and holds, and is kept
    in the registry's index for the next move alike (a council's moves are mostly
    out of most partners' areas)."""
    move, index = situation.move, routing.registry_index(situation.registry)
    role_rules = routing.matching_rules(
        situation.registry, service.id, situation.event_kind, "none", move.channel
    )
    if role_rules:
        return decide(situation, service)
    source = move.submitter.source_partner_service_id
    key = (service.id, move.person.erased, move.status, source, situation.move_holds)
    found = index.out_of_area.get(key)
    if found is None:
        found = index.out_of_area[key] = decide(situation, service)
    return found


# One decision -------------------------------------------------------------------------------


@dataclass(kw_only=True, slots=True)
class _Draft:
    """The decision while it is being made (local and mutable; frozen by :meth:`finish`)."""

    service: domain.PartnerService
    role: codes.Role = "none"
    reasons: list[Reason] = field(default_factory=list)
    warnings: list[Reason] = field(default_factory=list)
    asked: bool = False
    rule: domain.SharingRule | None = None
    dsa: domain.Agreement | None = None
    consent_id: str | None = None
    projection: projection.Projection | None = None
    category: codes.DataCategory | None = None
    targets: tuple[Target, ...] = ()
    not_before: dt.datetime | None = None
    expires_at: dt.datetime | None = None

    def refuse(self, code: str, detail: str | None = None) -> None:
        self.reasons.append(Reason(code=code, effect="refuse", detail=detail))

    def hold(self, code: str, detail: str | None = None) -> None:
        self.reasons.append(Reason(code=code, effect="hold", detail=detail))

    def warn(self, code: str, detail: str | None = None) -> None:
        self.warnings.append(Reason(code=code, effect="warn", detail=detail))

    def outcome(self) -> Outcome:
        effects = {r.effect for r in self.reasons}
        if "refuse" in effects:
            return "refuse"
        if "hold" in effects:
            return "hold"
        return "ask" if self.asked else "send"

    def finish(self) -> Decision:
        outcome = self.outcome()
        rule, dsa, proj = self.rule, self.dsa, self.projection
        if rule is None and dsa is None and proj is None and self.consent_id is None:
            return _bare((self.service.id, self.service.partner_id, self.role, outcome,
                          tuple(self.reasons), tuple(self.warnings)))  # fmt: skip
        sends = outcome != "refuse" and proj is not None
        return Decision(
            partner_service_id=self.service.id,
            partner_id=self.service.partner_id,
            role=self.role,
            outcome=outcome,
            reasons=tuple(self.reasons),
            warnings=tuple(self.warnings),
            rule_id=rule.id if rule else None,
            rule_version=rule.version if rule else None,
            dsa_id=dsa.id if dsa else (rule.dsa_id if rule else None),
            dsa_version=dsa.version if dsa else (rule.dsa_version if rule else None),
            dsa_label=dsa.label if dsa else None,
            lawful_basis=rule.lawful_basis if rule else None,
            purpose_code=rule.purpose_code if rule else None,
            consent_id=self.consent_id,
            fields=proj.fields if sends and proj else (),
            fields_dropped=proj.dropped if proj else (),
            member_ids=tuple(m.person.id for m in proj.members) if sends and proj else (),
            data_category=self.category if sends else None,
            targets=self.targets if sends else (),
            not_before=self.not_before if sends else None,
            expires_at=self.expires_at if sends else None,
        )


_Bare = tuple[str, str, codes.Role, Outcome, tuple[Reason, ...], tuple[Reason, ...]]


@functools.lru_cache(maxsize=4096)
def _bare(key: _Bare) -> Decision:
    """A decision with no rule (90 of a move's 100: out of area), from its service, partner,
    role, outcome, reasons and warnings; frozen, so one object serves every plan making it."""
    service_id, partner_id, role, outcome, reasons, warnings = key
    return Decision(partner_service_id=service_id, partner_id=partner_id, role=role,
                    outcome=outcome, reasons=reasons, warnings=warnings)  # fmt: skip


def decide(situation: Situation, service: domain.PartnerService) -> Decision:
    draft = _Draft(service=service)
    _check_state(situation, draft)
    for code in situation.move_holds:  # MOVE_BLOCKED, REPEATED_MOVE, CONFLICTING_MOVE
        draft.hold(code)
    draft.role = routing.area_role(
        move=situation.move, facts=situation.facts, service=service, registry=situation.registry
    )
    if draft.role in ("pending", "ambiguous"):
        draft.hold("NEW_UPRN_PENDING" if draft.role == "pending" else "AMBIGUOUS_AREA")
        return draft.finish()
    rule = routing.select_rule(
        registry=situation.registry,
        service_id=service.id,
        event_kind=situation.event_kind,
        role=draft.role,
        channel=situation.move.channel,
        now=situation.now,
    )
    if rule is None:
        draft.refuse("OUT_OF_AREA" if draft.role == "none" else "NO_MATCHING_RULE")
        return draft.finish()
    _check_rule(situation, draft, rule)
    return draft.finish()


def _check_rule(situation: Situation, draft: _Draft, rule: domain.SharingRule) -> None:
    draft.rule = rule
    if rule.decision == "deny":
        draft.refuse("DENIED_BY_RULE", rule.label)
    decision_rule.check_agreement(situation, draft, rule)
    decision_rule.check_restrictions(situation, draft, rule)
    decision_rule.check_choice(situation, draft, rule)
    decision_rule.check_relationship(situation, draft, rule)
    decision_rule.check_consent(situation, draft, rule)
    decision_rule.check_date_window(situation, draft, rule)
    decision_rule.project(situation, draft, rule)
    _check_channel(situation, draft, rule)


def _check_state(situation: Situation, draft: _Draft) -> None:
    """A. submission, subject and partner state."""
    move, registry = situation.move, situation.registry
    if move.person.erased:
        draft.refuse("SUBJECT_ERASED")
    if move.status in ("withdrawn", "superseded"):
        draft.refuse("SUBMISSION_" + move.status.upper())
    partner = registry.partners.get(draft.service.partner_id)
    if partner is None or partner.status != "active":
        draft.refuse("PARTNER_SUSPENDED")
    source = registry.services.get(move.submitter.source_partner_service_id or "")
    if source and source.partner_id == draft.service.partner_id and not draft.service.echo_allowed:
        draft.refuse("SOURCE_ECHO")


def _check_channel(situation: Situation, draft: _Draft, rule: domain.SharingRule) -> None:
    """K. where it goes: every endpoint must honour the category; a disabled one holds."""
    subs = draft.service.subscriptions_for(situation.event_kind)
    rank = codes.CATEGORY_RANK
    endpoints = [s.endpoint for s in subs if s.endpoint is not None]
    if draft.category and any(rank[e.max_data_category] < rank[draft.category] for e in endpoints):
        draft.refuse("CLASSIFICATION_NOT_HONOURED")
    if any(e.status == "disabled" for e in endpoints):
        draft.hold("ENDPOINT_DISABLED")
    draft.targets = tuple(
        Target(
            subscription_id=s.id,
            channel=s.channel,
            endpoint_id=s.endpoint.id if s.endpoint else None,
        )
        for s in subs
    )
    draft.not_before = checks.release_time(
        situation.move.move_date, rule.release_lead_days, situation.now
    )
    draft.expires_at = draft.not_before + dt.timedelta(days=rule.expiry_days)
