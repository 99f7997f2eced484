"""Generated objects of the kinds other than pod-bearing ones, for the side-by-side test of the rules'
Python checks and CEL forms (``test_admission_cel.py``).

Like :mod:`_admission_objects`, each strategy draws schema-valid objects whose fields straddle the
boundary of the rules that read them, so that both verdicts of every rule are drawn often.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

NAMESPACES = ["team-a", "default"]
LB_ANNOTATIONS = {
    "service.beta.kubernetes.io/aws-load-balancer-scheme": ["internal", "internet-facing", " Internal "],
    "service.beta.kubernetes.io/aws-load-balancer-internal": ["true", "false", "TRUE", "0.0.0.0/0"],
    "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": [
        "arn:aws:acm:eu-west-1:123456789012:certificate/x",
        "",
    ],
}


@st.composite
def services(draw: st.DrawFn) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "type": draw(st.sampled_from(["ClusterIP", "NodePort", "LoadBalancer"])),
        "selector": {"app.kubernetes.io/name": "api"},
        "ports": [{"name": "http", "port": 80, "targetPort": "http"}],
    }
    if draw(st.floats(0, 1)) < 0.2:
        spec["externalIPs"] = draw(
            st.lists(st.sampled_from(["203.0.113.10", "198.51.100.7"]), min_size=0, max_size=1)
        )
    annotations = {
        key: draw(st.sampled_from(values)) for key, values in LB_ANNOTATIONS.items() if draw(st.booleans())
    }
    metadata: dict[str, Any] = {"name": "api", "namespace": draw(st.sampled_from(NAMESPACES))}
    if annotations:
        metadata["annotations"] = annotations
    return {"apiVersion": "v1", "kind": "Service", "metadata": metadata, "spec": spec}


#: ConfigMap keys on both sides of the sensitive-name heuristic (a reference suffix, ``pgpassfile``).
CONFIG_MAP_KEYS = [
    "LOG_LEVEL",
    "db.password",
    "api-key",
    "pgpass",
    "PGPASSFILE",
    "token_path",
    "AZURE_STORAGE_KEY",
]


@st.composite
def config_maps(draw: st.DrawFn) -> dict[str, Any]:
    keys = draw(st.lists(st.sampled_from(CONFIG_MAP_KEYS), max_size=3, unique=True))
    binary = draw(st.lists(st.sampled_from(keys), unique=True)) if keys else []
    obj: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "api-config", "namespace": draw(st.sampled_from(NAMESPACES))},
    }
    data = {key: draw(st.sampled_from(["", "info"])) for key in keys if key not in binary}
    if data or draw(st.booleans()):
        obj["data"] = data
    if binary:  # a key is in data or in binaryData, never both (the API server refuses that)
        obj["binaryData"] = {key: draw(st.sampled_from(["", "aHVudGVyMg=="])) for key in binary}
    return obj


# --- RBAC, ServiceAccounts, Namespaces, Istio, Karpenter, Argo CD, Flux ----------------------------------

RBAC = "rbac.authorization.k8s.io"
API_GROUPS = ["", "apps", "*", RBAC]
RESOURCES = [
    "configmaps",
    "pods",
    "pods/exec",
    "pods/log",
    "secrets",
    "deployments",
    "serviceaccounts/token",
    "nodes/proxy",
    "clusterroles",
    "*",
]
VERBS = ["get", "list", "watch", "create", "update", "bind", "escalate", "impersonate", "*"]
NON_RESOURCE_URLS = ["/healthz", "/metrics", "*"]


def _some(draw: st.DrawFn, values: list[Any], min_size: int = 0, max_size: int = 3) -> list[Any]:
    return draw(st.lists(st.sampled_from(values), min_size=min_size, max_size=max_size, unique=True))


@st.composite
def policy_rules(draw: st.DrawFn, cluster: bool) -> dict[str, Any]:
    """One PolicyRule as the API accepts it: verbs, and either resources with apiGroups or (ClusterRole
    only) nonResourceURLs."""
    shape = draw(st.floats(0, 1))
    if shape < 0.1:  # cluster-admin equivalent
        return {"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}
    if shape < 0.25:  # secret reads, with or without resourceNames
        rule = {
            "apiGroups": [""],
            "resources": ["secrets"],
            "verbs": _some(draw, ["get", "list", "watch", "update", "*"], min_size=1),
        }
        if draw(st.booleans()):
            rule["resourceNames"] = ["api-tls"]
        return rule
    rule = {"verbs": _some(draw, VERBS, min_size=1)}
    if cluster and shape < 0.4:
        rule["nonResourceURLs"] = _some(draw, NON_RESOURCE_URLS, min_size=1)
        return rule
    rule["apiGroups"] = _some(draw, API_GROUPS, min_size=1, max_size=2)
    rule["resources"] = _some(draw, RESOURCES, min_size=1)
    if draw(st.booleans()):
        rule["resourceNames"] = _some(draw, ["api-tls", "api-config"], max_size=1)
    return rule


@st.composite
def roles(draw: st.DrawFn) -> dict[str, Any]:
    """Roles and ClusterRoles; an aggregated ClusterRole without rules reaches admission as ``rules: null``."""
    cluster = draw(st.booleans())
    metadata: dict[str, Any] = {"name": "api-reader"}
    if not cluster:
        metadata["namespace"] = draw(st.sampled_from(NAMESPACES))
    obj: dict[str, Any] = {
        "apiVersion": f"{RBAC}/v1",
        "kind": "ClusterRole" if cluster else "Role",
        "metadata": metadata,
    }
    shape = draw(st.sampled_from(["rules", "rules", "rules", "empty", "absent", "null"]))
    if shape == "rules":
        obj["rules"] = draw(st.lists(policy_rules(cluster), min_size=1, max_size=3))
    elif shape == "empty":
        obj["rules"] = []
    elif shape == "null":
        obj["rules"] = None
    if cluster and shape in ("absent", "null") and draw(st.booleans()):
        obj["aggregationRule"] = {
            "clusterRoleSelectors": [{"matchLabels": {"rbac.example.com/aggregate-to-view": "true"}}]
        }
    return obj


SUBJECTS = [
    {"kind": "ServiceAccount", "name": "default", "namespace": "team-a"},
    {"kind": "ServiceAccount", "name": "api", "namespace": "team-a"},
    {"kind": "Group", "name": "system:unauthenticated", "apiGroup": RBAC},
    {"kind": "Group", "name": "system:authenticated", "apiGroup": RBAC},
    {"kind": "User", "name": "system:anonymous", "apiGroup": RBAC},
    {"kind": "User", "name": "default", "apiGroup": RBAC},
]
ROLE_REF_NAMES = ["cluster-admin", "view", "system:public-info-viewer", "api-reader"]


@st.composite
def bindings(draw: st.DrawFn) -> dict[str, Any]:
    cluster = draw(st.booleans())
    metadata: dict[str, Any] = {"name": "api-reader"}
    if not cluster:
        metadata["namespace"] = draw(st.sampled_from(NAMESPACES))
    ref_kind = "ClusterRole" if cluster else draw(st.sampled_from(["Role", "ClusterRole"]))
    obj: dict[str, Any] = {
        "apiVersion": f"{RBAC}/v1",
        "kind": "ClusterRoleBinding" if cluster else "RoleBinding",
        "metadata": metadata,
        "roleRef": {"apiGroup": RBAC, "kind": ref_kind, "name": draw(st.sampled_from(ROLE_REF_NAMES))},
    }
    subjects = [dict(SUBJECTS[index]) for index in _some(draw, list(range(len(SUBJECTS))), max_size=2)]
    if subjects or draw(st.booleans()):
        obj["subjects"] = subjects
    return obj


@st.composite
def service_accounts(draw: st.DrawFn) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {
            "name": draw(st.sampled_from(["default", "api"])),
            "namespace": draw(st.sampled_from(NAMESPACES)),
        },
    }
    automount = draw(st.sampled_from([None, True, False]))
    if automount is not None:
        obj["automountServiceAccountToken"] = automount
    return obj


PSA = "pod-security.kubernetes.io/"
PSA_LEVELS = [None, "restricted", "restricted", "baseline", "privileged"]
PSA_VERSIONS = [None, "v1.35", "latest", "1.35", "v1"]


@st.composite
def namespaces(draw: st.DrawFn) -> dict[str, Any]:
    """Namespaces whose Pod Security labels, mesh labels and annotations straddle ns-psa-labels and
    mesh-sidecar-cni (a label value cannot hold spaces; an annotation value can)."""
    labels: dict[str, str] = {}
    full = draw(st.floats(0, 1)) < 0.5  # all six labels valid but one, often
    for mode in ("enforce", "audit", "warn"):
        level = "restricted" if full else draw(st.sampled_from(PSA_LEVELS))
        version = "v1.35" if full else draw(st.sampled_from(PSA_VERSIONS))
        if level is not None:
            labels[f"{PSA}{mode}"] = level
        if version is not None:
            labels[f"{PSA}{mode}-version"] = version
    if full and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(labels)))
        labels[key] = draw(
            st.sampled_from(
                ["baseline", "privileged", "v1", "latest", "v1.36"]
                if key.endswith("version")
                else ["baseline", "privileged"]
            )
        )
    for key, values in (
        ("istio-injection", ["enabled", "disabled"]),
        ("istio.io/dataplane-mode", ["ambient", "none"]),
    ):
        if draw(st.booleans()):
            labels[key] = draw(st.sampled_from(values))
    annotations: dict[str, str] = {}
    if draw(st.booleans()):
        annotations["linkerd.io/inject"] = draw(st.sampled_from(["enabled", "disabled"]))
    if draw(st.booleans()):
        annotations["platform-components.io/mesh-cni"] = draw(
            st.sampled_from(["true", "false", " True ", "yes"])
        )
    metadata: dict[str, Any] = {
        "name": draw(st.sampled_from(["team-a", "team-b", "kube-system", "kube-public"]))
    }
    if labels:
        metadata["labels"] = labels
    if annotations:
        metadata["annotations"] = annotations
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": metadata}


MTLS_MODES = [None, "STRICT", "UNSET", "PERMISSIVE", "DISABLE"]


@st.composite
def peer_authentications(draw: st.DrawFn) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    if draw(st.booleans()):
        mode = draw(st.sampled_from(MTLS_MODES))
        spec["mtls"] = {} if mode is None else {"mode": mode}
    if draw(st.booleans()):
        ports = draw(st.lists(st.sampled_from(["8080", "9090"]), min_size=1, max_size=2, unique=True))
        spec["portLevelMtls"] = {}
        for port in ports:
            mode = draw(st.sampled_from(MTLS_MODES))
            spec["portLevelMtls"][port] = {} if mode is None else {"mode": mode}
        spec["selector"] = {"matchLabels": {"app.kubernetes.io/name": "api"}}  # portLevelMtls requires one
    obj: dict[str, Any] = {
        "apiVersion": draw(st.sampled_from(["security.istio.io/v1", "security.istio.io/v1beta1"])),
        "kind": "PeerAuthentication",
        "metadata": {"name": "default", "namespace": draw(st.sampled_from(NAMESPACES))},
    }
    if spec or draw(st.booleans()):
        obj["spec"] = spec
    return obj


@st.composite
def ec2_node_classes(draw: st.DrawFn) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "role": "KarpenterNodeRole-core",
        "amiSelectorTerms": [{"alias": "al2023@latest"}],
        "subnetSelectorTerms": [{"tags": {"karpenter.sh/discovery": "core"}}],
        "securityGroupSelectorTerms": [{"tags": {"karpenter.sh/discovery": "core"}}],
    }
    if draw(st.booleans()):
        options: dict[str, Any] = {}
        tokens = draw(st.sampled_from([None, "required", "optional"]))
        hops = draw(st.sampled_from([None, 1, 2]))
        if tokens is not None:
            options["httpTokens"] = tokens
        if hops is not None:
            options["httpPutResponseHopLimit"] = hops
        spec["metadataOptions"] = options
    if draw(st.floats(0, 1)) < 0.8:
        mappings = []
        for index in range(draw(st.integers(0, 2))):
            mapping: dict[str, Any] = {"deviceName": f"/dev/xvd{'ab'[index]}"}
            if draw(st.floats(0, 1)) < 0.9:
                ebs: dict[str, Any] = {"volumeSize": "50Gi"}
                encrypted = draw(st.sampled_from([None, True, True, False]))
                if encrypted is not None:
                    ebs["encrypted"] = encrypted
                mapping["ebs"] = ebs
            mappings.append(mapping)
        spec["blockDeviceMappings"] = mappings
    return {
        "apiVersion": "karpenter.k8s.aws/v1",
        "kind": "EC2NodeClass",
        "metadata": {"name": "default"},
        "spec": spec,
    }


@st.composite
def node_pools(draw: st.DrawFn) -> dict[str, Any]:
    template_spec: dict[str, Any] = {
        "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": "default"},
        "requirements": [{"key": "karpenter.sh/capacity-type", "operator": "In", "values": ["spot"]}],
    }
    expire = draw(st.sampled_from([None, "720h", "Never"]))
    if expire is not None:
        template_spec["expireAfter"] = expire
    spec: dict[str, Any] = {"template": {"spec": template_spec}}
    limits = draw(
        st.sampled_from(
            [None, {}, {"cpu": "1000"}, {"memory": "1000Gi"}, {"cpu": 64, "memory": "256Gi"}, {"nodes": "10"}]
        )
    )
    if limits is not None:
        spec["limits"] = limits
    return {
        "apiVersion": "karpenter.sh/v1",
        "kind": "NodePool",
        "metadata": {"name": "general"},
        "spec": spec,
    }


ARGO = "argoproj.io/v1alpha1"
ENVIRONMENT = "platform-components.io/environment"
#: Repository URLs on both sides of gitops-repo-url and gitops-repo-credentials.
REPO_URLS = [
    "https://github.com/acme/platform.git",
    " https://github.com/acme/platform.git ",
    "https://",
    "HTTPS://github.com/acme/platform.git",
    "http://github.com/acme/platform.git",
    "ssh://git@github.com/acme/platform.git",
    "ssh://",
    "git@github.com:acme/platform.git",
    "git@github.com:/acme/platform.git",
    "git@github.com://acme/platform.git",
    "git@github.com:acme/plat form.git",
    "git://github.com/acme/platform.git",
    "oci://ghcr.io/acme/charts",
    "oci://",
    "file:///srv/git/platform",
    "github.com/acme/platform",
    "https://ci:s3cret@github.com/acme/platform.git",
    "ssh://git:s3cret@github.com/acme/platform.git",
    "https://token@github.com/acme/platform.git",
    "{{.repo}}",
    "[secret]",
    "",
    "  ",
]
PROJECTS = ["default", " default ", "", "platform", "{{.path.basename}}", "[unknown]"]


def _env_labels(draw: st.DrawFn, values: list[str | None]) -> dict[str, str]:
    env = draw(st.sampled_from(values))
    return {} if env is None else {ENVIRONMENT: env}


@st.composite
def argo_sources(draw: st.DrawFn) -> dict[str, Any]:
    source: dict[str, Any] = {"repoURL": draw(st.sampled_from(REPO_URLS)), "targetRevision": "main"}
    if draw(st.booleans()):
        source["chart"] = "api"
    else:
        source["path"] = "clusters/prod"
    return source


@st.composite
def argo_sync_policies(draw: st.DrawFn) -> dict[str, Any] | None:
    shape = draw(st.sampled_from(["none", "empty", "automated", "automated", "automated"]))
    if shape == "none":
        return None
    if shape == "empty":
        return {"syncOptions": ["ServerSideApply=true"]}
    automated: dict[str, Any] = {}
    for key, values in (
        ("prune", [True, True, False, None]),
        ("selfHeal", [True, True, False, None]),
        ("enabled", [None, None, True, False]),
    ):
        value = draw(st.sampled_from(values))
        if value is not None:
            automated[key] = value
    return {"automated": automated}


@st.composite
def application_specs(draw: st.DrawFn) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "project": draw(st.sampled_from(PROJECTS)),
        "destination": {"server": "https://kubernetes.default.svc", "namespace": "team-a"},
    }
    if draw(st.floats(0, 1)) < 0.7:
        spec["source"] = draw(argo_sources())
    if draw(st.floats(0, 1)) < 0.3:
        spec["sources"] = draw(st.lists(argo_sources(), max_size=2))
    if draw(st.floats(0, 1)) < 0.2:
        sync_source: dict[str, Any] = {"targetBranch": "env/prod", "path": "clusters/prod"}
        if draw(st.booleans()):
            sync_source["repoURL"] = draw(st.sampled_from(REPO_URLS))
        spec["sourceHydrator"] = {
            "drySource": {
                "repoURL": draw(st.sampled_from(REPO_URLS)),
                "path": "apps",
                "targetRevision": "main",
            },
            "syncSource": sync_source,
        }
    sync = draw(argo_sync_policies())
    if sync is not None:
        spec["syncPolicy"] = sync
    return spec


@st.composite
def applications(draw: st.DrawFn) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": "platform", "namespace": "argocd"}
    labels = _env_labels(draw, [None, "prod", "staging", "dev", "Prod"])
    if labels:
        metadata["labels"] = labels
    return {
        "apiVersion": ARGO,
        "kind": "Application",
        "metadata": metadata,
        "spec": draw(application_specs()),
    }


def generators(depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    """ApplicationSet generators: Git generators (the URLs the rules read), list generators, and matrix and
    merge generators nesting them, once beyond the depth the rules follow (``GENERATOR_NESTING``)."""
    git = st.builds(
        lambda url: {"git": {"repoURL": url, "revision": "main", "directories": [{"path": "teams/*"}]}},
        st.sampled_from(REPO_URLS),
    )
    plain = st.just({"list": {"elements": [{"team": "a"}]}})
    if depth >= 4:
        return st.one_of(git, plain)
    children = st.lists(generators(depth + 1), min_size=1, max_size=2)
    matrix = st.builds(lambda items: {"matrix": {"generators": items}}, children)
    merge = st.builds(lambda items: {"merge": {"generators": items, "mergeKeys": ["team"]}}, children)
    return st.one_of(git, plain, matrix, merge)


@st.composite
def application_sets(draw: st.DrawFn) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": "teams", "namespace": "argocd"}
    labels = _env_labels(draw, [None, None, "prod", "dev"])
    if labels:
        metadata["labels"] = labels
    template_metadata: dict[str, Any] = {"name": "{{.path.basename}}"}
    template_labels = _env_labels(draw, [None, "staging", " Prod ", "{{.env}}", "dev", ""])
    if template_labels:
        template_metadata["labels"] = template_labels
    spec: dict[str, Any] = {
        "goTemplate": True,
        "generators": draw(st.lists(generators(), min_size=1, max_size=2)),
        "template": {"metadata": template_metadata, "spec": draw(application_specs())},
    }
    patch = draw(
        st.sampled_from([None, "spec:\n  syncPolicy:\n    automated: {}\n", "metadata:\n  labels: {}\n"])
    )
    if patch is not None:
        spec["templatePatch"] = patch
    return {"apiVersion": ARGO, "kind": "ApplicationSet", "metadata": metadata, "spec": spec}


@st.composite
def app_projects(draw: st.DrawFn) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    if draw(st.floats(0, 1)) < 0.9:
        spec["sourceRepos"] = _some(
            draw,
            [
                *REPO_URLS,
                "*",
                " * ",
                "https://github.com/acme/*",
                "!https://github.com/evil/*",
                "*/acme/*",
                "http://github.com/acme/*",
            ],
        )
    if draw(st.floats(0, 1)) < 0.8:
        destinations = []
        for _ in range(draw(st.integers(0, 2))):
            destination = {
                "namespace": draw(st.sampled_from(["team-a", "*"])),
                "server": draw(st.sampled_from(["https://kubernetes.default.svc", "*"])),
            }
            name = draw(st.sampled_from([None, "in-cluster", "*"]))
            if name is not None:
                destination["name"] = name
            destinations.append(destination)
        spec["destinations"] = destinations
    if draw(st.booleans()):
        whitelist = []
        for _ in range(draw(st.integers(0, 2))):
            entry = {
                "group": draw(st.sampled_from(["*", ""])),
                "kind": draw(st.sampled_from(["*", "Namespace"])),
            }
            name = draw(st.sampled_from([None, "", "*", "team-a"]))
            if name is not None:
                entry["name"] = name
            whitelist.append(entry)
        spec["clusterResourceWhitelist"] = whitelist
    return {
        "apiVersion": ARGO,
        "kind": "AppProject",
        "metadata": {"name": "team-a", "namespace": "argocd"},
        "spec": spec,
    }


#: What Flux's GitRepository CRD admits in spec.url (pattern ^(http|https|ssh)://.*$), both sides of the rules.
FLUX_URLS = [
    "https://github.com/acme/platform.git",
    "https://",
    "http://github.com/acme/platform.git",
    "ssh://git@github.com/acme/platform.git",
    "ssh://",
    "https://ci:s3cret@github.com/acme/platform.git",
    "ssh://git:s3cret@github.com/acme/platform.git",
]


@st.composite
def git_repositories(draw: st.DrawFn) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "interval": "1m",
        "url": draw(st.sampled_from(FLUX_URLS)),
        "ref": {"branch": "main"},
    }
    secret = draw(st.sampled_from([None, "platform-repository", "", " "]))
    if secret is not None:
        spec["secretRef"] = {"name": secret}
    return {
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "GitRepository",
        "metadata": {"name": "platform", "namespace": "flux-system"},
        "spec": spec,
    }


@st.composite
def kustomizations(draw: st.DrawFn) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "interval": "10m",
        "path": "./clusters/prod",
        "prune": draw(st.booleans()),
        "sourceRef": {"kind": "GitRepository", "name": "platform"},
    }
    suspend = draw(st.sampled_from([None, True, False]))
    if suspend is not None:
        spec["suspend"] = suspend
    metadata: dict[str, Any] = {"name": "platform", "namespace": "flux-system"}
    labels = _env_labels(draw, [None, "prod", "staging", "dev"])
    if labels:
        metadata["labels"] = labels
    return {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": metadata,
        "spec": spec,
    }


#: The strategies of the kinds the RBAC, tenancy, Karpenter and GitOps rules judge.
RBAC_TENANCY_GITOPS = (
    roles,
    bindings,
    service_accounts,
    namespaces,
    peer_authentications,
    ec2_node_classes,
    node_pools,
    applications,
    application_sets,
    app_projects,
    git_repositories,
    kustomizations,
)


def other_objects() -> st.SearchStrategy[dict[str, Any]]:
    """One object of any kind drawn here."""
    return st.one_of(services(), config_maps(), *(strategy() for strategy in RBAC_TENANCY_GITOPS))
