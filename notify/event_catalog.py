"""The event-type catalog and the JSON Schema behind each ``dataschema`` (§5.1, §5.2), pure.

Every event the hub sends names ``https://{hub}/schemas/{ns}.{kind}/1.json`` in its
``dataschema`` attribute (:func:`notify.events.attributes`). :func:`schema_document` is the
document served there: the JSON Schema (draft 2020-12) of the kind's ``data`` from
:mod:`notify.event_schemas`, with ``$id`` equal to that URL. :func:`catalog` lists every kind
the hub sends: when it is sent, its schema, whether it carries personal data and in which
lane it travels.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from notify import codes, errors, event_schemas, events, ops_event_schemas

JSON_SCHEMA_DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"
MAJOR: Final = 1
Lane = Literal["person_partner", "uprn_partner", "none"]
PERSON: Final[tuple[codes.DataCategory, ...]] = ("standard", "sensitive", "special-category")
NOTICE: Final[tuple[codes.DataCategory, ...]] = ("standard",)
GAZETTEER: Final[tuple[codes.DataCategory, ...]] = ("non-sensitive",)


@dataclass(frozen=True, kw_only=True, slots=True)
class EventType:
    """One kind of event the hub sends, without the deployment's namespace."""

    kind: str
    description: str
    lane: Lane
    categories: tuple[codes.DataCategory, ...] = ()
    operational: bool = False

    @property
    def personal_data(self) -> bool:
        return any(c != "non-sensitive" for c in self.categories)


_PERSON_LANE = "Sent in the person's lane at the partner (ordered with their other events)."
_TYPES: Final = (
    EventType(
        kind=codes.SUBMITTED,
        description="A change of address was reported and this recipient may have it: the "
        "field groups its sharing rule permits. " + _PERSON_LANE,
        lane="person_partner",
        categories=PERSON,
    ),
    EventType(
        kind=codes.CORRECTED,
        description="A move already sent to this recipient was corrected: the new values of "
        "its permitted groups, the id of the event corrected and the groups that changed.",
        lane="person_partner",
        categories=PERSON,
    ),
    EventType(
        kind=codes.WITHDRAWN,
        description="A move sent earlier was withdrawn, or after a correction this recipient "
        "may no longer have it (Art. 19 notice): references to the earlier events only.",
        lane="person_partner",
        categories=NOTICE,
    ),
    EventType(
        kind=codes.CONSENT_WITHDRAWN,
        description="The person withdrew the consent an earlier event was sent under (Art. "
        "7(3), Art. 19 notice): the purpose, when, and references to the earlier events.",
        lane="person_partner",
        categories=NOTICE,
    ),
    EventType(
        kind=codes.ERASED,
        description="The person's data was erased (Art. 17, Art. 19 notice): when, and "
        "references to the earlier events; erase what they carried.",
        lane="person_partner",
        categories=NOTICE,
    ),
    EventType(
        kind=codes.GAZ_CREATED,
        description="A new address was added to the gazetteer (no personal data).",
        lane="uprn_partner",
        categories=GAZETTEER,
    ),
    EventType(
        kind=codes.GAZ_CHANGED,
        description="An address's label, classification or point changed in the gazetteer: "
        "which, and the old and new values.",
        lane="uprn_partner",
        categories=GAZETTEER,
    ),
    EventType(
        kind=codes.GAZ_RETIRED,
        description="An address was retired (historical or rejected): when, and the UPRNs "
        "that replace it.",
        lane="uprn_partner",
        categories=GAZETTEER,
    ),
    EventType(
        kind=codes.GAZ_DELETED,
        description="An address was deleted from the gazetteer: when.",
        lane="uprn_partner",
        categories=GAZETTEER,
    ),
    EventType(
        kind=codes.ENDPOINT_TEST,
        description="Endpoint validation or a test asked for by the partner: a nonce only. "
        "No ledger line, no lane.",
        lane="none",
    ),
    *(
        EventType(
            kind=kind,
            description=f"Operational notice. {event_schemas.MODELS[kind].__doc__} Sent to "
            "the hub's operations webhook and the partner's other endpoints that take "
            "operational events; ids, codes and counts only.",
            lane="none",
            operational=True,
        )
        for kind in ops_event_schemas.OPS_KINDS
    ),
)
TYPES: Final[Mapping[str, EventType]] = {t.kind: t for t in _TYPES}


def dataschema(*, namespace: str, hub_host: str, kind: str) -> str:
    """The URL the ``dataschema`` attribute names (§5.1)."""
    return f"{events.schema_base(hub_host)}/{namespace}.{kind}/{MAJOR}.json"


def kind_of(type_: str, version: str, *, namespace: str) -> str:
    """The kind named by a schema path's ``{type}`` and ``{version}``; refused if unknown."""
    kind = type_.removeprefix(f"{namespace}.")
    if kind == type_ or kind not in TYPES or version != str(MAJOR):
        raise errors.EventSchemaNotFound(
            f"no schema for {type_} version {version}",
            details={"type": type_, "version": version},
        )
    return kind


@functools.cache
def schema_document(*, namespace: str, hub_host: str, kind: str) -> Mapping[str, Any]:
    """The JSON Schema of ``kind``'s ``data``, with its ``$id`` and a description."""
    about = TYPES[kind]
    schema = event_schemas.model_of(kind).model_json_schema()
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": dataschema(namespace=namespace, hub_host=hub_host, kind=kind),
        **schema,
        "title": f"{namespace}.{kind} data",
        "description": f"{about.description} {_ENVELOPE}",
    }


_ENVELOPE: Final = (
    "This schema is the CloudEvents `data` member. The envelope (structured mode, "
    "`application/cloudevents+json`) carries `specversion` 1.0, `id` (stable across retries; "
    "`webhook-id` is `msg_` + `id`), `source`, `type`, `time`, `datacontenttype`; person and "
    "gazetteer events also `subject` (a partner-scoped pseudonym `sp_...` or `uprn/{uprn}`), "
    "`dataschema`, `sequence` (20 digits, increasing per `partitionkey`), `partitionkey`, "
    "`recordedtime`, `correlationid`, `causationid` (the event followed up), `expirytime`, "
    "`dataclassification`, `datacategory`, `dataregulation`, `lawfulbasis`, `purposecode`, "
    "`dsaref` and `ruleref` when they apply. Attributes never hold personal values."
)
