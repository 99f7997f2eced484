"""The backup bucket's settings as plain data: tags, default encryption and lifecycle rules.

The component passes these to the pulumi_aws resources it registers; the policy documents are in
:mod:`.iam`.
"""

from __future__ import annotations

from typing import Any

from ..kube import labels as lbl
from .args import StatefulDatabaseArgs
from .names import Names


def backup_tags(name: str, args: StatefulDatabaseArgs) -> dict[str, str]:
    """The tags of the bucket and its key: managed by the platform, the database, its environment."""
    tags = {
        lbl.MANAGED_BY_KEY: lbl.MANAGED_BY,
        "platform-components.io/database": f"{args.namespace}/{name}",
    }
    if lbl.ENVIRONMENT in args.labels:
        tags[lbl.ENVIRONMENT] = args.labels[lbl.ENVIRONMENT]
    return tags


def encryption_rules(key_arn: Any) -> list[dict[str, Any]]:
    """SSE-KMS with the database's own key (``key_arn`` may be an Output), with a bucket key."""
    return [
        {
            "apply_server_side_encryption_by_default": {
                "sse_algorithm": "aws:kms",
                "kms_master_key_id": key_arn,
            },
            "bucket_key_enabled": True,
        }
    ]


def lifecycle_rules(names: Names, args: StatefulDatabaseArgs) -> list[dict[str, Any]]:
    """Expire backups after ``retention_days``, old versions after ``noncurrent_days``, and clean up."""
    return [
        {
            "id": "expire-backups",
            "status": "Enabled",
            "filter": {"prefix": names.prefix},
            "expiration": {"days": args.backup.retention_days},
            "noncurrent_version_expiration": {"noncurrent_days": args.backup.noncurrent_days},
            "abort_incomplete_multipart_upload": {"days_after_initiation": 1},
        },
        {
            "id": "remove-expired-delete-markers",
            "status": "Enabled",
            "filter": {"prefix": names.prefix},
            "expiration": {"expired_object_delete_marker": True},
        },
    ]


__all__ = ["backup_tags", "encryption_rules", "lifecycle_rules"]
