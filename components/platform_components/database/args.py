"""The arguments of StatefulDatabase: pydantic models that check every field before anything renders."""

from __future__ import annotations

import enum
import inspect
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import pulumi
from pydantic import ConfigDict, Field, PlainValidator, field_validator, model_validator

from .._base import StrictModel
from .._validators import check_cron
from ..kube import labels as lbl
from ..kube.images import check_image, parse_image
from ..kube.names import check_dns1123_label, check_dns1123_subdomain, check_labels
from ..kube.netpol import Peer
from ..kube.quantity import check_quantity, parse_quantity
from ..versions import DEFAULT_POSTGRES_VERSION, POSTGRES_IMAGES
from .constants import BACKUP_USER, DEFAULT_STORAGE_CLASS, REPLICATION_USER, ROLE_LABEL, SUPERUSER
from .credentials import PASSWORD_FIX, PASSWORD_ROLES, password_problem

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


__all__ = [
    "BackupArgs",
    "DatabaseCredentialsArgs",
    "DatabaseResources",
    "PasswordInput",
    "PostgresVersion",
    "RestoreTestArgs",
    "StatefulDatabaseArgs",
    "StorageArgs",
]
