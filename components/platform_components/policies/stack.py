"""Stack rules: checks that relate several objects (PDBs, HPAs and NetworkPolicies to workloads).

Objects relate only within one namespace (``metadata.namespace``; two unset namespaces compare equal,
since both land in the provider's default). Workloads are identified by ``metadata.name``, falling back
to the Pulumi logical name when the manifest has none.

The offending resource of a missing PodDisruptionBudget or NetworkPolicy is the workload itself; a
PodDisruptionBudget that blocks every eviction is reported on the PodDisruptionBudget, and HPA
problems on the HorizontalPodAutoscaler.

An Argo Rollouts ``Rollout`` is a workload like a Deployment (PDBs, NetworkPolicies, HPA targets). A
Rollout that borrows its pod template from a Deployment (``spec.workloadRef``) has that Deployment's pod
labels, when the Deployment is in the stack. A KEDA ``ScaledObject`` counts as an autoscaler of its
``spec.scaleTargetRef`` (kind defaults to Deployment), with ``spec.minReplicaCount`` (default 0) and
``spec.maxReplicaCount`` (default 100) in the roles of an HPA's ``minReplicas`` and ``maxReplicas``.

``avail-pdb`` asks replicated workloads for a PodDisruptionBudget (capacity during drains);
``sts-pvc-pdb`` asks every StatefulSet with volume claim templates for one, whatever its replica count
(a database pod is evicted only with the budget's consent). A replicated StatefulSet with claims and
no PodDisruptionBudget is therefore reported by both.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from platform_components.kube import labels as lbl
from platform_components.policies._pod import (
    CRONJOB,
    DEPLOYMENT,
    HPA,
    NETWORK_POLICY,
    PDB,
    ROLLOUT,
    SCALED_OBJECT,
    STATEFULSET,
    WORKLOAD_TYPES,
    SelectorIndex,
    as_int,
    as_list,
    dig,
    dig_map,
    is_true,
    keeps_data,
    kind_of,
    labels,
    namespace,
    object_name,
    pod_view,
    scaled,
    selector_is_empty,
    selector_matches,
    show,
    strings,
    text,
    workload_ref,
)
from platform_components.policies.base import Enforcement, Resource, Severity, StackRule

M, A = Enforcement.MANDATORY, Enforcement.ADVISORY

Finding = tuple[Resource, str]
SCALABLE_TYPES = frozenset({DEPLOYMENT, STATEFULSET, ROLLOUT})


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
    """An HPA or a KEDA ScaledObject and the object it scales."""

    resource: Resource
    namespace: str
    target_kind: str
    target_name: str

    @property
    def is_hpa(self) -> bool:
        return self.resource.type == HPA

    @property
    def min_field(self) -> str:
        return "minReplicas" if self.is_hpa else "minReplicaCount"

    @property
    def max_field(self) -> str:
        return "maxReplicas" if self.is_hpa else "maxReplicaCount"

    @property
    def label(self) -> str:
        """``HPA minReplicas`` / ``ScaledObject minReplicaCount``, for messages."""
        return f"HPA {self.min_field}" if self.is_hpa else f"ScaledObject {self.min_field}"

    @property
    def min_replicas(self) -> int | None:
        """``spec.minReplicas`` (HPA, default 1) or ``spec.minReplicaCount`` (ScaledObject, default 0);
        ``None`` when it is not a number."""
        value = dig(self.resource.props, "spec", self.min_field)
        if value is None:
            return 1 if self.is_hpa else 0
        return as_int(value)

    @property
    def max_replicas(self) -> int | None:
        """``spec.maxReplicas`` (HPA, required) or ``spec.maxReplicaCount`` (ScaledObject, default 100)."""
        value = dig(self.resource.props, "spec", self.max_field)
        if value is None and not self.is_hpa:
            return 100
        return as_int(value)

    @property
    def target(self) -> str:
        return f"{self.target_kind} {self.target_name}"


def _autoscaler(resource: Resource) -> Autoscaler:
    ref = dig_map(resource.props, "spec", "scaleTargetRef")
    kind = text(ref.get("kind"))
    if resource.type == SCALED_OBJECT and not kind:
        kind = "Deployment"  # KEDA's default scale target kind (apiVersion defaults to apps/v1)
    return Autoscaler(resource, namespace(resource.props), kind, text(ref.get("name")))


class Index:
    """The stack's workloads, PDBs, autoscalers and NetworkPolicies, built once per rule run."""

    def __init__(self, resources: Sequence[Resource]) -> None:
        self.workloads: list[Workload] = []
        self.pdbs: list[Resource] = []
        self.hpas: list[Autoscaler] = []
        self.scaled_objects: list[Autoscaler] = []
        self.netpols: list[Resource] = []
        self.deployments: dict[tuple[str, str], Resource] = {}
        self.rollouts: list[Resource] = []
        #: ``(namespace, kind, name)`` of every Deployment, StatefulSet and Rollout of the stack.
        self.scalable: set[tuple[str, str, str]] = set()
        for resource in resources:
            if resource.type == DEPLOYMENT:
                self.deployments.setdefault(
                    (namespace(resource.props), object_name(resource.props, resource.name)), resource
                )
        for resource in resources:
            if resource.type in SCALABLE_TYPES:
                self.scalable.add(
                    (
                        namespace(resource.props),
                        kind_of(resource.type),
                        object_name(resource.props, resource.name),
                    )
                )
            if resource.type == ROLLOUT:
                self.rollouts.append(resource)
            if resource.type in WORKLOAD_TYPES:
                workload = self._workload(resource)
                if workload is not None:
                    self.workloads.append(workload)
            elif resource.type == PDB:
                self.pdbs.append(resource)
            elif resource.type == HPA:
                self.hpas.append(_autoscaler(resource))
            elif resource.type == SCALED_OBJECT:
                self.scaled_objects.append(_autoscaler(resource))
            elif resource.type == NETWORK_POLICY:
                self.netpols.append(resource)
        # per namespace and per target, so that a rule's cost grows with the stack, not its square
        self._pdbs: SelectorIndex[Resource] = SelectorIndex()
        for pdb in self.pdbs:
            self._pdbs.add(namespace(pdb.props), dig(pdb.props, "spec", "selector"), pdb)
        self._netpols: SelectorIndex[Resource] = SelectorIndex()
        for netpol in self.netpols:
            self._netpols.add(namespace(netpol.props), dig(netpol.props, "spec", "podSelector"), netpol)
        self._scalers_of: dict[tuple[str, str, str], list[Autoscaler]] = {}
        for scaler in self.autoscalers:
            self._scalers_of.setdefault(
                (scaler.namespace, scaler.target_kind, scaler.target_name), []
            ).append(scaler)
        self._scalable_workloads: dict[tuple[str, str, str], Workload] = {}
        for workload in self.workloads:
            if workload.resource.type in SCALABLE_TYPES:
                self._scalable_workloads.setdefault(
                    (workload.namespace, workload.kind, workload.name), workload
                )

    def _workload(self, resource: Resource) -> Workload | None:
        name, ns = object_name(resource.props, resource.name), namespace(resource.props)
        view = pod_view(resource.type, resource.props)
        labels_path = f"{view.metadata_path}.labels" if view is not None else ""
        if view is None:
            # A Rollout with spec.workloadRef runs the referenced Deployment's pod template.
            source = self.referenced_deployment(resource)
            view = pod_view(DEPLOYMENT, source.props) if source is not None else None
            if source is None or view is None:
                return None
            labels_path = f"Deployment {object_name(source.props, source.name)} {view.metadata_path}.labels"
        return Workload(resource, kind_of(resource.type), name, ns, view.labels, labels_path)

    def referenced_deployment(self, rollout: Resource) -> Resource | None:
        """The Deployment of the stack that a Rollout's ``spec.workloadRef`` names, if any."""
        ref = workload_ref(rollout.props)
        if ref is None or text(ref.get("kind")) != "Deployment":
            return None
        return self.deployments.get((namespace(rollout.props), text(ref.get("name"))))

    @property
    def autoscalers(self) -> list[Autoscaler]:
        """ScaledObjects first, then HPAs."""
        return [*self.scaled_objects, *self.hpas]

    def hpas_for(self, workload: Workload) -> list[Autoscaler]:
        """The HPAs and ScaledObjects that scale ``workload`` (ScaledObjects first)."""
        return list(self._scalers_of.get((workload.namespace, workload.kind, workload.name), ()))

    def target_of(self, hpa: Autoscaler) -> Workload | None:
        """The first Deployment, StatefulSet or Rollout of the stack that ``hpa`` scales."""
        return self._scalable_workloads.get((hpa.namespace, hpa.target_kind, hpa.target_name))

    def netpols_for(self, workload: Workload) -> list[Resource]:
        """The NetworkPolicies of the workload's namespace that may select its pods, in stack order
        (the caller judges their ``spec.podSelector``)."""
        return self._netpols.candidates(workload.namespace, workload.labels)

    def migrating_deployments(self) -> set[tuple[str, str]]:
        """``(namespace, name)`` of the Deployments that a Rollout's ``spec.workloadRef`` names."""
        found = set()
        for rollout in self.rollouts:
            ref = workload_ref(rollout.props)
            if ref is not None and text(ref.get("kind")) == "Deployment":
                found.add((namespace(rollout.props), text(ref.get("name"))))
        return found

    def pdbs_for(self, workload: Workload) -> list[Resource]:
        """PDBs of the workload's namespace whose selector matches its pod template labels.

        A null selector selects nothing; an empty one (``{}``) selects every pod of the namespace.
        """
        found = []
        for pdb in self._pdbs.candidates(workload.namespace, workload.labels):
            selector = dig(pdb.props, "spec", "selector")
            if isinstance(selector, Mapping) and selector_matches(selector, workload.labels):
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
        scalers = [(low, s) for s in index.hpas_for(workload) if (low := s.min_replicas) is not None]
        hpa_mins = [low for low, _ in scalers]
        if not ((replicas is not None and replicas > 1) or any(m > 1 for m in hpa_mins)):
            continue
        # With an autoscaler the replica count moves; avail-hpa-pdb judges minAvailable against its minimum.
        count = None if hpa_mins else replicas
        if scalers:
            lowest, scaler = min(scalers, key=lambda item: item[0])
            why = f"{scaler.label} {lowest}"
        else:
            why = f"spec.replicas {replicas}"
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
    for hpa in index.autoscalers:
        low, high = hpa.min_replicas, hpa.max_replicas
        lo_field, hi_field = hpa.min_field, hpa.max_field
        if low is not None and high is not None and low > high:
            yield (
                hpa.resource,
                f"spec.{lo_field} ({low}) is greater than spec.{hi_field} ({high}); fix the bounds",
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
                    f"spec.{lo_field} ({low}) is not above PodDisruptionBudget {_pdb_name(pdb)} "
                    f"spec.minAvailable ({show(min_available)}); at the minimum scale no pod can be evicted, so "
                    f"raise {lo_field} or give the PDB spec.maxUnavailable: 1",
                )
            elif low < 2:
                yield (
                    hpa.resource,
                    f"spec.{lo_field} is {low} while PodDisruptionBudget {_pdb_name(pdb)} selects "
                    f"{target.resource.display}; a single replica cannot be disrupted without downtime, so "
                    f"set {lo_field} to at least 2",
                )


def _avail_replicas(resources: Sequence[Resource]) -> Iterator[Finding]:
    index = Index(resources)
    migrating = index.migrating_deployments()
    for workload in index.workloads:
        if workload.resource.type not in (DEPLOYMENT, ROLLOUT) or index.hpas_for(workload):
            continue
        if workload.resource.type == DEPLOYMENT and (workload.namespace, workload.name) in migrating:
            continue  # a Rollout runs its pods (spec.workloadRef); delivery-single-controller judges it
        replicas = workload.replicas
        if replicas is not None and replicas < 2:
            yield (
                workload.resource,
                f"spec.replicas is {replicas} and no HorizontalPodAutoscaler or ScaledObject targets this "
                f"{workload.kind}; run at least 2 replicas or add an HPA with minReplicas >= 2",
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
        for netpol in index.netpols_for(workload):
            if "Ingress" not in _policy_types(netpol):
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
                "spec.scaleTargetRef kind or name is not set; point it at a Deployment, StatefulSet or Rollout",
            )
            continue
        if (hpa.namespace, hpa.target_kind, hpa.target_name) not in index.scalable:
            yield (
                hpa.resource,
                f"spec.scaleTargetRef {hpa.target_kind}/{hpa.target_name} is not a Deployment, StatefulSet or "
                f"Rollout of this stack in {_where(hpa.namespace)}; check the kind, name and namespace",
            )


def _scaling_single_owner(resources: Sequence[Resource]) -> Iterator[Finding]:
    index = Index(resources)
    by_target: dict[tuple[str, str, str], list[Autoscaler]] = {}
    for scaler in index.autoscalers:  # ScaledObjects first: a conflicting HPA is reported on the HPA
        if scaler.target_kind and scaler.target_name:
            key = (scaler.namespace, scaler.target_kind, scaler.target_name)
            by_target.setdefault(key, []).append(scaler)
    for scalers in by_target.values():
        first, *others = scalers
        for other in others:
            keda = " (KEDA creates and owns the HPA of a ScaledObject)" if not first.is_hpa else ""
            yield (
                other.resource,
                f"this {other.resource.kind} and {first.resource.display} both scale {other.target} in "
                f"{_where(other.namespace)}, so they fight over its replica count{keda}; keep one of them "
                "and delete the other",
            )


def _delivery_single_controller(resources: Sequence[Resource]) -> Iterator[Finding]:
    index = Index(resources)
    for rollout in index.rollouts:
        ns = namespace(rollout.props)
        rollout_name = object_name(rollout.props, rollout.name)
        ref = workload_ref(rollout.props)
        selector = dig(rollout.props, "spec", "selector")
        for (dep_ns, dep_name), deployment in sorted(index.deployments.items()):
            if dep_ns != ns:
                continue
            referenced = (
                ref is not None
                and text(ref.get("kind")) == "Deployment"
                and text(ref.get("name")) == dep_name
            )
            view = pod_view(DEPLOYMENT, deployment.props)
            same_labels = (
                isinstance(selector, Mapping)
                and not selector_is_empty(selector)
                and view is not None
                and selector_matches(selector, view.labels)
            )
            if not (referenced or dep_name == rollout_name or same_labels):
                continue
            replicas = dig(deployment.props, "spec", "replicas")
            if referenced and as_int(replicas) == 0:
                continue  # the documented migration: the Rollout runs the pods, the Deployment is at 0
            if referenced:
                shown = "not set (1)" if replicas is None else show(replicas)
                yield (
                    deployment,
                    f"Rollout {rollout_name} takes its pod template from this Deployment (spec.workloadRef) "
                    f"but spec.replicas is {shown}, so both run the pods; set spec.replicas to 0 (or remove "
                    "the Deployment once the migration is done)",
                )
                continue
            why = "has the same name" if dep_name == rollout_name else "selects its pod template labels"
            yield (
                deployment,
                f"Rollout {rollout_name} in {_where(ns)} {why}, so two controllers run the same workload; "
                "remove this Deployment (or, to migrate, reference it from the Rollout's spec.workloadRef "
                "and set its spec.replicas to 0)",
            )


BACKED_UP_ENVIRONMENTS = ("staging", "prod")
"""Where a StatefulDatabase must be backed up and restore-tested (as config.py demands of the platform)."""


def _db_backup_required(resources: Sequence[Resource]) -> Iterator[Finding]:
    cronjobs = {(namespace(r.props), object_name(r.props, r.name)): r for r in resources if r.type == CRONJOB}
    for resource in resources:
        meta = labels(resource.metadata.get("labels"))
        name = object_name(resource.props, resource.name)
        if (
            resource.type != STATEFULSET
            or meta.get(lbl.MANAGED_BY_KEY) != lbl.MANAGED_BY
            or meta.get(lbl.COMPONENT) != "database"
            or meta.get(lbl.INSTANCE) != name  # the primary; its replicas share its backups
        ):
            continue
        environment = meta.get(lbl.ENVIRONMENT, "").strip().lower()
        if environment not in BACKED_UP_ENVIRONMENTS:
            continue
        ns = namespace(resource.props)
        problems = []
        for what, job in (("backup", f"{name}-backup"), ("restore test", f"{name}-restore-test")):
            cronjob = cronjobs.get((ns, job))
            if cronjob is None:
                problems.append(f"no {what} (CronJob {job})")
            elif is_true(dig(cronjob.props, "spec", "suspend")):
                problems.append(f"its {what} CronJob {job} is suspended (spec.suspend)")
        if problems:
            yield (
                resource,
                f'StatefulDatabase {name} runs in {environment} (metadata.labels["{lbl.ENVIRONMENT}"]) with '
                f"{' and '.join(problems)}; {environment} databases are backed up and restore-tested: remove "
                "backup.enabled/backup.restore_test.enabled false (the jobs need cluster=, e.g. a ClusterRef "
                "to the platform's cluster) and do not suspend the CronJobs",
            )


STACK_RULES: tuple[StackRule, ...] = (
    StackRule(
        "avail-hpa-pdb",
        "An HPA (or KEDA ScaledObject) whose minimum scale leaves its PodDisruptionBudget no room blocks "
        "node drains and upgrades; a minimum above the maximum is a misconfiguration (Polaris "
        "pdbDisruptionsIsZero; kube-score deployment-targeted-by-hpa).",
        Severity.MEDIUM,
        M,
        _avail_hpa_pdb,
        fix="Keep the autoscaler's `minReplicas` (`minReplicaCount`) at 2 or more, above the "
        "PodDisruptionBudget's `minAvailable` and at most `maxReplicas`, or give the PDB "
        "`spec.maxUnavailable: 1` (SecureWorkload: `autoscaling.min_replicas`).",
    ),
    StackRule(
        "delivery-single-controller",
        "An Argo Rollout and a Deployment must not both run the same workload (same name, or the Rollout's "
        "selector matching the Deployment's pods): each scales its own ReplicaSets, doubling the pods and "
        "defeating the progressive rollout. Migrate with spec.workloadRef and the Deployment at 0 replicas "
        "(Argo Rollouts docs 'Migrating to Rollouts', 'Reference Deployment From Rollout').",
        Severity.HIGH,
        M,
        _delivery_single_controller,
        fix="Remove the Deployment that duplicates the Rollout, or reference it from the Rollout's "
        "`spec.workloadRef` and set its `spec.replicas` to 0 while migrating (SecureWorkload: `canary` "
        "replaces the Deployment).",
    ),
    StackRule(
        "avail-pdb",
        "Replicated Deployments and StatefulSets need a PodDisruptionBudget that still allows evictions, so "
        "drains keep capacity without blocking upgrades (Polaris missingPodDisruptionBudget; kube-score "
        "deployment-has-poddisruptionbudget; kube-linter pdb-max-unavailable).",
        Severity.MEDIUM,
        M,
        _avail_pdb,
        fix="Add a PodDisruptionBudget whose `spec.selector.matchLabels` select the workload's pods, with "
        "`spec.maxUnavailable: 1` rather than `maxUnavailable: 0` or a `minAvailable` of every replica "
        "(SecureWorkload: `disruption`).",
    ),
    StackRule(
        "avail-replicas",
        "A single replica means downtime on every rollout, drain or node failure (Polaris "
        "deploymentMissingReplicas; hardeneks run_multiple_replicas).",
        Severity.LOW,
        A,
        _avail_replicas,
        fix="Set `spec.replicas` to 2 or more, or add an HPA with `minReplicas` of 2 or more "
        "(SecureWorkload: `replicas`, `autoscaling`).",
    ),
    StackRule(
        "hpa-target-exists",
        "An HPA whose target is not in the stack scales nothing (kube-score horizontalpodautoscaler-has-"
        "target); advisory since the target may live outside the stack.",
        Severity.LOW,
        A,
        _hpa_target_exists,
        fix="Point the HPA's `spec.scaleTargetRef` (kind and name) at a Deployment, StatefulSet or Rollout "
        "of this stack in the HPA's namespace.",
    ),
    StackRule(
        "scaling-single-owner",
        "A workload must have one autoscaler: an HPA next to a KEDA ScaledObject (which creates its own HPA) "
        "or a second HPA on the same target makes them overwrite each other's replica count (KEDA docs "
        "'ScaledObject specification' and FAQ: do not combine a ScaledObject with an HPA on one workload; "
        "Kubernetes HPA docs).",
        Severity.HIGH,
        M,
        _scaling_single_owner,
        fix="Keep one autoscaler per `spec.scaleTargetRef`: delete the second HPA, or the HPA next to a "
        "KEDA ScaledObject (SecureWorkload: `autoscaling` or `keda`, not both).",
    ),
    StackRule(
        "sts-pvc-pdb",
        "Every StatefulSet with volume claim templates (a database) needs a PodDisruptionBudget, even with "
        "one replica, so drains and upgrades evict its pods only with the budget's consent, one at a time "
        "with maxUnavailable 1 (Kubernetes 'Specifying a Disruption Budget'; project issue).",
        Severity.MEDIUM,
        M,
        _sts_pvc_pdb,
        fix="Add a PodDisruptionBudget with `spec.maxUnavailable: 1` whose `spec.selector.matchLabels` "
        "select the StatefulSet's pods, even for one replica (StatefulDatabase does this).",
    ),
    StackRule(
        "db-backup-required",
        "A staging or prod StatefulDatabase (environment label, from the stack file or platform:environment) "
        "must have its scheduled backup and restore-test CronJobs, not suspended: a backup that is never "
        "restored is not a backup, and data without one is lost with its volume (project issue; the "
        "platform's stack file already refuses it).",
        Severity.HIGH,
        M,
        _db_backup_required,
        fix="Keep `backup.enabled` and `backup.restore_test.enabled` true on staging and prod "
        "StatefulDatabases (their jobs need `cluster=`), and do not set `spec.suspend` on the backup "
        "CronJobs.",
    ),
    StackRule(
        "net-workload-policy",
        "Every workload must be selected by an Ingress NetworkPolicy so pods are not reachable from the whole "
        "cluster (CIS EKS 4.3.2; CKV2_K8S_6; Polaris missingNetworkPolicy).",
        Severity.MEDIUM,
        M,
        _net_workload_policy,
        fix="Add a NetworkPolicy whose `spec.podSelector` matches the workload's pod labels, with `Ingress` "
        "in `spec.policyTypes` (SecureWorkload does this; declare callers in `network.ingress`).",
    ),
)

#: Kinds each stack rule reports on or reads, for the rule catalogue.
STACK_RULE_KINDS: Mapping[str, tuple[str, ...]] = {
    "avail-hpa-pdb": ("HorizontalPodAutoscaler", "PodDisruptionBudget", "ScaledObject"),
    "avail-pdb": ("Deployment", "PodDisruptionBudget", "Rollout", "ScaledObject", "StatefulSet"),
    "avail-replicas": ("Deployment", "HorizontalPodAutoscaler", "Rollout", "ScaledObject"),
    "db-backup-required": ("CronJob", "StatefulSet"),
    "delivery-single-controller": ("Deployment", "Rollout"),
    "hpa-target-exists": ("Deployment", "HorizontalPodAutoscaler", "Rollout", "StatefulSet"),
    "net-workload-policy": tuple(sorted({kind_of(t) for t in WORKLOAD_TYPES} | {"NetworkPolicy"})),
    "scaling-single-owner": ("HorizontalPodAutoscaler", "ScaledObject"),
    "sts-pvc-pdb": ("PodDisruptionBudget", "StatefulSet"),
}

__all__ = ["STACK_RULES", "STACK_RULE_KINDS", "pdb_blocking"]
