"""The pure steps the StatefulDatabase manifests are built from, each on its own."""

from __future__ import annotations

import json
from typing import Any

import pytest
from platform_components.database import StatefulDatabaseArgs, render_database
from platform_components.database.backup_jobs import (
    backup_objects,
    check_env,
    job_egress,
    job_pod_annotations,
)
from platform_components.database.bucket import backup_tags, lifecycle_rules
from platform_components.database.component import filled_in, substitute
from platform_components.database.constants import (
    CREDENTIALS_ANNOTATION,
    CREDENTIALS_DIGEST_ANNOTATION,
    IRSA_ANNOTATION,
    PORT,
)
from platform_components.database.iam import backup_policy, role_document
from platform_components.database.names import Names
from platform_components.database.render import statefulsets
from platform_components.database.statefulset import (
    pod_annotations,
    pod_spec,
    server_args,
    volume_claim_template,
)
from platform_components.kube import labels as lbl
from platform_components.namespace import MeshMode

PASSWORDS = {"app_password": "a" * 20, "replication_password": "b" * 20, "backup_password": "c" * 20}


def _args(**fields: Any) -> StatefulDatabaseArgs:
    return StatefulDatabaseArgs.model_validate({"namespace": "shop", **fields})


def _names(args: StatefulDatabaseArgs) -> Names:
    return Names("orders", args)


# --------------------------------------------------------------------------------------------------
# statefulset


def test_only_a_replica_streams_from_the_primary() -> None:
    names = _names(_args())
    assert not any("primary_conninfo" in arg for arg in server_args(names, "primary"))
    conninfo = server_args(names, "replica")[-1]
    assert conninfo.startswith("primary_conninfo=host=orders.shop.svc.cluster.local port=5432 ")
    assert "passfile=/var/run/postgresql/replication.pgpass" in conninfo


@pytest.mark.parametrize("replicas", [1, 3])
def test_anti_affinity_only_with_more_than_one_instance(replicas: int) -> None:
    args = _args(replicas=replicas)
    spec = pod_spec(_names(args), args, {"app": "orders"}, "primary")
    assert ("affinity" in spec) is (replicas > 1)


def test_no_priority_class_when_none_is_asked_for() -> None:
    args = _args(priority_class_name=None)
    assert "priorityClassName" not in pod_spec(_names(args), args, {}, "primary")


def test_generated_passwords_roll_by_version_supplied_ones_by_digest() -> None:
    assert pod_annotations(_args(credentials_version=4))[CREDENTIALS_ANNOTATION] == "4"
    supplied = pod_annotations(_args(credentials=PASSWORDS))
    assert supplied[CREDENTIALS_DIGEST_ANNOTATION] == "${credentials_digest}"
    assert CREDENTIALS_ANNOTATION not in supplied


@pytest.mark.parametrize(
    ("storage", "expected"),
    [({}, "gp3-encrypted"), ({"size": "100Gi", "iops": 6000}, "shop-orders-gp3")],
)
def test_the_data_volume_uses_the_dedicated_class_when_there_is_one(
    storage: dict[str, Any], expected: str
) -> None:
    args = _args(storage=storage)
    claim = volume_claim_template(_names(args), args, {})
    assert claim["spec"]["storageClassName"] == expected


@pytest.mark.parametrize(("replicas", "roles"), [(1, ["primary"]), (3, ["primary", "replica"])])
def test_a_replica_statefulset_only_with_replicas(replicas: int, roles: list[str]) -> None:
    args = _args(replicas=replicas)
    out = statefulsets(_names(args), args, {}, {}, {"a": "b"})
    assert list(out) == roles
    assert [s["spec"]["replicas"] for s in out.values()] == [1, replicas - 1][: len(roles)]


# --------------------------------------------------------------------------------------------------
# backup jobs


def test_only_the_backup_job_reaches_the_database() -> None:
    names = _names(_args())
    database = {"podSelector": {"matchLabels": lbl.selector_labels("orders")}}
    assert job_egress(names, "backup")[0] == (database, [{"port": PORT, "protocol": "TCP"}])
    assert all(peer != database for peer, _ in job_egress(names, "restore-test"))


def test_the_check_query_only_when_there_is_one() -> None:
    names = _names(_args())
    assert "CHECK_QUERY" not in {v["name"] for v in check_env(names, _args())}
    with_query = _args(backup={"restore_test": {"check_query": "SELECT true"}})
    assert {"name": "CHECK_QUERY", "value": "SELECT true"} in check_env(names, with_query)


@pytest.mark.parametrize(
    ("mesh", "annotation"),
    [
        (MeshMode.NONE, None),
        (MeshMode.ISTIO_AMBIENT, None),
        (MeshMode.ISTIO_SIDECAR, "sidecar.istio.io/nativeSidecar"),
        (MeshMode.LINKERD, "config.alpha.linkerd.io/proxy-enable-native-sidecar"),
    ],
)
def test_jobs_run_a_sidecar_proxy_natively(mesh: MeshMode, annotation: str | None) -> None:
    assert list(job_pod_annotations(mesh)) == ([annotation] if annotation else [])


@pytest.mark.parametrize("restore_test", [True, False])
def test_backup_objects_in_creation_order(restore_test: bool) -> None:
    args = _args(backup={"restore_test": {"enabled": restore_test}})
    expected = ["backup-sa", "backup-netpol", "restore-test-sa", "restore-test-netpol", "backup"]
    assert list(backup_objects(_names(args), args, MeshMode.NONE)) == [
        *expected,
        *(["restore-test"] if restore_test else []),
    ]


# --------------------------------------------------------------------------------------------------
# bucket and IAM


def test_bucket_tags_name_the_database_and_its_environment() -> None:
    tags = backup_tags("orders", _args(labels={lbl.ENVIRONMENT: "prod"}))
    assert tags["platform-components.io/database"] == "shop/orders"
    assert tags[lbl.ENVIRONMENT] == "prod"
    assert lbl.ENVIRONMENT not in backup_tags("orders", _args())


def test_lifecycle_expires_this_databases_prefix_only() -> None:
    args = _args(backup={"retention_days": 35, "noncurrent_days": 3})
    expire, markers = lifecycle_rules(_names(args), args)
    assert expire["filter"] == markers["filter"] == {"prefix": "shop/orders/"}
    assert expire["expiration"] == {"days": 35}
    assert expire["noncurrent_version_expiration"] == {"noncurrent_days": 3}


def test_role_document_is_the_backup_policy_of_the_resolved_arns() -> None:
    arns = ["arn:aws:s3:::b", "arn:aws:kms:eu-west-1:1:key/k"]
    assert role_document(arns, prefix="p/", write=False) == backup_policy(*arns, "p/", write=False)
    actions = [s["Action"] for s in json.loads(role_document(arns, prefix="p/", write=True))["Statement"]]
    assert ["s3:PutObject"] in actions


# --------------------------------------------------------------------------------------------------
# what the component fills in


def test_placeholders_are_replaced_anywhere_in_a_manifest() -> None:
    manifest = {"a": [{"b": "${bucket}"}, "x"], "c": "${key_arn}", "d": "not ${bucket}"}
    outputs: dict[str, Any] = {"bucket": "B", "key_arn": "K"}
    assert substitute(manifest, outputs) == {"a": [{"b": "B"}, "x"], "c": "K", "d": "not ${bucket}"}


def test_filled_in_secret_data_and_irsa_role() -> None:
    args = _args()
    manifests = render_database("orders", args)
    fill: dict[str, Any] = {
        "secrets": {"app-credentials": {"username": "orders"}},
        "digest": {},
        "backup_env": {"backup_role_arn": "arn:role"},
    }
    secret = filled_in("app-credentials", manifests["app-credentials"], irsa=False, **fill)
    assert secret["stringData"] == {"username": "orders"}
    assert "stringData" not in manifests["app-credentials"]  # the rendered manifest is not changed
    account = filled_in("backup-sa", manifests["backup-sa"], irsa=True, **fill)
    assert account["metadata"]["annotations"][IRSA_ANNOTATION] == "arn:role"
    assert filled_in("backup-sa", manifests["backup-sa"], irsa=False, **fill) is manifests["backup-sa"]
