"""What the HTTP tests over the sharing world share: a client on a seeded database and an API
key's Authorization header for a role."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi.testclient import TestClient
from sqlalchemy import orm

from api import app as api_app
from api.keys import domain as key_domain
from api.keys import service as keys
from core import clock as clocks
from core.settings import Settings
from tests.integration import sharing_world as w


def seeded_client(db_url: str, session: orm.Session) -> Iterator[TestClient]:
    """A test client on the sharing world (seeded through ``session``)."""
    w.seed(session)
    app = api_app.create_app(Settings(database_url=db_url))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def auth(session: orm.Session, role: key_domain.Role, **binding: str) -> dict[str, str]:
    """The Authorization header of a new API key with this role, bound to ``binding``
    (``partner_id=…``) if given (committed)."""
    issued = keys.create_key(
        session=session,
        settings=Settings(),
        clock=clocks.SystemClock(),
        role=role,
        **binding,
    )
    session.commit()
    return {"Authorization": f"Bearer {issued.plaintext}"}
