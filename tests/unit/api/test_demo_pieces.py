"""The demo's pure pieces: the sample gazetteer, receiver verification and the outcome check."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.demo import errors, moves, receivers, sample, text
from gazetteer import domain
from notify import signing

SAMPLE = sample.build()


def _of(kind: type[Any]) -> list[Any]:
    return [r for r in SAMPLE.records if isinstance(r, kind)]


def test_the_sample_is_deterministic_and_every_key_is_unique() -> None:
    again = sample.build()
    assert again == SAMPLE
    blpus, lpis = _of(domain.Blpu), _of(domain.Lpi)
    assert len(blpus) == len({b.uprn for b in blpus}) == 195
    assert len(lpis) == len({lpi.lpi_key for lpi in lpis}) == 195
    assert {lpi.uprn for lpi in lpis} == {b.uprn for b in blpus}
    points = _of(domain.DeliveryPoint)
    assert len({p.udprn for p in points}) == len(points) == 190  # buildings have none


def test_flats_sit_under_a_building_that_exists_at_the_same_point() -> None:
    by_uprn = {b.uprn: b for b in _of(domain.Blpu)}
    flats = [b for b in by_uprn.values() if b.parent_uprn is not None]
    assert len(flats) == 5 * sample.FLATS_PER_BLOCK
    for flat in flats:
        parent = by_uprn[flat.parent_uprn]
        assert parent.parent_uprn is None and parent.addressbase_postal == "C"
        assert (parent.x_coordinate, parent.y_coordinate) == (
            flat.x_coordinate,
            flat.y_coordinate,
        )
    assert all(by_uprn[u].multi_occ_count == 8 for u in {f.parent_uprn for f in flats})


def test_every_address_lies_in_the_ward_square_of_its_own_postcode() -> None:
    units = {u.postcode: u for u in SAMPLE.units}
    half = sample.CELL_HALF_SIDE_M
    for blpu in _of(domain.Blpu):
        unit = units[blpu.postcode_locator]
        assert abs(blpu.x_coordinate - unit.easting) < half
        assert abs(blpu.y_coordinate - unit.northing) < half
        town = sample.TOWNS[unit.district_code]
        assert blpu.local_custodian_code == town.custodian_code


def test_boundaries_are_squares_that_never_overlap() -> None:
    units = SAMPLE.units
    for i, a in enumerate(units):
        for b in units[i + 1 :]:
            gap = max(abs(a.easting - b.easting), abs(a.northing - b.northing))
            assert gap > 2 * sample.CELL_HALF_SIDE_M
    districts = SAMPLE.boundaries["district"]["features"]
    assert {f["properties"]["code"] for f in districts} == {"E07000041", "E07000040"}
    county = SAMPLE.boundaries["county"]["features"]
    assert len(county[0]["geometry"]["coordinates"]) == len(units) == 10


def test_the_attribution_is_the_code_point_licence_statement() -> None:
    lines = sample.attribution().splitlines()
    assert lines[0] == "ORDNANCE SURVEY DATA LICENCE"
    assert "Contains Royal Mail data © Royal Mail copyright and database right 2014." in lines
    assert sample.attribution() in text.attribution_block()


SECRET = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
OTHER = "whsec_" + "dGhpcyBpcyBhbm90aGVyIHNlY3JldCBrZXkhIQ=="


@settings(max_examples=50)
@given(
    body=st.text(min_size=1, max_size=100).map(str.encode),
    flip=st.integers(min_value=0, max_value=399),
)
def test_receivers_accept_exactly_the_requests_signed_with_their_secret(
    body: bytes, flip: int
) -> None:
    at = dt.datetime.now(dt.UTC)
    headers = signing.headers(msg_id="msg_1", body=body, at=at, secrets_=[SECRET])
    assert receivers.verified(body, headers, [OTHER, SECRET])
    assert not receivers.verified(body, headers, [OTHER])
    tampered = bytearray(body)
    tampered[flip % len(body)] ^= 1
    assert not receivers.verified(bytes(tampered), headers, [SECRET])


def _recipient(service: str, decision: str, received: int, rejected: int = 0) -> dict[str, Any]:
    event = {"webhook_id": f"msg_{service}", "data": {}}
    return {
        "partner_service_id": service,
        "decision": decision,
        "reasons": [] if decision == "send" else ["DENIED_BY_RULE"],
        "received": [event] * received,
        "rejected": rejected,
    }


def test_the_outcome_check_wants_each_told_service_and_no_other() -> None:
    good = {"reference": "R", "recipients": [_recipient("A/X", "send", 1),
                                             _recipient("B/Y", "refuse", 0)]}  # fmt: skip
    moves.check(good)
    assert "A/X" in text.outcome(good) and "not told (DENIED_BY_RULE)" in text.outcome(good)
    for bad in (
        [_recipient("A/X", "send", 0)],
        [_recipient("B/Y", "refuse", 1)],
        [_recipient("A/X", "send", 1, rejected=1)],
    ):
        with pytest.raises(errors.DemoFailed):
            moves.check({"reference": "R", "recipients": bad})


def test_the_sample_move_names_the_sample_addresses_and_today() -> None:
    body = moves.sample_move(dt.date(2026, 3, 2))
    assert (body["old_uprn"], body["new_uprn"]) == (moves.OLD_UPRN, moves.NEW_UPRN)
    assert body["move_date"] == "2026-03-02"
    assert json.loads(json.dumps(body)) == body
    assert {b.uprn for b in _of(domain.Blpu)} >= {moves.OLD_UPRN, moves.NEW_UPRN}


def test_the_worker_writes_file_drops_under_the_work_directory_and_the_banner_says_where(
    tmp_path: Path,
) -> None:
    from api.demo import run
    from core.settings import Settings

    options = run.Options(work_dir=tmp_path / "demo")
    default = run.file_drop_dir(Settings(database_url="sqlite:///x.db"), options)
    assert default == (tmp_path / "demo" / "file-drop").resolve()
    chosen = Settings(database_url="sqlite:///x.db", file_drop_directory=tmp_path / "mine")
    assert run.file_drop_dir(chosen, options) == (tmp_path / "mine").resolve()
    shown = text.banner(base_url="http://h:1", options=options, agent_key="k",
                        receivers_base="http://h:2", file_drop=default)  # fmt: skip
    assert f"file drop  {default}" in shown
