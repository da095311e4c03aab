"""Reading and writing the registry tables as :class:`notify.domain.Registry` values.

Partners, services, agreements and rules keep their natural keys as ids (partner code,
``PARTNER/SERVICE_CODE``, agreement ref, rule id). Subscriptions and endpoints get minted ids
and are matched by (service, channel, URL). Repositories flush; callers commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from core import ids
from notify import domain, questions
from notify.tables import registry as t


def load(session: orm.Session) -> domain.Registry:
    """The whole registry as one value (small: a few hundred rows for a county)."""
    coverage = _group(session.scalars(sa.select(t.PartnerCoverage)), "partner_service_id")
    subscriptions = _subscriptions(session)
    services = [
        _service(s, coverage.get(s.id, []), subscriptions.get(s.id, []))
        for s in session.scalars(sa.select(t.PartnerService))
    ]
    parties = _group(session.scalars(sa.select(t.AgreementParty)), "dsa_id", "dsa_version")
    return domain.Registry.build(
        partners=[_partner(p) for p in session.scalars(sa.select(t.Partner))],
        services=services,
        agreements=[
            _agreement(a, parties.get((a.id, a.version), []))
            for a in session.scalars(sa.select(t.Agreement))
        ],
        rules=[_rule(r) for r in session.scalars(sa.select(t.SharingRule))],
        restrictions=[_restriction(r) for r in session.scalars(sa.select(t.SourceRestriction))],
        purposes=[_purpose(p) for p in session.scalars(sa.select(t.Purpose))],
    )


def _group(rows: Iterable[Any], *keys: str) -> dict[Any, list[Any]]:
    grouped: dict[Any, list[Any]] = {}
    for row in rows:
        key = tuple(getattr(row, k) for k in keys)
        grouped.setdefault(key[0] if len(key) == 1 else key, []).append(row)
    return grouped


def _partner(row: t.Partner) -> domain.Partner:
    return domain.Partner(
        id=row.id,
        code=row.code,
        name_en=row.name_en,
        name_cy=row.name_cy,
        kind=row.kind,  # type: ignore[arg-type]
        is_public_authority=row.is_public_authority,
        ig_assurance=row.ig_assurance,  # type: ignore[arg-type]
        status=row.status,  # type: ignore[arg-type]
        ordering_scope=row.ordering_scope,  # type: ignore[arg-type]
        ops_email=row.ops_email,
    )


def _service(
    row: t.PartnerService,
    coverage: list[t.PartnerCoverage],
    subscriptions: list[domain.Subscription],
) -> domain.PartnerService:
    return domain.PartnerService(
        id=row.id,
        partner_id=row.partner_id,
        service_code=row.service_code,
        name_en=row.name_en,
        name_cy=row.name_cy,
        hint_en=row.hint_en,
        hint_cy=row.hint_cy,
        accepted_field_groups=frozenset(row.accepted_field_groups),
        exclusive_area=row.exclusive_area,
        originates_restrictions=frozenset(row.originates_restrictions),
        echo_allowed=row.echo_allowed,
        coverage=tuple(
            domain.Coverage(
                area_code=c.area_code,
                custodian_code=c.custodian_code,
                valid_from=c.valid_from,
                valid_to=c.valid_to,
            )
            for c in sorted(coverage, key=lambda c: (c.area_code, c.valid_from or dt.date.min))
        ),
        subscriptions=tuple(sorted(subscriptions, key=lambda s: s.id)),
        questions=questions.parse(row.questions or [], f"services.{row.id}.questions"),
    )


def _subscriptions(session: orm.Session) -> dict[str, list[domain.Subscription]]:
    endpoints = {e.id: e for e in session.scalars(sa.select(t.Endpoint))}
    grouped: dict[str, list[domain.Subscription]] = {}
    for row in session.scalars(sa.select(t.Subscription)):
        endpoint = endpoints.get(row.endpoint_id or "")
        grouped.setdefault(row.partner_service_id, []).append(
            domain.Subscription(
                id=row.id,
                channel=row.channel,  # type: ignore[arg-type]
                event_types=frozenset(row.event_types),
                status=row.status,  # type: ignore[arg-type]
                endpoint=domain.Endpoint(
                    id=endpoint.id,
                    url=endpoint.url,
                    status=endpoint.status,  # type: ignore[arg-type]
                    max_data_category=endpoint.max_data_category,  # type: ignore[arg-type]
                )
                if endpoint
                else None,
            )
        )
    return grouped


def _agreement(row: t.Agreement, parties: list[t.AgreementParty]) -> domain.Agreement:
    return domain.Agreement(
        id=row.id,
        version=row.version,
        ref=row.ref,
        title=row.title,
        status=row.status,  # type: ignore[arg-type]
        legal_gateway_refs=tuple(row.legal_gateway_refs),
        legal_gateway_text=row.legal_gateway_text,
        dpia_ref=row.dpia_ref,
        controller_model=row.controller_model,  # type: ignore[arg-type]
        effective_from=row.effective_from,
        effective_to=row.effective_to,
        review_due=row.review_due,
        suspend_on_overdue_review=row.suspend_on_overdue_review,
        ledger_retention_months=row.ledger_retention_months,
        parties=tuple(sorted((p.partner_id, p.role) for p in parties)),
    )


_RULE_SETS = (
    "event_types", "trigger_roles", "source_channels", "field_groups", "required_field_groups",
    "overrides_restrictions",
)  # fmt: skip
_RULE_PLAIN = (
    "id", "version", "status", "dsa_id", "dsa_version", "partner_service_id", "purpose_code",
    "lawful_basis", "art9_condition", "art10_condition", "decision", "parent_rule_id", "priority",
    "choice_mode", "relationship_requirement", "max_data_category", "min_assurance",
    "release_lead_days", "expiry_days", "valid_from", "valid_to", "approved_by", "approved_at",
)  # fmt: skip


def _rule(row: t.SharingRule) -> domain.SharingRule:
    window = row.move_date_window
    values: dict[str, Any] = {name: getattr(row, name) for name in _RULE_PLAIN}
    values |= {name: frozenset(getattr(row, name)) for name in _RULE_SETS}
    values["move_date_window"] = domain.DateWindow(**window) if window else None
    return domain.SharingRule(**values)


def _restriction(row: t.SourceRestriction) -> domain.SourceRestriction:
    return domain.SourceRestriction(
        code=row.code,
        legal_ref=row.legal_ref,
        lifted_by=frozenset(row.lifted_by),
        description=row.description,
    )


def _purpose(row: t.Purpose) -> domain.Purpose:
    return domain.Purpose(
        code=row.code,
        label_en=row.label_en,
        label_cy=row.label_cy,
        description=row.description,
        dpv_iri=row.dpv_iri,
    )


# Writing -----------------------------------------------------------------------------------


def save_purpose(session: orm.Session, purpose: domain.Purpose) -> None:
    session.merge(
        t.Purpose(
            code=purpose.code,
            label_en=purpose.label_en,
            label_cy=purpose.label_cy,
            description=purpose.description,
            dpv_iri=purpose.dpv_iri,
        )
    )
    session.flush()


def save_restriction(session: orm.Session, restriction: domain.SourceRestriction) -> None:
    session.merge(
        t.SourceRestriction(
            code=restriction.code,
            legal_ref=restriction.legal_ref,
            effect="deny_onward",
            description=restriction.description,
            lifted_by=sorted(restriction.lifted_by),
        )
    )
    session.flush()


def save_partner(session: orm.Session, partner: domain.Partner, now: dt.datetime) -> None:
    row = session.get(t.Partner, partner.id) or t.Partner(id=partner.id, created_at=now)
    row.code, row.name_en, row.name_cy = partner.code, partner.name_en, partner.name_cy
    row.kind, row.is_public_authority = partner.kind, partner.is_public_authority
    row.ig_assurance, row.status = partner.ig_assurance, partner.status
    row.ordering_scope, row.ops_email, row.updated_at = (
        partner.ordering_scope,
        partner.ops_email,
        now,
    )
    session.add(row)
    session.flush()


def save_service(session: orm.Session, service: domain.PartnerService, now: dt.datetime) -> None:
    """The service, its coverage (replaced) and its subscriptions (matched by channel and URL)."""
    row = session.get(t.PartnerService, service.id) or t.PartnerService(
        id=service.id, created_at=now
    )
    row.partner_id, row.service_code = service.partner_id, service.service_code
    row.name_en, row.name_cy = service.name_en, service.name_cy
    row.hint_en, row.hint_cy = service.hint_en, service.hint_cy
    row.accepted_field_groups = sorted(service.accepted_field_groups)
    row.exclusive_area, row.echo_allowed = service.exclusive_area, service.echo_allowed
    row.originates_restrictions = sorted(service.originates_restrictions)
    kept = row.questions or []
    given = service.questions
    row.questions = kept if given is None else [q.as_json() for q in given]
    row.updated_at = now
    session.add(row)
    session.flush()
    _replace_coverage(session, service)
    for subscription in service.subscriptions:
        _save_subscription(session, service, subscription, now)
    session.flush()


def _replace_coverage(session: orm.Session, service: domain.PartnerService) -> None:
    session.execute(
        sa.delete(t.PartnerCoverage).where(t.PartnerCoverage.partner_service_id == service.id)
    )
    for c in service.coverage:
        session.add(
            t.PartnerCoverage(
                id=ids.new_id(),
                partner_service_id=service.id,
                area_code=c.area_code,
                custodian_code=c.custodian_code,
                valid_from=c.valid_from,
                valid_to=c.valid_to,
            )
        )


def _save_subscription(
    session: orm.Session,
    service: domain.PartnerService,
    subscription: domain.Subscription,
    now: dt.datetime,
) -> None:
    endpoint = _save_endpoint(session, service.partner_id, subscription.endpoint, now)
    row = session.scalars(
        sa.select(t.Subscription).where(
            t.Subscription.partner_service_id == service.id,
            t.Subscription.channel == subscription.channel,
            t.Subscription.endpoint_id.is_(None)
            if endpoint is None
            else t.Subscription.endpoint_id == endpoint,
        )
    ).first() or t.Subscription(id=ids.new_id(), created_at=now)
    row.partner_service_id, row.channel, row.endpoint_id = (
        service.id,
        subscription.channel,
        endpoint,
    )
    row.event_types, row.status = sorted(subscription.event_types), subscription.status
    session.add(row)


def _save_endpoint(
    session: orm.Session, partner_id: str, endpoint: domain.Endpoint | None, now: dt.datetime
) -> str | None:
    if endpoint is None:
        return None
    row = session.scalars(
        sa.select(t.Endpoint).where(
            t.Endpoint.partner_id == partner_id, t.Endpoint.url == endpoint.url
        )
    ).first()
    if row is None:
        row = t.Endpoint(
            id=ids.new_id(),
            partner_id=partner_id,
            url=endpoint.url,
            status="active",
            timeout_s=15,
            allow_private_network=False,
            created_at=now,
        )
    row.max_data_category, row.updated_at = endpoint.max_data_category, now
    session.add(row)
    session.flush()
    return row.id


def save_agreement(session: orm.Session, agreement: domain.Agreement, now: dt.datetime) -> None:
    key = (agreement.id, agreement.version)
    row = session.get(t.Agreement, key) or t.Agreement(
        id=agreement.id, version=agreement.version, created_at=now
    )
    for name in ("ref", "title", "status", "legal_gateway_text", "dpia_ref", "controller_model",
                 "effective_from", "effective_to", "review_due", "suspend_on_overdue_review",
                 "ledger_retention_months"):  # fmt: skip
        setattr(row, name, getattr(agreement, name))
    row.legal_gateway_refs, row.updated_at = list(agreement.legal_gateway_refs), now
    session.add(row)
    session.flush()
    session.execute(
        sa.delete(t.AgreementParty).where(
            t.AgreementParty.dsa_id == agreement.id,
            t.AgreementParty.dsa_version == agreement.version,
        )
    )
    for partner_id, role in agreement.parties:
        session.add(
            t.AgreementParty(
                dsa_id=agreement.id, dsa_version=agreement.version, partner_id=partner_id, role=role
            )
        )
    session.flush()


def save_rule(session: orm.Session, rule: domain.SharingRule, now: dt.datetime) -> None:
    row = session.get(t.SharingRule, (rule.id, rule.version)) or t.SharingRule(
        id=rule.id, version=rule.version, created_at=now
    )
    for name in _RULE_PLAIN:
        setattr(row, name, getattr(rule, name))
    for name in _RULE_SETS:
        setattr(row, name, sorted(getattr(rule, name)))
    window = rule.move_date_window
    row.move_date_window = (
        {"min_days": window.min_days, "max_days": window.max_days} if window else None
    )
    row.payload_mode, row.ack_expected_days = (
        row.payload_mode or "full",
        row.ack_expected_days or 10,
    )
    row.updated_at = now
    session.add(row)
    session.flush()


def record_change(
    session: orm.Session,
    *,
    at: dt.datetime,
    actor: str,
    action: str,
    item_kind: str,
    item_key: str,
    item_version: int | None,
    file_sha256: str | None,
    detail: dict[str, Any],
) -> None:
    session.add(
        t.RegistryChange(
            id=ids.new_id(),
            at=at,
            actor=actor,
            action=action,
            item_kind=item_kind,
            item_key=item_key,
            item_version=item_version,
            file_sha256=file_sha256,
            detail=detail,
        )
    )
    session.flush()
