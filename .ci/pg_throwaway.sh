# A throwaway PostgreSQL cluster on loopback, data in /tmp, removed afterwards.
# Usage: source .ci/pg_throwaway.sh; pg_up; trap pg_down EXIT
pg_up() {
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  PGTMP=$(mktemp -d /tmp/pgci.XXXXXX)
  chown postgres:postgres "$PGTMP"   # initdb and postgres refuse to run as root
  PGPORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
  runuser -u postgres -- "$PGBIN/initdb" -D "$PGTMP/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/log" -w -t 30 \
    -o "-p $PGPORT -k $PGTMP -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null
  runuser -u postgres -- "$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -qAt \
    -c "CREATE ROLE app LOGIN PASSWORD 'app' CREATEDB" -c "CREATE DATABASE app OWNER app" >/dev/null
  export PGBIN PGTMP PGPORT DATABASE_URL="postgresql+psycopg://app:app@127.0.0.1:$PGPORT/app"
}
pg_down() {
  [ -n "${PGTMP:-}" ] || return 0
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGTMP/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$PGTMP"; unset PGTMP DATABASE_URL
}
