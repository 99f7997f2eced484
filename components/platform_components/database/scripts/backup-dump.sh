#!/bin/bash
# pg_dump of the application database (custom format) as the read-only backup role, then a check
# that the archive is readable and its SHA-256, into the scratch volume for the upload container.
set -euo pipefail
umask 0027
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
dir="$WORK_DIR/$stamp"
mkdir -p "$dir"
PGPASSFILE="$(mktemp)"
export PGPASSFILE
printf '%s:%s:%s:%s:%s\n' "$DB_HOST" "$PGPORT" "$DB_NAME" "$BACKUP_USER" "$(cat "$SECRETS_DIR/backup/password")" >"$PGPASSFILE"
chmod 0600 "$PGPASSFILE"
pg_dump --host="$DB_HOST" --port="$PGPORT" --username="$BACKUP_USER" --dbname="$DB_NAME" --no-password \
  --format=custom --file="$dir/$DB_NAME.dump"
pg_restore --list "$dir/$DB_NAME.dump" >/dev/null
(cd "$dir" && sha256sum "$DB_NAME.dump" >"$DB_NAME.dump.sha256")
printf '%s\n' "$stamp" >"$WORK_DIR/STAMP"
echo "backup: dumped $DB_NAME ($(du -h "$dir/$DB_NAME.dump" | cut -f1)) as $stamp"
