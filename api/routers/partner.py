"""The partner side: the delivery log, business acknowledgements and the pull feed.

* ``GET /v1/deliveries``: a partner key sees its own partner's deliveries, an admin every one;
  filtered by ``status``, creation time (``since``, ``until``), ``partner`` (admins) and
  ``endpoint``, paged with ``after``.
* ``POST /v1/deliveries/{id}/ack``: a partner key acknowledges a delivery sent to it
  (``applied``, ``not_known``, ``rejected``, ``needs_info``); 404 for any other delivery. An
  ``Idempotency-Key`` header makes a retry return the first response (§6.8). Once the partner
  holds an acknowledgement secret, acks must carry a valid Standard Webhooks signature
  (§6.14); a repeated ``webhook-id`` returns the first response.
* ``GET /v1/feed`` and ``POST /v1/feed/ack``: the pull feed of a partner key's partner;
  ``wait`` (up to 30 s) holds an empty page until an item is ready, looking again each second
  with no transaction open in between.
* ``GET /v1/file-batches``, ``GET /v1/file-batches/{id}/file`` and
  ``POST /v1/file-batches/{id}/collected``: a partner's file-drop batches; the first download
  or the confirmation marks a batch collected (the transport acknowledgement, §6.13).
"""

from __future__ import annotations

import asyncio
import time
from typing import Annotated, Any, Final

import fastapi
from pydantic import AwareDatetime
from starlette.concurrency import run_in_threadpool

from api import errors
from api.deps import (
    ClockDep,
    Principal,
    Role,
    SessionDep,
    SettingsDep,
    WritingSessionDep,
    require_roles,
)
from api.schemas import partner as schemas
from core.errors import Forbidden
from notify import ack_signing, acks, feed, idempotency, paging
from notify import delivery_extras_tables as xt
from notify import file_drop_collection as collection
from notify import partner_tables as pt

router = fastapi.APIRouter(prefix="/v1", tags=["partner"])
#: The pull feed's long poll: at most this long (sharing-and-delivery §6.12), looking again
#: this often.
MAX_WAIT_S: Final = 30
FEED_POLL_S: Final = 1.0


async def _raw_body(request: fastapi.Request) -> bytes:
    """The exact bytes the partner signed (FastAPI keeps them after parsing the model)."""
    return await request.body()


RawBody = Annotated[bytes, fastapi.Depends(_raw_body)]
IdempotencyKey = Annotated[
    str | None,
    fastapi.Header(
        alias="Idempotency-Key",
        max_length=200,
        description="The same key with the same body returns the first response (24 h); "
        "with a different body, 422 idempotency_key_mismatch.",
    ),
]
Reader = Annotated[Principal, require_roles(Role.ADMIN, Role.PARTNER)]
PartnerKey = Annotated[Principal, require_roles(Role.PARTNER)]


def _ack(row: pt.PartnerAck) -> schemas.Ack:
    return schemas.Ack.model_validate(row, from_attributes=True)


def _log_item(entry: acks.LogEntry) -> schemas.DeliveryLogItem:
    d = entry.delivery
    return schemas.DeliveryLogItem(
        id=d.id,
        partner_id=d.partner_id,
        partner_service_id=d.partner_service_id,
        event_type=d.event_type,
        state=d.state,
        attempt_count=d.attempt_count,
        last_http_status=d.last_http_status,
        last_error_kind=d.last_error_kind,
        close_reason=d.close_reason,
        created_at=d.created_at,
        updated_at=d.updated_at,
        ack=_ack(entry.ack) if entry.ack else None,
    )


@router.get(
    "/deliveries",
    response_model=schemas.DeliveryLogPage,
    summary="The delivery log: a partner's own deliveries (admins see all)",
    responses=errors.responses_for(401, 403, 422),
)
def list_deliveries(
    *,
    session: SessionDep,
    principal: Reader,
    status: Annotated[
        schemas.DeliveryState | None, fastapi.Query(description="Only deliveries in this state.")
    ] = None,
    since: Annotated[
        AwareDatetime | None, fastapi.Query(description="Created at or after (with its offset).")
    ] = None,
    until: Annotated[
        AwareDatetime | None, fastapi.Query(description="Created before (with its offset).")
    ] = None,
    partner: Annotated[
        str | None, fastapi.Query(max_length=64, description="Only this partner's (admins).")
    ] = None,
    endpoint: Annotated[
        str | None, fastapi.Query(max_length=36, description="Only those sent to this endpoint.")
    ] = None,
    after: Annotated[str | None, fastapi.Query(max_length=36)] = None,
    limit: Annotated[int, fastapi.Query(ge=1, le=paging.MAX_PAGE)] = 100,
) -> schemas.DeliveryLogPage:
    partner_id = _log_partner(principal, partner)
    page = acks.delivery_log(session=session, partner_id=partner_id, state=status, since=since,
                             until=until, endpoint_id=endpoint, after=after,
                             limit=limit)  # fmt: skip
    return schemas.DeliveryLogPage(
        items=[_log_item(e) for e in page.items], next_cursor=page.next_cursor
    )


@router.post(
    "/deliveries/{delivery_id}/ack",
    response_model=schemas.Ack,
    summary="Acknowledge a delivery: applied, not_known, rejected or needs_info",
    description="Signed with the Standard Webhooks headers (webhook-id, webhook-timestamp, "
    "webhook-signature) under the partner's acknowledgement secret once it has one. A repeated "
    "webhook-id or Idempotency-Key with the same body returns the first answer.",
    responses=errors.responses_for(401, 403, 404, 409, 422),
)
def acknowledge(
    *,
    session: SessionDep,
    clock: ClockDep,
    principal: PartnerKey,
    delivery_id: str,
    body: schemas.AckCreate,
    raw: RawBody,
    request: fastapi.Request,
    response: fastapi.Response,
    idempotency_key: IdempotencyKey = None,
) -> schemas.Ack:
    partner_id, now = principal.partner_id or "", clock.now()
    webhook_id = ack_signing.check(session, partner_id=partner_id, body=raw,
                                   headers=request.headers, now=now)  # fmt: skip
    keys = [(f"partner:{partner_id}", k) for k in (idempotency_key,) if k]
    keys += [(f"partner:{partner_id}:webhook-id", k) for k in (webhook_id,) if k]
    sha = idempotency.fingerprint({"delivery_id": delivery_id, "ack": body.model_dump(mode="json")})
    for actor, key in keys:
        stored = idempotency.replay(session, actor=actor, key=key, request_sha256=sha, now=now)
        if stored is not None:
            response.status_code = stored.status_code
            return schemas.Ack.model_validate(stored.response)
    ask = _ack_request(body, delivery_id=delivery_id, partner_id=partner_id, webhook_id=webhook_id)
    done = acks.acknowledge(session=session, request=ask, actor=principal.key_id, now=now)
    response.status_code = 201 if done.created else 200
    answer = _ack(done.ack)
    kept = idempotency.Stored(status_code=response.status_code,
                              response=answer.model_dump(mode="json"))  # fmt: skip
    for actor, key in keys:
        idempotency.store(session, actor=actor, key=key, request_sha256=sha, stored=kept, now=now)
    return answer


def _ack_request(
    body: schemas.AckCreate, *, delivery_id: str, partner_id: str, webhook_id: str | None
) -> acks.AckRequest:
    english, welsh = body.messages()
    applied = tuple(body.fields_applied) if body.fields_applied is not None else None
    return acks.AckRequest(delivery_id=delivery_id, partner_id=partner_id, outcome=body.outcome,
                           reason_code=body.reason_code, message=english, message_cy=welsh,
                           partner_case_ref=body.partner_case_ref, fields_applied=applied,
                           webhook_id=webhook_id)  # fmt: skip


_NOT_A_PULL_SUBSCRIPTION = "Not one of the partner's pull subscriptions (`subscription_not_found`)."


@router.get(
    "/feed",
    response_model=schemas.FeedPage,
    summary="The pull feed: the partner's signed events in order",
    responses=errors.responses_for(401, 403, 404, 422, s404=_NOT_A_PULL_SUBSCRIPTION),
)
async def read_feed(
    *,
    session: WritingSessionDep,
    clock: ClockDep,
    principal: PartnerKey,
    subscription: Annotated[
        str | None,
        fastapi.Query(
            max_length=36,
            description="One of the partner's pull subscriptions: that service's own feed and "
            "cursor (the others' place is not moved). Omitted: all of the partner's pull items.",
        ),
    ] = None,
    after: Annotated[str | None, fastapi.Query(max_length=40)] = None,
    limit: Annotated[int, fastapi.Query(ge=1, le=feed.MAX_LIMIT)] = 100,
    wait: Annotated[
        int,
        fastapi.Query(
            ge=0,
            le=MAX_WAIT_S,
            description="Seconds to wait for an item when none is ready (long poll); the page "
            "comes back as soon as one is, or empty when the time is up.",
        ),
    ] = 0,
) -> schemas.FeedPage:
    deadline, partner_id = time.monotonic() + wait, principal.partner_id or ""
    while True:
        page = await run_in_threadpool(feed.fetch, session=session, partner_id=partner_id,
                                       after=after, limit=limit, now=clock.now(),
                                       subscription_id=subscription)  # fmt: skip
        left = deadline - time.monotonic()
        if page.items or left <= 0:
            return _feed_page(page)
        # while waiting no transaction stays open (and the feed's cursor row stays unlocked)
        await run_in_threadpool(session.commit)
        await asyncio.sleep(min(FEED_POLL_S, left))


def _feed_page(page: feed.Page) -> schemas.FeedPage:
    return schemas.FeedPage(
        items=[schemas.FeedItem.model_validate(i, from_attributes=True) for i in page.items],
        next_cursor=page.next_cursor,
        has_more=page.has_more,
    )


@router.post(
    "/feed/ack",
    response_model=schemas.FeedCommitted,
    summary="Commit the pull feed up to a cursor: those items are delivered",
    responses=errors.responses_for(401, 403, 404, 422, s404=_NOT_A_PULL_SUBSCRIPTION),
)
def commit_feed(
    *, session: SessionDep, clock: ClockDep, principal: PartnerKey, body: schemas.FeedCommit
) -> schemas.FeedCommitted:
    done = feed.commit(session=session, partner_id=principal.partner_id or "",
                       cursor=body.cursor, now=clock.now(),
                       subscription_id=body.subscription)  # fmt: skip
    return schemas.FeedCommitted(committed=done, cursor=body.cursor)


def _log_partner(principal: Principal, asked: str | None) -> str | None:
    """The partner whose log is read: a partner key's own (asking for another is refused)."""
    if principal.role != Role.PARTNER:
        return asked
    if asked is not None and asked != principal.partner_id:
        raise Forbidden("a partner key reads only its own partner's deliveries")
    return principal.partner_id


def _scope(principal: Principal) -> str | None:
    return principal.partner_id if principal.role == Role.PARTNER else None


_CSV: dict[int | str, dict[str, Any]] = {200: {"content": {"text/csv": {}}}}


def _batch(row: xt.FileBatch) -> schemas.FileBatch:
    return schemas.FileBatch.model_validate(row, from_attributes=True)


@router.get(
    "/file-batches",
    response_model=schemas.FileBatchPage,
    summary="File-drop batches: a partner's own (admins see all)",
    responses=errors.responses_for(401, 403, 422),
)
def list_file_batches(
    *,
    session: SessionDep,
    principal: Reader,
    state: Annotated[
        schemas.FileBatchState | None, fastapi.Query(description="Only batches in this state.")
    ] = None,
    after: Annotated[str | None, fastapi.Query(max_length=36)] = None,
    limit: Annotated[int, fastapi.Query(ge=1, le=paging.MAX_PAGE)] = 100,
) -> schemas.FileBatchPage:
    rows = collection.listing(session, partner_id=_scope(principal), state=state, after=after,
                              limit=limit + 1)  # fmt: skip
    page = rows[:limit]
    cursor = page[-1].id if len(rows) > limit else None
    return schemas.FileBatchPage(items=[_batch(b) for b in page], next_cursor=cursor)


@router.get(
    "/file-batches/{batch_id}/file",
    response_class=fastapi.responses.Response,
    summary="Download a batch's CSV; the first download marks it collected",
    responses=errors.responses_for(401, 403, 404, 409) | _CSV,
)
def download_file_batch(
    *,
    session: WritingSessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    principal: PartnerKey,
    batch_id: str,
) -> fastapi.Response:
    batch = collection.owned(session, batch_id=batch_id, partner_id=principal.partner_id or "")
    data = collection.content(batch, settings.file_drop_directory)
    collection.collect(session, batch_id=batch_id, actor=principal.key_id, via="download",
                       now=clock.now(), partner_id=principal.partner_id or "")  # fmt: skip
    disposition = f'attachment; filename="{batch.file_name}"'
    return fastapi.Response(content=data, media_type="text/csv; charset=utf-8",
                            headers={"content-disposition": disposition})  # fmt: skip


@router.post(
    "/file-batches/{batch_id}/collected",
    response_model=schemas.FileBatchCollected,
    summary="Confirm a batch was collected (the transport acknowledgement of a file)",
    responses=errors.responses_for(401, 403, 404, 409),
)
def confirm_file_batch(
    *, session: SessionDep, clock: ClockDep, principal: Reader, batch_id: str
) -> schemas.FileBatchCollected:
    done = collection.collect(session, batch_id=batch_id, actor=principal.key_id, via="portal",
                              now=clock.now(), partner_id=_scope(principal))  # fmt: skip
    return schemas.FileBatchCollected(batch=_batch(done.batch), already_collected=done.already)
