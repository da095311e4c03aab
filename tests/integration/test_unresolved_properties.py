"""Never free text, both engines: whatever address is typed, a move either has a gazetteer UPRN
for its new address or nothing of it is queued; once the custodian resolves it, every outbox
row names that UPRN and carries only its rule's fields (V1, V2)."""

from __future__ import annotations

import json

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import orm

from gazetteer import search_index
from notify import address_input, projection, registry_repository, routing, service, unresolved
from notify.tables import moves as m
from notify.tables import outbox as o
from notify.tables import registry as registry_tables
from tests.integration import sharing_world as w

ALONE = w.SETTINGS.model_copy(update={"move_review_window_days": 0})  # examples are not repeats
streets = st.sampled_from(["Mill Lane", "Mill Ln", "Mill Road", "Nowhere Close", "Lane"])
towns = st.sampled_from(["", "Newtown", "Oldtown"])
postcodes = st.sampled_from([None, "NT1 1AA", "NT11AA", "ZZ9 9ZZ"])
typed = st.builds(
    address_input.AddressInput,
    text=st.builds(
        lambda n, street, town: f"{n} {street} {town}".strip(), st.integers(1, 4), streets, towns
    ),
    postcode=postcodes,
    not_listed=st.booleans(),
)


def _deliveries(session: orm.Session, submission_id: str) -> list[o.Delivery]:
    return list(session.scalars(sa.select(o.Delivery).filter_by(submission_id=submission_id)))


def _check_rows(session: orm.Session, submission_id: str, uprn: int) -> None:
    registry = registry_repository.load(session)
    for d in _deliveries(session, submission_id):
        rule = routing.current_version(registry, d.rule_id)
        assert rule is not None and rule.live(w.NOW) and rule.decision == "permit"  # V1
        assert set(d.fields_planned) <= rule.field_groups  # V2
        data = json.loads(d.body or b"{}")["data"]
        assert projection.stray_paths(data, d.fields_planned) == frozenset()
        assert data["new_address"]["uprn"] == str(uprn)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(new_address=typed, resolve=st.booleans())
def test_a_typed_new_address_is_never_sent_without_a_uprn(
    session: orm.Session, new_address: address_input.AddressInput, resolve: bool
) -> None:
    if session.get(registry_tables.Partner, "NEWTOWN-DC") is None:
        w.seed(session)  # once per database: each example adds its own submission
        search_index.rebuild(session)
        session.commit()
    request = w.request(old_uprn=None, new_uprn=None, new_address=new_address)
    result = service.submit_move(session=session, request=request, settings=ALONE, now=w.NOW)
    session.commit()
    row = session.get_one(m.ChangeSubmission, result.submission_id)
    if row.new_uprn is not None:
        assert not new_address.not_listed and row.new_match is not None
        assert row.new_match["status"] == "matched"
        _check_rows(session, row.id, row.new_uprn)
        return
    assert _deliveries(session, row.id) == []  # never sent on as free text
    assert row.new_interim_id is not None
    if not resolve:
        return
    unresolved.resolve(
        session=session,
        reference=row.reference,
        uprn=w.NEW_UPRN,
        actor="custodian",
        settings=ALONE,
        now=w.NOW,
    )
    session.commit()
    assert _deliveries(session, row.id)
    _check_rows(session, row.id, w.NEW_UPRN)
