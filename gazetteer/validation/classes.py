"""Cross-record classification and organisation rules (§4.1 rows 86–92, 94, 95).

Each is judged over a BLPU's group, from the BLPU and from each classification or organisation
that refers to it. The DTF BLPU_CLASS field counts as one more open classification.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from gazetteer import domain
from gazetteer.validation import codes, views
from gazetteer.validation.base import Check, Findings, report
from gazetteer.validation.context import Context

CONTRADICTIONS: Final = (frozenset("LR"), frozenset("UR"), frozenset("UC"))
U_AGE: Final = dt.timedelta(days=365)


def required(blpu: domain.Blpu, ctx: Context) -> Findings:
    if blpu.is_closed or views.class_subjects(blpu, ctx.gazetteer):
        return []
    return [report(ctx, "CLS-REQUIRED", blpu, None, "an open BLPU needs an open classification")]


def one_open(blpu: domain.Blpu, ctx: Context) -> Findings:
    schemes: dict[str | None, list[domain.Classification]] = {}
    for record in ctx.gazetteer.classifications_of_uprn(blpu.uprn):
        if views.is_open(record):
            schemes.setdefault(record.class_scheme, []).append(record)
    return [
        report(ctx, "CLS-ONE-OPEN", record, "end_date", f"{len(group)} open classifications")
        for group in schemes.values()
        if len(group) > 1
        for record in group
    ]


def ps_iff_street_record(blpu: domain.Blpu, ctx: Context) -> Findings:
    classed = codes.STREET_CLASS in views.class_codes(blpu, ctx.gazetteer)
    lpis = ctx.gazetteer.lpis_of_uprn(blpu.uprn)
    has_street_record = any(views.is_street_record(lpi) for lpi in lpis)
    if classed == has_street_record:
        return []
    if classed:
        message = "a BLPU classified PS needs a STREET RECORD LPI"
    else:
        message = "a BLPU with a STREET RECORD LPI is classified PS"
    return [report(ctx, "CLS-PS-STREET-RECORD", blpu, None, message)]


def closed_blpu(blpu: domain.Blpu, ctx: Context) -> Findings:
    if not blpu.is_closed:
        return []
    return [
        report(ctx, "CLS-CLOSED-BLPU", record, "end_date", "the BLPU is closed")
        for record in ctx.gazetteer.classifications_of_uprn(blpu.uprn)
        if views.is_open(record)
    ]


def not_u_if_postal(blpu: domain.Blpu, ctx: Context) -> Findings:
    subjects = views.class_subjects(blpu, ctx.gazetteer)
    if not any(code in codes.UNCLASSIFIED for _, _, code in subjects):
        return []
    if not views.is_postal(blpu, ctx.gazetteer):
        return []
    return [
        report(ctx, "CLS-NOT-U-IF-POSTAL", record, field, f"a postal BLPU is not classified {code}")
        for record, field, code in subjects
        if code in codes.UNCLASSIFIED
    ]


def u_age(blpu: domain.Blpu, ctx: Context) -> Findings:
    start, as_of = blpu.start_date, ctx.as_of
    if blpu.logical_status != "1" or start is None or as_of is None or as_of - start <= U_AGE:
        return []
    return [
        report(ctx, "CLS-U-AGE", record, field, f"approved since {start} but still {code}")
        for record, field, code in views.class_subjects(blpu, ctx.gazetteer)
        if code.startswith("U")
    ]


def contradictory(blpu: domain.Blpu, ctx: Context) -> Findings:
    primaries = {code[:1] for code in views.class_codes(blpu, ctx.gazetteer)}
    clashes = ["+".join(sorted(pair)) for pair in CONTRADICTIONS if pair <= primaries]
    if not clashes:
        return []
    message = f"open classifications combine {', '.join(clashes)}"
    return [report(ctx, "CLS-CONTRADICTORY", blpu, None, message)]


def duplicate_organisation(org: domain.Organisation, ctx: Context) -> Findings:
    if not views.is_open(org):
        return []
    twins = [
        other.org_key
        for other in ctx.gazetteer.organisations_of_uprn(org.uprn)
        if views.is_open(other) and other.org_key != org.org_key
        and other.organisation == org.organisation
    ]  # fmt: skip
    if not twins:
        return []
    message = f"the same name as open organisation {', '.join(sorted(twins))}"
    return [report(ctx, "ORG-DUP-OPEN", org, "organisation", message)]


def organisation_ends_with_blpu(blpu: domain.Blpu, ctx: Context) -> Findings:
    if blpu.end_date is None:
        return []
    return [
        report(ctx, "ORG-END-WITH-BLPU", org, "end_date", "the BLPU has ended")
        for org in ctx.gazetteer.organisations_of_uprn(blpu.uprn)
        if views.is_open(org)
    ]


def _group_checks() -> list[Check]:
    cls_side: dict[str, views.BlpuCheck] = {
        "CLS-REQUIRED": required,
        "CLS-ONE-OPEN": one_open,
        "CLS-PS-STREET-RECORD": ps_iff_street_record,
        "CLS-CLOSED-BLPU": closed_blpu,
        "CLS-NOT-U-IF-POSTAL": not_u_if_postal,
        "CLS-U-AGE": u_age,
        "CLS-CONTRADICTORY": contradictory,
    }
    checks = [Check(rule_id=i, record_type=domain.Blpu, run=run) for i, run in cls_side.items()]
    checks += [
        Check(rule_id=i, record_type=domain.Classification, run=views.via_blpu(run))
        for i, run in cls_side.items()
    ]
    end = "ORG-END-WITH-BLPU"
    checks.append(Check(rule_id=end, record_type=domain.Blpu, run=organisation_ends_with_blpu))
    org_end = views.via_blpu(organisation_ends_with_blpu)
    checks.append(Check(rule_id=end, record_type=domain.Organisation, run=org_end))
    return checks


CHECKS: Final[tuple[Check, ...]] = (
    *_group_checks(),
    Check(rule_id="ORG-DUP-OPEN", record_type=domain.Organisation, run=duplicate_organisation),
)
