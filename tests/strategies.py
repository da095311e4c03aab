"""Shared hypothesis strategies: one section per area of the project; add, never duplicate."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import string
from typing import Any, TypedDict, TypeVar

from hypothesis import strategies as st

from gazetteer import domain
from notify import codes as notify_codes
from notify import correction as notify_correction
from notify import decision as notify_decision
from notify import domain as notify_domain
from notify import holds as notify_holds
from notify import intake as notify_intake
from notify import move_domain
from notify import projection as notify_projection
from notify import questions as notify_questions_module

# === labels: address texts, PAO/SAO ranges, LPIs, descriptors, delivery points, postcodes ===
# Texts are upper-case letters in single-spaced words (as supplied, §0), with no digits, so a
# postcode or a range can only appear in a rendered line where the renderer put it.

LETTERS = string.ascii_uppercase
POSTCODE_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # §7: never C, I, K, M, O or V
POSTCODE_EXCLUDED_LETTERS = "CIKMOV"

address_words = st.text(alphabet=LETTERS, min_size=1, max_size=10)
address_texts = st.lists(address_words, min_size=1, max_size=4).map(" ".join)
optional_texts = st.none() | address_texts
aon_numbers = st.integers(min_value=1, max_value=9999)
aon_suffixes = st.text(alphabet=LETTERS, min_size=1, max_size=2)  # Welsh `DD`, `LL` (§6.6)
uprns = st.integers(min_value=1, max_value=domain.UPRN_MAX)
usrns = st.integers(min_value=1, max_value=domain.USRN_MAX)
udprns = st.integers(min_value=1, max_value=domain.UDPRN_MAX)
num_like_texts = st.builds(
    lambda start, sfx, end: f"{start}{sfx}" + (f"-{end}" if end else ""),
    aon_numbers,
    st.sampled_from(["", *LETTERS]),
    st.none() | aon_numbers,
)


@st.composite
def aon_ranges(draw: st.DrawFn) -> tuple[int | None, str | None, int | None, str | None]:
    """(start, start suffix, end, end suffix) following the dependency chain (§1.3)."""
    start = draw(st.none() | aon_numbers)
    if start is None:
        return None, None, None, None
    start_suffix = draw(st.none() | aon_suffixes)
    end = draw(st.none() | st.integers(min_value=start, max_value=9999))
    end_suffix = draw(st.none() | aon_suffixes) if end else None
    return start, start_suffix, end, end_suffix


@st.composite
def aons(draw: st.DrawFn, *, prefix: str, required: bool) -> dict[str, Any]:
    """LPI keyword arguments for a PAO (``prefix="pao"``) or SAO; a PAO needs a number or text."""
    start, start_suffix, end, end_suffix = draw(aon_ranges())
    text = draw(optional_texts)
    if required and start is None and text is None:
        text = draw(address_texts)
    return {
        f"{prefix}_start_number": start,
        f"{prefix}_start_suffix": start_suffix,
        f"{prefix}_end_number": end,
        f"{prefix}_end_suffix": end_suffix,
        f"{prefix}_text": text,
    }


@st.composite
def lpis(
    draw: st.DrawFn, *, language: str = domain.LANGUAGE_ENGLISH, status: str = "1"
) -> domain.Lpi:
    """An LPI valid by construction: a PAO with a number or text, an optional SAO."""
    return domain.Lpi(
        uprn=draw(uprns),
        lpi_key=f"1110L{draw(st.integers(min_value=1, max_value=999_999_999)):09d}",
        language=language,
        logical_status=status,
        usrn=draw(usrns),
        **draw(aons(prefix="sao", required=False)),
        **draw(aons(prefix="pao", required=True)),
    )


@st.composite
def street_descriptors(
    draw: st.DrawFn, *, usrn: int | None = None, language: str = domain.LANGUAGE_ENGLISH
) -> domain.StreetDescriptor:
    return domain.StreetDescriptor(
        usrn=draw(usrns) if usrn is None else usrn,
        description=draw(address_texts),
        language=language,
        locality=draw(optional_texts),
        town_name=draw(optional_texts),
        administrative_area=draw(optional_texts),
    )


@st.composite
def delivery_points(draw: st.DrawFn, *, welsh: bool = True) -> domain.DeliveryPoint:
    """A PAF delivery point; names are sometimes number-like; Welsh fields sometimes set."""
    premise_names = st.none() | address_texts | num_like_texts
    welsh_texts = optional_texts if welsh else st.none()
    return domain.DeliveryPoint(
        udprn=draw(udprns),
        uprn=draw(uprns),
        department_name=draw(optional_texts),
        organisation_name=draw(optional_texts),
        sub_building_name=draw(premise_names),
        building_name=draw(premise_names),
        building_number=draw(st.none() | st.just(0) | aon_numbers),
        po_box_number=draw(st.none() | st.integers(min_value=1, max_value=99999).map(str)),
        dependent_thoroughfare=draw(optional_texts),
        thoroughfare=draw(optional_texts),
        double_dependent_locality=draw(optional_texts),
        dependent_locality=draw(optional_texts),
        post_town=draw(optional_texts),
        postcode=draw(st.none() | postcodes()),
        welsh_dependent_thoroughfare=draw(welsh_texts),
        welsh_thoroughfare=draw(welsh_texts),
        welsh_double_dependent_locality=draw(welsh_texts),
        welsh_dependent_locality=draw(welsh_texts),
        welsh_post_town=draw(welsh_texts),
    )


def postcode_outwards() -> st.SearchStrategy[str]:
    """Outward codes of the §7 shapes: A9, A99, A9A, AA9, AA99, AA9A."""
    area = st.text(alphabet=LETTERS, min_size=1, max_size=2)
    tail = st.sampled_from(["", *string.digits, *LETTERS])
    return st.builds(lambda a, d, t: f"{a}{d}{t}", area, st.sampled_from(string.digits), tail)


def postcodes(inward_letters: str = POSTCODE_INWARD_LETTERS) -> st.SearchStrategy[str]:
    """Normalised postcodes (``EX1 1AE``); pass other inward letters to make invalid ones."""
    inward = st.builds(
        lambda digit, letters: f"{digit}{letters}",
        st.sampled_from(string.digits),
        st.text(alphabet=inward_letters, min_size=2, max_size=2),
    )
    return st.builds(lambda outward, code: f"{outward} {code}", postcode_outwards(), inward)


# === end of labels ===


# === sharing: registries, moves, consents and gazetteer facts for the decision procedure ===
# A small world: three areas, a few partners with services covering some of them, versioned
# agreements and rules (with nested exceptions), consents and relationships around a random
# "now". Each thing that can stop a disclosure goes wrong only now and then (``_rare``), so
# that plans hold a mix of send, refuse and hold. Strategies are built once (``_pick``,
# ``_ints``): building them inside a draw is what makes composite strategies slow.

NOTIFY_AREAS = ("E07000001", "E07000002", "E07000003")
NOTIFY_CUSTODIANS = ("1105", "1110", "1115")
NOTIFY_PURPOSES = ("council_tax_liability", "electoral_register_maintenance", "library_membership")
NOTIFY_GATEWAY = "LGFA1992 Sch 2 para 17A"
NOTIFY_RESTRICTION = notify_domain.SourceRestriction(
    code="LGFA1992_CT",
    legal_ref="Local Government Finance Act 1992",
    lifted_by=frozenset({NOTIFY_GATEWAY}),
)
NOTIFY_CORE_GROUPS = frozenset({"PERSON_NAME", "NEW_ADDRESS", "MOVE_DATE"})
notify_nows = st.datetimes(
    min_value=dt.datetime(2024, 1, 1),
    max_value=dt.datetime(2026, 12, 31),
    timezones=st.just(dt.UTC),
)
notify_groups = st.frozensets(st.sampled_from(sorted(notify_projection.SUBMISSION_GROUPS)))
notify_names = st.text(alphabet=string.ascii_letters, min_size=2, max_size=12)

_NOTIFY_STRATEGIES: dict[tuple[Any, ...], Any] = {}


def _ints(low: int, high: int) -> Any:
    return _NOTIFY_STRATEGIES.setdefault(("ints", low, high), st.integers(low, high))


def _pick(*values: Any) -> Any:
    return _NOTIFY_STRATEGIES.setdefault(("pick", *values), st.sampled_from(values))


_RARE = st.sampled_from((False,) * 19 + (True,))  # about one draw in twenty


def _rare(draw: Any) -> bool:
    return bool(draw(_RARE))


def _usually(draw: Any, good: Any, *bad: Any) -> Any:
    """``good``, except now and then one of ``bad``."""
    return draw(_pick(*bad)) if bad and _rare(draw) else good


_T = TypeVar("_T")


def _maybe(draw: Any, value: _T) -> _T | None:
    return value if draw(st.booleans()) else None


def _since(draw: Any, now: dt.datetime) -> dt.datetime:
    """A start time: in the past, now and then just ahead of ``now``."""
    days = draw(_ints(1, 400))
    return now + dt.timedelta(days=1) if _rare(draw) else now - dt.timedelta(days=days)


def _until(draw: Any, now: dt.datetime) -> dt.datetime | None:
    """An end time: open, in the future, now and then already passed."""
    if _rare(draw):
        return now - dt.timedelta(days=1)
    return _maybe(draw, now + dt.timedelta(days=draw(_ints(1, 400))))


_notify_custodians = st.none() | st.sampled_from(NOTIFY_CUSTODIANS)
_notify_area_lists = st.lists(st.sampled_from(NOTIFY_AREAS), min_size=1, max_size=2, unique=True)
_notify_service_codes = st.sampled_from(sorted(notify_codes.SERVICE_CODES))
_notify_gateways = st.lists(
    st.sampled_from(("LGA1972 s.111", NOTIFY_GATEWAY)), max_size=2, unique=True
).map(tuple)
_notify_bases = st.sampled_from(sorted(notify_codes.LAWFUL_BASES))
_notify_triggers = st.frozensets(
    st.sampled_from(("leaving", "joining", "within", "anywhere")), min_size=1
)
_ALL_ROLES: frozenset[notify_codes.TriggerRole] = frozenset({"leaving", "joining", "within"})
_ALL_CHANNELS: frozenset[notify_codes.SourceChannel] = frozenset(
    {"citizen_web", "agent", "partner_api"}
)
_notify_channels = st.frozensets(st.sampled_from(sorted(_ALL_CHANNELS)), min_size=1)
_notify_restriction_sets = st.frozensets(st.just("LGFA1992_CT"))
_notify_windows = st.builds(
    notify_domain.DateWindow, min_days=st.integers(-200, 0), max_days=st.integers(0, 120)
)
_notify_dobs = st.none() | st.dates(dt.date(1920, 1, 1), dt.date(2020, 1, 1))
_notify_authorities = st.sampled_from(
    ("permission_obtained", "power_of_attorney", "parental_responsibility")
)
_notify_answers = st.dictionaries(st.sampled_from(("adults", "card")), notify_names, max_size=1)
#: The review holds intake may find (MOVE_BLOCKED, CONFLICTING_MOVE, REPEATED_MOVE), as the plan
#: is given them: distinct, in their fixed order, possibly none.
notify_review_holds = st.sets(st.sampled_from(notify_holds.REVIEW_CODES)).map(
    lambda found: tuple(c for c in notify_holds.REVIEW_CODES if c in found)
)


@st.composite
def notify_endpoints(draw: Any, endpoint_id: str) -> notify_domain.Endpoint:
    category = _usually(draw, "special-category", "standard", "sensitive", "non-sensitive")
    return notify_domain.Endpoint(
        id=endpoint_id,
        status=_usually(draw, "active", "disabled"),
        max_data_category=category,
    )


@st.composite
def notify_services(draw: Any, service_id: str, partner_id: str) -> notify_domain.PartnerService:
    coverage = tuple(
        notify_domain.Coverage(area_code=a, custodian_code=draw(_notify_custodians))
        for a in draw(_notify_area_lists)
    )
    accepted = notify_projection.SUBMISSION_GROUPS
    return notify_domain.PartnerService(
        id=service_id,
        partner_id=partner_id,
        service_code=draw(_notify_service_codes),
        accepted_field_groups=draw(notify_groups) if _rare(draw) else accepted,
        exclusive_area=draw(st.booleans()),
        coverage=coverage,
        subscriptions=(
            notify_domain.Subscription(
                id=f"sub-{service_id}", endpoint=draw(notify_endpoints(f"e-{service_id}"))
            ),
        ),
    )


@st.composite
def notify_agreements(draw: Any, agreement_id: str, now: dt.datetime) -> notify_domain.Agreement:
    overdue = _rare(draw)
    review = now + dt.timedelta(days=-30 if overdue else draw(_ints(1, 300)))
    return notify_domain.Agreement(
        id=agreement_id,
        version=1,
        ref=f"DSA-{agreement_id}",
        status=_usually(draw, "active", "suspended", "expired", "draft", "terminated"),
        legal_gateway_refs=draw(_notify_gateways),
        effective_from=_since(draw, now),
        effective_to=_until(draw, now),
        review_due=_maybe(draw, review.date()),
        suspend_on_overdue_review=draw(st.booleans()),
        ledger_retention_months=72,
    )


def _rule_groups(draw: Any) -> frozenset[str]:
    """Mostly the core groups plus a few more; now and then anything (even nothing)."""
    extra: frozenset[str] = draw(notify_groups)
    return extra if _rare(draw) else NOTIFY_CORE_GROUPS | extra


@st.composite
def notify_rules(
    draw: Any,
    *,
    rule_id: str,
    service_id: str,
    agreements: tuple[tuple[str, int], ...],
    now: dt.datetime,
    parent_id: str | None = None,
    decision: notify_codes.RuleDecision | None = None,
) -> notify_domain.SharingRule:
    basis = draw(_notify_bases)
    statutory = basis in notify_codes.STATUTORY_BASES
    groups = _rule_groups(draw)
    dsa_id, dsa_version = agreements[draw(_ints(0, len(agreements) - 1))]
    required = frozenset({draw(_pick(*sorted(groups)))}) if groups and _rare(draw) else frozenset()
    return notify_domain.SharingRule(
        id=rule_id,
        version=1,
        status=_usually(draw, "active", "draft", "retired"),
        dsa_id=dsa_id,
        dsa_version=dsa_version,
        partner_service_id=service_id,
        purpose_code=draw(_pick(*NOTIFY_PURPOSES)),
        lawful_basis=basis,
        decision=decision or _usually(draw, "permit", "deny"),
        parent_rule_id=parent_id,
        priority=draw(_ints(0, 2)),
        trigger_roles=draw(_notify_triggers) if _rare(draw) else _ALL_ROLES,
        source_channels=draw(_notify_channels) if _rare(draw) else _ALL_CHANNELS,
        choice_mode=draw(_pick("automatic_with_notice", "citizen_opt_in"))
        if statutory
        else "citizen_opt_in",
        relationship_requirement=_usually(
            draw, "none", "holds_subject", "holds_subject_at_old_uprn", "declared_reference_ok"
        ),
        field_groups=groups,
        required_field_groups=required,
        max_data_category=_usually(draw, "special-category", "standard", "sensitive"),
        overrides_restrictions=draw(_notify_restriction_sets),
        min_assurance=_usually(draw, "none", "met", "exceeded"),
        move_date_window=draw(_notify_windows) if _rare(draw) else None,
        release_lead_days=draw(_ints(0, 3)),
        valid_from=_since(draw, now),
        valid_to=_until(draw, now),
    )


@st.composite
def notify_rule_sets(
    draw: Any,
    *,
    service_id: str,
    agreements: tuple[tuple[str, int], ...],
    now: dt.datetime,
    non_competing: bool = False,
) -> list[notify_domain.SharingRule]:
    """Rules of one service: roots, optional children (exceptions) and later versions.

    ``non_competing``: at most one root, a permit, and deny-only children, so a service's
    decision never falls back from one permit to another.
    """
    rule = functools.partial(notify_rules, service_id=service_id, agreements=agreements, now=now)
    root_count = 1 if non_competing else draw(_pick(1, 1, 1, 0, 2))
    roots = [
        draw(
            rule(
                rule_id=f"r-{service_id}-{i}",
                decision="permit" if non_competing else None,
            )
        )
        for i in range(root_count)
    ]
    children = [
        draw(
            rule(
                rule_id=f"{root.id}-c",
                parent_id=root.id,
                decision="deny" if non_competing else None,
            )
        )
        for root in roots
        if _rare(draw)
    ]
    rules = roots + children
    if rules and _rare(draw):
        newer = rules[draw(_ints(0, len(rules) - 1))]
        status = draw(_pick("draft", "retired", "active"))
        rules.append(dataclasses.replace(newer, version=2, status=status))
    return rules


@st.composite
def notify_registries(
    draw: Any, now: dt.datetime, *, non_competing: bool = False
) -> notify_domain.Registry:
    agreements = [draw(notify_agreements(f"dsa{i}", now)) for i in range(draw(_ints(1, 2)))]
    keys = tuple((a.id, a.version) for a in agreements)
    partners, services, rules = [], [], []
    for p in range(draw(_ints(1, 3))):
        partners.append(
            notify_domain.Partner(
                id=f"p{p}",
                code=f"PARTNER-{p}",
                name_en=f"Partner {p}",
                status=_usually(draw, "active", "suspended"),
                ig_assurance=_usually(draw, "met", "none", "exceeded"),
            )
        )
        for s in range(draw(_ints(1, 2))):
            service = draw(notify_services(f"p{p}s{s}", f"p{p}"))
            services.append(service)
            rules += draw(
                notify_rule_sets(
                    service_id=service.id, agreements=keys, now=now, non_competing=non_competing
                )
            )
    return notify_domain.Registry.build(
        partners=partners,
        services=services,
        agreements=agreements,
        rules=rules,
        restrictions=[NOTIFY_RESTRICTION],
    )


@st.composite
def notify_people(draw: Any, subject_id: str) -> move_domain.Person:
    return move_domain.Person(
        id=subject_id,
        given_name=draw(notify_names),
        family_name=draw(notify_names),
        date_of_birth=draw(_notify_dobs),
    )


@st.composite
def notify_household(draw: Any) -> tuple[move_domain.HouseholdMember, ...]:
    members = []
    for i in range(1, draw(_pick(0, 0, 1, 2)) + 1):
        declared = draw(st.booleans())
        authority = draw(_notify_authorities)
        members.append(
            move_domain.HouseholdMember(
                person=draw(notify_people(f"s{i}")),
                role=draw(_pick("adult", "child")),
                relationship="partner",
                declaration=move_domain.Declaration(authority=authority, statement_version="d1")
                if declared
                else None,
            )
        )
    return tuple(members)


@st.composite
def notify_choices(draw: Any, service_ids: list[str]) -> tuple[move_domain.RecipientChoice, ...]:
    """Mostly a yes for every service; now and then no choice, a no or not asked."""
    choices = []
    for service_id in service_ids:
        if _rare(draw):
            continue
        choices.append(
            move_domain.RecipientChoice(
                partner_service_id=service_id,
                selected=_usually(draw, True, False, None),
                answers=draw(_notify_answers),
                partner_reference=_maybe(draw, f"REF-{service_id}"),
            )
        )
    return tuple(choices)


@st.composite
def notify_moves(draw: Any, registry: notify_domain.Registry, now: dt.datetime) -> move_domain.Move:
    service_ids = sorted(registry.services)
    kind = draw(_pick("citizen", "citizen", "agent", "partner"))
    source = service_ids[draw(_ints(0, len(service_ids) - 1))] if kind == "partner" else None
    return move_domain.Move(
        reference="COA-TEST-0001",
        status=_usually(draw, "submitted", "withdrawn", "superseded"),
        submitter=move_domain.Submitter(kind=kind, source_partner_service_id=source),
        source_restrictions=draw(_notify_restriction_sets) if source else frozenset(),
        person=draw(notify_people("s0")),
        household=draw(notify_household()),
        contact=_maybe(draw, move_domain.Contact(email="mover@example.org")),
        old_uprn=None if _rare(draw) else 100023336956,
        new_uprn=10091234567,
        move_date=(now + dt.timedelta(days=draw(_ints(-150, 60)))).date(),
        choices=draw(notify_choices(service_ids)),
    )


@st.composite
def notify_locations(draw: Any, uprn: int) -> move_domain.Location:
    areas = frozenset() if _rare(draw) else frozenset({draw(_pick(*NOTIFY_AREAS))})
    return move_domain.Location(
        uprn=uprn,
        area_codes=areas,
        custodian_code=draw(_notify_custodians),
        single_line=f"{uprn} TEST STREET",
        postcode="AB1 2CD",
    )


@st.composite
def notify_facts(draw: Any, move: move_domain.Move) -> move_domain.GazetteerFacts:
    """The new address now and then has no point yet (routing waits: ``pending``)."""
    old = draw(notify_locations(move.old_uprn)) if move.old_uprn is not None else None
    new = None if _rare(draw) else draw(notify_locations(move.new_uprn or 0))
    return move_domain.GazetteerFacts(old=old, new=new)


@st.composite
def notify_consents(
    draw: Any, registry: notify_domain.Registry, move: move_domain.Move, now: dt.datetime
) -> list[move_domain.Consent]:
    """For each consent rule and person: mostly a consent given, now and then not."""
    consents: list[move_domain.Consent] = []
    for subject_id in move.subject_ids():
        for rule in registry.rules:
            if rule.lawful_basis != "consent" or _rare(draw):
                continue
            given = now - dt.timedelta(days=draw(_ints(0, 80)), seconds=1)
            consents.append(
                move_domain.Consent(
                    id=f"c{len(consents)}",
                    subject_id=subject_id,
                    partner_service_id=rule.partner_service_id,
                    purpose_code=rule.purpose_code,
                    rule_id=rule.id,
                    rule_version=rule.version,
                    status=_usually(draw, "given", "withdrawn", "expired"),
                    given_at=given,
                    expires_at=given + dt.timedelta(days=1 if _rare(draw) else 90),
                )
            )
    return consents


@st.composite
def notify_relationships(
    draw: Any, registry: notify_domain.Registry, move: move_domain.Move
) -> list[move_domain.Relationship]:
    return [
        move_domain.Relationship(
            partner_service_id=service_id,
            kind="holds_subject_at_uprn",
            subject_id=move.person.id,
            uprn=draw(_pick(move.old_uprn, 999)),
        )
        for service_id in sorted(registry.services)
        if draw(st.booleans())
    ]


@st.composite
def notify_situations(
    draw: Any, *, non_competing: bool = False, phase: notify_decision.Phase = "plan"
) -> notify_decision.Situation:
    """One complete input of the decision procedure."""
    now = draw(notify_nows)
    registry = draw(notify_registries(now, non_competing=non_competing))
    move = draw(notify_moves(registry, now))
    return notify_decision.Situation(
        move=move,
        facts=draw(notify_facts(move)),
        registry=registry,
        consents=tuple(draw(notify_consents(registry, move, now))),
        relationships=tuple(draw(notify_relationships(registry, move))),
        now=now,
        phase=phase,
    )


@st.composite
def notify_corrections(draw: Any, move: move_domain.Move) -> notify_correction.Correction:
    """A correction of ``move``: now and then each field, never nothing at all."""
    person = move.person
    values: dict[str, Any] = {
        "move_date": move.move_date + dt.timedelta(days=draw(_ints(-10, 10))),
        "contact": draw(_pick(None, move_domain.Contact(email="fixed@example.org"))),
        "old_uprn": draw(_pick(None, 100023336957)),
        "new_uprn": draw(_pick(10091234568, 10091234567)),
        "person": notify_intake.PersonDetails(
            given_name=draw(notify_names),
            family_name=person.family_name,
            date_of_birth=draw(_notify_dobs),
        ),
        "household": tuple(
            notify_intake.MemberDetails(
                person=notify_intake.PersonDetails(given_name=draw(notify_names), family_name="X"),
                authority=draw(_notify_authorities),
                statement_version="d2",
            )
            for _ in range(draw(_ints(0, 2)))
        ),
        "move_date_kind": draw(_pick("actual", "planned")),
    }
    chosen = draw(st.sets(st.sampled_from(sorted(values)), min_size=1))
    recipients = tuple(
        notify_intake.RecipientAnswer(
            partner_service_id=c.partner_service_id,
            selected=draw(_pick(True, False, None)),
            partner_reference=_maybe(draw, "REF-FIXED"),
        )
        for c in move.choices
        if draw(st.booleans())
    )
    return notify_correction.Correction(
        **{k: v for k, v in values.items() if k in chosen}, recipients=recipients
    )  # fmt: skip


# === end of sharing ===


# === validation: records that pass every record-level rule, GB points, parent forests ===
# Records drawn here pass gazetteer.validation's record-level rules in both profiles (ABP v2 or
# DTF, an English authority, as of VALIDATION_AS_OF). Tests break one thing and expect the rule.

VALIDATION_AS_OF = dt.date(2024, 6, 1)
VALIDATION_BLPU_STATUSES = ("1", "5", "6", "7", "8", "9")
VALIDATION_LPI_STATUSES = ("1", "3", "5", "6", "7", "8", "9")
# Table A of §4.2, transcribed here rather than imported, so the strategies cannot drift with it.
VALIDATION_TABLE_A: dict[str, tuple[str | None, ...]] = {
    "1": (None, "1", "2", "3"),
    "5": ("1", "2", "3", "4", "6"),
    "6": ("1", "5", "6", "7"),
    "7": (None, "1", "2", "3", "4", "6"),
    "8": (None, "4", "7"),
    "9": (None, "1", "2", "3", "4", "5", "6", "7"),
}
single_suffixes = st.sampled_from(LETTERS)
validation_dates = st.dates(dt.date(1990, 1, 1), VALIDATION_AS_OF - dt.timedelta(days=60))
latitudes = st.floats(min_value=49.5, max_value=60.5).map(lambda v: round(v, 7))
longitudes = st.floats(min_value=-8.5, max_value=1.5).map(lambda v: round(v, 7))
_GB_EXTENT = {  # (min x, max x, min y, max y) inside each country's COORD box, in metres
    "E": (130_000, 655_000, 10_000, 657_000),
    "W": (160_000, 350_000, 165_000, 395_000),
    "S": (50_000, 470_000, 530_000, 1_220_000),
}
# Where swapping X and Y leaves the box: Scotland north of 660 km, the English south coast.
_SWAP_LEAVES_BOX = {
    "E": (130_000, 655_000, 10_000, 79_999),
    "S": (50_000, 470_000, 660_001, 1_220_000),
}


def _metres(low: float, high: float) -> st.SearchStrategy[float]:
    return st.integers(int(low * 100), int(high * 100)).map(lambda v: v / 100)


def gb_points(
    country: str = "E", *, swap_leaves_box: bool = False
) -> st.SearchStrategy[tuple[float, float]]:
    """British National Grid points (2 dp) inside the country's part of the GB extent."""
    min_x, max_x, min_y, max_y = (_SWAP_LEAVES_BOX if swap_leaves_box else _GB_EXTENT)[country]
    return st.tuples(_metres(min_x, max_x), _metres(min_y, max_y))


class OpenRecordDates(TypedDict, total=False):
    """The dates of a record still open, ready to unpack into any gazetteer record."""

    start_date: dt.date | None
    last_update_date: dt.date | None
    entry_date: dt.date | None


class RecordDates(OpenRecordDates, total=False):
    """The lifecycle dates every gazetteer record carries, ready to unpack into one."""

    end_date: dt.date | None


class DtfPostalFields(TypedDict, total=False):
    """A DTF POSTAL_ADDRESS flag with the postcode and post town it implies."""

    postal_address: str | None
    postcode: str | None
    post_town: str | None


@st.composite
def record_dates(draw: st.DrawFn, *, closed: bool = False) -> RecordDates:
    """START, ENTRY and LAST_UPDATE (not before either), and END iff ``closed``."""
    start, entry = draw(validation_dates), draw(validation_dates)
    last_update = max(start, entry) + dt.timedelta(days=draw(st.integers(0, 30)))
    end = start + dt.timedelta(days=draw(st.integers(0, 30))) if closed else None
    return {
        "start_date": start,
        "entry_date": entry,
        "last_update_date": last_update,
        "end_date": end,
    }


@st.composite
def valid_aons(draw: st.DrawFn, *, prefix: str, required: bool) -> dict[str, Any]:
    """A PAO or SAO drawn down the dependency chains: a suffix only after its number, an end
    number only after (and above) the start, one-letter suffixes, letter-only texts."""
    start = draw(st.none() | st.integers(1, 9998))
    end = draw(st.none() | st.integers(start + 1, 9999)) if start else None
    text = draw(st.none() | address_texts)
    if required and start is None and text is None:
        text = draw(address_texts)
    return {
        f"{prefix}_start_number": start,
        f"{prefix}_start_suffix": draw(st.none() | single_suffixes) if start else None,
        f"{prefix}_end_number": end,
        f"{prefix}_end_suffix": draw(st.none() | single_suffixes) if end else None,
        f"{prefix}_text": text,
    }


@st.composite
def dtf_postal_fields(draw: st.DrawFn) -> DtfPostalFields:
    """A DTF POSTAL_ADDRESS flag with the postcode and post town it implies (§3.6)."""
    flag = draw(st.sampled_from("YNPAL"))
    if flag == "N":
        return {"postal_address": flag, "postcode": None, "post_town": None}
    return {"postal_address": flag, "postcode": draw(postcodes()), "post_town": draw(address_words)}


@st.composite
def valid_lpis(
    draw: st.DrawFn,
    *,
    uprn: int | None = None,
    usrn: int | None = None,
    language: str = domain.LANGUAGE_ENGLISH,
    status: str | None = None,
    dtf: bool = False,
) -> domain.Lpi:
    """An LPI that passes every record-level LPI-* and POST-* rule."""
    status = status or draw(st.sampled_from(VALIDATION_LPI_STATUSES))
    pao = draw(valid_aons(prefix="pao", required=True))
    sao = draw(valid_aons(prefix="sao", required=False))
    if sao["sao_text"] and pao["pao_text"] and sao["sao_text"] == pao["pao_text"]:
        sao["sao_text"] = None
    return domain.Lpi(
        uprn=draw(uprns) if uprn is None else uprn,
        lpi_key=f"1110L{draw(st.integers(1, 999_999_999)):09d}",
        language=language,
        logical_status=status,
        usrn=draw(usrns) if usrn is None else usrn,
        **draw(record_dates(closed=status in {"7", "8", "9"})),
        **pao,
        **sao,
        usrn_match_indicator=draw(st.sampled_from("12")),
        level=draw(st.none() | address_words),
        official_flag=draw(st.sampled_from([None, "Y", "N", "C", "R"])),
        **(draw(dtf_postal_fields()) if dtf else {}),
    )


@st.composite
def valid_blpus(
    draw: st.DrawFn,
    *,
    uprn: int | None = None,
    country: str = "E",
    status: str | None = None,
    parent_uprn: int | None = None,
    point: tuple[float, float] | None = None,
) -> domain.Blpu:
    """A BLPU that passes every record-level BLPU-*, COORD-* and POST-ABP-* rule (ABP v2)."""
    status = status or draw(st.sampled_from(VALIDATION_BLPU_STATUSES))
    state = draw(st.sampled_from(VALIDATION_TABLE_A[status]))
    x, y = point or draw(gb_points(country))
    postal = draw(st.sampled_from(["D", "N", "L", *(["C"] if parent_uprn else [])]))
    return domain.Blpu(
        uprn=draw(uprns) if uprn is None else uprn,
        logical_status=status,
        blpu_state=state,
        blpu_state_date=draw(validation_dates) if state else None,
        parent_uprn=parent_uprn,
        x_coordinate=x,
        y_coordinate=y,
        latitude=draw(latitudes),
        longitude=draw(longitudes),
        rpc=draw(st.sampled_from("124")),
        local_custodian_code=draw(st.integers(1, 9999)),
        country=country,
        **draw(record_dates(closed=status in {"7", "8", "9"})),
        addressbase_postal=postal,
        postcode_locator=draw(postcodes()),
        multi_occ_count=draw(st.integers(0, 20)),
    )


@st.composite
def valid_streets(draw: st.DrawFn, *, usrn: int | None = None) -> domain.Street:
    """An open street (type 1 or 2) with both end points in England."""
    (start_x, start_y), (end_x, end_y) = draw(gb_points()), draw(gb_points())
    state = draw(st.sampled_from([None, "1", "2"]))
    return domain.Street(
        usrn=draw(usrns) if usrn is None else usrn,
        record_type=draw(st.sampled_from("12")),
        swa_org_ref_naming=draw(st.integers(1, 9999)),
        state=state,
        state_date=draw(validation_dates) if state else None,
        street_surface=draw(st.sampled_from([None, "1", "2", "3"])),
        street_classification=draw(st.sampled_from([None, "4", "6", "8", "9", "10"])),
        version=1,
        **draw(record_dates()),
        start_x=start_x,
        start_y=start_y,
        end_x=end_x,
        end_y=end_y,
        tolerance=draw(st.integers(0, 99)),
    )


@st.composite
def valid_descriptors(
    draw: st.DrawFn, *, usrn: int | None = None, language: str = domain.LANGUAGE_ENGLISH
) -> domain.StreetDescriptor:
    return domain.StreetDescriptor(
        usrn=draw(usrns) if usrn is None else usrn,
        description=draw(address_texts),
        language=language,
        locality=draw(st.none() | address_words),
        town_name=draw(address_words),
        administrative_area=draw(address_words),
    )


@st.composite
def valid_delivery_points(draw: st.DrawFn, *, uprn: int | None = None) -> domain.DeliveryPoint:
    """A PAF delivery point meeting §3.4's dependencies, widths and v2 mandatory fields."""
    organisation = draw(st.none() | address_texts)
    po_box = draw(st.none() | st.integers(1, 99999).map(str))
    thoroughfare = draw(st.none() | address_texts)
    locality = draw(st.none() | address_words)
    number = draw(st.none() | st.integers(1, 9999))
    return domain.DeliveryPoint(
        udprn=draw(udprns),
        uprn=draw(uprns) if uprn is None else uprn,
        organisation_name=organisation,
        department_name=draw(st.none() | address_texts) if organisation else None,
        building_name=draw(address_texts) if not (organisation or po_box or number) else None,
        building_number=number,
        sub_building_name=draw(st.none() | address_words) if number else None,
        thoroughfare=thoroughfare,
        dependent_thoroughfare=draw(st.none() | address_texts) if thoroughfare else None,
        dependent_locality=locality,
        double_dependent_locality=draw(st.none() | address_words) if locality else None,
        post_town=draw(address_words),
        postcode=draw(postcodes()),
        postcode_type="L" if po_box else draw(st.sampled_from("SL")),
        po_box_number=po_box,
        delivery_point_suffix=f"{draw(st.integers(0, 9))}{draw(single_suffixes)}",
        **draw(record_dates()),
    )


@st.composite
def parent_forests(
    draw: st.DrawFn, *, max_level: int = 4, max_size: int = 12
) -> dict[int, int | None]:
    """UPRN -> PARENT_UPRN for a forest whose levels (root = 1) never exceed ``max_level``;
    parents come before their children in the mapping's order."""
    nodes = draw(st.lists(uprns, min_size=1, max_size=max_size, unique=True))
    levels: dict[int, int] = {}
    forest: dict[int, int | None] = {}
    for uprn in nodes:
        candidates = [u for u, level in levels.items() if level < max_level]
        parent = draw(st.none() | st.sampled_from(candidates)) if candidates else None
        forest[uprn] = parent
        levels[uprn] = 1 if parent is None else levels[parent] + 1
    return forest


# === end of validation ===


# === data protection: canary people, whose every value can be searched for after erasure ===
# A tag of eight lower-case letters makes every value distinctive: the names start with "Zq"
# (no identifier, pseudonym or digest in the database has a capital letter there), the phone
# has spaces and the dates of birth fall before any date the hub itself writes.


@dataclasses.dataclass(frozen=True, kw_only=True)
class Canary:
    tag: str
    given_name: str
    family_name: str
    date_of_birth: dt.date
    email: str
    phone: str
    address: str

    @classmethod
    def of(cls, tag: str, date_of_birth: dt.date, digits: int) -> Canary:
        return cls(
            tag=tag,
            given_name=f"Zq{tag}",
            family_name=f"Zqfam{tag}",
            date_of_birth=date_of_birth,
            email=f"{tag}.zq@example.org",
            phone=f"+44 7700 {digits}",
            address=f"Flat {digits % 97 + 1}, Zq {tag} Road",
        )

    def values(self) -> tuple[str, ...]:
        """Every personal value, as text."""
        return (self.given_name, self.family_name, self.date_of_birth.isoformat(), self.email,
                self.phone, self.address)  # fmt: skip


@st.composite
def canaries(draw: st.DrawFn) -> Canary:
    return Canary.of(
        draw(st.text(alphabet=string.ascii_lowercase, min_size=8, max_size=8)),
        draw(st.dates(dt.date(1920, 1, 1), dt.date(1999, 12, 31))),
        draw(st.integers(min_value=100000, max_value=999999)),
    )


def canary_pairs() -> st.SearchStrategy[list[Canary]]:
    """A mover and a household member who share no value."""
    return st.lists(
        canaries(),
        min_size=2,
        max_size=2,
        unique_by=(lambda c: c.tag, lambda c: c.date_of_birth, lambda c: c.phone),
    )


# === end of data protection ===


# === search index: small gazetteers with every kind of label the index holds ===

SEARCH_STREETS = ("HIGH ST", "ST MARY'S RD", "STATION ROAD", "HEOL Y FRENHINES", "1ST AVE",
                  "CHURCH LANE")  # fmt: skip
SEARCH_TOWNS = ("NEWTOWN", "ST IVES", "LLANFAIR", None)
SEARCH_LISTED = ("FLAT 2, 10A HIGH ST, NEWTOWN", "ROSE COTTAGE CHURCH LN", "12-14 STATION RD",
                 "UNIT 3 THE PARADE", "2/10 HIGH STREET NT1 1AB")  # fmt: skip
_SEARCH_USRNS = (1001, 1002, 1003)
_SEARCH_DAY = dt.date(2020, 5, 1)


@st.composite
def _search_descriptors(draw: st.DrawFn, usrn: int) -> list[domain.StreetDescriptor]:
    names = st.sampled_from(SEARCH_STREETS) | address_texts
    towns = st.sampled_from(SEARCH_TOWNS)
    found = [domain.StreetDescriptor(usrn=usrn, description=draw(names), town_name=draw(towns),
                                     locality=draw(st.none() | st.just("UPPER TOWN")))]  # fmt: skip
    if draw(st.booleans()):
        found.append(domain.StreetDescriptor(usrn=usrn, description=draw(names), language="CYM",
                                             town_name=draw(towns)))  # fmt: skip
    return found


@st.composite
def _search_address(draw: st.DrawFn, uprn: int) -> list[Any]:
    """A BLPU with its LPIs (ENG and sometimes CYM), and maybe a delivery point, organisation
    and classification, some of them ended."""
    ended = st.none() | st.just(_SEARCH_DAY)
    out: list[Any] = [domain.Blpu(uprn=uprn, logical_status=draw(st.sampled_from("168")),
                                  postcode_locator=draw(st.none() | postcodes()),
                                  blpu_class=draw(st.none() | st.just("RD04")),
                                  local_custodian_code=1110)]  # fmt: skip
    for n, language in enumerate(draw(st.sampled_from([["ENG"], ["ENG", "CYM"], ["CYM"]]))):
        lpi = draw(lpis(language=language, status=draw(st.sampled_from("13568"))))
        out.append(dataclasses.replace(
            lpi, uprn=uprn, lpi_key=f"1110L{uprn:07d}{n:02d}",
            usrn=draw(st.sampled_from((*_SEARCH_USRNS, 9999))), end_date=draw(ended),
            postcode=draw(st.none() | postcodes()), post_town=draw(st.none() | st.just("NEWTOWN")),
        ))  # fmt: skip
    if draw(st.booleans()):
        dpa = draw(delivery_points())
        out.append(dataclasses.replace(dpa, uprn=uprn, udprn=uprn, end_date=draw(ended)))
    if draw(st.booleans()):
        name = draw(st.sampled_from(("ACME LTD", "ST JOHN'S SURGERY")) | address_texts)
        out.append(domain.Organisation(uprn=uprn, org_key=f"O{uprn}", organisation=name,
                                       end_date=draw(ended)))  # fmt: skip
    if draw(st.booleans()):
        code = draw(st.sampled_from(("RD06", "CR01")))
        out.append(
            domain.Classification(
                uprn=uprn, class_key=f"C{uprn}", classification_code=code, end_date=draw(ended)
            )
        )
    return out


@st.composite
def search_gazetteers(draw: st.DrawFn) -> list[Any]:
    """Streets, addresses (UPRN 100 and up) and an LPI without its BLPU (UPRN 99)."""
    records: list[Any] = []
    for usrn in _SEARCH_USRNS:
        records.extend(draw(_search_descriptors(usrn)))
    for uprn in range(100, 100 + draw(st.integers(min_value=1, max_value=6))):
        records.extend(draw(_search_address(uprn)))
    records.append(domain.Lpi(uprn=99, lpi_key="1110L99", language="ENG", logical_status="1",
                              usrn=1001, pao_start_number=1))  # fmt: skip
    return records


def search_listed() -> st.SearchStrategy[list[tuple[int | None, str, str | None]]]:
    """Council list rows (UPRN or none, address, postcode) for :func:`search_gazetteers`."""
    row = st.tuples(st.none() | st.sampled_from((99, 100, 101, 555)),
                    st.sampled_from(SEARCH_LISTED) | address_texts,
                    st.none() | postcodes())  # fmt: skip
    return st.lists(row, max_size=3)


# Label lines as the index's labels are made of, with the words the normaliser treats by
# context (lone letters, ST, NO, ordinals, floor and flat words, numbers and ranges), the
# characters it cleans and, usually last, a postcode (valid, invalid, partial or split).
_LABEL_WORDS = st.sampled_from(
    ("A", "B", "C", "ST", "ST.", "NO", "NUMBER", "1ST", "2ND", "FLOOR", "FLAT", "FL", "APT",
     "GFF", "GF", "UNIT", "HIGH", "RD", "ROAD", "MARY'S", "CHURCH", "LN", "AND", "&", "10",
     "10A", "10 A", "3-5", "3 - 5", "2/10", "12B", "EX1", "1AB", "EX1 1AB", "SW1A", "2AA",
     "0", "-", "/", ",", ";", "\n", "high", "Ty'n", "\u2019S", "MUSEUM")
) | address_words  # fmt: skip
label_line_texts = st.lists(_LABEL_WORDS, min_size=0, max_size=5).map(" ".join)


@st.composite
def label_lines(draw: st.DrawFn) -> list[str]:
    """The lines of a label, most often ending with a postcode line."""
    lines = draw(st.lists(label_line_texts, max_size=6))
    last = st.sampled_from(("EX1 1AB", "EX11AB", "ex1 1ab", "EX1", "EX1 1", "NT1 1AB X"))
    ending = draw(postcodes() | st.none() | postcodes() | postcodes("CIKMOV") | last)
    return lines if ending is None else [*lines, ending]


# === end of search index ===


# === service questions (registry file, answers' categories) ===


@st.composite
def notify_questions(draw: Any) -> tuple[notify_questions_module.Question, ...]:
    """A valid question list: unique ids, every type, validation as the type allows."""
    ids = st.lists(st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True), unique=True, max_size=4)
    return tuple(draw(_notify_question(qid)) for qid in draw(ids))


@st.composite
def _notify_question(draw: Any, qid: str) -> notify_questions_module.Question:
    kind = draw(st.sampled_from(sorted(notify_questions_module.TYPES)))
    choices = st.lists(st.text("xyz", min_size=1, max_size=3), min_size=1, max_size=3)
    numeric = kind in ("integer", "number")
    return notify_questions_module.Question(
        id=qid,
        type=kind,
        label_en=draw(st.text("abc", min_size=1, max_size=8)),
        label_cy=draw(st.text("wyd", max_size=4)),
        required=draw(st.booleans()),
        choices=tuple(draw(choices)) if kind == "choice" else (),
        max_length=draw(st.none() | st.integers(1, 40)) if kind == "text" else None,
        minimum=draw(st.none() | st.integers(-5, 5).map(float)) if numeric else None,
        data_category=draw(st.sampled_from(sorted(notify_codes.CATEGORY_RANK))),
    )
