"""Pure data-protection rules: retention windows, erasure of one member from a body, the
ledger as CSV and the record of processing."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notify import canonical, codes, domain, privacy, processing_record, projection

UTC = dt.UTC
T0 = dt.datetime(2025, 1, 31, 12, 0, tzinfo=UTC)


# Retention windows ---------------------------------------------------------------------------


def test_delivered_bodies_keep_by_category_and_agreement() -> None:
    periods = privacy.Periods(body_days=30, sensitive_body_days=7)
    assert privacy.body_days(periods, "standard") == 30
    assert privacy.body_days(periods, "special-category") == 7
    assert privacy.body_days(periods, "sensitive") == 7
    assert privacy.body_days(periods, None) == 30
    assert privacy.body_days(periods, "standard", {"standard": 10}) == 10
    assert privacy.body_days(periods, "sensitive", {"standard": 10}) == 7


@pytest.mark.parametrize(
    ("at", "months", "expected"),
    [
        (T0, 1, dt.datetime(2025, 2, 28, 12, 0, tzinfo=UTC)),  # clamped to February's end
        (T0, 13, dt.datetime(2026, 2, 28, 12, 0, tzinfo=UTC)),
        (dt.datetime(2024, 1, 31, tzinfo=UTC), 1, dt.datetime(2024, 2, 29, tzinfo=UTC)),
        (T0, 72, dt.datetime(2031, 1, 31, 12, 0, tzinfo=UTC)),
        (T0, -1, dt.datetime(2024, 12, 31, 12, 0, tzinfo=UTC)),
    ],
)
def test_months_are_calendar_months(at: dt.datetime, months: int, expected: dt.datetime) -> None:
    assert privacy.add_months(at, months) == expected


@settings(max_examples=200)
@given(
    at=st.datetimes(dt.datetime(1990, 1, 1), dt.datetime(2090, 1, 1), timezones=st.just(UTC)),
    months=st.integers(min_value=0, max_value=240),
)
def test_adding_months_is_monotone_and_about_a_month_each(at: dt.datetime, months: int) -> None:
    later = privacy.add_months(at, months)
    assert later >= at and privacy.add_months(at, months + 1) > later
    assert abs((later - at).days - months * 30.44) <= 3 + months * 0.01
    assert later.time() == at.time() and later.tzinfo == at.tzinfo


# Erasure --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "role", "action"),
    [
        ("scheduled", "household", "rebuild"),
        ("dead", "household", "rebuild"),
        ("in_flight", "household", "rebuild"),
        ("pending", "primary", "cancel"),
        ("held", "primary", "cancel"),
        ("dead", "primary", "cancel"),
        ("delivered", "household", "purge"),
        ("delivered", "primary", "purge"),
        ("cancelled", "primary", "purge"),
        ("abandoned", "household", "purge"),
    ],
)
def test_what_erasure_does_to_a_delivery(state: str, role: str, action: str) -> None:
    assert privacy.erasure_action(state=state, role=role) == action


def _body(members: list[dict[str, object]], fields: list[str]) -> bytes:
    data = {"fields": fields, "person": {"given_name": "Ada"}, "household": members}
    return canonical.dumps({"id": "e1", "type": "t", "data": data})


def test_dropping_a_member_keeps_the_others_and_the_envelope() -> None:
    body = _body([{"given_name": "Bo"}, {"given_name": "Cy"}], ["HOUSEHOLD", "PERSON_NAME"])
    rebuilt, fields = privacy.drop_member(body, 0)
    event = json.loads(rebuilt)
    assert event["data"]["household"] == [{"given_name": "Cy"}] and "Bo" not in rebuilt.decode()
    assert (event["id"], event["type"], fields) == ("e1", "t", ["HOUSEHOLD", "PERSON_NAME"])
    assert rebuilt == canonical.dumps(event)  # still the canonical bytes that are signed


def test_dropping_the_last_member_drops_the_household_groups() -> None:
    body = _body([{"given_name": "Bo", "date_of_birth": "1970-01-01"}],
                 ["HOUSEHOLD", "HOUSEHOLD_DOB", "PERSON_NAME"])  # fmt: skip
    rebuilt, fields = privacy.drop_member(body, 0)
    data = json.loads(rebuilt)["data"]
    assert fields == ["PERSON_NAME"] == data["fields"]
    assert "household" not in data and data["person"] == {"given_name": "Ada"}
    assert projection.stray_paths(data, fields) == frozenset()
    with pytest.raises(ValueError, match="household members"):
        privacy.drop_member(body, 1)


# The ledger as CSV ----------------------------------------------------------------------------


def _entry(**changes: Any) -> privacy.LedgerEntry:
    values: dict[str, Any] = {
        "disclosure_id": "d1", "delivery_id": "v1", "event_id": "v1",
        "event_type": "change_of_address.submitted", "role": "primary",
        "submission_reference": "COA-AAAA-BBBB", "partner_id": "NEWTOWN-DC",
        "partner_name": "Newtown, District", "partner_service_id": "NEWTOWN-DC/COUNCIL_TAX",
        "service_name": "Council tax", "channel": "webhook", "purpose_code": "ct",
        "purpose_label": "Council tax", "lawful_basis": "public_task", "art9_condition": None,
        "rule": "ct@1", "agreement": "DSA@2", "consent_record_id": None, "receipt_id": None,
        "fields": ("NEW_ADDRESS", "PERSON_NAME"), "outcome": "disclosed", "close_reason": None,
        "planned_at": T0, "disclosed_at": T0 + dt.timedelta(hours=1), "closed_at": None,
        "notice_of": None, "art19_status": "n/a", "payload_digest": "hmac-sha256:ab",
    }  # fmt: skip
    return privacy.LedgerEntry(**(values | changes))


def test_csv_has_a_header_and_one_row_per_line() -> None:
    text = privacy.to_csv([_entry(), _entry(disclosure_id="d2", outcome="planned")])
    assert text.endswith("\r\n")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == privacy.CSV_COLUMNS
    assert [r["disclosure_id"] for r in rows] == ["d1", "d2"]
    assert rows[0]["fields"] == "NEW_ADDRESS;PERSON_NAME"
    assert rows[0]["partner_name"] == "Newtown, District"
    assert rows[0]["disclosed_at"] == "2025-01-31T13:00:00Z" and rows[0]["closed_at"] == ""


def test_csv_cells_cannot_start_a_formula() -> None:
    text = privacy.to_csv([_entry(service_name="=HYPERLINK(1)", partner_name="@SUM")])
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["service_name"] == "'=HYPERLINK(1)" and rows[0]["partner_name"] == "'@SUM"


# The record of processing -------------------------------------------------------------------


def _registry() -> domain.Registry:
    start = dt.datetime(2024, 1, 1, tzinfo=UTC)
    return domain.Registry.build(
        partners=[domain.Partner(id="COUNTY", code="COUNTY", name_en="County Council")],
        services=[domain.PartnerService(id="COUNTY/ADULT_SOCIAL_CARE", partner_id="COUNTY",
                                        service_code="ADULT_SOCIAL_CARE", name_en="Care")],
        agreements=[domain.Agreement(id="DSA", version=v, ref="DSA", status="active",
                                     effective_from=start, ledger_retention_months=72,
                                     parties=(("COUNTY", "recipient"),)) for v in (1, 2)],
        rules=[domain.SharingRule(id="asc", version=1, status="active", dsa_id="DSA",
                                  dsa_version=2, partner_service_id="COUNTY/ADULT_SOCIAL_CARE",
                                  purpose_code="care", lawful_basis="public_task",
                                  art9_condition="Art 9(2)(h)",
                                  field_groups=frozenset({"PERSON_NAME", "SERVICE_ANSWERS"}))],
        purposes=[domain.Purpose(code="care", label_en="Adult social care")],
    )  # fmt: skip


def test_the_record_lists_each_version_rule_and_count() -> None:
    record = processing_record.build(
        registry=_registry(),
        agreement_id="DSA",
        payload_days={2: {"special-category": 3}},
        counts={("asc", 1, "disclosed"): 4, ("asc", 1, "not_disclosed"): 1},
        periods=privacy.Periods(),
    )
    assert record["format"] == "ropa/1" and record["security_measures"]
    assert [v["version"] for v in record["versions"]] == [2, 1]
    newest, oldest = record["versions"]
    assert oldest["processing"] == [] and newest["retention"]["ledger_months"] == 72
    assert newest["retention"]["delivered_body_days"] == {
        "standard": 30, "sensitive": 7, "special-category": 3,
    }  # fmt: skip
    (rule,) = newest["processing"]
    assert rule["rule"] == "asc@1" and rule["purpose"]["label"] == "Adult social care"
    assert rule["recipient"]["partner_name"] == "County Council"
    assert rule["field_groups"] == [
        {"code": "PERSON_NAME", "data_category": "standard"},
        {"code": "SERVICE_ANSWERS", "data_category": "special-category"},  # a care service's
    ]
    assert rule["disclosures"] == {"planned": 0, "disclosed": 4, "possibly_disclosed": 0,
                                   "not_disclosed": 1}  # fmt: skip
    assert rule["data_subjects"] and codes.SUBMITTED in rule["event_types"]
