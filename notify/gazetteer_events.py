"""Gazetteer changes become partner events (sharing-and-delivery §5.2, §6.1).

Each ``gazetteer_change`` row written by a load becomes ``{ns}.gazetteer.address.<kind>`` for
every partner service with an active subscription to that type whose coverage contains the
UPRN's point, or that registered the UPRN (``relationship`` of kind ``holds_uprn``). No
personal data travels, so the choice is about subscriptions, event-type filters and partner
status, never consent. The outbox rows, lanes and ledger lines are the same as for moves;
the publication mark is written in the same transaction, so each change is published once.
A ``created`` change also settles the moves waiting for that UPRN (:mod:`notify.unresolved`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import orm

from core import db, ids
from core.settings import Settings
from gazetteer import repository as gazetteer_repository
from gazetteer import tables as gaz
from notify import (
    codes,
    domain,
    events,
    outbox,
    recheck,
    registry_repository,
    sql,
    unresolved,
)
from notify import repository as repo
from notify.tables import moves as m
from notify.tables import outbox as o
from notify.tables import review as r

GAZETTEER_RULE: Final = recheck.GAZETTEER_RULE  # data licence terms, no lawful basis
KIND_OF_CHANGE: Final[Mapping[str, str]] = {
    "created": codes.GAZ_CREATED,
    "changed": codes.GAZ_CHANGED,
    "retired": codes.GAZ_RETIRED,
    "deleted": codes.GAZ_DELETED,
}
BATCH: Final = 500
EXPIRY: Final = dt.timedelta(days=30)


@dataclass(frozen=True, kw_only=True, slots=True)
class Point:
    """What the gazetteer still knows of the changed UPRN (nothing once it is deleted)."""

    areas: frozenset[str] = frozenset()
    custodian_code: str = "0000"
    logical_status: str | None = None
    classification: str | None = None
    x: float | None = None
    y: float | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Recipient:
    service: domain.PartnerService
    subscription: domain.Subscription


def enqueue_pending(
    session: orm.Session, now: dt.datetime, *, settings: Settings | None = None
) -> int:
    """Turn every change not yet published into outbox rows; returns the deliveries created.

    Idempotent: a change is marked in the transaction that enqueues it (the caller commits)."""
    pending = _unpublished(session)
    if not pending:
        return 0
    settings = settings or Settings()
    keys = _keys(settings)
    registry = registry_repository.load(session)
    created = 0
    for change in pending:
        created += _publish(session, change, registry=registry, keys=keys, now=now)
    born = [change.uprn for change in pending if change.kind == "created"]
    unresolved.settle_created(session=session, uprns=born, settings=settings, now=now)
    return created


def _keys(settings: Settings) -> outbox.Keys:
    return outbox.Keys(
        secret=settings.secret_key.get_secret_value().encode(),
        namespace=settings.event_namespace,
        hub_host=settings.public_host,
    )


def _unpublished(session: orm.Session) -> list[gaz.GazetteerChange]:
    c, mark = gaz.GazetteerChange, r.GazetteerEventMark
    published = sa.select(mark.change_id).where(mark.change_id == c.id)
    query = sa.select(c).where(~published.exists()).order_by(c.id).limit(BATCH)
    found = list(session.scalars(query))
    if len(found) == BATCH:  # more are waiting: publish them in the same call
        return found + _rest(session, after=found[-1].id)
    return found


def _rest(session: orm.Session, *, after: int) -> list[gaz.GazetteerChange]:
    c, mark = gaz.GazetteerChange, r.GazetteerEventMark
    published = sa.select(mark.change_id).where(mark.change_id == c.id)
    query = sa.select(c).where(c.id > after, ~published.exists()).order_by(c.id)
    return list(session.scalars(query))


def _publish(
    session: orm.Session,
    change: gaz.GazetteerChange,
    *,
    registry: domain.Registry,
    keys: outbox.Keys,
    now: dt.datetime,
) -> int:
    kind = KIND_OF_CHANGE[change.kind]
    point = _point(session, change.uprn)
    recipients = _recipients(
        registry,
        kind=kind,
        point=point,
        watchers=_watchers(session, change.uprn, now),
        day=now.date(),
    )
    event_id = None
    if recipients:
        event_id = repo.add_outbox_event(
            session,
            type_=events.event_type(keys.namespace, kind),
            source=events.gazetteer_source(keys.hub_host, point.custodian_code),
            aggregate_kind="gazetteer",
            aggregate_id=str(change.id),
            occurred_at=change.occurred_at,
            correlation_id=str(change.id),
        )
    for recipient in recipients:
        _delivery(session, change, recipient, kind=kind, point=point, event_id=event_id or "",
                  keys=keys, now=now)  # fmt: skip
    session.add(
        r.GazetteerEventMark(
            change_id=change.id,
            outbox_event_id=event_id,
            deliveries=len(recipients),
            published_at=now,
        )
    )
    session.flush()
    return len(recipients)


def _point(session: orm.Session, uprn: int) -> Point:
    blpu = session.get(gaz.Blpu, uprn)
    if blpu is None:
        return Point()
    query = (
        sql.AREAS_COVERING_UPRN_SQLITE
        if db.is_sqlite(session)
        else sql.AREAS_COVERING_UPRN_POSTGRESQL
    )
    custodian = blpu.local_custodian_code
    return Point(
        areas=frozenset(session.scalars(query, {"uprn": uprn})),
        custodian_code=str(custodian).zfill(4) if custodian is not None else "0000",
        logical_status=blpu.logical_status,
        classification=gazetteer_repository.open_classification_code(session, uprn)
        or blpu.blpu_class,
        x=blpu.x_coordinate,
        y=blpu.y_coordinate,
    )


def _watchers(session: orm.Session, uprn: int, now: dt.datetime) -> frozenset[str]:
    rel = m.Relationship
    query = sa.select(rel.partner_service_id).where(
        rel.kind == "holds_uprn",
        rel.uprn == uprn,
        sa.or_(rel.valid_from.is_(None), rel.valid_from <= now),
        sa.or_(rel.valid_to.is_(None), rel.valid_to > now),
    )
    return frozenset(session.scalars(query))


def _recipients(
    registry: domain.Registry,
    *,
    kind: str,
    point: Point,
    watchers: frozenset[str],
    day: dt.date,
) -> list[Recipient]:
    """Active partners' services subscribed to ``kind`` that cover the point or watch the UPRN."""
    found = []
    for service in registry.services.values():
        partner = registry.partners.get(service.partner_id)
        if partner is None or partner.status != "active":
            continue
        covers = any(c.area_code in point.areas for c in service.coverage_on(day))
        if not (covers or service.id in watchers):
            continue
        found += [
            Recipient(service=service, subscription=s) for s in service.subscriptions_for(kind)
        ]
    return found


def event_data(
    change: gaz.GazetteerChange, point: Point, kind: str
) -> tuple[dict[str, Any], list[str]]:
    """``GAZ_ADDRESS`` always; ``GAZ_SUCCESSORS`` for a retirement (§2.1 field groups)."""
    address = {
        "uprn": str(change.uprn),
        "lpi": change.new_label if change.new_label is not None else change.old_label,
        "classification": point.classification,
        "logical_status": point.logical_status,
        "x": point.x,
        "y": point.y,
    }
    data: dict[str, Any] = {"change_id": str(change.id), "address": address}
    fields = ["GAZ_ADDRESS"]
    if kind == codes.GAZ_CHANGED:
        data |= _changed(change)
    if kind == codes.GAZ_RETIRED:
        successors = [str(change.successor_uprn)] if change.successor_uprn else []
        data |= {"retired_at": events.rfc3339(change.occurred_at), "successor_uprns": successors}
        fields.append("GAZ_SUCCESSORS")
    if kind == codes.GAZ_DELETED:
        data["deleted_at"] = events.rfc3339(change.occurred_at)
    return data | {"fields": fields}, fields


def _changed(change: gaz.GazetteerChange) -> dict[str, Any]:
    """What changed, and the compared values before and after (§5.2)."""
    return {
        "changed_attributes": list(change.attributes_changed()),
        "old": {"lpi": change.old_label, "classification": change.old_classification,
                "x": change.old_x, "y": change.old_y},
        "new": {"lpi": change.new_label, "classification": change.new_classification,
                "x": change.new_x, "y": change.new_y},
    }  # fmt: skip


def _delivery(
    session: orm.Session,
    change: gaz.GazetteerChange,
    recipient: Recipient,
    *,
    kind: str,
    point: Point,
    event_id: str,
    keys: outbox.Keys,
    now: dt.datetime,
) -> None:
    service, subscription = recipient.service, recipient.subscription
    endpoint_id = subscription.endpoint.id if subscription.endpoint else None
    key = events.gazetteer_ordering_key(change.uprn, service.partner_id)
    seq = repo.next_seq(session, ordering_key=key, endpoint_id=endpoint_id)
    header = _header(change, kind=kind, point=point, keys=keys, seq=seq, now=now)
    data, fields = event_data(change, point, kind)
    body = events.body(header, data)
    row = _row(header, recipient, body=body, fields=fields, event_id=event_id, key=key, now=now)
    repo.add_rows(session, [row])
    repo.add_rows(session, [_ledger_line(row, subscription.channel, body, keys, now)])
    repo.wake_lane(session, ordering_key=key, endpoint_id=endpoint_id, not_before=now)


def _header(
    change: gaz.GazetteerChange,
    *,
    kind: str,
    point: Point,
    keys: outbox.Keys,
    seq: int,
    now: dt.datetime,
) -> events.Header:
    return events.Header(
        id=ids.new_id(),
        namespace=keys.namespace,
        kind=kind,
        source=events.gazetteer_source(keys.hub_host, point.custodian_code),
        subject=f"uprn/{change.uprn}",
        time=change.occurred_at,
        recorded_time=now,
        sequence=seq,
        correlation_id=str(change.id),
        expiry_time=now + EXPIRY,
        data_category="non-sensitive",
        rule_label=GAZETTEER_RULE,
        schema_base=events.schema_base(keys.hub_host),
    )


def _row(
    header: events.Header,
    recipient: Recipient,
    *,
    body: bytes,
    fields: list[str],
    event_id: str,
    key: str,
    now: dt.datetime,
) -> o.Delivery:
    service, subscription = recipient.service, recipient.subscription
    return o.Delivery(
        id=header.id,
        outbox_event_id=event_id,
        subscription_id=subscription.id,
        endpoint_id=subscription.endpoint.id if subscription.endpoint else None,
        partner_id=service.partner_id,
        partner_service_id=service.id,
        rule_id=GAZETTEER_RULE,
        rule_version_planned=1,
        event_type=header.kind,
        role="within",
        source_channel="gazetteer",
        ordering_key=key,
        seq=header.sequence,
        state="pending",
        not_before=now,
        next_attempt_at=now,
        expires_at=header.expiry_time or now + EXPIRY,
        attempt_count=0,
        schedule_index=0,
        fields_planned=fields,
        attributes=events.attributes(header),
        body=body,
        possibly_received=False,
        created_at=now,
        updated_at=now,
    )


def _ledger_line(
    row: o.Delivery, channel: str, body: bytes, keys: outbox.Keys, now: dt.datetime
) -> o.Disclosure:
    """A ledger line with no subject: who got which gazetteer groups, under the licence."""
    return o.Disclosure(
        id=ids.new_id(),
        delivery_id=row.id,
        event_id=row.id,
        event_type=row.event_type,
        channel=channel,
        partner_id=row.partner_id,
        partner_service_id=row.partner_service_id,
        rule_id=GAZETTEER_RULE,
        rule_version=1,
        fields=list(row.fields_planned),
        payload_digest=keys.payload_digest(body),
        outcome="planned",
        planned_at=now,
        art19_status="n/a",
    )


def pending_count(session: orm.Session) -> int:
    """Changes not yet published (for the command line's summary)."""
    c, mark = gaz.GazetteerChange, r.GazetteerEventMark
    published = sa.select(mark.change_id).where(mark.change_id == c.id)
    return int(
        session.scalar(sa.select(sa.func.count()).select_from(c).where(~published.exists())) or 0
    )
