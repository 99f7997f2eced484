"""CrossGuard entry point. Constructing PolicyPack starts a gRPC server and blocks: never import this."""

from pulumi_policy import EnforcementLevel, PolicyPack

from components.policies.crossguard import build_policies

PolicyPack(
    name="platform-components",
    enforcement_level=EnforcementLevel.MANDATORY,  # default only; every policy sets its own level
    policies=build_policies(),
)
