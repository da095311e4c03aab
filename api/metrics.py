"""The readings of :mod:`notify.readings` as Prometheus metrics (``GET /metrics``).

Names follow the Prometheus conventions (``addresshub_`` prefix, base units, ``_total`` only for
counters); states are labels, each present with zero, so a state that empties still shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping

from prometheus_client import exposition
from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily
from prometheus_client.registry import Collector, CollectorRegistry

from notify.readings import Readings


def render(readings: Readings, *, version: str, accept: str | None) -> tuple[bytes, str]:
    """The exposition of ``readings`` in the format ``accept`` asks for, and its media type."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Collector(readings, version))
    encode, media_type = exposition.choose_encoder(accept or "")
    return encode(registry), media_type


class _Collector(Collector):
    def __init__(self, readings: Readings, version: str) -> None:
        self.readings = readings
        self.version = version

    def collect(self) -> Iterator[InfoMetricFamily | GaugeMetricFamily]:
        r = self.readings
        yield InfoMetricFamily("addresshub_build", "The version.", {"version": self.version})
        yield _states("addresshub_deliveries", "Deliveries by state.", r.deliveries)
        yield _states("addresshub_delivery_lanes", "Delivery lanes by state.", r.lanes)
        yield _gauge(
            "addresshub_delivery_oldest_due_seconds",
            "How long the longest-waiting due lane has waited (0: none waits).",
            r.oldest_due_seconds,
        )
        yield _states("addresshub_endpoints", "Webhook endpoints by status.", r.endpoints)
        yield _states("addresshub_endpoint_circuits", "Endpoint circuit breakers.", r.circuits)
        yield _gauge("addresshub_ops_notices_unsent", "Operational notices not yet sent.",
                     r.ops_notices_unsent)  # fmt: skip
        yield _gauge(
            "addresshub_gazetteer_changes_unpublished",
            "Gazetteer changes not yet turned into partner events.",
            r.gazetteer_changes_unpublished,
        )
        yield _states("addresshub_load_runs", "Load runs by outcome.", r.load_runs)
        yield _gauge(
            "addresshub_last_load_applied_timestamp_seconds",
            "When the last load that changed the gazetteer finished (Unix time; 0: never).",
            _unix(r.last_load_applied_at),
        )
        yield _expiries(r.client_certificates_expire)


def _states(name: str, documentation: str, counts: Mapping[str, int]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, labels=["state"])
    for state, count in sorted(counts.items()):
        family.add_metric([state], count)
    return family


def _expiries(expire: Mapping[str, dt.datetime]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(
        "addresshub_endpoint_client_certificate_expiry_timestamp_seconds",
        "When each endpoint's mutual-TLS client certificate expires (Unix time).",
        labels=["endpoint"],
    )
    for endpoint_id, at in sorted(expire.items()):
        family.add_metric([endpoint_id], at.timestamp())
    return family


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def _unix(at: dt.datetime | None) -> float:
    return at.timestamp() if at is not None else 0.0
