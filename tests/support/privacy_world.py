"""Moves carried through delivery, for the data-protection tests (integration and acceptance).

* :func:`seed`: the sharing world (gazetteer, areas, example registry) with a signing secret on
  every endpoint.
* :func:`submit`: a move reported through ``notify.service.submit_move`` by a canary mover
  (old address typed in, contact given) with a canary household member.
* :func:`dispatch`: the worker's own steps (claim and prepare, then finish), round after
  round with the clock moving on, with the receivers' answers made up by ``respond`` instead
  of sent over the network.
* :func:`answers`: a receiver per service: council tax takes it, electoral registration fails
  first with a 500 echoing the body (as some partners do) and then times out (possibly
  received) until the delivery is dead, so the libraries event behind it in the same lane
  stays queued; Art. 19 notices are taken.
* :func:`find_values`: every (table, column) of the whole schema holding any of the values.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy import orm

import migrations
from notify import (
    delivery_gate,
    delivery_service,
    intake,
    move_domain,
    registry_repository,
    service,
)
from notify.dispatch import common, finish, prepare
from notify.tables import outbox as o
from notify.tables import registry as r
from notify.transports import webhook
from tests.integration import sharing_world as w
from tests.strategies import Canary

SETTINGS = w.SETTINGS
NOW = w.NOW
RELEASED = dt.datetime(2025, 3, 14, 9, 0, tzinfo=dt.UTC)  # the move date, after release
Respond = Callable[[str, bytes], webhook.WebhookResult]


def seed(session: orm.Session) -> None:
    w.seed(session)
    for endpoint_id in session.scalars(sa.select(r.Endpoint.id)):
        delivery_service.rotate_secret(
            session=session, endpoint_id=endpoint_id, actor="test", now=NOW
        )
    session.commit()


def _person(canary: Canary) -> intake.PersonDetails:
    return intake.PersonDetails(
        given_name=canary.given_name,
        family_name=canary.family_name,
        date_of_birth=canary.date_of_birth,
    )


def submit(
    session: orm.Session,
    mover: Canary,
    member: Canary,
    *,
    now: dt.datetime = NOW,
    **changes: Any,
) -> service.Submitted:
    """The move, committed; ``changes`` replace fields of the request (``move_date``...)."""
    request = w.request(
        person=_person(mover),
        household=(
            intake.MemberDetails(
                person=_person(member),
                relationship="partner",
                authority="permission_obtained",
                statement_version="decl-2025-01",
            ),
        ),
        contact=move_domain.Contact(email=mover.email, phone=mover.phone),
        old_uprn=None,
        old_address_text=mover.address,
        **changes,
    )
    result = service.submit_move(session=session, request=request, settings=SETTINGS, now=now)
    session.commit()
    return result


def answers() -> Respond:
    tries: dict[str, int] = {}

    def respond(service_id: str, body: bytes) -> webhook.WebhookResult:
        event = json.loads(body)
        if event["type"].endswith("personal_data.erased") or service_id != (
            "NEWTOWN-DC/ELECTORAL_REG"
        ):
            return webhook.WebhookResult(status=200)
        tries[event["id"]] = tries.get(event["id"], 0) + 1
        if tries[event["id"]] == 1:
            return webhook.WebhookResult(status=500, excerpt=body.decode()[:1024])
        return webhook.WebhookResult(error_kind="timeout")

    return respond


def dispatch(
    session: orm.Session,
    *,
    now: dt.datetime = RELEASED,
    respond: Respond | None = None,
    rounds: int = 12,
) -> dt.datetime:
    """Run the worker's steps ``rounds`` times, a minute apart; returns the time after."""
    respond = respond or answers()
    cfg = common.Config(worker_id="privacy-test", time_scale=0.0001, rng=random.Random(7))
    gate = delivery_gate.RegistryGate(registry_repository.load)
    for _ in range(rounds):
        claimed = prepare.claim_and_prepare(session, cfg=cfg, gate=gate, now=now, k=100)
        session.commit()
        query = sa.select(o.Delivery.id, o.Delivery.partner_service_id).where(
            o.Delivery.id.in_([s.delivery_id for s in claimed.sends])
        )
        services = {row.id: row.partner_service_id for row in session.execute(query)}
        results = [
            common.Result(send=s, result=respond(services[s.delivery_id], s.body), finished_at=now)
            for s in claimed.sends
        ]
        finish.finish(session, results=results, cfg=cfg)
        session.commit()
        now += dt.timedelta(minutes=1)
    return now


def deliveries(session: orm.Session, submission_id: str) -> dict[str, o.Delivery]:
    """The submission's deliveries (not notices) by partner service."""
    query = sa.select(o.Delivery).where(
        o.Delivery.submission_id == submission_id, o.Delivery.rule_id != "ART19_NOTICE"
    )
    return {d.partner_service_id: d for d in session.scalars(query)}


def _text(value: Any) -> str:
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def find_values(session: orm.Session, values: Iterable[str]) -> set[tuple[str, str, str]]:
    """Every (table, column, value) where a value appears, in every table of the schema."""
    needles = list(values)
    found: set[tuple[str, str, str]] = set()
    for table in migrations.load_metadata().sorted_tables:
        columns = [c for c in table.columns if not isinstance(c.type, Geometry)]
        for row in session.execute(sa.select(*columns)):
            for column, value in zip(columns, row, strict=True):
                text = _text(value)
                found |= {(table.name, column.name, n) for n in needles if n in text}
    return found
