"""The payments team's service: an API behind the edge gateway, calling the ledger.

What this program references but does not deploy is declared in ``externals``: the policy pack
resolves every other reference against this program and fails the preview on a typo. The namespace
is the platform's; its mesh mode comes from this stack's config (the platform stack exports it:
``pulumi stack output meshes``).
"""

import pulumi
from platform_components import (
    AutoscalingArgs,
    EgressRule,
    ExternalKind,
    ExternalRef,
    IngressRule,
    MeshMode,
    MountArgs,
    NamespaceRef,
    NetworkArgs,
    PortArgs,
    PortRef,
    ProbeArgs,
    ResourcesArgs,
    SecureWorkload,
    SecureWorkloadArgs,
)

config = pulumi.Config()
namespace = config.require("namespace")
team = NamespaceRef(name=namespace, mesh=MeshMode(config.require("mesh")))

api = SecureWorkload(
    "payments-api",
    SecureWorkloadArgs(
        namespace=namespace,
        image=config.require("image"),
        ports=[PortArgs(name="http", port=8080), PortArgs(name="metrics", port=9090, expose=False)],
        readiness=ProbeArgs(path="/readyz"),
        liveness=ProbeArgs(path="/livez", period_seconds=20),
        resources=ResourcesArgs(cpu="250m", memory="256Mi"),
        autoscaling=AutoscalingArgs(min_replicas=config.get_int("replicas") or 3, max_replicas=12),
        secret_files=[MountArgs(name="payments-db", mount_path="/var/run/secrets/db")],
        env={"LEDGER_URL": f"http://ledger.{namespace}.svc.cluster.local:8080"},
        network=NetworkArgs(
            ingress=[
                IngressRule(namespace="edge", workload="gateway", ports=["http"]),
                IngressRule(
                    namespace="monitoring",
                    pod_labels={"app.kubernetes.io/name": "prometheus"},
                    ports=["metrics"],
                ),
            ],
            egress=[EgressRule(workload="ledger", ports=[PortRef(port=8080)])],
        ),
    ),
    mesh=team,
    externals=[
        ExternalRef(name="ledger"),  # in our namespace, deployed by the ledger's own program
        ExternalRef(namespace="edge", name="gateway"),  # the edge gateway, another team's
        ExternalRef(kind=ExternalKind.NAMESPACE, namespace="monitoring"),  # Prometheus, a platform add-on
    ],
)

pulumi.export("service_host", api.service_host)
