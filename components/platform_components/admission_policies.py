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
* ``images.allowed_registries`` empty: every registry allowed until the stack lists its own (the
  platform cannot guess a company's registries); each environment stack of this repository lists
  them;
* the namespaces of the platform's own third-party controllers are left alone, each with its
  reason: ``kube-system`` (EKS managed add-ons, Karpenter), ``kube-node-lease``, ``kube-public`` and
  the GitOps controller's namespace (the Argo CD chart's or Flux's install manifest's objects, which
  the platform does not render and admission has not been verified against); a stack adds its own
  with ``excluded_namespaces`` (name: reason).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
from pydantic import Field, field_validator, model_validator

from ._base import StrictModel
from .kube.names import check_dns1123_label
from .kube.objects import create_object
from .policies import RULES
from .policies.admission import EXCLUDED_NAMESPACES, RULES_ANNOTATION, Action, Binding, admission_policies
from .policies.images import (
    ALLOWED_ANNOTATION,
    DIGEST_ANNOTATION,
    EXCLUDED_ANNOTATION,
    image_allowed,
    image_rule,
)
from .policies.images import RULE_ID as IMAGE_RULE_ID
from .versions import KYVERNO_CHART_REPOSITORY, KYVERNO_CHART_VERSION

__all__ = [
    "AdmissionPolicies",
    "AdmissionPoliciesArgs",
    "ImagePolicyArgs",
    "KeylessArgs",
    "SignedSourceArgs",
    "admission_documents",
    "signature_policy",
]

TYPE_TOKEN = "platform:index:AdmissionPolicies"
_CEL_RULES = frozenset(rule.id for rule in RULES if rule.cel)


class KeylessArgs(StrictModel):
    """A Sigstore keyless identity: the OIDC issuer and the certificate subject (``*`` wildcards)."""

    issuer: str = Field(description="OIDC issuer, e.g. https://token.actions.githubusercontent.com.")
    subject: str = Field(description="Signer identity, e.g. https://github.com/acme/*; * is a wildcard.")

    @field_validator("issuer")
    @classmethod
    def _https(cls, value: str) -> str:
        if not value.startswith("https://"):
            raise ValueError(f"issuer={value!r}: an OIDC issuer is an https:// URL")
        return value


class SignedSourceArgs(StrictModel):
    """Images of one registry (or repository prefix) that must carry a valid Cosign signature."""

    registry: str = Field(description="An entry of allowed_registries, or a repository prefix below one.")
    keyless: KeylessArgs | None = Field(default=None, description="Keyless signing identity (Sigstore).")
    public_key: str | None = Field(default=None, description="Cosign public key (PEM), instead of keyless.")
    transparency_log: bool = Field(
        default=True,
        description="Require the signature's entry in the public Rekor transparency log (cosign's default). "
        "false only for public_key signatures made with cosign sign --tlog-upload=false (air-gapped "
        "signing): the key alone then vouches for the image.",
    )

    @model_validator(mode="after")
    def _one_attestor(self) -> SignedSourceArgs:
        if (self.keyless is None) == (self.public_key is None):
            raise ValueError(f"signed {self.registry!r}: give either keyless (issuer, subject) or public_key")
        if self.keyless is not None and not self.transparency_log:
            raise ValueError(
                f"signed {self.registry!r}: transparency_log: false applies to public_key signatures only; "
                "a keyless signature is proven by its Rekor entry"
            )
        if self.public_key is not None and not self.public_key.strip().startswith(
            "-----BEGIN PUBLIC KEY-----"
        ):
            raise ValueError(
                f"signed {self.registry!r}: public_key must be a PEM public key (-----BEGIN PUBLIC KEY-----)"
            )
        return self


class ImagePolicyArgs(StrictModel):
    """Where a stack's images may come from (stack key ``admission.images``;
    :mod:`platform_components.policies.images`)."""

    allowed_registries: list[str] = Field(
        default_factory=list,
        description="Registry hosts or repository prefixes images may come from, written as in the image "
        "reference (ghcr.io/acme, docker.io/library/postgres); empty allows every registry.",
    )
    require_digest: bool = Field(
        default=False, description="Every image must also be pinned by digest (image@sha256:...)."
    )
    signed: list[SignedSourceArgs] = Field(
        default_factory=list,
        description="Sources whose images must carry a valid Cosign signature, verified at admission by the "
        "Kyverno controller the stack then installs (public-key signatures verified end to end by this "
        "project's tests; keyless ones configured, not verified here).",
    )

    @field_validator("allowed_registries")
    @classmethod
    def _entries(cls, value: list[str]) -> list[str]:
        for index, entry in enumerate(value):
            if (
                not entry
                or entry != entry.strip()
                or any(c in entry for c in " \t'\"@")
                or entry.endswith(("/", ":"))
            ):
                raise ValueError(
                    f"allowed_registries[{index}]={entry!r}: write a registry host or repository prefix, "
                    "e.g. ghcr.io/acme (no spaces, quotes, tag or trailing slash)"
                )
        if len(set(value)) != len(value):
            raise ValueError("allowed_registries has duplicates; list each registry once")
        return value

    @model_validator(mode="after")
    def _signed_are_allowed(self) -> ImagePolicyArgs:
        for index, source in enumerate(self.signed):
            if not image_allowed(source.registry, self.allowed_registries):
                raise ValueError(
                    f"signed[{index}].registry={source.registry!r} is not in allowed_registries; add it there "
                    "first (an unlisted registry is refused before its signatures matter)"
                )
        return self


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
    images: ImagePolicyArgs = Field(
        default_factory=ImagePolicyArgs,
        description="Allowed image registries (and required digests), enforced by the preview and by admission.",
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


SIGNATURES_NAMESPACE = "kyverno"
SIGNATURE_POLICY = "platform-components-verify-images"
REKOR_URL = "https://rekor.sigstore.dev"


def _attestor(source: SignedSourceArgs) -> dict[str, Any]:
    if source.keyless is not None:
        keyless = {
            "issuer": source.keyless.issuer,
            "subject": source.keyless.subject,
            "rekor": {"url": REKOR_URL},
        }
        return {"keyless": keyless}
    keys: dict[str, Any] = {"publicKeys": str(source.public_key).strip() + "\n"}
    if not source.transparency_log:  # no Rekor entry, hence no SCT to check either
        keys |= {"rekor": {"url": REKOR_URL, "ignoreTlog": True}, "ctlog": {"ignoreSCT": True}}
    return {"keys": keys}


def signature_policy(images: ImagePolicyArgs, excluded: Mapping[str, str]) -> dict[str, Any] | None:
    """The Kyverno ClusterPolicy verifying the Cosign signatures of ``images.signed`` (``None`` without
    signed sources): every Pod (and, by Kyverno's autogen, every pod controller) whose image comes from
    a signed source must carry a valid signature of its attestor; the verified image is pinned to its
    digest (``mutateDigest``). Requests fail closed (``failurePolicy: Fail``)."""
    if not images.signed:
        return None
    rules = [
        {
            "name": f"verify-{index}",
            "match": {"any": [{"resources": {"kinds": ["Pod"]}}]},
            "exclude": {"any": [{"resources": {"namespaces": sorted(excluded)}}]},
            "verifyImages": [
                {
                    "imageReferences": [f"{source.registry}{sep}*" for sep in "/:@"],
                    "failureAction": "Enforce",
                    "mutateDigest": True,
                    "verifyDigest": True,
                    "required": True,
                    "attestors": [{"entries": [_attestor(source)]}],
                }
            ],
        }
        for index, source in enumerate(images.signed)
    ]
    return {
        "apiVersion": "kyverno.io/v1",
        "kind": "ClusterPolicy",
        "metadata": {
            "name": SIGNATURE_POLICY,
            "annotations": {
                "policies.kyverno.io/title": "Verify image signatures",
                "policies.kyverno.io/description": "Images from the stack's signed sources must carry a valid "
                "Cosign signature of their attestor (platform-components admission.images.signed).",
            },
        },
        "spec": {"background": False, "failurePolicy": "Fail", "webhookTimeoutSeconds": 30, "rules": rules},
    }


def admission_documents(
    args: AdmissionPoliciesArgs, excluded: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """What :class:`AdmissionPolicies` installs: each policy followed by its binding (none when disabled).

    With ``images.allowed_registries``, the rule ``img-allowed-registries`` joins the pack's rules, and
    each policy that carries it records the list, the digest requirement and the excluded namespaces in
    its annotations (what the preview's stack rule reads)."""
    if not args.enabled:
        return []
    binding = args.binding(excluded)
    rules = list(RULES)
    images = args.images
    if images.allowed_registries:
        rules.append(image_rule(images.allowed_registries, images.require_digest))
    if images.signed:  # the signature controller's own namespace (its chart's objects)
        binding = Binding(
            actions=binding.actions,
            excluded_namespaces={
                **binding.excluded_namespaces,
                SIGNATURES_NAMESPACE: "the Kyverno chart's controllers, which verify image signatures; "
                "their objects are the chart's",
            },
        )
    documents = admission_policies(rules, binding)
    signatures = signature_policy(images, binding.excluded_namespaces)
    if signatures is not None:
        documents.append(signatures)
    for document in documents:
        annotations = document["metadata"].get("annotations", {})
        if IMAGE_RULE_ID in annotations.get(RULES_ANNOTATION, "").split(","):
            annotations[ALLOWED_ANNOTATION] = json.dumps(images.allowed_registries)
            annotations[DIGEST_ANNOTATION] = "true" if images.require_digest else "false"
            annotations[EXCLUDED_ANNOTATION] = json.dumps(sorted(binding.excluded_namespaces))
    return documents


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
            if document["kind"] == "ClusterPolicy":
                self._signatures(name, document)
            elif document["kind"] == "ValidatingAdmissionPolicy":
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

    def _signatures(self, name: str, policy: dict[str, Any]) -> None:
        """The pinned Kyverno release (its chart brings the kyverno.io CRDs) and the ClusterPolicy."""
        release = k8s.helm.v3.Release(
            f"{name}-kyverno",
            name="kyverno",
            chart="kyverno",
            version=KYVERNO_CHART_VERSION,
            repository_opts={"repo": KYVERNO_CHART_REPOSITORY},
            namespace=SIGNATURES_NAMESPACE,
            create_namespace=True,
            atomic=True,
            cleanup_on_fail=True,
            opts=pulumi.ResourceOptions(parent=self),
        )
        create_object(
            f"{name}-verify-images", policy, pulumi.ResourceOptions(parent=self, depends_on=[release])
        )
