"""The argument tables of the documentation site, generated from the args models so the docs cannot drift.

The site's build hook (``docs/hooks/generated.py``) puts :func:`model_table` in place of each
``<!-- args: Model -->`` line; ``uv run python -m platform_components._reference`` prints every table.
"""

from __future__ import annotations

import enum
import typing
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

# The models come from the package root: the reference documents the public API and nothing else.
from . import (
    ArgoCdArgs,
    AutoscalingArgs,
    Backend,
    BackupArgs,
    Budget,
    CanaryArgs,
    CanaryStepArgs,
    ContainerArgs,
    CredentialsArgs,
    DatabaseCredentialsArgs,
    DatabaseResources,
    DisruptionArgs,
    EgressRule,
    EksClusterArgs,
    EndpointArgs,
    ExternalSecretArgs,
    ExternalSecretDataArgs,
    FluxArgs,
    GitOpsBootstrapArgs,
    IngressRule,
    KarpenterArgs,
    KedaArgs,
    KedaTriggerArgs,
    MeshNamespaceArgs,
    MonitoringArgs,
    MountArgs,
    NetworkArgs,
    NodeClassArgs,
    NodeGroupArgs,
    NodePoolArgs,
    NotificationArgs,
    ParentRef,
    PathMatch,
    PortArgs,
    PortRef,
    ProbeArgs,
    RepositoryArgs,
    Requirement,
    ResourcesArgs,
    RestoreTestArgs,
    RetryArgs,
    RouteArgs,
    SecureWorkloadArgs,
    SecurityArgs,
    ServiceArgs,
    SpreadArgs,
    SsoArgs,
    StatefulDatabaseArgs,
    StorageArgs,
    Taint,
    VpaArgs,
    VpaBoundsArgs,
)

WORKLOAD_MODELS: tuple[type[BaseModel], ...] = (
    SecureWorkloadArgs,
    ProbeArgs,
    PortArgs,
    ResourcesArgs,
    SecurityArgs,
    AutoscalingArgs,
    DisruptionArgs,
    SpreadArgs,
    ServiceArgs,
    NetworkArgs,
    IngressRule,
    EgressRule,
    PortRef,
    MountArgs,
    ContainerArgs,
    RouteArgs,
    ParentRef,
    PathMatch,
    Backend,
    CanaryArgs,
    CanaryStepArgs,
    KedaArgs,
    KedaTriggerArgs,
    VpaArgs,
    VpaBoundsArgs,
    MonitoringArgs,
    ExternalSecretArgs,
    ExternalSecretDataArgs,
)


CLUSTER_MODELS: tuple[type[BaseModel], ...] = (
    EksClusterArgs,
    EndpointArgs,
    NodeGroupArgs,
    KarpenterArgs,
    NodePoolArgs,
    NodeClassArgs,
    Requirement,
    Budget,
    Taint,
)

TENANCY_MODELS: tuple[type[BaseModel], ...] = (MeshNamespaceArgs,)

DATABASE_MODELS: tuple[type[BaseModel], ...] = (
    StatefulDatabaseArgs,
    DatabaseCredentialsArgs,
    StorageArgs,
    DatabaseResources,
    BackupArgs,
    RestoreTestArgs,
)

GITOPS_MODELS: tuple[type[BaseModel], ...] = (
    GitOpsBootstrapArgs,
    RepositoryArgs,
    CredentialsArgs,
    RetryArgs,
    NotificationArgs,
    ArgoCdArgs,
    SsoArgs,
    FluxArgs,
)

SECTIONS: dict[str, tuple[type[BaseModel], ...]] = {
    "workload": WORKLOAD_MODELS,
    "cluster": CLUSTER_MODELS,
    "tenancy": TENANCY_MODELS,
    "database": DATABASE_MODELS,
    "gitops": GITOPS_MODELS,
}


def _default(field: Any) -> str:
    if field.default is PydanticUndefined and field.default_factory is None:
        return "**required**"
    value = field.default_factory() if field.default_factory is not None else field.default
    if isinstance(value, BaseModel):
        return (
            f"`{type(value).__name__}()` defaults"
            if not value.model_fields_set
            else f"`{value.model_dump(mode='json', exclude_defaults=True)}`"
        )
    if isinstance(value, enum.Enum):
        return f"`{value.value}`"
    if (
        isinstance(value, (list, tuple))
        and value
        and all(isinstance(v, (BaseModel, enum.Enum)) for v in value)
    ):
        return "`[" + ", ".join(_item(v) for v in value) + "]`"
    return f"`{value!r}`" if value not in ([], {}) else "empty"


def _item(value: BaseModel | enum.Enum) -> str:
    """An entry of a default list: an enum's value, a model's non-default fields or ``Model()``."""
    if isinstance(value, enum.Enum):
        return str(value.value)
    dumped = value.model_dump(mode="json", exclude_defaults=True)
    return str(dumped) if dumped else f"{type(value).__name__}()"


def _type(annotation: Any) -> str:
    text = (
        str(annotation) if typing.get_args(annotation) else getattr(annotation, "__name__", str(annotation))
    )
    for prefix in (
        "platform_components.kube.probes.",
        "platform_components.kube.netpol.",
        "platform_components.workload.",
        "platform_components.cluster.",
        "platform_components.karpenter.",
        "platform_components.namespace.",
        "platform_components.database.args.",
        "platform_components.database.",
        "platform_components.gitops.",
        "platform_components.kube.delivery.",
        "platform_components.kube.traffic.",
        "pulumi.output.",
        "typing.",
    ):
        text = text.replace(prefix, "")
    return text.replace("|", "\\|")


def model_table(model: type[BaseModel]) -> str:
    lines = [f"#### `{model.__name__}`", "", "| field | type | default | why |", "|---|---|---|---|"]
    for name, field in model.model_fields.items():
        lines.append(
            f"| `{name}` | {_type(field.annotation)} | {_default(field)} | {field.description or ''} |"
        )
    return "\n".join(lines)


def reference(section: str) -> str:
    return "\n\n".join(model_table(model) for model in SECTIONS[section])


if __name__ == "__main__":
    print("\n\n".join(reference(section) for section in SECTIONS))
