"""StatefulDatabase under the offline engine: protection, URN stability, secrets, network reachability,
the backup bucket and the prefix-scoped IAM roles (evaluated by moto), mesh identities, and bad input."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core import set_initial_no_auth_action_count
from platform_components import ConfigError, ExternalRef
from platform_components.cli import main
from platform_components.cluster import ClusterRef, EksCluster, EksClusterArgs, Identity
from platform_components.database import StatefulDatabase, StatefulDatabaseArgs, render_database
from platform_components.database.constants import IRSA_ANNOTATION, ROLE_LABEL, TYPE_TOKEN
from platform_components.namespace import MeshMode
from platform_components.preview.mocks import SECRET_MARKER, ResourceRecord
from platform_components.preview.randomness import HOOKS
from platform_components.testing import Preview, preview_function, preview_project
from pydantic import ValidationError

ROOT = Path(__file__).resolve().parents[2]
DB_PREFIX = f"{TYPE_TOKEN}$"


@pytest.fixture(scope="module")
def dev() -> Preview:
    return preview_project(ROOT, stack="dev")


def children(preview: Preview, name: str = "orders") -> list[ResourceRecord]:
    return [r for r in preview.resources if f"{TYPE_TOKEN}$" in r.urn and r.name.startswith(f"{name}-")]


def cluster_args(**overrides: Any) -> EksClusterArgs:
    base: dict[str, Any] = {
        "kubernetes_version": "1.35",
        "region": "eu-west-1",
        "availability_zones": ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
        "admin_principals": ["arn:aws:iam::123456789012:role/admins"],
    }
    return EksClusterArgs.model_validate({**base, **overrides})


API = (ExternalRef(name="api"),)
"""The database's client, deployed by another program."""


def preview_database(
    args: StatefulDatabaseArgs,
    *,
    identity: Identity = Identity.POD_IDENTITY,
    mesh: MeshMode | None = None,
    externals: tuple[ExternalRef, ...] = (),
) -> Preview:
    def program() -> None:
        cluster = EksCluster("c", cluster_args(identity=identity))
        StatefulDatabase("orders", args, cluster=cluster, mesh=mesh, externals=externals)

    return preview_function(program, config={"aws:region": "eu-west-1"})


# --------------------------------------------------------------------------------------------------
# Protection and identity of the precious resources


def test_statefulset_bucket_and_key_are_protected_and_retained(dev: Preview) -> None:
    for type_token, name in (
        ("kubernetes:apps/v1:StatefulSet", "orders-primary"),
        ("aws:s3/bucket:Bucket", "orders-backups"),
        ("aws:kms/key:Key", "orders-backup-key"),
    ):
        record = dev.resource(type_token, name)
        assert record.protect and record.retain_on_delete, name
        assert record.parent.endswith("::orders")
    assert dev.resource("aws:s3/bucket:Bucket", "orders-backups").inputs["forceDestroy"] is False
    key = dev.resource("aws:kms/key:Key", "orders-backup-key").inputs
    assert key["enableKeyRotation"] is True and key["deletionWindowInDays"] == 30


def test_every_child_is_parented_and_named_after_the_database(dev: Preview) -> None:
    records = children(dev)
    assert len(records) >= 30
    database_urn = next(r.urn for r in dev.resources if r.type == TYPE_TOKEN)
    assert all(r.parent == database_urn for r in records)
    assert len({r.urn for r in records}) == len(records)


def _urns(preview: Preview) -> set[str]:
    return {r.urn for r in children(preview)}


def test_refactor_style_changes_keep_every_urn() -> None:
    before = StatefulDatabaseArgs(namespace="shop", clients=[{"workload": "api"}])
    after = StatefulDatabaseArgs(
        namespace="shop",
        clients=[{"workload": "api"}],
        labels={"team": "shop", "cost-center": "42"},
        resources={"cpu": "1", "memory": "4Gi"},
        max_connections=300,
        parameters={"log_min_duration_statement": "500"},
        backup={"schedule": "5 */4 * * *", "retention_days": 30, "restore_test": {"schedule": "0 6 * * 1"}},
        credentials_version=2,
    )
    first, second = preview_database(before, externals=API), preview_database(after, externals=API)
    assert first.clean, first.problems()
    assert second.clean, second.problems()
    assert _urns(first) == _urns(second)
    names = {r.name for r in children(first)}
    assert {"orders-primary", "orders-backups", "orders-backup-role", "orders-restore-test-role"} <= names
    sts = second.manifest("StatefulSet", "orders", "shop")
    assert sts["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["memory"] == "4Gi"
    keepers = {
        r.inputs["keepers"]["credentials_version"]
        for r in second.of_type("random:index/randomPassword:RandomPassword")
    }
    assert keepers == {"2"}


# --------------------------------------------------------------------------------------------------
# Secrets


def _passwords(preview: Preview) -> list[str]:
    """The plaintext the offline provider generated for each RandomPassword (as a real one would)."""
    hook = HOOKS["random:index/randomPassword:RandomPassword"]
    out = []
    for record in preview.of_type("random:index/randomPassword:RandomPassword"):
        result = hook(None, SimpleNamespace(name=record.name), dict(record.inputs))  # type: ignore[arg-type]
        assert result is not None
        out.append(str(result["result"]))
    return out


def test_passwords_never_appear_in_manifests_resources_or_report(
    project: Path, capsys: pytest.CaptureFixture[str], dev: Preview
) -> None:
    assert main(["preview", "--stack", "dev"]) == 0
    capsys.readouterr()
    out = project / "out" / "dev"
    texts = {p: p.read_text() for p in out.rglob("*") if p.is_file()}
    assert out / "resources.json" in texts and out / "report.json" in texts
    passwords = _passwords(dev)
    assert len(passwords) == 3 and all(len(p) == 32 and p.isalnum() for p in passwords)
    for path, text in texts.items():
        for password in passwords:
            assert password not in text, f"a generated password leaks into {path}"
    secret = (out / "manifests" / "shop" / "secret-orders-app.yaml").read_text()
    assert f"password: '{SECRET_MARKER}'" in secret and f"uri: '{SECRET_MARKER}'" in secret
    for manifest in dev.manifests:
        if manifest["kind"] in ("StatefulSet", "CronJob"):
            text = json.dumps(manifest)
            assert "POSTGRES_PASSWORD" not in text and "PGPASSWORD" not in text


def test_credentials_are_mounted_as_files_only(dev: Preview) -> None:
    pod = dev.manifest("StatefulSet", "orders", "shop")["spec"]["template"]["spec"]
    for container in [*pod["initContainers"], *pod["containers"]]:
        assert all(
            "valueFrom" not in e or "secretKeyRef" not in e["valueFrom"] for e in container.get("env", [])
        )
        assert "envFrom" not in container
    (secrets,) = [v for v in pod["volumes"] if v["name"] == "secrets"]
    assert secrets["projected"]["defaultMode"] == 0o440
    assert sorted(s["secret"]["name"] for s in secrets["projected"]["sources"]) == [
        "orders-app",
        "orders-backup",
        "orders-replication",
    ]


# --------------------------------------------------------------------------------------------------
# Network: a small evaluator of NetworkPolicy semantics (both directions must allow a connection)


def _matches(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    for key, value in selector.get("matchLabels", {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions", []):
        present = expr["key"] in labels
        op = expr["operator"]
        if op == "Exists" and not present:
            return False
        if op == "DoesNotExist" and present:
            return False
        if op == "In" and labels.get(expr["key"]) not in expr["values"]:
            return False
        if op == "NotIn" and labels.get(expr["key"]) in expr["values"]:
            return False
    return True


Pod = tuple[str, dict[str, str]]  # (namespace, labels)


def _peer_matches(peer: dict[str, Any], policy_namespace: str, other: Pod) -> bool:
    namespace, labels = other
    if "ipBlock" in peer:
        return False  # pods are never matched by ipBlock rules in this evaluator
    if "namespaceSelector" in peer:
        if not _matches(peer["namespaceSelector"], {"kubernetes.io/metadata.name": namespace}):
            return False
    elif namespace != policy_namespace:
        return False
    return _matches(peer.get("podSelector", {}), labels)


def _port_matches(ports: list[dict[str, Any]] | None, port: int, named: dict[str, int]) -> bool:
    if not ports:
        return True
    for entry in ports:
        if entry.get("protocol", "TCP") != "TCP":
            continue
        wanted = entry.get("port")
        if wanted is None or wanted == port or named.get(str(wanted)) == port:
            return True
    return False


def _allowed(
    policies: list[dict[str, Any]], direction: str, subject: Pod, other: Pod, port: int, named: dict[str, int]
) -> bool:
    key, peers_key = ("ingress", "from") if direction == "Ingress" else ("egress", "to")
    selecting = [
        p
        for p in policies
        if p["metadata"]["namespace"] == subject[0]
        and direction in p["spec"].get("policyTypes", ["Ingress"])
        and _matches(p["spec"]["podSelector"], subject[1])
    ]
    if not selecting:
        return True
    for policy in selecting:
        for rule in policy["spec"].get(key, []):
            peers = rule.get(peers_key)
            if (not peers or any(_peer_matches(p, subject[0], other) for p in peers)) and _port_matches(
                rule.get("ports"), port, named
            ):
                return True
    return False


def reachable(preview: Preview, source: Pod, target: Pod, port: int) -> bool:
    policies = [m for m in preview.manifests if m["kind"] == "NetworkPolicy"]
    named = {"postgres": 5432}
    return _allowed(policies, "Egress", source, target, port, named) and _allowed(
        policies, "Ingress", target, source, port, {}
    )


def _pod_labels(preview: Preview, kind: str, name: str) -> dict[str, str]:
    manifest = preview.manifest(kind, name, "shop")
    template = (
        manifest["spec"]["jobTemplate"]["spec"]["template"]
        if kind == "CronJob"
        else manifest["spec"]["template"]
    )
    return dict(template["metadata"]["labels"])


def test_declared_clients_reach_5432_only_and_everyone_else_is_denied(dev: Preview) -> None:
    database = ("shop", _pod_labels(dev, "StatefulSet", "orders"))
    api = ("shop", _pod_labels(dev, "Deployment", "api"))
    frontend = ("shop", _pod_labels(dev, "Deployment", "frontend"))
    backup = ("shop", _pod_labels(dev, "CronJob", "orders-backup"))
    restore = ("shop", _pod_labels(dev, "CronJob", "orders-restore-test"))
    impostor = ("payments", dict(api[1]))  # same labels, another namespace
    assert reachable(dev, api, database, 5432)
    assert reachable(dev, backup, database, 5432)
    assert not reachable(dev, api, database, 5433)
    assert not reachable(dev, api, database, 22)
    assert not reachable(dev, frontend, database, 5432)
    assert not reachable(dev, restore, database, 5432)
    assert not reachable(dev, impostor, database, 5432)
    # the database itself calls nobody (one instance: no replication peers), and no LoadBalancer exists
    assert not reachable(dev, database, api, 9898)
    assert all(
        s["spec"].get("type", "ClusterIP") == "ClusterIP" for s in dev.manifests if s["kind"] == "Service"
    )


def test_replication_peers_reach_each_other_only_with_replicas() -> None:
    rendered = render_database(
        "orders", StatefulDatabaseArgs(namespace="shop", replicas=3, clients=[{"workload": "api"}])
    )
    spec = rendered["netpol"]["spec"]
    selector = {"app.kubernetes.io/name": "orders", "app.kubernetes.io/instance": "orders"}
    assert {
        "from": [{"podSelector": {"matchLabels": selector}}],
        "ports": [{"port": 5432, "protocol": "TCP"}],
    } in spec["ingress"]
    assert {
        "to": [{"podSelector": {"matchLabels": selector}}],
        "ports": [{"port": 5432, "protocol": "TCP"}],
    } in spec["egress"]


def test_mesh_authorization_admits_the_same_callers(dev: Preview) -> None:
    policy = dev.manifest("AuthorizationPolicy", "orders", "shop")
    principals = sorted(
        p for rule in policy["spec"]["rules"] for src in rule["from"] for p in src["source"]["principals"]
    )
    assert principals == ["cluster.local/ns/shop/sa/api", "cluster.local/ns/shop/sa/orders-backup"]
    assert all(rule["to"] == [{"operation": {"ports": ["5432"]}}] for rule in policy["spec"]["rules"])


def test_linkerd_and_sidecar_meshes() -> None:
    linkerd = render_database(
        "orders", StatefulDatabaseArgs(namespace="shop", clients=[{"workload": "api"}]), mesh=MeshMode.LINKERD
    )
    assert linkerd["callers-postgres"]["spec"]["identities"] == [
        "api.shop.serviceaccount.identity.linkerd.cluster.local",
        "orders-backup.shop.serviceaccount.identity.linkerd.cluster.local",
    ]
    job = linkerd["backup"]["spec"]["jobTemplate"]["spec"]["template"]["metadata"]
    assert job["annotations"] == {"config.alpha.linkerd.io/proxy-enable-native-sidecar": "true"}
    sidecar = render_database("orders", StatefulDatabaseArgs(namespace="shop"), mesh=MeshMode.ISTIO_SIDECAR)
    job = sidecar["restore-test"]["spec"]["jobTemplate"]["spec"]["template"]["metadata"]
    assert job["annotations"] == {"sidecar.istio.io/nativeSidecar": "true"}
    with pytest.raises(ConfigError, match=r"clients\[0\] names pods by pod_labels"):
        render_database(
            "orders",
            StatefulDatabaseArgs(namespace="shop", clients=[{"pod_labels": {"app": "x"}}]),
            mesh=MeshMode.ISTIO_AMBIENT,
        )


# --------------------------------------------------------------------------------------------------
# Backups: the bucket and the roles


def test_backup_bucket_is_versioned_encrypted_private_and_tls_only(dev: Preview) -> None:
    def one(type_token: str) -> dict[str, Any]:
        (record,) = [r for r in dev.of_type(type_token) if r.name.startswith("orders-")]
        return dict(record.inputs)

    assert one("aws:s3/bucketVersioning:BucketVersioning")["versioningConfiguration"]["status"] == "Enabled"
    (rule,) = one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")[
        "rules"
    ]
    assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "aws:kms"
    assert rule["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"].startswith("arn:aws:kms:eu-west-1:")
    assert rule["bucketKeyEnabled"] is True
    block = one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert all(
        block[flag] is True
        for flag in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    )
    assert (
        one("aws:s3/bucketOwnershipControls:BucketOwnershipControls")["rule"]["objectOwnership"]
        == "BucketOwnerEnforced"
    )
    expire, markers = one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")["rules"]
    assert expire["expiration"] == {"days": 7}  # dev keeps a week
    assert expire["filter"] == {"prefix": "shop/orders/"}
    assert expire["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 1}
    assert markers["expiration"] == {"expiredObjectDeleteMarker": True}
    policy = json.loads(one("aws:s3/bucketPolicy:BucketPolicy")["policy"])
    denies = {s["Sid"]: s for s in policy["Statement"]}
    assert denies["DenyInsecureTransport"]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert denies["DenyInsecureTransport"]["Effect"] == "Deny"


def _role_policy(preview: Preview, role: str) -> dict[str, Any]:
    record = preview.resource("aws:iam/rolePolicy:RolePolicy", f"orders-{role}-role-policy")
    return dict(json.loads(record.inputs["policy"]))


@pytest.mark.parametrize(
    ("role", "put", "get"),
    [
        pytest.param("backup", True, False, id="backup-writes-only"),
        pytest.param("restore-test", False, True, id="restore-reads-only"),
    ],
)
def test_backup_roles_reach_only_their_prefix_evaluated_by_moto(
    dev: Preview, role: str, put: bool, get: bool
) -> None:
    document = _role_policy(dev, role)
    (bucket_arn,) = {s["Resource"] for s in document["Statement"] if s["Action"] == "s3:ListBucket"}
    bucket = bucket_arn.rsplit(":", 1)[1]
    listing = next(s for s in document["Statement"] if s["Action"] == "s3:ListBucket")
    # moto does not evaluate conditions, so the listing scope is asserted on the document itself
    assert listing["Condition"] == {"StringLike": {"s3:prefix": ["shop/orders/", "shop/orders/*"]}}
    resources = {
        s["Resource"]
        for s in document["Statement"]
        if str(s["Action"]).startswith("s3:")
        or (isinstance(s["Action"], list) and s["Action"][0].startswith("s3:"))
    }
    assert resources == {bucket_arn, f"{bucket_arn}/shop/orders/*"}

    outcomes: dict[str, bool] = {}

    @set_initial_no_auth_action_count(5)
    @mock_aws
    def evaluate() -> None:
        admin_s3 = boto3.client("s3", region_name="eu-west-1")
        iam = boto3.client("iam", region_name="eu-west-1")
        admin_s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        admin_s3.put_object(Bucket=bucket, Key="shop/orders/20261126T021700Z/orders.dump", Body=b"dump")
        iam.create_user(UserName="job")
        iam.put_user_policy(UserName="job", PolicyName="p", PolicyDocument=json.dumps(document))
        key = iam.create_access_key(UserName="job")["AccessKey"]
        s3 = boto3.client(
            "s3",
            region_name="eu-west-1",
            aws_access_key_id=key["AccessKeyId"],
            aws_secret_access_key=key["SecretAccessKey"],
        )
        attempts = {
            "put-own": lambda: s3.put_object(
                Bucket=bucket, Key="shop/orders/20261127T021700Z/orders.dump", Body=b"x"
            ),
            "put-other": lambda: s3.put_object(Bucket=bucket, Key="shop/ledger/x.dump", Body=b"x"),
            "put-root": lambda: s3.put_object(Bucket=bucket, Key="x.dump", Body=b"x"),
            "get-own": lambda: s3.get_object(Bucket=bucket, Key="shop/orders/20261126T021700Z/orders.dump"),
            "delete-own": lambda: s3.delete_object(
                Bucket=bucket, Key="shop/orders/20261126T021700Z/orders.dump"
            ),
            "put-policy": lambda: s3.delete_bucket_policy(Bucket=bucket),
        }
        for label, attempt in attempts.items():
            try:
                attempt()
                outcomes[label] = True
            except admin_s3.exceptions.ClientError as exc:
                assert exc.response["Error"]["Code"] == "AccessDenied", exc
                outcomes[label] = False

    evaluate()
    assert outcomes == {
        "put-own": put,
        "put-other": False,
        "put-root": False,
        "get-own": get,
        "delete-own": False,
        "put-policy": False,
    }


def test_roles_go_through_the_identity_switch() -> None:
    pod_identity = preview_database(StatefulDatabaseArgs(namespace="shop"))
    associations = {
        r.inputs["serviceAccount"]
        for r in pod_identity.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")
        if r.name.startswith("orders-")
    }
    assert associations == {"orders-backup", "orders-restore-test"}
    irsa = preview_database(StatefulDatabaseArgs(namespace="shop"), identity=Identity.IRSA)
    assert irsa.clean, irsa.problems()
    for account in ("orders-backup", "orders-restore-test"):
        annotations = irsa.manifest("ServiceAccount", account, "shop")["metadata"]["annotations"]
        assert annotations[IRSA_ANNOTATION].startswith("arn:aws:iam::")
    assert not [
        r
        for r in irsa.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")
        if r.name.startswith("orders-")
    ]


# --------------------------------------------------------------------------------------------------
# Topology options


def test_replicas_add_a_streaming_replica_set_a_read_only_service_and_anti_affinity() -> None:
    preview = preview_database(
        StatefulDatabaseArgs(namespace="shop", replicas=3, clients=[{"workload": "api"}]), externals=API
    )
    assert preview.clean, preview.problems()
    primary = preview.manifest("StatefulSet", "orders", "shop")["spec"]
    replica = preview.manifest("StatefulSet", "orders-replica", "shop")["spec"]
    assert (primary["replicas"], replica["replicas"]) == (1, 2)
    assert preview.resource("kubernetes:apps/v1:StatefulSet", "orders-replica").protect
    assert preview.manifest("Service", "orders", "shop")["spec"]["selector"][ROLE_LABEL] == "primary"
    assert preview.manifest("Service", "orders-ro", "shop")["spec"]["selector"][ROLE_LABEL] == "replica"
    args = replica["template"]["spec"]["containers"][0]["args"]
    assert any(a.startswith("primary_conninfo=host=orders.shop.svc.cluster.local ") for a in args)
    assert "password" not in " ".join(args)
    affinity = primary["template"]["spec"]["affinity"]["podAntiAffinity"]
    assert (
        affinity["requiredDuringSchedulingIgnoredDuringExecution"][0]["topologyKey"]
        == "kubernetes.io/hostname"
    )
    assert affinity["preferredDuringSchedulingIgnoredDuringExecution"][0]["podAffinityTerm"][
        "topologyKey"
    ] == ("topology.kubernetes.io/zone")
    pdb = preview.manifest("PodDisruptionBudget", "orders", "shop")["spec"]
    assert pdb == {
        "maxUnavailable": 1,
        "selector": {
            "matchLabels": {"app.kubernetes.io/name": "orders", "app.kubernetes.io/instance": "orders"}
        },
    }


def test_iops_and_throughput_get_a_dedicated_retained_gp3_class() -> None:
    rendered = render_database(
        "orders",
        StatefulDatabaseArgs(namespace="shop", storage={"size": "100Gi", "iops": 6000, "throughput": 500}),
    )
    storage_class = rendered["storage-class"]
    assert storage_class["metadata"]["name"] == "shop-orders-gp3"
    assert storage_class["parameters"] == {
        "type": "gp3",
        "encrypted": "true",
        "csi.storage.k8s.io/fstype": "ext4",
        "iops": "6000",
        "throughput": "500",
    }
    assert storage_class["reclaimPolicy"] == "Retain"
    claim = rendered["primary"]["spec"]["volumeClaimTemplates"][0]
    assert claim["spec"]["storageClassName"] == "shop-orders-gp3"


# --------------------------------------------------------------------------------------------------
# Bad input: clear errors, nothing half-applied


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"storage": {"size": "lots"}}, "not a Kubernetes quantity"),
        ({"storage": {"size": "512Mi"}}, "below 1Gi"),
        ({"version": "14"}, "PostgreSQL '14' is not supported"),
        (
            {"version": "18", "image": "docker.io/library/postgres:17.10-bookworm"},
            "not tagged as PostgreSQL 18",
        ),
        ({"backup": {"schedule": "every night"}}, "not a cron schedule"),
        ({"backup": {"retention_days": 0}}, "under one day"),
        ({"replicas": 0}, "greater than or equal to 1"),
        ({"storage": {"size": "10Gi", "iops": 6000}}, "500 IOPS per GiB"),
        ({"storage": {"size": "100Gi", "throughput": 1000}}, "0.25 MiB/s per IOPS"),
        ({"parameters": {"shared_buffers": "1GB"}}, "managed by the component"),
        ({"username": "postgres"}, "reserved"),
        ({"database": "Orders"}, "not a plain PostgreSQL identifier"),
        ({"clients": [{"cidr": "10.0.0.0/8"}]}, "never reachable from outside the cluster"),
        ({"resources": {"memory": "128Mi"}}, "below 256Mi"),
    ],
)
def test_bad_arguments_are_refused_with_the_fix(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        StatefulDatabaseArgs.model_validate({"namespace": "shop", **overrides})


def test_backups_without_a_cluster_fail_before_any_child_exists() -> None:
    captured: list[str] = []

    def program() -> None:
        try:
            StatefulDatabase("orders", StatefulDatabaseArgs(namespace="shop"))
        except ConfigError as exc:
            captured.append(str(exc))

    preview = preview_function(program)
    assert captured and "backups need the cluster" in captured[0] and "backup.enabled false" in captured[0]
    assert preview.resources == []


def test_names_that_would_overflow_derived_names_are_refused() -> None:
    with pytest.raises(ConfigError, match="at most 40"):
        StatefulDatabase("a" * 41, StatefulDatabaseArgs(namespace="shop", backup={"enabled": False}))


def test_a_team_program_backs_up_through_a_reference_to_the_platform_cluster() -> None:
    """Application teams have no EksCluster object: a ClusterRef (e.g. from a StackReference) does."""

    def program() -> None:
        StatefulDatabase(
            "orders", StatefulDatabaseArgs(namespace="shop"), cluster=ClusterRef("platform-prod")
        )

    preview = preview_function(program, config={"aws:region": "eu-west-1"})
    assert preview.clean, preview.problems()
    associations = preview.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert {(a.inputs["clusterName"], a.inputs["serviceAccount"]) for a in associations} == {
        ("platform-prod", "orders-backup"),
        ("platform-prod", "orders-restore-test"),
    }
    assert all(r.parent.endswith("::orders") for r in preview.of_type("aws:iam/role:Role"))


def test_an_irsa_cluster_reference_needs_the_oidc_provider() -> None:
    with pytest.raises(ConfigError, match="IRSA needs oidc_provider_arn and oidc_issuer"):
        ClusterRef("platform-prod", identity=Identity.IRSA)
