"""Whether ``pulumi up`` and ``pulumi destroy`` wait for the cluster (the stack option ``skip_await``).

By default the Kubernetes provider waits after each change until the object is ready (a
Deployment's pods available, a Service's endpoints, a StatefulSet rolled out) and, on delete, until
the object and its dependents are gone (foreground deletion). On a cluster that runs no workloads
(an API server without kubelets, such as the test control plane, or a cluster whose nodes are not
up yet) nothing ever becomes ready, so every ``up`` ends in timeouts.

With ``skip_await: true`` in the stack data, the environment stack marks what it creates:

* every Kubernetes object gets ``pulumi.com/skipAwait: "true"`` (the provider reports it
  created or updated as soon as the API server accepts it) and
  ``pulumi.com/deletionPropagationPolicy: "background"`` (delete returns at once; the garbage
  collector removes dependents afterwards);
* Helm releases and YAML groups (``helm.sh/v3:Release``, ``yaml/v2:ConfigFile`` / ``ConfigGroup``,
  ``kustomize/v2:Directory``), whose objects the provider creates itself, get their own
  ``skip_await`` input.

Never on a cluster that runs workloads: ``pulumi up`` would then report success for pods that do
not start. The option is therefore refused for prod (:mod:`platform_components.config`).
Annotations are documented by the provider (``pkg/metadata/overrides.go``: ``skipAwait``;
``deletionPropagationPolicy`` is one of ``foreground`` (default), ``background``, ``orphan``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

__all__ = [
    "DELETION_PROPAGATION_ANNOTATION",
    "SKIP_AWAIT_ANNOTATION",
    "SKIP_AWAIT_ANNOTATIONS",
    "SKIP_AWAIT_INPUT_TYPES",
    "skip_await_transformation",
]

SKIP_AWAIT_ANNOTATION = "pulumi.com/skipAwait"
DELETION_PROPAGATION_ANNOTATION = "pulumi.com/deletionPropagationPolicy"
SKIP_AWAIT_ANNOTATIONS = {SKIP_AWAIT_ANNOTATION: "true", DELETION_PROPAGATION_ANNOTATION: "background"}
"""What every Kubernetes object gets with ``skip_await``."""

SKIP_AWAIT_INPUT_TYPES = (
    "kubernetes:helm.sh/v3:Release",
    "kubernetes:yaml/v2:ConfigFile",
    "kubernetes:yaml/v2:ConfigGroup",
    "kubernetes:kustomize/v2:Directory",
)
"""Resources whose objects the provider creates itself: they take a ``skip_await`` input instead."""


def skip_await_transformation(
    args: pulumi.ResourceTransformationArgs,
) -> pulumi.ResourceTransformationResult | None:
    """A resource transformation (``ResourceOptions.transformations``, inherited by every child)
    that applies ``skip_await`` to one resource; anything that is not a Kubernetes object passes
    unchanged. Metadata given as an Output gets the annotations once it is known."""
    if args.type_ in SKIP_AWAIT_INPUT_TYPES:
        return pulumi.ResourceTransformationResult({**args.props, "skip_await": True}, args.opts)
    if not args.type_.startswith("kubernetes:") or "metadata" not in args.props:
        return None
    metadata = args.props["metadata"]
    annotated = (
        pulumi.Output.from_input(metadata).apply(_annotated)
        if isinstance(metadata, pulumi.Output)
        else _annotated(metadata)
    )
    return pulumi.ResourceTransformationResult({**args.props, "metadata": annotated}, args.opts)


def _annotated(metadata: Any) -> Any:
    """``metadata`` (a mapping or None) with the annotations added (the object's own values for the
    two keys are replaced); anything else unchanged."""
    if metadata is not None and not isinstance(metadata, Mapping):
        return metadata
    plain = dict(metadata or {})
    annotations = plain.get("annotations")
    merged = {**(annotations if isinstance(annotations, Mapping) else {}), **SKIP_AWAIT_ANNOTATIONS}
    return {**plain, "annotations": merged}
