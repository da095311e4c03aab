"""Event envelopes (§5), bodies built from projected groups only (§3.4), explain output (§3.6)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import given, settings

from notify import checks, decision, errors, events, explain, projection
from tests import strategies
from tests.unit import decision_world as w

KEY = b"partner-key-newtown"


def _header(d: decision.Decision, **kw: Any) -> events.Header:
    values: dict[str, Any] = {
        "delivery_id": "01J9Z6QWERTY",
        "namespace": "uk.gov.example.addresshub",
        "hub_host": "hub.example.gov.uk",
        "subject": events.pseudonym(KEY, w.MOVER.id),
        "occurred_at": w.NOW,
        "recorded_at": w.NOW,
        "sequence": 7,
        "correlation_id": w.MOVE.reference,
    }
    return events.header_for(d, **(values | kw))


def _data(s: decision.Situation, d: decision.Decision) -> dict[str, object]:
    return projection.build_data(
        move=s.move,
        facts=s.facts,
        service_id=d.partner_service_id,
        role=d.role,
        fields=d.fields,
        members=[m for m in s.move.household if m.person.id in d.member_ids],
    )


def test_envelope_attributes_for_a_council_tax_event() -> None:
    d = w.decide("new-ct")
    attrs = events.attributes(_header(d))
    assert attrs == {
        "specversion": "1.0",
        "id": "01J9Z6QWERTY",
        "source": "https://hub.example.gov.uk/coa",
        "type": "uk.gov.example.addresshub.change_of_address.submitted",
        "subject": attrs["subject"],
        "time": "2025-03-01T10:15:02Z",
        "datacontenttype": "application/json",
        "dataschema": "https://hub.example.gov.uk/schemas/"
        "uk.gov.example.addresshub.change_of_address.submitted/1.json",
        "sequence": "00000000000000000007",
        "partitionkey": attrs["subject"],
        "recordedtime": "2025-03-01T10:15:02Z",
        "correlationid": "COA-7K3Q-9MX2",
        "expirytime": "2025-04-13T00:00:00Z",
        "dataclassification": "confidential",
        "datacategory": "standard",
        "dataregulation": "UK-GDPR,DPA-2018",
        "lawfulbasis": "public_task",
        "purposecode": "council_tax_liability",
        "dsaref": "DSA-2024-011@2",
        "ruleref": "r-new-ct@1",
    }
    assert attrs["subject"].startswith("sp_") and len(attrs["subject"]) == 29
    assert all(len(name) <= 20 and name.isalnum() and name.islower() for name in attrs)


def test_body_is_canonical_json_of_the_projected_groups() -> None:
    s = w.situation()
    d = w.decide("new-ct")
    raw = events.body(_header(d), _data(s, d))
    assert raw == json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":")).encode()
    data = json.loads(raw)["data"]
    assert data == {
        "submission_ref": "COA-7K3Q-9MX2",
        "role": "joining",
        "fields": ["MOVE_DATE", "NEW_ADDRESS", "OLD_ADDRESS", "PERSON_NAME", "SERVICE_ANSWERS"],
        "person": {"given_name": "Ada", "family_name": "Lovelace"},
        "old_address": {
            "uprn": "100023336956",
            "single_line": "1 OLD ROAD",
            "postcode": None,
            "welsh_single_line": None,
        },
        "new_address": {
            "uprn": "10091234567",
            "single_line": "2 NEW ROAD",
            "postcode": None,
            "welsh_single_line": None,
        },
        "move_date": "2025-03-14",
        "move_date_kind": "actual",
        "answers": {"adults": 2},
    }


def test_each_service_sees_only_its_own_answers_and_reference() -> None:
    s = w.situation()
    asc = w.decide("county-asc")
    lib = w.decide("new-lib")
    assert _data(s, asc)["answers"] == {"carer": "yes"}
    assert _data(s, lib)["partner_reference"] == "LIB-42"
    assert "answers" not in _data(s, lib)
    assert "partner_reference" not in _data(s, asc)


def test_special_category_classification_and_regulation() -> None:
    attrs = events.attributes(_header(w.decide("county-asc")))
    assert (attrs["dataclassification"], attrs["datacategory"]) == (
        "restricted",
        "special-category",
    )
    assert events.classification("non-sensitive") == {
        "dataclassification": "internal",
        "datacategory": "non-sensitive",
    }


def test_body_over_64_kib_is_refused() -> None:
    d = w.decide("new-ct")
    with pytest.raises(errors.PayloadTooLarge):
        events.body(_header(d), {"answers": {"long": "x" * (64 * 1024)}})


def test_pseudonym_and_ordering_key_are_stable_and_partner_scoped() -> None:
    assert events.pseudonym(KEY, "s-1") == events.pseudonym(KEY, "s-1")
    assert events.pseudonym(KEY, "s-1") != events.pseudonym(b"other-partner", "s-1")
    key = events.ordering_key("s-1", "p-new")
    assert key.startswith("p:") and len(key) == 34
    assert key != events.ordering_key("s-1", "p-old")
    assert events.gazetteer_ordering_key(100023336956, "p-new") == "u:100023336956:p-new"
    assert events.format_sequence(0) < events.format_sequence(10) < events.format_sequence(9999)


def test_event_types_are_checked() -> None:
    assert events.event_type("ns.hub", "consent.withdrawn") == "ns.hub.consent.withdrawn"
    for namespace, kind in [
        ("Ns", "consent.withdrawn"),
        ("ns", "made.up"),
        ("ns-x", "endpoint.test"),
    ]:
        with pytest.raises(errors.InvalidEvent):
            events.event_type(namespace, kind)


def test_a_refused_decision_has_no_event() -> None:
    d = w.decide("new-lib", consents=())
    with pytest.raises(errors.InvalidEvent):
        _header(d)


@settings(max_examples=75)
@given(strategies.notify_situations())
def test_v16_no_personal_value_in_attributes(s: decision.Situation) -> None:
    people = [s.move.person, *(m.person for m in s.move.household)]
    personal = {v for p in people for v in (p.given_name, p.family_name) if len(v) >= 4}
    for d in decision.plan(s).decisions:
        if not d.creates_delivery:
            continue
        attrs = events.attributes(_header(d, subject=events.pseudonym(KEY, s.move.person.id)))
        text = json.dumps(attrs)
        assert not any(value in text for value in personal)
        body = json.loads(events.body(_header(d), _data(s, d)))
        assert projection.stray_paths(body["data"], d.fields) == frozenset()


# Explain ------------------------------------------------------------------------------------


def test_explain_document_follows_format_explain_1() -> None:
    s = w.situation(consents=())
    plan = decision.plan(s)
    doc = explain.document(plan, move=s.move, registry=s.registry)
    assert {k: doc[k] for k in ("format", "submission_ref", "version", "phase")} == {
        "format": "explain/1",
        "submission_ref": "COA-7K3Q-9MX2",
        "version": 1,
        "phase": "plan",
    }
    assert doc["move"] == {
        "old_uprn": "100023336956",
        "new_uprn": "10091234567",
        "move_date": "2025-03-14",
        "channel": "citizen_web",
        "source_restrictions": [],
    }
    by_service = {c["partner_service_id"]: c for c in doc["candidates"]}
    ct = by_service["new-ct"]
    assert (ct["partner"], ct["service"], ct["decision"], ct["rule"], ct["dsa"]) == (
        "NEWTOWN-DC",
        "COUNCIL_TAX",
        "send",
        "r-new-ct@1",
        "DSA-2024-011@2",
    )
    assert (ct["channel"], ct["not_before"]) == ("webhook", "2025-03-14T00:00:00Z")
    assert {"group": "LANGUAGE", "reason": "NOT_IN_RULE"} in ct["fields_dropped"]
    lib = by_service["new-lib"]
    assert (lib["decision"], lib["fields"]) == ("refuse", [])
    assert lib["reasons"] == [
        {"code": "CONSENT_MISSING", "text": "You have not given permission to tell this service."}
    ]
    json.dumps(doc)  # the document is plain JSON


def test_explain_text_has_one_line_per_candidate() -> None:
    s = w.situation(consents=())
    text = explain.render_text(decision.plan(s), s.registry)
    lines = text.splitlines()
    assert lines[0].startswith("COA-7K3Q-9MX2 v1  plan @ 2025-03-01T10:15:02Z  registry sha256:")
    assert lines[1].split() == ["SERVICE", "ROLE", "DECISION", "BASIS", "FIELDS", "REASONS"]
    assert lines[3].split() == [
        "NEWTOWN-DC/COUNCIL_TAX",
        "joining",
        "send",
        "public_task",
        "MOVE_DATE,NEW_ADDR,OLD_ADDR,NAME,ANS",
        "-",
    ]
    assert lines[4].split()[-1] == "CONSENT_MISSING"
    assert len(lines) == 2 + len(s.registry.services)


def test_registry_digest_changes_with_the_registry() -> None:
    base = decision.registry_digest(w.registry())
    assert base == decision.registry_digest(w.registry())
    changed = w.registry(agreements=(dataclasses.replace(w.DSA, status="suspended"),))
    assert decision.registry_digest(changed) != base


def test_release_time_is_london_midnight_and_never_before_now() -> None:
    summer = dt.datetime(2025, 6, 1, 12, tzinfo=dt.UTC)
    assert checks.release_time(dt.date(2025, 7, 1), 1, summer) == dt.datetime(
        2025, 6, 29, 23, tzinfo=dt.UTC
    )
    assert checks.release_time(dt.date(2025, 1, 1), 0, summer) == summer


def test_unknown_gazetteer_groups_cannot_be_built_from_a_move() -> None:
    with pytest.raises(ValueError, match="not built"):
        projection.build_data(
            move=w.MOVE,
            facts=w.FACTS,
            service_id="new-ct",
            role="joining",
            fields=["GAZ_ADDRESS"],
            members=[],
        )
