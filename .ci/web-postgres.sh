#!/usr/bin/env bash
# Run tests/web against PostgreSQL: start a private cluster (initdb + pg_ctl, as the postgres user
# when we are root) on 127.0.0.1, point AIDC_DATABASE_URL at it, run the tests, stop it.
# When PostgreSQL cannot start, say so loudly and exit 0: the pass is skipped, not silently green.
set -euo pipefail
cd "$(dirname "$0")/.."
skip() { echo "=== web tests on PostgreSQL: SKIPPED — $* ===" >&2; exit 0; }
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
[ -n "$bindir" ] && [ -x "$bindir/initdb" ] || skip "PostgreSQL is not installed (bash scripts/setup-system.sh as root)"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then skip "no postgres user to run the server"; fi
data=$(mktemp -d /tmp/aidc-pg.XXXXXX)
[ "$(id -u)" = 0 ] && chown postgres "$data"
# A free port, so two CI runs on one machine do not collide.
port=${AIDC_PG_PORT:-$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
cleanup() { as_pg "$bindir/pg_ctl" -D "$data/db" -m fast -w stop >/dev/null 2>&1 || true; rm -rf "$data"; }
trap cleanup EXIT
as_pg "$bindir/initdb" -D "$data/db" -A trust -U aidc -E UTF8 >"$data/initdb.log" 2>&1 \
  || skip "initdb failed: $(tail -3 "$data/initdb.log")"
as_pg "$bindir/pg_ctl" -D "$data/db" -l "$data/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $data -c max_connections=200 -c fsync=off" start >/dev/null \
  || skip "the server did not start: $(tail -3 "$data/server.log" 2>/dev/null)"
echo "=== web tests on PostgreSQL (127.0.0.1:$port) ==="
AIDC_DATABASE_URL="postgresql+psycopg://aidc@127.0.0.1:$port/postgres" \
  .venv/bin/python -m pytest tests/web -n 2 --dist loadfile -q -p no:cacheprovider
