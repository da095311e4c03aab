#!/usr/bin/env bash
# A throwaway PostgreSQL 15 + PostGIS cluster on a unix socket, for tests and benchmarks.
#   eval "$(scripts/pg.sh start DIR)"   initialises (once) and starts it; prints the exports
#   scripts/pg.sh stop DIR              stops it
# The cluster runs as the 'postgres' OS user (initdb refuses root), trusts local connections,
# listens on no TCP port, and is tuned for tests (fsync off), not for keeping data.
set -euo pipefail
action=$1
dir=$(realpath -m "$2")
bin=/usr/lib/postgresql/15/bin
port=${ADDRESSHUB_PG_PORT:-54329}
as_pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "$action" in
  start)
    mkdir -p "$dir"
    [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$dir"
    if [[ ! -f $dir/data/PG_VERSION ]]; then
      as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if ! as_pg "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 start -o \
        "-c listen_addresses='' -c unix_socket_directories='$dir' -p $port -c fsync=off \
         -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 \
         -c shared_buffers=512MB -c max_wal_size=4GB" >/dev/null
    fi
    echo "export ADDRESSHUB_TEST_PG_URL='postgresql+psycopg://postgres@/postgres?host=$dir&port=$port'"
    ;;
  stop)
    if [[ -f $dir/data/PG_VERSION ]]; then
      as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
