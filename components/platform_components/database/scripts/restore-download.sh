set -eu
key="$(aws s3api list-objects-v2 --bucket "$BUCKET" --prefix "$PREFIX" --output text \
  --query "Contents[?ends_with(Key, '.dump')].Key" | tr '\t' '\n' | grep -v '^None$' | sort | tail -n 1)"
if [ -z "$key" ]; then
  echo "restore-test: no backup under s3://$BUCKET/$PREFIX" >&2
  exit 1
fi
stamp="$(basename "$(dirname "$key")")"
aws s3 cp --only-show-errors "s3://$BUCKET/$key" "$WORK_DIR/$DB_NAME.dump"
aws s3 cp --only-show-errors "s3://$BUCKET/$key.sha256" "$WORK_DIR/$DB_NAME.dump.sha256"
printf '%s\n' "$stamp" >"$WORK_DIR/STAMP"
echo "restore-test: downloaded $key"
