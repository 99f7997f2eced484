"""Stack rules: checks that relate several objects (PDBs, HPAs and NetworkPolicies to workloads).

Objects relate only within one namespace (``metadata.namespace``; two unset namespaces compare equal,
since both land in the provider's default). Workloads are identified by ``metadata.name``, falling back
to the Pulumi logical name when the manifest has none.

The offending resource of a missing PodDisruptionBudget or NetworkPolicy is the workload itself; a
PodDisruptionBudget that blocks every eviction is reported on the PodDisruptionBudget, and HPA
problems on the HorizontalPodAutoscaler.

``avail-pdb`` asks replicated workloads for a PodDisruptionBudget (capacity during drains);
``sts-pvc-pdb`` asks every StatefulSet with volume claim templates for one, whatever its replica count
(a database pod is evicted only with the budget's consent). A replicated StatefulSet with claims and
no PodDisruptionBudget is therefore reported by both.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from components.policies._pod import (
    DEPLOYMENT,
    HPA,
    NETWORK_POLICY,
    PDB,
    STATEFULSET,
    WORKLOAD_TYPES,
    as_int,
    as_list,
    dig,
    dig_map,
    keeps_data,
    kind_of,
    namespace,
    object_name,
    pod_view,
    scaled,
    selector_matches,
    show,
    strings,
    text,
)
from components.policies.base import Enforcement, Resource, Severity, StackRule

M, A = Enforcement.MANDATORY, Enforcement.ADVISORY

Finding = tuple[Resource, str]
SCALABLE_TYPES = frozenset({DEPLOYMENT, STATEFULSET})


@dataclass(frozen=True)
class Workload:
    resource: Resource
    kind: str
    name: str
    namespace: str
    labels: dict[str, str]
    labels_path: str
    """``spec.template.metadata.labels`` (``metadata.labels`` for a Pod), for messages."""

    @property
    def replicas(self) -> int | None:
        """``spec.replicas`` (default 1); ``None`` when it is not a number (for example a secret)."""
        value = dig(self.resource.props, "spec", "replicas")
        return 1 if value is None else as_int(value)


@dataclass(frozen=True)
class Autoscaler:
    resource: Resource
    namespace: str
    target_kind: str
    target_name: str

    @property
    def min_replicas(self) -> int | None:
        """``spec.minReplicas`` (default 1); ``None`` when it is not a number."""
        value = dig(self.resource.props, "spec", "minReplicas")
        return 1 if value is None else as_int(value)

    @property
    def max_replicas(self) -> int | None:
        return as_int(dig(self.resource.props, "spec", "maxReplicas"))


class Index:
    """The stack's workloads, PDBs, HPAs and NetworkPolicies, built once per rule run."""

    def __init__(self, resources: Sequence[Resource]) -> None:
        self.workloads: list[Workload] = []
        self.pdbs: list[Resource] = []
        self.hpas: list[Autoscaler] = []
        self.netpols: list[Resource] = []
        for resource in resources:
            if resource.type in WORKLOAD_TYPES:
                view = pod_view(resource.type, resource.props)
                if view is None:  # pragma: no cover - WORKLOAD_TYPES all resolve
                    continue
                self.workloads.append(
                    Workload(
                        resource,
                        kind_of(resource.type),
                        object_name(resource.props, resource.name),
                        namespace(resource.props),
                        view.labels,
                        f"{view.metadata_path}.labels",
                    )
                )
            elif resource.type == PDB:
                self.pdbs.append(resource)
            elif resource.type == HPA:
                ref = dig_map(resource.props, "spec", "scaleTargetRef")
                self.hpas.append(
                    Autoscaler(
                        resource, namespace(resource.props), text(ref.get("kind")), text(ref.get("name"))
                    )
                )
            elif resource.type == NETWORK_POLICY:
                self.netpols.append(resource)

    def hpas_for(self, workload: Workload) -> list[Autoscaler]:
        return [
            hpa
            for hpa in self.hpas
            if hpa.namespace == workload.namespace
            and hpa.target_kind == workload.kind
            and hpa.target_name == workload.name
        ]

    def target_of(self, hpa: Autoscaler) -> Workload | None:
        for workload in self.workloads:
            if (
                workload.resource.type in SCALABLE_TYPES
                and workload.namespace == hpa.namespace
                and workload.kind == hpa.target_kind
                and workload.name == hpa.target_name
            ):
                return workload
        return None

    def pdbs_for(self, workload: Workload) -> list[Resource]:
        """PDBs of the workload's namespace whose selector matches its pod template labels.

        A null selector selects nothing; an empty one (``{}``) selects every pod of the namespace.
        """
        found = []
        for pdb in self.pdbs:
            selector = dig(pdb.props, "spec", "selector")
            if (
                namespace(pdb.props) == workload.namespace
                and isinstance(selector, Mapping)
                and selector_matches(selector, workload.labels)
            ):
                found.append(pdb)
        return found


def _where(namespace_name: str) -> str:
    return f"namespace {namespace_name}" if namespace_name else "its namespace"


def _pdb_name(pdb: Resource) -> str:
    return object_name(pdb.props, pdb.name)


def pdb_blocking(pdb: Resource, replicas: int | None) -> str | None:
    """Why ``pdb`` blocks every voluntary eviction of ``replicas`` pods, or ``None``.

    With ``replicas`` unknown (``None``), only the count-independent cases are judged: maxUnavailable 0
    or "0%", minAvailable "100%", and neither field set.
    """
    spec = dig_map(pdb.props, "spec")
    max_unavailable, min_available = spec.get("maxUnavailable"), spec.get("minAvailable")
    if max_unavailable is None and min_available is None:
        return "sets neither spec.maxUnavailable nor spec.minAvailable, so it protects nothing"
    if max_unavailable is not None:
        # maxUnavailable rounds up, so it resolves to 0 only when it is 0 or "0%".
        if scaled(max_unavailable, 100, round_up=True) == 0:
            return f"spec.maxUnavailable is {show(max_unavailable)}, which blocks every voluntary eviction"
        return None
    if isinstance(min_available, str) and min_available.strip() == "100%":
        return 'spec.minAvailable is "100%", which blocks every voluntary eviction'
    if replicas is not None:
        needed = scaled(min_available, replicas, round_up=True)
        if needed is not None and needed >= replicas:
            return (
                f"spec.minAvailable {show(min_available)} is not below the {replicas} replica(s), which blocks "
                "every voluntary eviction"
            )
    return None


def _avail_pdb(resources: Sequence[Resource]) -> Iterator[Finding]:
    index = Index(resources)
    for workload in index.workloads:
        if workload.resource.type not in SCALABLE_TYPES:
            continue
        replicas = workload.replicas
        hpa_mins = [m for m in (hpa.min_replicas for hpa in index.hpas_for(workload)) if m is not None]
        if not ((replicas is not None and replicas > 1) or any(m > 1 for m in hpa_mins)):
            continue
        # With an HPA the replica count moves; avail-hpa-pdb judges minAvailable against its minimum.
        count = None if hpa_mins else replicas
        why = f"HPA minReplicas {min(hpa_mins)}" if hpa_mins else f"spec.replicas {replicas}"
        pdbs = index.pdbs_for(workload)
        if not pdbs:
            yield (
                workload.resource,
                f"no PodDisruptionBudget in {_where(workload.namespace)} selects this {workload.kind} "
                f"({why}); add one whose spec.selector.matchLabels are a subset of "
                f"{workload.labels_path}, with spec.maxUnavailable: 1",
            )
            continue
        for pdb in pdbs:
            problem = pdb_blocking(pdb, count)
            if problem is not None:
                yield (
                    pdb,
                    f"{problem} of {workload.resource.display} ({why}); use spec.maxUnavailable: 1",
                )


def _sts_pvc_pdb(resources: Sequence[Resource]) -> Iterator[Finding]:
    index = Index(resources)
    for workload in index.workloads:
        if workload.resource.type != STATEFULSET or not keeps_data(workload.resource.props):
            continue
        if not index.pdbs_for(workload):
            yield (
                workload.resource,
                f"no PodDisruptionBudget in {_where(workload.namespace)} selects this StatefulSet, whose pods "
                "keep data in spec.volumeClaimTemplates; add one whose spec.selector.matchLabels are a "
                f"subset of {workload.labels_path}, with spec.maxUnavailable: 1",
            )


def _avail_hpa_pdb(resources: Sequence[Resource]) -> Iterator[Finding]:
    index = Index(resources)
    for hpa in index.hpas:
        low, high = hpa.min_replicas, hpa.max_replicas
        if low is not None and high is not None and low > high:
            yield (
                hpa.resource,
                f"spec.minReplicas ({low}) is greater than spec.maxReplicas ({high}); fix the bounds",
            )
        target = index.target_of(hpa)
        if target is None or low is None:
            continue
        for pdb in index.pdbs_for(target):
            min_available = dig(pdb.props, "spec", "minAvailable")
            needed = scaled(min_available, low, round_up=True) if min_available is not None else None
            if needed is not None and needed >= low:
                yield (
                    hpa.resource,
                    f"spec.minReplicas ({low}) is not above PodDisruptionBudget {_pdb_name(pdb)} "
                    f"spec.minAvailable ({show(min_available)}); at the minimum scale no pod can be evicted, so "
                    "raise minReplicas or give the PDB spec.maxUnavailable: 1",
                )
            elif low < 2:
                yield (
                    hpa.resource,
                    f"spec.minReplicas is {low} while PodDisruptionBudget {_pdb_name(pdb)} selects "
                    f"{target.resource.display}; a single replica cannot be disrupted without downtime, so "
                    "set minReplicas to at least 2",
                )


def _avail_replicas(resources: Sequence[Resource]) -> Iterator[Finding]:
    index = Index(resources)
    for workload in index.workloads:
        if workload.resource.type != DEPLOYMENT or index.hpas_for(workload):
            continue
        replicas = workload.replicas
        if replicas is not None and replicas < 2:
            yield (
                workload.resource,
                f"spec.replicas is {replicas} and no HorizontalPodAutoscaler targets this Deployment; run at "
                "least 2 replicas or add an HPA with minReplicas >= 2",
            )


def _policy_types(netpol: Resource) -> set[str]:
    """Effective ``policyTypes``: the explicit list, else Ingress (+ Egress when egress rules exist)."""
    explicit = strings(dig(netpol.props, "spec", "policyTypes"))
    if explicit:
        return set(explicit)
    inferred = {"Ingress"}
    if as_list(dig(netpol.props, "spec", "egress")):
        inferred.add("Egress")
    return inferred


def _net_workload_policy(resources: Sequence[Resource]) -> Iterator[Finding]:
    index = Index(resources)
    for workload in index.workloads:
        covered = False
        for netpol in index.netpols:
            if namespace(netpol.props) != workload.namespace or "Ingress" not in _policy_types(netpol):
                continue
            selector = dig(netpol.props, "spec", "podSelector")
            if selector is None or selector_matches(selector, workload.labels):
                covered = True
                break
        if not covered:
            yield (
                workload.resource,
                f"no NetworkPolicy in {_where(workload.namespace)} selects this {workload.kind}'s pods for "
                f"Ingress; add one whose spec.podSelector matches {workload.labels_path}, "
                "with policyTypes [Ingress, Egress]",
            )


def _hpa_target_exists(resources: Sequence[Resource]) -> Iterator[Finding]:
    index = Index(resources)
    for hpa in index.hpas:
        if not hpa.target_kind or not hpa.target_name:
            yield (
                hpa.resource,
                "spec.scaleTargetRef kind or name is not set; point it at a Deployment or StatefulSet",
            )
            continue
        if index.target_of(hpa) is None:
            yield (
                hpa.resource,
                f"spec.scaleTargetRef {hpa.target_kind}/{hpa.target_name} is not a Deployment or StatefulSet "
                f"of this stack in {_where(hpa.namespace)}; check the kind, name and namespace",
            )


STACK_RULES: tuple[StackRule, ...] = (
    StackRule(
        "avail-hpa-pdb",
        "An HPA whose minimum scale leaves its PodDisruptionBudget no room blocks node drains and "
        "upgrades; minReplicas above maxReplicas is a misconfiguration (Polaris pdbDisruptionsIsZero; "
        "kube-score deployment-targeted-by-hpa).",
        Severity.MEDIUM,
        M,
        _avail_hpa_pdb,
    ),
    StackRule(
        "avail-pdb",
        "Replicated Deployments and StatefulSets need a PodDisruptionBudget that still allows evictions, so "
        "drains keep capacity without blocking upgrades (Polaris missingPodDisruptionBudget; kube-score "
        "deployment-has-poddisruptionbudget; kube-linter pdb-max-unavailable).",
        Severity.MEDIUM,
        M,
        _avail_pdb,
    ),
    StackRule(
        "avail-replicas",
        "A single replica means downtime on every rollout, drain or node failure (Polaris "
        "deploymentMissingReplicas; hardeneks run_multiple_replicas).",
        Severity.LOW,
        A,
        _avail_replicas,
    ),
    StackRule(
        "hpa-target-exists",
        "An HPA whose target is not in the stack scales nothing (kube-score horizontalpodautoscaler-has-"
        "target); advisory since the target may live outside the stack.",
        Severity.LOW,
        A,
        _hpa_target_exists,
    ),
    StackRule(
        "sts-pvc-pdb",
        "Every StatefulSet with volume claim templates (a database) needs a PodDisruptionBudget, even with "
        "one replica, so drains and upgrades evict its pods only with the budget's consent, one at a time "
        "with maxUnavailable 1 (Kubernetes 'Specifying a Disruption Budget'; project issue).",
        Severity.MEDIUM,
        M,
        _sts_pvc_pdb,
    ),
    StackRule(
        "net-workload-policy",
        "Every workload must be selected by an Ingress NetworkPolicy so pods are not reachable from the whole "
        "cluster (CIS EKS 4.3.2; CKV2_K8S_6; Polaris missingNetworkPolicy).",
        Severity.MEDIUM,
        M,
        _net_workload_policy,
    ),
)

#: Kinds each stack rule reports on or reads, for the rule catalogue.
STACK_RULE_KINDS: Mapping[str, tuple[str, ...]] = {
    "avail-hpa-pdb": ("HorizontalPodAutoscaler", "PodDisruptionBudget"),
    "avail-pdb": ("Deployment", "PodDisruptionBudget", "StatefulSet"),
    "avail-replicas": ("Deployment", "HorizontalPodAutoscaler"),
    "hpa-target-exists": ("HorizontalPodAutoscaler",),
    "net-workload-policy": tuple(sorted({kind_of(t) for t in WORKLOAD_TYPES} | {"NetworkPolicy"})),
    "sts-pvc-pdb": ("PodDisruptionBudget", "StatefulSet"),
}

__all__ = ["STACK_RULES", "STACK_RULE_KINDS", "pdb_blocking"]
