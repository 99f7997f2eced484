"""The StatefulDatabase ComponentResource: it renders everything first, then registers its children.

The constructor is a list of named steps: check the inputs, render the manifests (:mod:`.render`),
the passwords (supplied or generated), the backup bucket, key and roles (AWS), then one Kubernetes
object per manifest with its data, Outputs and options filled in, and the component's outputs.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pulumi

from .._base import plain
from .._optional import ensure_loaded, lazy_module
from .._validators import validate_database_name
from ..cluster import ClusterRef, EksCluster, Identity
from ..context import labelled
from ..errors import ConfigError
from ..kube.objects import create_object
from ..refs import ExternalRef, MeshSource, resolve_mesh
from .args import StatefulDatabaseArgs
from .bucket import backup_tags, encryption_rules, lifecycle_rules
from .constants import BACKUP_USER, IRSA_ANNOTATION, PORT, REPLICATION_USER, TYPE_TOKEN
from .credentials import PASSWORD_ROLES, checked_password, credentials_digest
from .iam import bucket_policy, role_document
from .names import Names
from .render import render_database

if TYPE_CHECKING:
    import pulumi_aws as aws
else:
    aws = lazy_module("pulumi_aws", "StatefulDatabase backups (S3, KMS, IAM)")

Outputs = dict[str, pulumi.Output[str]]
SECRET_SUFFIXES = ("app-credentials", "replication-credentials", "backup-credentials")
"""The child role suffixes of the three Secrets, in creation order."""


def check_inputs(name: str, args: StatefulDatabaseArgs, cluster: EksCluster | ClusterRef | None) -> None:
    """The name is a valid database name, and backups have a cluster for their workload identity."""
    try:
        validate_database_name(name)
    except ValueError as exc:
        raise ConfigError(f"StatefulDatabase name: {exc}") from None
    if args.backup.enabled and cluster is None:
        raise ConfigError(
            f"StatefulDatabase {name}: backups need the cluster (workload identity for the backup "
            "jobs); pass cluster=EksCluster(...) or ClusterRef(...), or set backup.enabled false"
        )


def supplied_passwords(name: str, args: StatefulDatabaseArgs) -> tuple[Outputs, Outputs]:
    """The caller's passwords, checked once known, and their digest for the pod template (no random
    resource, and pulumi_random is never imported)."""
    assert args.credentials is not None
    passwords: Outputs = {}
    for role, supplied in args.credentials.outputs().items():
        passwords[role] = supplied.apply(
            functools.partial(checked_password, field=f"StatefulDatabase {name}: credentials.{role}_password")
        )
    digest = {
        "credentials_digest": pulumi.Output.unsecret(
            pulumi.Output.all(*(passwords[role] for role in PASSWORD_ROLES)).apply(
                functools.partial(credentials_digest, args.namespace, name)
            )
        )
    }
    return passwords, digest


def secret_data(names: Names, args: StatefulDatabaseArgs, passwords: Outputs) -> dict[str, dict[str, Any]]:
    """The ``stringData`` of the three Secrets, keyed by child role suffix."""
    app = passwords["app"]
    app_data: dict[str, pulumi.Input[str]] = {
        "username": names.username,
        "password": app,
        "database": names.database,
        "host": names.host,
        "port": str(PORT),
        "uri": pulumi.Output.secret(
            app.apply(lambda pw: f"postgresql://{names.username}:{pw}@{names.host}:{PORT}/{names.database}")
        ),
    }
    if args.replicas > 1:
        app_data["ro-host"] = names.read_only_host
    return {
        "app-credentials": app_data,
        "replication-credentials": {"username": REPLICATION_USER, "password": passwords["replication"]},
        "backup-credentials": {"username": BACKUP_USER, "password": passwords["backup"]},
    }


def substitute(value: Any, outputs: Outputs) -> Any:
    """Replace ``${bucket}``/``${key_arn}`` placeholders in a manifest by the Outputs they name."""
    if isinstance(value, dict):
        return {k: substitute(v, outputs) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, outputs) for v in value]
    if isinstance(value, str) and value.startswith("${") and value.endswith("}"):
        return outputs[value[2:-1]]
    return value


def filled_in(
    suffix: str,
    manifest: dict[str, Any],
    *,
    secrets: dict[str, dict[str, Any]],
    digest: Outputs,
    backup_env: Outputs,
    irsa: bool,
) -> dict[str, Any]:
    """A rendered manifest with what only the program knows: Secret data, the credentials digest,
    the bucket and key, and (with IRSA) the job roles on their ServiceAccounts."""
    kind = manifest["kind"]
    if kind == "Secret":
        return {**manifest, "stringData": secrets[suffix]}
    if kind == "StatefulSet":
        return substitute(manifest, digest) if digest else manifest
    if kind == "CronJob":
        return {**manifest, "spec": substitute(manifest["spec"], backup_env)}
    if suffix in ("backup-sa", "restore-test-sa") and irsa:
        role_arn = backup_env[f"{suffix.removesuffix('-sa')}_role_arn"]
        annotations = {**(manifest["metadata"].get("annotations") or {}), IRSA_ANNOTATION: role_arn}
        return {**manifest, "metadata": {**manifest["metadata"], "annotations": annotations}}
    return manifest


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
        check_inputs(name, args, cluster)
        # everything is rendered (and every cross-field rule checked) before the first child exists
        args = args.model_copy(update={"labels": labelled(args.labels)})  # platform:environment
        mode, recorded = resolve_mesh(mesh, args.namespace, f"StatefulDatabase {name}")
        manifests = render_database(name, args, mesh=mode, externals=externals, recorded_mesh=recorded)
        names = Names(name, args)
        if args.backup.enabled:
            ensure_loaded(aws)
        super().__init__(TYPE_TOKEN, name, None, opts)

        if args.credentials is not None:
            passwords, digest = supplied_passwords(name, args)
        else:
            passwords, digest = self._generated_passwords(name, args), {}
        secrets = secret_data(names, args, passwords)
        backup_env: Outputs = {}
        if args.backup.enabled:
            assert cluster is not None  # checked above
            backup_env = self._backup_aws(name, names, args, cluster)
        irsa = cluster is not None and cluster.identity is Identity.IRSA
        created: dict[str, pulumi.Resource] = {}
        for suffix, manifest in manifests.items():
            filled = filled_in(
                suffix, manifest, secrets=secrets, digest=digest, backup_env=backup_env, irsa=irsa
            )
            opts = self._child_options(suffix, manifest["kind"], args, created)
            created[suffix] = create_object(f"{name}-{suffix}", filled, opts)
        self._register_database_outputs(names, args, backup_env)

    def _child_options(
        self, suffix: str, kind: str, args: StatefulDatabaseArgs, created: dict[str, pulumi.Resource]
    ) -> pulumi.ResourceOptions:
        """The options of one Kubernetes child: data is kept and protected, and each object depends
        on the ones it reads (``created``: the children registered so far)."""
        child = pulumi.ResourceOptions(parent=self)
        if kind == "StatefulSet":
            keep = pulumi.ResourceOptions(parent=self, protect=args.protect, retain_on_delete=True)
            before = ("sa", "config", "headless", *SECRET_SUFFIXES, "storage-class", "primary")
            return pulumi.ResourceOptions.merge(
                keep, pulumi.ResourceOptions(depends_on=[created[s] for s in before if s in created])
            )
        if kind == "CronJob":
            return pulumi.ResourceOptions(
                parent=self, depends_on=[created[f"{suffix}-sa"], created["config"]]
            )
        if kind == "StorageClass":
            return pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(retain_on_delete=True))
        return child

    def _generated_passwords(self, name: str, args: StatefulDatabaseArgs) -> Outputs:
        """One RandomPassword per role, renewed when ``credentials_version`` changes."""
        import pulumi_random as random  # the generated path only

        passwords: Outputs = {}
        for role in PASSWORD_ROLES:
            generated = random.RandomPassword(
                f"{name}-{role}-password",
                length=32,
                special=False,
                min_lower=4,
                min_upper=4,
                min_numeric=4,
                keepers={"credentials_version": str(args.credentials_version)},
                opts=pulumi.ResourceOptions(parent=self),
            )
            passwords[role] = pulumi.Output.secret(generated.result)
        return passwords

    def _backup_aws(
        self, name: str, names: Names, args: StatefulDatabaseArgs, cluster: EksCluster | ClusterRef
    ) -> Outputs:
        """The bucket, its key and settings, and the two prefix-scoped roles, as the Outputs that
        replace the manifests' placeholders."""
        tags = backup_tags(name, args)
        keep = pulumi.ResourceOptions(parent=self, protect=args.protect, retain_on_delete=True)
        key = aws.kms.Key(
            f"{name}-backup-key",
            description=f"Backups of the PostgreSQL database {args.namespace}/{name}",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            tags=tags,
            opts=keep,
        )
        bucket = aws.s3.Bucket(f"{name}-backups", force_destroy=False, tags=tags, opts=keep)
        self._bucket_settings(name, names, args, bucket, key)
        roles = self._backup_roles(name, names, args, cluster, bucket, key)
        return {
            "bucket": bucket.bucket,
            "key_arn": key.arn,
            "backup_role_arn": roles["backup"].arn,
            "restore-test_role_arn": roles["restore-test"].arn,
        }

    def _bucket_settings(
        self, name: str, names: Names, args: StatefulDatabaseArgs, bucket: aws.s3.Bucket, key: aws.kms.Key
    ) -> None:
        """Owner-enforced, no public access, versioned, SSE-KMS, lifecycle expiry, TLS-only policy."""
        child = pulumi.ResourceOptions(parent=self)
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
            f"{name}-backups-encryption", bucket=bucket.id, rules=plain(encryption_rules(key.arn)), opts=child
        )
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-backups-lifecycle",
            bucket=bucket.id,
            rules=plain(lifecycle_rules(names, args)),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[versioning]),
        )
        aws.s3.BucketPolicy(
            f"{name}-backups-policy",
            bucket=bucket.id,
            policy=bucket.arn.apply(bucket_policy),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[public_access]),
        )

    def _backup_roles(
        self,
        name: str,
        names: Names,
        args: StatefulDatabaseArgs,
        cluster: EksCluster | ClusterRef,
        bucket: aws.s3.Bucket,
        key: aws.kms.Key,
    ) -> dict[str, aws.iam.Role]:
        """The backup job's role (write) and the restore test's (read), scoped to the prefix."""
        roles = {}
        for role, account, write in (
            ("backup", names.backup, True),
            ("restore-test", names.restore_test, False),
        ):
            policy = pulumi.Output.all(bucket.arn, key.arn).apply(
                functools.partial(role_document, prefix=names.prefix, write=write)
            )
            roles[role] = cluster.workload_role(
                f"{name}-{role}-role",
                namespace=args.namespace,
                service_account=account,
                inline_policy=policy,
                parent=self,
            )
        return roles

    def _register_database_outputs(
        self, names: Names, args: StatefulDatabaseArgs, backup_env: Outputs
    ) -> None:
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


__all__ = [
    "StatefulDatabase",
    "check_inputs",
    "filled_in",
    "secret_data",
    "substitute",
    "supplied_passwords",
]
