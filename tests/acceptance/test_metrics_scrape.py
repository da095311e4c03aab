"""A real server scraped as Prometheus would: the metrics token from the environment, the
text format parsed by Prometheus's own parser, zeros for an empty deployment."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from tests.acceptance.conftest import StartServer

TOKEN = "scrape-token-9876543210"


def test_a_scraper_with_the_token_reads_the_metrics(db_url: str, start_server: StartServer) -> None:
    server = start_server(db_url, env={"ADDRESSHUB_METRICS_TOKEN": TOKEN})
    with server.client(TOKEN) as scraper:
        answer = scraper.get("/metrics")
        refused = scraper.get("/v1/ops-notices")
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    families = {f.name: f for f in text_string_to_metric_families(answer.text)}
    deliveries = {s.labels["state"]: s.value for s in families["addresshub_deliveries"].samples}
    assert deliveries["pending"] == deliveries["dead"] == 0 and len(deliveries) == 10
    assert families["addresshub_delivery_oldest_due_seconds"].samples[0].value == 0
    assert refused.status_code == 401  # the token reads the metrics and nothing else
