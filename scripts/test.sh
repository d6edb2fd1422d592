#!/usr/bin/env bash
# Runs the tests. Without TEST_DATABASE_URL it starts a throwaway PostgreSQL 15 cluster on a
# Unix socket (no TCP listener), points the tests at it, and removes it on exit.
# Arguments are passed to pytest: scripts/test.sh -k mou -x
set -euo pipefail
cd "$(dirname "$0")/.."

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

if [[ -z "${TEST_DATABASE_URL:-}" ]]; then
  if [[ -x "$PG_BIN/initdb" && -x "$PG_BIN/pg_ctl" ]]; then
    D=$(mktemp -d)
    # initdb refuses to run as root, so the cluster belongs to the postgres user.
    as_postgres() {
      if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
    }
    stop_postgres() {
      as_postgres "$PG_BIN/pg_ctl" -D "$D/data" -m immediate -w stop >/dev/null 2>&1 || true
      rm -rf "$D"
    }
    trap stop_postgres EXIT
    if [[ $(id -u) -eq 0 ]]; then chown postgres "$D"; fi
    as_postgres "$PG_BIN/initdb" -D "$D/data" -A trust -U app >"$D/initdb.log" 2>&1 \
      || { cat "$D/initdb.log" >&2; exit 1; }
    as_postgres "$PG_BIN/pg_ctl" -D "$D/data" -l "$D/postgres.log" \
      -o "-k $D -c listen_addresses=''" -w start >/dev/null \
      || { cat "$D/postgres.log" >&2; exit 1; }
    export TEST_DATABASE_URL="postgresql+psycopg://app@/postgres?host=$D"
    echo "PostgreSQL 15 started for this run on the socket in $D"
  elif [[ "${CI:-}" == "true" ]]; then
    echo "ERROR: PostgreSQL 15 binaries are missing from $PG_BIN and TEST_DATABASE_URL is unset." >&2
    echo "ERROR: CI must run the PostgreSQL tests: install the postgresql package (see .ci/run)." >&2
    exit 1
  else
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2
    echo "!!! PostgreSQL 15 not found at $PG_BIN and TEST_DATABASE_URL is unset:" >&2
    echo "!!! the PostgreSQL tests will be SKIPPED locally. CI runs them." >&2
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2
  fi
fi

# Not exec: the EXIT trap must still stop PostgreSQL. pytest's code is the script's code.
status=0
if [[ $# -eq 0 ]]; then
  # The whole suite: everything else in parallel, then the load tests on their own, one at a
  # time. They measure the service's latency under its own load (limits like "no sign-in takes
  # over 10 s"); beside another worker's PDF renders on a two-core machine they would measure
  # that instead.
  .venv/bin/python -m pytest -n "${PYTEST_WORKERS:-2}" --ignore=tests/load || status=$?
  .venv/bin/python -m pytest -n 0 tests/load || status=$?
else
  .venv/bin/python -m pytest -n "${PYTEST_WORKERS:-2}" "$@" || status=$?
fi
exit "$status"
