"""The IAM and bucket policy documents of a database's backups (pure JSON; no Pulumi)."""

from __future__ import annotations

import json


def backup_policy(bucket_arn: str, key_arn: str, prefix: str, *, write: bool) -> str:
    """The inline policy of the backup (write) or restore-test (read) role: that bucket prefix only."""
    object_action = ["s3:PutObject"] if write else ["s3:GetObject"]
    key_actions = ["kms:GenerateDataKey", "kms:Decrypt"] if write else ["kms:Decrypt"]
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "ListOwnPrefix",
                    "Effect": "Allow",
                    "Action": "s3:ListBucket",
                    "Resource": bucket_arn,
                    "Condition": {"StringLike": {"s3:prefix": [prefix, f"{prefix}*"]}},
                },
                {
                    "Sid": "WriteBackups" if write else "ReadBackups",
                    "Effect": "Allow",
                    "Action": object_action,
                    "Resource": f"{bucket_arn}/{prefix}*",
                },
                {"Sid": "UseBackupKey", "Effect": "Allow", "Action": key_actions, "Resource": key_arn},
            ],
        },
        sort_keys=True,
    )


def bucket_policy(bucket_arn: str) -> str:
    """Deny every request that does not use TLS (1.2 or later)."""
    resources = [bucket_arn, f"{bucket_arn}/*"]
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": resources,
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                },
                {
                    "Sid": "DenyOldTls",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": resources,
                    "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}},
                },
            ],
        },
        sort_keys=True,
    )


def role_document(arns: list[str], *, prefix: str, write: bool) -> str:
    """:func:`backup_policy` from the resolved ``[bucket_arn, key_arn]`` (the form Output.all gives)."""
    return backup_policy(arns[0], arns[1], prefix, write=write)


__all__ = ["backup_policy", "bucket_policy", "role_document"]
