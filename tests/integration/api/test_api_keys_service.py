"""API keys on both engines: create, verify, revoke, and what is (not) stored."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from pydantic import SecretStr
from sqlalchemy import orm

from api import tables
from api.keys import domain, service
from api.keys.errors import ApiKeyNotFound, InvalidApiKey, InvalidKeyBinding
from core import clock as clocks
from core import ids
from core.settings import Settings

START = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(database_url=db_url, secret_key=SecretStr("pepper-for-key-tests"))


@pytest.fixture
def clock() -> clocks.FixedClock:
    return clocks.FixedClock(START)


def _create(
    session: orm.Session, settings: Settings, clock: clocks.Clock, role: domain.Role, **kw: str
) -> domain.IssuedKey:
    issued = service.create_key(session=session, settings=settings, clock=clock, role=role, **kw)
    session.commit()
    return issued


def test_a_created_key_verifies_as_its_principal(
    session: orm.Session, settings: Settings, clock: clocks.FixedClock
) -> None:
    issued = _create(session, settings, clock, domain.Role.PARTNER, partner_id="partner-7")
    principal = service.verify_key(
        session=session, settings=settings, clock=clock, presented=issued.plaintext
    )
    assert principal == domain.Principal(
        role=domain.Role.PARTNER, key_id=issued.key.id, partner_id="partner-7"
    )
    assert issued.key.created_at == START
    assert issued.plaintext.startswith(f"ah_{issued.key.prefix}_")


def test_only_a_keyed_hash_is_stored(
    session: orm.Session, settings: Settings, clock: clocks.FixedClock
) -> None:
    issued = _create(session, settings, clock, domain.Role.CUSTODIAN, label="GIS team")
    session.expunge_all()
    row = session.get_one(tables.ApiKey, issued.key.id)
    secret = issued.plaintext.rsplit("_", 1)[1]
    stored = " ".join(str(value) for value in row.__dict__.values())
    assert secret not in stored
    assert row.secret_hash == domain.hash_key(issued.plaintext, pepper=b"pepper-for-key-tests")
    assert (row.role, row.label, row.partner_id) == ("custodian", "GIS team", None)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda key: key[:-1] + ("0" if key[-1] != "0" else "1"),
        lambda key: key.upper(),
        lambda key: key[:20],
        lambda key: "ah_" + "0" * 12 + "_" + key.rsplit("_", 1)[1],
        lambda key: "",
    ],
    ids=["secret-changed", "case-changed", "truncated", "unknown-prefix", "empty"],
)
def test_anything_but_the_exact_key_is_refused(
    session: orm.Session, settings: Settings, clock: clocks.FixedClock, mangle: object
) -> None:
    issued = _create(session, settings, clock, domain.Role.ADMIN)
    assert callable(mangle)
    with pytest.raises(InvalidApiKey):
        service.verify_key(
            session=session, settings=settings, clock=clock, presented=mangle(issued.plaintext)
        )


def test_another_deployments_pepper_refuses_the_key(
    session: orm.Session, settings: Settings, clock: clocks.FixedClock
) -> None:
    issued = _create(session, settings, clock, domain.Role.ADMIN)
    other = settings.model_copy(update={"secret_key": SecretStr("another-deployment")})
    with pytest.raises(InvalidApiKey):
        service.verify_key(session=session, settings=other, clock=clock, presented=issued.plaintext)


def test_revoked_keys_are_refused_and_revocation_is_idempotent(
    session: orm.Session, settings: Settings, clock: clocks.FixedClock
) -> None:
    issued = _create(session, settings, clock, domain.Role.AGENT)
    clock.advance(dt.timedelta(hours=1))
    revoked = service.revoke_key(session=session, clock=clock, key_ref=issued.key.prefix)
    session.commit()
    assert revoked.revoked_at == START + dt.timedelta(hours=1)
    with pytest.raises(InvalidApiKey):
        service.verify_key(
            session=session, settings=settings, clock=clock, presented=issued.plaintext
        )
    clock.advance(dt.timedelta(hours=1))
    again = service.revoke_key(session=session, clock=clock, key_ref=issued.key.id)
    assert again.revoked_at == revoked.revoked_at


def test_revoking_an_unknown_key_is_not_found(
    session: orm.Session, clock: clocks.FixedClock
) -> None:
    with pytest.raises(ApiKeyNotFound):
        service.revoke_key(session=session, clock=clock, key_ref=ids.new_id())


def test_use_is_recorded_at_most_once_a_minute(
    session: orm.Session, settings: Settings, clock: clocks.FixedClock
) -> None:
    issued = _create(session, settings, clock, domain.Role.DPO)

    def last_used() -> dt.datetime | None:
        service.verify_key(
            session=session, settings=settings, clock=clock, presented=issued.plaintext
        )
        session.commit()
        return service.list_keys(session=session)[0].last_used_at

    assert last_used() == START
    clock.advance(dt.timedelta(seconds=30))
    assert last_used() == START
    clock.advance(dt.timedelta(seconds=45))
    assert last_used() == START + dt.timedelta(seconds=75)


def test_bindings_are_checked_before_anything_is_stored(
    session: orm.Session, settings: Settings, clock: clocks.FixedClock
) -> None:
    with pytest.raises(InvalidKeyBinding):
        service.create_key(
            session=session, settings=settings, clock=clock, role=domain.Role.PARTNER
        )
    with pytest.raises(InvalidKeyBinding):
        service.create_key(
            session=session,
            settings=settings,
            clock=clock,
            role=domain.Role.ADMIN,
            partner_id="partner-1",
        )
    assert service.list_keys(session=session) == []


def test_the_table_itself_refuses_an_unbound_partner_key(session: orm.Session) -> None:
    session.add(
        tables.ApiKey(
            id=ids.new_id(),
            prefix="0123456789ab",
            secret_hash="0" * 64,
            role="partner",
            created_at=START,
        )
    )
    with pytest.raises(sa.exc.IntegrityError):
        session.flush()


def test_keys_list_in_creation_order(
    session: orm.Session, settings: Settings, clock: clocks.FixedClock
) -> None:
    roles = [domain.Role.ADMIN, domain.Role.CITIZEN, domain.Role.CUSTODIAN]
    for role in roles:
        extra = {"submission_ref": "MOVE-1"} if role is domain.Role.CITIZEN else {}
        _create(session, settings, clock, role, **extra)
        clock.advance(dt.timedelta(seconds=1))
    listed = service.list_keys(session=session)
    assert [key.role for key in listed] == roles
    assert listed[1].principal().submission_id == "MOVE-1"
