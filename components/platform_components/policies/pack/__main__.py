"""CrossGuard entry point. Constructing PolicyPack starts a gRPC server and blocks: never import this."""

from platform_components.policies.crossguard import build_policies
from pulumi_policy import EnforcementLevel, PolicyPack

PolicyPack(
    name="platform-components",
    enforcement_level=EnforcementLevel.MANDATORY,  # default only; every policy sets its own level
    policies=build_policies(),
)
