#!/usr/bin/env bash
# Sets up addresshub on the embedded SpatiaLite database and runs the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
export ADDRESSHUB_DATABASE_URL=${ADDRESSHUB_DATABASE_URL:-sqlite:///var/demo/addresshub.db}
mkdir -p var/demo
exec .venv/bin/addresshub demo "$@"
