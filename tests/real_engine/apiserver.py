"""A real Kubernetes control plane for the tests: etcd, kube-apiserver and kube-controller-manager.

The binaries come from ``tools/build-real-tools`` (``.realtools/bin``). :func:`start` makes the
certificates (a CA, the server's serving certificate, the service-account key pair and an admin
client certificate in ``system:masters``), starts etcd and kube-apiserver on free loopback ports
with their data in a folder of the caller's, writes a kubeconfig, waits for ``/readyz`` and then
starts kube-controller-manager with only the controllers that deletion and the type checking of
ValidatingAdmissionPolicies need. The server is set up as EKS sets its own: authorization
``Node,RBAC`` and the default admission plugins of 1.35, among them PodSecurity and
ValidatingAdmissionPolicy (both on by default; nothing is disabled).

There is no kubelet, no scheduler and no other controller: Pods are accepted but never run,
Deployments never get ReplicaSets, Services never get endpoints.

The module is pytest-free; by hand::

    python tests/real_engine/apiserver.py DIR    # starts, prints the kubeconfig's path, Ctrl-C stops
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509  # in the test environment through moto (platform-components[all])
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

REPO = Path(__file__).resolve().parents[2]
BIN_DIR = REPO / ".realtools" / "bin"
BINARIES = ("etcd", "kube-apiserver", "kube-controller-manager")
SERVICE_CIDR = "10.0.0.0/24"
SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc.cluster.local"
CONTROLLERS = (
    "namespace-controller",  # empties a deleted namespace, then removes its finalizer
    "garbage-collector-controller",  # owner references; the provider deletes with Foreground propagation
    "serviceaccount-controller",  # the "default" ServiceAccount of each namespace (ServiceAccount admission needs it)
    "serviceaccount-token-controller",  # the token controller; signs with the service-account key
    "validatingadmissionpolicy-status-controller",  # type-checks ValidatingAdmissionPolicies (status.typeChecking)
)
"""kube-controller-manager's ``--controllers`` (the 1.35 names, cmd/kube-controller-manager/names)."""
READY_TIMEOUT = 120.0
STOP_TIMEOUT = 15.0


class ControlPlaneError(RuntimeError):
    """The control plane did not start; the message carries the last lines of the logs."""


def missing_binaries(bin_dir: Path = BIN_DIR) -> list[str]:
    return [name for name in BINARIES if not os.access(bin_dir / name, os.X_OK)]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- certificates -------------------------------------------------------------------------------


def _write_key(path: Path, key: Any) -> None:
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    path.chmod(0o600)


def _write_cert(path: Path, cert: x509.Certificate) -> None:
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def _name(common_name: str, organization: str | None = None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organization:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    return x509.Name(attrs)


def _sign(
    subject: x509.Name,
    key: Any,
    issuer: x509.Name,
    issuer_key: Any,
    *,
    ca: bool = False,
    usages: Sequence[x509.ObjectIdentifier] = (),
    sans: Sequence[x509.GeneralName] = (),
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True
        )
    else:
        builder = builder.add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
        )
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(usages)), critical=False)
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(list(sans)), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


@dataclass(frozen=True)
class Pki:
    ca_cert: Path
    serving_cert: Path
    serving_key: Path
    sa_key: Path  # service-account signing key (private)
    sa_pub: Path  # its public key, which the server verifies tokens with
    admin_cert: Path  # CN=admin, O=system:masters
    admin_key: Path


def make_pki(folder: Path) -> Pki:
    folder.mkdir(parents=True, exist_ok=True)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("platform-components-test-ca")
    ca = _sign(ca_name, ca_key, ca_name, ca_key, ca=True)
    pki = Pki(
        *(
            folder / n
            for n in ("ca.crt", "serving.crt", "serving.key", "sa.key", "sa.pub", "admin.crt", "admin.key")
        )
    )
    _write_cert(pki.ca_cert, ca)

    serving_key = ec.generate_private_key(ec.SECP256R1())
    service_ip = next(ipaddress.ip_network(SERVICE_CIDR).hosts())  # the "kubernetes" Service's IP
    sans: list[x509.GeneralName] = [
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        x509.IPAddress(service_ip),
        *(
            x509.DNSName(n)
            for n in ("localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc")
        ),
    ]
    serving = _sign(
        _name("kube-apiserver"),
        serving_key,
        ca_name,
        ca_key,
        usages=[ExtendedKeyUsageOID.SERVER_AUTH],
        sans=sans,
    )
    _write_cert(pki.serving_cert, serving)
    _write_key(pki.serving_key, serving_key)

    sa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    _write_key(pki.sa_key, sa_key)
    pki.sa_pub.write_bytes(
        sa_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )

    admin_key = ec.generate_private_key(ec.SECP256R1())
    admin = _sign(
        _name("admin", "system:masters"), admin_key, ca_name, ca_key, usages=[ExtendedKeyUsageOID.CLIENT_AUTH]
    )
    _write_cert(pki.admin_cert, admin)
    _write_key(pki.admin_key, admin_key)
    return pki


# --- processes ----------------------------------------------------------------------------------


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def tail(self, lines: int = 30) -> str:
        try:
            text = self.log.read_text(errors="replace")
        except FileNotFoundError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        if self.popen.poll() is not None:
            return
        self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(timeout=timeout)


def spawn(name: str, args: Sequence[str], folder: Path, env: Mapping[str, str] | None = None) -> Process:
    """Start ``args`` with its output in ``folder/<name>.log`` (``env`` added to this environment)."""
    log = folder / f"{name}.log"
    with log.open("wb") as out:
        popen = subprocess.Popen(
            list(args),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **env} if env else None,
        )
    return Process(name, popen, log)


def _warning_text(header: str) -> str:
    """The text of a ``Warning: 299 - "text"`` header (RFC 7234), the header itself otherwise."""
    match = re.match(r'^\d{3} \S+ "(.*)"', header)
    return match.group(1).replace('\\"', '"') if match else header


@dataclass
class ControlPlane:
    """A running control plane. :meth:`request` talks to it as the admin (``system:masters``)."""

    url: str
    kubeconfig: Path
    pki: Pki
    folder: Path
    processes: list[Process] = field(default_factory=list)

    def ssl_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.pki.ca_cert))
        context.load_cert_chain(str(self.pki.admin_cert), str(self.pki.admin_key))
        return context

    def request(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        *,
        params: Mapping[str, str] | None = None,
        timeout: float = 30.0,
    ) -> tuple[int, Any]:
        """``(status, decoded JSON body or text)``; an HTTP error status is returned, not raised."""
        status, answer, _warnings = self.request_with_warnings(
            method, path, body, params=params, timeout=timeout
        )
        return status, answer

    def request_with_warnings(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        *,
        params: Mapping[str, str] | None = None,
        timeout: float = 30.0,
    ) -> tuple[int, Any, list[str]]:
        """:meth:`request` and the warnings of the answer (the text of each ``Warning`` header)."""
        url = self.url + path + ("?" + urllib.parse.urlencode(params) if params else "")
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, context=self.ssl_context(), timeout=timeout) as resp:
                status, raw, headers = resp.status, resp.read(), resp.headers
        except urllib.error.HTTPError as err:
            status, raw, headers = err.code, err.read(), err.headers
        warnings = [_warning_text(value) for value in headers.get_all("Warning") or []]
        try:
            return status, json.loads(raw), warnings
        except ValueError:
            return status, raw.decode(errors="replace"), warnings

    def logs(self, lines: int = 30) -> str:
        return "\n".join(f"--- {p.name} ({p.log}), last lines:\n{p.tail(lines)}" for p in self.processes)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after a grace period; the controller manager first, etcd last."""
        for process in reversed(self.processes):
            process.stop()


def _wait(what: str, check: Any, plane: ControlPlane, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        for process in plane.processes:
            if process.popen.poll() is not None:
                raise ControlPlaneError(
                    f"{process.name} exited with {process.popen.returncode} while waiting for {what}\n{plane.logs()}"
                )
        try:
            ok, last = check()
        except (OSError, urllib.error.URLError) as err:
            ok, last = False, repr(err)
        if ok:
            return
        time.sleep(0.5)
    raise ControlPlaneError(
        f"timed out after {timeout:.0f} s waiting for {what} (last answer: {last})\n{plane.logs()}"
    )


def write_kubeconfig(path: Path, url: str, pki: Pki) -> None:
    """A kubeconfig whose context ``platform-components-test`` is the admin; files, not inline data."""
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "test", "cluster": {"server": url, "certificate-authority": str(pki.ca_cert)}}],
        "users": [
            {
                "name": "admin",
                "user": {"client-certificate": str(pki.admin_cert), "client-key": str(pki.admin_key)},
            }
        ],
        "contexts": [{"name": "platform-components-test", "context": {"cluster": "test", "user": "admin"}}],
        "current-context": "platform-components-test",
    }
    path.write_text(json.dumps(config, indent=2))  # JSON is YAML


def start(folder: Path, bin_dir: Path = BIN_DIR, *, timeout: float = READY_TIMEOUT) -> ControlPlane:
    """Start etcd, kube-apiserver and kube-controller-manager with their state under ``folder``."""
    missing = missing_binaries(bin_dir)
    if missing:
        raise ControlPlaneError(f"not built: {', '.join(missing)} ({bin_dir}); run tools/build-real-tools")
    folder.mkdir(parents=True, exist_ok=True)
    pki = make_pki(folder / "pki")
    etcd_port, peer_port, api_port = free_port(), free_port(), free_port()
    url = f"https://127.0.0.1:{api_port}"
    plane = ControlPlane(url=url, kubeconfig=folder / "kubeconfig", pki=pki, folder=folder)
    write_kubeconfig(plane.kubeconfig, url, pki)
    etcd_url, peer_url = f"http://127.0.0.1:{etcd_port}", f"http://127.0.0.1:{peer_port}"
    try:
        plane.processes.append(
            spawn(
                "etcd",
                [
                    str(bin_dir / "etcd"),
                    "--name=test",
                    f"--data-dir={folder / 'etcd'}",
                    f"--listen-client-urls={etcd_url}",
                    f"--advertise-client-urls={etcd_url}",
                    f"--listen-peer-urls={peer_url}",
                    f"--initial-advertise-peer-urls={peer_url}",
                    f"--initial-cluster=test={peer_url}",
                    "--unsafe-no-fsync",  # a throw-away test store
                    "--log-level=warn",
                ],
                folder,
            )
        )
        plane.processes.append(
            spawn(
                "kube-apiserver",
                [
                    str(bin_dir / "kube-apiserver"),
                    f"--etcd-servers={etcd_url}",
                    "--bind-address=127.0.0.1",
                    "--advertise-address=127.0.0.1",
                    f"--secure-port={api_port}",
                    f"--tls-cert-file={pki.serving_cert}",
                    f"--tls-private-key-file={pki.serving_key}",
                    f"--client-ca-file={pki.ca_cert}",
                    f"--service-cluster-ip-range={SERVICE_CIDR}",
                    "--authorization-mode=Node,RBAC",
                    "--allow-privileged=true",  # as EKS: Pod Security Admission, not this flag, refuses
                    f"--service-account-issuer={SERVICE_ACCOUNT_ISSUER}",
                    f"--service-account-key-file={pki.sa_pub}",
                    f"--service-account-signing-key-file={pki.sa_key}",
                    # The loopback address cannot be an Endpoints address; the "kubernetes" Service
                    # is still created, its endpoints are not reconciled.
                    "--endpoint-reconciler-type=none",
                    "--profiling=false",
                ],
                folder,
            )
        )

        def ready() -> tuple[bool, str]:
            status, body = plane.request("GET", "/readyz", timeout=5)
            return status == 200, f"{status} {str(body)[-300:]}"

        _wait("kube-apiserver /readyz", ready, plane, timeout)
        plane.processes.append(
            spawn(
                "kube-controller-manager",
                [
                    str(bin_dir / "kube-controller-manager"),
                    f"--kubeconfig={plane.kubeconfig}",
                    f"--controllers={','.join(CONTROLLERS)}",
                    f"--service-account-private-key-file={pki.sa_key}",
                    f"--root-ca-file={pki.ca_cert}",
                    "--leader-elect=false",
                    "--secure-port=0",  # no serving, so no delegated authentication either
                    "--concurrent-gc-syncs=5",
                    "--namespace-sync-period=10s",
                ],
                folder,
            )
        )

        def default_service_account() -> tuple[bool, str]:
            status, body = plane.request(
                "GET", "/api/v1/namespaces/default/serviceaccounts/default", timeout=5
            )
            return status == 200, f"{status} {str(body)[-300:]}"

        _wait("the controller manager's default ServiceAccount", default_service_account, plane, timeout)
    except BaseException:
        plane.stop()
        raise
    return plane


def main(argv: Sequence[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    plane = start(Path(argv[1]).resolve())
    print(f"{plane.url} ready; kubeconfig {plane.kubeconfig}; Ctrl-C stops", flush=True)
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        plane.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
