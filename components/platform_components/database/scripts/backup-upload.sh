set -eu
stamp="$(cat "$WORK_DIR/STAMP")"
aws s3 cp --recursive --only-show-errors --sse aws:kms --sse-kms-key-id "$KMS_KEY_ARN" \
  "$WORK_DIR/$stamp" "s3://$BUCKET/$PREFIX$stamp/"
echo "backup: uploaded s3://$BUCKET/$PREFIX$stamp/"
