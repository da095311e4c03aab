"""Partner self-service on webhook endpoints.

A partner key works on its own partner's endpoints (any other is 404); an admin on all.

* ``GET /v1/endpoints``: status, health, queue counts and event types.
* ``POST /v1/endpoints``: a new endpoint (the URL passes the target guard), pending validation,
  with a ``whsec_`` secret shown once; optionally a bearer token or OAuth2 client credentials
  (the token URL guarded too; never both; secrets never shown), and a client certificate for
  mutual TLS (``mtls``; with either or alone; its key never shown).
* ``PATCH /v1/endpoints/{id}``: a new URL (guarded again), event types, description,
  bearer token or OAuth2 credentials (``oauth2: null`` removes them), client certificate
  (``mtls: null`` removes it).
* ``POST /v1/endpoints/{id}/rotate-secret``: a new secret shown once; the old one keeps
  signing for the overlap. ``/ack-secret`` does the same for the secret the partner signs
  its acknowledgements with (§6.14).
* ``POST /v1/endpoints/{id}/pause`` and ``/resume``: hold deliveries and let them go again.
* ``DELETE /v1/endpoints/{id}``: retire it (disabled, reason ``manual``; the record stays for the
  ledger, waiting deliveries are held for an operator to reroute or abandon).
* ``POST /v1/endpoints/{id}/test``: send a signed test event now and see the answer (status,
  latency, excerpt); not a delivery, no ledger line.
* ``POST /v1/endpoints/{id}/validate``: the validation handshake and a signed test event for an
  endpoint pending validation; when both pass it is active (re-enabling a disabled endpoint
  stays with operators: ``addresshub endpoints enable``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import typing
from typing import Annotated

import fastapi
from sqlalchemy import orm

from api import errors
from api.deps import (
    ClockDep,
    Principal,
    Role,
    SessionDep,
    SettingsDep,
    partner_scope,
    require_roles,
)
from api.schemas import endpoints as schemas
from core.clock import Clock
from core.settings import Settings
from notify import (
    ack_signing,
    delivery_service,
    endpoint_activation,
    endpoint_auth,
    endpoint_repository,
    ssrf,
    test_event,
)
from notify import endpoints as service
from notify.tables import registry
from notify.transports import mtls, webhook

router = fastapi.APIRouter(prefix="/v1", tags=["endpoints"])
Caller = Annotated[Principal, require_roles(Role.ADMIN, Role.PARTNER)]
MAX_OVERLAP_HOURS = int(delivery_service.MAX_OVERLAP / dt.timedelta(hours=1))
Overlap = Annotated[int, fastapi.Query(ge=0, le=MAX_OVERLAP_HOURS)]


def _policy(settings: Settings) -> ssrf.TargetPolicy:
    return ssrf.TargetPolicy.for_deployment(
        allow_private_targets=settings.allow_private_webhook_targets
    )


def _partner_for(principal: Principal, body: schemas.EndpointCreate) -> str:
    """A partner key's own partner (naming another is refused); an admin names one."""
    own = partner_scope(principal)
    chosen = body.partner_id if own is None else own
    if chosen is None or body.partner_id not in (None, chosen):
        raise service.PartnerNotFound("name the endpoint's own partner")
    return chosen


def _oauth2(given: schemas.OAuth2 | None) -> endpoint_auth.OAuthSettings | None:
    return endpoint_auth.OAuthSettings(**given.model_dump()) if given is not None else None


def _mtls(given: schemas.Mtls | None) -> mtls.ClientTLS | None:
    return mtls.ClientTLS(**given.model_dump()) if given is not None else None


def _view(session: orm.Session, endpoint: registry.Endpoint) -> schemas.Endpoint:
    rows = service.listing(session=session, partner_id=endpoint.partner_id)
    return schemas.Endpoint(**next(r for r in rows if r["endpoint_id"] == endpoint.id))


def _owned(session: orm.Session, endpoint_id: str, principal: Principal) -> registry.Endpoint:
    return service.owned(
        session=session, endpoint_id=endpoint_id, partner_id=partner_scope(principal)
    )


@router.get(
    "/endpoints",
    response_model=schemas.EndpointList,
    summary="A partner's webhook endpoints (admins see all)",
    responses=errors.responses_for(401, 403),
)
def list_endpoints(*, session: SessionDep, principal: Caller) -> schemas.EndpointList:
    rows = service.listing(session=session, partner_id=partner_scope(principal))
    return schemas.EndpointList(items=[schemas.Endpoint(**r) for r in rows])


@router.post(
    "/endpoints",
    response_model=schemas.EndpointSecret,
    status_code=201,
    summary="Add a webhook endpoint; its signing secret is shown once",
    responses=errors.responses_for(401, 403, 404, 422),
)
def create_endpoint(
    *,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    principal: Caller,
    body: schemas.EndpointCreate,
) -> schemas.EndpointSecret:
    partner_id = _partner_for(principal, body)
    created = service.create(session=session, partner_id=partner_id, url=body.url,
                             max_data_category=body.max_data_category, policy=_policy(settings),
                             actor=principal.key_id, now=clock.now(),
                             description=body.description,
                             operational_events=body.operational_events,
                             bearer_token=body.bearer_token,
                             oauth2=_oauth2(body.oauth2), mtls=_mtls(body.mtls))  # fmt: skip
    return schemas.EndpointSecret(endpoint=_view(session, created.endpoint), secret=created.secret)


@router.patch(
    "/endpoints/{endpoint_id}",
    response_model=schemas.Endpoint,
    summary="Change an endpoint's URL or event types",
    responses=errors.responses_for(401, 403, 404, 422),
)
def update_endpoint(
    *,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    principal: Caller,
    endpoint_id: str,
    body: schemas.EndpointUpdate,
) -> schemas.Endpoint:
    endpoint = _owned(session, endpoint_id, principal)
    service.update(session=session, endpoint=endpoint, url=body.url, event_types=body.event_types,
                   policy=_policy(settings), now=clock.now(), description=body.description,
                   operational_events=body.operational_events,
                   bearer_token=body.bearer_token,
                   oauth2=_oauth2(body.oauth2) if "oauth2" in body.model_fields_set
                   else endpoint_auth.KEEP,
                   mtls=_mtls(body.mtls) if "mtls" in body.model_fields_set
                   else endpoint_auth.KEEP)  # fmt: skip
    return _view(session, endpoint)


@router.post(
    "/endpoints/{endpoint_id}/rotate-secret",
    response_model=schemas.EndpointSecret,
    summary="A new signing secret, shown once; the old one signs on for the overlap",
    responses=errors.responses_for(401, 403, 404, 422),
)
def rotate_secret(
    *,
    session: SessionDep,
    clock: ClockDep,
    principal: Caller,
    endpoint_id: str,
    overlap_hours: Overlap = 24,
) -> schemas.EndpointSecret:
    def rotate(**kwargs: typing.Any) -> str:
        return delivery_service.rotate_secret(session=session, **kwargs)

    return _rotated(session, endpoint_id=endpoint_id, principal=principal, clock=clock,
                    overlap_hours=overlap_hours, rotate=rotate)  # fmt: skip


@router.post(
    "/endpoints/{endpoint_id}/ack-secret",
    response_model=schemas.EndpointSecret,
    summary="A new secret for signing acknowledgements, shown once (then acks must be signed)",
    responses=errors.responses_for(401, 403, 404, 422),
)
def rotate_ack_secret(
    *,
    session: SessionDep,
    clock: ClockDep,
    principal: Caller,
    endpoint_id: str,
    overlap_hours: Overlap = 24,
) -> schemas.EndpointSecret:
    def rotate(**kwargs: typing.Any) -> str:
        return ack_signing.rotate(session, **kwargs)

    return _rotated(session, endpoint_id=endpoint_id, principal=principal, clock=clock,
                    overlap_hours=overlap_hours, rotate=rotate)  # fmt: skip


def _rotated(
    session: orm.Session,
    *,
    endpoint_id: str,
    principal: Principal,
    clock: Clock,
    overlap_hours: int,
    rotate: typing.Callable[..., str],
) -> schemas.EndpointSecret:
    """Rotate one of the endpoint's secrets; the new one is shown once, the old one overlaps."""
    endpoint, now = _owned(session, endpoint_id, principal), clock.now()
    overlap = dt.timedelta(hours=overlap_hours)
    secret = rotate(endpoint_id=endpoint.id, actor=principal.key_id, now=now, overlap=overlap)
    return schemas.EndpointSecret(
        endpoint=_view(session, endpoint), secret=secret, previous_valid_until=now + overlap
    )


@router.post(
    "/endpoints/{endpoint_id}/pause",
    response_model=schemas.Endpoint,
    summary="Hold deliveries to an active endpoint",
    responses=errors.responses_for(401, 403, 404, 409),
)
def pause_endpoint(
    *, session: SessionDep, clock: ClockDep, principal: Caller, endpoint_id: str
) -> schemas.Endpoint:
    endpoint = _owned(session, endpoint_id, principal)
    service.pause(session=session, endpoint=endpoint, now=clock.now())
    return _view(session, endpoint)


@router.post(
    "/endpoints/{endpoint_id}/resume",
    response_model=schemas.Endpoint,
    summary="Lift a pause: held deliveries go again",
    responses=errors.responses_for(401, 403, 404, 409),
)
def resume_endpoint(
    *, session: SessionDep, clock: ClockDep, principal: Caller, endpoint_id: str
) -> schemas.Endpoint:
    endpoint = _owned(session, endpoint_id, principal)
    service.resume(session=session, endpoint=endpoint, actor=principal.key_id, now=clock.now())
    return _view(session, endpoint)


@router.delete(
    "/endpoints/{endpoint_id}",
    response_model=schemas.Endpoint,
    summary="Retire an endpoint: disabled (manual), its waiting deliveries held",
    responses=errors.responses_for(401, 403, 404),
)
def retire_endpoint(
    *, session: SessionDep, clock: ClockDep, principal: Caller, endpoint_id: str
) -> schemas.Endpoint:
    endpoint = _owned(session, endpoint_id, principal)
    endpoint_repository.disable_endpoint(session, endpoint=endpoint, reason="manual",
                                         now=clock.now())  # fmt: skip
    session.flush()
    return _view(session, endpoint)


@router.post(
    "/endpoints/{endpoint_id}/test",
    response_model=schemas.EndpointTestResult,
    summary="Send a signed test event now and see the endpoint's answer",
    responses=errors.responses_for(401, 403, 404, 422),
)
def send_test_event(
    *, session: SessionDep, settings: SettingsDep, clock: ClockDep, principal: Caller,
    endpoint_id: str,
) -> schemas.EndpointTestResult:  # fmt: skip
    target = test_event.target(session=session, endpoint_id=endpoint_id,
                               partner_id=partner_scope(principal), now=clock.now())  # fmt: skip
    session.commit()  # read only: no transaction stays open while the request is in flight
    outcome = asyncio.run(_send_test(settings, target, clock.now()))
    return schemas.EndpointTestResult.model_validate(outcome, from_attributes=True)


async def _send_test(
    settings: Settings, target: test_event.Target, now: dt.datetime
) -> test_event.Outcome:
    sender = webhook.AiohttpSender(policy=_policy(settings))
    try:
        return await test_event.send(
            sender=sender,
            target=target,
            namespace=settings.event_namespace,
            hub_host=settings.public_host,
            now=now,
        )
    finally:
        await sender.close()


@router.post(
    "/endpoints/{endpoint_id}/validate",
    response_model=schemas.Endpoint,
    summary="Validate an endpoint pending validation: handshake and test event, then active",
    responses=errors.responses_for(
        401, 403, 404, 409,
        s409="Not pending validation (`endpoint_state_conflict`), or the handshake or the "
        "test event failed (`validation_failed`, with the reason).",
    ),
)  # fmt: skip
def validate_endpoint(
    *, session: SessionDep, settings: SettingsDep, clock: ClockDep, principal: Caller,
    endpoint_id: str,
) -> schemas.Endpoint:  # fmt: skip
    endpoint = _owned(session, endpoint_id, principal)
    if endpoint.status != "pending_validation":
        raise service.EndpointStateConflict(
            f"only an endpoint pending validation is validated here; this one is {endpoint.status}"
        )
    target = endpoint_activation.target(session=session, endpoint_id=endpoint.id, now=clock.now())
    session.commit()  # no transaction stays open while the requests are in flight
    validation = asyncio.run(endpoint_activation.run(target, settings=settings, now=clock.now()))
    activated = delivery_service.record_validation(
        session=session,
        endpoint_id=endpoint_id,
        validation=validation,
        actor=principal.key_id,
        now=clock.now(),
    )
    return _view(session, activated)
