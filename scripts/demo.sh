#!/usr/bin/env bash
# Sets up addresshub and runs `addresshub demo` on the embedded SpatiaLite database: a sample
# gazetteer, demo partners with local receivers that verify and print what they get, the API
# and a delivery worker. It prints what to curl; Ctrl-C stops everything.
# Extra arguments go to `addresshub demo` (for example --once, --port, --receiver-port).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
export ADDRESSHUB_DATABASE_URL=${ADDRESSHUB_DATABASE_URL:-sqlite:///var/demo/addresshub.db}
mkdir -p var/demo
exec .venv/bin/addresshub demo "$@"
