"""The demo's partners, agreement and rules, their webhook endpoints and signing secrets.

The registry is the bundled ``data/demo-registry.yaml`` with the receivers' base URL filled
in, applied by :func:`notify.registry_service.apply_file` as ``addresshub rules apply`` would.
Then, for the demo partners only:

* every endpoint may reach the local receivers (``allow_private_network``; the demo also
  runs the worker with ``ADDRESSHUB_ALLOW_PRIVATE_WEBHOOK_TARGETS``);
* every endpoint has a current ``whsec_`` secret (made once, as an operator would);
* a subscription left from an earlier run with other receiver URLs is paused, so nothing is
  sent to a receiver that no longer listens.

The caller commits.
"""

from __future__ import annotations

import datetime as dt
import string
from typing import Final

import sqlalchemy as sa
from sqlalchemy import orm

from api.demo import receivers as receivers_
from api.demo import sample
from notify import delivery_service, registry_file, registry_service
from notify import delivery_tables as secrets_table
from notify.registry_service import ApplyReport
from notify.tables import registry as t

REGISTRY_FILE: Final = "demo-registry.yaml"
ACTOR: Final = "addresshub demo"


def registry_text(receivers_base: str) -> str:
    """The demo registry file with ``${receivers}`` replaced by ``receivers_base``."""
    template = (sample.DATA / REGISTRY_FILE).read_text(encoding="utf-8")
    return string.Template(template).substitute(receivers=receivers_base)


def partner_codes(text: str) -> list[str]:
    return sorted(registry_file.parse(text).partners)


def register(
    *, session: orm.Session, receivers_base: str, now: dt.datetime
) -> tuple[ApplyReport, list[receivers_.Inbox]]:
    """Apply the demo registry and ready its endpoints; returns the report and the inboxes."""
    text = registry_text(receivers_base)
    report = registry_service.apply_file(session=session, text=text, actor=ACTOR, now=now)
    session.flush()
    inboxes = []
    for subscription, endpoint in _subscriptions(session, partner_codes(text)):
        if not endpoint.url.startswith(receivers_base + "/"):
            subscription.status = "paused"
            continue
        endpoint.allow_private_network = True
        inboxes.append(
            receivers_.Inbox(
                service_id=subscription.partner_service_id,
                url=endpoint.url,
                secrets=tuple(_secrets(session, endpoint.id, now)),
            )
        )
    session.flush()
    return report, inboxes


def _subscriptions(
    session: orm.Session, partners: list[str]
) -> list[tuple[t.Subscription, t.Endpoint]]:
    query = (
        sa.select(t.Subscription, t.Endpoint)
        .join(t.Endpoint, t.Endpoint.id == t.Subscription.endpoint_id)
        .where(t.Endpoint.partner_id.in_(partners), t.Subscription.channel == "webhook")
        .order_by(t.Subscription.partner_service_id)
    )
    return [(s, e) for s, e in session.execute(query)]


def _secrets(session: orm.Session, endpoint_id: str, now: dt.datetime) -> list[str]:
    """The endpoint's valid outbound secrets; a first one is made when it has none."""
    table = secrets_table.EndpointSecret
    rows = session.scalars(
        sa.select(table)
        .where(
            table.endpoint_id == endpoint_id,
            table.direction == "outbound",
            table.state.in_(("current", "previous")),
        )
        .order_by(table.created_at.desc())
    )
    valid = [r.secret for r in rows if r.expires_at is None or r.expires_at > now]
    if valid:
        return valid
    secret = delivery_service.rotate_secret(
        session=session, endpoint_id=endpoint_id, actor=ACTOR, now=now, overlap=dt.timedelta(0)
    )
    return [secret]
