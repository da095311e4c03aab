"""The FastAPI application factory.

``create_app(settings)`` builds the engine, session factory and clock for one app and keeps
them on ``app.state``; nothing is created at import time. The engine is disposed when the app
shuts down. ``addresshub serve`` runs ``create_app`` through uvicorn's factory mode.

Adding a router: a module in ``api/routers/`` exposing ``router`` and one ``include_router``
line below.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator
from importlib import metadata

import fastapi

from api import body_limit, errors, openapi, response_headers
from api.routers import (
    ack_files,
    addresses,
    corrections,
    endpoints,
    event_types,
    find,
    health,
    history,
    loads,
    match_batch,
    match_reviews,
    metrics,
    move_blocks,
    move_reviews,
    moves,
    ops_notices,
    partner,
    privacy,
    replay,
    unresolved_moves,
    uprn_register,
)
from core import clock, db
from core.settings import Settings, get_settings

DESCRIPTION = """\
A BS7666 gazetteer and lawful change-of-address notification hub for UK councils and their
partners.

**Authentication.** Every `/v1` route needs an API key, sent as `Authorization: Bearer <key>`
(or `X-API-Key: <key>`). A key carries one role: `admin`, `dpo`, `custodian`, `agent`,
`partner` (bound to one partner) or `citizen` (a receipt token bound to one submission).
Keys are created with `addresshub apikey create --role ROLE`.

**Errors** are RFC 9457 problem details (`application/problem+json`) with a stable `code`.
"""

TAGS = [
    {"name": "addresses", "description": "Look up addresses in the gazetteer by UPRN."},
    {"name": "health", "description": "Liveness and readiness probes; no API key needed."},
    {
        "name": "events",
        "description": "The event types sent to partners and the JSON Schema of each one's "
        "data (`/schemas/...`, no API key needed).",
    },
    {"name": "loads", "description": "Run loads and read load runs and their reports."},
]


def create_app(settings: Settings | None = None) -> fastapi.FastAPI:
    """A new app on the database ``settings`` names (the process settings by default)."""
    settings = settings or get_settings()
    app = fastapi.FastAPI(
        title="addresshub",
        version=_version(),
        summary="BS7666 gazetteer and change-of-address notification hub",
        description=DESCRIPTION,
        contact={"name": "addresshub maintainers"},
        license_info={"name": "MIT", "identifier": "MIT"},
        openapi_tags=TAGS,
        responses=errors.responses_for(500),
        lifespan=_lifespan,
    )
    engine = db.create_engine(
        settings.database_url,
        spatialite_library=settings.spatialite_library,
        echo=settings.database_echo,
        pool_size=settings.database_pool_size,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = db.session_factory(engine)
    app.state.clock = clock.SystemClock()
    errors.install(app)
    app.add_middleware(body_limit.BodyLimit, limit=settings.max_request_bytes)
    app.add_middleware(response_headers.ResponseHeaders)  # outside: a 413 carries them too
    openapi.install(app)
    app.include_router(health.router)
    app.include_router(metrics.router)
    app.include_router(event_types.router)
    app.include_router(find.router)  # before addresses: /search is not a UPRN
    app.include_router(addresses.router)
    app.include_router(match_reviews.router)
    app.include_router(match_batch.router)
    app.include_router(history.router)
    app.include_router(loads.router)
    app.include_router(moves.router)
    app.include_router(move_blocks.router)
    app.include_router(move_blocks.questions_router)
    app.include_router(uprn_register.router)
    app.include_router(move_reviews.router)
    app.include_router(corrections.router)
    app.include_router(unresolved_moves.router)
    app.include_router(privacy.router)
    app.include_router(partner.router)
    app.include_router(endpoints.router)
    app.include_router(replay.router)
    app.include_router(ack_files.router)
    app.include_router(ops_notices.router)
    return app


@contextlib.asynccontextmanager
async def _lifespan(app: fastapi.FastAPI) -> AsyncIterator[None]:
    # Everything alive once the app has started (modules, routes, the engine) lives as long
    # as the server: kept out of the cyclic garbage collector's scans, as the worker does, so
    # a full collection costs what the requests left behind, not the whole heap.
    gc.freeze()
    yield
    app.state.engine.dispose()


def _version() -> str:
    try:
        return metadata.version("addresshub")
    except metadata.PackageNotFoundError:
        return "0.0.0"
