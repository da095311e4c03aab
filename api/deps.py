"""Request dependencies as ``Annotated`` aliases.

* ``SettingsDep``, ``ClockDep``, ``EngineDep``: the app's settings, clock and engine (built by
  :func:`api.app.create_app`).
* ``SessionDep``: one unit of work per request: commit when the route returns, roll back when it
  raises. Repositories only flush.
* ``PrincipalDep``: the caller behind a valid API key (any role), from ``Authorization: Bearer
  <key>`` or ``X-API-Key: <key>``; 401 otherwise. A key verified in the last
  ``api_key_cache_seconds`` is admitted without reading it again (:mod:`api.keys.cache`), so a
  revoked key is refused within that many seconds; a miss verifies it in its own unit of work.
* ``require_roles(*roles)``: the same, refused with 403 unless the key's role is one of
  ``roles``; use as ``principal: Annotated[Principal, deps.require_roles(Role.ADMIN)]`` or in a
  router's ``dependencies=[...]``.

Dependencies that do no I/O are ``async def``, so they run on the event loop rather than
taking a trip through the thread pool each.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Annotated

import fastapi
import sqlalchemy as sa
from fastapi import params, security
from sqlalchemy import orm
from starlette import concurrency

from api.keys import cache, domain, service
from core import clock as clocks
from core import db, errors
from core.settings import Settings

Principal = domain.Principal
Role = domain.Role


async def _settings(request: fastapi.Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _clock(request: fastapi.Request) -> clocks.Clock:
    clock: clocks.Clock = request.app.state.clock
    return clock


async def _engine(request: fastapi.Request) -> sa.Engine:
    engine: sa.Engine = request.app.state.engine
    return engine


#: Methods whose unit of work does not take SQLite's write lock at its start (see
#: :func:`core.db.unit_of_work`); every other method's does.
_READS = frozenset({"GET", "HEAD", "OPTIONS"})


def _unit(request: fastapi.Request, *, immediate: bool) -> Iterator[orm.Session]:
    with db.unit_of_work(request.app.state.session_factory, immediate=immediate) as session:
        yield session


def _session(request: fastapi.Request) -> Iterator[orm.Session]:
    yield from _unit(request, immediate=request.method not in _READS)


EngineDep = Annotated[sa.Engine, fastapi.Depends(_engine)]
SettingsDep = Annotated[Settings, fastapi.Depends(_settings)]
ClockDep = Annotated[clocks.Clock, fastapi.Depends(_clock)]
# "function" scope: the commit happens before the response is sent, so a failed commit is an
# error response, never a success the database did not keep.
SessionDep = Annotated[orm.Session, fastapi.Depends(_session, scope="function")]


def _writing_session(request: fastapi.Request) -> Iterator[orm.Session]:
    yield from _unit(request, immediate=True)


#: For the GET routes that write (the pull feed numbers its items and records the fetch, a
#: file batch's first download marks it collected): SQLite's write lock from the start, as
#: for the other methods, so a worker's commit between their read and write is waited for.
WritingSessionDep = Annotated[orm.Session, fastapi.Depends(_writing_session, scope="function")]

_bearer = security.HTTPBearer(
    auto_error=False,
    scheme_name="ApiKeyBearer",
    description="An addresshub API key: `Authorization: Bearer ah_<prefix>_<secret>`.",
)
_api_key_header = security.APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    scheme_name="ApiKeyHeader",
    description="The same API key in an `X-API-Key` header.",
)


async def current_principal(
    request: fastapi.Request,
    bearer: Annotated[security.HTTPAuthorizationCredentials | None, fastapi.Depends(_bearer)],
    header_key: Annotated[str | None, fastapi.Depends(_api_key_header)],
) -> domain.Principal:
    presented = bearer.credentials if bearer is not None else header_key
    if not presented:
        raise errors.Unauthenticated("an API key is required: send 'Authorization: Bearer <key>'")
    app = request.app
    known = _principal_cache(app)
    principal = known.get(presented, now=app.state.clock.now())
    if principal is None:
        principal = await concurrency.run_in_threadpool(_verify, app, presented)
        known.put(presented, principal, now=app.state.clock.now())
    return principal


def _principal_cache(app: fastapi.FastAPI) -> cache.PrincipalCache:
    known: cache.PrincipalCache | None = getattr(app.state, "principal_cache", None)
    if known is None:
        seconds = app.state.settings.api_key_cache_seconds
        known = app.state.principal_cache = cache.PrincipalCache(seconds=seconds)
    return known


def _verify(app: fastapi.FastAPI, presented: str) -> domain.Principal:
    """Read and check the key in a unit of work of its own (its use is recorded there)."""
    with db.unit_of_work(app.state.session_factory, immediate=True) as session:
        return service.verify_key(
            session=session, settings=app.state.settings, clock=app.state.clock, presented=presented
        )


PrincipalDep = Annotated[domain.Principal, fastapi.Depends(current_principal)]


def partner_scope(principal: domain.Principal) -> str | None:
    """Whose records a key reaches: a partner key its own partner's (``""`` if unbound, which
    matches nothing), any other key every partner's (None)."""
    return principal.partner_id or "" if principal.role == domain.Role.PARTNER else None


def require_roles(*roles: domain.Role) -> params.Depends:
    """A dependency admitting only keys whose role is one of ``roles``."""
    allowed = frozenset(roles)

    async def check(principal: PrincipalDep) -> domain.Principal:
        if principal.role not in allowed:
            raise errors.Forbidden(f"a {principal.role} key may not do this")
        return principal

    return params.Depends(check)


async def metrics_scraper(
    request: fastapi.Request,
    bearer: Annotated[security.HTTPAuthorizationCredentials | None, fastapi.Depends(_bearer)],
    header_key: Annotated[str | None, fastapi.Depends(_api_key_header)],
) -> None:
    """``GET /metrics`` admits the deployment's metrics token (a scraper needs no API key and
    no other right) or an admin key."""
    presented = bearer.credentials if bearer is not None else header_key
    token = request.app.state.settings.metrics_token
    if token is not None and presented and _same(presented, token.get_secret_value()):
        return
    principal = await current_principal(request, bearer, header_key)
    if principal.role != domain.Role.ADMIN:
        raise errors.Forbidden(f"a {principal.role} key may not read the metrics")


def _same(presented: str, expected: str) -> bool:
    return hmac.compare_digest(presented.encode(), expected.encode())
