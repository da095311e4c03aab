"""A real server refuses request bodies over its ceiling with a 413 problem before reading
them whole, declared or chunked; supply uploads are not limited by it."""

from __future__ import annotations

from collections.abc import Iterator

from tests.acceptance.conftest import StartServer
from tests.strategies import POSTCODE_INWARD_LETTERS
from tests.support import acceptance

LIMIT = 4096
PROBLEM_JSON = "application/problem+json"


def _chunks(total: int) -> Iterator[bytes]:
    """A JSON body sent in chunks without a Content-Length."""
    yield b'{"pad": "'
    for _ in range(total // 1024):
        yield b"x" * 1024
    yield b'"}'


def _rows(count: int) -> bytes:
    """Distinct Code-Point Open rows: EX1 1AA, EX1 1AB, ... (inward letters as postcodes use)."""
    units = [a + b for a in POSTCODE_INWARD_LETTERS for b in POSTCODE_INWARD_LETTERS][:count]
    return "".join(
        f'"EX1 1{unit}",10,{291_000 + i},92581,"E92000001","","","","E07000041","E05003502"\r\n'
        for i, unit in enumerate(units)
    ).encode()


def test_bodies_over_the_ceiling_are_refused_and_supplies_are_not(
    db_url: str, start_server: StartServer
) -> None:
    server = start_server(db_url, env={"ADDRESSHUB_MAX_REQUEST_BYTES": str(LIMIT)})
    key = acceptance.cli_json("apikey", "create", "--role", "custodian", database_url=db_url)
    with server.client(key["key"]) as client:
        declared = client.post("/v1/moves", content=b"{" + b" " * LIMIT + b"}",
                               headers={"content-type": "application/json"})  # fmt: skip
        chunked = client.post("/v1/moves", content=_chunks(4 * LIMIT),
                              headers={"content-type": "application/json"})  # fmt: skip
        small = client.post("/v1/moves", json={})
        upload = _rows(120)
        assert len(upload) > 2 * LIMIT
        loaded = client.post("/v1/loads", data={"format": "codepoint"},
                             files={"files": ("ex.csv", upload, "text/csv")})  # fmt: skip
    for refused in (declared, chunked):
        assert refused.status_code == 413, refused.text
        assert refused.headers["content-type"] == PROBLEM_JSON
        assert refused.headers["cache-control"] == "no-store"
        problem = refused.json()
        assert problem["code"] == "request_entity_too_large"
        assert f"{LIMIT:,} bytes" in problem["detail"] and problem["instance"] == "/v1/moves"
    assert "transfer-encoding" not in declared.request.headers
    assert chunked.request.headers["transfer-encoding"] == "chunked"
    assert small.status_code in (403, 422)  # read and judged as usual
    assert loaded.status_code == 201, loaded.text
    assert loaded.json()["records"]["postcode"]["inserted"] == 120
