#!/usr/bin/env bash
# Sets up addresshub on the embedded SpatiaLite database and serves the API on it.
# Until the full demo (sample gazetteer, demo receivers) exists, this migrates the database,
# prints how to get a key, and runs `addresshub serve`. Extra arguments go to `serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
export ADDRESSHUB_DATABASE_URL=${ADDRESSHUB_DATABASE_URL:-sqlite:///var/demo/addresshub.db}
host=${ADDRESSHUB_HOST:-127.0.0.1}
port=${ADDRESSHUB_PORT:-8000}
mkdir -p var/demo
.venv/bin/addresshub db upgrade
cat <<TEXT

addresshub API:  http://$host:$port    (interactive docs: http://$host:$port/docs)

Create an API key from another shell in $(pwd):
  ADDRESSHUB_DATABASE_URL=$ADDRESSHUB_DATABASE_URL .venv/bin/addresshub apikey create --role custodian
then call the API with it:
  curl -H "Authorization: Bearer <key>" http://$host:$port/v1/addresses/<UPRN>

TEXT
exec .venv/bin/addresshub serve --host "$host" --port "$port" "$@"
