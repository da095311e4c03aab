"""Finding and matching addresses against a seeded gazetteer, on both engines."""

from __future__ import annotations

import pytest
from sqlalchemy import orm

from core.clock import SystemClock
from core.settings import Settings
from gazetteer import domain, find, matching, repository, search_index
from gazetteer.search_repository import Filters
from tests.integration import find_seed

SETTINGS = Settings()


@pytest.fixture
def seeded(session: orm.Session) -> orm.Session:
    written = find_seed.seed(session)
    assert written == len(find_seed.ADDRESSES) + 1  # one LPI each, one delivery point
    return session


def _match(session: orm.Session, text: str) -> matching.MatchResult:
    return find.match_address(session=session, text=text, settings=SETTINGS)


@pytest.mark.parametrize(
    ("text", "uprn"),
    [
        ("10 high st, newtown nt11aa", 110),
        ("10A High Street Newtown", 121),
        ("flat 1, 12 high st, newtown nt1 1ab", 131),
        ("Flat 2 12 High St NT1 1AB", 132),
        ("12 High Street, Newtown, NT1 1AB", 112),
        ("rose cottage high st newtown", 141),
        ("10 High Street, Oldtown", 201),
        ("gff 7 park rd newtown", 302),
        ("7 Park Road Newtown NT2 3BB", 301),
        ("10/2 St Marys Rd Newtown", 401),
        ("10 hihg street newtown nt1 1aa", 110),
    ],
)
def test_typed_addresses_are_matched_to_the_right_uprn(
    seeded: orm.Session, text: str, uprn: int
) -> None:
    result = _match(seeded, text)
    assert (result.status, result.uprn) == ("matched", uprn), result.blockers
    assert result.candidates[0].candidate.uprn == uprn


@pytest.mark.parametrize(
    "text",
    [
        "10 High Street",  # two High Streets, no place
        "flat 3, 12 high st, newtown nt1 1ab",  # no such flat
        "99 High Street Newtown NT1 1AA",  # no such number
        "10B High Street Newtown",  # no such suffix
        "Ivy Cottage, High Street, Newtown",  # no such house
        "10 High Street Newtown NT9 9ZZ",  # postcode of elsewhere
    ],
)
def test_doubtful_addresses_are_never_matched(seeded: orm.Session, text: str) -> None:
    result = _match(seeded, text)
    assert result.status in {"review", "unmatched"}
    assert result.uprn is None


def test_evidence_and_margin_come_back_with_the_match(seeded: orm.Session) -> None:
    result = _match(seeded, "Flat 1, 12 High St, Newtown NT1 1AB")
    top = result.candidates[0]
    statuses = {e.component: e.status for e in top.evidence}
    assert statuses["sao"] == statuses["pao"] == statuses["postcode"] == "matched"
    assert result.margin >= SETTINGS.match_min_margin
    second = result.candidates[1]
    assert second.candidate.uprn != top.candidate.uprn
    assert second.score < top.score


def test_search_ranks_and_highlights(seeded: orm.Session) -> None:
    page = find.search(session=seeded, q="12 high st newtown", settings=SETTINGS, limit=3)
    assert page.results[0].uprn == 112
    label = page.results[0].label
    highlighted = {label[a:b] for a, b in page.results[0].highlights}
    assert {"12", "HIGH", "STREET", "NEWTOWN"} <= highlighted


def test_search_by_postcode_without_space_and_prefix(seeded: orm.Session) -> None:
    page = find.search(session=seeded, q="nt23bb", settings=SETTINGS)
    assert {r.uprn for r in page.results} == {301, 302}
    typed = find.search(session=seeded, q="rose cott", settings=SETTINGS)
    assert typed.results[0].uprn == 141


def test_search_pages_with_offset(seeded: orm.Session) -> None:
    first = find.search(session=seeded, q="high street newtown", settings=SETTINGS, limit=2)
    second = find.search(
        session=seeded, q="high street newtown", settings=SETTINGS, limit=2, offset=2
    )
    assert len(first.results) == len(second.results) == 2
    assert not {r.uprn for r in first.results} & {r.uprn for r in second.results}


def test_postcode_lookup_is_in_natural_order(seeded: orm.Session) -> None:
    found = find.addresses_at_postcode(session=seeded, postcode="nt11ab")
    assert [a.uprn for a in found] == [112, 131, 132, 113, 114, 115, 116, 117, 118, 119, 120, 150]


def test_classification_and_dataset_filters_are_honoured(seeded: orm.Session) -> None:
    commercial = find.addresses_at_postcode(
        session=seeded, postcode="NT1 1AB", filters=Filters(classification="CR*")
    )
    assert [a.uprn for a in commercial] == [150]
    flats = find.addresses_at_postcode(
        session=seeded, postcode="NT1 1AB", filters=Filters(classification="RD06")
    )
    assert [a.uprn for a in flats] == [131, 132]
    postal = find.addresses_at_postcode(
        session=seeded, postcode="NT1 1AB", filters=Filters(datasets=("dpa",))
    )
    assert [(a.uprn, a.source) for a in postal] == [(131, "dpa")]


def test_rebuild_of_some_uprns_replaces_only_theirs(seeded: orm.Session) -> None:
    assert search_index.rebuild(seeded, uprns=[131, 110]) == 3
    result = _match(seeded, "flat 1, 12 high st, newtown nt1 1ab")
    assert result.uprn == 131
    assert find.search(session=seeded, q="10 high st newtown", settings=SETTINGS).results


def test_listed_addresses_are_searchable_and_matchable(seeded: orm.Session) -> None:
    from gazetteer import tables

    seeded.add(
        tables.ListedAddress(
            list_name="council tax", uprn=201, address="The Old Bakery, 10 High St, Oldtown",
            postcode="OT1 1AA",
        )
    )  # fmt: skip
    seeded.flush()
    assert search_index.rebuild(seeded, uprns=[201]) == 2
    listed_only = Filters(datasets=("listed",))
    page = find.search(session=seeded, q="old bakery", settings=SETTINGS, filters=listed_only)
    assert [(r.uprn, r.source) for r in page.results] == [(201, "listed")]
    result = find.match_address(
        session=seeded, text="the old bakery 10 high st oldtown", settings=SETTINGS
    )
    assert (result.status, result.uprn) == ("matched", 201)


def test_address_without_a_place_is_matched_on_a_street_only_one_town_has(
    seeded: orm.Session,
) -> None:
    park = _match(seeded, "7 Park Road")  # only Newtown has a PARK ROAD
    assert (park.status, park.uprn) == ("matched", 301)
    assert _match(seeded, "15 High Street").status == "review"  # two towns have one


def test_typo_in_street_is_matched_with_the_town_when_no_street_is_spelt_so(
    seeded: orm.Session,
) -> None:
    result = _match(seeded, "7 Prak Road, Newtown")
    assert (result.status, result.uprn, result.match_reason) == ("matched", 301, "fuzzy street")
    assert _match(seeded, "7 Prak Road").status == "review"  # a typo and no place


BATCH_TEXTS = [
    "10 high st, newtown nt11aa",
    "Flat 2 12 High St NT1 1AB",
    "10 High Street, Oldtown",
    "10/2 St Marys Rd Newtown",
    "10 hihg street newtown nt1 1aa",
    "7 Park Road",
    "7 Prak Road, Newtown",
    "10 High Street",
    "flat 3, 12 high st, newtown nt1 1ab",
    "rose cottage high st newtown",
    "99 Nowhere Lane, Elsewhere",
    "",
]


def test_batch_matching_answers_as_one_at_a_time(seeded: orm.Session) -> None:
    from gazetteer import find_many, reviews

    doubtful = _match(seeded, "10 High Street")
    clock = SystemClock()
    review = reviews.queue(session=seeded, text="10 High Street", result=doubtful, clock=clock)
    reviews.decide(
        session=seeded, review_id=review.id, uprn=201, decided_by="custodian", clock=clock
    )
    one_by_one = [_match(seeded, text) for text in BATCH_TEXTS]
    batched = find_many.match_many(session=seeded, texts=BATCH_TEXTS, settings=SETTINGS)

    def summary(result: matching.MatchResult) -> tuple[object, ...]:
        top = [(c.candidate.uprn, c.score) for c in result.candidates]
        return (result.status, result.uprn, result.score, result.margin, result.match_reason, top)

    assert [summary(r) for r in batched] == [summary(r) for r in one_by_one]
    assert batched[BATCH_TEXTS.index("10 High Street")].uprn == 201  # the decision is reused
    assert [r.status for r in batched[:7]] == ["matched"] * 7


def test_search_finds_a_word_loaded_after_an_earlier_search(seeded: orm.Session) -> None:
    assert not find.search(session=seeded, q="3 acacia avenue", settings=SETTINGS).results
    seeded_records: list[repository.Record] = [
        domain.StreetDescriptor(
            usrn=1005, description="ACACIA AVENUE", town_name="NEWTOWN"
        ),
        domain.Blpu(uprn=501, logical_status="1", postcode_locator="NT5 5AA"),
        domain.Lpi(
            uprn=501, lpi_key="1110L000000501", language="ENG", logical_status="1", usrn=1005,
            pao_start_number=3,
        ),
    ]  # fmt: skip
    repository.save_records(seeded, seeded_records)
    search_index.rebuild(seeded, uprns=[501])
    page = find.search(session=seeded, q="3 acacia avenue", settings=SETTINGS)
    assert [r.uprn for r in page.results][:1] == [501]


@pytest.mark.parametrize("seed_rows", [0, 1_000])
def test_word_block_finds_the_address_whether_its_words_are_rare_or_common(
    seeded: orm.Session, monkeypatch: pytest.MonkeyPatch, seed_rows: int
) -> None:
    from gazetteer import search_tokens

    # 0: every word counts as common, so rows come from the rarest word's postings that hold
    # the number; 1,000: every word is rare, so rows come from the rare words' postings.
    monkeypatch.setattr(search_tokens, "SEED_ROWS", seed_rows)
    result = _match(seeded, "10 hihg street newtown")  # no street of that spelling: word block
    assert result.candidates[0].candidate.uprn == 110
    assert {c.candidate.uprn for c in result.candidates} >= {110, 121}
    page = find.search(session=seeded, q="rose cott", settings=SETTINGS)
    assert page.results[0].uprn == 141


def test_a_flat_in_a_named_block_is_not_sent_to_the_house_of_its_number(
    seeded: orm.Session,
) -> None:
    """``FLAT 2, KINGSLEY COURT, HIGH ST``: 2 is the flat's number, and 2 HIGH STREET exists."""
    block = [
        domain.Blpu(uprn=160 + flat, logical_status="1", postcode_locator="NT1 1AB")
        for flat in (1, 2)
    ]
    flats = [
        domain.Lpi(
            uprn=160 + flat, lpi_key=f"1110L{160 + flat:09d}", language="ENG",
            logical_status="1", usrn=find_seed.NEWTOWN_HIGH, sao_start_number=flat,
            pao_text="KINGSLEY COURT",
        )
        for flat in (1, 2)
    ]  # fmt: skip
    repository.save_records(seeded, [*block, *flats])
    search_index.rebuild(seeded, uprns=[161, 162])
    from gazetteer import find_many

    texts = [
        "Flat 2, Kingsley Court, High Street, Newtown",
        "2 KINGSLEY COURT, HIGH ST, NEWTOWN",
        "FLAT 2 KINGSLEY COURT HIGH STREET NEWTOWN",
    ]
    for result in [*(_match(seeded, t) for t in texts), *find_many.match_many(
        session=seeded, texts=texts, settings=SETTINGS
    )]:  # fmt: skip
        assert (result.status, result.uprn) == ("matched", 162), result.blockers
    assert _match(seeded, "2 High Street, Newtown, NT1 1AA").uprn == 102


def test_a_postcode_settles_the_candidates_only_on_the_street_typed(seeded: orm.Session) -> None:
    """``7 HIGH STREET`` with the postcode of ``7 PARK ROAD`` (an old or mistyped postcode):
    the postcode alone does not decide which rows are scored, so the house typed is seen."""
    from gazetteer import find_many

    text = "7 High Street, Newtown, NT2 3BB"
    for result in (_match(seeded, text), *find_many.match_many(
        session=seeded, texts=[text], settings=SETTINGS
    )):  # fmt: skip
        assert result.candidates[0].candidate.uprn == 107
        assert result.status != "matched"  # the postcode is another district's
    assert _match(seeded, "7 Park Road, Newtown, NT2 3BB").uprn == 301


def _street(
    usrn: int, name: str, town: str, houses: dict[int, tuple[int, str]]
) -> list[repository.Record]:
    """A street descriptor and its houses: uprn -> (number, postcode)."""
    out: list[repository.Record] = [
        domain.StreetDescriptor(usrn=usrn, description=name, town_name=town)
    ]
    for uprn, (number, postcode) in houses.items():
        out.append(domain.Blpu(uprn=uprn, logical_status="1", postcode_locator=postcode))
        out.append(
            domain.Lpi(
                uprn=uprn, lpi_key=f"1110L{uprn:09d}", language="ENG", logical_status="1",
                usrn=usrn, pao_start_number=number,
            )
        )  # fmt: skip
    return out


def test_an_old_postcode_of_the_only_such_street_in_its_district_is_outweighed(
    seeded: orm.Session,
) -> None:
    """``5 HIGH STREET, NT1 9ZZ``: no such postcode holds a 5, and NT1 has one HIGH STREET (the
    OLDTOWN one is in OT1), so the postcode is an old one; a second HIGH STREET in the district,
    or a postcode holding a 5 on another street, leaves it to a person."""
    from gazetteer import find_many, search_repository

    mill = _street(1006, "MILL LANE", "NEWTOWN", {601: (5, "NT1 7QQ")})
    repository.save_records(seeded, mill)
    search_index.rebuild(seeded, uprns=[601])
    texts = ["5 High Street, NT1 9ZZ", "5 HIGH ST, NEWTOWN, NT1 9ZZ", "5 High St, NT1 7QQ"]
    places = search_repository.district_places(seeded, [("HIGH STREET", "NT1")])
    assert places == {("HIGH STREET", "NT1"): 1}

    def answers() -> list[tuple[str, int | None]]:
        one = [_match(seeded, t) for t in texts]
        many = find_many.match_many(session=seeded, texts=texts, settings=SETTINGS)
        assert [(r.status, r.uprn, r.score) for r in many] == [
            (r.status, r.uprn, r.score) for r in one
        ]
        return [(r.status, r.uprn) for r in one]

    assert answers() == [("matched", 105), ("matched", 105), ("review", None)]
    other = _street(1007, "HIGH STREET", "LOWTOWN", {701: (40, "NT1 5XX")})
    repository.save_records(seeded, other)
    search_index.rebuild(seeded, uprns=[701])
    places = search_repository.district_places(seeded, [("HIGH STREET", "NT1")])
    assert places == {("HIGH STREET", "NT1"): 2}
    assert [status for status, _ in answers()] == ["review", "review", "review"]
