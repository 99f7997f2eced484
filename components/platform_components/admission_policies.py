"""AdmissionPolicies: the pack's rules installed as ValidatingAdmissionPolicies in the cluster.

Everything Argo CD or Flux applies from Git, and everything applied with kubectl, reaches the
cluster without a preview; these policies judge it with the same rules
(:mod:`platform_components.policies.admission` generates them from the rules' CEL forms). Each
environment stack installs them (stack key ``admission``); ``platformctl admission --stack NAME``
writes the same objects as plain manifests for a GitOps repository.

Defaults, and why:

* ``enabled: true``: a rule the preview enforces should also hold for what bypasses the preview.
* every rule keeps its pack enforcement: mandatory rules deny, advisory rules warn (``actions``
  changes one rule's action per stack, e.g. dev warns where prod denies, or ``off``);
* the namespaces of the platform's own third-party controllers are left alone, each with its
  reason: ``kube-system`` (EKS managed add-ons, Karpenter), ``kube-node-lease``, ``kube-public`` and
  the GitOps controller's namespace (the Argo CD chart's or Flux's install manifest's objects, which
  the platform does not render and admission has not been verified against); a stack adds its own
  with ``excluded_namespaces`` (name: reason).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

import pulumi
from pydantic import Field, field_validator

from ._base import StrictModel
from .kube.names import check_dns1123_label
from .kube.objects import create_object
from .policies import RULES
from .policies.admission import EXCLUDED_NAMESPACES, Action, Binding, admission_policies

__all__ = ["AdmissionPolicies", "AdmissionPoliciesArgs", "admission_documents"]

TYPE_TOKEN = "platform:index:AdmissionPolicies"
_CEL_RULES = frozenset(rule.id for rule in RULES if rule.cel)


class AdmissionPoliciesArgs(StrictModel):
    """Arguments of :class:`AdmissionPolicies` (stack key ``admission``)."""

    enabled: bool = Field(
        default=True,
        description="Install the pack's rules as ValidatingAdmissionPolicies, so that what bypasses the "
        "preview (GitOps, kubectl) is judged by the same rules.",
    )
    actions: dict[str, Action] = Field(
        default_factory=dict,
        description="Per rule id: deny, warn or off, instead of the rule's pack enforcement (mandatory "
        "denies, advisory warns); differences between environments are data here.",
    )
    excluded_namespaces: dict[str, str] = Field(
        default_factory=dict,
        description="Namespaces (name: reason) the policies leave alone, besides kube-system, "
        "kube-node-lease, kube-public and the GitOps controller's namespace.",
    )

    @field_validator("actions")
    @classmethod
    def _known_rules(cls, value: dict[str, Action]) -> dict[str, Action]:
        for rule_id in value:
            if rule_id not in _CEL_RULES:
                close = difflib.get_close_matches(rule_id, sorted(_CEL_RULES), n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                raise ValueError(
                    f"actions: {rule_id!r} is not a rule with an admission form; {hint}"
                    "(platformctl rules lists each rule's enforcement point)"
                )
        return value

    @field_validator("excluded_namespaces")
    @classmethod
    def _reasons(cls, value: dict[str, str]) -> dict[str, str]:
        for namespace, reason in value.items():
            check_dns1123_label(namespace)
            if not reason.strip():
                raise ValueError(
                    f"excluded_namespaces.{namespace}: give the reason the policies leave it alone"
                )
        return value

    def binding(self, excluded: Mapping[str, str] | None = None) -> Binding:
        """The bindings' settings: the actions and every excluded namespace (defaults, ``excluded``,
        then the stack's own)."""
        return Binding(
            actions=dict(self.actions),
            excluded_namespaces={**EXCLUDED_NAMESPACES, **(excluded or {}), **self.excluded_namespaces},
        )


def admission_documents(
    args: AdmissionPoliciesArgs, excluded: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """What :class:`AdmissionPolicies` installs: each policy followed by its binding (none when disabled)."""
    return admission_policies(RULES, args.binding(excluded)) if args.enabled else []


class AdmissionPolicies(pulumi.ComponentResource):
    """The generated ValidatingAdmissionPolicies and their bindings (see the module docstring).

    ``excluded_namespaces`` adds namespaces the caller knows about (the environment passes its GitOps
    controller's namespace), each with its reason.
    """

    def __init__(
        self,
        name: str,
        args: AdmissionPoliciesArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        excluded_namespaces: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        documents = admission_documents(args, excluded_namespaces)
        policies: dict[str, pulumi.Resource] = {}
        for document in documents:
            object_name = document["metadata"]["name"]
            short = object_name.removeprefix("platform-components.")
            if document["kind"] == "ValidatingAdmissionPolicy":
                policies[object_name] = create_object(
                    f"{name}-policy-{short}", document, pulumi.ResourceOptions(parent=self)
                )
            else:
                create_object(
                    f"{name}-binding-{short}",
                    document,
                    pulumi.ResourceOptions(
                        parent=self, depends_on=[policies[document["spec"]["policyName"]]]
                    ),
                )
        self.policy_names: list[str] = sorted(policies)
        """The names of the ValidatingAdmissionPolicies (each binding has its policy's name)."""
        self.register_outputs({"policy_names": self.policy_names})
