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
    "service.beta.kubernetes.io/aws-load-balancer-scheme": ["internal", "internet-facing"],
    "service.beta.kubernetes.io/aws-load-balancer-internal": ["true", "false"],
    "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": ["arn:aws:acm:eu-west-1:123456789012:certificate/x"],
}


@st.composite
def services(draw: st.DrawFn) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "type": draw(st.sampled_from(["ClusterIP", "NodePort", "LoadBalancer"])),
        "selector": {"app.kubernetes.io/name": "api"},
        "ports": [{"name": "http", "port": 80, "targetPort": "http"}],
    }
    if draw(st.floats(0, 1)) < 0.2:
        spec["externalIPs"] = draw(st.lists(st.sampled_from(["203.0.113.10", "198.51.100.7"]), min_size=0, max_size=1))
    annotations = {key: draw(st.sampled_from(values)) for key, values in LB_ANNOTATIONS.items() if draw(st.booleans())}
    metadata: dict[str, Any] = {"name": "api", "namespace": draw(st.sampled_from(NAMESPACES))}
    if annotations:
        metadata["annotations"] = annotations
    return {"apiVersion": "v1", "kind": "Service", "metadata": metadata, "spec": spec}


def other_objects() -> st.SearchStrategy[dict[str, Any]]:
    """One object of any kind drawn here."""
    return st.one_of(services())
