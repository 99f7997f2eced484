#!/bin/bash
# Restores the downloaded backup into a scratch PostgreSQL inside this pod (private socket, no
# network) and checks it: checksum, age, every table of the archive restored, the optional query.
set -euo pipefail
umask 0077
cd "$WORK_DIR"
sha256sum --check --quiet "$DB_NAME.dump.sha256"
stamp="$(cat STAMP)"
taken="$(date -u -d "${stamp:0:4}-${stamp:4:2}-${stamp:6:2}T${stamp:9:2}:${stamp:11:2}:${stamp:13:2}Z" +%s)"
age_hours=$(( ($(date -u +%s) - taken) / 3600 ))
if (( age_hours > MAX_AGE_HOURS )); then
  echo "restore-test: the latest backup ($stamp) is ${age_hours}h old, over the ${MAX_AGE_HOURS}h limit" >&2
  exit 1
fi
export PGDATA="$WORK_DIR/pgdata"
socket="$(mktemp -d "$WORK_DIR/socket.XXXXXX")"
initdb --pgdata="$PGDATA" --username=postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
trap 'pg_ctl --pgdata="$PGDATA" --mode=immediate --wait --silent stop >/dev/null 2>&1 || true' EXIT
pg_ctl --pgdata="$PGDATA" --wait --timeout=600 --silent \
  --options="-c listen_addresses='' -c unix_socket_directories=$socket -c fsync=off" start >/dev/null
createdb --host="$socket" --username=postgres scratch
pg_restore --host="$socket" --username=postgres --dbname=scratch --no-owner --no-acl --exit-on-error \
  "$DB_NAME.dump"
expected="$(pg_restore --list "$DB_NAME.dump" | grep -cE '^[0-9]+; [0-9]+ [0-9]+ TABLE DATA ' || true)"
restored="$(psql --host="$socket" --username=postgres --dbname=scratch --no-psqlrc --tuples-only --no-align \
  --command="SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
             AND n.nspname NOT LIKE 'pg_toast%'")"
if (( restored < expected )); then
  echo "restore-test: the archive has data for $expected tables but only $restored were restored" >&2
  exit 1
fi
if [[ -n "${CHECK_QUERY:-}" ]]; then
  result="$(psql --host="$socket" --username=postgres --dbname=scratch --no-psqlrc --tuples-only --no-align \
    --set=ON_ERROR_STOP=1 --command="$CHECK_QUERY")"
  if [[ "$result" != t ]]; then
    echo "restore-test: the check query returned '$result', not true" >&2
    exit 1
  fi
fi
echo "restore-test: backup $stamp restored and checked ($restored tables, ${age_hours}h old)"
