#!/usr/bin/env bash
# The pytest arguments that run the node suite on two workers, each on a PostgreSQL cluster of its own
# (tests/parallel.py says why they may not share one). The second cluster, `kyodo_test` on port 5433
# (trust auth, fsync off: test data only), is created and started when this runs as root on a Debian
# PostgreSQL; otherwise, or when DATABASE_URL points elsewhere, it prints nothing and the suite runs
# on one worker. Usage: pytest $(bash deploy/test-workers.sh "$DATABASE_URL")
set -euo pipefail

first="${1:-}"
port=5433
second="postgres://postgres@127.0.0.1:${port}/kyodo"
case "$first" in
  postgres://*@127.0.0.1:5432/*|postgresql://*@127.0.0.1:5432/*) ;;
  *) exit 0 ;;
esac
[ "${KYODO_TEST_WORKERS:-2}" = "1" ] && exit 0

ready() { pg_isready -h 127.0.0.1 -p "$port" -q 2>/dev/null; }
if ! ready && [ "$(id -u)" -eq 0 ] && command -v pg_createcluster >/dev/null 2>&1; then
  version="$(ls /etc/postgresql | sort -V | tail -1)"
  if [ ! -d "/etc/postgresql/$version/kyodo_test" ]; then
    pg_createcluster "$version" kyodo_test --port "$port" -o fsync=off -o synchronous_commit=off \
      -o full_page_writes=off -- --auth=trust >/dev/null
  fi
  pg_ctlcluster --skip-systemctl-redirect "$version" kyodo_test start >/dev/null 2>&1 || true
  for _ in $(seq 30); do ready && break; sleep 1; done
fi
if ! ready; then
  echo "Kyodo: no second PostgreSQL cluster on port $port; the node suite runs on one worker" >&2
  exit 0
fi
# loadgroup: a module's tests, and the modules of one xdist_group, stay on one worker (tests/parallel.py),
# so a module's federation, or a group's shared one, starts once.
echo "-p tests.parallel -n 2 --dist loadgroup --worker-databases=$first,$second"
