"""The contract of each event type's ``data`` (§5.2) against the builders that make it.

Bodies built by the real builders (``projection.build_data`` for any subset of field groups,
a correction's additions, gazetteer event data, the endpoint test event, operational notices)
validate against their type's model and come back unchanged; a body with an extra key, a
wrongly typed value or a field group that ``fields`` does not match is refused. Every kind
the hub sends has a model, a catalog entry and a schema whose ``$id`` is the ``dataschema``
attribute the envelope names.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from typing import Any, get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from api.schemas import ops_notices as ops_schemas
from gazetteer import tables as gaz
from notify import (
    canonical,
    codes,
    correction,
    decision,
    endpoint_validation,
    errors,
    event_catalog,
    event_schema_types,
    event_schemas,
    events,
    gazetteer_events,
    ops_event_schemas,
    ops_notices,
    projection,
    response,
)
from notify import delivery_tables as dt_tables
from tests import strategies

NS = "uk.gov.example.addresshub"
HOST = "hub.example.gov.uk"
NOW = dt.datetime(2025, 3, 1, 10, 15, 2, tzinfo=dt.UTC)
roles = st.sampled_from(get_args(codes.Role))


def _validated(model: type[BaseModel], data: Mapping[str, Any]) -> BaseModel:
    """As a receiver sees it: the canonical body's JSON, parsed, then validated."""
    as_sent = json.loads(canonical.dumps(data))
    found = model.model_validate(as_sent)
    assert _instants(found.model_dump(mode="json", exclude_unset=True)) == _instants(as_sent)
    return found


def _instants(value: Any) -> Any:
    """Timestamps as instants: ``+00:00`` and ``Z`` say the same."""
    if isinstance(value, dict):
        return {k: _instants(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_instants(v) for v in value]
    if isinstance(value, str) and len(value) > 19 and value[10:11] == "T":
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:  # a text that only looks like one, an address label say
            return value
    return value


def _build(s: decision.Situation, groups: frozenset[str], role: str) -> dict[str, Any]:
    service_id = s.move.choices[0].partner_service_id if s.move.choices else "none/NONE"
    return projection.build_data(
        move=s.move, facts=s.facts, service_id=service_id, role=role, fields=sorted(groups),
        members=s.move.household,
    )  # fmt: skip


# Every kind has a model, a catalog entry and a schema ---------------------------------------


def test_every_kind_the_hub_sends_has_a_model_and_a_catalog_entry() -> None:
    sent = set(codes.EVENT_KINDS) | set(ops_event_schemas.OPS_KINDS)
    assert set(event_schemas.MODELS) == sent == set(event_catalog.TYPES)
    assert set(ops_event_schemas.OPS_KINDS) == set(dt_tables.NOTICE_KINDS)
    assert set(ops_event_schemas.OPS_KINDS) == set(get_args(ops_schemas.NoticeKind))


def test_the_code_lists_are_the_codes_own() -> None:
    assert set(get_args(event_schema_types.SubmissionGroup)) == projection.SUBMISSION_GROUPS
    assert "citizen_withdrew" in get_args(event_schema_types.WithdrawalReason)


@pytest.mark.parametrize("kind", sorted(codes.EVENT_KINDS))
def test_each_schema_is_found_at_the_dataschema_the_envelope_names(kind: str) -> None:
    header = events.Header(
        id="01J9Z6QWERTY", namespace=NS, kind=kind, source=events.person_source(HOST),
        subject="uprn/1", time=NOW, recorded_time=NOW, sequence=1, correlation_id="c",
        data_category="standard", schema_base=events.schema_base(HOST),
    )  # fmt: skip
    url = events.attributes(header)["dataschema"]
    assert url == event_catalog.dataschema(namespace=NS, hub_host=HOST, kind=kind)
    type_, version = url.removeprefix(f"https://{HOST}/schemas/").split("/")
    assert event_catalog.kind_of(type_, version.removesuffix(".json"), namespace=NS) == kind
    document = event_catalog.schema_document(namespace=NS, hub_host=HOST, kind=kind)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert document["$id"] == url and document["title"] == f"{NS}.{kind} data"
    assert document["description"].startswith(event_catalog.TYPES[kind].description)


@pytest.mark.parametrize("kind", sorted(event_catalog.TYPES))
def test_every_schema_is_closed_and_every_property_described(kind: str) -> None:
    document = event_catalog.schema_document(namespace=NS, hub_host=HOST, kind=kind)
    objects = [document, *document.get("$defs", {}).values()]
    for schema in objects:
        assert schema["additionalProperties"] is False, schema["title"]
        for name, prop in schema.get("properties", {}).items():
            assert prop.get("description"), (schema["title"], name)
            assert "default" not in prop, (schema["title"], name)


@pytest.mark.parametrize(
    ("type_", "version"),
    [(f"{NS}.no_such.kind", "1"), (f"{NS}.{codes.SUBMITTED}", "2"),
     (f"other.ns.{codes.SUBMITTED}", "1"), (codes.SUBMITTED, "1")],
)  # fmt: skip
def test_an_unknown_type_or_version_has_no_schema(type_: str, version: str) -> None:
    with pytest.raises(errors.EventSchemaNotFound) as caught:
        event_catalog.kind_of(type_, version, namespace=NS)
    assert caught.value.code == "event_schema_not_found" and caught.value.http_status == 404


def test_the_catalog_says_which_kinds_carry_personal_data_and_their_lanes() -> None:
    person = {codes.SUBMITTED, codes.CORRECTED, codes.WITHDRAWN, codes.CONSENT_WITHDRAWN,
              codes.ERASED}  # fmt: skip
    for kind, about in event_catalog.TYPES.items():
        assert about.personal_data == (kind in person), kind
        gazetteer = kind.startswith("gazetteer.")
        lane = "person_partner" if kind in person else "uprn_partner" if gazetteer else "none"
        assert about.lane == lane, kind


# Person events: whatever groups are shared ---------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(strategies.notify_situations(), strategies.notify_groups, roles)
def test_submitted_data_from_any_groups_fits_its_model(
    s: decision.Situation, groups: frozenset[str], role: str
) -> None:
    found = _validated(event_schemas.Submitted, _build(s, groups, role))
    assert isinstance(found, event_schemas.Submitted) and set(found.fields) == groups


@settings(max_examples=60, deadline=None)
@given(strategies.notify_situations(), strategies.notify_groups, strategies.notify_groups)
def test_corrected_data_fits_its_model_and_not_the_submitted_one(
    s: decision.Situation, groups: frozenset[str], changed: frozenset[str]
) -> None:
    prior = correction.Prior(partner_service_id="S", line_ids=("l1",), event_id="01J9PRIOR",
                             fields=groups)  # fmt: skip
    step = correction.Step(partner_service_id="S", kind="corrected", prior=prior,
                           changed_fields=tuple(sorted(changed)))  # fmt: skip
    data = _build(s, groups, "joining") | correction.corrected_data(step)
    _validated(event_schemas.Corrected, data)
    with pytest.raises(ValidationError):
        event_schemas.Submitted.model_validate(data)


def _full(s: decision.Situation) -> dict[str, Any]:
    full: dict[str, Any] = json.loads(
        canonical.dumps(_build(s, projection.SUBMISSION_GROUPS, "leaving"))
    )
    return full


_BAD_SUBMITTED: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "an extra top-level key": lambda d: d | {"note": "x"},
    "an extra nested key": lambda d: d | {"person": d["person"] | {"title": "Dr"}},
    "a role the hub does not have": lambda d: d | {"role": "moved"},
    "a UPRN as a number": lambda d: d | {"new_address": d["new_address"] | {"uprn": 10091234567}},
    "a date as a number": lambda d: d | {"move_date": 20250301},
    "a flag as text": lambda d: d | {"household": [m | {"moving": "yes"} for m in d["household"]]},
    "a name as null": lambda d: d | {"person": d["person"] | {"given_name": None}},
    "a group listed twice": lambda d: d | {"fields": [*d["fields"], "CONTACT"]},
    "a group listed but absent": lambda d: {k: v for k, v in d.items() if k != "contact"},
    "a group present but not listed": lambda d: d | {"fields": ["PERSON_NAME"]},
    "an answer that is a list": lambda d: d | {"answers": {"adults": [1]}},
}


@pytest.mark.parametrize("what", sorted(_BAD_SUBMITTED))
@settings(max_examples=10, deadline=None)
@given(s=strategies.notify_situations())
def test_a_body_off_the_contract_is_refused(s: decision.Situation, what: str) -> None:
    data = _full(s)
    event_schemas.Submitted.model_validate(data)
    if what == "a flag as text" and not data["household"]:
        return
    with pytest.raises(ValidationError):
        event_schemas.Submitted.model_validate(_BAD_SUBMITTED[what](data))


# Notices: references only --------------------------------------------------------------------


def _notice(**data: Any) -> dict[str, Any]:
    """As ``outbox.enqueue_notice`` completes its caller's ``data``."""
    earlier = events.event_type("uk.gov.example.addresshub", codes.SUBMITTED)
    prior = [{"id": "01J9PRIOR", "type": earlier, "time": events.rfc3339(NOW)}]
    return {**data, "prior_events": prior, "fields": ["PRIOR_EVENT_REFS"]}


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        (codes.WITHDRAWN, {"reason": "citizen_withdrew"}),
        (codes.WITHDRAWN, {"reason": "rectified_out_of_scope"}),
        (codes.CONSENT_WITHDRAWN, {"purpose": "library_membership",
                                   "withdrawn_at": events.rfc3339(NOW)}),
        (codes.ERASED, {"erased_at": "2025-03-01T10:15:02Z"}),
    ],
)  # fmt: skip
def test_notices_fit_their_models_and_nothing_more(kind: str, data: dict[str, Any]) -> None:
    model = event_schemas.model_of(kind)
    _validated(model, _notice(**data))
    for bad in (_notice(**data) | {"person": {}}, _notice(**data) | {"fields": ["PERSON_NAME"]},
                _notice(**data) | {"prior_events": []}):  # fmt: skip
        with pytest.raises(ValidationError):
            model.model_validate(bad)
    with pytest.raises(ValidationError):
        event_schemas.Withdrawn.model_validate(_notice(reason="changed_my_mind"))


# Gazetteer events, the endpoint test and operational notices -------------------------------


_ATTRIBUTES = ["lpi_text", "classification", "geometry"]
_POINTS = st.tuples(st.floats(0, 700_000), st.floats(0, 1_300_000))
_Facts = tuple[str | None, tuple[float, float] | None]


@settings(max_examples=60, deadline=None)
@given(
    kind=st.sampled_from(sorted(gazetteer_events.KIND_OF_CHANGE)),
    uprn=strategies.uprns,
    labels=st.tuples(strategies.optional_texts, strategies.optional_texts),
    successor=st.none() | strategies.uprns,
    where=st.none() | _POINTS,
    compared=st.tuples(
        st.none() | st.lists(st.sampled_from(_ATTRIBUTES), min_size=1, unique=True),
        st.tuples(st.none() | st.sampled_from(["RD04", "CO01"]), st.none() | _POINTS),
        st.tuples(st.none() | st.sampled_from(["RD02", "CR08"]), st.none() | _POINTS),
    ),
)
def test_gazetteer_event_data_fits_its_model(
    kind: str,
    uprn: int,
    labels: tuple[str | None, str | None],
    successor: int | None,
    where: tuple[float, float] | None,
    compared: tuple[list[str] | None, _Facts, _Facts],
) -> None:
    attributes, (old_class, old_point), (new_class, new_point) = compared
    change = gaz.GazetteerChange(
        id=7, uprn=uprn, kind=kind, old_label=labels[0], new_label=labels[1],
        successor_uprn=successor, occurred_at=NOW,
        changed_attributes=None if attributes is None else ",".join(attributes),
        old_classification=old_class, new_classification=new_class,
        old_x=old_point and old_point[0], old_y=old_point and old_point[1],
        new_x=new_point and new_point[0], new_y=new_point and new_point[1],
    )  # fmt: skip
    point = gazetteer_events.Point() if where is None else gazetteer_events.Point(
        logical_status="8" if kind == "retired" else "1", classification="RD04",
        x=where[0], y=where[1])  # fmt: skip
    event_kind = gazetteer_events.KIND_OF_CHANGE[kind]
    data, _ = gazetteer_events.event_data(change, point, event_kind)
    _validated(event_schemas.model_of(event_kind), data)
    if kind == "changed":  # a row from before the attributes were recorded changed its label
        assert data["changed_attributes"] == (attributes or ["lpi_text"])
        assert (data["old"]["classification"], data["new"]["x"]) == (
            old_class,
            new_point and new_point[0],
        )
    with pytest.raises(ValidationError):
        event_schemas.model_of(event_kind).model_validate(data | {"change_id": 7})


def test_the_endpoint_test_event_is_a_nonce_only() -> None:
    _, body = endpoint_validation.test_event(namespace=NS, hub_host=HOST, now=NOW)
    event = json.loads(body)
    data = event["data"]
    _validated(event_schemas.EndpointTest, data)
    assert event["dataschema"] == event_catalog.dataschema(
        namespace=NS, hub_host=HOST, kind=codes.ENDPOINT_TEST
    )
    with pytest.raises(ValidationError):
        event_schemas.EndpointTest.model_validate(data | {"endpoint_id": "e1"})


_DETAILS: dict[str, dict[str, Any]] = {
    "endpoint.disabled": {"reason": "gone_410"},
    "endpoint.failing": {},
    "endpoint.recovered": {"disabled_reason": "sustained_failure"},
    "delivery.exhausted": {},
    "delivery.recovered": {},
    "feed.stale": {"last_fetch_at": None, "stale_after_days": 5.0, "waiting": 3},
}


@pytest.mark.parametrize("kind", sorted(_DETAILS))
def test_operational_notices_fit_their_models(kind: str) -> None:
    notice = dt_tables.OpsNotice(
        id="01J9NOTICE", kind=kind, partner_id="P0", endpoint_id="E0", delivery_id=None,
        detail=_DETAILS[kind], created_at=NOW,
    )  # fmt: skip
    event = json.loads(ops_notices.event_body(notice, namespace=NS, hub_host=HOST))
    assert event["type"] == f"{NS}.{kind}"
    model = event_schemas.model_of(kind)
    _validated(model, event["data"])
    with pytest.raises(ValidationError):
        model.model_validate(event["data"] | {"detail": {"why": "unknown"}})
    other = "endpoint.failing" if kind != "endpoint.failing" else "feed.stale"
    with pytest.raises(ValidationError):
        model.model_validate(event["data"] | {"kind": other})


def test_every_disable_reason_is_in_the_contract() -> None:
    for reason in get_args(response.DisableReason):
        ops_event_schemas.EndpointDisabled.model_validate(
            {"notice_id": "n", "kind": "endpoint.disabled", "partner_id": None,
             "endpoint_id": "e", "delivery_id": None, "detail": {"reason": reason}}
        )  # fmt: skip
