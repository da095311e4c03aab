"""The event-type catalog and the JSON Schema each event's ``dataschema`` names.

* ``GET /schemas/{type}/{version}.json``: the JSON Schema of one event type's ``data``, the
  document the ``dataschema`` attribute of every event points to. Public, like ``/healthz``:
  a schema holds no personal data and must resolve for tooling without an API key. Served as
  ``application/schema+json`` with cache headers and an ETag; an unknown type or version is a
  404 ``event_schema_not_found``.
* ``GET /v1/event-types``: every event type the hub sends, when, its schema, whether it can
  carry personal data and its lane. Any API key, as every ``/v1`` route.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Final

import fastapi

from api import errors
from api.deps import PrincipalDep, SettingsDep
from api.schemas import event_types as schemas
from notify import canonical, event_catalog, events

router = fastapi.APIRouter(tags=["events"])
SCHEMA_MEDIA_TYPE: Final = "application/schema+json"
CACHE_CONTROL: Final = "public, max-age=3600"


@router.get(
    "/v1/event-types",
    response_model=schemas.EventTypes,
    summary="The event types the hub sends, with their schemas",
    responses=errors.responses_for(401),
)
def list_event_types(settings: SettingsDep, _: PrincipalDep) -> schemas.EventTypes:
    return schemas.EventTypes(
        namespace=settings.event_namespace,
        specversion=events.SPEC_VERSION,
        items=[_item(t, settings.event_namespace, settings.public_host)
               for t in event_catalog.TYPES.values()],
    )  # fmt: skip


def _item(about: event_catalog.EventType, namespace: str, hub_host: str) -> schemas.EventType:
    return schemas.EventType(
        type=f"{namespace}.{about.kind}",
        kind=about.kind,
        description=about.description,
        dataschema=event_catalog.dataschema(namespace=namespace, hub_host=hub_host,
                                            kind=about.kind),
        personal_data=about.personal_data,
        data_categories=list(about.categories),
        lane=about.lane,
        operational=about.operational,
    )  # fmt: skip


IfNoneMatch = Annotated[str | None, fastapi.Header(alias="If-None-Match")]


@router.get(
    "/schemas/{event_type}/{version}.json",
    response_class=fastapi.Response,
    summary="The JSON Schema of one event type's data (the dataschema URL); no API key",
    responses={
        200: {"description": "A JSON Schema (draft 2020-12).",
              "content": {SCHEMA_MEDIA_TYPE: {"schema": {"type": "object"}}}},
        304: {"description": "Not modified (the ETag matched)."},
        **errors.responses_for(404, s404="No such event type or schema version "
                                         "(`event_schema_not_found`)."),
    },
)  # fmt: skip
def event_schema(
    event_type: str, version: str, settings: SettingsDep, if_none_match: IfNoneMatch = None
) -> fastapi.Response:
    namespace, host = settings.event_namespace, settings.public_host
    kind = event_catalog.kind_of(event_type, version, namespace=namespace)
    body = canonical.dumps(event_catalog.schema_document(namespace=namespace, hub_host=host,
                                                         kind=kind))  # fmt: skip
    headers = {"Cache-Control": CACHE_CONTROL, "ETag": _etag(body)}
    if if_none_match == headers["ETag"]:
        return fastapi.Response(status_code=304, headers=headers)
    return fastapi.Response(content=body, media_type=SCHEMA_MEDIA_TYPE, headers=headers)


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
