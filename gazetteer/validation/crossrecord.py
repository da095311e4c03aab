"""Cross-record rules between BLPUs, LPIs, streets and descriptors (§4.1 rows 25–27, 50–65).

Each rule is a ``(record, context)`` function that reads ``context.gazetteer``: the batch being
validated over the live gazetteer. Rules about a BLPU's group of LPIs are judged from the BLPU and,
through :func:`views.via_blpu`, from each of its LPIs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from gazetteer import domain
from gazetteer.validation import codes, context, views
from gazetteer.validation import lpi as lpi_rules
from gazetteer.validation.base import Check, Findings, present, report
from gazetteer.validation.context import Context

_APPROVED_STATUSES_FOR_SAO: Final = frozenset({"1", "6"})
_STREET_BLPU_STATUSES: Final = frozenset({"1", "6"})
_PAIRS: Final = {domain.LANGUAGE_ENGLISH: domain.LANGUAGE_WELSH, domain.LANGUAGE_WELSH: "ENG"}


def usrn_exists(lpi: domain.Lpi, ctx: Context) -> Findings:
    if ctx.gazetteer.street(lpi.usrn) is not None:
        return []
    return [report(ctx, "LPI-USRN-EXISTS", lpi, "usrn", f"no street has USRN {lpi.usrn}")]


def blpu_exists(lpi: domain.Lpi, ctx: Context) -> Findings:
    if ctx.gazetteer.blpu(lpi.uprn) is not None:
        return []
    return [report(ctx, "LPI-BLPU-EXISTS", lpi, "uprn", f"no BLPU has UPRN {lpi.uprn}")]


def has_lpi(blpu: domain.Blpu, ctx: Context) -> Findings:
    if ctx.gazetteer.lpis_of_uprn(blpu.uprn):
        return []
    return [report(ctx, "BLPU-HAS-LPI", blpu, None, "a BLPU needs at least one LPI")]


def lpi_status_allowed(blpu: domain.Blpu, ctx: Context) -> Findings:
    allowed = codes.TABLE_B.get(blpu.logical_status)
    if allowed is None:
        return []
    return [
        report(
            ctx, "BLPU-LPI-STATUS-ALLOWED", lpi, "logical_status",
            f"LPI status {lpi.logical_status} is not permitted under BLPU status "
            f"{blpu.logical_status} (table B)",
        )
        for lpi in ctx.gazetteer.lpis_of_uprn(blpu.uprn)
        if lpi.logical_status not in allowed
    ]  # fmt: skip


def lpi_status_match(blpu: domain.Blpu, ctx: Context) -> Findings:
    lpis = ctx.gazetteer.lpis_of_uprn(blpu.uprn)
    if not lpis or any(lpi.logical_status == blpu.logical_status for lpi in lpis):
        return []
    message = f"no LPI has the BLPU's status {blpu.logical_status}"
    return [report(ctx, "BLPU-LPI-STATUS-MATCH", blpu, "logical_status", message)]


def one_approved(lpi: domain.Lpi, ctx: Context) -> Findings:
    if lpi.logical_status != "1":
        return []
    approved = [
        other.lpi_key
        for other in ctx.gazetteer.lpis_of_uprn(lpi.uprn)
        if other.logical_status == "1" and other.language == lpi.language
    ]
    if len(approved) <= 1:
        return []
    message = f"UPRN {lpi.uprn} has {len(approved)} approved {lpi.language} LPIs"
    return [report(ctx, "LPI-ONE-APPROVED", lpi, "logical_status", message)]


def _address(lpi: domain.Lpi, ctx: Context) -> tuple[object, ...]:
    """What LPI-DUP-ADDRESS compares, with LANGUAGE added [PROJECT]: a CYM LPI repeats its ENG
    twin's numbers and USRN by design. ABP LPIs take the BLPU's POSTCODE_LOCATOR."""
    fields = [f"{o}_{p}" for o in ("pao", "sao") for p in lpi_rules.PARTS]
    fields += ["post_town", "level", "official_flag", "usrn", "language"]
    values = [getattr(lpi, name) if present(getattr(lpi, name)) else None for name in fields]
    code = lpi.postcode
    if ctx.format.is_abp and (blpu := ctx.gazetteer.blpu(lpi.uprn)) is not None:
        code = blpu.postcode_locator
    return (*values, code)


def _addresses_on_street(usrn: int, ctx: Context) -> dict[tuple[object, ...], list[str]]:
    """The open LPIs on a street grouped by address, built once per validation run."""

    def build() -> dict[tuple[object, ...], list[str]]:
        grouped: dict[tuple[object, ...], list[str]] = {}
        for lpi in ctx.gazetteer.lpis_of_usrn(usrn):
            if not lpi.is_closed:
                grouped.setdefault(_address(lpi, ctx), []).append(lpi.lpi_key)
        return grouped

    return context.memoised(ctx, ("addresses", usrn), build)


def duplicate_address(lpi: domain.Lpi, ctx: Context) -> Findings:
    if lpi.is_closed:
        return []
    same = _addresses_on_street(lpi.usrn, ctx).get(_address(lpi, ctx), [])
    twins = sorted({key for key in same if key != lpi.lpi_key})
    if not twins:
        return []
    message = f"the same address as open LPI {', '.join(twins)}"
    return [report(ctx, "LPI-DUP-ADDRESS", lpi, None, message)]


def sao_needs_parent(lpi: domain.Lpi, ctx: Context) -> Findings:
    fields = lpi_rules.sao_fields(lpi)
    if lpi.logical_status not in _APPROVED_STATUSES_FOR_SAO or not fields:
        return []
    blpu = ctx.gazetteer.blpu(lpi.uprn)
    if blpu is None or blpu.parent_uprn is not None:
        return []
    message = "an LPI with a SAO needs its BLPU to have a PARENT_UPRN"
    return [report(ctx, "LPI-SAO-NEEDS-PARENT", lpi, fields[0], message)]


def approved_street_type(lpi: domain.Lpi, ctx: Context) -> Findings:
    street = ctx.gazetteer.street(lpi.usrn)
    if lpi.logical_status != "1" or street is None or street.record_type not in {"3", "4"}:
        return []
    blpu = ctx.gazetteer.blpu(lpi.uprn)
    if views.is_street_record(lpi) or (blpu and views.is_street_blpu(blpu, ctx.gazetteer)):
        return []
    message = f"an approved LPI is on a type {street.record_type} street"
    return [report(ctx, "LPI-APPROVED-STREET-TYPE", lpi, "usrn", message)]


def open_on_closed_blpu(blpu: domain.Blpu, ctx: Context) -> Findings:
    if not blpu.is_closed:
        return []
    return [
        report(ctx, "LPI-OPEN-ON-CLOSED-BLPU", lpi, "logical_status", "the BLPU is closed")
        for lpi in ctx.gazetteer.lpis_of_uprn(blpu.uprn)
        if not lpi.is_closed
    ]


def lpis_on_closed_street(street: domain.Street, ctx: Context) -> Findings:
    if not views.street_is_closed(street):
        return []
    return [
        report(ctx, "LPI-OPEN-ON-CLOSED-STREET", lpi, "usrn", f"street {street.usrn} is closed")
        for lpi in ctx.gazetteer.lpis_of_usrn(street.usrn)
        if not lpi.is_closed
    ]


def lpi_on_closed_street(lpi: domain.Lpi, ctx: Context) -> Findings:
    street = ctx.gazetteer.street(lpi.usrn)
    if lpi.is_closed or street is None or not views.street_is_closed(street):
        return []
    message = f"street {street.usrn} is closed"
    return [report(ctx, "LPI-OPEN-ON-CLOSED-STREET", lpi, "usrn", message)]


def blpu_on_closed_street(blpu: domain.Blpu, ctx: Context) -> Findings:
    streets = list(views.streets_of(blpu, ctx.gazetteer))
    if blpu.is_closed or not streets or not all(map(views.street_is_closed, streets)):
        return []
    message = "every street the BLPU's LPIs are on is closed"
    return [report(ctx, "LPI-OPEN-ON-CLOSED-STREET", blpu, None, message)]


def street_record_class(lpi: domain.Lpi, ctx: Context) -> Findings:
    blpu = ctx.gazetteer.blpu(lpi.uprn)
    if not views.is_street_record(lpi) or blpu is None:
        return []
    if codes.STREET_CLASS in views.class_codes(blpu, ctx.gazetteer):
        return []
    message = "the BLPU of a STREET RECORD is classified PS"
    return [report(ctx, "LPI-STREET-RECORD-SHAPE", lpi, "pao_text", message)]


def street_record_unique(lpi: domain.Lpi, ctx: Context) -> Findings:
    if not views.is_street_record(lpi) or lpi.is_closed:
        return []
    others = [
        other.lpi_key
        for other in ctx.gazetteer.lpis_of_usrn(lpi.usrn)
        if views.is_street_record(other) and not other.is_closed
        and other.language == lpi.language and other.lpi_key != lpi.lpi_key
    ]  # fmt: skip
    if not others:
        return []
    message = f"street {lpi.usrn} has another open STREET RECORD: {', '.join(sorted(others))}"
    return [report(ctx, "LPI-STREET-RECORD-UNIQUE", lpi, "pao_text", message)]


def _is_open_street(street: domain.Street | None) -> bool:
    return street is not None and not views.street_is_closed(street)


def street_record_status(blpu: domain.Blpu, ctx: Context) -> Findings:
    """Judged over the BLPU's open STREET RECORD LPIs only [PROJECT]: a retired street BLPU keeps
    its historical LPI when a street is re-recorded."""
    if blpu.logical_status in _STREET_BLPU_STATUSES:
        return []
    for lpi in ctx.gazetteer.lpis_of_uprn(blpu.uprn):
        street = ctx.gazetteer.street(lpi.usrn)
        if views.is_street_record(lpi) and not lpi.is_closed and _is_open_street(street):
            message = "the BLPU of an open street's STREET RECORD has status 1 or 6"
            return [report(ctx, "LPI-STREET-RECORD-STATUS", blpu, "logical_status", message)]
    return []


def _has_open(lpi: domain.Lpi, language: str, ctx: Context) -> bool:
    return any(
        other.language == language and not other.is_closed
        for other in ctx.gazetteer.lpis_of_uprn(lpi.uprn)
    )


def welsh_pair(lpi: domain.Lpi, ctx: Context) -> Findings:
    other = _PAIRS.get(lpi.language)
    if other is None or lpi.is_closed:
        return []
    blpu = ctx.gazetteer.blpu(lpi.uprn)
    welsh = ctx.is_welsh or (blpu is not None and blpu.country == "W")
    if not welsh or _has_open(lpi, other, ctx):
        return []
    message = f"a Welsh authority's open {lpi.language} LPI needs a {other} counterpart"
    return [report(ctx, "LPI-WELSH-PAIR", lpi, "language", message)]


def gaelic_pair(lpi: domain.Lpi, ctx: Context) -> Findings:
    if lpi.language != "GAE" or lpi.is_closed or _has_open(lpi, "ENG", ctx):
        return []
    return [report(ctx, "LPI-GAELIC-PAIR", lpi, "language", "an open GAE LPI needs an ENG LPI")]


def descriptor_language(lpi: domain.Lpi, ctx: Context) -> Findings:
    descriptors = ctx.gazetteer.descriptors_of_usrn(lpi.usrn)
    if any(descriptor.language == lpi.language for descriptor in descriptors):
        return []
    message = f"street {lpi.usrn} has no {lpi.language} descriptor"
    return [report(ctx, "LPI-DESCRIPTOR-LANGUAGE", lpi, "language", message)]


def _organisation_names(uprn: int, ctx: Context) -> list[str]:
    blpu = ctx.gazetteer.blpu(uprn)
    names = [
        org.organisation for org in ctx.gazetteer.organisations_of_uprn(uprn) if views.is_open(org)
    ]
    names += [blpu.organisation] if blpu is not None and blpu.organisation else []
    return [name.strip().casefold() for name in names if present(name)]


def org_not_in_text(lpi: domain.Lpi, ctx: Context) -> Findings:
    names = _organisation_names(lpi.uprn, ctx)
    return [
        report(ctx, "LPI-ORG-NOT-IN-TEXT", lpi, field, f"{field} repeats the organisation name")
        for field in ("pao_text", "sao_text")
        if (text := getattr(lpi, field)) and any(name in text.casefold() for name in names)
    ]


def _lpi_checks() -> list[Check]:
    table: dict[str, Callable[[domain.Lpi, Context], Findings]] = {
        "LPI-USRN-EXISTS": usrn_exists,
        "LPI-BLPU-EXISTS": blpu_exists,
        "LPI-ONE-APPROVED": one_approved,
        "LPI-DUP-ADDRESS": duplicate_address,
        "LPI-SAO-NEEDS-PARENT": sao_needs_parent,
        "LPI-APPROVED-STREET-TYPE": approved_street_type,
        "LPI-OPEN-ON-CLOSED-STREET": lpi_on_closed_street,
        "LPI-STREET-RECORD-SHAPE": street_record_class,
        "LPI-STREET-RECORD-UNIQUE": street_record_unique,
        "LPI-WELSH-PAIR": welsh_pair,
        "LPI-GAELIC-PAIR": gaelic_pair,
        "LPI-DESCRIPTOR-LANGUAGE": descriptor_language,
        "LPI-ORG-NOT-IN-TEXT": org_not_in_text,
    }
    return [Check(rule_id=i, record_type=domain.Lpi, run=run) for i, run in table.items()]


def _blpu_group_checks() -> list[Check]:
    table: dict[str, views.BlpuCheck] = {
        "BLPU-HAS-LPI": has_lpi,
        "BLPU-LPI-STATUS-ALLOWED": lpi_status_allowed,
        "BLPU-LPI-STATUS-MATCH": lpi_status_match,
        "LPI-OPEN-ON-CLOSED-BLPU": open_on_closed_blpu,
        "LPI-OPEN-ON-CLOSED-STREET": blpu_on_closed_street,
        "LPI-STREET-RECORD-STATUS": street_record_status,
    }
    return [
        check
        for rule_id, run in table.items()
        for check in (
            Check(rule_id=rule_id, record_type=domain.Blpu, run=run),
            Check(rule_id=rule_id, record_type=domain.Lpi, run=views.via_blpu(run)),
        )
    ]


CHECKS: Final[tuple[Check, ...]] = (
    *_lpi_checks(),
    *_blpu_group_checks(),
    Check(
        rule_id="LPI-OPEN-ON-CLOSED-STREET", record_type=domain.Street, run=lpis_on_closed_street
    ),
)
