"""Cross-record rules on references between records (§4.1 rows 33–36, 73, 84, 97, 99, 100,
106, 109–111): existence of the referred record, duplicates, and BLPU facts that need other
records (children, streets, delivery points, provenances)."""

from __future__ import annotations

import re
from typing import Final

from gazetteer import domain
from gazetteer.validation import codes, context, views
from gazetteer.validation.base import Check, Findings, present, report
from gazetteer.validation.context import Context

NEAR_STREET_M: Final = 5_000.0
STREET_RECORD_POINT_M: Final = 1.0  # [PROJECT] or the street's tolerance, if larger
_TYPE3: Final = re.compile(rf"^({'|'.join(codes.TYPE3_PREFIXES)}) ?\d")

UprnHolder = domain.CrossReference | domain.Successor | domain.Organisation | domain.Classification


def blpu_of_holder_exists(record: UprnHolder, ctx: Context) -> Findings:
    if ctx.gazetteer.blpu(record.uprn) is not None:
        return []
    return [report(ctx, "XRF-BLPU-EXISTS", record, "uprn", f"no BLPU has UPRN {record.uprn}")]


def dpa_blpu_exists(dpa: domain.DeliveryPoint, ctx: Context) -> Findings:
    if ctx.gazetteer.blpu(dpa.uprn) is not None:
        return []
    return [report(ctx, "DPA-UPRN-EXISTS", dpa, "uprn", f"no BLPU has UPRN {dpa.uprn}")]


def successor_exists(successor: domain.Successor, ctx: Context) -> Findings:
    """W on ingest: the successor may belong to another authority."""
    target = successor.successor
    if target == successor.uprn or ctx.gazetteer.blpu(target) is not None:
        return []
    return [report(ctx, "SUC-TARGET", successor, "successor", f"no BLPU has UPRN {target}")]


def xref_duplicate(xref: domain.CrossReference, ctx: Context) -> Findings:
    twins = [
        other.xref_key
        for other in ctx.gazetteer.cross_references_of_uprn(xref.uprn)
        if other.xref_key != xref.xref_key
        and (other.source, other.cross_reference) == (xref.source, xref.cross_reference)
    ]  # fmt: skip
    if not twins:
        return []
    message = f"the same source and reference as {', '.join(sorted(twins))}"
    return [report(ctx, "XRF-DUP", xref, "cross_reference", message)]


def multi_occ_count(blpu: domain.Blpu, ctx: Context) -> Findings:
    count = blpu.multi_occ_count
    if not ctx.full_supply or count is None:
        return []
    children = len(ctx.gazetteer.children_of_uprn(blpu.uprn))
    if children == count:
        return []
    message = f"MULTI_OCC_COUNT {count} but {children} BLPUs name it as parent"
    return [report(ctx, "BLPU-MULTI-OCC", blpu, "multi_occ_count", message)]


def near_street(blpu: domain.Blpu, ctx: Context) -> Findings:
    here = views.point(blpu)
    if here is None:
        return []
    found = []
    for street in views.streets_of(blpu, ctx.gazetteer):
        distance = views.distance_to_ends(here, street)
        if distance is not None and distance > NEAR_STREET_M:
            message = f"{distance:.0f} m from the ends of street {street.usrn}"
            found.append(report(ctx, "BLPU-NEAR-STREET", blpu, "x_coordinate", message))
    return found


def street_record_point(blpu: domain.Blpu, ctx: Context) -> Findings:
    here = views.point(blpu)
    if here is None:
        return []
    lpis = ctx.gazetteer.lpis_of_uprn(blpu.uprn)
    usrns = dict.fromkeys(lpi.usrn for lpi in lpis if views.is_street_record(lpi))
    streets = [s for s in map(ctx.gazetteer.street, usrns) if s is not None]
    found = []
    for street in streets:
        distance = views.distance_to_ends(here, street)
        limit = max(STREET_RECORD_POINT_M, float(street.tolerance or 0))
        if distance is not None and distance > limit:
            message = f"a street BLPU is {distance:.1f} m from street {street.usrn}'s ends"
            found.append(report(ctx, "BLPU-STREET-RECORD-POINT", blpu, "x_coordinate", message))
    return found


def provenance(blpu: domain.Blpu, ctx: Context) -> Findings:
    if not ctx.carries_provenance or ctx.gazetteer.provenances_of_uprn(blpu.uprn):
        return []
    return [report(ctx, "BLPU-PROVENANCE", blpu, None, "a BLPU needs at least one provenance")]


def postal_d_has_dpa(blpu: domain.Blpu, ctx: Context) -> Findings:
    if not present(blpu.addressbase_postal):
        return []
    coded = blpu.addressbase_postal == "D"
    has_dpa = bool(ctx.gazetteer.delivery_points_of_uprn(blpu.uprn))
    if coded == has_dpa:
        return []
    message = "code D needs a DPA" if coded else "a BLPU with a DPA has ADDRESSBASE_POSTAL D"
    return [report(ctx, "POST-ABP-D-HAS-DPA", blpu, "addressbase_postal", message)]


def _street(descriptor: domain.StreetDescriptor, ctx: Context) -> domain.Street | None:
    return ctx.gazetteer.street(descriptor.usrn)


def descriptor_street_exists(descriptor: domain.StreetDescriptor, ctx: Context) -> Findings:
    if _street(descriptor, ctx) is not None:
        return []
    message = f"no street has USRN {descriptor.usrn}"
    return [report(ctx, "SD-STREET-EXISTS", descriptor, "usrn", message)]


def town_for_street_type(descriptor: domain.StreetDescriptor, ctx: Context) -> Findings:
    """The street-type half of SD-TOWN-REQUIRED (the LOCALITY half is record-level)."""
    street = _street(descriptor, ctx)
    if street is None or street.record_type not in {"1", "2"}:
        return []
    if present(descriptor.town_name) or present(descriptor.locality):
        return []
    message = f"a type {street.record_type} street's descriptor needs a TOWN_NAME"
    return [report(ctx, "SD-TOWN-REQUIRED", descriptor, "town_name", message)]


def type3_prefix(descriptor: domain.StreetDescriptor, ctx: Context) -> Findings:
    """A road number: a listed prefix then a digit, an optional space between [PROJECT]."""
    street = _street(descriptor, ctx)
    if street is None or street.record_type != "3" or _TYPE3.match(descriptor.description):
        return []
    message = f"{descriptor.description!r} is not a numbered street description"
    return [report(ctx, "SD-TYPE3-PREFIX", descriptor, "description", message)]


def _authority(descriptor: domain.StreetDescriptor, ctx: Context) -> int | None:
    street = _street(descriptor, ctx)
    return street.swa_org_ref_naming if street is not None else None


def _same_name(descriptor: domain.StreetDescriptor, ctx: Context) -> list[domain.StreetDescriptor]:
    """Descriptors sharing the description, language and town, grouped once per run."""

    def build() -> dict[tuple[str, str | None], list[domain.StreetDescriptor]]:
        grouped: dict[tuple[str, str | None], list[domain.StreetDescriptor]] = {}
        for other in ctx.gazetteer.descriptors_named(descriptor.description):
            grouped.setdefault((other.language, other.town_name), []).append(other)
        return grouped

    groups = context.memoised(ctx, ("descriptors", descriptor.description), build)
    return groups.get((descriptor.language, descriptor.town_name), [])


def locality_disambiguates(descriptor: domain.StreetDescriptor, ctx: Context) -> Findings:
    if present(descriptor.locality):
        return []
    authority = _authority(descriptor, ctx)
    repeats = {
        other.usrn
        for other in _same_name(descriptor, ctx)
        if other.usrn != descriptor.usrn
        and (authority is None or _authority(other, ctx) in {None, authority})
    }
    if not repeats:
        return []
    message = f"the same description and town as USRN {', '.join(map(str, sorted(repeats)))}"
    return [report(ctx, "SD-LOCALITY-DISAMBIGUATES", descriptor, "locality", message)]


def _blpu_checks() -> list[Check]:
    table: dict[str, views.BlpuCheck] = {
        "BLPU-MULTI-OCC": multi_occ_count,
        "BLPU-NEAR-STREET": near_street,
        "BLPU-STREET-RECORD-POINT": street_record_point,
        "BLPU-PROVENANCE": provenance,
        "POST-ABP-D-HAS-DPA": postal_d_has_dpa,
    }
    checks = [Check(rule_id=i, record_type=domain.Blpu, run=run) for i, run in table.items()]
    d_has_dpa = views.via_blpu(postal_d_has_dpa)
    checks.append(
        Check(rule_id="POST-ABP-D-HAS-DPA", record_type=domain.DeliveryPoint, run=d_has_dpa)
    )
    return checks


def _reference_checks() -> list[Check]:
    holders = (domain.CrossReference, domain.Successor, domain.Organisation, domain.Classification)
    descriptor = domain.StreetDescriptor
    return [
        *(
            Check(rule_id="XRF-BLPU-EXISTS", record_type=k, run=blpu_of_holder_exists)
            for k in holders
        ),
        Check(rule_id="DPA-UPRN-EXISTS", record_type=domain.DeliveryPoint, run=dpa_blpu_exists),
        Check(rule_id="SUC-TARGET", record_type=domain.Successor, run=successor_exists),
        Check(rule_id="XRF-DUP", record_type=domain.CrossReference, run=xref_duplicate),
        Check(rule_id="SD-STREET-EXISTS", record_type=descriptor, run=descriptor_street_exists),
        Check(rule_id="SD-TOWN-REQUIRED", record_type=descriptor, run=town_for_street_type),
        Check(rule_id="SD-TYPE3-PREFIX", record_type=descriptor, run=type3_prefix),
        Check(
            rule_id="SD-LOCALITY-DISAMBIGUATES", record_type=descriptor, run=locality_disambiguates
        ),
    ]


CHECKS: Final[tuple[Check, ...]] = (*_blpu_checks(), *_reference_checks())
