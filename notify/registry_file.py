"""The registry as a reviewable YAML file (``addresshub rules apply FILE`` / ``rules export``).

One document, keyed by natural keys so that a diff reads well::

    format: addresshub-registry/1
    purposes:      {CODE: {label_en, label_cy, description, dpv_iri}}
    restrictions:  {CODE: {legal_ref, lifted_by: [gateway refs], description}}
    partners:
      PARTNER-CODE:                      # up to 18 of A-Z, 0-9 and '-': it is the partner id
        {name_en, name_cy, kind, is_public_authority, ig_assurance, status, ordering_scope,
         ops_email}
        services:
          SERVICE_CODE:                  # the service id is PARTNER-CODE/SERVICE_CODE
            {name_en, name_cy, hint_en, hint_cy, accepted_field_groups, exclusive_area,
             originates_restrictions, echo_allowed}
            coverage:      [{area_code, custodian_code, valid_from, valid_to}]
            subscriptions: [{channel, url, event_types, status, max_data_category}]
            questions:     [{id, label_en, label_cy, type, required, validation, data_category}]
                           # checked as PUT /v1/services/{service}/questions checks them;
                           # a service without the key keeps the questions it has
    agreements:    {DSA-REF: [{version, status, title, legal_gateway_refs, effective_from, ...,
                               parties: {PARTNER-CODE: discloser|recipient|hub_operator}}]}
    rules:         {RULE-ID: [{version, status, agreement: DSA-REF@V, service: P/SERVICE, ...}]}

Field names are the specification's column names. :func:`parse` returns a
:class:`notify.domain.Registry` whose ids are these natural keys; :func:`dump` writes one back
in a fixed order, so ``dump(parse(dump(r))) == dump(r)``. Pure: no database.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, Final

import yaml

from notify import codes, domain, errors
from notify import questions as asked

FORMAT: Final = "addresshub-registry/1"
PARTNER_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,17}$")
Raw = Mapping[str, Any]


def _fail(path: str, problem: str) -> errors.InvalidRegistryFile:
    return errors.InvalidRegistryFile(f"{path}: {problem}", details={"path": path})


# Values --------------------------------------------------------------------------------------


def _datetime(value: Any, path: str) -> dt.datetime:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as exc:
            raise _fail(path, f"not a date or time: {value!r}") from exc
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(0), tzinfo=dt.UTC)
    raise _fail(path, f"not a date or time: {value!r}")


def _date(value: Any, path: str) -> dt.date:
    if isinstance(value, dt.datetime):
        raise _fail(path, "a date is needed, not a time")
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise _fail(path, f"not a date: {value!r}") from exc


def _strings(value: Any, path: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(path, "a list of strings is needed")
    return value


def _window(value: Any, path: str) -> domain.DateWindow:
    if not isinstance(value, Mapping) or set(value) != {"min_days", "max_days"}:
        raise _fail(path, "min_days and max_days are needed")
    return domain.DateWindow(min_days=int(value["min_days"]), max_days=int(value["max_days"]))


def _convert(hint: Any, value: Any, path: str) -> Any:
    """A YAML value as the type a domain field is annotated with."""
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if value is None and type(None) in typing.get_args(hint):
        return None
    if isinstance(hint, types.UnionType | typing._UnionGenericAlias):  # type: ignore[attr-defined]
        return _convert(args[0], value, path)
    origin = typing.get_origin(hint)
    if origin in (frozenset, tuple):
        items = [_plain(v, path, args[0]) for v in _strings(value, path)]
        return frozenset(items) if origin is frozenset else tuple(items)
    return _SCALARS.get(hint, _plain)(value, path, hint)


def _plain(value: Any, path: str, hint: Any) -> Any:
    if typing.get_origin(hint) is typing.Literal and value not in typing.get_args(hint):
        raise _fail(path, f"{value!r} is not one of {', '.join(map(str, typing.get_args(hint)))}")
    if hint in (str, bool, int) and not isinstance(value, hint):
        raise _fail(path, f"{value!r} is not a {hint.__name__}")
    return value


_SCALARS: Final[Mapping[Any, Callable[[Any, str, Any], Any]]] = {
    dt.datetime: lambda v, p, _h: _datetime(v, p),
    dt.date: lambda v, p, _h: _date(v, p),
    domain.DateWindow: lambda v, p, _h: _window(v, p),
}


def _build(cls: type[Any], raw: Raw, path: str, **fixed: Any) -> Any:
    """A domain object from a YAML mapping; unknown keys are refused, not ignored."""
    if not isinstance(raw, Mapping):
        raise _fail(path, "a mapping is needed")
    hints = typing.get_type_hints(cls, vars(domain) | vars(codes))
    names = {f.name for f in dataclasses.fields(cls)} - set(fixed)
    unknown = set(raw) - names
    if unknown:
        raise _fail(path, f"unknown keys: {', '.join(sorted(map(str, unknown)))}")
    values = {k: _convert(hints[k], v, f"{path}.{k}") for k, v in raw.items()}
    try:
        return cls(**values, **fixed)
    except TypeError as exc:
        raise _fail(path, str(exc).split("__init__() ")[-1]) from exc


# Parsing -------------------------------------------------------------------------------------


def parse(text: str) -> domain.Registry:
    """The registry a file describes (natural keys as ids); refused with the first problem."""
    try:
        raw = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise errors.InvalidRegistryFile("the file is not valid YAML") from exc
    if not isinstance(raw, Mapping) or raw.get("format") != FORMAT:
        raise _fail("format", f"the file must start with 'format: {FORMAT}'")
    unknown = set(raw) - {"format", "purposes", "restrictions", "partners", "agreements", "rules"}
    if unknown:
        raise _fail("", f"unknown sections: {', '.join(sorted(map(str, unknown)))}")
    partners, services = _partners(_section(raw, "partners"))
    return domain.Registry.build(
        purposes=[
            _build(domain.Purpose, v, f"purposes.{k}", code=k)
            for k, v in _section(raw, "purposes").items()
        ],
        restrictions=[
            _build(domain.SourceRestriction, v, f"restrictions.{k}", code=k)
            for k, v in _section(raw, "restrictions").items()
        ],
        partners=partners,
        services=services,
        agreements=_versions(raw, "agreements", _agreement),
        rules=_versions(raw, "rules", _rule),
    )


def _section(raw: Raw, name: str) -> Raw:
    value = raw.get(name) or {}
    if not isinstance(value, Mapping):
        raise _fail(name, "a mapping is needed")
    return value


def _partners(raw: Raw) -> tuple[list[domain.Partner], list[domain.PartnerService]]:
    partners, services = [], []
    for code, raw_body in raw.items():
        path = f"partners.{code}"
        if not isinstance(code, str) or not PARTNER_CODE.match(code):
            raise _fail(path, "a partner code is 2-18 of A-Z, 0-9 and '-'")
        body = dict(raw_body or {})
        for service_code, service in _section(body, "services").items():
            services.append(_service(code, str(service_code), service, f"{path}.services"))
        body.pop("services", None)
        partners.append(_build(domain.Partner, body, path, id=code, code=code))
    return partners, services


def _service(partner: str, code: str, raw: Raw, path: str) -> domain.PartnerService:
    path = f"{path}.{code}"
    body = dict(raw or {})
    coverage = [_build(domain.Coverage, c, f"{path}.coverage") for c in body.pop("coverage", [])]
    subscriptions = [
        _subscription(s, f"{path}.subscriptions[{i}]", f"{partner}/{code}")
        for i, s in enumerate(body.pop("subscriptions", []))
    ]
    questions = (
        _questions(body.pop("questions"), f"{path}.questions") if "questions" in body else None
    )
    return typing.cast(
        domain.PartnerService,
        _build(
            domain.PartnerService,
            body,
            path,
            id=f"{partner}/{code}",
            partner_id=partner,
            service_code=code,
            coverage=tuple(coverage),
            subscriptions=tuple(subscriptions),
            questions=questions,
        ),
    )


def _questions(raw: Any, path: str) -> tuple[asked.Question, ...]:
    """A service's questions, checked like the questions route checks them (path named)."""
    try:
        return asked.parse(raw if raw is not None else [], path)
    except asked.InvalidQuestions as exc:
        field = str(exc.details.get("field", path))
        raise errors.InvalidRegistryFile(str(exc), details={"path": field}) from exc


def _subscription(raw: Raw, path: str, service_id: str) -> domain.Subscription:
    body = dict(raw or {})
    endpoint_keys = {"url", "max_data_category"}
    endpoint_raw = {k: body.pop(k) for k in endpoint_keys & set(body)}
    channel = body.get("channel", "webhook")
    key = f"{service_id}#{channel}#{endpoint_raw.get('url', '')}"
    endpoint = (
        _build(domain.Endpoint, endpoint_raw, path, id=f"endpoint:{endpoint_raw.get('url', '')}")
        if endpoint_raw
        else None
    )
    return typing.cast(
        domain.Subscription, _build(domain.Subscription, body, path, id=key, endpoint=endpoint)
    )


def _versions(raw: Raw, name: str, make: Callable[[str, Raw, str], Any]) -> list[Any]:
    items = []
    for key, versions in _section(raw, name).items():
        if not isinstance(versions, list):
            raise _fail(f"{name}.{key}", "a list of versions is needed")
        items += [make(str(key), v, f"{name}.{key}[{i}]") for i, v in enumerate(versions)]
    return items


def _agreement(key: str, raw: Raw, path: str) -> domain.Agreement:
    body = dict(raw or {})
    parties = body.pop("parties", {}) or {}
    if not isinstance(parties, Mapping):
        raise _fail(f"{path}.parties", "a mapping of partner code to role is needed")
    pairs = tuple(sorted((str(k), str(v)) for k, v in parties.items()))
    return typing.cast(
        domain.Agreement, _build(domain.Agreement, body, path, id=key, ref=key, parties=pairs)
    )


def _rule(key: str, raw: Raw, path: str) -> domain.SharingRule:
    body = dict(raw or {})
    agreement = str(body.pop("agreement", ""))
    dsa_id, _, version = agreement.rpartition("@")
    if not dsa_id or not version.isdigit():
        raise _fail(f"{path}.agreement", "an agreement is named REF@VERSION")
    renamed = {
        "service": "partner_service_id",
        "purpose": "purpose_code",
        "parent": "parent_rule_id",
    }
    for old, new in renamed.items():
        if old in body:
            body[new] = body.pop(old)
    return typing.cast(
        domain.SharingRule,
        _build(domain.SharingRule, body, path, id=key, dsa_id=dsa_id, dsa_version=int(version)),
    )


# Writing -------------------------------------------------------------------------------------


def dump(registry: domain.Registry) -> str:
    """The registry as the file :func:`parse` reads, in a fixed order."""
    doc = {
        "format": FORMAT,
        "purposes": {c: _fields(p, "code") for c, p in registry.purposes.items()},
        "restrictions": {c: _fields(r, "code") for c, r in registry.restrictions.items()},
        "partners": {p.code: _partner(registry, p) for p in registry.partners.values()},
        "agreements": _grouped(registry.agreements.values(), _agreement_fields),
        "rules": _grouped(registry.rules, _rule_fields),
    }
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)


def _yaml(value: Any) -> Any:
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, tuple):
        return [_yaml(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, domain.DateWindow):
        return {"min_days": value.min_days, "max_days": value.max_days}
    return value


def _fields(item: Any, *skip: str) -> dict[str, Any]:
    return {
        f.name: _yaml(getattr(item, f.name)) for f in dataclasses.fields(item) if f.name not in skip
    }


def _partner(registry: domain.Registry, partner: domain.Partner) -> dict[str, Any]:
    services = [s for s in registry.services.values() if s.partner_id == partner.id]
    body = _fields(partner, "id", "code")
    body["services"] = {s.service_code: _service_fields(s) for s in services}
    return body


def _service_fields(service: domain.PartnerService) -> dict[str, Any]:
    skip = ("id", "partner_id", "service_code", "coverage", "subscriptions", "questions")
    body = _fields(service, *skip)
    body["coverage"] = [_fields(c) for c in service.coverage]
    body["subscriptions"] = [_subscription_fields(s) for s in service.subscriptions]
    if service.questions is not None:
        body["questions"] = [q.as_json() for q in service.questions]
    return body


def _subscription_fields(subscription: domain.Subscription) -> dict[str, Any]:
    body = _fields(subscription, "id", "endpoint")
    if subscription.endpoint is not None:
        body |= _fields(subscription.endpoint, "id", "status")
    return body


def _agreement_fields(agreement: domain.Agreement) -> dict[str, Any]:
    body = _fields(agreement, "id", "ref", "parties")
    body["parties"] = dict(agreement.parties)
    return body


def _rule_fields(rule: domain.SharingRule) -> dict[str, Any]:
    body = {
        "version": rule.version,
        "status": rule.status,
        "agreement": f"{rule.dsa_id}@{rule.dsa_version}",
        "service": rule.partner_service_id,
        "purpose": rule.purpose_code,
        "parent": rule.parent_rule_id,
    }
    skip = ("id", "version", "status", "dsa_id", "dsa_version", "partner_service_id")
    return body | _fields(rule, *skip, "purpose_code", "parent_rule_id")


def _grouped(items: Any, fields: Callable[[Any], dict[str, Any]]) -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = {}
    for item in sorted(items, key=lambda i: (i.id, i.version)):
        grouped.setdefault(item.id, []).append(fields(item))
    return grouped
