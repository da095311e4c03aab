"""Field groups and minimisation (sharing-and-delivery §2.1 catalogue, §3.4).

A field group is a named bundle of payload paths with a fixed data category. The decision
projects the groups a rule permits onto what a submission actually holds; the event body is
then built from those groups only. Nothing else is copied, apart from ``data.submission_ref``,
``data.role`` and ``data.fields``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from notify import codes, domain, move_domain

Json = dict[str, Any]
PER_SERVICE: Final = frozenset({"PARTNER_REFERENCE", "SERVICE_ANSWERS"})
HOUSEHOLD_GROUPS: Final = frozenset({"HOUSEHOLD", "HOUSEHOLD_DOB"})
# A corrected event also names the event it corrects and the groups that changed (codes only).
ENVELOPE_PATHS: Final = (
    "data.submission_ref",
    "data.role",
    "data.fields",
    "data.corrects",
    "data.changed_fields",
)


@dataclass(frozen=True, kw_only=True, slots=True)
class FieldGroup:
    code: str
    json_paths: tuple[str, ...]
    data_category: codes.DataCategory


def _address(side: str) -> tuple[str, ...]:
    return tuple(
        f"data.{side}.{k}" for k in ("uprn", "single_line", "postcode", "welsh_single_line")
    )


def _member(*keys: str) -> tuple[str, ...]:
    return tuple(f"data.household[].{k}" for k in keys)


_GROUPS: Final = (
    FieldGroup(
        code="PERSON_NAME",
        json_paths=("data.person.given_name", "data.person.family_name"),
        data_category="standard",
    ),
    FieldGroup(
        code="PERSON_DOB", json_paths=("data.person.date_of_birth",), data_category="standard"
    ),
    FieldGroup(code="OLD_ADDRESS", json_paths=_address("old_address"), data_category="standard"),
    FieldGroup(code="NEW_ADDRESS", json_paths=_address("new_address"), data_category="standard"),
    FieldGroup(
        code="MOVE_DATE",
        json_paths=("data.move_date", "data.move_date_kind"),
        data_category="standard",
    ),
    FieldGroup(
        code="CONTACT",
        json_paths=("data.contact.email", "data.contact.phone"),
        data_category="standard",
    ),
    FieldGroup(
        code="LANGUAGE", json_paths=("data.correspondence_language",), data_category="standard"
    ),
    FieldGroup(
        code="HOUSEHOLD",
        json_paths=_member("given_name", "family_name", "relationship", "moving"),
        data_category="standard",
    ),
    FieldGroup(code="HOUSEHOLD_DOB", json_paths=_member("date_of_birth"), data_category="standard"),
    FieldGroup(
        code="PARTNER_REFERENCE", json_paths=("data.partner_reference",), data_category="standard"
    ),
    FieldGroup(code="SERVICE_ANSWERS", json_paths=("data.answers",), data_category="standard"),
    FieldGroup(
        code="PRIOR_EVENT_REFS",
        json_paths=(
            "data.prior_events[].id",
            "data.prior_events[].type",
            "data.prior_events[].time",
        ),
        data_category="standard",
    ),
    FieldGroup(
        code="GAZ_ADDRESS",
        json_paths=tuple(
            f"data.address.{k}"
            for k in ("uprn", "lpi", "classification", "logical_status", "x", "y")
        ),
        data_category="non-sensitive",
    ),
    FieldGroup(
        code="GAZ_SUCCESSORS", json_paths=("data.successor_uprns[]",), data_category="non-sensitive"
    ),
)
FIELD_GROUPS: Final[Mapping[str, FieldGroup]] = {g.code: g for g in _GROUPS}
SUBMISSION_GROUPS: Final = frozenset(FIELD_GROUPS) - {
    "PRIOR_EVENT_REFS",
    "GAZ_ADDRESS",
    "GAZ_SUCCESSORS",
}


def group_category(
    code: str, service: domain.PartnerService, answered: Iterable[str] | None = None
) -> codes.DataCategory:
    """A group's category; a care service's own reference and answers are special-category.

    ``SERVICE_ANSWERS`` is classified per question (§2.1): the highest ``data_category`` of
    the questions ``answered`` (every question the service asks when None), never below the
    group's own category.
    """
    if code in PER_SERVICE and service.service_code in codes.CARE_SERVICE_CODES:
        return "special-category"
    if code == "SERVICE_ANSWERS":
        return answers_category(service, answered)
    return FIELD_GROUPS[code].data_category


def answers_category(
    service: domain.PartnerService, answered: Iterable[str] | None = None
) -> codes.DataCategory:
    """The category of this service's answers: its answered questions' highest, or the group's."""
    wanted = None if answered is None else frozenset(answered)
    asked = [q for q in service.questions or () if wanted is None or q.id in wanted]
    categories = [FIELD_GROUPS["SERVICE_ANSWERS"].data_category, *(q.data_category for q in asked)]
    return max(categories, key=lambda c: codes.CATEGORY_RANK[c])


def max_category(
    groups: Iterable[str], service: domain.PartnerService, answered: Iterable[str] | None = None
) -> codes.DataCategory | None:
    """The highest category of ``groups``; ``answered`` are the question ids answered."""
    categories = [group_category(c, service, answered) for c in groups]
    if not categories:
        return None
    return max(categories, key=lambda c: codes.CATEGORY_RANK[c])


def groups_present(move: move_domain.Move, service: domain.PartnerService) -> frozenset[str]:
    """The groups this submission can fill for this service (its own reference and answers only)."""
    choice = move.choice_for(service.id)
    present = {"PERSON_NAME", "MOVE_DATE", "LANGUAGE"}
    optional = {
        "PERSON_DOB": move.person.date_of_birth is not None,
        "OLD_ADDRESS": move.old_uprn is not None or bool(move.old_address_text),
        "NEW_ADDRESS": move.new_uprn is not None,
        "CONTACT": move.contact is not None and bool(move.contact.email or move.contact.phone),
        "HOUSEHOLD": bool(move.household),
        "HOUSEHOLD_DOB": any(m.person.date_of_birth for m in move.household),
        "PARTNER_REFERENCE": choice is not None and bool(choice.partner_reference),
        "SERVICE_ANSWERS": choice is not None and bool(choice.answers),
    }
    return frozenset(present | {code for code, there in optional.items() if there})


@dataclass(frozen=True, kw_only=True, slots=True)
class Projection:
    fields: tuple[str, ...]
    dropped: tuple[tuple[str, str], ...]
    members: tuple[move_domain.HouseholdMember, ...]


def project(
    *,
    rule: domain.SharingRule,
    service: domain.PartnerService,
    move: move_domain.Move,
    members: Sequence[move_domain.HouseholdMember],
) -> Projection:
    """§3.4: the rule's groups the service accepts, limited to what the submission holds.

    ``members`` are the household members with a basis to be shared (declaration, and consent
    where the rule needs it); without any, the household groups are dropped.
    """
    allowed = rule.field_groups & service.accepted_field_groups
    available = groups_present(move, service)
    fields = set(allowed & available)
    dropped = [(g, "NOT_IN_RULE") for g in sorted(available - allowed)]
    kept = tuple(members) if fields & HOUSEHOLD_GROUPS else ()
    if fields & HOUSEHOLD_GROUPS and not kept:
        fields -= HOUSEHOLD_GROUPS
        dropped.append(("HOUSEHOLD", "NO_MEMBER_BASIS"))
    return Projection(fields=tuple(sorted(fields)), dropped=tuple(dropped), members=kept)


# Building the body -------------------------------------------------------------------------


def build_data(
    *,
    move: move_domain.Move,
    facts: move_domain.GazetteerFacts,
    service_id: str,
    role: str,
    fields: Sequence[str],
    members: Sequence[move_domain.HouseholdMember],
) -> Json:
    """The CloudEvents ``data`` object for one recipient, from the projected groups only."""
    data: Json = {"submission_ref": move.reference, "role": role, "fields": sorted(fields)}
    choice = move.choice_for(service_id)
    for code in sorted(fields):
        _FILL[code](data, move, facts, choice, members)
    return data


def _person(data: Json, move: move_domain.Move, *_: Any) -> None:
    data.setdefault("person", {}).update(
        given_name=move.person.given_name, family_name=move.person.family_name
    )


def _dob(data: Json, move: move_domain.Move, *_: Any) -> None:
    dob = move.person.date_of_birth
    data.setdefault("person", {})["date_of_birth"] = dob.isoformat() if dob else None


def _location_json(location: move_domain.Location | None, text: str | None = None) -> Json:
    if location is None:
        return {"uprn": None, "single_line": text, "postcode": None, "welsh_single_line": None}
    return {
        "uprn": str(location.uprn) if location.uprn is not None else None,
        "single_line": location.single_line if location.single_line is not None else text,
        "postcode": location.postcode,
        "welsh_single_line": location.welsh_single_line,
    }


def _old(data: Json, move: move_domain.Move, facts: move_domain.GazetteerFacts, *_: Any) -> None:
    old = facts.old if move.old_uprn is not None else None
    data["old_address"] = _location_json(old, move.old_address_text)
    if old is None and move.old_uprn is not None:
        data["old_address"]["uprn"] = str(move.old_uprn)


def _new(data: Json, move: move_domain.Move, facts: move_domain.GazetteerFacts, *_: Any) -> None:
    data["new_address"] = _location_json(facts.new)
    data["new_address"]["uprn"] = str(move.new_uprn) if move.new_uprn is not None else None


def _move_date(data: Json, move: move_domain.Move, *_: Any) -> None:
    data["move_date"] = move.move_date.isoformat()
    data["move_date_kind"] = move.move_date_kind


def _contact(data: Json, move: move_domain.Move, *_: Any) -> None:
    contact = move.contact or move_domain.Contact()
    data["contact"] = {"email": contact.email, "phone": contact.phone}


def _language(data: Json, move: move_domain.Move, *_: Any) -> None:
    data["correspondence_language"] = move.language


def _members(data: Json, members: Sequence[move_domain.HouseholdMember]) -> list[Json]:
    if "household" not in data:
        data["household"] = [{} for _ in members]
    return list(data["household"])


def _household(data: Json, _m: Any, _f: Any, _c: Any, members: Sequence[Any]) -> None:
    for entry, member in zip(_members(data, members), members, strict=True):
        entry.update(
            given_name=member.person.given_name,
            family_name=member.person.family_name,
            relationship=member.relationship,
            moving=member.moving,
        )


def _household_dob(data: Json, _m: Any, _f: Any, _c: Any, members: Sequence[Any]) -> None:
    for entry, member in zip(_members(data, members), members, strict=True):
        dob = member.person.date_of_birth
        entry["date_of_birth"] = dob.isoformat() if dob else None


def _reference(
    data: Json, _m: Any, _f: Any, choice: move_domain.RecipientChoice | None, *_: Any
) -> None:
    data["partner_reference"] = choice.partner_reference if choice else None


def _answers(
    data: Json, _m: Any, _f: Any, choice: move_domain.RecipientChoice | None, *_: Any
) -> None:
    data["answers"] = dict(choice.answers) if choice else {}


def _not_for_moves(*_: Any) -> None:
    raise ValueError("this field group is not built from a change-of-address submission")


_FILL: Final[Mapping[str, Any]] = {
    "PERSON_NAME": _person,
    "PERSON_DOB": _dob,
    "OLD_ADDRESS": _old,
    "NEW_ADDRESS": _new,
    "MOVE_DATE": _move_date,
    "CONTACT": _contact,
    "LANGUAGE": _language,
    "HOUSEHOLD": _household,
    "HOUSEHOLD_DOB": _household_dob,
    "PARTNER_REFERENCE": _reference,
    "SERVICE_ANSWERS": _answers,
    "PRIOR_EVENT_REFS": _not_for_moves,
    "GAZ_ADDRESS": _not_for_moves,
    "GAZ_SUCCESSORS": _not_for_moves,
}


# Checking a body ---------------------------------------------------------------------------


def leaf_paths(value: Any, prefix: str = "data") -> frozenset[str]:
    """Every leaf path in a JSON value, lists written ``[]`` (``data.household[].given_name``)."""
    if isinstance(value, dict) and value:
        return frozenset().union(*(leaf_paths(v, f"{prefix}.{k}") for k, v in value.items()))
    if isinstance(value, list) and value:
        return frozenset().union(*(leaf_paths(v, f"{prefix}[]") for v in value))
    return frozenset({prefix})


def permitted_paths(fields: Iterable[str]) -> frozenset[str]:
    paths = {p for code in fields for p in FIELD_GROUPS[code].json_paths}
    return frozenset(paths | set(ENVELOPE_PATHS))


def path_permitted(path: str, permitted: frozenset[str]) -> bool:
    """A path is permitted if it is a group path, or lies under one (``data.answers.q1``)."""
    return any(path == p or path.startswith((p + ".", p + "[")) for p in permitted)


def stray_paths(data: Json, fields: Iterable[str]) -> frozenset[str]:
    """Leaf paths of ``data`` that no projected group covers (empty for a minimised body)."""
    permitted = permitted_paths(fields)
    return frozenset(p for p in leaf_paths(data) if not path_permitted(p, permitted))
