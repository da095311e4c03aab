"""The CLI in subprocesses and the API as a real server over HTTP, on both engines.

One story per engine: an empty database, a server that is alive but not ready, ``addresshub
db upgrade``, a custodian key, one seeded address, then the API and ``addresshub lookup`` must
agree on it, and every failure must be problem+json (HTTP) or one line on stderr (CLI).
"""

from __future__ import annotations

from pathlib import Path

import migrations
from api import readiness
from core import db
from gazetteer import repository
from tests.acceptance.conftest import StartServer
from tests.support import acceptance
from tests.support.acceptance import SAMPLE_SINGLE_LINE, SAMPLE_UPRN, SAMPLE_USRN

PROBLEM_JSON = "application/problem+json"
UNKNOWN_UPRN = 999_999_999_998


def _seed(db_url: str) -> None:
    engine = db.create_engine(db_url)
    try:
        with db.unit_of_work(db.session_factory(engine)) as session:
            repository.save_records(session, acceptance.sample_records())
    finally:
        engine.dispose()


def test_cli_and_api_end_to_end(db_url: str, start_server: StartServer) -> None:
    migrations.downgrade(db_url, "base")
    # Verified keys are not cached here, so the key revoked below is refused at once.
    server = start_server(db_url, env={"ADDRESSHUB_API_KEY_CACHE_SECONDS": "0"})

    with server.client() as anonymous:
        assert anonymous.get("/healthz").json() == {"status": "ok"}
        not_ready = anonymous.get("/readyz")
        assert not_ready.status_code == 503
        assert not_ready.headers["content-type"] == PROBLEM_JSON
        assert not_ready.json()["code"] == "schema_not_current"

    upgraded = acceptance.cli_json("db", "upgrade", database_url=db_url)
    assert {upgraded["revision"]} == readiness.head_revisions()
    created = acceptance.cli_json("apikey", "create", "--role", "custodian", database_url=db_url)
    assert created["role"] == "custodian"
    assert created["partner_id"] is None
    assert created["key"].startswith(f"ah_{created['prefix']}_")
    _seed(db_url)

    with server.client() as anonymous:
        ready = anonymous.get("/readyz")
        assert ready.status_code == 200
        assert set(ready.json()["schema_revision"]) == readiness.head_revisions()
        refused = anonymous.get(f"/v1/addresses/{SAMPLE_UPRN}")
        assert refused.status_code == 401
        assert refused.headers["content-type"] == PROBLEM_JSON
        assert refused.headers["www-authenticate"].startswith("Bearer")
        assert refused.json()["code"] == "unauthenticated"

    with server.client(created["key"]) as custodian:
        missing = custodian.get(f"/v1/addresses/{UNKNOWN_UPRN}")
        assert missing.status_code == 404
        assert missing.headers["content-type"] == PROBLEM_JSON
        assert missing.json()["code"] == "address_not_found"
        assert missing.json()["instance"] == f"/v1/addresses/{UNKNOWN_UPRN}"
        invalid = custodian.get("/v1/addresses/0")
        assert (invalid.status_code, invalid.json()["code"]) == (422, "invalid_uprn")
        found = custodian.get(f"/v1/addresses/{SAMPLE_UPRN}")
        assert found.status_code == 200
        body = found.json()

    assert body["uprn"] == SAMPLE_UPRN
    assert body["labels"]["single_line"] == SAMPLE_SINGLE_LINE
    assert body["labels"]["postal_single_line"] == SAMPLE_SINGLE_LINE
    assert body["street"]["usrn"] == SAMPLE_USRN
    assert body["classification"]["code"] == "RD04"
    assert body["delivery_point"]["udprn"] == 12_345_678
    assert body["coordinates"]["x"] == 292_000.0
    assert [lpi["lpi_key"] for lpi in body["lpis"]] == ["1110L000123456"]

    looked_up = acceptance.cli_json("lookup", "uprn", str(SAMPLE_UPRN), database_url=db_url)
    assert looked_up == body

    human = acceptance.run_cli("lookup", "uprn", str(SAMPLE_UPRN), database_url=db_url)
    assert human.returncode == 0
    any_case = ("lookup", "uprn", str(SAMPLE_UPRN), "--language", "gae")
    assert acceptance.cli_json(*any_case, database_url=db_url) == body  # no Gaelic LPI: English
    assert "12 HIGH STREET" in human.stdout

    unknown = acceptance.run_cli("lookup", "uprn", str(UNKNOWN_UPRN), database_url=db_url)
    assert "[address_not_found]" in acceptance.assert_one_line_failure(unknown, 3)
    no_key = acceptance.run_cli("apikey", "revoke", "no-such-key", database_url=db_url)
    assert "[api_key_not_found]" in acceptance.assert_one_line_failure(no_key, 3)

    revoked = acceptance.cli_json("apikey", "revoke", created["prefix"], database_url=db_url)
    assert revoked["revoked_at"] is not None
    with server.client(created["key"]) as revoked_client:
        after = revoked_client.get(f"/v1/addresses/{SAMPLE_UPRN}")
        assert (after.status_code, after.json()["code"]) == (401, "invalid_api_key")


def test_bad_input_fails_with_one_line_before_touching_the_database(tmp_path: Path) -> None:
    never_opened = f"sqlite:///{tmp_path / 'never-created.db'}"
    cases = [
        (("lookup", "uprn", "0"), 2, "[invalid_uprn]"),
        (("lookup", "uprn", "12x"), 2, "[invalid_uprn]"),
        (("lookup", "uprn", "1", "--language", "fra"), 2, "'fra' is not one of COR, CYM, ENG"),
        (("apikey", "create", "--role", "partner"), 2, "[invalid_key_binding]"),
        (("apikey", "create", "--role", "admin", "--partner", "p1"), 2, "[invalid_key_binding]"),
        (("apikey", "create", "--role", "overlord"), 2, "--role"),
    ]
    for args, exit_code, marker in cases:
        result = acceptance.run_cli(*args, database_url=never_opened)
        line = acceptance.assert_one_line_failure(result, exit_code)
        assert marker in line, (args, line)
        assert result.stdout == "", args
    assert not (tmp_path / "never-created.db").exists()


def test_an_unreachable_database_is_one_line_and_exit_8() -> None:
    url = "postgresql+psycopg://nobody@/addresshub?host=/nonexistent-socket-dir"
    result = acceptance.run_cli("db", "upgrade", database_url=url)
    assert "[storage_error]" in acceptance.assert_one_line_failure(result, 8)
