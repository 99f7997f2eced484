"""Object names as the API server validates them: each rule fires on what upstream refuses and is
silent on what it accepts. Every test names the upstream function it mirrors."""

from __future__ import annotations

import re
from typing import Any

import pytest
from platform_components.preview import names
from platform_components.preview.engine import display_of
from platform_components.preview.schema import validate_manifest

SUBDOMAIN_REGEX = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
SUBDOMAIN_MESSAGE = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and "
    f"must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    f"'{SUBDOMAIN_REGEX}')"
)
LABEL_MESSAGE = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
    "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
DNS1035_MESSAGE = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
    "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "
    "validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
)
LONGEST_SUBDOMAIN = ("a" * 62 + ".") * 4 + "b"  # 253 characters


def obj(api_version: str, kind: str, name: str | None = None, **meta: Any) -> dict[str, Any]:
    metadata: dict[str, Any] = dict(meta)
    if name is not None:
        metadata["name"] = name
    return {"apiVersion": api_version, "kind": kind, "metadata": metadata}


def errors(manifest: dict[str, Any]) -> list[tuple[str, str]]:
    return list(names.metadata_errors(manifest))


# --------------------------------------------------------------------------------------------------
# k8s.io/apimachinery/pkg/util/validation: IsDNS1123Subdomain (NameIsDNSSubdomain: most kinds)


@pytest.mark.parametrize(
    "name", ["a", "0", "my-config", "a.b.c", "1-2.3-4", "x" * 253, LONGEST_SUBDOMAIN], ids=repr
)
def test_is_dns1123_subdomain_accepts(name: str) -> None:
    assert names.is_dns1123_subdomain(name) == []
    assert errors(obj("v1", "ConfigMap", name, namespace="apps")) == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("x" * 254, ["must be no more than 253 characters"]),
        ("X" * 254, ["must be no more than 253 characters", SUBDOMAIN_MESSAGE]),
        ("My-Config", [SUBDOMAIN_MESSAGE]),
        ("-config", [SUBDOMAIN_MESSAGE]),
        ("config-", [SUBDOMAIN_MESSAGE]),
        ("a..b", [SUBDOMAIN_MESSAGE]),
        (".a", [SUBDOMAIN_MESSAGE]),
        ("a_b", [SUBDOMAIN_MESSAGE]),
        ("a/b", [SUBDOMAIN_MESSAGE]),
        ("config\n", [SUBDOMAIN_MESSAGE]),  # Go's ^...$ does not match before a final newline
    ],
    ids=repr,
)
def test_is_dns1123_subdomain_refuses(name: str, expected: list[str]) -> None:
    assert names.is_dns1123_subdomain(name) == expected
    assert errors(obj("v1", "ConfigMap", name, namespace="apps")) == [("metadata.name", m) for m in expected]


@pytest.mark.parametrize(
    ("api_version", "kind"),
    [
        ("v1", "ConfigMap"),  # core ValidateConfigMapName
        ("v1", "Secret"),  # core ValidateSecretName
        ("v1", "ServiceAccount"),  # apimachinery ValidateServiceAccountName
        ("v1", "Pod"),  # core ValidatePodName
        ("v1", "PersistentVolumeClaim"),  # core ValidatePersistentVolumeName
        ("apps/v1", "Deployment"),
        ("apps/v1", "DaemonSet"),
        ("batch/v1", "Job"),  # ValidateReplicationControllerName
        ("networking.k8s.io/v1", "NetworkPolicy"),
        ("policy/v1", "PodDisruptionBudget"),
        ("autoscaling/v2", "HorizontalPodAutoscaler"),
        ("karpenter.sh/v1", "NodePool"),  # customResourceValidator: NameIsDNSSubdomain
    ],
)
def test_kinds_named_as_dns_subdomains(api_version: str, kind: str) -> None:
    assert names.name_function(api_version, kind) is names.name_is_dns_subdomain
    assert errors(obj(api_version, kind, "a.b")) == []
    assert errors(obj(api_version, kind, "A")) == [("metadata.name", SUBDOMAIN_MESSAGE)]


# --------------------------------------------------------------------------------------------------
# k8s.io/apimachinery/pkg/util/validation: IsDNS1123Label (NameIsDNSLabel)
# k8s.io/kubernetes/pkg/apis/core/validation: ValidateNamespaceName = NameIsDNSLabel
# k8s.io/kubernetes/pkg/apis/apps/validation: ValidateStatefulSetName = NameIsDNSLabel


@pytest.mark.parametrize("name", ["a", "0", "team-a", "x" * 63], ids=repr)
def test_is_dns1123_label_accepts(name: str) -> None:
    assert names.is_dns1123_label(name) == []
    assert errors(obj("v1", "Namespace", name)) == []
    assert errors(obj("apps/v1", "StatefulSet", name, namespace="apps")) == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("x" * 64, ["must be no more than 63 characters"]),
        ("a.b", ["must not contain dots"]),  # a subdomain, but not a label
        ("x" * 64 + ".b", ["must be no more than 63 characters", "must not contain dots"]),
        ("Team", [LABEL_MESSAGE]),
        ("-team", [LABEL_MESSAGE]),
        ("team_a", [LABEL_MESSAGE]),
    ],
    ids=repr,
)
def test_is_dns1123_label_refuses(name: str, expected: list[str]) -> None:
    assert names.is_dns1123_label(name) == expected
    assert errors(obj("v1", "Namespace", name)) == [("metadata.name", m) for m in expected]
    assert errors(obj("apps/v1", "StatefulSet", name, namespace="apps")) == [
        ("metadata.name", m) for m in expected
    ]


def test_metadata_namespace_is_a_dns1123_label() -> None:
    """ValidateObjectMetaAccessor: ``ValidateNamespaceName(meta.GetNamespace(), false)``."""
    assert errors(obj("v1", "ConfigMap", "settings", namespace="team-a")) == []
    assert errors(obj("v1", "ConfigMap", "settings", namespace="x" * 64)) == [
        ("metadata.namespace", "must be no more than 63 characters")
    ]
    assert errors(obj("v1", "ConfigMap", "settings", namespace="Team")) == [
        ("metadata.namespace", LABEL_MESSAGE)
    ]
    assert errors(obj("v1", "ConfigMap", "settings", namespace="a.b")) == [
        ("metadata.namespace", "must not contain dots")
    ]


# --------------------------------------------------------------------------------------------------
# k8s.io/apimachinery/pkg/util/validation: IsDNS1035Label
# k8s.io/kubernetes/pkg/apis/core/validation: ValidateServiceName = NameIsDNS1035Label


@pytest.mark.parametrize("name", ["a", "api", "api-v2", "x" * 63], ids=repr)
def test_service_names_are_dns1035_labels(name: str) -> None:
    assert names.is_dns1035_label(name) == []
    assert errors(obj("v1", "Service", name, namespace="apps")) == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("1st-service", [DNS1035_MESSAGE]),  # a DNS-1123 label, but not starting with a letter
        ("0", [DNS1035_MESSAGE]),
        ("x" * 64, ["must be no more than 63 characters"]),
        ("api.v2", [DNS1035_MESSAGE]),
        ("API", [DNS1035_MESSAGE]),
    ],
    ids=repr,
)
def test_service_names_refused(name: str, expected: list[str]) -> None:
    assert names.is_dns1035_label(name) == expected
    assert errors(obj("v1", "Service", name, namespace="apps")) == [("metadata.name", m) for m in expected]


def test_only_the_core_service_is_a_dns1035_label() -> None:
    """A custom resource of kind Service (another group) is a subdomain (customResourceValidator)."""
    assert names.name_function("v1", "Service") is names.name_is_dns1035_label
    assert names.name_function("serving.knative.dev/v1", "Service") is names.name_is_dns_subdomain
    assert errors(obj("serving.knative.dev/v1", "Service", "1st.service", namespace="apps")) == []


# --------------------------------------------------------------------------------------------------
# k8s.io/apimachinery/pkg/api/validation/path: IsValidPathSegmentName
# k8s.io/kubernetes/pkg/apis/rbac/validation: ValidateRBACName = path.IsValidPathSegmentName


RBAC = [
    ("rbac.authorization.k8s.io/v1", "Role"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1", "RoleBinding"),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
]


@pytest.mark.parametrize(("api_version", "kind"), RBAC)
@pytest.mark.parametrize(
    "name", ["system:controller:job-controller", "Admin", "a b", "...", "x" * 1000, "ünïcödé"], ids=repr
)
def test_rbac_names_are_path_segments(api_version: str, kind: str, name: str) -> None:
    assert names.is_valid_path_segment_name(name) == []
    assert errors(obj(api_version, kind, name)) == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (".", ["may not be '.'"]),
        ("..", ["may not be '..'"]),
        ("a/b", ["may not contain '/'"]),
        ("100%", ["may not contain '%'"]),
        ("a/100%", ["may not contain '/'", "may not contain '%'"]),
    ],
    ids=repr,
)
@pytest.mark.parametrize(("api_version", "kind"), RBAC)
def test_rbac_names_refused(api_version: str, kind: str, name: str, expected: list[str]) -> None:
    assert names.is_valid_path_segment_name(name) == expected
    assert errors(obj(api_version, kind, name)) == [("metadata.name", m) for m in expected]


# --------------------------------------------------------------------------------------------------
# k8s.io/kubernetes/pkg/apis/batch/validation: ValidateCronJob (ValidateReplicationControllerName,
# then len(name) > DNS1035LabelMaxLength-11: "must be no more than 52 characters")


def test_cronjob_names_are_subdomains_of_at_most_52_characters() -> None:
    assert errors(obj("batch/v1", "CronJob", "x" * 52, namespace="apps")) == []
    assert errors(obj("batch/v1", "CronJob", "x" * 53, namespace="apps")) == [
        ("metadata.name", "must be no more than 52 characters")
    ]
    assert errors(obj("batch/v1", "CronJob", "x" * 254, namespace="apps")) == [
        ("metadata.name", "must be no more than 253 characters"),
        ("metadata.name", "must be no more than 52 characters"),
    ]
    assert errors(obj("batch/v1", "CronJob", "Nightly", namespace="apps")) == [
        ("metadata.name", SUBDOMAIN_MESSAGE)
    ]


# --------------------------------------------------------------------------------------------------
# k8s.io/apimachinery/pkg/api/validation: ValidateObjectMetaAccessor validates generateName with the
# kind's name function in prefix mode (maskTrailingDash), then the generated name


@pytest.mark.parametrize(
    ("api_version", "kind", "prefix"),
    [
        ("v1", "ConfigMap", "settings-"),
        ("v1", "ConfigMap", "a-"),
        ("v1", "Service", "api-"),
        ("v1", "Namespace", "team-"),
        ("batch/v1", "CronJob", "x" * 60 + "-"),  # the 52-character limit is on the name
        ("rbac.authorization.k8s.io/v1", "Role", "reader:"),
    ],
)
def test_generate_name_prefixes_accepted(api_version: str, kind: str, prefix: str) -> None:
    assert errors(obj(api_version, kind, generateName=prefix)) == []


def test_mask_trailing_dash_mirrors_upstream() -> None:
    """maskTrailingDash: ``name[:len(name)-2] + "a"`` when the name ends with a dash."""
    assert names.mask_trailing_dash("web-") == "wea"
    assert names.mask_trailing_dash("a-") == "a"
    assert names.mask_trailing_dash("web") == "web"
    assert names.mask_trailing_dash("-") == "-"


@pytest.mark.parametrize(
    ("api_version", "kind", "prefix", "expected"),
    [
        ("v1", "ConfigMap", "Settings-", [SUBDOMAIN_MESSAGE]),
        ("v1", "ConfigMap", "-", [SUBDOMAIN_MESSAGE]),
        ("v1", "Service", "1st-", [DNS1035_MESSAGE]),
        ("v1", "Namespace", "team.", [LABEL_MESSAGE]),
        ("rbac.authorization.k8s.io/v1", "Role", "a/", ["may not contain '/'"]),
        ("rbac.authorization.k8s.io/v1", "Role", ".", ["may not be '.'"]),  # ValidateRBACName ignores prefix
    ],
)
def test_generate_name_prefixes_refused(
    api_version: str, kind: str, prefix: str, expected: list[str]
) -> None:
    assert errors(obj(api_version, kind, generateName=prefix)) == [
        ("metadata.generateName", m) for m in expected
    ]


def test_generated_names_are_what_the_api_server_makes() -> None:
    """names.SimpleNameGenerator: at most 58 characters of the prefix, then 5 random characters."""
    name = names.generated_name("settings-", "seed")
    assert name.startswith("settings-") and len(name) == len("settings-") + 5
    assert name == names.generated_name("settings-", "seed")  # stable from run to run
    assert len(names.generated_name("x" * 100, "seed")) == 63
    assert names.is_dns1123_label(names.generated_name("web-", "seed")) == []


# --------------------------------------------------------------------------------------------------
# The schema check: name errors first, with the object and the field path


def test_validate_manifest_reports_name_errors_first() -> None:
    manifest = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "Bad_Name", "namespace": "apps"},
        "data": {"a": 1},  # a schema error too
    }
    found = validate_manifest(manifest, "1.35", display=display_of(manifest))
    assert (found[0].path, found[0].message) == ("metadata.name", SUBDOMAIN_MESSAGE)
    assert str(found[0]) == f"ConfigMap apps/Bad_Name: metadata.name: {SUBDOMAIN_MESSAGE}"
    assert any(e.path == "data.a" for e in found[1:])


def test_validate_manifest_reports_a_custom_resource_name_once() -> None:
    manifest = {
        "apiVersion": "karpenter.sh/v1",
        "kind": "NodePool",
        "metadata": {"name": "x" * 254},
        "spec": {
            "template": {
                "spec": {
                    "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": "default"},
                    "requirements": [],
                }
            }
        },
    }
    found = validate_manifest(manifest, "1.35", display=display_of(manifest))
    assert [(e.path, e.message) for e in found].count(
        ("metadata.name", "must be no more than 253 characters")
    ) == 1
    assert found[0].path == "metadata.name"


def test_a_valid_name_adds_nothing() -> None:
    manifest = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": LONGEST_SUBDOMAIN, "namespace": "apps"},
    }
    assert validate_manifest(manifest, "1.35", display=display_of(manifest)) == []


def test_a_generate_name_object_is_named_as_the_api_server_names_it() -> None:
    """The provider leaves the name to the API server: the preview's name is the prefix and five
    characters, whatever the program's logical name (here not a valid object name at all)."""
    import pulumi_kubernetes as k8s
    from platform_components.testing import preview_function

    def program() -> None:
        k8s.core.v1.ConfigMap("My Settings", metadata={"generateName": "settings-", "namespace": "apps"})

    result = preview_function(program)
    assert result.result.schema_errors == []
    [(_record, manifest)] = result.result.manifests
    assert re.fullmatch(r"settings-[bcdfghjklmnpqrstvwxz2456789]{5}", manifest["metadata"]["name"])
