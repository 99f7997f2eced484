"""StatefulDatabase: PostgreSQL on StatefulSets that never loses data, with tested backups.

Usage::

    from platform_components import StatefulDatabase, StatefulDatabaseArgs

    orders = StatefulDatabase(
        "orders",
        StatefulDatabaseArgs(
            namespace="shop",
            storage={"size": "50Gi"},
            clients=[{"workload": "api"}],
            backup={"schedule": "17 2 * * *", "retention_days": 35},
        ),
        cluster=cluster,  # EksCluster: workload identity for the backup jobs
    )

**Topology.** Instance 0 is the primary: StatefulSet ``<name>``, reached through the Service
``<name>``. With ``replicas > 1`` the other instances are asynchronous streaming replicas in a second
StatefulSet ``<name>-replica`` (hot standbys, cloned with ``pg_basebackup``), reached read-only
through the Service ``<name>-ro``. Failover is manual (promote a replica and repoint ``<name>``);
there is no automatic leader election, because doing that safely needs a consensus-aware manager
(Patroni, CloudNativePG) and a half-done one loses data in a split brain. Both StatefulSets share the
headless Service ``<name>-headless`` (stable identities), one PodDisruptionBudget (maxUnavailable 1)
and one NetworkPolicy.

**Data safety.** ``volumeClaimTemplates`` on the encrypted gp3 class (or a dedicated class with the
requested IOPS/throughput and reclaim policy Retain), ``persistentVolumeClaimRetentionPolicy``
Retain/Retain, OrderedReady, ``karpenter.sh/do-not-disrupt`` on every pod, anti-affinity across hosts
(required) and zones (preferred) when there is more than one instance, and the Pulumi options
``protect`` plus ``retain_on_delete`` on the StatefulSets, the backup bucket and its key, so neither
``pulumi destroy`` nor a replacement can delete data. An init container (no root) prepares the data
directory: ``initdb`` on first start, a base backup on an empty replica, a guard that refuses to start
a different major on existing data, and the roles and passwords from the mounted Secrets on every
start of the primary (through a private, socket-only temporary server).

**Credentials.** The application, replication and backup passwords are ``random.RandomPassword``
secrets (alphanumeric, 32 characters), stored in Kubernetes Secrets, mounted as files and read from
files (``passfile``/``PGPASSFILE``), never as environment values. The superuser has no password: it
can only log in through the local socket (peer authentication), remote superuser logins are
rejected. Bump ``credentials_version`` to rotate all three: the Secrets change, the pods roll, and the
primary's init container applies the new passwords. Clients read ``<name>-app`` (keys ``username``,
``password``, ``database``, ``host``, ``port``, ``uri``, and ``ro-host`` with replicas).

Alternatively the caller supplies all three (``credentials=DatabaseCredentialsArgs(...)``, e.g.
``pulumi.Config().require_secret(...)``): they are wrapped in ``pulumi.Output.secret`` and used
exactly where generated ones would be; no ``random`` resource is created and ``pulumi_random`` is
not even imported. Each must be at least 16 letters and digits (what the init scripts accept),
checked as soon as its value is known. ``credentials_version`` does not apply (setting it is an
error): a changed password changes the Secrets and a scrypt digest of the three passwords on the pod
template (``platform-components.io/credentials-digest``), so the pods roll and the primary applies it.

**Backups** (``backup.enabled``, needs ``cluster=``): a CronJob takes a logical ``pg_dump``
(custom format) of the application database as the ``backup`` role (member of
``pg_read_all_data``), checks that the archive is readable and uploads it with its SHA-256 to
``s3://<bucket>/<namespace>/<name>/<UTC timestamp>/``. The bucket is created for the database:
versioned, SSE-KMS with its own rotating key, public access blocked, ACLs disabled, TLS-only bucket
policy, lifecycle expiry after ``retention_days``. Each job uses its own IAM role through the
cluster's workload identity (Pod Identity or IRSA), scoped to that prefix: the backup role may only
write, the restore-test role may only read. A second CronJob restores the latest backup into a
scratch PostgreSQL inside its own pod, verifies checksum, age, table count and an optional check
query, and fails loudly otherwise. Logical dumps were chosen over base backups plus WAL archiving
because they need nothing beyond the stock image and the AWS CLI, restore into any newer major, and
can be restore-tested cheaply; the price is an RPO of one schedule interval and no point-in-time
recovery.

Children (logical names ``<name>-<role>``): ``-sa``, ``-config``, ``-app-password``,
``-replication-password``, ``-backup-password`` (RandomPassword, without ``credentials``), ``-app-credentials``,
``-replication-credentials``, ``-backup-credentials`` (Secrets), ``-headless``, ``-service``,
``-ro-service``, ``-storage-class``, ``-primary``, ``-replica`` (StatefulSets), ``-pdb``,
``-netpol``, mesh authorization (``-authz`` or Linkerd ``-server-postgres`` ...), and with backups
``-backup-key``, ``-backups`` (bucket) and its ``-backups-*`` settings, ``-backup-role``,
``-restore-test-role``, ``-backup-sa``, ``-backup`` (CronJob), ``-backup-netpol``,
``-restore-test-sa``, ``-restore-test``, ``-restore-test-netpol``.
"""

from __future__ import annotations

import enum
import functools
import hashlib
import inspect
import json
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import pulumi
from pydantic import ConfigDict, Field, PlainValidator, field_validator, model_validator

from ._base import StrictModel, plain
from ._optional import ensure_loaded, lazy_module
from .cluster import ClusterRef, EksCluster, Identity
from .context import labelled
from .errors import ConfigError
from .karpenter import check_cron
from .kube import labels as lbl
from .kube.images import check_image, parse_image
from .kube.names import check_dns1035_label, check_dns1123_label, check_dns1123_subdomain, check_labels
from .kube.netpol import IngressRule, Peer, network_policy_spec
from .kube.objects import add_annotations, create_object
from .kube.quantity import check_quantity, parse_quantity
from .kube.security import container_security_context, pod_security_context
from .kube.traffic import istio_authorization, linkerd_authorization, linkerd_identity
from .namespace import MeshMode
from .policies.base import exemption_annotations
from .policies.tenancy import MESH_ANNOTATION
from .refs import ExternalRef, MeshSource, externals_annotations, resolve_mesh
from .versions import AWS_CLI_IMAGE, DEFAULT_POSTGRES_VERSION, POSTGRES_IMAGES

if TYPE_CHECKING:
    import pulumi_aws as aws
else:
    aws = lazy_module("pulumi_aws", "StatefulDatabase backups (S3, KMS, IAM)")

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
PASSWORD_ROLES = ("app", "replication", "backup")
MIN_PASSWORD_LENGTH = 16
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
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_PARAMETER = re.compile(r"^[a-z_][a-z0-9_.]*$")
_MANAGED_PARAMETERS = frozenset(
    {
        "listen_addresses",
        "port",
        "unix_socket_directories",
        "hba_file",
        "ident_file",
        "data_directory",
        "config_file",
        "password_encryption",
        "primary_conninfo",
        "max_connections",
        "shared_buffers",
        "wal_level",
        "hot_standby",
        "archive_mode",
        "archive_command",
        "restore_command",
        "log_destination",
        "logging_collector",
    }
)
"""postgresql.conf settings the component owns (changing them would break access, replication or logs)."""


class PostgresVersion(enum.StrEnum):
    V15 = "15"
    V16 = "16"
    V17 = "17"
    V18 = "18"


class StorageArgs(StrictModel):
    """The data volume of each instance (one PVC per pod from the StatefulSet's claim template)."""

    size: str = Field(
        default="20Gi", description="Volume size per instance (>= 1Gi); EBS can grow, not shrink."
    )
    storage_class: str = Field(
        default=DEFAULT_STORAGE_CLASS,
        description="StorageClass; gp3-encrypted is created by EksCluster (encrypted gp3, WaitForFirstConsumer).",
    )
    iops: int | None = Field(
        default=None,
        ge=3000,
        le=80000,
        description="gp3 IOPS above the 3000 baseline; creates a dedicated encrypted gp3 class (Retain).",
    )
    throughput: int | None = Field(
        default=None,
        ge=125,
        le=2000,
        description="gp3 throughput in MiB/s above the 125 baseline; creates a dedicated class like iops.",
    )

    @field_validator("size")
    @classmethod
    def _size(cls, value: str) -> str:
        check_quantity(value)
        if parse_quantity(value) < parse_quantity("1Gi"):
            raise ValueError(f"storage size {value!r} is below 1Gi (the EBS minimum); use e.g. '20Gi'")
        return value

    @field_validator("storage_class")
    @classmethod
    def _class(cls, value: str) -> str:
        return check_dns1123_subdomain(value)

    @model_validator(mode="after")
    def _gp3(self) -> StorageArgs:
        if self.dedicated_class and self.storage_class != DEFAULT_STORAGE_CLASS:
            raise ValueError(
                "iops/throughput create a dedicated gp3 class; leave storage_class at its default "
                "or set the IOPS on your own class"
            )
        gib = self.size_gib
        if self.iops is not None and self.iops > 500 * gib:
            raise ValueError(
                f"iops {self.iops} exceeds gp3's 500 IOPS per GiB for {self.size}; lower iops or grow size"
            )
        if self.throughput is not None:
            iops = self.iops or 3000
            if self.throughput * 4 > iops:
                raise ValueError(
                    f"throughput {self.throughput} MiB/s exceeds gp3's 0.25 MiB/s per IOPS ({iops} IOPS); "
                    "raise iops or lower throughput"
                )
        return self

    @property
    def dedicated_class(self) -> bool:
        return self.iops is not None or self.throughput is not None

    @property
    def size_gib(self) -> int:
        return int(parse_quantity(self.size) / Decimal(2**30))


class DatabaseResources(StrictModel):
    """Requests and memory limit of each instance; postgresql.conf is tuned from the memory."""

    cpu: str = Field(default="250m", description="CPU request (no CPU limit: throttling stalls queries).")
    memory: str = Field(
        default="1Gi", description="Memory request and limit (>= 256Mi; never overcommitted)."
    )

    @field_validator("cpu")
    @classmethod
    def _cpu(cls, value: str) -> str:
        return check_quantity(value)

    @field_validator("memory")
    @classmethod
    def _memory(cls, value: str) -> str:
        check_quantity(value)
        if parse_quantity(value) < parse_quantity("256Mi"):
            raise ValueError(f"memory {value!r} is below 256Mi, too little for PostgreSQL; use e.g. '1Gi'")
        return value

    @property
    def memory_mib(self) -> int:
        return int(parse_quantity(self.memory) / Decimal(2**20))

    def render(self) -> dict[str, Any]:
        return {"requests": {"cpu": self.cpu, "memory": self.memory}, "limits": {"memory": self.memory}}


class RestoreTestArgs(StrictModel):
    """A CronJob restoring the latest backup into a scratch database and checking it."""

    enabled: bool = Field(default=True, description="A backup that is never restored is not a backup.")
    schedule: str = Field(default="47 4 * * *", description="Cron schedule (UTC), after the backup.")
    max_age_hours: int = Field(
        default=36, ge=1, le=24 * 90, description="Fail when the latest backup is older than this."
    )
    check_query: str | None = Field(
        default=None,
        description="SQL returning one boolean, run against the restored copy, e.g. "
        "'SELECT count(*) > 0 FROM orders'.",
    )

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str) -> str:
        return check_cron(value)


class BackupArgs(StrictModel):
    """Scheduled logical backups to a dedicated S3 bucket, plus a restore test."""

    enabled: bool = Field(
        default=True, description="Back up at all (needs the cluster for workload identity)."
    )
    schedule: str = Field(default="17 2 * * *", description="Cron schedule (UTC) of the pg_dump.")
    retention_days: int = Field(
        default=14, description="Days a backup is kept before S3 lifecycle expiry (>= 1)."
    )
    noncurrent_days: int = Field(
        default=7, ge=1, le=3650, description="Days an overwritten or deleted object version is kept."
    )
    restore_test: RestoreTestArgs = Field(default_factory=RestoreTestArgs, description="The restore test.")

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str) -> str:
        return check_cron(value)

    @field_validator("retention_days")
    @classmethod
    def _retention(cls, value: int) -> int:
        if value < 1:
            raise ValueError(
                f"backup retention of {value} days is under one day; keep backups at least 1 day "
                "(set retention_days >= 1)"
            )
        if value > 3650:
            raise ValueError(f"retention_days {value} is over ten years; use at most 3650")
        return value


def password_problem(value: str) -> str | None:
    """Why the init scripts would refuse ``value`` as a password, or None (never echoes it)."""
    if not (value.isascii() and value.isalnum()):
        return "holds characters other than A-Z, a-z and 0-9, which the init scripts refuse"
    if len(value) < MIN_PASSWORD_LENGTH:
        return f"is {len(value)} characters, shorter than the minimum of {MIN_PASSWORD_LENGTH}"
    return None


PASSWORD_FIX = (
    f"use at least {MIN_PASSWORD_LENGTH} letters and digits only, e.g. the output of `openssl rand -hex 24`"
)


def _password_input(value: Any) -> Any:
    if isinstance(value, str | pulumi.Output) or inspect.isawaitable(value):  # pulumi.Input[str]
        return value
    raise ValueError(
        f"expected a str or a pulumi Output[str] (e.g. pulumi.Config().require_secret(...)), got "
        f"{type(value).__name__}"
    )


if TYPE_CHECKING:
    PasswordInput = pulumi.Input[str]
else:  # pulumi.Input names Output by a forward reference pydantic cannot resolve
    PasswordInput = Annotated[str | pulumi.Output[str], PlainValidator(_password_input)]
"""A password: a plain string or (typically) a secret Output; the component makes it a secret."""


class DatabaseCredentialsArgs(StrictModel):
    """Passwords supplied by the caller instead of generated ones (all three).

    Each is a ``pulumi.Input[str]``, typically a secret Output such as
    ``pulumi.Config().require_secret("orders-app-password")`` or a value from the team's secret store;
    the component wraps each one in ``pulumi.Output.secret`` either way. Passwords must be at least 16
    letters and digits (the init scripts refuse anything else): a plain string is checked here, an
    Output when its value becomes known. With these no ``random`` resource is created, and
    ``credentials_version`` does not apply (changing a password rolls the pods instead).
    """

    model_config = ConfigDict(hide_input_in_errors=True)  # a pydantic error never prints a password

    app_password: PasswordInput = Field(
        repr=False, description="Password of the application role (Secret <name>-app)."
    )
    replication_password: PasswordInput = Field(
        repr=False, description="Password of the replication role (Secret <name>-replication)."
    )
    backup_password: PasswordInput = Field(
        repr=False, description="Password of the backup role (Secret <name>-backup)."
    )

    @model_validator(mode="after")
    def _known_passwords(self) -> DatabaseCredentialsArgs:
        # a model-level check, so that pydantic's error never carries the value itself
        for role in PASSWORD_ROLES:
            value = getattr(self, f"{role}_password")
            if isinstance(value, str) and (problem := password_problem(value)) is not None:
                raise ValueError(f"{role}_password {problem}; {PASSWORD_FIX}")
        return self

    def outputs(self) -> dict[str, pulumi.Output[str]]:
        """The three passwords as secret Outputs keyed by role (app, replication, backup)."""
        return {role: pulumi.Output.secret(getattr(self, f"{role}_password")) for role in PASSWORD_ROLES}


class StatefulDatabaseArgs(StrictModel):
    """Arguments of :class:`StatefulDatabase`. Only the namespace is required."""

    # pydantic's own error text (model_validate) never prints the input: it may hold credentials
    model_config = ConfigDict(hide_input_in_errors=True)

    namespace: str = Field(description="Namespace of every Kubernetes object (never 'default').")
    version: PostgresVersion = Field(
        default=PostgresVersion(DEFAULT_POSTGRES_VERSION),
        description="PostgreSQL major (15-18); the image comes from the version table.",
    )
    image: str | None = Field(
        default=None,
        description="Image override (pinned, official-image layout, same major); default from the version table.",
    )
    replicas: int = Field(
        default=1, ge=1, le=5, description="Instances: 1 primary plus replicas-1 streaming read replicas."
    )
    database: str | None = Field(
        default=None, description="Application database; defaults to the name with '-' as '_'."
    )
    username: str | None = Field(default=None, description="Application role (owner); defaults to database.")
    storage: StorageArgs = Field(default_factory=StorageArgs, description="Data volume per instance.")
    resources: DatabaseResources = Field(
        default_factory=DatabaseResources, description="Requests and memory limit per instance."
    )
    max_connections: int = Field(
        default=100, ge=10, le=5000, description="Connections; use a pooler rather than raising it."
    )
    parameters: dict[str, str] = Field(
        default_factory=dict, description="Extra postgresql.conf settings (not the ones the component owns)."
    )
    clients: list[Peer] = Field(
        default_factory=list, description="Declared clients (workloads, namespaces); only they reach 5432."
    )
    backup: BackupArgs = Field(default_factory=BackupArgs, description="Backups and restore test.")
    credentials: DatabaseCredentialsArgs | None = Field(
        default=None,
        description="Caller-supplied passwords (e.g. secret config); default: generated RandomPasswords.",
    )
    credentials_version: int = Field(
        default=1,
        ge=1,
        description="Bump to rotate every generated password (the pods roll); not with credentials.",
    )
    priority_class_name: str | None = Field(
        default="platform-high", description="PriorityClass of the database pods (the platform creates it)."
    )
    backup_priority_class_name: str | None = Field(
        default="platform-low", description="PriorityClass of the backup and restore-test jobs."
    )
    termination_grace_period_seconds: int = Field(
        default=60, ge=10, le=3600, description="Time for a fast shutdown (checkpoint) before SIGKILL."
    )
    protect: bool = Field(
        default=True,
        description="Pulumi protect on the StatefulSets, bucket and key (retain_on_delete always).",
    )
    labels: dict[str, str] = Field(default_factory=dict, description="Extra labels on every object.")
    policy_exemptions: dict[str, str] = Field(
        default_factory=dict, description="rule id -> reason: an explicit, reported policy exemption."
    )

    @field_validator("namespace")
    @classmethod
    def _namespace(cls, value: str) -> str:
        return check_dns1123_label(value)

    @field_validator("version", mode="before")
    @classmethod
    def _version(cls, value: Any) -> Any:
        if isinstance(value, int | float):
            value = str(value).removesuffix(".0")
        if value not in POSTGRES_IMAGES:
            raise ValueError(
                f"PostgreSQL {value!r} is not supported; use one of {', '.join(POSTGRES_IMAGES)}"
                " (14 and older are end of life)"
            )
        return value

    @field_validator("image")
    @classmethod
    def _image(cls, value: str | None) -> str | None:
        return check_image(value) if value is not None else None

    @field_validator("database", "username")
    @classmethod
    def _identifier(cls, value: str | None) -> str | None:
        if value is not None and not _IDENTIFIER.match(value):
            raise ValueError(
                f"{value!r} is not a plain PostgreSQL identifier: use lower-case letters, digits and '_', "
                "starting with a letter or '_', at most 63 characters"
            )
        if value in (SUPERUSER, REPLICATION_USER, BACKUP_USER, "template0", "template1"):
            raise ValueError(f"{value!r} is reserved by the component; choose another name")
        return value

    @field_validator("parameters")
    @classmethod
    def _parameters(cls, value: dict[str, str]) -> dict[str, str]:
        for key, setting in value.items():
            if not _PARAMETER.match(key):
                raise ValueError(f"parameters: {key!r} is not a postgresql.conf setting name")
            if key in _MANAGED_PARAMETERS:
                raise ValueError(
                    f"parameters: {key!r} is managed by the component; use its field instead "
                    "(max_connections, resources.memory) or leave it"
                )
            if "\n" in setting or "'" in setting:
                raise ValueError(f"parameters: the value of {key!r} must be one line without quotes")
        return value

    @field_validator("priority_class_name", "backup_priority_class_name")
    @classmethod
    def _priority(cls, value: str | None) -> str | None:
        return check_dns1123_subdomain(value) if value is not None else None

    @field_validator("labels")
    @classmethod
    def _labels(cls, value: dict[str, str]) -> dict[str, str]:
        clash = sorted(lbl.RESERVED.intersection(value) | {ROLE_LABEL}.intersection(value))
        if clash:
            raise ValueError(f"labels {clash} are set by the platform; remove them")
        return check_labels(value)

    @model_validator(mode="after")
    def _cross_field(self) -> StatefulDatabaseArgs:
        if self.image is not None:
            tag = parse_image(self.image).tag or ""
            if not tag.startswith(f"{self.version.value}.") and not tag.startswith(f"{self.version.value}-"):
                raise ValueError(
                    f"image {self.image!r} is not tagged as PostgreSQL {self.version.value} "
                    f"(expected a tag like '{self.version.value}.x-bookworm'); set version to the image's major"
                )
        for index, client in enumerate(self.clients):
            if client.cidr is not None:
                raise ValueError(
                    f"clients[{index}] is a CIDR; declare client workloads or namespaces, the database is "
                    "never reachable from outside the cluster"
                )
        if self.credentials is not None and "credentials_version" in self.model_fields_set:
            raise ValueError(
                "credentials_version rotates generated passwords only; with credentials, rotate by changing "
                "the supplied passwords (the pods roll and the primary applies them): remove credentials_version"
            )
        return self

    @property
    def image_ref(self) -> str:
        return self.image or POSTGRES_IMAGES[self.version.value]


def database_identifier(name: str) -> str:
    return name.replace("-", "_")


def validate_database_name(name: str) -> str:
    """Database names become Service names (DNS-1035) and prefix pod, PVC and bucket names (<= 40)."""
    check_dns1035_label(name)
    if len(name) > 40:
        raise ValueError(
            f"{name!r} is {len(name)} characters; database names are at most 40 (pod, PVC and bucket "
            "names are derived from them)"
        )
    return name


# --------------------------------------------------------------------------------------------------
# Scripts and configuration files (ConfigMap ``<name>-config``)

INIT_SCRIPT = r"""#!/bin/bash
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
"""

BACKUP_DUMP_SCRIPT = r"""#!/bin/bash
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
"""

BACKUP_UPLOAD_SCRIPT = r"""set -eu
stamp="$(cat "$WORK_DIR/STAMP")"
aws s3 cp --recursive --only-show-errors --sse aws:kms --sse-kms-key-id "$KMS_KEY_ARN" \
  "$WORK_DIR/$stamp" "s3://$BUCKET/$PREFIX$stamp/"
echo "backup: uploaded s3://$BUCKET/$PREFIX$stamp/"
"""

RESTORE_DOWNLOAD_SCRIPT = r"""set -eu
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
"""

RESTORE_CHECK_SCRIPT = r"""#!/bin/bash
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
"""

PG_HBA = f"""# TYPE  DATABASE     USER           ADDRESS   METHOD
local   all          {SUPERUSER}                  peer
local   all          all                      scram-sha-256
host    all          {SUPERUSER}       all       reject
host    replication  {REPLICATION_USER}     all       scram-sha-256
host    all          all            all       scram-sha-256
"""


def tuned_parameters(args: StatefulDatabaseArgs) -> dict[str, str]:
    """postgresql.conf derived from the memory limit, the volume size and the connection budget."""
    memory = args.resources.memory_mib
    shared_buffers = max(32, memory // 4)
    work_mem_kb = max(4096, (memory - shared_buffers) * 1024 // (args.max_connections * 3))
    size_mib = args.storage.size_gib * 1024
    return {
        "listen_addresses": "'*'",
        "port": str(PORT),
        "unix_socket_directories": f"'{RUN_DIR}'",
        "hba_file": f"'{CONFIG_DIR}/pg_hba.conf'",
        "password_encryption": "'scram-sha-256'",
        "max_connections": str(args.max_connections),
        "shared_buffers": f"{shared_buffers}MB",
        "effective_cache_size": f"{memory * 3 // 5}MB",
        "maintenance_work_mem": f"{min(2048, max(64, memory // 16))}MB",
        "work_mem": f"{work_mem_kb}kB",
        "wal_level": "replica",
        "max_wal_senders": "10",
        "wal_keep_size": f"{max(64, min(1024, size_mib // 10))}MB",
        "max_wal_size": f"{max(256, min(4096, size_mib // 4))}MB",
        "checkpoint_completion_target": "0.9",
        "hot_standby": "on",
        "hot_standby_feedback": "on",
        "random_page_cost": "1.1",
        "effective_io_concurrency": "200",
        "dynamic_shared_memory_type": "posix",
        "log_destination": "'stderr'",
        "logging_collector": "off",
        "log_line_prefix": "'%m [%p] %q%u@%d '",
        "log_checkpoints": "on",
        "log_lock_waits": "on",
        "log_min_error_statement": "error",
    }


def postgresql_conf(args: StatefulDatabaseArgs) -> str:
    settings = tuned_parameters(args)
    lines = ["# Generated by StatefulDatabase; extra settings come from StatefulDatabaseArgs.parameters."]
    lines += [f"{key} = {value}" for key, value in settings.items()]
    for key, value in sorted(args.parameters.items()):
        lines.append(f"{key} = '{value}'")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------------
# Rendering (pure; no Pulumi)


class Names:
    """The Kubernetes names of one database (logical names are ``<name>-<role>``)."""

    def __init__(self, name: str, args: StatefulDatabaseArgs) -> None:
        self.name = name
        self.namespace = args.namespace
        self.primary = name
        self.replica = f"{name}-replica"
        self.headless = f"{name}-headless"
        self.read_only = f"{name}-ro"
        self.config = f"{name}-config"
        self.app_secret = f"{name}-app"
        self.replication_secret = f"{name}-replication"
        self.backup_secret = f"{name}-backup"
        self.backup = f"{name}-backup"
        self.restore_test = f"{name}-restore-test"
        self.storage_class = f"{args.namespace}-{name}-gp3"
        self.database = args.database or database_identifier(name)
        self.username = args.username or self.database
        self.host = f"{name}.{args.namespace}.svc.cluster.local"
        self.read_only_host = f"{self.read_only}.{args.namespace}.svc.cluster.local"
        self.prefix = f"{args.namespace}/{name}/"


def render_database(
    name: str,
    args: StatefulDatabaseArgs,
    *,
    mesh: MeshMode = MeshMode.NONE,
    externals: Sequence[ExternalRef] = (),
    recorded_mesh: MeshMode | None = None,
) -> dict[str, dict[str, Any]]:
    """Every Kubernetes object of a StatefulDatabase as a manifest, keyed by child role suffix.

    Secrets are rendered without data (the component fills it with Pulumi secrets). Backup objects
    are included when ``args.backup.enabled``; their AWS-derived values (bucket, key, role) are
    placeholders ``${...}`` the component replaces with Outputs. The declared ``externals`` (clients
    deployed by other programs) are recorded on the NetworkPolicy, ``recorded_mesh`` (a mode given
    without the namespace's MeshNamespace) on the StatefulSets.
    """
    names = Names(name, args)
    common = lbl.standard_labels(
        name, component="database", part_of=args.namespace, version=args.version.value, extra=args.labels
    )
    selector = lbl.selector_labels(name)

    def meta(object_name: str, labels: dict[str, str] | None = None, **extra: Any) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": object_name,
            "namespace": args.namespace,
            "labels": dict(labels or common),
        }
        out.update({k: v for k, v in extra.items() if v})
        return out

    out: dict[str, dict[str, Any]] = {}
    out["sa"] = {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": meta(name),
        "automountServiceAccountToken": False,
    }
    out["config"] = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": meta(names.config),
        "data": {
            "postgresql.conf": postgresql_conf(args),
            "pg_hba.conf": PG_HBA,
            "init-data.sh": INIT_SCRIPT,
            "backup-dump.sh": BACKUP_DUMP_SCRIPT,
            "restore-check.sh": RESTORE_CHECK_SCRIPT,
        },
    }
    for suffix, secret_name in (
        ("app-credentials", names.app_secret),
        ("replication-credentials", names.replication_secret),
        ("backup-credentials", names.backup_secret),
    ):
        out[suffix] = {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": meta(secret_name),
            "type": "Opaque",
        }
    out["headless"] = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta(names.headless),
        "spec": {
            "clusterIP": "None",
            "publishNotReadyAddresses": True,
            "selector": dict(selector),
            "ports": [{"name": "postgres", "port": PORT, "targetPort": "postgres", "protocol": "TCP"}],
        },
    }
    out["service"] = _client_service(names.primary, meta, {**selector, ROLE_LABEL: "primary"})
    if args.replicas > 1:
        out["ro-service"] = _client_service(names.read_only, meta, {**selector, ROLE_LABEL: "replica"})
    if args.storage.dedicated_class:
        parameters = {"type": "gp3", "encrypted": "true", "csi.storage.k8s.io/fstype": "ext4"}
        if args.storage.iops is not None:
            parameters["iops"] = str(args.storage.iops)
        if args.storage.throughput is not None:
            parameters["throughput"] = str(args.storage.throughput)
        out["storage-class"] = {
            "apiVersion": "storage.k8s.io/v1",
            "kind": "StorageClass",
            "metadata": {"name": names.storage_class, "labels": dict(common)},
            "provisioner": "ebs.csi.aws.com",
            "parameters": parameters,
            "reclaimPolicy": "Retain",
            "volumeBindingMode": "WaitForFirstConsumer",
            "allowVolumeExpansion": True,
        }
    annotations = _checkov_skips(args)
    if recorded_mesh is not None:
        annotations[MESH_ANNOTATION] = recorded_mesh.value
    out["primary"] = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": meta(names.primary, annotations=annotations),
        "spec": _statefulset_spec(names, args, common, selector, role="primary", replicas=1),
    }
    if args.replicas > 1:
        out["replica"] = {
            "apiVersion": "apps/v1",
            "kind": "StatefulSet",
            "metadata": meta(names.replica, annotations=annotations),
            "spec": _statefulset_spec(
                names, args, common, selector, role="replica", replicas=args.replicas - 1
            ),
        }
    out["pdb"] = {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": meta(name),
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": dict(selector)}},
    }
    out["netpol"] = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": meta(name),
        "spec": _database_network_policy(names, args, selector),
    }
    for suffix, manifest in _mesh_objects(names, args, mesh, common, selector):
        out[suffix] = manifest
    if args.backup.enabled:
        out.update(_backup_objects(names, args, common, mesh))
    # a rule may fire on any child (a Service, the NetworkPolicy, a CronJob ...), so each carries them
    add_annotations(out.values(), exemption_annotations(args.policy_exemptions))
    add_annotations([out["netpol"]], externals_annotations(externals, args.namespace))
    return out


def _client_service(name: str, meta: Any, selector: dict[str, str]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta(name),
        "spec": {
            "type": "ClusterIP",
            "selector": selector,
            "ports": [{"name": "postgres", "port": PORT, "targetPort": "postgres", "protocol": "TCP"}],
        },
    }


def _checkov_skips(args: StatefulDatabaseArgs) -> dict[str, str]:
    skips = [
        "CKV_K8S_11=no CPU limit by design: limits cause CFS throttling; the CPU request is set",
        "CKV_K8S_40=the official postgres image owns its files as UID 999 (postgres); "
        "non-root, no privilege escalation, all capabilities dropped",
    ]
    annotations = {f"{CHECKOV_SKIP}{i}": reason for i, reason in enumerate(skips, start=1)}
    annotations.update(exemption_annotations(args.policy_exemptions))
    return annotations


def _restricted(*, uid: int) -> dict[str, Any]:
    return container_security_context(run_as_user=uid, run_as_group=uid)


def _statefulset_spec(
    names: Names,
    args: StatefulDatabaseArgs,
    labels: dict[str, str],
    selector: dict[str, str],
    *,
    role: str,
    replicas: int,
) -> dict[str, Any]:
    image = args.image_ref
    memory = args.resources.memory_mib
    env = [
        {"name": "PGDATA", "value": PGDATA},
        {"name": "PGPORT", "value": str(PORT)},
        {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
    ]
    init_env = [
        *env,
        {"name": "ROLE", "value": role},
        {"name": "EXPECTED_MAJOR", "value": args.version.value},
        {"name": "RUN_DIR", "value": RUN_DIR},
        {"name": "SECRETS_DIR", "value": SECRETS_DIR},
        {"name": "SUPERUSER", "value": SUPERUSER},
        {"name": "APP_USER", "value": names.username},
        {"name": "APP_DATABASE", "value": names.database},
        {"name": "REPLICATION_USER", "value": REPLICATION_USER},
        {"name": "BACKUP_USER", "value": BACKUP_USER},
        {"name": "PRIMARY_HOST", "value": names.host},
    ]
    mounts = [
        {"name": "data", "mountPath": DATA_MOUNT},
        {"name": "run", "mountPath": RUN_DIR},
        {"name": "tmp", "mountPath": "/tmp"},
        {"name": "config", "mountPath": CONFIG_DIR, "readOnly": True},
        {"name": "secrets", "mountPath": SECRETS_DIR, "readOnly": True},
    ]
    server_args = ["-D", PGDATA, "-c", f"config_file={CONFIG_DIR}/postgresql.conf"]
    if role == "replica":
        conninfo = (
            f"host={names.host} port={PORT} user={REPLICATION_USER} "
            f"passfile={RUN_DIR}/replication.pgpass application_name=$(POD_NAME)"
        )
        server_args += ["-c", f"primary_conninfo={conninfo}"]
    ready = ["pg_isready", "--quiet", f"--host={RUN_DIR}", f"--port={PORT}", "--dbname=postgres"]
    stop_timeout = max(5, args.termination_grace_period_seconds - 10)
    postgres = {
        "name": "postgres",
        "image": image,
        "imagePullPolicy": "Always",
        "command": ["postgres"],
        "args": server_args,
        "env": env,
        "ports": [{"name": "postgres", "containerPort": PORT, "protocol": "TCP"}],
        "resources": args.resources.render(),
        "securityContext": _restricted(uid=POSTGRES_UID),
        "startupProbe": {
            # listening (even while recovering) is enough to start: crash recovery may take long
            "exec": {
                "command": ["bash", "-c", f"pg_isready --quiet --host={RUN_DIR} --port={PORT}; [ $? -ne 2 ]"]
            },
            "periodSeconds": 10,
            "timeoutSeconds": 5,
            "failureThreshold": 360,
        },
        "readinessProbe": {
            "exec": {"command": ready},
            "periodSeconds": 10,
            "timeoutSeconds": 5,
            "failureThreshold": 3,
        },
        "livenessProbe": {
            # a busy server answers TCP even when it cannot take a connection: restart only a dead one
            "tcpSocket": {"port": "postgres"},
            "periodSeconds": 10,
            "timeoutSeconds": 5,
            "failureThreshold": 6,
        },
        "lifecycle": {
            # Kubernetes sends SIGTERM (a "smart" shutdown that waits for clients): ask for a fast one
            "preStop": {
                "exec": {
                    "command": [
                        "bash",
                        "-c",
                        f"pg_ctl --pgdata={PGDATA} --mode=fast --wait --timeout={stop_timeout} stop",
                    ]
                }
            }
        },
        "volumeMounts": [*mounts, {"name": "shm", "mountPath": "/dev/shm"}],
    }
    init = {
        "name": "init-data",
        "image": image,
        "imagePullPolicy": "Always",
        "command": ["bash", f"{CONFIG_DIR}/init-data.sh"],
        "env": init_env,
        "resources": args.resources.render(),
        "securityContext": _restricted(uid=POSTGRES_UID),
        "volumeMounts": mounts,
    }
    secret_sources = [
        {"secret": {"name": secret, "items": [{"key": "password", "path": f"{folder}/password"}]}}
        for folder, secret in (
            ("app", names.app_secret),
            ("replication", names.replication_secret),
            ("backup", names.backup_secret),
        )
    ]
    pod_spec: dict[str, Any] = {
        "serviceAccountName": names.name,
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,
        "securityContext": pod_security_context(
            run_as_user=POSTGRES_UID, run_as_group=POSTGRES_UID, fs_group=POSTGRES_UID
        ),
        "terminationGracePeriodSeconds": args.termination_grace_period_seconds,
        "initContainers": [init],
        "containers": [postgres],
        "volumes": [
            {"name": "run", "emptyDir": {"sizeLimit": "64Mi"}},
            {"name": "tmp", "emptyDir": {"sizeLimit": "256Mi"}},
            {"name": "shm", "emptyDir": {"medium": "Memory", "sizeLimit": f"{max(64, memory // 4)}Mi"}},
            {
                "name": "config",
                "configMap": {
                    "name": names.config,
                    "defaultMode": 0o444,
                    "items": [
                        {"key": key, "path": key}
                        for key in ("postgresql.conf", "pg_hba.conf", "init-data.sh")
                    ],
                },
            },
            {"name": "secrets", "projected": {"defaultMode": 0o440, "sources": secret_sources}},
        ],
    }
    if args.priority_class_name:
        pod_spec["priorityClassName"] = args.priority_class_name
    if args.replicas > 1:
        pod_spec["affinity"] = {
            "podAntiAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": [
                    {
                        "labelSelector": {"matchLabels": dict(selector)},
                        "topologyKey": "kubernetes.io/hostname",
                    }
                ],
                "preferredDuringSchedulingIgnoredDuringExecution": [
                    {
                        "weight": 100,
                        "podAffinityTerm": {
                            "labelSelector": {"matchLabels": dict(selector)},
                            "topologyKey": "topology.kubernetes.io/zone",
                        },
                    }
                ],
            }
        }
    role_selector = {**selector, ROLE_LABEL: role}
    storage_class = names.storage_class if args.storage.dedicated_class else args.storage.storage_class
    return {
        "replicas": replicas,
        "serviceName": names.headless,
        "podManagementPolicy": "OrderedReady",
        "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
        "revisionHistoryLimit": 5,
        "minReadySeconds": 10,
        "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
        "selector": {"matchLabels": role_selector},
        "template": {
            "metadata": {
                "labels": {**labels, ROLE_LABEL: role},
                "annotations": {
                    DO_NOT_DISRUPT: "true",
                    # generated passwords roll the pods when credentials_version is bumped; supplied
                    # ones when they change (the component fills in the digest)
                    **(
                        {CREDENTIALS_ANNOTATION: str(args.credentials_version)}
                        if args.credentials is None
                        else {CREDENTIALS_DIGEST_ANNOTATION: "${credentials_digest}"}
                    ),
                },
            },
            "spec": pod_spec,
        },
        "volumeClaimTemplates": [
            {
                "metadata": {"name": "data", "labels": dict(selector)},
                "spec": {
                    "accessModes": ["ReadWriteOnce"],
                    "storageClassName": storage_class,
                    "resources": {"requests": {"storage": args.storage.size}},
                },
            }
        ],
    }


def _database_network_policy(
    names: Names, args: StatefulDatabaseArgs, selector: dict[str, str]
) -> dict[str, Any]:
    port = [{"port": PORT, "protocol": "TCP"}]
    ingress: list[tuple[dict[str, Any], list[dict[str, Any]]]] = [(c.render(), port) for c in args.clients]
    if args.replicas > 1:
        ingress.append(({"podSelector": {"matchLabels": dict(selector)}}, port))
    egress: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
    if args.backup.enabled:
        ingress.append(({"podSelector": {"matchLabels": lbl.selector_labels(names.backup)}}, port))
    if args.replicas > 1:
        egress.append(({"podSelector": {"matchLabels": dict(selector)}}, port))
    return network_policy_spec(pod_labels=selector, ingress=ingress, egress=egress, allow_dns=True)


def _callers(names: Names, args: StatefulDatabaseArgs) -> list[IngressRule]:
    """Everything that may connect to 5432, as mesh identities: clients, the database's own pods
    (replication) and the backup job."""
    rules = [
        IngressRule.model_validate({**c.model_dump(exclude_defaults=True), "ports": [PORT]})
        for c in args.clients
    ]
    if args.replicas > 1:
        rules.append(IngressRule(workload=names.name, ports=[PORT]))
    if args.backup.enabled:
        rules.append(IngressRule(workload=names.backup, ports=[PORT]))
    return rules


def _mesh_objects(
    names: Names, args: StatefulDatabaseArgs, mesh: MeshMode, labels: dict[str, str], selector: dict[str, str]
) -> list[tuple[str, dict[str, Any]]]:
    if mesh not in (MeshMode.ISTIO_AMBIENT, MeshMode.ISTIO_SIDECAR, MeshMode.LINKERD):
        return []
    rules = _callers(names, args)
    for index, client in enumerate(args.clients):
        if client.pod_labels:
            raise ConfigError(
                f"StatefulDatabase {names.name}: clients[{index}] names pods by pod_labels, which have no mesh "
                f"identity in a {mesh.value} namespace; name the client workload (or its namespace) instead"
            )
    if not rules:
        return []
    if mesh is not MeshMode.LINKERD:
        return [
            (
                "authz",
                istio_authorization(
                    names.name, args.namespace, rules, lambda _r: [PORT], selector=selector, labels=labels
                ),
            )
        ]
    identities = [linkerd_identity(rule, args.namespace) for rule in rules]
    return linkerd_authorization(
        names.name, args.namespace, "postgres", identities, selector=selector, labels=labels
    )


def _job_pod_annotations(mesh: MeshMode) -> dict[str, str]:
    """Jobs must finish even in a sidecar mesh: run the proxy as a native sidecar (it stops with the job)."""
    if mesh is MeshMode.ISTIO_SIDECAR:
        return {"sidecar.istio.io/nativeSidecar": "true"}
    if mesh is MeshMode.LINKERD:
        return {"config.alpha.linkerd.io/proxy-enable-native-sidecar": "true"}
    return {}


def _backup_objects(
    names: Names, args: StatefulDatabaseArgs, common: dict[str, str], mesh: MeshMode
) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    scratch = f"{max(1, args.storage.size_gib)}Gi"
    restore_scratch = f"{max(2, 2 * args.storage.size_gib)}Gi"
    storage_class = names.storage_class if args.storage.dedicated_class else args.storage.storage_class
    aws_env = [
        {"name": "BUCKET", "value": "${bucket}"},
        {"name": "PREFIX", "value": names.prefix},
        {"name": "KMS_KEY_ARN", "value": "${key_arn}"},
        {"name": "DB_NAME", "value": names.database},
        {"name": "HOME", "value": "/tmp"},
        {"name": "AWS_RETRY_MODE", "value": "standard"},
        {"name": "AWS_MAX_ATTEMPTS", "value": "10"},
    ]
    for job, suffix in ((names.backup, "backup"), (names.restore_test, "restore-test")):
        labels = lbl.standard_labels(
            job, component=suffix, part_of=args.namespace, version=args.version.value, extra=args.labels
        )
        out[f"{suffix}-sa"] = {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {"name": job, "namespace": args.namespace, "labels": labels},
            "automountServiceAccountToken": False,
        }
        egress: list[tuple[dict[str, Any], list[dict[str, Any]]]] = [
            ({"ipBlock": {"cidr": "0.0.0.0/0"}}, [{"port": 443, "protocol": "TCP"}]),
            ({"ipBlock": {"cidr": "::/0"}}, [{"port": 443, "protocol": "TCP"}]),
            *[
                ({"ipBlock": {"cidr": cidr}}, [{"port": 80, "protocol": "TCP"}])
                for cidr in POD_IDENTITY_AGENT
            ],
        ]
        if suffix == "backup":
            egress.insert(
                0,
                (
                    {"podSelector": {"matchLabels": lbl.selector_labels(names.name)}},
                    [{"port": PORT, "protocol": "TCP"}],
                ),
            )
        out[f"{suffix}-netpol"] = {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {"name": job, "namespace": args.namespace, "labels": labels},
            "spec": network_policy_spec(
                pod_labels=lbl.selector_labels(job), ingress=[], egress=egress, allow_dns=True
            ),
        }
    pg_env = [
        {"name": "PGPORT", "value": str(PORT)},
        {"name": "DB_NAME", "value": names.database},
        {"name": "DB_HOST", "value": names.host},
        {"name": "BACKUP_USER", "value": BACKUP_USER},
        {"name": "SECRETS_DIR", "value": SECRETS_DIR},
        {"name": "HOME", "value": "/tmp"},
    ]
    backup_labels = lbl.standard_labels(
        names.backup,
        component="backup",
        part_of=args.namespace,
        version=args.version.value,
        extra=args.labels,
    )
    out["backup"] = _cronjob(
        names.backup,
        args,
        backup_labels,
        mesh,
        schedule=args.backup.schedule,
        volume=("backup", "/backup", scratch, storage_class),
        init={
            "name": "dump",
            "image": args.image_ref,
            "command": ["bash", f"{CONFIG_DIR}/backup-dump.sh"],
            "env": pg_env,
            "extra_mounts": [
                {"name": "config", "mountPath": CONFIG_DIR, "readOnly": True},
                {"name": "secrets", "mountPath": SECRETS_DIR, "readOnly": True},
            ],
            "uid": POSTGRES_UID,
        },
        main={
            "name": "upload",
            "image": AWS_CLI_IMAGE,
            "command": ["/bin/sh", "-c", BACKUP_UPLOAD_SCRIPT],
            "env": aws_env,
            "extra_mounts": [],
            "uid": POSTGRES_UID,
        },
        volumes=[
            {
                "name": "config",
                "configMap": {
                    "name": names.config,
                    "defaultMode": 0o444,
                    "items": [{"key": "backup-dump.sh", "path": "backup-dump.sh"}],
                },
            },
            {
                "name": "secrets",
                "projected": {
                    "defaultMode": 0o440,
                    "sources": [
                        {
                            "secret": {
                                "name": names.backup_secret,
                                "items": [{"key": "password", "path": "backup/password"}],
                            }
                        }
                    ],
                },
            },
        ],
    )
    if args.backup.restore_test.enabled:
        test = args.backup.restore_test
        restore_labels = lbl.standard_labels(
            names.restore_test,
            component="restore-test",
            part_of=args.namespace,
            version=args.version.value,
            extra=args.labels,
        )
        check_env = [
            {"name": "DB_NAME", "value": names.database},
            {"name": "MAX_AGE_HOURS", "value": str(test.max_age_hours)},
            {"name": "HOME", "value": "/tmp"},
        ]
        if test.check_query:
            check_env.append({"name": "CHECK_QUERY", "value": test.check_query})
        out["restore-test"] = _cronjob(
            names.restore_test,
            args,
            restore_labels,
            mesh,
            schedule=test.schedule,
            volume=("restore", "/restore", restore_scratch, storage_class),
            init={
                "name": "download",
                "image": AWS_CLI_IMAGE,
                "command": ["/bin/sh", "-c", RESTORE_DOWNLOAD_SCRIPT],
                "env": aws_env,
                "extra_mounts": [],
                "uid": POSTGRES_UID,
            },
            main={
                "name": "restore-check",
                "image": args.image_ref,
                "command": ["bash", f"{CONFIG_DIR}/restore-check.sh"],
                "env": check_env,
                "extra_mounts": [{"name": "config", "mountPath": CONFIG_DIR, "readOnly": True}],
                "uid": POSTGRES_UID,
            },
            volumes=[
                {
                    "name": "config",
                    "configMap": {
                        "name": names.config,
                        "defaultMode": 0o444,
                        "items": [{"key": "restore-check.sh", "path": "restore-check.sh"}],
                    },
                },
            ],
        )
    return out


def _cronjob(
    name: str,
    args: StatefulDatabaseArgs,
    labels: dict[str, str],
    mesh: MeshMode,
    *,
    schedule: str,
    volume: tuple[str, str, str, str],
    init: dict[str, Any],
    main: dict[str, Any],
    volumes: list[dict[str, Any]],
) -> dict[str, Any]:
    volume_name, volume_path, size, storage_class = volume

    def container(spec: dict[str, Any]) -> dict[str, Any]:
        return {
            "name": spec["name"],
            "image": spec["image"],
            "imagePullPolicy": "Always",
            "command": spec["command"],
            "env": [{"name": "WORK_DIR", "value": volume_path}, *spec["env"]],
            "resources": {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"memory": "1Gi"}},
            "securityContext": _restricted(uid=spec["uid"]),
            "volumeMounts": [
                {"name": volume_name, "mountPath": volume_path},
                {"name": "tmp", "mountPath": "/tmp"},
                *spec["extra_mounts"],
            ],
        }

    pod_spec: dict[str, Any] = {
        "serviceAccountName": name,
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,
        "restartPolicy": "Never",
        "securityContext": {
            **pod_security_context(
                run_as_user=POSTGRES_UID, run_as_group=POSTGRES_UID, fs_group=POSTGRES_UID
            ),
        },
        "initContainers": [container(init)],
        "containers": [container(main)],
        "volumes": [
            {
                "name": volume_name,
                "ephemeral": {
                    "volumeClaimTemplate": {
                        "metadata": {"labels": lbl.selector_labels(name)},
                        "spec": {
                            "accessModes": ["ReadWriteOnce"],
                            "storageClassName": storage_class,
                            "resources": {"requests": {"storage": size}},
                        },
                    }
                },
            },
            {"name": "tmp", "emptyDir": {"sizeLimit": "256Mi"}},
            *volumes,
        ],
    }
    if args.backup_priority_class_name:
        pod_spec["priorityClassName"] = args.backup_priority_class_name
    template_meta: dict[str, Any] = {"labels": dict(labels)}
    pod_annotations = _job_pod_annotations(mesh)
    if pod_annotations:
        template_meta["annotations"] = pod_annotations
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {
            "name": name,
            "namespace": args.namespace,
            "labels": dict(labels),
            "annotations": _checkov_skips(args),
        },
        "spec": {
            "schedule": schedule,
            "timeZone": "Etc/UTC",
            "concurrencyPolicy": "Forbid",
            "startingDeadlineSeconds": 3600,
            "successfulJobsHistoryLimit": 3,
            "failedJobsHistoryLimit": 3,
            "jobTemplate": {
                "metadata": {"labels": dict(labels)},
                "spec": {
                    "backoffLimit": 2,
                    "activeDeadlineSeconds": 6 * 3600,
                    "ttlSecondsAfterFinished": 7 * 86400,
                    "template": {"metadata": template_meta, "spec": pod_spec},
                },
            },
        },
    }


# --------------------------------------------------------------------------------------------------
# IAM and bucket documents (pure)


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


# --------------------------------------------------------------------------------------------------
# The component


class StatefulDatabase(pulumi.ComponentResource):
    """PostgreSQL: StatefulSets, Services, PDB, NetworkPolicy, credentials and backups (module docs)."""

    if TYPE_CHECKING:  # outputs for type checkers and the docs (see SecureWorkload)
        namespace: pulumi.Output[str]
        """Namespace of every Kubernetes object."""
        host: pulumi.Output[str]
        """In-cluster DNS name of the primary (read-write) Service."""
        read_only_host: pulumi.Output[str | None]
        """In-cluster DNS name of the read-replica Service, or None with one instance."""
        port: pulumi.Output[int]
        """PostgreSQL port."""
        database: pulumi.Output[str]
        """Application database name."""
        username: pulumi.Output[str]
        """Application role name."""
        credentials_secret: pulumi.Output[str]
        """Secret with username, password, database, host, port and uri for clients to mount."""
        backup_bucket: pulumi.Output[str | None]
        """Name of the backup bucket, or None without backups."""
        backup_prefix: pulumi.Output[str | None]
        """Key prefix of this database's backups in the bucket."""

    def __init__(
        self,
        name: str,
        args: StatefulDatabaseArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        mesh: MeshSource | None = None,
        cluster: EksCluster | ClusterRef | None = None,
        externals: Sequence[ExternalRef] = (),
    ) -> None:
        """``mesh`` is the mesh mode of the namespace (the MeshNamespace of this program, a
        :class:`~platform_components.refs.NamespaceRef` or a :class:`MeshMode`); ``externals`` declares
        clients that another program deploys (see :class:`~platform_components.refs.ExternalRef`)."""
        try:
            validate_database_name(name)
        except ValueError as exc:
            raise ConfigError(f"StatefulDatabase name: {exc}") from None
        if args.backup.enabled and cluster is None:
            raise ConfigError(
                f"StatefulDatabase {name}: backups need the cluster (workload identity for the backup "
                "jobs); pass cluster=EksCluster(...) or ClusterRef(...), or set backup.enabled false"
            )
        # everything is rendered (and every cross-field rule checked) before the first child exists
        args = args.model_copy(update={"labels": labelled(args.labels)})  # platform:environment
        mode, recorded = resolve_mesh(mesh, args.namespace, f"StatefulDatabase {name}")
        manifests = render_database(name, args, mesh=mode, externals=externals, recorded_mesh=recorded)
        names = Names(name, args)
        if args.backup.enabled:
            ensure_loaded(aws)
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        keep = pulumi.ResourceOptions(parent=self, protect=args.protect, retain_on_delete=True)

        passwords: dict[str, pulumi.Output[str]] = {}
        digest: dict[str, pulumi.Output[str]] = {}
        if args.credentials is not None:
            # caller-supplied: no random resource, and pulumi_random is never imported
            for role, supplied in args.credentials.outputs().items():
                passwords[role] = supplied.apply(
                    functools.partial(
                        _checked_password, field=f"StatefulDatabase {name}: credentials.{role}_password"
                    )
                )
            digest["credentials_digest"] = pulumi.Output.unsecret(
                pulumi.Output.all(*(passwords[role] for role in PASSWORD_ROLES)).apply(
                    functools.partial(credentials_digest, args.namespace, name)
                )
            )
        else:
            import pulumi_random as random  # the generated path only

            for role in PASSWORD_ROLES:
                generated = random.RandomPassword(
                    f"{name}-{role}-password",
                    length=32,
                    special=False,
                    min_lower=4,
                    min_upper=4,
                    min_numeric=4,
                    keepers={"credentials_version": str(args.credentials_version)},
                    opts=child,
                )
                passwords[role] = pulumi.Output.secret(generated.result)

        app = passwords["app"]
        app_data: dict[str, pulumi.Input[str]] = {
            "username": names.username,
            "password": app,
            "database": names.database,
            "host": names.host,
            "port": str(PORT),
            "uri": pulumi.Output.secret(
                app.apply(
                    lambda pw: f"postgresql://{names.username}:{pw}@{names.host}:{PORT}/{names.database}"
                )
            ),
        }
        if args.replicas > 1:
            app_data["ro-host"] = names.read_only_host
        secrets = {
            "app-credentials": app_data,
            "replication-credentials": {"username": REPLICATION_USER, "password": passwords["replication"]},
            "backup-credentials": {"username": BACKUP_USER, "password": passwords["backup"]},
        }

        backup_env: dict[str, pulumi.Output[str]] = {}
        if args.backup.enabled:
            assert cluster is not None  # checked above
            backup_env = self._backup_aws(name, names, args, cluster)

        irsa = cluster is not None and cluster.identity is Identity.IRSA
        created: dict[str, pulumi.Resource] = {}
        for suffix, manifest in manifests.items():
            kind = manifest["kind"]
            opts = child
            if kind == "Secret":
                manifest = {**manifest, "stringData": secrets[suffix]}
            elif kind == "StatefulSet":
                manifest = _substitute(manifest, digest) if digest else manifest
                before = ("sa", "config", "headless", *secrets, "storage-class", "primary")
                opts = pulumi.ResourceOptions.merge(
                    keep, pulumi.ResourceOptions(depends_on=[created[s] for s in before if s in created])
                )
            elif kind == "CronJob":
                manifest = {**manifest, "spec": _substitute(manifest["spec"], backup_env)}
                opts = pulumi.ResourceOptions(
                    parent=self, depends_on=[created[f"{suffix}-sa"], created["config"]]
                )
            elif kind == "StorageClass":
                opts = pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(retain_on_delete=True))
            elif suffix in ("backup-sa", "restore-test-sa") and irsa:
                role_arn = backup_env[f"{suffix.removesuffix('-sa')}_role_arn"]
                annotations = {**(manifest["metadata"].get("annotations") or {}), IRSA_ANNOTATION: role_arn}
                manifest = {**manifest, "metadata": {**manifest["metadata"], "annotations": annotations}}
            created[suffix] = create_object(f"{name}-{suffix}", manifest, opts)

        self.namespace = pulumi.Output.from_input(args.namespace)
        self.host = pulumi.Output.from_input(names.host)
        self.read_only_host = pulumi.Output.from_input(names.read_only_host if args.replicas > 1 else None)
        self.port = pulumi.Output.from_input(PORT)
        self.database = pulumi.Output.from_input(names.database)
        self.username = pulumi.Output.from_input(names.username)
        self.credentials_secret = pulumi.Output.from_input(names.app_secret)
        self.backup_bucket = backup_env["bucket"] if backup_env else pulumi.Output.from_input(None)
        self.backup_prefix = pulumi.Output.from_input(names.prefix if args.backup.enabled else None)
        self.register_outputs(
            {
                "namespace": self.namespace,
                "host": self.host,
                "read_only_host": self.read_only_host,
                "port": self.port,
                "database": self.database,
                "username": self.username,
                "credentials_secret": self.credentials_secret,
                "backup_bucket": self.backup_bucket,
                "backup_prefix": self.backup_prefix,
            }
        )

    def _backup_aws(
        self, name: str, names: Names, args: StatefulDatabaseArgs, cluster: EksCluster | ClusterRef
    ) -> dict[str, pulumi.Output[str]]:
        """The bucket, its key and settings, and the two prefix-scoped roles."""
        child = pulumi.ResourceOptions(parent=self)
        keep = pulumi.ResourceOptions(parent=self, protect=args.protect, retain_on_delete=True)
        tags = {
            lbl.MANAGED_BY_KEY: lbl.MANAGED_BY,
            "platform-components.io/database": f"{args.namespace}/{name}",
        }
        if lbl.ENVIRONMENT in args.labels:
            tags[lbl.ENVIRONMENT] = args.labels[lbl.ENVIRONMENT]
        key = aws.kms.Key(
            f"{name}-backup-key",
            description=f"Backups of the PostgreSQL database {args.namespace}/{name}",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            tags=tags,
            opts=keep,
        )
        bucket = aws.s3.Bucket(f"{name}-backups", force_destroy=False, tags=tags, opts=keep)
        aws.s3.BucketOwnershipControls(
            f"{name}-backups-ownership",
            bucket=bucket.id,
            rule=plain({"object_ownership": "BucketOwnerEnforced"}),
            opts=child,
        )
        public_access = aws.s3.BucketPublicAccessBlock(
            f"{name}-backups-public-access",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        versioning = aws.s3.BucketVersioning(
            f"{name}-backups-versioning",
            bucket=bucket.id,
            versioning_configuration=plain({"status": "Enabled"}),
            opts=child,
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-backups-encryption",
            bucket=bucket.id,
            rules=plain(
                [
                    {
                        "apply_server_side_encryption_by_default": {
                            "sse_algorithm": "aws:kms",
                            "kms_master_key_id": key.arn,
                        },
                        "bucket_key_enabled": True,
                    }
                ]
            ),
            opts=child,
        )
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-backups-lifecycle",
            bucket=bucket.id,
            rules=plain(
                [
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
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[versioning]),
        )
        aws.s3.BucketPolicy(
            f"{name}-backups-policy",
            bucket=bucket.id,
            policy=bucket.arn.apply(bucket_policy),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[public_access]),
        )
        roles = {}
        for role, account, write in (
            ("backup", names.backup, True),
            ("restore-test", names.restore_test, False),
        ):
            policy = pulumi.Output.all(bucket.arn, key.arn).apply(
                functools.partial(_role_document, prefix=names.prefix, write=write)
            )
            roles[role] = cluster.workload_role(
                f"{name}-{role}-role",
                namespace=args.namespace,
                service_account=account,
                inline_policy=policy,
                parent=self,
            )
        return {
            "bucket": bucket.bucket,
            "key_arn": key.arn,
            "backup_role_arn": roles["backup"].arn,
            "restore-test_role_arn": roles["restore-test"].arn,
        }


def _checked_password(value: str, *, field: str) -> str:
    """A supplied password once its value is known: what the init scripts accept, else one line."""
    problem = password_problem(value)
    if problem is not None:
        raise ConfigError(f"{field} {problem}; {PASSWORD_FIX}")
    return value


def credentials_digest(namespace: str, name: str, passwords: Sequence[str]) -> str:
    """A digest of the supplied passwords for the pod template (it changes with any of them).

    scrypt, salted with the database's identity: the annotation is readable by anyone who may read
    StatefulSets, so it must not be a cheap way to test guesses of the passwords."""
    material = "\0".join(passwords).encode()
    salt = f"platform-components/{namespace}/{name}".encode()
    return hashlib.scrypt(material, salt=salt, n=2**14, r=8, p=1, dklen=16).hex()


def _role_document(arns: list[str], *, prefix: str, write: bool) -> str:
    return backup_policy(arns[0], arns[1], prefix, write=write)


def _substitute(value: Any, outputs: dict[str, pulumi.Output[str]]) -> Any:
    """Replace ``${bucket}``/``${key_arn}`` placeholders in a manifest by the Outputs they name."""
    if isinstance(value, dict):
        return {k: _substitute(v, outputs) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, outputs) for v in value]
    if isinstance(value, str) and value.startswith("${") and value.endswith("}"):
        return outputs[value[2:-1]]
    return value


__all__ = [
    "BackupArgs",
    "DatabaseCredentialsArgs",
    "DatabaseResources",
    "PostgresVersion",
    "RestoreTestArgs",
    "StatefulDatabase",
    "StatefulDatabaseArgs",
    "StorageArgs",
    "render_database",
]
