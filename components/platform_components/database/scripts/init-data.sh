#!/bin/bash
# Prepares the data directory without root. First start: initdb on the primary, a base backup from
# the primary on a replica. Every start: refuse another major's data, and (primary) create the roles
# and the application database if missing and set the passwords from the mounted Secrets, through a
# temporary server that listens on a private socket only.
set -euo pipefail
umask 0077

password() {  # generated passwords are alphanumeric; anything else is refused, never echoed
  local value
  value="$(cat "$1")"
  if [[ -z "$value" || "$value" =~ [^A-Za-z0-9] ]]; then
    echo "init-data: $1 must hold a non-empty alphanumeric password" >&2
    exit 1
  fi
  printf '%s' "$value"
}

if [[ -s "$PGDATA/PG_VERSION" ]]; then
  found="$(cat "$PGDATA/PG_VERSION")"
  if [[ "$found" != "$EXPECTED_MAJOR" ]]; then
    echo "init-data: $PGDATA holds PostgreSQL $found data but this pod runs PostgreSQL $EXPECTED_MAJOR;" \
      "a major upgrade needs pg_upgrade or a dump and restore; refusing to start" >&2
    exit 1
  fi
  # a recursive fsGroup change by the kubelet leaves 2770, which PostgreSQL refuses to start on
  chmod 0700 "$PGDATA"
elif [[ -d "$PGDATA" ]] && [[ -n "$(ls -A "$PGDATA")" ]]; then
  echo "init-data: $PGDATA is not empty but holds no PG_VERSION; inspect it, nothing was changed" >&2
  exit 1
fi

if [[ "$ROLE" == replica ]]; then
  pgpass="$RUN_DIR/replication.pgpass"
  printf '*:*:*:%s:%s\n' "$REPLICATION_USER" "$(password "$SECRETS_DIR/replication/password")" >"$pgpass"
  chmod 0600 "$pgpass"
  if [[ ! -s "$PGDATA/PG_VERSION" ]]; then
    echo "init-data: cloning $PRIMARY_HOST into an empty data directory"
    rm -rf "$PGDATA.partial"
    PGPASSFILE="$pgpass" pg_basebackup --pgdata="$PGDATA.partial" --host="$PRIMARY_HOST" --port="$PGPORT" \
      --username="$REPLICATION_USER" --no-password --wal-method=stream --checkpoint=fast
    touch "$PGDATA.partial/standby.signal"
    rm -rf "$PGDATA"
    mv "$PGDATA.partial" "$PGDATA"
  fi
  exit 0
fi

if [[ ! -s "$PGDATA/PG_VERSION" ]]; then
  echo "init-data: initialising a new data directory"
  rm -rf "$PGDATA.partial"
  initdb --pgdata="$PGDATA.partial" --username="$SUPERUSER" --auth-local=peer --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 --data-checksums >/dev/null
  rm -rf "$PGDATA"
  mv "$PGDATA.partial" "$PGDATA"
fi

socket="$(mktemp -d "$RUN_DIR/init.XXXXXX")"
printf 'local all %s trust\n' "$SUPERUSER" >"$socket/pg_hba.conf"
stop() { pg_ctl --pgdata="$PGDATA" --mode=fast --wait --silent stop >/dev/null 2>&1 || true; rm -rf "$socket"; }
trap stop EXIT
pg_ctl --pgdata="$PGDATA" --wait --timeout=600 --silent \
  --options="-c listen_addresses='' -c unix_socket_directories=$socket -c hba_file=$socket/pg_hba.conf -c log_min_error_statement=panic" \
  start >/dev/null
for secret in app replication backup; do password "$SECRETS_DIR/$secret/password" >/dev/null; done
psql --host="$socket" --username="$SUPERUSER" --dbname=postgres --no-psqlrc --quiet --set=ON_ERROR_STOP=1 \
  --set=app_user="$APP_USER" --set=app_db="$APP_DATABASE" --set=replication_user="$REPLICATION_USER" \
  --set=backup_user="$BACKUP_USER" >/dev/null <<'SQL'
\set app_password `cat "$SECRETS_DIR/app/password"`
\set replication_password `cat "$SECRETS_DIR/replication/password"`
\set backup_password `cat "$SECRETS_DIR/backup/password"`
SELECT format('CREATE ROLE %I LOGIN', :'app_user') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app_user') \gexec
ALTER ROLE :"app_user" WITH LOGIN NOSUPERUSER NOREPLICATION PASSWORD :'app_password';
SELECT format('CREATE ROLE %I', :'replication_user') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'replication_user') \gexec
ALTER ROLE :"replication_user" WITH LOGIN REPLICATION NOSUPERUSER PASSWORD :'replication_password';
SELECT format('CREATE ROLE %I', :'backup_user') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'backup_user') \gexec
ALTER ROLE :"backup_user" WITH LOGIN NOSUPERUSER NOREPLICATION PASSWORD :'backup_password';
GRANT pg_read_all_data TO :"backup_user";
SELECT format('CREATE DATABASE %I OWNER %I', :'app_db', :'app_user') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'app_db') \gexec
SQL
echo "init-data: roles and passwords applied"
