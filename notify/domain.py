"""The sharing model as pure, frozen types (sharing-and-delivery §1–§2).

Partners and their services, data-sharing agreements and sharing rules (both versioned): the
registry the decision procedure reads. People, consents, relationships, change-of-address
submissions ("moves") and their gazetteer facts are in :mod:`notify.move_domain`. Code lists
are the specification's strings.
Event kinds are stored without the deployment's namespace (``change_of_address.submitted``);
the namespace is added when the CloudEvents envelope is built. Nothing here does I/O.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from notify import codes
from notify import questions as asked

_T = TypeVar("_T", dt.date, dt.datetime)


def in_window(start: _T | None, end: _T | None, at: _T) -> bool:
    """``start <= at < end`` for dates or times; an open end is unbounded."""
    return (start is None or start <= at) and (end is None or at < end)


# Registry ---------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class Partner:
    id: str
    code: str
    name_en: str
    name_cy: str = ""
    kind: codes.PartnerKind = "council"
    is_public_authority: bool = True
    ig_assurance: codes.Assurance = "met"
    status: codes.PartnerStatus = "active"
    ordering_scope: Literal["partner", "service"] = "partner"
    ops_email: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Coverage:
    """One area a service is responsible for, by area code (GSS), on ``[valid_from, valid_to)``."""

    area_code: str
    custodian_code: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None

    def valid_on(self, day: dt.date) -> bool:
        return in_window(self.valid_from, self.valid_to, day)


@dataclass(frozen=True, kw_only=True, slots=True)
class Endpoint:
    id: str
    url: str = ""
    status: codes.EndpointStatus = "active"
    max_data_category: codes.DataCategory = "standard"


@dataclass(frozen=True, kw_only=True, slots=True)
class Subscription:
    id: str
    channel: codes.DeliveryChannel = "webhook"
    event_types: frozenset[str] = frozenset({codes.SUBMITTED})
    status: Literal["active", "paused"] = "active"
    endpoint: Endpoint | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class PartnerService:
    id: str
    partner_id: str
    service_code: str
    name_en: str = ""
    name_cy: str = ""
    hint_en: str | None = None
    hint_cy: str | None = None
    accepted_field_groups: frozenset[str] = frozenset()
    exclusive_area: bool = False
    originates_restrictions: frozenset[str] = frozenset()
    echo_allowed: bool = False
    coverage: tuple[Coverage, ...] = ()
    subscriptions: tuple[Subscription, ...] = ()
    # The extra questions (§2.1 ``questions``); None only for a registry file that does not
    # state them, which keeps the stored ones.
    questions: tuple[asked.Question, ...] | None = None

    def coverage_on(self, day: dt.date) -> tuple[Coverage, ...]:
        return tuple(c for c in self.coverage if c.valid_on(day))

    def subscriptions_for(self, event_kind: str) -> tuple[Subscription, ...]:
        found = (s for s in self.subscriptions if s.status == "active")
        return tuple(sorted((s for s in found if event_kind in s.event_types), key=_by_id))


def _by_id(item: Subscription) -> str:
    return item.id


@dataclass(frozen=True, kw_only=True, slots=True)
class Purpose:
    """A catalogued, specific reason for a disclosure (e.g. ``council_tax_liability``)."""

    code: str
    label_en: str
    label_cy: str = ""
    description: str | None = None
    dpv_iri: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class SourceRestriction:
    """A code limiting onward sharing; ``lifted_by`` are the gateway refs that allow it."""

    code: str
    legal_ref: str
    lifted_by: frozenset[str] = frozenset()
    description: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Agreement:
    """One version of a data-sharing agreement; in effect on ``[effective_from, effective_to)``."""

    id: str
    version: int
    ref: str
    title: str = ""
    status: codes.AgreementStatus = "draft"
    legal_gateway_refs: tuple[str, ...] = ()
    legal_gateway_text: str | None = None
    dpia_ref: str | None = None
    controller_model: Literal["independent", "joint"] = "independent"
    effective_from: dt.datetime
    effective_to: dt.datetime | None = None
    review_due: dt.date | None = None
    suspend_on_overdue_review: bool = False
    ledger_retention_months: int
    parties: tuple[tuple[str, str], ...] = ()  # (partner id, discloser|recipient|hub_operator)

    @property
    def label(self) -> str:
        return f"{self.ref}@{self.version}"

    def in_effect(self, at: dt.datetime) -> bool:
        return in_window(self.effective_from, self.effective_to, at)


@dataclass(frozen=True, kw_only=True, slots=True)
class DateWindow:
    """Move date allowed relative to today: ``min_days <= move_date - today <= max_days``."""

    min_days: int
    max_days: int

    def allows(self, move_date: dt.date, today: dt.date) -> bool:
        return self.min_days <= (move_date - today).days <= self.max_days


@dataclass(frozen=True, kw_only=True, slots=True)
class SharingRule:
    """One version of a sharing rule (§2.1): one service, one purpose, one basis, one DSA."""

    id: str
    version: int
    status: codes.RuleStatus = "draft"
    dsa_id: str
    dsa_version: int
    partner_service_id: str
    event_types: frozenset[str] = frozenset({codes.SUBMITTED})
    purpose_code: str
    lawful_basis: codes.LawfulBasis
    art9_condition: str | None = None
    art10_condition: str | None = None
    decision: codes.RuleDecision = "permit"
    parent_rule_id: str | None = None
    priority: int = 0
    trigger_roles: frozenset[codes.TriggerRole] = frozenset({"leaving", "joining", "within"})
    source_channels: frozenset[codes.SourceChannel] = frozenset(
        {"citizen_web", "agent", "partner_api"}
    )
    choice_mode: codes.ChoiceMode = "automatic_with_notice"
    relationship_requirement: codes.RelationshipRequirement = "none"
    field_groups: frozenset[str] = frozenset()
    required_field_groups: frozenset[str] = frozenset()
    max_data_category: codes.DataCategory = "standard"
    overrides_restrictions: frozenset[str] = frozenset()
    min_assurance: codes.Assurance = "none"
    move_date_window: DateWindow | None = None
    release_lead_days: int = 0
    expiry_days: int = 30
    valid_from: dt.datetime | None = None
    valid_to: dt.datetime | None = None
    approved_by: str | None = None
    approved_at: dt.datetime | None = None

    @property
    def label(self) -> str:
        return f"{self.id}@{self.version}"

    @property
    def consent_required(self) -> bool:
        return self.lawful_basis == "consent"

    def live(self, at: dt.datetime) -> bool:
        """Active and inside its window at ``at``."""
        return self.status == "active" and in_window(self.valid_from, self.valid_to, at)


@dataclass(frozen=True, kw_only=True, slots=True)
class Registry:
    """Everything the decision reads about partners, agreements and rules, indexed by id."""

    partners: Mapping[str, Partner]
    services: Mapping[str, PartnerService]
    agreements: Mapping[tuple[str, int], Agreement]
    rules: tuple[SharingRule, ...]
    restrictions: Mapping[str, SourceRestriction] = field(default_factory=dict)
    purposes: Mapping[str, Purpose] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        *,
        partners: tuple[Partner, ...] | list[Partner],
        services: tuple[PartnerService, ...] | list[PartnerService],
        agreements: tuple[Agreement, ...] | list[Agreement],
        rules: tuple[SharingRule, ...] | list[SharingRule],
        restrictions: tuple[SourceRestriction, ...] | list[SourceRestriction] = (),
        purposes: tuple[Purpose, ...] | list[Purpose] = (),
    ) -> Registry:
        return cls(
            partners={p.id: p for p in sorted(partners, key=lambda p: p.id)},
            services={s.id: s for s in sorted(services, key=lambda s: s.id)},
            agreements={(a.id, a.version): a for a in sorted(agreements, key=_key)},
            rules=tuple(sorted(rules, key=lambda r: (r.id, r.version))),
            restrictions={r.code: r for r in sorted(restrictions, key=lambda r: r.code)},
            purposes={p.code: p for p in sorted(purposes, key=lambda p: p.code)},
        )


def _key(agreement: Agreement) -> tuple[str, int]:
    return (agreement.id, agreement.version)
