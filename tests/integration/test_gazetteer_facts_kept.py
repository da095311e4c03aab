"""The facts read to check that a new UPRN is held serve the move's gazetteer facts in the same
transaction (one read fewer), and give the same facts as reading them again."""

from __future__ import annotations

import pytest
from sqlalchemy import orm

from gazetteer import repository as gazetteer_repository
from notify import gazetteer_facts, intake, move_domain
from tests.integration import sharing_world as w


def _move() -> move_domain.Move:
    return intake.to_move(w.request(), reference="COA-TEST-0001", subject_ids=["s1", "s2"])


def test_facts_read_by_the_held_check_are_used_once(
    session: orm.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    w.seed(session)
    session.commit()
    move = _move()
    expected = gazetteer_facts.facts(session, move=move, settings=w.SETTINGS)
    session.commit()
    reads: list[int] = []
    original = gazetteer_repository.address_facts

    def counted(s: orm.Session, uprn: int) -> object:
        reads.append(uprn)
        return original(s, uprn)

    monkeypatch.setattr(gazetteer_repository, "address_facts", counted)
    assert gazetteer_facts.held(session, w.NEW_UPRN)
    assert gazetteer_facts.facts(session, move=move, settings=w.SETTINGS) == expected
    assert sorted(reads) == sorted([w.NEW_UPRN, w.OLD_UPRN])  # the new UPRN's read once
    assert gazetteer_facts.facts(session, move=move, settings=w.SETTINGS) == expected
    assert len(reads) == 4  # used once: read again the second time
    session.commit()
    assert gazetteer_facts.held(session, w.NEW_UPRN) and not gazetteer_facts.held(session, 1)
    session.commit()  # a new transaction does not use what the last one kept
    assert gazetteer_facts.facts(session, move=move, settings=w.SETTINGS) == expected
    assert len(reads) == 8
