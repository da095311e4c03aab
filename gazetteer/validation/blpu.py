"""Record-level BLPU rules (§4.1 rows 19–33, 72, 74, 114): codes, table A, dates and flags."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from gazetteer import domain, postcode
from gazetteer.validation import codes
from gazetteer.validation.base import Check, Findings, present, report
from gazetteer.validation.context import Context
from gazetteer.validation.findings import Format, Severity

CLASSIFICATION_SHAPE: Final = re.compile(r"^[A-Z]([A-Z](\d{2}([A-Z]{2})?)?)?$")
CUSTODIAN_MAX: Final = 9999
POSTCODE_WIDTH: Final = 8


def state_of(blpu: domain.Blpu) -> str | None:
    """The BLPU_STATE with a blank read as absent."""
    return blpu.blpu_state if present(blpu.blpu_state) else None


def permitted_states(status: str, *, osg: bool) -> frozenset[codes.State] | None:
    """Table A's states for ``status`` (OSG's column where it states one); ``None`` if unknown."""
    if osg and status in codes.TABLE_A_OSG:
        return codes.TABLE_A_OSG[status]
    return codes.TABLE_A.get(status)


def status_code(blpu: domain.Blpu, ctx: Context) -> Findings:
    allowed = codes.BLPU_STATUSES_OSG if ctx.osg else codes.BLPU_STATUSES
    if blpu.logical_status in allowed:
        return []
    message = f"BLPU status {blpu.logical_status!r} is not one of {sorted(allowed)}"
    return [report(ctx, "BLPU-STATUS-CODE", blpu, "logical_status", message)]


def state_code(blpu: domain.Blpu, ctx: Context) -> Findings:
    allowed = codes.BLPU_STATES_OSG if ctx.osg else codes.BLPU_STATES
    state = state_of(blpu)
    if state is None or state in allowed:
        return []
    return [report(ctx, "BLPU-STATE-CODE", blpu, "blpu_state", f"unknown state {state!r}")]


def state_vs_status(blpu: domain.Blpu, ctx: Context) -> Findings:
    allowed = permitted_states(blpu.logical_status, osg=ctx.osg)
    state = state_of(blpu)
    if allowed is None or state in allowed:
        return []
    shown = "a blank state" if state is None else f"state {state}"
    message = f"status {blpu.logical_status} does not permit {shown} (table A)"
    return [report(ctx, "BLPU-STATE-VS-STATUS", blpu, "blpu_state", message)]


def state_date_pair(blpu: domain.Blpu, ctx: Context) -> Findings:
    has_state, has_date = state_of(blpu) is not None, blpu.blpu_state_date is not None
    if has_state == has_date:
        return []
    field = "blpu_state_date" if has_state else "blpu_state"
    message = "BLPU_STATE and BLPU_STATE_DATE must both be present or both absent"
    return [report(ctx, "BLPU-STATE-DATE-PAIR", blpu, field, message)]


def end_iff_closed(
    record: domain.Blpu | domain.Lpi, ctx: Context, *, rule_id: str = "BLPU-END-IFF-CLOSED"
) -> Findings:
    closed = record.logical_status in codes.CLOSED_STATUSES
    if closed == (record.end_date is not None):
        return []
    if closed:
        message = f"status {record.logical_status} needs an END_DATE"
    else:
        message = f"status {record.logical_status} must not have an END_DATE"
    return [report(ctx, rule_id, record, "end_date", message)]


def ended_state(blpu: domain.Blpu, ctx: Context) -> Findings:
    state = state_of(blpu)
    if blpu.end_date is None or state is None or state == "4":
        return []
    if (blpu.logical_status, state) in codes.ENDED_STATE_YIELDS:
        return []
    message = f"an ended BLPU should have state 4, not {state}"
    return [report(ctx, "BLPU-ENDED-STATE", blpu, "blpu_state", message)]


def rpc_code(blpu: domain.Blpu, ctx: Context) -> Findings:
    allowed = codes.RPC_CODES_DTF if ctx.format is Format.DTF else codes.RPC_CODES
    if blpu.rpc in allowed:
        return []
    return [report(ctx, "BLPU-RPC-CODE", blpu, "rpc", f"RPC {blpu.rpc!r} is not a known code")]


def rpc_deprecated(blpu: domain.Blpu, ctx: Context) -> Findings:
    if blpu.rpc not in codes.RPC_DEPRECATED:
        return []
    message = f"RPC {blpu.rpc} is no longer accepted on new or changed records"
    return [report(ctx, "BLPU-RPC-DEPRECATED", blpu, "rpc", message)]


def custodian(blpu: domain.Blpu, ctx: Context) -> Findings:
    code = blpu.local_custodian_code
    if code is not None and 1 <= code <= CUSTODIAN_MAX:
        return []
    message = f"LOCAL_CUSTODIAN_CODE {code} is not in 1..{CUSTODIAN_MAX}"
    return [report(ctx, "BLPU-CUSTODIAN", blpu, "local_custodian_code", message)]


def country_code(blpu: domain.Blpu, ctx: Context) -> Findings:
    if blpu.country in codes.COUNTRIES:
        return []
    if not present(blpu.country) and ctx.format is not Format.ABP2:
        return []
    message = f"COUNTRY {blpu.country!r} is not one of {sorted(codes.COUNTRIES)}"
    return [report(ctx, "BLPU-COUNTRY-CODE", blpu, "country", message)]


def postcode_locator(blpu: domain.Blpu, ctx: Context) -> Findings:
    value = blpu.postcode_locator
    if value is None and ctx.format is Format.DTF:
        return []
    if value is not None and len(value) <= POSTCODE_WIDTH and postcode.is_valid(value):
        return []
    message = f"POSTCODE_LOCATOR {value!r} is not a postcode"
    return [report(ctx, "BLPU-POSTCODE-LOCATOR", blpu, "postcode_locator", message)]


def multi_occ(blpu: domain.Blpu, ctx: Context) -> Findings:
    count = blpu.multi_occ_count
    if count is None or count >= 0:
        return []
    message = f"MULTI_OCC_COUNT {count} is negative"
    return [report(ctx, "BLPU-MULTI-OCC", blpu, "multi_occ_count", message)]


def abp_postal_code(blpu: domain.Blpu, ctx: Context) -> Findings:
    if ctx.format is Format.ABP2:
        field, value, allowed = "addressbase_postal", blpu.addressbase_postal, codes.ABP_POSTAL
    elif ctx.format is Format.ABP1:
        field, value, allowed = "postal_flag_v1", blpu.postal_flag_v1, codes.ABP_POSTAL_V1
    else:
        return []
    if value in allowed:
        return []
    return [report(ctx, "POST-ABP-CODE", blpu, field, f"{value!r} is not a known postal code")]


def postal_c_has_parent(blpu: domain.Blpu, ctx: Context) -> Findings:
    """Only the v2 code: the v1 flag's meanings are [UNVERIFIED], so v1 ``C`` is not judged."""
    if blpu.addressbase_postal != "C" or blpu.parent_uprn is not None:
        return []
    message = "ADDRESSBASE_POSTAL C (postal through a parent) needs a PARENT_UPRN"
    return [report(ctx, "POST-ABP-C-HAS-PARENT", blpu, "parent_uprn", message)]


def not_own_parent(blpu: domain.Blpu, ctx: Context) -> Findings:
    if blpu.parent_uprn != blpu.uprn:
        return []
    return [report(ctx, "PAR-NOT-SELF", blpu, "parent_uprn", "a BLPU cannot be its own parent")]


def dtf_class_shape(blpu: domain.Blpu, ctx: Context) -> Findings:
    """The DTF BLPU_CLASS is an older scheme [UNVERIFIED mapping]: only its shape is judged, and
    a wrong shape is E in both profiles, as for record 32."""
    value = blpu.blpu_class
    if not present(value) or CLASSIFICATION_SHAPE.match(value or ""):
        return []
    message = f"BLPU_CLASS {value!r} is not a classification code"
    return [report(ctx, "CLS-CODE", blpu, "blpu_class", message, severity=Severity.ERROR)]


def _checks() -> tuple[Check, ...]:
    table: dict[str, Callable[[domain.Blpu, Context], Findings]] = {
        "BLPU-STATUS-CODE": status_code,
        "BLPU-STATE-CODE": state_code,
        "BLPU-STATE-VS-STATUS": state_vs_status,
        "BLPU-STATE-DATE-PAIR": state_date_pair,
        "BLPU-END-IFF-CLOSED": end_iff_closed,
        "BLPU-ENDED-STATE": ended_state,
        "BLPU-RPC-CODE": rpc_code,
        "BLPU-RPC-DEPRECATED": rpc_deprecated,
        "BLPU-CUSTODIAN": custodian,
        "BLPU-COUNTRY-CODE": country_code,
        "BLPU-POSTCODE-LOCATOR": postcode_locator,
        "BLPU-MULTI-OCC": multi_occ,
        "POST-ABP-CODE": abp_postal_code,
        "POST-ABP-C-HAS-PARENT": postal_c_has_parent,
        "PAR-NOT-SELF": not_own_parent,
        "CLS-CODE": dtf_class_shape,
    }
    return tuple(Check(rule_id=i, record_type=domain.Blpu, run=run) for i, run in table.items())


CHECKS: Final = _checks()
