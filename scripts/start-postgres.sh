#!/usr/bin/env bash
# Start a throwaway PostgreSQL server on a loopback port for the storage tests and print the
# DATABASE_URL to use. The cluster lives in a temporary folder owned by the postgres user.
set -euo pipefail
PORT=${PGPORT_TEST:-54329}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
dir=${PGDATA_TEST:-/tmp/carescale-pg-$PORT}
if [ ! -f "$dir/PG_VERSION" ]; then
  mkdir -p "$dir"
  chown postgres:postgres "$dir"
  su postgres -s /bin/sh -c "$bin/initdb -D '$dir' -A trust -U postgres" >/dev/null 2>&1
fi
if ! su postgres -s /bin/sh -c "$bin/pg_ctl -D '$dir' status" >/dev/null 2>&1; then
  su postgres -s /bin/sh -c "$bin/pg_ctl -D '$dir' -l '$dir/server.log' -w -o '-c listen_addresses=127.0.0.1 -p $PORT -k /tmp' start" >/dev/null
fi
su postgres -s /bin/sh -c "$bin/psql -h 127.0.0.1 -p $PORT -U postgres -tAc \"SELECT 1 FROM pg_database WHERE datname='carescale_test'\"" | grep -q 1 \
  || su postgres -s /bin/sh -c "$bin/createdb -h 127.0.0.1 -p $PORT -U postgres carescale_test"
echo "postgresql+psycopg://postgres@127.0.0.1:$PORT/carescale_test"
