"""Shared Kubernetes builders: names, quantities, labels, security contexts, probes, network policies.

Everything here is pure (dicts in, dicts out, no Pulumi), so it is unit-tested without mocks and
reused by every component that renders pods.
"""

__all__: list[str] = []  # the modules are the API: import from them
