"""CloudEvents 1.0 envelopes for partner events (sharing-and-delivery §5), pure.

Attributes carry ids, codes and a partner-scoped pseudonym only, never a personal value (V16).
The body is canonical JSON (sorted keys, no spaces, UTF-8): the exact bytes that are signed.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from notify import canonical, codes, decision, errors

SPEC_VERSION: Final = "1.0"
CONTENT_TYPE: Final = "application/cloudevents+json; charset=utf-8"
MAX_BODY_BYTES: Final = 64 * 1024
REGULATION: Final = "UK-GDPR,DPA-2018"
_CLASSIFICATION: Final[Mapping[str, str]] = {
    "non-sensitive": "internal",
    "standard": "confidential",
    "sensitive": "restricted",
    "special-category": "restricted",
}
_NAME = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")


def event_type(namespace: str, kind: str) -> str:
    """``{ns}.{kind}``; both made of ``[a-z0-9_]`` identifiers joined by dots."""
    if not _NAME.match(namespace) or kind not in codes.EVENT_KINDS:
        raise errors.InvalidEvent(f"not an event type: {namespace!r} + {kind!r}")
    return f"{namespace}.{kind}"


def pseudonym(partner_key: bytes, subject_id: str) -> str:
    """``sp_`` + base32(HMAC-SHA256(partner key, subject id))[:26]: stable per partner."""
    mac = hmac.new(partner_key, subject_id.encode("utf-8"), hashlib.sha256).digest()
    return "sp_" + base64.b32encode(mac).decode("ascii").lower()[:26]


def ordering_key(subject_id: str, scope_id: str) -> str:
    """§6.9: ``p:`` + hex(SHA-256(subject ‖ partner))[:32]; the scope may be a service instead."""
    raw = f"{subject_id}\x1f{scope_id}".encode()
    return "p:" + hashlib.sha256(raw).hexdigest()[:32]


def gazetteer_ordering_key(uprn: int, partner_id: str) -> str:
    return f"u:{uprn}:{partner_id}"


def format_sequence(seq: int) -> str:
    """Zero-padded to 20 digits so the text sorts as the number does."""
    if seq < 0:
        raise ValueError("sequence numbers start at 0")
    return f"{seq:020d}"


def rfc3339(at: dt.datetime) -> str:
    utc = at.astimezone(dt.UTC)
    spec = "seconds" if utc.microsecond == 0 else "milliseconds"
    return utc.isoformat(timespec=spec).replace("+00:00", "Z")


def classification(category: codes.DataCategory) -> dict[str, str]:
    """§5.3: the data-classification extension attributes for the payload's highest category."""
    attrs = {"dataclassification": _CLASSIFICATION[category], "datacategory": category}
    if category != "non-sensitive":
        attrs["dataregulation"] = REGULATION
    return attrs


@dataclass(frozen=True, kw_only=True, slots=True)
class Header:
    """The attributes of one event for one recipient (everything but ``data``)."""

    id: str
    namespace: str
    kind: str
    source: str
    subject: str
    time: dt.datetime
    recorded_time: dt.datetime
    sequence: int
    correlation_id: str
    causation_id: str | None = None
    expiry_time: dt.datetime | None = None
    data_category: codes.DataCategory
    lawful_basis: str | None = None
    purpose_code: str | None = None
    dsa_label: str | None = None
    rule_label: str | None = None
    schema_base: str


def person_source(hub_host: str) -> str:
    return f"https://{hub_host}/coa"


def gazetteer_source(hub_host: str, custodian_code: str) -> str:
    return f"https://{hub_host}/gazetteer/{custodian_code}"


def schema_base(hub_host: str) -> str:
    return f"https://{hub_host}/schemas"


def attributes(header: Header) -> dict[str, str]:
    """CloudEvents context attributes, optional ones omitted when empty."""
    type_ = event_type(header.namespace, header.kind)
    attrs = {
        "specversion": SPEC_VERSION,
        "id": header.id,
        "source": header.source,
        "type": type_,
        "subject": header.subject,
        "time": rfc3339(header.time),
        "datacontenttype": "application/json",
        "dataschema": f"{header.schema_base}/{type_}/1.json",
        "sequence": format_sequence(header.sequence),
        "partitionkey": header.subject,
        "recordedtime": rfc3339(header.recorded_time),
        "correlationid": header.correlation_id,
        **classification(header.data_category),
    }
    optional = {
        "causationid": header.causation_id,
        "expirytime": rfc3339(header.expiry_time) if header.expiry_time else None,
        "lawfulbasis": header.lawful_basis,
        "purposecode": header.purpose_code,
        "dsaref": header.dsa_label,
        "ruleref": header.rule_label,
    }
    return attrs | {k: v for k, v in optional.items() if v is not None}


def envelope(header: Header, data: Mapping[str, Any]) -> dict[str, Any]:
    return envelope_of(attributes(header), data)


def envelope_of(attrs: Mapping[str, str], data: Mapping[str, Any]) -> dict[str, Any]:
    """The event: its :func:`attributes` with ``data``."""
    return {**attrs, "data": dict(data)}


def body(header: Header, data: Mapping[str, Any]) -> bytes:
    """The exact bytes to sign; refused over 64 KiB."""
    return body_of(attributes(header), data)


def body_of(attrs: Mapping[str, str], data: Mapping[str, Any]) -> bytes:
    """:func:`body` from the header's :func:`attributes`, for a caller that keeps them too."""
    raw = canonical.dumps(envelope_of(attrs, data))
    if len(raw) > MAX_BODY_BYTES:
        raise errors.PayloadTooLarge(f"event body is {len(raw)} bytes, over {MAX_BODY_BYTES}")
    return raw


def header_for(
    chosen: decision.Decision,
    *,
    delivery_id: str,
    namespace: str,
    hub_host: str,
    subject: str,
    occurred_at: dt.datetime,
    recorded_at: dt.datetime,
    sequence: int,
    correlation_id: str,
    kind: str = codes.SUBMITTED,
    causation_id: str | None = None,
) -> Header:
    """The header of a person event planned by ``chosen`` (a ``send`` or releasable hold)."""
    if chosen.data_category is None:
        raise errors.InvalidEvent("only a decision that creates a delivery has an event")
    return Header(
        id=delivery_id,
        namespace=namespace,
        kind=kind,
        source=person_source(hub_host),
        subject=subject,
        time=occurred_at,
        recorded_time=recorded_at,
        sequence=sequence,
        correlation_id=correlation_id,
        causation_id=causation_id,
        expiry_time=chosen.expires_at,
        data_category=chosen.data_category,
        lawful_basis=chosen.lawful_basis,
        purpose_code=chosen.purpose_code,
        dsa_label=chosen.dsa_label,
        rule_label=chosen.rule_label,
        schema_base=schema_base(hub_host),
    )
