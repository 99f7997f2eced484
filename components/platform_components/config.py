"""PlatformConfig: the one structured stack-config key (``platform-components:platform``) and its loader.

A stack file looks like::

    config:
      platform-components:platform:
        environment: dev
        kubernetes_version: "1.35"
        workloads:
          - name: web
            namespace: shop
            image: ghcr.io/acme/web:1.0.0
            readiness: {path: /readyz}
            liveness: {path: /livez}

Validation errors become :class:`ConfigError` naming the stack file, the line, the YAML path and
the fix, e.g. ``stacks/Pulumi.dev.yaml:12: platform.workloads[0].replicas=-1: Input should be
greater than or equal to 1``. Secret values are never echoed.

Secrets are never written into the platform key: a database's ``credentials`` name secret config
keys of the program (``app_password: {secret_config: orders-app-password}``), which the loader
checks are set, ``secure:`` and valid passwords (:func:`check_secret_config`) and ``to_args`` reads
with ``pulumi.Config().require_secret``.
"""

from __future__ import annotations

import copy
import difflib
import enum
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import yaml
from pydantic import BaseModel, Field, GetJsonSchemaHandler, ValidationError, field_validator, model_validator
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from ._base import StrictModel
from ._validators import check_unique_names, validate_database_name, validate_workload_name
from .admission_policies import AdmissionPoliciesArgs
from .cluster import ClusterSettings, EksClusterArgs
from .context import ENVIRONMENT_KEY
from .database import DatabaseCredentialsArgs, StatefulDatabaseArgs
from .database.credentials import PASSWORD_FIX, PASSWORD_ROLES, password_problem
from .errors import ConfigError
from .gitops import GitOpsBootstrapArgs
from .karpenter import KarpenterArgs, NodePoolArgs
from .kube.names import check_dns1123_label
from .namespace import MeshMode, MeshNamespaceArgs, PodSecurityLevel, Size
from .versions import (
    DEFAULT_KUBERNETES_VERSION,
    KARPENTER_KUBERNETES,
    POSTGRES_IMAGES,
    SUPPORTED_KUBERNETES_VERSIONS,
)
from .workload import SecureWorkloadArgs

ArgsT = TypeVar("ArgsT", bound=BaseModel)

CONFIG_KEY = "platform"
"""The stack-config key (namespaced by the project name) holding the whole platform definition."""


class Environment(enum.StrEnum):
    DEV = "dev"
    STAGING = "staging"
    PROD = "prod"
    LOCAL = "local"


class TeamScoped(StrictModel):
    """What a component declared in the stack file adds to its args: ``team: x`` is shorthand for
    ``namespace: x`` (a team's namespace is its name), and both must agree."""

    team: str | None = Field(default=None, description="Owning team; it goes into the team's namespace.")
    declared_as: ClassVar[str] = "objects"

    @model_validator(mode="before")
    @classmethod
    def _team_namespace(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("team") is not None:
            if "namespace" not in data:
                return {**data, "namespace": data["team"]}
            if data["namespace"] != data["team"]:
                raise ValueError(
                    f"team {data['team']!r} and namespace {data['namespace']!r} disagree; a team's "
                    f"{cls.declared_as} live in the team's namespace, so give only team"
                )
        return data

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """The JSON Schema says what ``_team_namespace`` accepts: ``namespace`` or ``team``, or both."""
        schema = handler(core_schema)
        target = handler.resolve_ref_schema(schema)
        required = target.get("required", [])
        if "namespace" in required:
            target["required"] = [name for name in required if name != "namespace"]
            target["anyOf"] = [{"required": ["namespace"]}, {"required": ["team"]}]
        return schema

    def component_args(self, model: type[ArgsT]) -> ArgsT:
        """The component's arguments: everything but the name and the team shorthand."""
        return model.model_validate(self.model_dump(exclude={"name", "team"}, exclude_unset=True))


class WorkloadConfig(SecureWorkloadArgs, TeamScoped):
    """A SecureWorkload declared in the stack file: its name plus its :class:`SecureWorkloadArgs`."""

    name: str = Field(description="Workload name: the Kubernetes object names and the Service DNS name.")
    declared_as: ClassVar[str] = "workloads"

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return validate_workload_name(value)

    def to_args(self) -> SecureWorkloadArgs:
        return self.component_args(SecureWorkloadArgs)


_CONFIG_KEY_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class SecretConfigRef(StrictModel):
    """A value kept in the stack's config as a secret (``pulumi config set --secret <key> <value>``)."""

    secret_config: str = Field(
        description="Config key in the program's namespace (no 'project:' prefix), set with --secret."
    )

    @field_validator("secret_config")
    @classmethod
    def _key(cls, value: str) -> str:
        if ":" in value:
            raise ValueError(
                f"give the config key without its namespace ({value.rpartition(':')[2]!r}); it is read from "
                "the program's own namespace"
            )
        if not _CONFIG_KEY_NAME.match(value):
            raise ValueError(f"{value!r} is not a config key name; use letters, digits, '-', '_' and '.'")
        return value


class DatabaseCredentialsConfig(StrictModel):
    """The passwords of a database declared in the stack file, each from a secret config key."""

    app_password: SecretConfigRef = Field(description="Password of the application role.")
    replication_password: SecretConfigRef = Field(description="Password of the replication role.")
    backup_password: SecretConfigRef = Field(description="Password of the backup role.")

    @model_validator(mode="after")
    def _distinct(self) -> DatabaseCredentialsConfig:
        keys = [getattr(self, f"{role}_password").secret_config for role in PASSWORD_ROLES]
        if len(set(keys)) < len(keys):
            raise ValueError(
                f"the three passwords name the same config key {keys}; each role needs its own password"
            )
        return self

    def keys(self) -> dict[str, str]:
        """Field name (``app_password`` ...) -> config key."""
        return {
            f"{role}_password": getattr(self, f"{role}_password").secret_config for role in PASSWORD_ROLES
        }

    def to_args(self) -> DatabaseCredentialsArgs:
        """The passwords as secret Outputs of the running program's config (``require_secret``)."""
        import pulumi

        config = pulumi.Config()
        return DatabaseCredentialsArgs.model_validate(
            {field: config.require_secret(key) for field, key in self.keys().items()}
        )


class DatabaseConfig(StatefulDatabaseArgs, TeamScoped):
    """A StatefulDatabase declared in the stack file: its name plus its :class:`StatefulDatabaseArgs`,
    with the passwords named by secret config keys rather than given."""

    name: str = Field(description="Database name: the StatefulSet, Service and Secret names derive from it.")
    # the stack file names config keys; to_args turns them into the component's secret Outputs
    credentials: DatabaseCredentialsConfig | None = Field(  # type: ignore[assignment]
        default=None,
        description="Passwords from secret stack config instead of generated ones (all three).",
    )
    declared_as: ClassVar[str] = "databases"

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """As a team-scoped entry's, with ``version`` as the loader reads it: ``"17"`` or ``17``."""
        schema = super().__get_pydantic_json_schema__(core_schema, handler)
        properties = handler.resolve_ref_schema(schema)["properties"]
        version = properties["version"]
        choice = {key: version.pop(key) for key in ("$ref", "enum", "type") if key in version}
        version["anyOf"] = [choice, {"type": "integer", "enum": [int(v) for v in POSTGRES_IMAGES]}]
        return schema

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return validate_database_name(value)

    def to_args(self) -> StatefulDatabaseArgs:
        data = self.model_dump(exclude={"name", "team", "credentials"}, exclude_unset=True)
        if self.credentials is not None:
            data["credentials"] = self.credentials.to_args()
        return StatefulDatabaseArgs.model_validate(data)


class ClusterConfig(ClusterSettings):
    """The EKS cluster of an environment: :class:`EksClusterArgs` without what the stack sets once
    (the Kubernetes minor is ``kubernetes_version``; tags come from the environment)."""

    def to_args(self, kubernetes_version: str, tags: dict[str, str]) -> EksClusterArgs:
        return EksClusterArgs.model_validate(
            {**self.model_dump(exclude_unset=True), "kubernetes_version": kubernetes_version, "tags": tags}
        )


class NodePoolConfig(NodePoolArgs):
    """A Karpenter node pool declared in the stack file: its name plus :class:`NodePoolArgs`."""

    name: str = Field(description="NodePool and EC2NodeClass name (DNS-1123 label).")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_dns1123_label(value)

    def to_args(self) -> NodePoolArgs:
        return NodePoolArgs.model_validate(self.model_dump(exclude={"name"}, exclude_unset=True))


class TeamConfig(StrictModel):
    """A team: its namespace (named after the team), mesh enrolment, size, owners and RBAC group."""

    name: str = Field(description="Team name: also its namespace (DNS-1123 label).")
    owners: list[str] = Field(
        default_factory=list, description="IAM role/user ARNs with access to the namespace."
    )
    group: str | None = Field(
        default=None, description="Kubernetes group bound to the team Role (default <name>-developers)."
    )
    mesh: MeshMode = Field(
        default=MeshMode.NONE, description="none, istio-ambient, istio-sidecar, linkerd or cilium."
    )
    waypoint: bool = Field(default=False, description="Istio ambient waypoint for L7 policy.")
    size: Size = Field(default=Size.SMALL, description="Quota preset.")
    quota: dict[str, str] = Field(default_factory=dict, description="ResourceQuota overrides.")
    pod_security: PodSecurityLevel = Field(
        default=PodSecurityLevel.RESTRICTED, description="PSA level; lower is an explicit, reported opt-out."
    )
    policy_exemptions: dict[str, str] = Field(default_factory=dict, description="rule id -> reason.")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_dns1123_label(value)

    def to_args(self, *, mesh_cni: bool, kubernetes_version: str) -> MeshNamespaceArgs:
        return MeshNamespaceArgs.model_validate(
            {
                **self.model_dump(exclude={"name"}, exclude_unset=True),
                "mesh_cni": mesh_cni,
                "pod_security_version": f"v{kubernetes_version}",
            }
        )


class GatewayConfig(StrictModel):
    """The environment's shared ingress Gateway (Gateway API); team routes attach to it."""

    name: str = Field(default="public", description="Gateway name.")
    namespace: str = Field(
        default="gateway", description="Namespace of the Gateway (created, PSA restricted)."
    )
    class_name: str = Field(default="istio", description="GatewayClass of the installed implementation.")
    hostname: str = Field(description="Wildcard or host served, e.g. '*.dev.example.com'.")
    certificate_secret: str = Field(
        description="TLS Secret (in the Gateway namespace) for the HTTPS listener."
    )

    @field_validator("name", "namespace", "certificate_secret")
    @classmethod
    def _label(cls, value: str) -> str:
        return check_dns1123_label(value)


GITOPS_FROM_STACK = ("environment", "teams", "kubernetes_version")
"""The fields of the GitOps block that the stack sets itself (a stack file must not)."""


class PlatformConfig(StrictModel):
    """Everything one environment stack declares."""

    environment: Environment = Field(description="Environment name; selects nothing by itself (data does).")
    kubernetes_version: str = Field(
        default=DEFAULT_KUBERNETES_VERSION,
        description="Target Kubernetes minor: manifests are validated against its OpenAPI schema.",
        json_schema_extra={"enum": list(SUPPORTED_KUBERNETES_VERSIONS)},
    )
    cluster: ClusterConfig | None = Field(
        default=None,
        description="The EKS cluster; omitted: use the cluster of the ambient kubeconfig context.",
    )
    karpenter: KarpenterArgs | None = Field(
        default=None, description="Karpenter settings; installed whenever there is a cluster."
    )
    node_pools: list[NodePoolConfig] = Field(default_factory=list, description="Karpenter node pools.")
    mesh_cni: bool = Field(
        default=False, description="The cluster runs the mesh CNI plugin (Istio ambient installs it)."
    )
    teams: list[TeamConfig] = Field(default_factory=list, description="Teams and their namespaces.")
    gateway: GatewayConfig | None = Field(default=None, description="Shared ingress Gateway.")
    workloads: list[WorkloadConfig] = Field(
        default_factory=list, description="SecureWorkloads deployed by the platform stack itself."
    )
    databases: list[DatabaseConfig] = Field(
        default_factory=list, description="StatefulDatabases (PostgreSQL) deployed by the platform stack."
    )
    gitops: GitOpsBootstrapArgs | None = Field(
        default=None,
        description="Argo CD or Flux bootstrap; environment, teams and Kubernetes minor come from this stack.",
    )
    admission: AdmissionPoliciesArgs = Field(
        default_factory=AdmissionPoliciesArgs,
        description="The pack's rules as ValidatingAdmissionPolicies: per-rule actions and excluded namespaces.",
    )
    skip_await: bool = Field(
        default=False,
        description=(
            "Do not wait for objects to become ready or to be deleted: every Kubernetes object gets "
            '`pulumi.com/skipAwait: "true"` and `pulumi.com/deletionPropagationPolicy: background`, Helm '
            "releases and YAML groups `skip_await`. For clusters that run no workloads (an API server without "
            "nodes, a test control plane); refused for prod."
        ),
    )

    @model_validator(mode="before")
    @classmethod
    def _gitops_context(cls, data: Any) -> Any:
        """The GitOps block gets the stack's environment, team namespaces and Kubernetes minor."""
        if not isinstance(data, dict) or not isinstance(data.get("gitops"), dict):
            return data
        gitops = dict(data["gitops"])
        for key in GITOPS_FROM_STACK:
            if key in gitops:
                raise ValueError(f"gitops.{key} is set by the stack itself; remove it from the gitops block")
        teams = data.get("teams") or []
        gitops["environment"] = data.get("environment")
        gitops["teams"] = [t.get("name") for t in teams if isinstance(t, dict)]
        gitops["kubernetes_version"] = data.get("kubernetes_version", DEFAULT_KUBERNETES_VERSION)
        return {**data, "gitops": gitops}

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """The JSON Schema of the ``gitops`` block is the one a stack file writes: without the fields
        ``_gitops_context`` fills in (:data:`GITOPS_FROM_STACK`), which it refuses there."""
        schema = handler(core_schema)
        gitops = handler.resolve_ref_schema(schema)["properties"]["gitops"]
        branches = gitops["anyOf"]
        for index, branch in enumerate(branches):
            if "$ref" not in branch:
                continue
            block = copy.deepcopy(handler.resolve_ref_schema(branch))
            for key in GITOPS_FROM_STACK:
                block["properties"].pop(key, None)
            block["required"] = [name for name in block.get("required", []) if name not in GITOPS_FROM_STACK]
            block["description"] = (
                f"GitOpsBootstrapArgs without what the stack sets itself ({', '.join(GITOPS_FROM_STACK)})."
            )
            branches[index] = block
        return schema

    @model_validator(mode="after")
    def _no_skip_await_in_prod(self) -> PlatformConfig:
        if self.skip_await and self.environment is Environment.PROD:
            raise ValueError(
                "skip_await is for clusters that run no workloads (pulumi up would report pods that never "
                "start as ready); remove it from the prod stack"
            )
        return self

    @field_validator("kubernetes_version", mode="before")
    @classmethod
    def _version(cls, value: Any) -> Any:
        if isinstance(value, float):  # YAML reads 1.30 as the float 1.3
            raise ValueError(
                f"write the Kubernetes version as a quoted string, e.g. \"{value}\" -> '1.{str(value)[2:]}'"
            )
        if value not in SUPPORTED_KUBERNETES_VERSIONS:
            raise ValueError(
                f"Kubernetes {value!r} is not supported; use one of {', '.join(SUPPORTED_KUBERNETES_VERSIONS)}"
            )
        return value

    @field_validator("workloads")
    @classmethod
    def _unique(cls, value: list[WorkloadConfig]) -> list[WorkloadConfig]:
        check_unique_names(value, field="workloads", kind="workload")
        return value

    @field_validator("databases")
    @classmethod
    def _unique_databases(cls, value: list[DatabaseConfig]) -> list[DatabaseConfig]:
        check_unique_names(value, field="databases", kind="database")
        return value

    @field_validator("node_pools")
    @classmethod
    def _unique_pools(cls, value: list[NodePoolConfig]) -> list[NodePoolConfig]:
        check_unique_names(value, field="node_pools", kind="node pool")
        return value

    @field_validator("teams")
    @classmethod
    def _unique_teams(cls, value: list[TeamConfig]) -> list[TeamConfig]:
        check_unique_names(value, field="teams", kind="team")
        return value

    @model_validator(mode="after")
    def _tenancy(self) -> PlatformConfig:
        for index, team in enumerate(self.teams):
            try:
                team.to_args(mesh_cni=self.mesh_cni, kubernetes_version=self.kubernetes_version)
            except ValidationError as exc:
                detail = str(exc.errors(include_url=False)[0]["msg"]).removeprefix("Value error, ")
                raise ValueError(f"teams[{index}] ({team.name}): {detail}") from None
            if team.owners and self.cluster is None:
                raise ValueError(f"teams[{index}] ({team.name}): owners need a cluster (EKS access entries)")
        if self.teams:
            teams = {t.name for t in self.teams}
            for index, workload in enumerate(self.workloads):
                if workload.namespace not in teams:
                    raise ValueError(
                        f"workloads[{index}] ({workload.name}) is in namespace {workload.namespace!r}, which is not "
                        f"a declared team ({', '.join(sorted(teams))}); declare the team or fix the workload"
                    )
            for index, database in enumerate(self.databases):
                if database.namespace not in teams:
                    raise ValueError(
                        f"databases[{index}] ({database.name}) is in namespace {database.namespace!r}, which is not "
                        f"a declared team ({', '.join(sorted(teams))}); declare the team or fix the database"
                    )
        workloads = {(w.namespace, w.name) for w in self.workloads}
        for index, database in enumerate(self.databases):
            clash = {
                database.name,
                f"{database.name}-ro",
                f"{database.name}-headless",
                f"{database.name}-backup",
            }
            taken = sorted(n for ns, n in workloads if ns == database.namespace and n in clash)
            if taken:
                raise ValueError(
                    f"databases[{index}] ({database.name}) would reuse the Kubernetes name {taken[0]!r} of a workload "
                    f"in namespace {database.namespace}; rename the database or the workload"
                )
            for client_index, client in enumerate(database.clients):
                if client.workload is None or (client.namespace or database.namespace) != database.namespace:
                    continue
                if (database.namespace, client.workload) not in workloads:
                    raise ValueError(
                        f"databases[{index}].clients[{client_index}].workload {client.workload!r} is not a workload of "
                        f"namespace {database.namespace}; declare it or fix the name"
                    )
            if self.cluster is None and database.backup.enabled:
                raise ValueError(
                    f"databases[{index}] ({database.name}): backups need the stack's EKS cluster (workload identity "
                    "to reach S3); add a cluster or set backup.enabled false"
                )
            strict = self.environment in (Environment.STAGING, Environment.PROD)
            if strict and not (database.backup.enabled and database.backup.restore_test.enabled):
                raise ValueError(
                    f"databases[{index}] ({database.name}): {self.environment.value} databases must be backed up "
                    "and restore-tested; remove backup.enabled/restore_test.enabled false"
                )
        if self.gateway is not None and self.gateway.namespace in {t.name for t in self.teams}:
            raise ValueError(
                f"gateway.namespace {self.gateway.namespace!r} is a team namespace; use its own namespace"
            )
        return self

    @model_validator(mode="after")
    def _cluster_layer(self) -> PlatformConfig:
        if self.cluster is None and (self.node_pools or self.karpenter is not None):
            raise ValueError(
                "node_pools and karpenter need a 'cluster' (Karpenter runs on the EKS cluster this stack creates)"
            )
        if self.cluster is not None:
            karpenter = self.karpenter_args
            supported = KARPENTER_KUBERNETES[karpenter.version]
            if self.kubernetes_version not in supported:
                raise ValueError(
                    f"karpenter.version {karpenter.version} does not support Kubernetes {self.kubernetes_version}; "
                    f"use a Kubernetes minor in {', '.join(supported)} or another Karpenter release"
                )
        if self.environment in (Environment.STAGING, Environment.PROD):
            for index, pool in enumerate(self.node_pools):
                if not pool.node_class.pinned:
                    raise ValueError(
                        f"node_pools[{index}].node_class.ami_alias {pool.node_class.ami_alias!r} floats in "
                        f"{self.environment.value}; pin an AMI version (e.g. 'al2023@v20251117') outside dev"
                    )
        return self

    @property
    def karpenter_args(self) -> KarpenterArgs:
        return self.karpenter if self.karpenter is not None else KarpenterArgs()

    @property
    def namespaces(self) -> list[str]:
        return sorted({w.namespace for w in self.workloads} | {d.namespace for d in self.databases})


# --------------------------------------------------------------------------------------------------
# Error formatting


def format_validation_error(
    exc: ValidationError,
    *,
    root: str = CONFIG_KEY,
    source: str | None = None,
    locate: Any = None,
    secret_paths: Sequence[str] = (),
) -> ConfigError:
    """One clear line from a pydantic error: file, line, YAML path, what is wrong and the fix."""
    # A typo of a required key shows up as "extra" + "missing": report the typo, it is the cause.
    priority = {"extra_forbidden": 0, "missing": 2}
    errors = sorted(exc.errors(include_url=False), key=lambda e: priority.get(str(e["type"]), 1))
    first = errors[0]
    loc = tuple(first["loc"])
    kind = first["type"]
    if kind == "extra_forbidden":
        field_loc = loc[:-1]
        key = str(loc[-1])
        message = f"unknown key {key!r}" + _suggest(key, _allowed_fields(exc, field_loc))
        path = _yaml_path(root, loc)
    elif kind == "missing":
        message = f"missing required field {str(loc[-1])!r}; add it"
        path = _yaml_path(root, loc[:-1])
        path = f"{path}.{loc[-1]}"
    else:
        message = str(first["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        if not loc:
            # a cross-field rule names the offending field first ("databases[0].clients[1].workload ..."):
            # point the path and the line at it rather than at the root
            named = _MESSAGE_PATH.match(message)
            if named is not None:
                loc = tuple(
                    int(part) if part.isdigit() else part
                    for part in re.findall(r"[a-z_]+|\d+", named.group(1))
                )
                rest = message[named.end(1) :].lstrip(" :")
                if not rest.startswith("("):  # "teams[1] (payments): ..." reads best as it is
                    message = rest
        path = _yaml_path(root, loc)
        value = first.get("input")
        if path in secret_paths:
            message = "invalid value (a secret: not shown); check the value you set"
        elif isinstance(value, (str, int, float, bool)):
            path = f"{path}={value!r}" if isinstance(value, str) else f"{path}={value}"
    more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
    line = locate(loc) if locate is not None else None
    where = f"{source}:{line}" if source and line else source
    return ConfigError(f"{path}: {message}{more}", source=where, path=path)


_MESSAGE_PATH = re.compile(r"^([a-z_]+\[\d+\](?:\.[a-z_]+(?:\[\d+\])?)*)[ :]")
_UNION_MARKERS = ("function-", "union[", "tagged-union[", "list[", "dict[")


def _yaml_path(root: str, loc: Sequence[Any]) -> str:
    out = root
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif str(part).startswith(_UNION_MARKERS) or str(part) in ("int", "str", "float", "bool", "none"):
            continue  # pydantic's union-branch markers are not YAML keys
        else:
            out += f".{part}"
    return out


def _allowed_fields(exc: ValidationError, loc: Sequence[Any]) -> list[str]:
    model: Any = exc.title and _model_by_title(exc.title)
    if model is None:
        return []
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return []
        model = _inner_model(field.annotation)
    return sorted(model.model_fields) if model is not None else []


def _inner_model(annotation: Any) -> Any:
    import typing

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _model_by_title(title: str) -> Any:
    from . import workload

    candidates: dict[str, Any] = {"PlatformConfig": PlatformConfig, "WorkloadConfig": WorkloadConfig}
    candidates.update(
        {
            name: obj
            for name, obj in vars(workload).items()
            if isinstance(obj, type) and issubclass(obj, BaseModel)
        }
    )
    return candidates.get(title)


def _suggest(key: str, allowed: Sequence[str]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1)
    if close:
        return f"; did you mean {close[0]!r}?"
    if allowed:
        return f"; allowed keys: {', '.join(allowed)}"
    return "; remove it"


def validate_config(
    raw: Any,
    *,
    source: str | None = None,
    locate: Any = None,
    model: type[BaseModel] = PlatformConfig,
    root: str = CONFIG_KEY,
) -> Any:
    """``model.model_validate(raw)`` with errors turned into a one-line :class:`ConfigError`."""
    if not isinstance(raw, Mapping):
        raise ConfigError(
            f"{root} must be a mapping of settings, got {type(raw).__name__}; see docs/guide/stack-configuration.md",
            source=source,
            path=root,
        )
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise format_validation_error(exc, root=root, source=source, locate=locate) from None


# --------------------------------------------------------------------------------------------------
# Stack files


STACK_FILE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser where PyYAML was built with it (several times faster), else PyYAML's own: the
same data and line numbers either way; only a syntax error's wording differs."""


def _parse_yaml(text: str) -> tuple[yaml.Node | None, Any]:
    """``text`` parsed once: its node tree (for line numbers) and the data built from it."""
    loader = STACK_FILE_LOADER(text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


class StackFile:
    """A parsed ``Pulumi.<stack>.yaml`` that remembers where every key is, for error messages."""

    def __init__(self, path: Path, *, display: str | None = None) -> None:
        self.path = path
        self.display = display or str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigError(f"stack file {self.display} does not exist") from None
        try:
            self.node, data = _parse_yaml(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"{self.display}:{mark.line + 1}" if mark is not None else self.display
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise ConfigError(
                f"YAML syntax error: {problem}; fix the indentation or quoting", source=where
            ) from None
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise ConfigError("a stack file must be a mapping with a 'config' key", source=self.display)
        self.data: dict[str, Any] = data
        config = data.get("config") or {}
        if not isinstance(config, dict):
            raise ConfigError("'config' must be a mapping of keys to values", source=f"{self.display}")
        self.config: dict[str, Any] = config

    def line_of(self, keys: Sequence[Any]) -> int | None:
        """1-based line of the value at ``keys`` (a path of mapping keys and list indexes), best effort."""
        node: Any = self.node
        line: int | None = None
        for key in keys:
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if key_node.value == str(key):
                        node = value_node
                        line = key_node.start_mark.line + 1
                        break
                else:
                    return line
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
                node = node.value[key]
                line = node.start_mark.line + 1
            else:
                return line
        return line

    def secure_keys(self) -> list[str]:
        return [k for k, v in self.config.items() if isinstance(v, dict) and set(v) == {"secure"}]


def config_key(project: str, key: str = CONFIG_KEY) -> str:
    return f"{project}:{key}"


def load_platform_config(raw: Any | None = None, *, project: str | None = None) -> PlatformConfig:
    """Load and validate the platform config inside a running Pulumi program.

    ``raw`` defaults to ``pulumi.Config().require_object("platform")``; errors name the stack file
    (``<stackConfigDir>/Pulumi.<stack>.yaml``) and the line when the file can be found.
    """
    import pulumi

    stack = pulumi.get_stack()
    project = project or pulumi.get_project()
    found = find_stack_file(stack)
    stack_file, display = found if found else (None, f"Pulumi.{stack}.yaml")
    if raw is None:
        raw = pulumi.Config().get_object(CONFIG_KEY)
        if raw is None:
            raise ConfigError(
                f"missing config key '{config_key(project)}'; add it under 'config:' (see docs/guide/stack-configuration.md)",
                source=display,
            )
    locate: Any = None
    if stack_file is not None:
        try:
            parsed = StackFile(stack_file, display=display)
            key = config_key(project)

            def locate(loc: Sequence[Any]) -> int | None:
                return parsed.line_of(["config", key, *loc])
        except ConfigError:
            locate = None
    result: PlatformConfig = validate_config(raw, source=display, locate=locate)
    check_secret_config(result, project=project, source=display, locate=locate)
    environment = pulumi.Config("platform").get("environment")
    if environment is not None and environment.strip() != result.environment.value:
        raise ConfigError(
            f"{ENVIRONMENT_KEY} is {environment!r} but {config_key(project)}.environment is "
            f"{result.environment.value!r}; both name this stack's environment, make them agree",
            source=display,
        )
    return result


def check_secret_config(config: PlatformConfig, *, project: str, source: str, locate: Any = None) -> None:
    """Every config key a database names for a password is set, is a secret and holds a password the
    init scripts accept; otherwise one line with the file, the line and the ``pulumi config`` fix."""
    import pulumi.runtime

    for index, database in enumerate(config.databases):
        if database.credentials is None:
            continue
        for field, key in database.credentials.keys().items():
            loc = ("databases", index, "credentials", field, "secret_config")
            path = f"{_yaml_path(CONFIG_KEY, loc)}={key!r}"
            line = locate(loc) if locate is not None else None
            where = f"{source}:{line}" if line else source
            full = config_key(project, key)
            value = pulumi.runtime.get_config(full)
            fix = f"set it with `pulumi config set --secret {key} <value>`"
            if value is None:
                message = f"stack config key '{full}' is not set; {fix}"
            elif not pulumi.runtime.is_config_secret(full):
                message = (
                    f"stack config key '{full}' holds a plaintext value; passwords must be secrets: "
                    f"`pulumi config rm {key}`, then {fix}"
                )
            elif (problem := password_problem(str(value))) is not None:
                message = f"the secret in '{full}' (not shown) {problem}; {PASSWORD_FIX}"
            else:
                continue
            raise ConfigError(f"{path}: {message}", source=where, path=path)


def find_stack_file(stack: str, start: Path | None = None) -> tuple[Path, str] | None:
    """``Pulumi.<stack>.yaml`` of the nearest project above ``start`` (default: the working directory),
    with its path relative to the project folder (``stacks/Pulumi.dev.yaml``) for messages."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        project_file = folder / "Pulumi.yaml"
        if not project_file.is_file():
            continue
        try:
            project = yaml.safe_load(project_file.read_text(encoding="utf-8"))
        except yaml.YAMLError:
            return None
        config_dir = project.get("stackConfigDir") if isinstance(project, dict) else None
        candidate = folder / str(config_dir or ".") / f"Pulumi.{stack}.yaml"
        if not candidate.is_file():
            return None
        return candidate, os.path.relpath(candidate, folder)
    return None


__all__ = [
    "CONFIG_KEY",
    "DEFAULT_KUBERNETES_VERSION",
    "GITOPS_FROM_STACK",
    "SUPPORTED_KUBERNETES_VERSIONS",
    "ClusterConfig",
    "DatabaseConfig",
    "DatabaseCredentialsConfig",
    "Environment",
    "GatewayConfig",
    "NodePoolConfig",
    "PlatformConfig",
    "SecretConfigRef",
    "StackFile",
    "TeamConfig",
    "WorkloadConfig",
    "check_secret_config",
    "find_stack_file",
    "format_validation_error",
    "load_platform_config",
    "validate_config",
]
