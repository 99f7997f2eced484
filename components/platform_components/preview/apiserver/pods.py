"""Pod specs wherever they appear, as the API server validates them (Kubernetes 1.35).

Every pod spec goes through ``ValidatePodSpec`` (``k8s.io/kubernetes/pkg/apis/core/validation/
validation.go``): a Pod's ``spec``, a PodTemplate's ``template.spec``, the ``spec.template.spec`` of
a ReplicationController, Deployment, StatefulSet, DaemonSet, ReplicaSet and Job, a CronJob's
``spec.jobTemplate.spec.template.spec``, and the ``spec.template.spec`` of an Argo Rollout (the
Rollouts controller builds ReplicaSets, hence Pods, from it, so the same rules decide whether its
pods can ever be created). A StatefulSet's template is checked as the Pods its controller creates
(the API server skips ``ValidatePodSpec`` for it; see :func:`check_statefulset_template`). Other
families call :func:`pod_spec_errors` for pod specs of their own.

The object is read as the client sends it: defaulting has not run, so a field the API server
defaults (``imagePullPolicy``, ``terminationMessagePolicy``, a port's ``protocol``, ``restartPolicy``,
``dnsPolicy``, a probe's zero thresholds, ``httpGet.path``/``scheme``, ``terminationGracePeriodSeconds``)
is only checked when it is set to something the default would not replace. Fields the OpenAPI
schema already requires (a container's ``name``, ``containerPort``, a mount's ``mountPath`` ...)
are reported here only when present but empty, so no problem is reported twice. Feature gates take
their 1.35 defaults: relaxed environment variable names and DNS search paths and a zero-second
``sleep`` action are allowed (``RelaxedEnvironmentVariableValidation``, ``RelaxedDNSSearchValidation``,
``PodLifecycleSleepActionAllowZero``: GA in 1.34).

Upstream functions mirrored (``validation.go`` unless said otherwise)
--------------------------------------------------------------------
* spec: ``ValidatePodSpec``, ``ValidatePodTemplateSpec`` (no ephemeral containers in a template),
  ``ValidatePodCreate`` (no ephemeral containers on create), ``validateRestartPolicy``,
  ``validateDNSPolicy``, ``validatePodDNSConfig``, ``validatePodHostNetworkDeps``,
  ``validateReadinessGates``, ``validateSchedulingGates``, ``ValidatePreemptionPolicy``,
  ``validateOverhead``, ``validateOS``, ``validateLinux``; hostname, subdomain, nodeName,
  serviceAccountName, priorityClassName, runtimeClassName, activeDeadlineSeconds.
* containers: ``validateContainers``, ``validateInitContainers``, ``validateEphemeralContainers``,
  ``validateContainerCommon``, ``validateContainerOnlyForPod``, ``validateContainerPorts``,
  ``checkHostPortConflicts``/``AccumulateUniqueHostPorts``, ``ValidateEnv``,
  ``validateEnvVarValueFrom``, ``validateObjectFieldSelector`` (with ``pods.ConvertDownwardAPIFieldLabel``),
  ``validateContainerResourceFieldSelector``, ``validateContainerResourceDivisor``,
  ``validateConfigMapKeySelector``, ``validateSecretKeySelector``, ``ValidateEnvFrom``,
  ``validatePullPolicy``, ``validateInitContainerRestartPolicy``.
* resources: ``ValidateContainerResourceRequirements``/``validateResourceRequirements``,
  ``validateContainerResourceName``, ``validateResourceName``, ``ValidateResourceQuantityValue``,
  ``validateResourceQuantityHugePageValue``, ``validateResourceClaimNames`` (claim names only),
  with ``core/helper``'s ``IsStandardResourceName``, ``IsStandardContainerResourceName``,
  ``IsNativeResource``, ``IsExtendedResourceName``, ``IsOvercommitAllowed``, ``IsIntegerResourceName``.
* probes and hooks: ``validateLivenessProbe``, ``validateReadinessProbe``, ``validateStartupProbe``,
  ``validateProbe``, ``validateLifecycle``, ``validateHandler``, ``validateExecAction``,
  ``validateHTTPGetAction``, ``ValidatePortNumOrName``, ``validateTCPSocketAction``,
  ``validateGRPCAction``, ``validateSleepAction``.
* volumes: ``ValidateVolumes``, ``validateVolumeSource`` (one source; emptyDir, hostPath, secret,
  configMap, projected, downwardAPI, persistentVolumeClaim, nfs, csi, ephemeral in detail),
  ``validateKeyToPath``, ``ValidateLocalNonReservedPath``, ``validateLocalDescendingPath``,
  ``validatePathNoBacksteps``, ``validateProjectionSources``, ``validateDownwardAPIVolumeFile``,
  ``validateHostPathType``, ``ValidateVolumeMounts``, ``validateMountPropagation``,
  ``validateMountRecursiveReadOnly``, ``ValidateVolumeDevices``.
* security: ``validatePodSpecSecurityContext``, ``ValidateSecurityContext``,
  ``validateSeccompProfileField``, ``ValidateAppArmorProfileField``, ``validateSysctls``,
  ``IsValidSysctlName``, ``ValidateHostSysctl``, ``validateFSGroupChangePolicy``,
  ``validateSELinuxChangePolicy``, ``validateSupplementalGroupsPolicy``, ``ValidateProcMountType``,
  ``validateWindowsSecurityContextOptions``, ``validateHostUsers``; apimachinery's
  ``IsValidUserID``, ``IsValidGroupID``, ``IsValidIP``, ``IsHTTPHeaderName``,
  ``IsDNS1123SubdomainWithUnderscore``.
* scheduling: ``ValidateTolerations``, ``validateTaintEffect``, ``validateAffinity``,
  ``validateNodeAffinity``, ``ValidateNodeSelector``, ``ValidateNodeSelectorTerm``,
  ``ValidateNodeSelectorRequirement``, ``ValidateNodeFieldSelectorRequirement``,
  ``ValidatePreferredSchedulingTerms``, ``validatePodAffinity``/``validatePodAntiAffinity``,
  ``validatePodAffinityTerm``, ``validateWeightedPodAffinityTerms``,
  ``validateTopologySpreadConstraints`` (``ValidateMaxSkew``, ``ValidateTopologyKey``,
  ``ValidateWhenUnsatisfiable``, ``ValidateSpreadConstraintNotRepeat``, ``validateMinDomains``,
  ``validateNodeInclusionPolicy``, ``validateMatchLabelKeysInTopologySpread``), ``validateLabelKeys``,
  ``validateMatchLabelKeysAndMismatchLabelKeys``, ``ValidateHostAliases``; node selector labels via
  ``ValidateLabels`` (:mod:`.selectors`).

Not mirrored: pod-level ``resources`` (``validatePodResources``), ``resizePolicy``, resource claims
beyond their names, whether a ``matchLabelKeys`` key is also in the label selector (the API server
merges those keys into the selector first), Windows host-process pods, the seccomp/AppArmor
annotation consistency checks and the details of the rarely used volume plugins (gitRepo, iscsi,
rbd, cephfs, ...: they only count towards "one volume type"). Paths are those of the offending
field, also where upstream names the list rather than the item (a mount's ``subPath``,
``mountPropagation``; a downward API file). A negative pod
``terminationGracePeriodSeconds`` is not refused: ``ValidatePodSpec`` only requires it to be set (it
is defaulted), and only a probe's must be positive.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any, Final

from ...kube.quantity import parse_quantity
from ..names import is_dns1123_label, is_dns1123_subdomain, max_len_error, name_is_dns_subdomain, regex_error
from . import register
from ._resources import (
    INTEGER_RESOURCES,
    STANDARD_CONTAINER_RESOURCES,
    STANDARD_RESOURCES,
    is_extended_resource_name,
    is_native_resource,
    is_overcommit_allowed,
)
from ._validation import (
    bad_value,
    duplicate,
    forbidden,
    inclusive_range_error,
    invalid,
    is_config_map_key,
    is_int,
    is_label_value,
    is_qualified_name,
    is_relaxed_env_var_name,
    is_valid_port_name,
    is_valid_port_num,
    not_supported,
    required,
    too_long,
)
from .metadata import CONTROLLER_OBJECTS_REFUSED
from .selectors import label_name_errors, label_selector_errors, labels_errors

Errors = Iterator[tuple[str, str]]

MAX_INT32: Final = 2**31 - 1
FILE_MODE_ERROR: Final = "must be a number between 0 and 0777 (octal), both inclusive"
IS_NEGATIVE_ERROR: Final = "must be greater than or equal to 0"
IS_NOT_POSITIVE_ERROR: Final = "must be greater than zero"
QUANTITY_ERROR: Final = (
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
)

PORT_PROTOCOLS: Final = ["SCTP", "TCP", "UDP"]
PULL_POLICIES: Final = ["Always", "IfNotPresent", "Never"]
TERMINATION_MESSAGE_POLICIES: Final = ["File", "FallbackToLogsOnError"]
RESTART_POLICIES: Final = ["Always", "OnFailure", "Never"]
DNS_POLICIES: Final = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"]
HTTP_SCHEMES: Final = ["HTTP", "HTTPS"]
MOUNT_PROPAGATIONS: Final = ["Bidirectional", "HostToContainer", "None"]
RECURSIVE_READ_ONLY: Final = ["Disabled", "Enabled", "IfPossible"]
HOST_PATH_TYPES: Final = [
    "",
    "BlockDevice",
    "CharDevice",
    "Directory",
    "DirectoryOrCreate",
    "File",
    "FileOrCreate",
    "Socket",
]
SECCOMP_TYPES: Final = ["Localhost", "RuntimeDefault", "Unconfined"]
APP_ARMOR_TYPES: Final = ["Localhost", "RuntimeDefault", "Unconfined"]
PROC_MOUNT_TYPES: Final = ["Default", "Unmasked"]
FS_GROUP_CHANGE_POLICIES: Final = ["Always", "OnRootMismatch"]
SELINUX_CHANGE_POLICIES: Final = ["MountOption", "Recursive"]
SUPPLEMENTAL_GROUPS_POLICIES: Final = ["Merge", "Strict"]
TAINT_EFFECTS: Final = ["NoSchedule", "PreferNoSchedule", "NoExecute"]
TOLERATION_OPERATORS: Final = ["Equal", "Exists"]
SCHEDULE_ACTIONS: Final = ["DoNotSchedule", "ScheduleAnyway"]
NODE_INCLUSION_POLICIES: Final = ["Honor", "Ignore"]
PREEMPTION_POLICIES: Final = ["PreemptLowerPriority", "Never"]
OS_NAMES: Final = ["linux", "windows"]

MAX_DNS_NAMESERVERS: Final = 3
MAX_DNS_SEARCH_PATHS: Final = 32
MAX_DNS_SEARCH_LIST_CHARS: Final = 2048

ENV_FIELD_PATHS: Final = sorted(
    [
        "metadata.name",
        "metadata.namespace",
        "metadata.uid",
        "spec.nodeName",
        "spec.serviceAccountName",
        "status.hostIP",
        "status.hostIPs",
        "status.podIP",
        "status.podIPs",
    ]
)
"""``validEnvDownwardAPIFieldPathExpressions``."""
VOLUME_FIELD_PATHS: Final = sorted(
    ["metadata.name", "metadata.namespace", "metadata.labels", "metadata.annotations", "metadata.uid"]
)
"""``validVolumeDownwardAPIFieldPathExpressions``."""
DOWNWARD_API_LABELS: Final = frozenset(
    {
        "metadata.annotations",
        "metadata.labels",
        "metadata.name",
        "metadata.namespace",
        "metadata.uid",
        "spec.nodeName",
        "spec.restartPolicy",
        "spec.serviceAccountName",
        "spec.schedulerName",
        "status.phase",
        "status.hostIP",
        "status.hostIPs",
        "status.podIP",
        "status.podIPs",
    }
)
"""The field labels ``pods.ConvertDownwardAPIFieldLabel`` accepts for ``v1`` (``spec.host`` is
converted to ``spec.nodeName``)."""
RESOURCE_FIELD_PATHS: Final = sorted(
    [
        "limits.cpu",
        "limits.memory",
        "limits.ephemeral-storage",
        "requests.cpu",
        "requests.memory",
        "requests.ephemeral-storage",
    ]
)
"""``validContainerResourceFieldPathExpressions`` (plus the ``requests.hugepages-``/
``limits.hugepages-`` prefixes)."""

_CPU_DIVISORS: Final = frozenset({Decimal("0.001"), Decimal(1)})
_BYTE_DIVISORS: Final = frozenset(
    [Decimal(1)]
    + [Decimal(10) ** (3 * n) for n in range(1, 7)]
    + [Decimal(2) ** (10 * n) for n in range(1, 7)]
)
_BYTE_DIVISORS_TEXT: Final = "1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei"


_SYSCTL_SEGMENT: Final = "[a-z0-9]([-_a-z0-9]*[a-z0-9])?"
_SYSCTL_FMT: Final = "(" + _SYSCTL_SEGMENT + "[\\./])*" + _SYSCTL_SEGMENT
_SYSCTL: Final = re.compile(_SYSCTL_FMT)
_SYSCTL_MAX_LENGTH: Final = 253
_HTTP_HEADER_NAME_FMT: Final = "[-A-Za-z0-9]+"
_HTTP_HEADER_NAME: Final = re.compile(_HTTP_HEADER_NAME_FMT)
_DNS1123_SUBDOMAIN_US_FMT: Final = "_?[a-z0-9]([-_a-z0-9]*[a-z0-9])?(\\._?[a-z0-9]([-_a-z0-9]*[a-z0-9])?)*"
_DNS1123_SUBDOMAIN_US: Final = re.compile(_DNS1123_SUBDOMAIN_US_FMT)
_CTRL: Final = re.compile(r"[\x00-\x1f\x7f]")
_NETBIOS: Final = re.compile(r'[^\\/:\*\?"<>|\.][^\\/:\*\?"<>|]{0,14}')
_WINDOWS_DOMAIN_DNS: Final = re.compile(
    r"[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*"
)
_WINDOWS_USER_BAD_CHARS: Final = re.compile(r'["/\\:;|=,\+\*\?<>@\[\]]')
_WINDOWS_USER_DOTS_SPACES: Final = re.compile(r"[\. ]+")

_VOLUME_SOURCES: Final = (
    "emptyDir",
    "hostPath",
    "gitRepo",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "secret",
    "nfs",
    "iscsi",
    "glusterfs",
    "flocker",
    "persistentVolumeClaim",
    "rbd",
    "cinder",
    "cephfs",
    "quobyte",
    "downwardAPI",
    "fc",
    "flexVolume",
    "configMap",
    "azureFile",
    "vsphereVolume",
    "photonPersistentDisk",
    "portworxVolume",
    "azureDisk",
    "storageos",
    "projected",
    "scaleIO",
    "csi",
    "ephemeral",
    "image",
)
"""The volume sources in ``validateVolumeSource``'s order (the later of two is the one refused)."""


# --- small readers ---------------------------------------------------------------------------


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _maps(value: Any) -> Iterator[tuple[int, Mapping[str, Any]]]:
    for index, item in enumerate(_list(value)):
        if isinstance(item, Mapping):
            yield index, item


def _quantity(value: Any) -> Decimal | None:
    """A quantity's value, or None when it does not parse (or is not a string/number)."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    try:
        if isinstance(value, str) and value.endswith("Ei"):  # kube.quantity reads "Ei" as an exponent
            return parse_quantity(value[:-2]) * Decimal(2) ** 60
        return parse_quantity(value)
    except (ValueError, ArithmeticError):
        return None


def _qty_text(value: Any) -> str:
    return value if isinstance(value, str) else bad_value(value)


# --- apimachinery helpers not in _validation ----------------------------------------------------


def _ip_errors(value: str, path: str) -> Errors:
    """``validation.IsValidIP`` (strict: no leading zeros, no IPv4-mapped IPv6, canonical form)."""
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        yield path, invalid(value, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)")
        return
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        yield path, invalid(value, "must not be an IPv4-mapped IPv6 address")
        return
    if value != str(address):
        yield path, invalid(value, f'must be in canonical form ("{address}")')


def _dns1123_subdomain_with_underscore(value: str) -> list[str]:
    """``validation.IsDNS1123SubdomainWithUnderscore``."""
    errors = []
    if len(value) > 253:
        errors.append(max_len_error(253))
    if not _DNS1123_SUBDOMAIN_US.fullmatch(value):
        errors.append(
            regex_error(
                "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '_', '-' "
                "or '.', and must start and end with an alphanumeric character",
                _DNS1123_SUBDOMAIN_US_FMT,
                "example.com",
            )
        )
    return errors


def _dns_label(value: Any, path: str) -> Errors:
    """``ValidateDNS1123Label``."""
    if isinstance(value, str):
        for message in is_dns1123_label(value):
            yield path, invalid(value, message)


def _dns_subdomain(value: Any, path: str) -> Errors:
    """``ValidateDNS1123Subdomain`` (= ``NameIsDNSSubdomain`` for names)."""
    if isinstance(value, str):
        for message in is_dns1123_subdomain(value):
            yield path, invalid(value, message)


def _qualified_name(value: Any, path: str) -> Errors:
    """``ValidateQualifiedName``."""
    if isinstance(value, str):
        for message in is_qualified_name(value):
            yield path, invalid(value, message)


def _nonnegative(value: Any, path: str) -> Errors:
    """``ValidateNonnegativeField``."""
    if is_int(value) and value < 0:
        yield path, invalid(value, IS_NEGATIVE_ERROR)


# --- paths ----------------------------------------------------------------------------------------


def _path_no_backsteps(target: str, path: str) -> Errors:
    """``validatePathNoBacksteps`` (``filepath.ToSlash`` on a Linux API server leaves backslashes
    alone)."""
    if ".." in target.split("/"):
        yield path, invalid(target, "must not contain '..'")


def _local_descending_path(target: str, path: str) -> Errors:
    """``validateLocalDescendingPath``: relative, no ``..`` element."""
    if target.startswith("/"):
        yield path, invalid(target, "must be a relative path")
    yield from _path_no_backsteps(target, path)


def _local_non_reserved_path(target: str, path: str) -> Errors:
    """``ValidateLocalNonReservedPath``: a local descending path not starting with ``..``."""
    yield from _local_descending_path(target, path)
    if target.startswith("..") and not target.startswith("../"):
        yield path, invalid(target, "must not start with '..'")


def _file_mode(mode: Any, path: str) -> Errors:
    if is_int(mode) and not 0 <= mode <= 0o777:
        yield path, invalid(mode, FILE_MODE_ERROR)


# --- volumes --------------------------------------------------------------------------------------


def _key_to_path(item: Mapping[str, Any], path: str) -> Errors:
    """``validateKeyToPath``."""
    if item.get("key") == "":
        yield f"{path}.key", required()
    target = item.get("path")
    if target == "":
        yield f"{path}.path", required()
    if isinstance(target, str):
        yield from _local_non_reserved_path(target, f"{path}.path")
    yield from _file_mode(item.get("mode"), f"{path}.mode")


def _split_subscript(field_path: str) -> tuple[str, str] | None:
    """``fieldpath.SplitMaybeSubscriptedPath``: ``metadata.labels['key']`` -> (path, key)."""
    if not field_path.endswith("']"):
        return None
    head, sep, tail = field_path.partition("['")
    if not sep:
        return None
    return head, tail[:-2]


def _object_field_selector(selector: Mapping[str, Any], expressions: list[str], path: str) -> Errors:
    """``validateObjectFieldSelector`` with ``pods.ConvertDownwardAPIFieldLabel``."""
    api_version = selector.get("apiVersion")
    if isinstance(api_version, str) and api_version == "":
        yield f"{path}.apiVersion", required()
        return
    field_path = selector.get("fieldPath")
    if not isinstance(field_path, str):
        return
    if field_path == "":
        yield f"{path}.fieldPath", required()
        return
    version = api_version if isinstance(api_version, str) else "v1"  # defaulted to v1
    if version != "v1":
        yield (
            f"{path}.fieldPath",
            invalid(field_path, f"error converting fieldPath: unsupported pod version: {version}"),
        )
        return
    split = _split_subscript(field_path)
    if split is not None:
        name, subscript = split
        if name not in ("metadata.annotations", "metadata.labels"):
            yield (
                f"{path}.fieldPath",
                invalid(
                    field_path,
                    f"error converting fieldPath: field label does not support subscript: {field_path}",
                ),
            )
            return
        key = subscript.lower() if name == "metadata.annotations" else subscript
        yield from _qualified_name(key, path)
        return
    internal = "spec.nodeName" if field_path == "spec.host" else field_path
    if internal not in DOWNWARD_API_LABELS:
        yield (
            f"{path}.fieldPath",
            invalid(field_path, f"error converting fieldPath: field label not supported: {field_path}"),
        )
        return
    if internal not in expressions:
        yield f"{path}.fieldPath", not_supported(internal, expressions)


def _resource_field_selector(selector: Mapping[str, Any], path: str, *, volume: bool) -> Errors:
    """``validateContainerResourceFieldSelector`` and ``validateContainerResourceDivisor``."""
    resource = selector.get("resource")
    if volume and selector.get("containerName") in (None, ""):
        yield f"{path}.containerName", required()
    elif resource == "":
        yield f"{path}.resource", required()
    elif (
        isinstance(resource, str)
        and resource not in RESOURCE_FIELD_PATHS
        and not resource.startswith(("requests.hugepages-", "limits.hugepages-"))
    ):
        yield f"{path}.resource", not_supported(resource, RESOURCE_FIELD_PATHS)
    divisor = _quantity(selector.get("divisor")) if "divisor" in selector else None
    if divisor is None or divisor == 0 or not isinstance(resource, str):
        return
    if resource in ("limits.cpu", "requests.cpu") and divisor not in _CPU_DIVISORS:
        yield (
            f"{path}.divisor",
            invalid(resource, "only divisor's values 1m and 1 are supported with the cpu resource"),
        )
    elif resource in ("limits.memory", "requests.memory") and divisor not in _BYTE_DIVISORS:
        yield (
            f"{path}.divisor",
            invalid(
                resource,
                f"only divisor's values {_BYTE_DIVISORS_TEXT} are supported with the memory resource",
            ),
        )
    elif (
        resource in ("limits.ephemeral-storage", "requests.ephemeral-storage")
        and divisor not in _BYTE_DIVISORS
    ):
        yield (
            f"{path}.divisor",
            invalid(
                resource,
                f"only divisor's values {_BYTE_DIVISORS_TEXT} are supported with the local ephemeral storage resource",
            ),
        )
    if resource.startswith(("requests.hugepages-", "limits.hugepages-")) and divisor not in _BYTE_DIVISORS:
        yield (
            f"{path}.divisor",
            invalid(
                resource,
                f"only divisor's values {_BYTE_DIVISORS_TEXT} are supported with the hugepages resource",
            ),
        )


def _downward_api_file(item: Mapping[str, Any], path: str) -> Errors:
    """``validateDownwardAPIVolumeFile`` (reported at the item's own path)."""
    target = item.get("path")
    if target == "":
        yield f"{path}.path", required()
    if isinstance(target, str):
        yield from _local_non_reserved_path(target, f"{path}.path")
    field_ref, resource_ref = item.get("fieldRef"), item.get("resourceFieldRef")
    if isinstance(field_ref, Mapping):
        yield from _object_field_selector(field_ref, VOLUME_FIELD_PATHS, f"{path}.fieldRef")
        if resource_ref is not None:
            yield (
                path,
                invalid("resource", "fieldRef and resourceFieldRef can not be specified simultaneously"),
            )
    elif isinstance(resource_ref, Mapping):
        yield from _resource_field_selector(resource_ref, f"{path}.resourceFieldRef", volume=True)
    elif field_ref is None and resource_ref is None:
        yield path, required("one of fieldRef and resourceFieldRef is required")
    yield from _file_mode(item.get("mode"), f"{path}.mode")


def _projected(source: Mapping[str, Any], path: str) -> Errors:
    """``validateProjectedVolumeSource`` and ``validateProjectionSources``."""
    yield from _file_mode(source.get("defaultMode"), f"{path}.defaultMode")
    seen: set[str] = set()
    for index, projection in _maps(source.get("sources")):
        src_path = f"{path}.sources[{index}]"
        count = 0
        for kind in ("secret", "configMap"):
            ref = projection.get(kind)
            if not isinstance(ref, Mapping):
                continue
            count += 1
            if ref.get("name") in (None, ""):
                yield f"{src_path}.{kind}.name", required()
            for item_index, item in _maps(ref.get("items")):
                yield from _key_to_path(item, f"{src_path}.{kind}.items[{item_index}]")
                target = item.get("path")
                if isinstance(target, str) and target:
                    if target in seen:
                        yield path, invalid(ref.get("name", ""), "conflicting duplicate paths")
                    seen.add(target)
        downward = projection.get("downwardAPI")
        if isinstance(downward, Mapping):
            count += 1
            for item_index, item in _maps(downward.get("items")):
                yield from _downward_api_file(item, f"{src_path}.downwardAPI.items[{item_index}]")
                target = item.get("path")
                if isinstance(target, str) and target:
                    if target in seen:
                        yield path, invalid(target, "conflicting duplicate paths")
                    seen.add(target)
        token = projection.get("serviceAccountToken")
        if isinstance(token, Mapping):
            count += 1
            seconds = token.get("expirationSeconds", 3600)  # defaulted to an hour
            if is_int(seconds) and seconds < 600:
                yield (
                    f"{src_path}.serviceAccountToken.expirationSeconds",
                    invalid(seconds, "may not specify a duration less than 10 minutes"),
                )
            if is_int(seconds) and seconds > 1 << 32:
                yield (
                    f"{src_path}.serviceAccountToken.expirationSeconds",
                    invalid(seconds, "may not specify a duration larger than 2^32 seconds"),
                )
            target = token.get("path")
            if target == "":
                yield f"{path}.path", required()
            elif isinstance(target, str):
                yield from _local_non_reserved_path(target, f"{path}.path")
        bundle = projection.get("clusterTrustBundle")
        if isinstance(bundle, Mapping):
            count += 1
            target = bundle.get("path")
            if target == "":
                yield f"{src_path}.clusterTrustBundle.path", required()
            if isinstance(target, str):
                yield from _local_non_reserved_path(target, f"{src_path}.clusterTrustBundle.path")
                if target in seen:
                    yield path, invalid(target, "conflicting duplicate paths")
                seen.add(target)
        if count > 1:
            yield src_path, forbidden("may not specify more than 1 volume type per source")


def _volume_source_errors(kind: str, source: Mapping[str, Any], path: str) -> Errors:
    """The per-source validators of ``validateVolumeSource`` (the common plugins)."""
    if kind == "emptyDir":
        limit = source.get("sizeLimit")
        if limit is not None:
            amount = _quantity(limit)
            if amount is None:
                yield f"{path}.sizeLimit", invalid(limit, QUANTITY_ERROR)
            elif amount < 0:
                yield f"{path}.sizeLimit", forbidden("SizeLimit field must be a valid resource quantity")
    elif kind == "hostPath":
        target = source.get("path")
        if target == "":
            yield f"{path}.path", required()
            return
        if isinstance(target, str):
            yield from _path_no_backsteps(target, f"{path}.path")
        host_type = source.get("type")
        if isinstance(host_type, str) and host_type not in HOST_PATH_TYPES:
            yield f"{path}.type", not_supported(host_type, HOST_PATH_TYPES)
    elif kind in ("secret", "configMap"):
        name_field = "secretName" if kind == "secret" else "name"
        if source.get(name_field) in (None, ""):
            yield f"{path}.{name_field}", required()
        yield from _file_mode(source.get("defaultMode"), f"{path}.defaultMode")
        for index, item in _maps(source.get("items")):
            yield from _key_to_path(item, f"{path}.items[{index}]")
    elif kind == "projected":
        yield from _projected(source, path)
    elif kind == "downwardAPI":
        yield from _file_mode(source.get("defaultMode"), f"{path}.defaultMode")
        for index, item in _maps(source.get("items")):
            yield from _downward_api_file(item, f"{path}.items[{index}]")
    elif kind == "persistentVolumeClaim":
        if source.get("claimName") == "":
            yield f"{path}.claimName", required()
    elif kind == "nfs":
        if source.get("server") == "":
            yield f"{path}.server", required()
        target = source.get("path")
        if target == "":
            yield f"{path}.path", required()
        if isinstance(target, str) and not target.startswith("/"):
            yield f"{path}.path", invalid(target, "must be an absolute path")
    elif kind == "csi":
        driver = source.get("driver")
        if driver == "":
            yield f"{path}.driver", required()
        if isinstance(driver, str):
            if len(driver) > 63:
                yield f"{path}.driver", too_long(63)
            for message in is_dns1123_subdomain(driver.lower()):
                yield f"{path}.driver", invalid(driver, message)
    elif kind == "ephemeral" and source.get("volumeClaimTemplate") is None:
        yield f"{path}.volumeClaimTemplate", required()


def _volumes(volumes: Any, path: str) -> tuple[dict[str, Mapping[str, Any]], list[tuple[str, str]]]:
    """``ValidateVolumes``: the valid volumes by name (a volume with an error is left out, as
    upstream does, so mounts of it are "not found") and the errors."""
    valid: dict[str, Mapping[str, Any]] = {}
    errors: list[tuple[str, str]] = []
    for index, volume in _maps(volumes):
        vol_path = f"{path}[{index}]"
        found: list[tuple[str, str]] = []
        count = 0
        for kind in _VOLUME_SOURCES:
            source = volume.get(kind)
            if source is None:
                continue
            if count:
                found.append((f"{vol_path}.{kind}", forbidden("may not specify more than 1 volume type")))
                continue
            count += 1
            if isinstance(source, Mapping):
                found += _volume_source_errors(kind, source, f"{vol_path}.{kind}")
        # A volume without a source is not refused: core/v1 SetDefaults_Volume makes it an emptyDir
        # before validation, so "must specify a volume type" is never reached on the server.
        name = volume.get("name")
        if name == "":
            found.append((f"{vol_path}.name", required()))
        else:
            found += _dns_label(name, f"{vol_path}.name")
        if isinstance(name, str) and name in valid:
            found.append((f"{vol_path}.name", duplicate(name)))
        if not found and isinstance(name, str):
            valid[name] = volume
        errors += found
    return valid, errors


def _volume_mounts(container: Mapping[str, Any], volumes: Mapping[str, Any], path: str) -> Errors:
    """``ValidateVolumeMounts`` (with ``validateMountPropagation`` and
    ``validateMountRecursiveReadOnly``) and ``ValidateVolumeDevices``."""
    mounts = list(_maps(container.get("volumeMounts")))
    devices = list(_maps(container.get("volumeDevices")))
    device_paths = {_str(d.get("name")): _str(d.get("devicePath")) for _, d in devices}
    mount_paths = {_str(m.get("name")): _str(m.get("mountPath")) for _, m in mounts}
    security = _map(container.get("securityContext"))
    privileged = security.get("privileged") is True
    seen_paths: set[str] = set()
    for index, mount in mounts:
        mount_path_ = f"{path}.volumeMounts[{index}]"
        name, mount_path = mount.get("name"), mount.get("mountPath")
        if name == "":
            yield f"{mount_path_}.name", required()
        if isinstance(name, str) and name not in volumes:
            yield f"{mount_path_}.name", f"Not found: {bad_value(name)}"
        if mount_path == "":
            yield f"{mount_path_}.mountPath", required()
        if isinstance(mount_path, str):
            if mount_path in seen_paths:
                yield f"{mount_path_}.mountPath", invalid(mount_path, "must be unique")
            seen_paths.add(mount_path)
        if isinstance(name, str) and name in device_paths:
            yield f"{mount_path_}.name", invalid(name, "must not already exist in volumeDevices")
        if isinstance(mount_path, str) and mount_path in device_paths.values():
            yield (
                f"{mount_path_}.mountPath",
                invalid(mount_path, "must not already exist as a path in volumeDevices"),
            )
        sub_path, sub_path_expr = _str(mount.get("subPath")), _str(mount.get("subPathExpr"))
        if isinstance(name, str) and name in volumes and volumes[name].get("image") is not None:
            if sub_path:
                yield f"{mount_path_}.subPath", invalid(sub_path, "not allowed in image volume sources")
            if sub_path_expr:
                yield (
                    f"{mount_path_}.subPathExpr",
                    invalid(sub_path_expr, "not allowed in image volume sources"),
                )
        if sub_path:
            yield from _local_descending_path(sub_path, f"{mount_path_}.subPath")
        if sub_path_expr:
            if sub_path:
                yield (
                    f"{mount_path_}.subPathExpr",
                    invalid(sub_path_expr, "subPathExpr and subPath are mutually exclusive"),
                )
            yield from _local_descending_path(sub_path_expr, f"{mount_path_}.subPathExpr")
        propagation = mount.get("mountPropagation")
        if isinstance(propagation, str):
            if propagation not in MOUNT_PROPAGATIONS:
                yield f"{mount_path_}.mountPropagation", not_supported(propagation, MOUNT_PROPAGATIONS)
            if propagation == "Bidirectional" and not privileged:
                yield (
                    f"{mount_path_}.mountPropagation",
                    forbidden("Bidirectional mount propagation is available only to privileged containers"),
                )
        rro = mount.get("recursiveReadOnly")
        if isinstance(rro, str):
            if rro in ("Enabled", "IfPossible"):
                if mount.get("readOnly") is not True:
                    yield (
                        f"{mount_path_}.recursiveReadOnly",
                        forbidden("may only be specified when readOnly is true"),
                    )
                if propagation not in (None, "None"):
                    yield (
                        f"{mount_path_}.recursiveReadOnly",
                        forbidden("may only be specified when mountPropagation is None or not specified"),
                    )
            elif rro != "Disabled":
                yield f"{mount_path_}.recursiveReadOnly", not_supported(rro, RECURSIVE_READ_ONLY)
    seen_names: set[str] = set()
    seen_devices: set[str] = set()
    for index, device in devices:
        dev_path_ = f"{path}.volumeDevices[{index}]"
        name, device_path = _str(device.get("name")), device.get("devicePath")
        if device.get("name") == "":
            yield f"{dev_path_}.name", required()
        if name in seen_names:
            yield f"{dev_path_}.name", invalid(name, "must be unique")
        if name in volumes:
            volume = volumes[name]
            if volume.get("persistentVolumeClaim") is None and volume.get("ephemeral") is None:
                yield (
                    f"{dev_path_}.name",
                    invalid(
                        name,
                        "can only use volume source type of PersistentVolumeClaim or Ephemeral for block mode",
                    ),
                )
        elif isinstance(device.get("name"), str):
            yield f"{dev_path_}.name", f"Not found: {bad_value(name)}"
        if device_path == "":
            yield f"{dev_path_}.devicePath", required()
        if isinstance(device_path, str):
            if device_path in seen_devices:
                yield f"{dev_path_}.devicePath", invalid(device_path, "must be unique")
            if device_path and ".." in device_path.split("/"):
                yield f"{dev_path_}.devicePath", invalid(device_path, "can not contain backsteps ('..')")
            else:
                seen_devices.add(device_path)
        if name in mount_paths:
            yield f"{dev_path_}.name", invalid(name, "must not already exist in volumeMounts")
        if isinstance(device_path, str) and device_path in mount_paths.values():
            yield (
                f"{dev_path_}.devicePath",
                invalid(device_path, "must not already exist as a path in volumeMounts"),
            )
        if name:
            seen_names.add(name)


# --- containers -------------------------------------------------------------------------------------


def _container_ports(ports: Any, path: str) -> Errors:
    """``validateContainerPorts``."""
    names: set[str] = set()
    for index, port in _maps(ports):
        port_path = f"{path}[{index}]"
        name = port.get("name")
        if isinstance(name, str) and name:
            messages = is_valid_port_name(name)
            for message in messages:
                yield f"{port_path}.name", invalid(name, message)
            if not messages:
                if name in names:
                    yield f"{port_path}.name", duplicate(name)
                names.add(name)
        container_port: Any = port.get("containerPort")
        if is_int(container_port):
            if container_port == 0:
                yield f"{port_path}.containerPort", required()
            else:
                for message in is_valid_port_num(int(container_port)):
                    yield f"{port_path}.containerPort", invalid(container_port, message)
        host_port: Any = port.get("hostPort")
        if is_int(host_port) and host_port != 0:
            for message in is_valid_port_num(int(host_port)):
                yield f"{port_path}.hostPort", invalid(host_port, message)
        protocol = port.get("protocol")
        if isinstance(protocol, str) and protocol and protocol not in PORT_PROTOCOLS:
            yield f"{port_path}.protocol", not_supported(protocol, PORT_PROTOCOLS)


def _host_port_conflicts(containers: list[tuple[int, Mapping[str, Any]]], path: str) -> Errors:
    """``checkHostPortConflicts``/``AccumulateUniqueHostPorts`` (protocol defaulted to TCP)."""
    seen: set[str] = set()
    for index, container in containers:
        for port_index, port in _maps(container.get("ports")):
            host_port: Any = port.get("hostPort")
            if not is_int(host_port) or host_port == 0:
                continue
            key = f"{_str(port.get('protocol')) or 'TCP'}/{_str(port.get('hostIP'))}/{host_port}"
            if key in seen:
                yield f"{path}[{index}].ports[{port_index}].hostPort", duplicate(key)
            seen.add(key)


def _key_selector(selector: Mapping[str, Any], path: str) -> Errors:
    """``validateConfigMapKeySelector``/``validateSecretKeySelector``."""
    name = selector.get("name", "")
    if isinstance(name, str):
        for message in name_is_dns_subdomain(name, False):
            yield f"{path}.name", invalid(name, message)
    key = selector.get("key")
    if key == "":
        yield f"{path}.key", required()
    elif isinstance(key, str):
        for message in is_config_map_key(key):
            yield f"{path}.key", invalid(key, message)


def _env(env: Any, path: str) -> Errors:
    """``ValidateEnv`` and ``validateEnvVarValueFrom`` (relaxed names: the 1.35 default)."""
    for index, var in _maps(env):
        var_path = f"{path}[{index}]"
        name = var.get("name")
        if name == "":
            yield f"{var_path}.name", required()
        elif isinstance(name, str):
            for message in is_relaxed_env_var_name(name):
                yield f"{var_path}.name", invalid(name, message)
        value_from = var.get("valueFrom")
        if not isinstance(value_from, Mapping):
            continue
        from_path = f"{var_path}.valueFrom"
        count = 0
        if isinstance(value_from.get("fieldRef"), Mapping):
            count += 1
            yield from _object_field_selector(
                value_from["fieldRef"], ENV_FIELD_PATHS, f"{from_path}.fieldRef"
            )
        if isinstance(value_from.get("resourceFieldRef"), Mapping):
            count += 1
            yield from _resource_field_selector(
                value_from["resourceFieldRef"], f"{from_path}.resourceFieldRef", volume=False
            )
        for kind in ("configMapKeyRef", "secretKeyRef"):
            if isinstance(value_from.get(kind), Mapping):
                count += 1
                yield from _key_selector(value_from[kind], f"{from_path}.{kind}")
        if value_from.get("fileKeyRef") is not None:  # EnvFiles (alpha): counted, not validated
            count += 1
        if count == 0:
            yield (
                from_path,
                invalid(
                    "",
                    "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`",
                ),
            )
        elif _str(var.get("value")):
            yield from_path, invalid("", "may not be specified when `value` is not empty")
        elif count > 1:
            yield from_path, invalid("", "may not have more than one field specified at a time")


def _env_from(env_from: Any, path: str) -> Errors:
    """``ValidateEnvFrom`` (relaxed prefixes: the 1.35 default)."""
    for index, source in _maps(env_from):
        src_path = f"{path}[{index}]"
        prefix = source.get("prefix")
        if isinstance(prefix, str) and prefix:
            for message in is_relaxed_env_var_name(prefix):
                yield f"{src_path}.prefix", invalid(prefix, message)
        count = 0
        for kind in ("configMapRef", "secretRef"):
            ref = source.get(kind)
            if not isinstance(ref, Mapping):
                continue
            count += 1
            name = ref.get("name")
            if name in (None, ""):
                yield f"{src_path}.{kind}.name", required()
            elif isinstance(name, str):
                for message in name_is_dns_subdomain(name, True):
                    yield f"{src_path}.{kind}.name", invalid(name, message)
        if count == 0:
            yield path, invalid("", "must specify one of: `configMapRef` or `secretRef`")
        elif count > 1:
            yield path, invalid("", "may not have more than one field specified at a time")


def _container_resource_name(name: str, path: str) -> Errors:
    """``validateContainerResourceName`` (after ``validateResourceName``)."""
    messages = is_qualified_name(name)
    for message in messages:
        yield path, invalid(name, message)
    if (
        not messages
        and "/" not in name
        and name not in STANDARD_RESOURCES
        and not name.startswith(("hugepages-", "requests.hugepages-"))
    ):
        yield path, invalid(name, "must be a standard resource type or fully qualified")
    if "/" not in name:
        if name not in STANDARD_CONTAINER_RESOURCES and not name.startswith("hugepages-"):
            yield path, invalid(name, "must be a standard resource for containers")
    elif not is_native_resource(name) and not is_extended_resource_name(name):
        yield path, invalid(name, "doesn't follow extended resource name standard")


def _resource_value(name: str, raw: Any, amount: Decimal, path: str) -> Errors:
    """``ValidateResourceQuantityValue`` and ``validateResourceQuantityHugePageValue``."""
    if amount < 0:
        yield path, invalid(_qty_text(raw), IS_NEGATIVE_ERROR)
    if (name in INTEGER_RESOURCES or is_extended_resource_name(name)) and (amount * 1000) % 1000 != 0:
        yield path, invalid(_qty_text(raw), "must be an integer")
    if name.startswith("hugepages-"):
        page = _quantity(name.removeprefix("hugepages-"))
        if page is not None and page > 0 and amount % page != 0:
            yield (
                path,
                invalid(_qty_text(raw), f"{_qty_text(raw)} is not positive integer multiple of {name}"),
            )


def _resource_quantities(entries: Mapping[Any, Any], path: str, values: dict[str, Decimal]) -> Errors:
    """The names and quantities of a ``limits`` or ``requests`` list; each parseable quantity goes
    into ``values`` by name."""
    for name, raw in entries.items():
        if not isinstance(name, str):
            continue
        key_path = f"{path}[{name}]"  # field.Path.Key: resources.limits[cpu]
        yield from _container_resource_name(name, key_path)
        amount = _quantity(raw)
        if amount is None:
            yield key_path, invalid(raw, QUANTITY_ERROR)
            continue
        values[name] = amount
        yield from _resource_value(name, raw, amount, key_path)


def resource_requirements_errors(
    resources: Any, path: str, claim_names: frozenset[str] = frozenset()
) -> Errors:
    """``ValidateContainerResourceRequirements``: resource names, quantities (parseable,
    non-negative, integers for extended resources, whole huge pages), requests at most their limits
    (equal for huge pages and extended resources, which cannot be overcommitted) and claim names."""
    resources = _map(resources)
    limits, requests = _map(resources.get("limits")), _map(resources.get("requests"))
    limit_values: dict[str, Decimal] = {}
    yield from _resource_quantities(limits, f"{path}.limits", limit_values)
    request_values: dict[str, Decimal] = {}
    yield from _resource_quantities(requests, f"{path}.requests", request_values)
    for name, amount in request_values.items():
        raw = requests[name]
        if name in limit_values:
            limit = limit_values[name]
            if amount != limit and not is_overcommit_allowed(name):
                yield (
                    f"{path}.requests",
                    invalid(_qty_text(raw), f"must be equal to {name} limit of {_qty_text(limits[name])}"),
                )
            elif amount > limit:
                yield (
                    f"{path}.requests",
                    invalid(
                        _qty_text(raw),
                        f"must be less than or equal to {name} limit of {_qty_text(limits[name])}",
                    ),
                )
        elif name not in limits and not is_overcommit_allowed(name):
            yield f"{path}.limits", required("Limit must be set for non overcommitable resources")
    named = limit_values.keys() | request_values.keys()
    if any(name.startswith("hugepages-") for name in named) and not named & {"cpu", "memory"}:
        yield path, forbidden("HugePages require cpu or memory")
    seen: set[str] = set()
    for index, claim in _maps(resources.get("claims")):
        claim_name = claim.get("name")
        if claim_name == "":
            yield f"{path}.claims[{index}]", required()
        elif isinstance(claim_name, str):
            request = _str(claim.get("request"))
            if request:
                yield from _dns_label(request, f"{path}.claims[{index}].request")
            key = f"{claim_name}/{request}" if request else claim_name
            if key in seen:
                yield f"{path}.claims[{index}]", duplicate(key)
            seen.add(key)
            if claim_name not in claim_names:
                listed = ": " + ", ".join(sorted(claim_names)) if claim_names else " which is empty"
                yield (
                    f"{path}.claims[{index}]",
                    f"Not found: {bad_value(claim_name)}: must be one of the names in pod.spec.resourceClaims{listed}",
                )


def _port_num_or_name(port: Any, path: str) -> Errors:
    """``ValidatePortNumOrName``."""
    if is_int(port):
        for message in is_valid_port_num(port):
            yield path, invalid(port, message)
    elif isinstance(port, str):
        for message in is_valid_port_name(port):
            yield path, invalid(port, message)


def _handler(handler: Mapping[str, Any], kinds: tuple[str, ...], grace: int | None, path: str) -> Errors:
    """``validateHandler``: exactly one handler type, each validated."""
    count = 0
    for kind in kinds:
        action = handler.get(kind)
        if action is None:
            continue
        if count:
            yield f"{path}.{kind}", forbidden("may not specify more than 1 handler type")
            continue
        count += 1
        action = _map(action)
        action_path = f"{path}.{kind}"
        if kind == "exec":
            if not _list(action.get("command")):
                yield f"{action_path}.command", required()
        elif kind == "httpGet":
            yield from _port_num_or_name(action.get("port"), f"{action_path}.port")
            scheme = action.get("scheme")
            if isinstance(scheme, str) and scheme and scheme not in HTTP_SCHEMES:
                yield f"{action_path}.scheme", not_supported(scheme, HTTP_SCHEMES)
            for _, header in _maps(action.get("httpHeaders")):
                header_name = header.get("name")
                if isinstance(header_name, str) and not _HTTP_HEADER_NAME.fullmatch(header_name):
                    yield (
                        f"{action_path}.httpHeaders",
                        invalid(
                            header_name,
                            regex_error(
                                "a valid HTTP header must consist of alphanumeric characters or '-'",
                                _HTTP_HEADER_NAME_FMT,
                                "X-Header-Name",
                            ),
                        ),
                    )
        elif kind in ("tcpSocket", "grpc"):
            yield from _port_num_or_name(action.get("port"), f"{action_path}.port")
        elif kind == "sleep":
            seconds: Any = action.get("seconds")
            if is_int(seconds) and grace is not None and not 0 <= int(seconds) <= grace:
                yield (
                    action_path,
                    invalid(
                        seconds, f"must be non-negative and less than terminationGracePeriodSeconds ({grace})"
                    ),
                )
    if count == 0:
        yield path, required("must specify a handler type")


_PROBE_HANDLERS: Final = ("exec", "httpGet", "tcpSocket", "grpc")
_LIFECYCLE_HANDLERS: Final = ("exec", "httpGet", "tcpSocket", "sleep")


def _probe(probe: Any, kind: str, grace: int | None, path: str) -> Errors:
    """``validateProbe`` plus ``validateLivenessProbe``/``validateReadinessProbe``/
    ``validateStartupProbe``."""
    if not isinstance(probe, Mapping):
        return
    yield from _handler(probe, _PROBE_HANDLERS, grace, path)
    for field_name in (
        "initialDelaySeconds",
        "timeoutSeconds",
        "periodSeconds",
        "successThreshold",
        "failureThreshold",
    ):
        yield from _nonnegative(probe.get(field_name), f"{path}.{field_name}")
    tgps: Any = probe.get("terminationGracePeriodSeconds")
    if is_int(tgps) and int(tgps) <= 0:
        yield f"{path}.terminationGracePeriodSeconds", invalid(tgps, "must be greater than 0")
    success = probe.get("successThreshold")
    if kind in ("livenessProbe", "startupProbe") and is_int(success) and success not in (0, 1):
        yield f"{path}.successThreshold", invalid(success, "must be 1")
    if kind == "readinessProbe" and tgps is not None:
        yield f"{path}.terminationGracePeriodSeconds", invalid(tgps, "must not be set for readinessProbes")


def _lifecycle(lifecycle: Any, grace: int | None, path: str) -> Errors:
    """``validateLifecycle``."""
    lifecycle = _map(lifecycle)
    for hook in ("postStart", "preStop"):
        if isinstance(lifecycle.get(hook), Mapping):
            yield from _handler(lifecycle[hook], _LIFECYCLE_HANDLERS, grace, f"{path}.{hook}")


def _probes_and_lifecycle(container: Mapping[str, Any], grace: int | None, path: str) -> Errors:
    if container.get("lifecycle") is not None:
        yield from _lifecycle(container.get("lifecycle"), grace, f"{path}.lifecycle")
    for kind in ("livenessProbe", "readinessProbe", "startupProbe"):
        yield from _probe(container.get(kind), kind, grace, f"{path}.{kind}")


def _seccomp(profile: Any, path: str) -> Errors:
    """``validateSeccompProfileField``."""
    if not isinstance(profile, Mapping):
        return
    kind = profile.get("type")
    if kind == "":
        yield f"{path}.type", required("type is required when seccompProfile is set")
    elif isinstance(kind, str) and kind not in SECCOMP_TYPES:
        yield f"{path}.type", not_supported(kind, SECCOMP_TYPES)
    local = profile.get("localhostProfile")
    if kind == "Localhost":
        if local is None:
            yield f"{path}.localhostProfile", required("must be set when seccomp type is Localhost")
        elif isinstance(local, str):
            yield from _local_descending_path(local, f"{path}.localhostProfile")
    elif local is not None:
        yield (
            f"{path}.localhostProfile",
            invalid(dict(profile), "can only be set when seccomp type is Localhost"),
        )


def _app_armor(profile: Any, path: str) -> Errors:
    """``ValidateAppArmorProfileField``."""
    if not isinstance(profile, Mapping):
        return
    kind = profile.get("type")
    local = profile.get("localhostProfile")
    if kind == "Localhost":
        if local is None:
            yield f"{path}.localhostProfile", required("must be set when AppArmor type is Localhost")
        elif isinstance(local, str):
            if local.strip() != local:
                yield f"{path}.localhostProfile", invalid(local, "must not be padded with whitespace")
            elif local == "":
                yield f"{path}.localhostProfile", required("must be set when AppArmor type is Localhost")
            if len(local) > 4095:
                yield f"{path}.localhostProfile", too_long(4095)
    elif kind in ("RuntimeDefault", "Unconfined"):
        if local is not None:
            yield (
                f"{path}.localhostProfile",
                invalid(local, "can only be set when AppArmor type is Localhost"),
            )
    elif kind in ("", None):
        if kind == "":
            yield f"{path}.type", required("type is required when appArmorProfile is set")
    elif isinstance(kind, str):
        yield f"{path}.type", not_supported(kind, APP_ARMOR_TYPES)


def _windows_options(options: Any, path: str) -> Errors:
    """``validateWindowsSecurityContextOptions``."""
    if not isinstance(options, Mapping):
        return
    spec_name = options.get("gmsaCredentialSpecName")
    if isinstance(spec_name, str):
        for message in is_dns1123_subdomain(spec_name):
            yield f"{path}.gmsaCredentialSpecName", invalid(spec_name, message)
    spec = options.get("gmsaCredentialSpec")
    if isinstance(spec, str):
        if not spec:
            yield f"{path}.gmsaCredentialSpec", invalid(spec, "gmsaCredentialSpec cannot be an empty string")
        elif len(spec) > 64 * 1024:
            yield f"{path}.gmsaCredentialSpec", invalid(spec, "gmsaCredentialSpec size must be under 64 KiB")
    user = options.get("runAsUserName")
    if not isinstance(user, str):
        return
    user_path = f"{path}.runAsUserName"
    parts = user.split("\\")
    if not user:
        yield user_path, invalid(user, "runAsUserName cannot be an empty string")
        return
    if _CTRL.search(user):
        yield user_path, invalid(user, "runAsUserName cannot contain control characters")
        return
    if len(parts) > 2:
        yield user_path, invalid(user, "runAsUserName cannot contain more than one backslash")
        return
    domain, name = (parts[0], parts[1]) if len(parts) == 2 else ("", parts[0])
    if len(domain) >= 256:
        yield user_path, invalid(user, "runAsUserName's Domain length must be under 256 characters")
    if len(parts) == 2 and not (_NETBIOS.fullmatch(domain) or _WINDOWS_DOMAIN_DNS.fullmatch(domain)):
        yield user_path, invalid(user, "runAsUserName's Domain doesn't match the NetBios nor the DNS format")
    if not name:
        yield user_path, invalid(user, "runAsUserName's User cannot be empty")
    elif len(name) > 104:
        yield user_path, invalid(user, "runAsUserName's User length must not be longer than 104 characters")
    if _WINDOWS_USER_DOTS_SPACES.fullmatch(name):
        yield user_path, invalid(user, "runAsUserName's User cannot contain only periods or spaces")
    if _WINDOWS_USER_BAD_CHARS.search(name):
        yield (
            user_path,
            invalid(user, "runAsUserName's User cannot contain the following characters: \"/\\:;|=,+*?<>@[]"),
        )


def _id(value: Any, path: str) -> Errors:
    """``validation.IsValidUserID``/``IsValidGroupID``: 0..2147483647."""
    if is_int(value) and not 0 <= value <= MAX_INT32:
        yield path, invalid(value, inclusive_range_error(0, MAX_INT32))


def _security_context(context: Any, host_users: bool, path: str) -> Errors:
    """``ValidateSecurityContext`` (a container's)."""
    if not isinstance(context, Mapping):
        return
    yield from _id(context.get("runAsUser"), f"{path}.runAsUser")
    yield from _id(context.get("runAsGroup"), f"{path}.runAsGroup")
    proc_mount = context.get("procMount")
    if isinstance(proc_mount, str):
        if proc_mount not in PROC_MOUNT_TYPES:
            yield f"{path}.procMount", not_supported(proc_mount, PROC_MOUNT_TYPES)
        if host_users and proc_mount == "Unmasked":
            yield f"{path}.procMount", invalid(proc_mount, "`hostUsers` must be false to use `Unmasked`")
    yield from _seccomp(context.get("seccompProfile"), f"{path}.seccompProfile")
    if context.get("allowPrivilegeEscalation") is False:
        if context.get("privileged") is True:
            yield (
                path,
                invalid(
                    dict(context), "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"
                ),
            )
        for capability in _list(_map(context.get("capabilities")).get("add")):
            if capability == "CAP_SYS_ADMIN":
                yield (
                    path,
                    invalid(
                        dict(context),
                        "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN",
                    ),
                )
    yield from _windows_options(context.get("windowsOptions"), f"{path}.windowsOptions")
    yield from _app_armor(context.get("appArmorProfile"), f"{path}.appArmorProfile")


def _container_common(
    container: Mapping[str, Any],
    volumes: Mapping[str, Any],
    claim_names: frozenset[str],
    host_users: bool,
    path: str,
    *,
    is_pod: bool,
) -> Errors:
    """``validateContainerCommon`` (plus ``validateContainerOnlyForPod`` for a Pod)."""
    name = container.get("name")
    if name == "":
        yield f"{path}.name", required()
    else:
        yield from _dns_label(name, f"{path}.name")
    image = container.get("image")
    if image is None or image == "":
        yield f"{path}.image", required()
    elif is_pod and isinstance(image, str) and image.strip() != image:
        yield f"{path}.image", invalid(image, "must not have leading or trailing whitespace")
    policy = container.get("terminationMessagePolicy")
    if isinstance(policy, str) and policy and policy not in TERMINATION_MESSAGE_POLICIES:
        yield f"{path}.terminationMessagePolicy", not_supported(policy, TERMINATION_MESSAGE_POLICIES)
    yield from _container_ports(container.get("ports"), f"{path}.ports")
    yield from _env(container.get("env"), f"{path}.env")
    yield from _env_from(container.get("envFrom"), f"{path}.envFrom")
    yield from _volume_mounts(container, volumes, path)
    pull = container.get("imagePullPolicy")
    if isinstance(pull, str) and pull and pull not in PULL_POLICIES:
        yield f"{path}.imagePullPolicy", not_supported(pull, PULL_POLICIES)
    yield from resource_requirements_errors(container.get("resources"), f"{path}.resources", claim_names)
    yield from _security_context(container.get("securityContext"), host_users, f"{path}.securityContext")


CONTAINER_RESTART_POLICIES: Final = ["Always", "Never", "OnFailure"]
RESTART_RULE_ACTIONS: Final = ["Restart"]
RESTART_RULE_OPERATORS: Final = ["In", "NotIn"]


def _container_restart_policy(policy: Any, rules: Any, path: str) -> Errors:
    """``validateContainerRestartPolicy``: a container's own ``restartPolicy`` and its
    ``restartPolicyRules``. Kubernetes 1.35 turns the ContainerRestartRules gate on (beta), so a
    regular container may set them; RestartAllContainersOnContainerExits (alpha) stays off, so the
    only action is ``Restart``."""
    rule_list = list(_maps(rules))
    if policy is None:
        if rule_list:
            yield f"{path}.restartPolicy", required("must specify restartPolicy when restart rules are used")
        return
    if isinstance(policy, str) and policy not in CONTAINER_RESTART_POLICIES:
        yield f"{path}.restartPolicy", not_supported(policy, CONTAINER_RESTART_POLICIES)
    if isinstance(rules, list) and len(rules) > 20:
        yield f"{path}.restartPolicyRules", too_long(20)
    for index, rule in rule_list:
        r_path = f"{path}.restartPolicyRules[{index}]"
        action = rule.get("action")
        if isinstance(action, str) and action not in RESTART_RULE_ACTIONS:
            yield f"{r_path}.action", not_supported(action, RESTART_RULE_ACTIONS)
        exit_codes = rule.get("exitCodes")
        if not isinstance(exit_codes, Mapping):
            yield f"{r_path}.exitCodes", required("must be specified")
            continue
        operator = exit_codes.get("operator")
        if isinstance(operator, str) and operator not in RESTART_RULE_OPERATORS:
            yield f"{r_path}.exitCodes.operator", not_supported(operator, RESTART_RULE_OPERATORS)
        values = exit_codes.get("values")
        if isinstance(values, list) and len(values) > 255:
            yield f"{r_path}.exitCodes.values", too_long(255)


def _init_container_restart_policy(policy: Any, rules: Any, path: str) -> Errors:
    """``validateInitContainerRestartPolicy`` with ContainerRestartRules on (1.35): ``Always`` makes a
    sidecar and takes no rules; ``Never`` and ``OnFailure`` are checked as a regular container's."""
    if policy != "Always":
        yield from _container_restart_policy(policy, rules, path)
    elif list(_maps(rules)):
        yield (
            f"{path}.restartPolicyRules",
            forbidden("restartPolicyRules are not allowed for init containers with restart policy Always"),
        )


def _containers(
    spec: Mapping[str, Any],
    volumes: Mapping[str, Any],
    claim_names: frozenset[str],
    grace: int | None,
    host_users: bool,
    path: str,
    *,
    is_pod: bool,
) -> Errors:
    """``validateContainers``, ``validateInitContainers`` and ``validateEphemeralContainers``."""
    containers = list(_maps(spec.get("containers")))
    if "containers" in spec and isinstance(spec.get("containers"), list) and not spec["containers"]:
        yield f"{path}.containers", required()
    names: set[str] = set()
    for index, container in containers:
        c_path = f"{path}.containers[{index}]"
        yield from _container_common(container, volumes, claim_names, host_users, c_path, is_pod=is_pod)
        name = container.get("name")
        if isinstance(name, str):
            if name in names:
                yield f"{c_path}.name", duplicate(name)
            names.add(name)
        yield from _probes_and_lifecycle(container, grace, c_path)
        yield from _container_restart_policy(
            container.get("restartPolicy"), container.get("restartPolicyRules"), c_path
        )
    yield from _host_port_conflicts(containers, f"{path}.containers")

    for index, container in _maps(spec.get("initContainers")):
        c_path = f"{path}.initContainers[{index}]"
        yield from _container_common(container, volumes, claim_names, host_users, c_path, is_pod=is_pod)
        restart = container.get("restartPolicy")
        yield from _init_container_restart_policy(restart, container.get("restartPolicyRules"), c_path)
        name = container.get("name")
        if isinstance(name, str):
            if name in names:
                yield f"{c_path}.name", duplicate(name)
            elif name:
                names.add(name)
        yield from _host_port_conflicts([(index, container)], f"{path}.initContainers")
        if restart == "Always":
            yield from _probes_and_lifecycle(container, grace, c_path)
        else:
            for field_name in ("lifecycle", "livenessProbe", "readinessProbe", "startupProbe"):
                if container.get(field_name) is not None:
                    yield (
                        f"{c_path}.{field_name}",
                        forbidden("may not be set for init containers without restartPolicy=Always"),
                    )

    other_names = set(names)
    for index, container in _maps(spec.get("ephemeralContainers")):
        c_path = f"{path}.ephemeralContainers[{index}]"
        yield from _container_common(container, volumes, claim_names, host_users, c_path, is_pod=True)
        name = container.get("name")
        if isinstance(name, str):
            if name in names:
                yield f"{c_path}.name", duplicate(name)
            names.add(name)
        target = container.get("targetContainerName")
        if isinstance(target, str) and target and target not in other_names:
            yield f"{c_path}.targetContainerName", f"Not found: {bad_value(target)}"
        for field_name in (
            "ports",
            "resources",
            "livenessProbe",
            "readinessProbe",
            "startupProbe",
            "lifecycle",
        ):
            if container.get(field_name) not in (None, [], {}):
                yield f"{c_path}.{field_name}", forbidden("cannot be set for an Ephemeral Container")
        for mount_index, mount in _maps(container.get("volumeMounts")):
            for field_name in ("subPath", "subPathExpr"):
                if _str(mount.get(field_name)):
                    yield (
                        f"{c_path}.volumeMounts[{mount_index}].{field_name}",
                        forbidden("cannot be set for an Ephemeral Container"),
                    )


# --- pod-level --------------------------------------------------------------------------------------


def _sysctl_namespace(name: str) -> str:
    """``sysctl.GetNamespace``: ``net`` or ``ipc`` for the namespaced sysctls, else ``""``."""
    name = name.replace("/", ".")
    if name.startswith("net."):
        return "net"
    if name in ("kernel.sem",) or name.startswith(("kernel.shm", "kernel.msg", "fs.mqueue.")):
        return "ipc"
    return ""


def _pod_security_context(spec: Mapping[str, Any], path: str) -> Errors:
    """``validatePodSpecSecurityContext`` and ``validateSysctls``/``ValidateHostSysctl``."""
    context = spec.get("securityContext")
    if not isinstance(context, Mapping):
        return
    yield from _id(context.get("fsGroup"), f"{path}.fsGroup")
    yield from _id(context.get("runAsUser"), f"{path}.runAsUser")
    yield from _id(context.get("runAsGroup"), f"{path}.runAsGroup")
    for index, gid in enumerate(_list(context.get("supplementalGroups"))):
        yield from _id(gid, f"{path}.supplementalGroups[{index}]")
    if spec.get("shareProcessNamespace") is True and spec.get("hostPID") is True:
        yield (
            f"{path}.shareProcessNamespace",
            invalid(True, "ShareProcessNamespace and HostPID cannot both be enabled"),
        )
    names: set[str] = set()
    for index, sysctl in _maps(context.get("sysctls")):
        name_path = f"{path}.sysctls[{index}].name"
        name = sysctl.get("name")
        if not isinstance(name, str):
            continue
        if name == "":
            yield name_path, required()
        elif len(name) > _SYSCTL_MAX_LENGTH or not _SYSCTL.fullmatch(name):
            yield (
                name_path,
                invalid(
                    name, f"must have at most {_SYSCTL_MAX_LENGTH} characters and match regex ^{_SYSCTL_FMT}$"
                ),
            )
        elif name in names:
            yield name_path, duplicate(name)
        namespace = _sysctl_namespace(name)
        if spec.get("hostNetwork") is True and namespace == "net":
            yield name_path, invalid(name, "may not be specified when 'hostNetwork' is true")
        elif spec.get("hostIPC") is True and namespace == "ipc":
            yield name_path, invalid(name, "may not be specified when 'hostIPC' is true")
        names.add(name)
    for field_name, values in (
        ("fsGroupChangePolicy", FS_GROUP_CHANGE_POLICIES),
        ("seLinuxChangePolicy", SELINUX_CHANGE_POLICIES),
        ("supplementalGroupsPolicy", SUPPLEMENTAL_GROUPS_POLICIES),
    ):
        value = context.get(field_name)
        if isinstance(value, str) and value not in values:
            yield f"{path}.{field_name}", not_supported(value, values)
    yield from _seccomp(context.get("seccompProfile"), f"{path}.seccompProfile")
    yield from _windows_options(context.get("windowsOptions"), f"{path}.windowsOptions")
    yield from _app_armor(context.get("appArmorProfile"), f"{path}.appArmorProfile")


def _dns_config(spec: Mapping[str, Any], path: str) -> Errors:
    """``validatePodDNSConfig`` (relaxed search paths: the 1.35 default)."""
    config = spec.get("dnsConfig")
    if spec.get("dnsPolicy") == "None":
        if not isinstance(config, Mapping):
            yield path, required("must provide `dnsConfig` when `dnsPolicy` is None")
            return
        if not _list(config.get("nameservers")):
            yield (
                f"{path}.nameservers",
                required("must provide at least one DNS nameserver when `dnsPolicy` is None"),
            )
            return
    if not isinstance(config, Mapping):
        return
    nameservers = _list(config.get("nameservers"))
    if len(nameservers) > MAX_DNS_NAMESERVERS:
        yield (
            f"{path}.nameservers",
            invalid(nameservers, f"must not have more than {MAX_DNS_NAMESERVERS} nameservers"),
        )
    for index, server in enumerate(nameservers):
        if isinstance(server, str):
            yield from _ip_errors(server, f"{path}.nameservers[{index}]")
    searches = [s for s in _list(config.get("searches")) if isinstance(s, str)]
    if len(searches) > MAX_DNS_SEARCH_PATHS:
        yield (
            f"{path}.searches",
            invalid(searches, f"must not have more than {MAX_DNS_SEARCH_PATHS} search paths"),
        )
    if len(" ".join(searches)) > MAX_DNS_SEARCH_LIST_CHARS:
        yield (
            f"{path}.searches",
            invalid(
                searches,
                f"must not have more than {MAX_DNS_SEARCH_LIST_CHARS} characters (including spaces) in the search list",
            ),
        )
    for index, search in enumerate(_list(config.get("searches"))):
        if isinstance(search, str) and search != ".":
            trimmed = search.removesuffix(".")
            for message in _dns1123_subdomain_with_underscore(trimmed):
                yield f"{path}.searches[{index}]", invalid(trimmed, message)
    for index, option in _maps(config.get("options")):
        if option.get("name") in (None, ""):
            yield f"{path}.options[{index}]", required("must not be empty")


def _tolerations(tolerations: Any, path: str) -> Errors:
    """``ValidateTolerations`` and ``validateTaintEffect``."""
    for index, toleration in _maps(tolerations):
        t_path = f"{path}[{index}]"
        key, operator = _str(toleration.get("key")), _str(toleration.get("operator"))
        value, effect = _str(toleration.get("value")), _str(toleration.get("effect"))
        if key:
            yield from label_name_errors(key, f"{t_path}.key")
        if not key and operator != "Exists":
            yield (
                f"{t_path}.operator",
                invalid(
                    operator,
                    'operator must be Exists when `key` is empty, which means "match all values and all keys"',
                ),
            )
        if toleration.get("tolerationSeconds") is not None and effect != "NoExecute":
            yield (
                f"{t_path}.effect",
                invalid(effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"),
            )
        if operator in ("Equal", ""):
            messages = is_label_value(value)
            if messages:
                yield f"{t_path}.operator", invalid(value, ";".join(messages))
        elif operator == "Exists":
            if value:
                yield f"{t_path}.operator", invalid(value, "value must be empty when `operator` is 'Exists'")
        else:
            yield f"{t_path}.operator", not_supported(operator, TOLERATION_OPERATORS)
        if effect and effect not in TAINT_EFFECTS:
            yield f"{t_path}.effect", not_supported(effect, TAINT_EFFECTS)


def _node_selector_term(term: Mapping[str, Any], allow_invalid_values: bool, path: str) -> Errors:
    """``ValidateNodeSelectorTerm``, ``ValidateNodeSelectorRequirement`` and
    ``ValidateNodeFieldSelectorRequirement``."""
    for index, requirement in _maps(term.get("matchExpressions")):
        r_path = f"{path}.matchExpressions[{index}]"
        operator, values = requirement.get("operator"), _list(requirement.get("values"))
        if operator in ("In", "NotIn"):
            if not values:
                yield f"{r_path}.values", required("must be specified when `operator` is 'In' or 'NotIn'")
        elif operator in ("Exists", "DoesNotExist"):
            if values:
                yield (
                    f"{r_path}.values",
                    forbidden("may not be specified when `operator` is 'Exists' or 'DoesNotExist'"),
                )
        elif operator in ("Gt", "Lt"):
            if len(values) != 1:
                yield (
                    f"{r_path}.values",
                    required("must be specified single value when `operator` is 'Lt' or 'Gt'"),
                )
        else:
            yield f"{r_path}.operator", invalid(operator, "not a valid selector operator")
        yield from label_name_errors(requirement.get("key", ""), f"{r_path}.key")
        if not allow_invalid_values:
            for value_index, value in enumerate(values):
                if isinstance(value, str):
                    for message in is_label_value(value):
                        yield f"{r_path}.values[{value_index}]", invalid(value, message)
    for index, requirement in _maps(term.get("matchFields")):
        r_path = f"{path}.matchFields[{index}]"
        operator, values = requirement.get("operator"), _list(requirement.get("values"))
        if operator in ("In", "NotIn"):
            if len(values) != 1:
                yield (
                    f"{r_path}.values",
                    required(
                        "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"
                    ),
                )
        else:
            yield f"{r_path}.operator", invalid(operator, "not a valid selector operator")
        key = requirement.get("key")
        if key != "metadata.name":
            yield f"{r_path}.key", invalid(key, "not a valid field selector key")
        else:
            for value_index, value in enumerate(values):
                if isinstance(value, str):
                    for message in is_dns1123_subdomain(value):
                        yield f"{r_path}.values[{value_index}]", invalid(value, message)


def _weight(weight: Any, path: str) -> Errors:
    if is_int(weight) and not 1 <= weight <= 100:
        yield path, invalid(weight, "must be in the range 1-100")


def _pod_affinity_term(term: Mapping[str, Any], path: str) -> Errors:
    """``validatePodAffinityTerm`` (``ValidatePodAffinityTermSelector``: label and namespace
    selectors; ``validateMatchLabelKeysAndMismatchLabelKeys`` without the selector overlap)."""
    yield from label_selector_errors(term.get("labelSelector"), f"{path}.labelSelector")
    yield from label_selector_errors(term.get("namespaceSelector"), f"{path}.namespaceSelector")
    for namespace in _list(term.get("namespaces")):
        if isinstance(namespace, str):
            for message in is_dns1123_label(namespace):
                yield f"{path}.namespace", invalid(namespace, message)
    match_keys, mismatch_keys = term.get("matchLabelKeys"), term.get("mismatchLabelKeys")
    yield from _label_keys(match_keys, term.get("labelSelector"), f"{path}.matchLabelKeys")
    yield from _label_keys(mismatch_keys, term.get("labelSelector"), f"{path}.mismatchLabelKeys")
    mismatch = {key for key in _list(mismatch_keys) if isinstance(key, str)}
    for index, key in enumerate(_list(match_keys)):
        if isinstance(key, str) and key in mismatch:
            yield (
                f"{path}.matchLabelKeys[{index}]",
                invalid(key, "exists in both matchLabelKeys and mismatchLabelKeys"),
            )
    topology_key = term.get("topologyKey")
    if topology_key == "":
        yield f"{path}.topologyKey", required("can not be empty")
    yield from label_name_errors(topology_key, f"{path}.topologyKey")


def _affinity(affinity: Any, path: str) -> Errors:
    """``validateAffinity``: node affinity, pod affinity and anti-affinity."""
    affinity = _map(affinity)
    node = affinity.get("nodeAffinity")
    if isinstance(node, Mapping):
        n_path = f"{path}.nodeAffinity"
        required_terms = node.get("requiredDuringSchedulingIgnoredDuringExecution")
        if isinstance(required_terms, Mapping):
            terms_path = f"{n_path}.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms"
            if not _list(required_terms.get("nodeSelectorTerms")):
                yield terms_path, required("must have at least one node selector term")
            for index, term in _maps(required_terms.get("nodeSelectorTerms")):
                yield from _node_selector_term(term, False, f"{terms_path}[{index}]")
        for index, term in _maps(node.get("preferredDuringSchedulingIgnoredDuringExecution")):
            t_path = f"{n_path}.preferredDuringSchedulingIgnoredDuringExecution[{index}]"
            yield from _weight(term.get("weight"), f"{t_path}.weight")
            yield from _node_selector_term(_map(term.get("preference")), True, f"{t_path}.preference")
    for kind in ("podAffinity", "podAntiAffinity"):
        pod = affinity.get(kind)
        if not isinstance(pod, Mapping):
            continue
        for index, term in _maps(pod.get("requiredDuringSchedulingIgnoredDuringExecution")):
            yield from _pod_affinity_term(
                term, f"{path}.{kind}.requiredDuringSchedulingIgnoredDuringExecution[{index}]"
            )
        for index, term in _maps(pod.get("preferredDuringSchedulingIgnoredDuringExecution")):
            t_path = f"{path}.{kind}.preferredDuringSchedulingIgnoredDuringExecution[{index}]"
            yield from _weight(term.get("weight"), f"{t_path}.weight")
            yield from _pod_affinity_term(_map(term.get("podAffinityTerm")), f"{t_path}.podAffinityTerm")


def _topology_spread(constraints: Any, path: str) -> Errors:
    """``validateTopologySpreadConstraints``."""
    items = list(_maps(constraints))
    for position, (index, constraint) in enumerate(items):
        c_path = f"{path}[{index}]"
        max_skew: Any = constraint.get("maxSkew")
        if is_int(max_skew) and int(max_skew) <= 0:
            yield f"{c_path}.maxSkew", invalid(max_skew, IS_NOT_POSITIVE_ERROR)
        key = constraint.get("topologyKey")
        if key == "":
            yield f"{c_path}.topologyKey", required("can not be empty")
        action = constraint.get("whenUnsatisfiable")
        if isinstance(action, str) and action not in SCHEDULE_ACTIONS:
            yield f"{c_path}.whenUnsatisfiable", not_supported(action, SCHEDULE_ACTIONS)
        for _, later in items[position + 1 :]:
            if later.get("topologyKey") == key and later.get("whenUnsatisfiable") == action:
                yield f"{c_path}.{{topologyKey, whenUnsatisfiable}}", duplicate(f"{{{key}, {action}}}")
                break
        min_domains: Any = constraint.get("minDomains")
        if is_int(min_domains):
            if int(min_domains) <= 0:
                yield f"{c_path}.minDomains", invalid(min_domains, IS_NOT_POSITIVE_ERROR)
            if action != "DoNotSchedule":
                yield (
                    f"{c_path}.minDomains",
                    invalid(
                        min_domains,
                        f"can only use minDomains if whenUnsatisfiable=DoNotSchedule, not {action}",
                    ),
                )
        for field_name in ("nodeAffinityPolicy", "nodeTaintsPolicy"):
            value = constraint.get(field_name)
            if isinstance(value, str) and value not in NODE_INCLUSION_POLICIES:
                yield f"{c_path}.{field_name}", not_supported(value, NODE_INCLUSION_POLICIES)
        yield from _label_keys(
            constraint.get("matchLabelKeys"), constraint.get("labelSelector"), f"{c_path}.matchLabelKeys"
        )
        yield from label_selector_errors(constraint.get("labelSelector"), f"{c_path}.labelSelector")


def _label_keys(keys: Any, selector: Any, path: str) -> Errors:
    """``validateLabelKeys`` (and the first part of ``validateMatchLabelKeysInTopologySpread``):
    label names, and only next to a label selector. Whether a key is also in the selector is not
    checked: the API server merges ``matchLabelKeys`` into the selector of the Pods it creates."""
    keys = [key for key in _list(keys) if isinstance(key, str)]
    if not keys:
        return
    if selector is None:
        yield path, forbidden("must not be specified when labelSelector is not set")
        return
    for index, key in enumerate(keys):
        yield from label_name_errors(key, f"{path}[{index}]")


def _host_aliases(aliases: Any, path: str) -> Errors:
    """``ValidateHostAliases``."""
    for index, alias in _maps(aliases):
        ip = alias.get("ip")
        if isinstance(ip, str):
            yield from _ip_errors(ip, f"{path}[{index}].ip")
        for host_index, hostname in enumerate(_list(alias.get("hostnames"))):
            yield from _dns_subdomain(hostname, f"{path}[{index}].hostnames[{host_index}]")


def pod_spec_errors(
    spec: Any,
    path: str,
    *,
    is_pod: bool = False,
    is_template: bool = False,
    claim_volumes: tuple[str, ...] = (),
) -> Errors:
    """``ValidatePodSpec`` for the pod spec at ``path`` (``spec`` of a Pod, ``spec.template.spec``
    of a workload ...). ``is_pod`` adds the Pod-only rules (``validateContainerOnlyForPod``,
    ``ValidatePodCreate``), ``is_template`` a template's (``ValidatePodTemplateSpec``);
    ``claim_volumes`` names volumes a controller adds to the pods it creates (a StatefulSet's
    ``volumeClaimTemplates``, mounted as persistentVolumeClaim volumes)."""
    if not isinstance(spec, Mapping):
        return
    grace_value = spec.get("terminationGracePeriodSeconds", 30)  # defaulted to 30 seconds
    grace = grace_value if is_int(grace_value) else None
    security = _map(spec.get("securityContext"))
    host_users = spec.get("hostUsers") is not False

    volumes, volume_errors = _volumes(spec.get("volumes"), f"{path}.volumes")
    yield from volume_errors
    for claim_volume in claim_volumes:
        volumes[claim_volume] = {"name": claim_volume, "persistentVolumeClaim": {"claimName": claim_volume}}
    claim_names: set[str] = set()
    claims_seen: set[str] = set()
    for index, claim in _maps(spec.get("resourceClaims")):
        name = claim.get("name")
        c_path = f"{path}.resourceClaims[{index}]"
        if name == "":
            yield f"{c_path}.name", required()
        elif isinstance(name, str):
            if name in claims_seen:
                yield f"{c_path}.name", duplicate(name)
            else:
                yield from _dns_label(name, f"{c_path}.name")
                claims_seen.add(name)
            claim_names.add(name)
    yield from _containers(spec, volumes, frozenset(claim_names), grace, host_users, path, is_pod=is_pod)
    if spec.get("ephemeralContainers"):
        if is_template:
            yield f"{path}.ephemeralContainers", forbidden("ephemeral containers not allowed in pod template")
        elif is_pod:
            yield f"{path}.ephemeralContainers", forbidden("cannot be set on create")

    if spec.get("hostNetwork") is True:  # validatePodHostNetworkDeps (hostPort defaulted to containerPort)
        for index, container in _maps(spec.get("containers")):
            for port_index, port in _maps(container.get("ports")):
                host_port, container_port = port.get("hostPort"), port.get("containerPort")
                if is_int(host_port) and host_port != 0 and host_port != container_port:
                    yield (
                        f"{path}.containers[{index}].ports[{port_index}].hostPort",
                        invalid(host_port, "must match `containerPort` when `hostNetwork` is true"),
                    )

    restart = spec.get("restartPolicy")
    if isinstance(restart, str) and restart and restart not in RESTART_POLICIES:
        yield f"{path}.restartPolicy", not_supported(restart, RESTART_POLICIES)
    dns_policy = spec.get("dnsPolicy")
    if isinstance(dns_policy, str) and dns_policy and dns_policy not in DNS_POLICIES:
        yield f"{path}.dnsPolicy", not_supported(dns_policy, DNS_POLICIES)
    yield from labels_errors(spec.get("nodeSelector"), f"{path}.nodeSelector")
    yield from _pod_security_context(spec, f"{path}.securityContext")
    if not host_users:  # validateHostUsers
        for field_name, label in (
            ("hostNetwork", "hostNetwork"),
            ("hostPID", "HostPID"),
            ("hostIPC", "HostIPC"),
        ):
            if spec.get(field_name) is True:
                yield f"{path}.{label}", forbidden("when `pod.Spec.HostUsers` is false")
    yield from _affinity(spec.get("affinity"), f"{path}.affinity")
    yield from _dns_config(spec, f"{path}.dnsConfig")
    for index, gate in _maps(spec.get("readinessGates")):
        yield from _qualified_name(
            gate.get("conditionType", ""), f"{path}.readinessGates[{index}].conditionType"
        )
    gates_seen: set[str] = set()
    for index, gate in _maps(spec.get("schedulingGates")):
        name = gate.get("name", "")
        yield from _qualified_name(name, f"{path}.schedulingGates[{index}]")
        if isinstance(name, str):
            if name in gates_seen:
                yield f"{path}.schedulingGates[{index}]", duplicate(name)
            gates_seen.add(name)
    yield from _topology_spread(spec.get("topologySpreadConstraints"), f"{path}.topologySpreadConstraints")
    for field_name in ("serviceAccountName", "nodeName", "priorityClassName"):
        value = spec.get(field_name)
        if isinstance(value, str) and value:
            yield from _dns_subdomain(value, f"{path}.{field_name}")
    deadline: Any = spec.get("activeDeadlineSeconds")
    if is_int(deadline) and not 1 <= int(deadline) <= MAX_INT32:
        yield f"{path}.activeDeadlineSeconds", invalid(deadline, inclusive_range_error(1, MAX_INT32))
    for field_name in ("hostname", "subdomain"):
        value = spec.get(field_name)
        if isinstance(value, str) and value:
            yield from _dns_label(value, f"{path}.{field_name}")
    yield from _tolerations(spec.get("tolerations"), f"{path}.tolerations")
    yield from _host_aliases(spec.get("hostAliases"), f"{path}.hostAliases")
    runtime_class = spec.get("runtimeClassName")
    if isinstance(runtime_class, str):
        yield from _dns_subdomain(runtime_class, f"{path}.runtimeClassName")
    preemption = spec.get("preemptionPolicy")
    if preemption == "":
        yield f"{path}.preemptionPolicy", required()
    elif isinstance(preemption, str) and preemption not in PREEMPTION_POLICIES:
        yield f"{path}.preemptionPolicy", not_supported(preemption, PREEMPTION_POLICIES)
    overhead = spec.get("overhead")
    if isinstance(overhead, Mapping):
        yield from resource_requirements_errors({"limits": overhead}, f"{path}.overhead")
    os_spec = spec.get("os")
    if isinstance(os_spec, Mapping):  # validateOS, validateLinux
        os_name = os_spec.get("name")
        if os_name == "":
            yield f"{path}.os.name", required("cannot be empty")
        elif isinstance(os_name, str) and os_name not in OS_NAMES:
            yield f"{path}.os", not_supported(os_name, OS_NAMES)
        elif os_name == "linux":
            if security.get("windowsOptions") is not None:
                yield (
                    f"{path}.securityContext.windowsOptions",
                    forbidden("windows options cannot be set for a linux pod"),
                )
            for kind in ("initContainers", "containers", "ephemeralContainers"):
                for index, container in _maps(spec.get(kind)):
                    if _map(container.get("securityContext")).get("windowsOptions") is not None:
                        yield (
                            f"{path}.{kind}[{index}].securityContext.windowsOptions",
                            forbidden("windows options cannot be set for a linux pod"),
                        )


# --- registration --------------------------------------------------------------------------------------


def _at(manifest: Mapping[str, Any], *keys: str) -> Any:
    node: Any = manifest
    for key in keys:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node


@register(("", "Pod"))
def check_pod(manifest: Mapping[str, Any]) -> Errors:
    """``ValidatePodCreate``: the Pod's ``spec``."""
    yield from pod_spec_errors(manifest.get("spec"), "spec", is_pod=True)


@register(("", "PodTemplate"))
def check_pod_template(manifest: Mapping[str, Any]) -> Errors:
    """``ValidatePodTemplate``: ``template.spec``."""
    yield from pod_spec_errors(_at(manifest, "template", "spec"), "template.spec", is_template=True)


@register(("apps", "StatefulSet"))
def check_statefulset_template(manifest: Mapping[str, Any]) -> Errors:
    """The pods of a StatefulSet. The API server itself does not run ``ValidatePodSpec`` on a
    StatefulSet's template (``ValidatePodTemplateSpecForStatefulSet`` has it commented out, because
    the mounts of ``volumeClaimTemplates`` would not be found); the StatefulSet controller then
    creates each Pod from the template plus one persistentVolumeClaim volume per claim template
    (``updateStorage``), and ``ValidatePodCreate`` refuses a bad one, so the StatefulSet is applied
    but never gets its pods. The template is checked as those pods will be."""
    claims = tuple(
        _str(_map(claim.get("metadata")).get("name"))
        for _, claim in _maps(_at(manifest, "spec", "volumeClaimTemplates"))
    )
    for path, message in pod_spec_errors(
        _at(manifest, "spec", "template", "spec"),
        "spec.template.spec",
        is_pod=True,
        claim_volumes=claims,
    ):
        yield path, f"{STATEFULSET_PODS_REFUSED}{message}"


STATEFULSET_PODS_REFUSED = "the StatefulSet is admitted but the API server refuses its Pods: "
"""Prefix of the errors found in a StatefulSet's template: the server accepts the object itself."""


@register(
    ("", "ReplicationController"),
    ("apps", "Deployment"),
    ("apps", "DaemonSet"),
    ("apps", "ReplicaSet"),
    ("batch", "Job"),
    ("argoproj.io", "Rollout"),
)
def check_workload_template(manifest: Mapping[str, Any]) -> Errors:
    """``ValidatePodTemplateSpec`` of the workload kinds (and Argo Rollouts, whose template the API
    server does not check: the ReplicaSets the Rollouts controller creates from it are refused):
    ``spec.template.spec``."""
    prefix = ROLLOUT_REPLICASETS_REFUSED if manifest.get("kind") == "Rollout" else ""
    for path, message in pod_spec_errors(
        _at(manifest, "spec", "template", "spec"), "spec.template.spec", is_template=True
    ):
        yield path, prefix + message


ROLLOUT_REPLICASETS_REFUSED = CONTROLLER_OBJECTS_REFUSED[("argoproj.io", "Rollout")]


@register(("batch", "CronJob"))
def check_cronjob_template(manifest: Mapping[str, Any]) -> Errors:
    """``ValidateCronJob`` -> ``ValidateJobTemplateSpec``: ``spec.jobTemplate.spec.template.spec``."""
    yield from pod_spec_errors(
        _at(manifest, "spec", "jobTemplate", "spec", "template", "spec"),
        "spec.jobTemplate.spec.template.spec",
        is_template=True,
    )


__all__ = ["pod_spec_errors", "resource_requirements_errors"]
