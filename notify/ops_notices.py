"""Operational notices reach people (sharing-and-delivery §6.6, §6.15): operational webhooks.

The worker records a notice (``ops_notice``) when an endpoint is disabled (410, sustained
failure, SSRF block), keeps failing, recovers (re-enabled after validation), or a delivery is
exhausted; :func:`send_pending` first records ``feed.stale`` for pull feeds not fetched for
``feed_stale_days`` (:mod:`notify.feed_stale`), then sends each unsent notice, as a signed
CloudEvent (``{ns}.endpoint.disabled`` …, Standard Webhooks, the same scheme as deliveries), to:

* the operations endpoint of the settings (``ops_webhook_url`` with ``ops_webhook_secret``);
* every other *active* endpoint of the notice's partner that takes operational events
  (``endpoint.operational_events``), signed with that endpoint's own secrets. The endpoint the
  notice is about never gets it (it is the one not answering).

Notices carry ids, codes, counts and times only (never personal data, V16). Each try is
recorded (``ops_notice_send``); a target that answered 2xx is not sent the notice again, one
that failed is tried again on later runs, up to :data:`MAX_TRIES`; the notice is marked
``sent_at`` once no target is left to try. :func:`listing` serves ``GET /v1/ops-notices``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import orm

from core import db, ids
from core.settings import Settings
from notify import (
    canonical,
    endpoint_repository,
    event_catalog,
    events,
    feed_stale,
    paging,
    signing,
)
from notify import delivery_extras_tables as xt
from notify import delivery_tables as dt_tables
from notify.tables import registry
from notify.transports import mtls, oauth, webhook

OPS_TARGET: Final = "ops"
ENDPOINT_TARGET: Final = "endpoint"
MAX_TRIES: Final = 5
BATCH: Final = 100


@dataclass(frozen=True, kw_only=True, slots=True)
class Target:
    kind: str
    endpoint_id: str | None
    url: str
    secrets: tuple[str, ...]
    bearer_token: str | None = None
    oauth: oauth.OAuthClient | None = None
    tls: mtls.ClientTLS | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Outgoing:
    notice_id: str
    target: Target
    body: bytes


@dataclass(frozen=True, kw_only=True, slots=True)
class Sent:
    """What one run did: sends tried, sends answered 2xx, notices closed."""

    tried: int = 0
    delivered: int = 0
    closed: int = 0


def event_body(notice: dt_tables.OpsNotice, *, namespace: str, hub_host: str) -> bytes:
    """The notice as a CloudEvent: ids, codes and counts only."""
    data: dict[str, Any] = {
        "notice_id": notice.id,
        "kind": notice.kind,
        "partner_id": notice.partner_id,
        "endpoint_id": notice.endpoint_id,
        "delivery_id": notice.delivery_id,
        "detail": dict(notice.detail or {}),
    }
    return canonical.dumps(
        {
            "specversion": events.SPEC_VERSION,
            "id": notice.id,
            "source": f"https://{hub_host}/ops",
            "type": f"{namespace}.{notice.kind}",  # operational kinds: not person events
            "time": events.rfc3339(_aware(notice.created_at)),
            "datacontenttype": "application/json",
            "dataschema": event_catalog.dataschema(
                namespace=namespace, hub_host=hub_host, kind=notice.kind
            ),
            "data": data,
        }
    )


def _aware(at: dt.datetime) -> dt.datetime:
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)


def request(outgoing: Outgoing, at: dt.datetime) -> webhook.WebhookRequest:
    msg_id = signing.message_id(outgoing.notice_id)
    signed = signing.headers(
        msg_id=msg_id, body=outgoing.body, at=at, secrets_=outgoing.target.secrets
    )
    headers = webhook.event_headers(signed, content_type=events.CONTENT_TYPE,
                                    bearer_token=outgoing.target.bearer_token)  # fmt: skip
    return webhook.WebhookRequest(url=outgoing.target.url, body=outgoing.body, headers=headers,
                                  oauth=outgoing.target.oauth,
                                  tls=outgoing.target.tls)  # fmt: skip


# -- choosing what to send ------------------------------------------------------------------


def outgoing(session: orm.Session, *, settings: Settings, now: dt.datetime) -> list[Outgoing]:
    """Every (unsent notice, target) still to try; notices with none left are closed."""
    query = (
        sa.select(dt_tables.OpsNotice)
        .where(dt_tables.OpsNotice.sent_at.is_(None))
        .order_by(dt_tables.OpsNotice.created_at, dt_tables.OpsNotice.id)
        .limit(BATCH)
    )
    notices = list(session.scalars(query))
    tries = _tries(session, [n.id for n in notices])
    found: list[Outgoing] = []
    for notice in notices:
        left = [t for t in targets(session, notice, settings, now) if _open(tries, notice.id, t)]
        if not left:
            notice.sent_at = now
            continue
        body = event_body(notice, namespace=settings.event_namespace, hub_host=settings.public_host)
        found += [Outgoing(notice_id=notice.id, target=t, body=body) for t in left]
    session.flush()
    return found


def targets(
    session: orm.Session, notice: dt_tables.OpsNotice, settings: Settings, now: dt.datetime
) -> list[Target]:
    """The operations endpoint, then the partner's other endpoints taking operational events."""
    found: list[Target] = []
    if settings.ops_webhook_url and settings.ops_webhook_secret:
        secret = settings.ops_webhook_secret.get_secret_value()
        found.append(Target(kind=OPS_TARGET, endpoint_id=None, url=settings.ops_webhook_url,
                            secrets=(secret,)))  # fmt: skip
    if notice.partner_id is None:
        return found
    query = sa.select(registry.Endpoint).where(
        registry.Endpoint.partner_id == notice.partner_id,
        registry.Endpoint.status == "active",
        registry.Endpoint.operational_events.is_(True),
    )
    endpoints = [e for e in session.scalars(query) if e.id != notice.endpoint_id]
    secrets = endpoint_repository.active_secrets(session, [e.id for e in endpoints], now)
    for endpoint in sorted(endpoints, key=lambda e: e.id):
        own = tuple(s.secret for s in secrets.get(endpoint.id, []))
        if own:
            found.append(Target(kind=ENDPOINT_TARGET, endpoint_id=endpoint.id, url=endpoint.url,
                                secrets=own, bearer_token=endpoint.bearer_token,
                                oauth=endpoint.oauth_client,
                                tls=endpoint.client_tls))  # fmt: skip
    return found


def _tries(session: orm.Session, notice_ids: Sequence[str]) -> dict[tuple[str, str], list[bool]]:
    """Per (notice, target key): whether each earlier try got a 2xx."""
    if not notice_ids:
        return {}
    query = sa.select(xt.OpsNoticeSend).where(xt.OpsNoticeSend.notice_id.in_(list(notice_ids)))
    found: dict[tuple[str, str], list[bool]] = {}
    for row in session.scalars(query):
        ok = row.http_status is not None and 200 <= row.http_status < 300
        found.setdefault((row.notice_id, row.endpoint_id or OPS_TARGET), []).append(ok)
    return found


def _open(tries: dict[tuple[str, str], list[bool]], notice_id: str, target: Target) -> bool:
    earlier = tries.get((notice_id, target.endpoint_id or OPS_TARGET), [])
    return not any(earlier) and len(earlier) < MAX_TRIES


# -- sending --------------------------------------------------------------------------------


async def send_pending(
    *, sessions: db.SessionFactory, sender: webhook.Sender, settings: Settings, now: dt.datetime
) -> Sent:
    """Send every unsent notice to its targets now and record what came back."""
    with db.unit_of_work(sessions, immediate=True) as session:
        feed_stale.record(session, now=now, stale_after=dt.timedelta(days=settings.feed_stale_days))
        found = outgoing(session, settings=settings, now=now)
    if not found:
        return Sent()
    results = await asyncio.gather(*(sender.send(request(o, now)) for o in found))
    with db.unit_of_work(sessions, immediate=True) as session:
        for item, result in zip(found, results, strict=True):
            _record(session, item, result, now)
        session.flush()
        closed = len([n for n in {o.notice_id for o in found} if _close(session, n, settings, now)])
    delivered = sum(1 for r in results if r.status is not None and 200 <= r.status < 300)
    return Sent(tried=len(found), delivered=delivered, closed=closed)


def _record(
    session: orm.Session, item: Outgoing, result: webhook.WebhookResult, now: dt.datetime
) -> None:
    session.add(
        xt.OpsNoticeSend(
            id=ids.new_id(),
            notice_id=item.notice_id,
            target=item.target.kind,
            endpoint_id=item.target.endpoint_id,
            http_status=result.status,
            error_kind=result.error_kind,
            latency_ms=round(result.latency_s * 1000),
            excerpt=result.excerpt,
            at=now,
        )
    )


def _close(session: orm.Session, notice_id: str, settings: Settings, now: dt.datetime) -> bool:
    notice = session.get(dt_tables.OpsNotice, notice_id)
    if notice is None or notice.sent_at is not None:
        return False
    tries = _tries(session, [notice_id])
    if any(_open(tries, notice_id, t) for t in targets(session, notice, settings, now)):
        return False
    notice.sent_at = now
    return True


# -- reading --------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class Page:
    items: list[dt_tables.OpsNotice]
    next_cursor: str | None


def listing(
    *,
    session: orm.Session,
    partner_id: str | None,
    kind: str | None = None,
    after: str | None = None,
    limit: int = 100,
) -> Page:
    """Notices in id order (ULIDs: time order); ``partner_id=None`` means every partner."""
    paging.check_limit(limit)
    query = sa.select(dt_tables.OpsNotice).order_by(dt_tables.OpsNotice.id).limit(limit + 1)
    if partner_id is not None:
        query = query.where(dt_tables.OpsNotice.partner_id == partner_id)
    if kind is not None:
        query = query.where(dt_tables.OpsNotice.kind == kind)
    if after is not None:
        query = query.where(dt_tables.OpsNotice.id > after)
    rows = list(session.scalars(query))
    page = rows[:limit]
    return Page(items=page, next_cursor=page[-1].id if len(rows) > limit else None)
