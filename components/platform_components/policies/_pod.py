"""Shared helpers for the policy rules: safe getters, pod-spec resolution and label selectors.

Props come from three places (CrossGuard, mocks, rendered YAML) and may be incomplete: keys may be
missing or ``None``, lists may hold non-dicts, and Pulumi replaces secret values with the string
``"[secret]"``. Under CrossGuard, mappings and lists are read-only proxies (``collections.abc``
``Mapping``/``Sequence``, not ``dict``/``list``). Every helper here therefore checks shapes with the
ABCs and returns an empty value instead of raising, so that a rule never raises on odd input.

Pod resolution follows the PSS conventions (policy-anchors §2):

* ``Pod`` -> PS = ``spec``, PM = ``metadata``;
* ``Deployment``/``StatefulSet``/``DaemonSet``/``ReplicaSet``/``Job`` -> ``spec.template.{spec,metadata}``;
* ``CronJob`` -> ``spec.jobTemplate.spec.template.{spec,metadata}``;
* Argo Rollouts ``Rollout`` -> ``spec.template.{spec,metadata}`` like a Deployment. A Rollout that takes its
  pod template from a Deployment (``spec.workloadRef``, the documented migration path) and has no
  template of its own has no pod view: the referenced Deployment's template is judged instead.

``C*`` is ``initContainers + containers + ephemeralContainers`` (PSA visits all three).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

# --- type tokens --------------------------------------------------------------------------------------

POD = "kubernetes:core/v1:Pod"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
STATEFULSET = "kubernetes:apps/v1:StatefulSet"
DAEMONSET = "kubernetes:apps/v1:DaemonSet"
REPLICASET = "kubernetes:apps/v1:ReplicaSet"
JOB = "kubernetes:batch/v1:Job"
CRONJOB = "kubernetes:batch/v1:CronJob"
ROLLOUT = "kubernetes:argoproj.io/v1alpha1:Rollout"
"""Argo Rollouts (``argoproj.io/v1alpha1``): a Deployment with canary / blue-green strategies."""

SERVICE = "kubernetes:core/v1:Service"
SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
SECRET = "kubernetes:core/v1:Secret"
PVC = "kubernetes:core/v1:PersistentVolumeClaim"
RESOURCE_QUOTA = "kubernetes:core/v1:ResourceQuota"
LIMIT_RANGE = "kubernetes:core/v1:LimitRange"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"
PDB = "kubernetes:policy/v1:PodDisruptionBudget"
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
SCALED_OBJECT = "kubernetes:keda.sh/v1alpha1:ScaledObject"
"""KEDA ``ScaledObject``: KEDA creates (and owns) an HPA for its ``spec.scaleTargetRef``."""
ROLE = "kubernetes:rbac.authorization.k8s.io/v1:Role"
CLUSTER_ROLE = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole"
ROLE_BINDING = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding"
CLUSTER_ROLE_BINDING = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding"

#: Pod-bearing type tokens and the path (below the object root) of their pod template.
POD_TEMPLATE_PATHS: Mapping[str, tuple[str, ...]] = {
    POD: (),
    DEPLOYMENT: ("spec", "template"),
    STATEFULSET: ("spec", "template"),
    DAEMONSET: ("spec", "template"),
    REPLICASET: ("spec", "template"),
    JOB: ("spec", "template"),
    CRONJOB: ("spec", "jobTemplate", "spec", "template"),
    ROLLOUT: ("spec", "template"),
}

#: Every pod-bearing kind (PSS "W").
WORKLOAD_TYPES: frozenset[str] = frozenset(POD_TEMPLATE_PATHS)
#: Long-running pod-bearing kinds (probes make sense): W except Job and CronJob.
SERVING_TYPES: frozenset[str] = WORKLOAD_TYPES - {JOB, CRONJOB}
#: Controllers with a ``spec.selector`` that must match their template.
SELECTOR_TYPES: frozenset[str] = frozenset({DEPLOYMENT, STATEFULSET, DAEMONSET, ROLLOUT})

CONTAINER_FIELDS: tuple[str, ...] = ("initContainers", "containers", "ephemeralContainers")


def kind_of(type_token: str) -> str:
    """``Deployment`` for ``kubernetes:apps/v1:Deployment``."""
    return type_token.rsplit(":", 1)[-1]


# --- safe getters --------------------------------------------------------------------------------------


def as_map(value: Any) -> Mapping[str, Any]:
    """``value`` if it is a mapping, else an empty mapping."""
    return value if isinstance(value, Mapping) else {}


def as_list(value: Any) -> list[Any]:
    """``value`` as a list if it is a non-string sequence, else an empty list."""
    if isinstance(value, Sequence) and not isinstance(value, str | bytes | bytearray):
        return list(value)
    return []


def dig(value: Any, *keys: str) -> Any:
    """``value[k1][k2]...`` or ``None`` as soon as a level is not a mapping or lacks the key."""
    for key in keys:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def dig_map(value: Any, *keys: str) -> Mapping[str, Any]:
    return as_map(dig(value, *keys))


def dig_list(value: Any, *keys: str) -> list[Any]:
    return as_list(dig(value, *keys))


def maps(value: Any) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """``(index, item)`` for the mapping items of a list (other items are skipped)."""
    for index, item in enumerate(as_list(value)):
        if isinstance(item, Mapping):
            yield index, item


def strings(value: Any) -> list[str]:
    """The string items of a list (a bare string counts as a one-item list)."""
    if isinstance(value, str):
        return [value]
    return [item for item in as_list(value) if isinstance(item, str)]


def text(value: Any) -> str:
    """``value`` if it is a string, else ``""``."""
    return value if isinstance(value, str) else ""


def one_of(value: Any, allowed: frozenset[str]) -> bool:
    """``value in allowed`` for a string ``value``; ``False`` for anything else (even unhashable values)."""
    return isinstance(value, str) and value in allowed


def show(value: Any) -> str:
    """A short rendering of a (non-sensitive) field value for messages: ``true``, ``8080``, ``"Unmasked"``."""
    if isinstance(value, bool):
        rendered = "true" if value else "false"
    elif isinstance(value, str):
        rendered = f'"{value}"'
    elif value is None:
        rendered = "null"
    elif isinstance(value, int | float):
        rendered = str(value)
    elif isinstance(value, Mapping):
        rendered = "a mapping"
    elif isinstance(value, Sequence):
        rendered = "a list"
    else:
        rendered = type(value).__name__
    return rendered if len(rendered) <= 60 else rendered[:57] + "..."


def is_set(value: Any) -> bool:
    """Neither ``None`` nor an empty string, list or mapping."""
    if value is None:
        return False
    if isinstance(value, str | Mapping):
        return len(value) > 0
    if isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        return len(value) > 0
    return True


def is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def is_false(value: Any) -> bool:
    return value is False or (isinstance(value, str) and value.strip().lower() == "false")


def unset_or_false(value: Any) -> bool:
    """The PSS "{unset, false}" condition; any other value (``true``, ``"[secret]"``, ...) fails closed."""
    return value is None or is_false(value)


def as_int(value: Any) -> int | None:
    """An integer from an int or a decimal string; ``None`` for anything else (bools included)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return int(value)
    return None


def is_zero(value: Any) -> bool:
    return as_int(value) == 0


def scaled(value: Any, total: int, *, round_up: bool) -> int | None:
    """Resolve an int-or-percent (``2``, ``"2"``, ``"50%"``) against ``total`` like the PDB controller."""
    if isinstance(value, str) and value.strip().endswith("%"):
        number = as_int(value.strip()[:-1])
        if number is None:
            return None
        exact = number * total / 100
        return math.ceil(exact) if round_up else math.floor(exact)
    return as_int(value)


# --- object helpers ----------------------------------------------------------------------------------


def metadata(props: Mapping[str, Any]) -> Mapping[str, Any]:
    return dig_map(props, "metadata")


def object_name(props: Mapping[str, Any], fallback: str = "") -> str:
    return text(dig(props, "metadata", "name")) or fallback


def namespace(props: Mapping[str, Any]) -> str:
    """``metadata.namespace`` or ``""`` when unset (two unset namespaces compare equal)."""
    return text(dig(props, "metadata", "namespace"))


def keeps_data(props: Mapping[str, Any]) -> bool:
    """A StatefulSet whose ``spec.volumeClaimTemplates`` is not empty: each pod owns data volumes."""
    return bool(dig_list(props, "spec", "volumeClaimTemplates"))


def labels(value: Any) -> dict[str, str]:
    """A label map with string keys and values (other entries are dropped)."""
    return {k: v for k, v in as_map(value).items() if isinstance(k, str) and isinstance(v, str)}


# --- pod spec resolution -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Container:
    """One entry of ``C*`` with its field path, for messages."""

    field: str
    index: int
    body: Mapping[str, Any]
    path: str

    @property
    def name(self) -> str:
        return text(self.body.get("name"))

    @property
    def label(self) -> str:
        """``spec.template.spec.containers[0] (api)``."""
        return f"{self.path} ({self.name})" if self.name else self.path

    @property
    def security_context(self) -> Mapping[str, Any]:
        return as_map(self.body.get("securityContext"))


@dataclass(frozen=True)
class PodView:
    """The pod spec (PS) and pod metadata (PM) of a pod-bearing object, with their paths."""

    spec: Mapping[str, Any]
    metadata: Mapping[str, Any]
    path: str
    metadata_path: str

    @property
    def security_context(self) -> Mapping[str, Any]:
        return as_map(self.spec.get("securityContext"))

    @property
    def sc_path(self) -> str:
        return f"{self.path}.securityContext"

    @property
    def labels(self) -> dict[str, str]:
        return labels(self.metadata.get("labels"))

    @property
    def annotations(self) -> Mapping[str, Any]:
        return as_map(self.metadata.get("annotations"))

    @property
    def is_windows(self) -> bool:
        """``PS.os.name == "windows"`` exempts the [W] checks of PSS restricted."""
        return text(dig(self.spec, "os", "name")).lower() == "windows"

    @property
    def user_namespace(self) -> bool:
        """``PS.hostUsers == false`` relaxes the [U] checks (runAsNonRoot, runAsUser)."""
        return is_false(self.spec.get("hostUsers"))

    def containers(self, *fields: str) -> Iterator[Container]:
        """The containers of ``fields`` (default ``C*``), skipping entries that are not mappings."""
        for field_name in fields or CONTAINER_FIELDS:
            for index, body in maps(self.spec.get(field_name)):
                yield Container(field_name, index, body, f"{self.path}.{field_name}[{index}]")

    def volumes(self) -> Iterator[tuple[str, Mapping[str, Any]]]:
        """``(label, volume)`` for ``PS.volumes``; the label is ``<path>.volumes[i] (name)``."""
        for index, volume in maps(self.spec.get("volumes")):
            name = text(volume.get("name"))
            path = f"{self.path}.volumes[{index}]"
            yield (f"{path} ({name})" if name else path), volume


def workload_ref(props: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """A Rollout's ``spec.workloadRef`` (a mapping), or ``None`` when it has none."""
    ref = dig(props, "spec", "workloadRef")
    return ref if isinstance(ref, Mapping) else None


def borrows_template(type_token: str, props: Mapping[str, Any]) -> bool:
    """A Rollout with ``spec.workloadRef`` and no pod template of its own (it runs the referenced
    Deployment's template)."""
    if type_token != ROLLOUT or workload_ref(props) is None:
        return False
    template = dig(props, "spec", "template")
    return not isinstance(template, Mapping) or not template


def pod_view(type_token: str, props: Mapping[str, Any]) -> PodView | None:
    """The pod view of a pod-bearing object, or ``None`` for other types (and for a Rollout that borrows
    its template through ``spec.workloadRef``).

    A missing or malformed template resolves to empty mappings, so rules simply find nothing (the API
    server rejects such objects anyway).
    """
    template_path = POD_TEMPLATE_PATHS.get(type_token)
    if template_path is None or borrows_template(type_token, props):
        return None
    if not template_path:
        return PodView(dig_map(props, "spec"), dig_map(props, "metadata"), "spec", "metadata")
    template = dig_map(props, *template_path)
    prefix = ".".join(template_path)
    return PodView(
        as_map(template.get("spec")), as_map(template.get("metadata")), f"{prefix}.spec", f"{prefix}.metadata"
    )


# --- label selectors -------------------------------------------------------------------------------------


def selector_is_empty(selector: Any) -> bool:
    sel = as_map(selector)
    return not as_map(sel.get("matchLabels")) and not as_list(sel.get("matchExpressions"))


def selector_anchor(selector: Any) -> tuple[Any, Any] | None:
    """A label every pod that ``selector`` matches carries: the first ``matchLabels`` item (``None``
    when it has none, or it cannot be a dictionary key)."""
    match_labels = selector.get("matchLabels") if isinstance(selector, Mapping) else None
    if not isinstance(match_labels, Mapping) or not match_labels:
        return None
    anchor = next(iter(match_labels.items()))
    try:
        hash(anchor)
    except TypeError:
        return None
    return anchor


T = TypeVar("T")


class SelectorIndex(Generic[T]):
    """Items that select pods (PDBs, NetworkPolicies), grouped by namespace and by their selector's
    :func:`selector_anchor`: the candidates for a pod are those without an anchor and those whose
    anchor is one of the pod's labels, in the order they were added. Callers still judge each
    candidate with :func:`selector_matches`; the index only skips items that cannot match."""

    def __init__(self) -> None:
        self._anchored: dict[tuple[str, Any, Any], list[tuple[int, T]]] = {}
        self._unanchored: dict[str, list[tuple[int, T]]] = {}
        self._added = 0

    def add(self, namespace_name: str, selector: Any, item: T) -> None:
        entry = (self._added, item)
        self._added += 1
        anchor = selector_anchor(selector)
        if anchor is None:
            self._unanchored.setdefault(namespace_name, []).append(entry)
        else:
            self._anchored.setdefault((namespace_name, *anchor), []).append(entry)

    def candidates(self, namespace_name: str, pod_labels: Mapping[str, str]) -> list[T]:
        found = list(self._unanchored.get(namespace_name, ()))
        for key, value in pod_labels.items():
            try:
                found += self._anchored.get((namespace_name, key, value), ())
            except TypeError:  # a malformed label value: no anchor can equal it
                continue
        found.sort(key=lambda entry: entry[0])
        return [item for _, item in found]


def selector_matches(selector: Any, pod_labels: Mapping[str, str]) -> bool:
    """Kubernetes ``LabelSelector`` semantics; an empty selector matches everything.

    A malformed selector (not a mapping, unknown operator) matches nothing.
    """
    if selector is None:
        return True
    if not isinstance(selector, Mapping):
        return False
    match_labels = selector.get("matchLabels")
    if match_labels is not None and not isinstance(match_labels, Mapping):
        return False
    for key, value in as_map(match_labels).items():
        if pod_labels.get(key) != value:
            return False
    for expression in as_list(selector.get("matchExpressions")):
        if not isinstance(expression, Mapping):
            return False
        key = text(expression.get("key"))
        operator = text(expression.get("operator"))
        values = strings(expression.get("values"))
        present = key in pod_labels
        if operator == "In":
            ok = present and pod_labels[key] in values
        elif operator == "NotIn":
            ok = not present or pod_labels[key] not in values
        elif operator == "Exists":
            ok = present
        elif operator == "DoesNotExist":
            ok = not present
        else:
            return False
        if not ok:
            return False
    return True
