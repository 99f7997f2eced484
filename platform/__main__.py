"""The environment program: `pulumi up --stack <env>` in this repository runs this file.

This folder is deliberately not a Python package (no __init__.py): a package named `platform`
would shadow the standard library module. The library (`platform_components`, source root `components/`) is installed into
the project's virtual environment.
"""

import pulumi
from platform_components import PlatformEnvironment, load_platform_config

config = load_platform_config()
environment = PlatformEnvironment(config.environment.value, config)
pulumi.export("environment", config.environment.value)
pulumi.export("kubernetesVersion", config.kubernetes_version)
pulumi.export("namespaces", environment.namespaces)
pulumi.export("meshes", {namespace: mode.value for namespace, mode in environment.meshes.items()})
pulumi.export("workloads", sorted(environment.workloads))
pulumi.export(
    "databases",
    {
        name: {
            "host": database.host,
            "readOnlyHost": database.read_only_host,
            "credentialsSecret": database.credentials_secret,
            "backupBucket": database.backup_bucket,
        }
        for name, database in sorted(environment.databases.items())
    },
)
if environment.cluster is not None:
    pulumi.export("clusterName", environment.cluster.cluster_name)
    pulumi.export("clusterEndpoint", environment.cluster.endpoint)
    pulumi.export("oidcIssuer", environment.cluster.oidc_issuer)
    pulumi.export("kubeconfig", environment.cluster.kubeconfig)
