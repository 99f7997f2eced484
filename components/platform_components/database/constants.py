"""The fixed names, paths, ports and annotation keys every StatefulDatabase uses."""

from __future__ import annotations

TYPE_TOKEN = "platform:index:StatefulDatabase"
IRSA_ANNOTATION = "eks.amazonaws.com/role-arn"
PORT = 5432
POSTGRES_UID = 999
"""``postgres`` in the official Debian images; the data directory and initdb's user lookup need it."""
DO_NOT_DISRUPT = "karpenter.sh/do-not-disrupt"
ROLE_LABEL = "platform-components.io/database-role"
CREDENTIALS_ANNOTATION = "platform-components.io/credentials-version"
CREDENTIALS_DIGEST_ANNOTATION = "platform-components.io/credentials-digest"
"""With caller-supplied credentials: a salted scrypt digest of the three passwords on the pod
template, so that changing a password rolls the pods (the primary applies passwords at start)."""
CHECKOV_SKIP = "checkov.io/skip"
DEFAULT_STORAGE_CLASS = "gp3-encrypted"
DATA_MOUNT = "/var/lib/postgresql/data"
PGDATA = f"{DATA_MOUNT}/pgdata"
RUN_DIR = "/var/run/postgresql"
CONFIG_DIR = "/etc/postgresql"
SECRETS_DIR = "/etc/postgresql/secrets"
REPLICATION_USER = "replicator"
BACKUP_USER = "backup"
SUPERUSER = "postgres"
POD_IDENTITY_AGENT = ("169.254.170.23/32", "fd00:ec2::23/128")
"""The EKS Pod Identity agent's link-local addresses (port 80), where the AWS SDKs fetch credentials."""

__all__ = [
    "BACKUP_USER",
    "CHECKOV_SKIP",
    "CONFIG_DIR",
    "CREDENTIALS_ANNOTATION",
    "CREDENTIALS_DIGEST_ANNOTATION",
    "DATA_MOUNT",
    "DEFAULT_STORAGE_CLASS",
    "DO_NOT_DISRUPT",
    "IRSA_ANNOTATION",
    "PGDATA",
    "POD_IDENTITY_AGENT",
    "PORT",
    "POSTGRES_UID",
    "REPLICATION_USER",
    "ROLE_LABEL",
    "RUN_DIR",
    "SECRETS_DIR",
    "SUPERUSER",
    "TYPE_TOKEN",
]
