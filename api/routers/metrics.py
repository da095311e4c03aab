"""``GET /metrics``: the deployment's queues, endpoints, notices and loads for Prometheus.

Read from the database at each scrape (:mod:`notify.readings`), so any API server answers for
every worker and loader. Counts and times only: no person, address or partner is named. A
scraper presents the deployment's metrics token (``ADDRESSHUB_METRICS_TOKEN``) or an admin key.
"""

from __future__ import annotations

from typing import Annotated

import fastapi

from api import errors, metrics
from api.deps import ClockDep, SessionDep, metrics_scraper
from notify import readings

router = fastapi.APIRouter(tags=["health"])
Scraper = Annotated[None, fastapi.Depends(metrics_scraper)]
_TEXT = {
    "content": {"text/plain": {"schema": {"type": "string"}}},
    "description": "The Prometheus text format (OpenMetrics when the scraper asks for it).",
}


@router.get(
    "/metrics",
    response_class=fastapi.Response,
    summary="Prometheus metrics: deliveries, lanes, endpoints, notices and loads",
    responses={200: _TEXT, **errors.responses_for(401, 403)},
)
def get_metrics(
    request: fastapi.Request, session: SessionDep, clock: ClockDep, _scraper: Scraper
) -> fastapi.Response:
    found = readings.read(session, clock.now())
    body, media_type = metrics.render(
        found, version=request.app.version, accept=request.headers.get("accept")
    )
    return fastapi.Response(body, media_type=media_type)
