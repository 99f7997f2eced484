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

**Modules.** ``args`` (the pydantic arguments), ``credentials`` (password rules and the digest),
``names`` (the Kubernetes names of one database), ``constants`` (fixed names, paths, ports),
``config_files`` (postgresql.conf, pg_hba.conf and the shell scripts shipped in ``scripts/``),
``render`` (arguments to manifests, pure) with ``statefulset`` and ``backup_jobs``, ``hardening``
(security contexts, checkov skips), ``iam`` and ``bucket`` (the backup bucket's policies and
settings), and ``component`` (the ComponentResource that registers the children).
"""

from __future__ import annotations

from .args import (
    BackupArgs,
    DatabaseCredentialsArgs,
    DatabaseResources,
    PostgresVersion,
    RestoreTestArgs,
    StatefulDatabaseArgs,
    StorageArgs,
)
from .component import StatefulDatabase
from .render import render_database

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
