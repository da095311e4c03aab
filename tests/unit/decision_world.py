"""A small fixed world for table tests of the decision procedure.

Oldtown (area E07000001) and Newtown (E07000002) councils, each with an exclusive council tax
service; Newtown libraries on a consent rule; a county care service; one active agreement.
A move from Oldtown to Newtown by the citizen, on 2025-03-14, planned on 2025-03-01.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from notify import decision, domain, move_domain

NOW = dt.datetime(2025, 3, 1, 10, 15, 2, tzinfo=dt.UTC)
OLD_AREA, NEW_AREA = "E07000001", "E07000002"
OLD_UPRN, NEW_UPRN = 100023336956, 10091234567
GATEWAY = "LGFA1992 Sch 2 para 17A"

OLDTOWN = domain.Partner(id="p-old", code="OLDTOWN-BC", name_en="Oldtown Borough Council")
NEWTOWN = domain.Partner(id="p-new", code="NEWTOWN-DC", name_en="Newtown District Council")
COUNTY = domain.Partner(id="p-county", code="COUNTY-CC", name_en="County Council")
ALL_GROUPS = frozenset(
    {"PERSON_NAME", "PERSON_DOB", "OLD_ADDRESS", "NEW_ADDRESS", "MOVE_DATE", "CONTACT",
     "LANGUAGE", "HOUSEHOLD", "HOUSEHOLD_DOB", "PARTNER_REFERENCE", "SERVICE_ANSWERS"}
)  # fmt: skip
CT_GROUPS = frozenset({"PERSON_NAME", "OLD_ADDRESS", "NEW_ADDRESS", "MOVE_DATE", "SERVICE_ANSWERS"})


def _service(sid: str, partner: str, code: str, areas: tuple[str, ...], **kw: Any) -> Any:
    endpoint = domain.Endpoint(id=f"e-{sid}", max_data_category="special-category")
    return domain.PartnerService(
        id=sid,
        partner_id=partner,
        service_code=code,
        name_en=sid,
        accepted_field_groups=ALL_GROUPS,
        coverage=tuple(domain.Coverage(area_code=a) for a in areas),
        subscriptions=(domain.Subscription(id=f"sub-{sid}", endpoint=endpoint),),
        **kw,
    )


OLD_CT = _service("old-ct", "p-old", "COUNCIL_TAX", (OLD_AREA,), exclusive_area=True)
NEW_CT = _service("new-ct", "p-new", "COUNCIL_TAX", (NEW_AREA,), exclusive_area=True)
NEW_LIB = _service("new-lib", "p-new", "LIBRARIES", (NEW_AREA,))
CARE = _service("county-asc", "p-county", "ADULT_SOCIAL_CARE", (OLD_AREA, NEW_AREA))

DSA = domain.Agreement(
    id="dsa-1",
    version=2,
    ref="DSA-2024-011",
    status="active",
    legal_gateway_refs=("LGA1972 s.111",),
    effective_from=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
    effective_to=dt.datetime(2027, 1, 1, tzinfo=dt.UTC),
    review_due=dt.date(2026, 1, 1),
    ledger_retention_months=72,
)


def rule(rid: str, service: str, **kw: Any) -> domain.SharingRule:
    values: dict[str, Any] = {
        "id": rid,
        "version": 1,
        "status": "active",
        "dsa_id": DSA.id,
        "dsa_version": DSA.version,
        "partner_service_id": service,
        "purpose_code": "council_tax_liability",
        "lawful_basis": "public_task",
        "field_groups": CT_GROUPS,
        "valid_from": dt.datetime(2024, 6, 1, tzinfo=dt.UTC),
    }
    return domain.SharingRule(**(values | kw))


RULES = (
    rule("r-old-ct", "old-ct", trigger_roles=frozenset({"leaving", "within"})),
    rule("r-new-ct", "new-ct", trigger_roles=frozenset({"joining", "within"})),
    rule(
        "r-new-lib",
        "new-lib",
        purpose_code="library_membership",
        lawful_basis="consent",
        choice_mode="citizen_opt_in",
        field_groups=frozenset({"PERSON_NAME", "NEW_ADDRESS", "PARTNER_REFERENCE"}),
    ),
    rule(
        "r-asc",
        "county-asc",
        purpose_code="adult_social_care",
        relationship_requirement="holds_subject",
        field_groups=frozenset({"PERSON_NAME", "NEW_ADDRESS", "SERVICE_ANSWERS"}),
        max_data_category="special-category",
        art9_condition="UK GDPR Art 9(2)(h)",
        trigger_roles=frozenset({"within"}),
    ),
)

MOVER = move_domain.Person(id="s-mover", given_name="Ada", family_name="Lovelace")
MOVE = move_domain.Move(
    reference="COA-7K3Q-9MX2",
    submitter=move_domain.Submitter(kind="citizen"),
    person=MOVER,
    old_uprn=OLD_UPRN,
    new_uprn=NEW_UPRN,
    move_date=dt.date(2025, 3, 14),
    choices=(
        move_domain.RecipientChoice(partner_service_id="new-ct", answers={"adults": 2}),
        move_domain.RecipientChoice(
            partner_service_id="new-lib", selected=True, partner_reference="LIB-42"
        ),
        move_domain.RecipientChoice(partner_service_id="county-asc", answers={"carer": "yes"}),
    ),
)
FACTS = move_domain.GazetteerFacts(
    old=move_domain.Location(
        uprn=OLD_UPRN, area_codes=frozenset({OLD_AREA}), single_line="1 OLD ROAD"
    ),
    new=move_domain.Location(
        uprn=NEW_UPRN, area_codes=frozenset({NEW_AREA}), single_line="2 NEW ROAD"
    ),
)
LIB_CONSENT = move_domain.Consent(
    id="c-lib",
    subject_id=MOVER.id,
    partner_service_id="new-lib",
    purpose_code="library_membership",
    rule_id="r-new-lib",
    rule_version=1,
    given_at=NOW - dt.timedelta(minutes=1),
    expires_at=NOW + dt.timedelta(days=90),
)
ASC_RELATIONSHIP = move_domain.Relationship(
    partner_service_id="county-asc", kind="holds_subject", subject_id=MOVER.id
)


def registry(
    *,
    partners: tuple[domain.Partner, ...] = (OLDTOWN, NEWTOWN, COUNTY),
    services: tuple[domain.PartnerService, ...] = (OLD_CT, NEW_CT, NEW_LIB, CARE),
    agreements: tuple[domain.Agreement, ...] = (DSA,),
    rules: tuple[domain.SharingRule, ...] = RULES,
    restrictions: tuple[domain.SourceRestriction, ...] = (
        domain.SourceRestriction(
            code="LGFA1992_CT", legal_ref="LGFA 1992", lifted_by=frozenset({GATEWAY})
        ),
    ),
) -> domain.Registry:
    return domain.Registry.build(
        partners=partners,
        services=services,
        agreements=agreements,
        rules=rules,
        restrictions=restrictions,
    )


def situation(**kw: Any) -> decision.Situation:
    values: dict[str, Any] = {
        "move": MOVE,
        "facts": FACTS,
        "registry": registry(),
        "consents": (LIB_CONSENT,),
        "relationships": (ASC_RELATIONSHIP,),
        "now": NOW,
    }
    return decision.Situation(**(values | kw))


def decide(service_id: str, **kw: Any) -> decision.Decision:
    found = decision.plan(situation(**kw)).for_service(service_id)
    assert found is not None, f"{service_id} is not a candidate"
    return found


def replace_rule(rule_id: str, **changes: Any) -> tuple[domain.SharingRule, ...]:
    return tuple(dataclasses.replace(r, **changes) if r.id == rule_id else r for r in RULES)


def replace_service(service_id: str, **changes: Any) -> tuple[domain.PartnerService, ...]:
    services = (OLD_CT, NEW_CT, NEW_LIB, CARE)
    return tuple(dataclasses.replace(s, **changes) if s.id == service_id else s for s in services)
