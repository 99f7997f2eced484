"""Odd inputs never raise: missing or None fields, "[secret]" placeholders, wrong shapes everywhere."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from platform_components.policies import RULES, STACK_RULES, Resource, check

if TYPE_CHECKING:
    from conftest import Kit

ODD_VALUES: list[Any] = [None, "[secret]", [None, "[secret]", 1], {"[secret]": None}]
ALL_TYPES = sorted({type_ for rule in RULES for type_ in rule.types})


def kind_and_api(type_token: str) -> tuple[str, str]:
    _, group_version, kind = type_token.split(":")
    return kind, group_version.removeprefix("core/")


def sample_objects(kit: Kit) -> list[dict[str, Any]]:
    """One object of each shape (StatefulSet, DaemonSet, ReplicaSet and Job share the Deployment's)."""
    return [
        *kit.stack(),
        kit.workload("Pod"),
        kit.workload("CronJob"),
        kit.role(),
        kit.role(kind="ClusterRole"),
        kit.binding(),
        kit.binding(kind="ClusterRoleBinding"),
        kit.service_account("default"),
        kit.config_map(),
        kit.database(),
        kit.rollout(),
        kit.migration_rollout(),
        kit.scaled_object(),
        kit.application(),
        kit.application_set(),
        kit.app_project(),
        kit.repo_secret({"url": "https://bot:pw@github.com/acme/p.git", "password": "literal"}),
        kit.git_repository("ssh://git@github.com/acme/platform.git"),
        kit.kustomization(),
    ]


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path into a JSON-like value (dict keys and list indexes)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*prefix, key)
            yield from paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield (*prefix, index)
            yield from paths(item, (*prefix, index))


def parent_of(obj: dict[str, Any], path: tuple[Any, ...]) -> Any:
    target: Any = obj
    for part in path[:-1]:
        target = target[part]
    return target


@pytest.mark.parametrize("type_token", ALL_TYPES)
@pytest.mark.parametrize(
    "props",
    [
        {},
        {"spec": None, "metadata": None},
        {"spec": "[secret]", "metadata": "[secret]"},
        {"spec": {"template": None, "jobTemplate": "[secret]", "selector": "[secret]"}},
        {"spec": {"template": {"spec": {"containers": None, "volumes": None}}}},
        {"spec": {"template": {"spec": {"containers": "[secret]", "securityContext": "[secret]"}}}},
        {"spec": {"containers": [None, "[secret]", 7, {"securityContext": None, "ports": "[secret]"}]}},
        {"rules": "[secret]", "subjects": [None, "[secret]"], "roleRef": "[secret]", "data": "[secret]"},
        {
            "rules": [{"verbs": "*", "resources": None}],
            "subjects": [{"name": {"x": 1}}],
            "data": {"token": None},
        },
        {"metadata": {"name": {"x": 1}, "namespace": ["a"], "labels": "[secret]", "annotations": [1]}},
    ],
)
def test_rules_never_raise_on_odd_props(type_token: str, props: dict[str, Any]) -> None:
    kind, api_version = kind_and_api(type_token)
    resource = Resource(type_token, "odd", {"apiVersion": api_version, "kind": kind, **props})
    for rule in RULES:
        if type_token in rule.types:
            list(rule.check(resource))
    for stack_rule in STACK_RULES:
        list(stack_rule.check([resource, resource]))


def test_odd_value_at_every_path_of_every_sample_never_raises(kit: Kit) -> None:
    """Replace each field of each sample object, one at a time, with each odd value and run the pack."""
    objects = sample_objects(kit)
    runs = 0
    for obj in objects:
        token = kit.resource(obj).type
        others = [r for r in kit.stack_resources() if r.type != token]
        for path in list(paths(obj)):
            if path[0] in ("apiVersion", "kind"):
                continue
            parent = parent_of(obj, path)
            original = parent[path[-1]]
            for value in ODD_VALUES:
                parent[path[-1]] = value  # rules never mutate props, so in-place replacement is safe
                check([Resource(token, "odd", obj), *others])
                runs += 1
            parent[path[-1]] = original
    assert runs > 500


def test_odd_value_at_every_path_of_the_bucket_stack_never_raises(kit: Kit) -> None:
    """The S3 stack rule reads props of buckets and their configuration resources (not manifests)."""
    stack = list(kit.bucket_stack().values())
    runs = 0
    for position, resource in enumerate(stack):
        props = copy.deepcopy(dict(resource.props))
        for path in list(paths(props)):
            parent = parent_of(props, path)
            original = parent[path[-1]]
            for value in ODD_VALUES:
                parent[path[-1]] = value
                odd = Resource(
                    resource.type,
                    resource.name,
                    props,
                    urn=resource.urn,
                    property_dependencies=resource.property_dependencies,
                )
                check([*stack[:position], odd, *stack[position + 1 :]])
                runs += 1
            parent[path[-1]] = original
    assert runs > 50


def test_secret_placeholders_fail_closed_where_security_is_at_stake(kit: Kit) -> None:
    dep = kit.deployment()
    context = kit.pod_spec_of(dep)["containers"][0]["securityContext"]
    context["privileged"] = "[secret]"
    context["allowPrivilegeEscalation"] = "[secret]"
    ids = {v.rule_id for v in check([kit.resource(dep)]).violations}
    assert {"pss-privileged", "pss-no-privilege-escalation"} <= ids
