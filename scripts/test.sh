#!/usr/bin/env bash
# Sets up everything and runs the whole addresshub test suite on both engines:
#   Debian packages, the virtual environment, lint (ruff), types (mypy strict),
#   a throwaway PostGIS cluster of its own, then pytest (unit, integration, acceptance).
# Extra arguments go to pytest, e.g. scripts/test.sh tests/unit -x
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --postgis

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy"
.venv/bin/mypy core gazetteer loaders notify api tests bench

pgdir=$(mktemp -d /tmp/addresshub-pg.XXXXXX)
cleanup() { scripts/pg.sh stop "$pgdir"; rm -rf "$pgdir"; }
trap cleanup EXIT
eval "$(scripts/pg.sh start "$pgdir")"
export ADDRESSHUB_TEST_PG_URL

echo "== pytest"
status=0
.venv/bin/python -m pytest "$@" || status=$?
if [[ $status -eq 5 ]]; then
  echo "pytest collected no tests: that is a failure here" >&2
fi
exit "$status"
