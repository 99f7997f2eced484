"""Service validation: ``ValidateService`` and its helpers (``validateServicePort``,
``ValidatePortNumOrName``, ``ValidateServiceClusterIPsRelatedFields``, ``ValidateNonSpecialIP``,
``validateClientIPAffinityConfig``, ``validateServiceExternalTrafficPolicy``,
``validateServiceInternalTrafficFieldsValue``, ``validateLoadBalancerClassField``,
``validateServiceTrafficDistribution``) in ``pkg/apis/core/validation/validation.go``, Kubernetes
1.35, and the node-port allocator's range (``pkg/registry/core/service/portallocator``)."""

from __future__ import annotations

from typing import Any

import pytest
from platform_components.preview.apiserver import object_errors
from platform_components.preview.schema import validate_manifest


def service(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web", "namespace": "team"},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}], **spec},
    }


def errors(manifest: dict[str, Any]) -> list[tuple[str, str]]:
    return list(object_errors(manifest))


def test_validate_service_through_validate_manifest() -> None:
    """ValidateService runs in the preview: duplicate port names (validateServicePort)."""
    manifest = service(ports=[{"name": "http", "port": 80}, {"name": "http", "port": 81}])
    found = validate_manifest(manifest, "1.35", display="Service/web")
    assert [(e.path, e.message) for e in found] == [("spec.ports[1].name", 'Duplicate value: "http"')]
    assert validate_manifest(service(), "1.35", display="Service/web") == []


def test_validate_service_ports_required_unless_headless_or_external_name() -> None:
    """ValidateService: spec.ports required, except headless and ExternalName Services."""
    assert errors(service(ports=[])) == [("spec.ports", "Required value")]
    assert errors(service(ports=[], clusterIP="None")) == []
    assert errors(service(ports=[], type="ExternalName", externalName="db.example.com.")) == []


def test_validate_service_port_names() -> None:
    """validateServicePort: names required with several ports, DNS-1123 labels, unique."""
    assert errors(service(ports=[{"port": 80}, {"name": "b", "port": 81}])) == [
        ("spec.ports[0].name", "Required value")
    ]
    assert errors(service(ports=[{"name": "Web", "port": 80}]))[0][0] == "spec.ports[0].name"
    assert errors(service(ports=[{"name": "web", "port": 80}, {"name": "metrics", "port": 81}])) == []


@pytest.mark.parametrize(
    ("port", "expected"),
    [
        ({"port": 0}, ("spec.ports[0].port", "Invalid value: 0: must be between 1 and 65535, inclusive")),
        (
            {"port": 80, "protocol": "ICMP"},
            ("spec.ports[0].protocol", 'Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"'),
        ),
        (
            {"port": 80, "targetPort": 70000},
            ("spec.ports[0].targetPort", "Invalid value: 70000: must be between 1 and 65535, inclusive"),
        ),
        (
            {"port": 80, "targetPort": "http_port"},
            (
                "spec.ports[0].targetPort",
                'Invalid value: "http_port": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
            ),
        ),
        ({"port": 80, "appProtocol": "a/b/c"}, ("spec.ports[0].appProtocol", None)),
    ],
)
def test_validate_service_port_fires(port: dict[str, Any], expected: tuple[str, str | None]) -> None:
    """validateServicePort / ValidatePortNumOrName: port, protocol, targetPort, appProtocol."""
    found = errors(service(ports=[port]))
    assert found[0][0] == expected[0]
    if expected[1] is not None:
        assert found[0][1] == expected[1]


@pytest.mark.parametrize(
    "port",
    [
        {"port": 80, "targetPort": 0},
        {"port": 80, "targetPort": ""},
        {"port": 80, "targetPort": "http"},
        {"port": 53, "protocol": "UDP"},
        {"port": 80, "appProtocol": "kubernetes.io/h2c"},
    ],
)
def test_validate_service_port_silent(port: dict[str, Any]) -> None:
    """validateServicePort: defaulted targetPort (0, ""), a named targetPort, UDP, appProtocol."""
    assert errors(service(ports=[port])) == []


def test_validate_service_duplicate_port_and_protocol() -> None:
    """ValidateService: a (protocol, port) pair only once; the same port on TCP and UDP is fine."""
    ports = [{"name": "a", "port": 53}, {"name": "b", "port": 53, "protocol": "TCP"}]
    assert errors(service(ports=ports)) == [
        ("spec.ports[1]", 'Duplicate value: {"port":53,"protocol":"TCP"}')
    ]
    ports = [{"name": "a", "port": 53}, {"name": "b", "port": 53, "protocol": "UDP"}]
    assert errors(service(ports=ports)) == []


def test_validate_service_node_ports() -> None:
    """ValidateService: nodePort forbidden on ClusterIP, no duplicate (protocol, nodePort); the
    allocator: in the node-port range."""
    assert errors(service(ports=[{"port": 80, "nodePort": 30080}])) == [
        ("spec.ports[0].nodePort", "Forbidden: may not be used when `type` is 'ClusterIP'")
    ]
    found = errors(service(type="NodePort", ports=[{"port": 80, "nodePort": 8080}]))
    assert found[0][0] == "spec.ports[0].nodePort"
    assert "provided port is not in the valid range. The range of valid ports is 30000-32767" in found[0][1]
    ports = [{"name": "a", "port": 80, "nodePort": 30080}, {"name": "b", "port": 81, "nodePort": 30080}]
    assert errors(service(type="NodePort", ports=ports)) == [
        ("spec.ports[1].nodePort", "Duplicate value: 30080")
    ]
    assert errors(service(type="LoadBalancer", ports=[{"port": 80, "nodePort": 32767}])) == []


def test_validate_service_type_supported() -> None:
    """ValidateService: a supported type (absent is defaulted to ClusterIP)."""
    assert errors(service(type="Internal")) == [
        (
            "spec.type",
            'Unsupported value: "Internal": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
        )
    ]


@pytest.mark.parametrize("kind", ["NodePort", "LoadBalancer"])
def test_validate_service_headless_not_with_node_port_or_load_balancer(kind: str) -> None:
    """ValidateService: clusterIP None is not allowed for NodePort and LoadBalancer Services."""
    assert errors(service(type=kind, clusterIP="None")) == [
        ("spec.clusterIP", f"Invalid value: \"None\": may not be set to 'None' for {kind} services")
    ]


def test_validate_service_external_name() -> None:
    """ValidateService (ExternalName): externalName required, a DNS subdomain (trailing dot ok);
    no clusterIP, ipFamilies or ipFamilyPolicy."""
    base = {"type": "ExternalName", "ports": []}
    assert errors(service(**base)) == [("spec.externalName", "Required value")]
    assert errors(service(**base, externalName="."))[0] == ("spec.externalName", "Required value")
    assert errors(service(**base, externalName="DB_host"))[0][0] == "spec.externalName"
    assert errors(service(**base, externalName="db", clusterIP="10.0.0.1", ipFamilyPolicy="SingleStack")) == [
        ("spec.clusterIP", "Forbidden: may not be set for ExternalName services"),
        ("spec.ipFamilyPolicy", "Forbidden: may not be set for ExternalName services"),
    ]
    assert errors(service(**base, externalName="db.team.svc.cluster.local.")) == []


def test_validate_service_session_affinity() -> None:
    """ValidateService / validateClientIPAffinityConfig: a supported affinity, the timeout
    1-86400, no config when the affinity is None."""
    assert errors(service(sessionAffinity="Cookie"))[0] == (
        "spec.sessionAffinity",
        'Unsupported value: "Cookie": supported values: "ClientIP", "None"',
    )
    config = {"clientIP": {"timeoutSeconds": 86401}}
    assert errors(service(sessionAffinity="ClientIP", sessionAffinityConfig=config)) == [
        (
            "spec.sessionAffinityConfig.clientIP.timeoutSeconds",
            "Invalid value: 86401: must be greater than 0 and less than 86400",
        )
    ]
    assert errors(service(sessionAffinityConfig=config)) == [
        ("spec.sessionAffinityConfig", "Forbidden: must not be set when session affinity is None")
    ]
    assert errors(service(sessionAffinity="ClientIP", sessionAffinityConfig={})) == [
        ("spec.sessionAffinityConfig.clientIP", "Required value: when session affinity type is ClientIP")
    ]
    assert errors(service(sessionAffinity="ClientIP")) == []
    ok = {"clientIP": {"timeoutSeconds": 86400}}
    assert errors(service(sessionAffinity="ClientIP", sessionAffinityConfig=ok)) == []


def test_validate_service_external_traffic_policy() -> None:
    """validateServiceExternalTrafficPolicy: only for externally accessible Services, Cluster or
    Local; healthCheckNodePort only for a LoadBalancer with the Local policy."""
    assert errors(service(externalTrafficPolicy="Local")) == [
        (
            "spec.externalTrafficPolicy",
            'Invalid value: "Local": may only be set for externally-accessible services',
        )
    ]
    assert errors(service(externalTrafficPolicy="Local", externalIPs=["192.0.2.10"])) == []
    assert (
        errors(service(type="NodePort", externalTrafficPolicy="local"))[0][0] == "spec.externalTrafficPolicy"
    )
    assert errors(service(type="NodePort", healthCheckNodePort=30100)) == [
        (
            "spec.healthCheckNodePort",
            "Invalid value: 30100: may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
        )
    ]
    lb = {"type": "LoadBalancer", "externalTrafficPolicy": "Local"}
    assert errors(service(**lb, healthCheckNodePort=30100)) == []


def test_validate_service_internal_traffic_policy_and_distribution() -> None:
    """validateServiceInternalTrafficFieldsValue and validateServiceTrafficDistribution."""
    assert errors(service(internalTrafficPolicy="Node")) == [
        ("spec.internalTrafficPolicy", 'Unsupported value: "Node": supported values: "Cluster", "Local"')
    ]
    assert errors(service(trafficDistribution="Nearest"))[0][0] == "spec.trafficDistribution"
    assert errors(service(internalTrafficPolicy="Local", trafficDistribution="PreferSameNode")) == []


def test_validate_service_cluster_ips_related_fields() -> None:
    """ValidateServiceClusterIPsRelatedFields: families, policy, IPs, dual stack, family match."""
    assert errors(service(ipFamilies=["IPv4", "IPv4"])) == [("spec.ipFamilies[1]", 'Duplicate value: "IPv4"')]
    assert errors(service(ipFamilies=["ipv4"]))[0][0] == "spec.ipFamilies[0]"
    assert errors(service(ipFamilyPolicy="DualStack"))[0][0] == "spec.ipFamilyPolicy"
    assert errors(service(clusterIP="10.0.0.300")) == [
        (
            "spec.clusterIP",
            'Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
        )
    ]
    assert errors(service(clusterIPs=["10.0.0.10", "10.0.0.11"])) == [
        (
            "spec.clusterIPs",
            'Invalid value: ["10.0.0.10","10.0.0.11"]: may specify no more than one IP for each IP family',
        )
    ]
    assert errors(service(clusterIP="10.0.0.10", clusterIPs=["10.0.0.11"])) == [
        ("spec.clusterIPs", 'Invalid value: ["10.0.0.11"]: first value must match `clusterIP`')
    ]
    assert errors(service(clusterIP="10.0.0.10", ipFamilies=["IPv6"])) == [
        (
            "spec.clusterIP",
            'Invalid value: "10.0.0.10": expected an IPv6 value as indicated by `ipFamilies[0]`',
        )
    ]
    dual = {
        "clusterIPs": ["10.0.0.10", "fd00::10"],
        "ipFamilies": ["IPv4", "IPv6"],
        "ipFamilyPolicy": "RequireDualStack",
    }
    assert errors(service(**dual)) == []
    assert errors(service(clusterIP="010.0.0.10")) == []  # StrictIPCIDRValidation is off in 1.35


def test_validate_non_special_ip_on_external_ips() -> None:
    """ValidateService -> ValidateNonSpecialIP on externalIPs."""
    assert errors(service(externalIPs=["127.0.0.1", "169.254.1.1", "0.0.0.0", "224.0.0.5"])) == [
        (
            "spec.externalIPs[0]",
            'Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
        ),
        (
            "spec.externalIPs[1]",
            'Invalid value: "169.254.1.1": may not be in the link-local range (169.254.0.0/16, fe80::/10)',
        ),
        ("spec.externalIPs[2]", 'Invalid value: "0.0.0.0": may not be unspecified (0.0.0.0)'),
        (
            "spec.externalIPs[3]",
            'Invalid value: "224.0.0.5": may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)',
        ),
    ]
    assert errors(service(externalIPs=["192.0.2.10", "2001:db8::1"])) == []


def test_validate_service_load_balancer_fields() -> None:
    """ValidateService / validateLoadBalancerClassField: source ranges, allocateLoadBalancerNodePorts
    and loadBalancerClass only on LoadBalancer; source ranges are CIDRs (spaces tolerated)."""
    assert errors(service(loadBalancerSourceRanges=["10.0.0.0/8"])) == [
        ("spec.loadBalancerSourceRanges", "Forbidden: may only be used when `type` is 'LoadBalancer'")
    ]
    assert errors(service(type="LoadBalancer", loadBalancerSourceRanges=[" 10.0.0.0/8 ", "10.0.0.0"])) == [
        (
            "spec.loadBalancerSourceRanges[1]",
            'Invalid value: "10.0.0.0": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
        )
    ]
    annotated = service()
    annotated["metadata"]["annotations"] = {
        "service.beta.kubernetes.io/load-balancer-source-ranges": "1.2.3.0/24"
    }
    assert errors(annotated) == [
        (
            "metadata.annotations[service.beta.kubernetes.io/load-balancer-source-ranges]",
            "Forbidden: may only be used when `type` is 'LoadBalancer'",
        )
    ]
    assert errors(service(allocateLoadBalancerNodePorts=False)) == [
        ("spec.allocateLoadBalancerNodePorts", "Forbidden: may only be used when `type` is 'LoadBalancer'")
    ]
    assert errors(service(loadBalancerClass="example.com/lb")) == [
        ("spec.loadBalancerClass", "Forbidden: may only be used when `type` is 'LoadBalancer'")
    ]
    lb = {
        "type": "LoadBalancer",
        "loadBalancerClass": "example.com/lb",
        "allocateLoadBalancerNodePorts": False,
    }
    assert errors(service(**lb, loadBalancerSourceRanges=["10.0.0.0/8"])) == []


def test_validate_service_selector_and_topology_annotations() -> None:
    """ValidateService: selector labels (ValidateLabels); topology-mode must match the deprecated
    topology-aware-hints annotation."""
    assert errors(service(selector={"app": "bad value!"}))[0][0] == "spec.selector"
    manifest = service()
    manifest["metadata"]["annotations"] = {
        "service.kubernetes.io/topology-mode": "Auto",
        "service.kubernetes.io/topology-aware-hints": "auto",
    }
    assert errors(manifest) == [
        (
            "metadata.annotations[service.kubernetes.io/topology-mode]",
            'Invalid value: "Auto": must match annotations[service.kubernetes.io/topology-aware-hints] '
            "when both are specified",
        )
    ]


@pytest.mark.parametrize(
    "spec",
    [
        None,
        [],
        {"ports": "x"},
        {"ports": [None, 3, {"port": "80", "name": 5}]},
        {"type": 3, "clusterIPs": [None, 5], "ipFamilies": "x", "externalIPs": [1]},
        {"sessionAffinity": "ClientIP", "sessionAffinityConfig": {"clientIP": 3}},
        {"type": "ExternalName", "externalName": 5},
    ],
)
def test_validate_service_never_raises_on_malformed_input(spec: Any) -> None:
    """Wrong types are the schema's job: ValidateService's mirror reads defensively."""
    manifest = service()
    manifest["spec"] = spec
    list(object_errors(manifest))
