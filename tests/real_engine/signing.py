"""Image signatures end to end: a registry, cosign and the Kyverno admission controller next to a
control plane of ``apiserver.py``.

The binaries come from ``tools/build-real-tools`` (``.realtools/bin``, tool ``kyverno``): ``crane``
(go-containerregistry) serves an in-memory OCI registry on loopback and pushes the fixture images,
``cosign`` makes a key pair and signs by digest, ``kyverno`` runs out of the cluster, as Kyverno's own
DEVELOPMENT.md describes ("Debugging local code": ``--serverIP``, its CA and TLS secrets), with the
CRDs of its own module (``kyverno-crds.yaml``). Kyverno registers its webhooks with the API server at
``https://127.0.0.1:PORT`` and serves them with a CA it makes itself.

No network beyond loopback: signatures are made with ``--tlog-upload=false`` (no Rekor), and the
policy's attestor sets ``transparency_log: false``; keyless signatures (Fulcio, Rekor) cannot be made
here. Pytest-free, like ``apiserver.py``.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import ssl
import subprocess
import tarfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

import yaml

BINARIES = ("kyverno", "cosign", "crane", "kyverno-crds.yaml")
KYVERNO_NAMESPACE = "kyverno"
WEBHOOKS = (
    ("validatingwebhookconfigurations", "kyverno-resource-validating-webhook-cfg"),
    ("mutatingwebhookconfigurations", "kyverno-resource-mutating-webhook-cfg"),
    ("mutatingwebhookconfigurations", "kyverno-verify-mutating-webhook-cfg"),
)
"""The webhook configurations Kyverno registers once it serves (its resource and verify webhooks)."""
KYVERNO_ENV = {
    # .vscode/launch.json of the Kyverno module ("Launch Kyverno"): who it is, outside a Pod
    "KYVERNO_NAMESPACE": KYVERNO_NAMESPACE,
    "KYVERNO_SERVICEACCOUNT_NAME": "kyverno-admission-controller",
    "KYVERNO_DEPLOYMENT": "kyverno-admission-controller",
    "KYVERNO_POD_NAME": "kyverno-admission-controller-local",
    "INIT_CONFIG": "kyverno",
    "METRICS_CONFIG": "kyverno-metrics",
}
COMMAND_TIMEOUT = 120.0
READY_TIMEOUT = 180.0


def missing_binaries(bin_dir: Path) -> list[str]:
    return [name for name in BINARIES if not (bin_dir / name).exists()]


def run(args: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    """A tool's standard output; its error output in the exception when it fails."""
    done = subprocess.run(
        args,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return done.stdout


def _wait(what: str, check: Any, timeout: float, logs: Any) -> None:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        ok, last = check()
        if ok:
            return
        time.sleep(0.5)
    raise RuntimeError(f"{what} not ready after {timeout:.0f} s (last: {last})\n{logs()}")


# --- registry and images --------------------------------------------------------------------


@dataclass
class Registry:
    """``crane registry serve`` on loopback: an in-memory OCI distribution registry over plain HTTP."""

    host: str  # 127.0.0.1:PORT
    crane: Path
    process: Any  # apiserver.Process

    def push(self, repository: str, tag: str, content: str, folder: Path) -> str:
        """Push a one-layer image (a file holding ``content``) as ``host/repository:tag``; its digest."""
        layer = folder / f"layer-{abs(hash((repository, tag, content)))}.tar"
        data = content.encode()
        with tarfile.open(layer, "w") as archive:
            info = tarfile.TarInfo("content.txt")
            info.size = len(data)
            archive.addfile(info, BytesIO(data))
        reference = f"{self.host}/{repository}:{tag}"
        run([str(self.crane), "append", "--insecure", "-f", str(layer), "-t", reference])
        return run([str(self.crane), "digest", "--insecure", reference]).strip()

    def tags(self, repository: str) -> list[str]:
        return run([str(self.crane), "ls", "--insecure", f"{self.host}/{repository}"]).split()


def start_registry(bin_dir: Path, folder: Path, port: int, spawn: Any) -> Registry:
    process = spawn(
        "registry", [str(bin_dir / "crane"), "registry", "serve", "--address", f"127.0.0.1:{port}"]
    )
    registry = Registry(f"127.0.0.1:{port}", bin_dir / "crane", process)

    def serving() -> tuple[bool, str]:
        if process.popen.poll() is not None:
            raise RuntimeError(f"the registry exited ({process.popen.returncode}):\n{process.tail()}")
        try:
            with urllib.request.urlopen(f"http://{registry.host}/v2/", timeout=2) as answer:
                return answer.status == 200, str(answer.status)
        except (urllib.error.URLError, OSError) as error:
            return False, str(error)

    _wait("the registry", serving, 30.0, process.tail)
    return registry


@dataclass
class Signer:
    """A cosign key pair (no password), which signs images by digest without a transparency log."""

    cosign: Path
    folder: Path

    @property
    def public_key(self) -> str:
        return (self.folder / "cosign.pub").read_text(encoding="utf-8")

    def sign(self, reference: str) -> None:
        """Sign ``reference`` (``host/repo@sha256:...``): the classic ``sha256-<digest>.sig`` tag."""
        run(
            [
                str(self.cosign),
                "sign",
                "--key",
                "cosign.key",
                "--tlog-upload=false",  # no Rekor here
                "--use-signing-config=false",
                "--new-bundle-format=false",
                "--allow-insecure-registry",
                "--yes",
                reference,
            ],
            cwd=self.folder,
            env={"COSIGN_PASSWORD": ""},
        )


def make_signer(bin_dir: Path, folder: Path) -> Signer:
    folder.mkdir(parents=True, exist_ok=True)
    run([str(bin_dir / "cosign"), "generate-key-pair"], cwd=folder, env={"COSIGN_PASSWORD": ""})
    return Signer(bin_dir / "cosign", folder)


# --- Kyverno ----------------------------------------------------------------------------------


def kyverno_crds(bin_dir: Path) -> list[dict[str, Any]]:
    text = (bin_dir / "kyverno-crds.yaml").read_text(encoding="utf-8")
    return [doc for doc in yaml.safe_load_all(text) if isinstance(doc, dict)]


def start_kyverno(bin_dir: Path, plane: Any, port: int, spawn: Any) -> Any:
    """Install Kyverno's CRDs and namespace on ``plane``, start the admission controller out of the
    cluster, and wait until its webhooks are registered. Returns its ``Process``."""
    for crd in kyverno_crds(bin_dir):
        status, answer = plane.request("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)
        assert status in (201, 409), f"{crd['metadata']['name']}: {status} {answer}"
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": KYVERNO_NAMESPACE}}
    status, answer = plane.request("POST", "/api/v1/namespaces", namespace)
    assert status in (201, 409), answer
    secrets = f"kyverno-svc.{KYVERNO_NAMESPACE}.svc.kyverno-tls"
    process = spawn(
        "kyverno",
        [
            str(bin_dir / "kyverno"),
            f"--kubeconfig={plane.kubeconfig}",
            f"--serverIP=127.0.0.1:{port}",  # out of the cluster: webhooks call https://127.0.0.1:PORT
            "--webhookServerHost=127.0.0.1",
            f"--webhookServerPort={port}",
            f"--caSecretName={secrets}-ca",
            f"--tlsSecretName={secrets}-pair",
            f"--backgroundServiceAccountName=system:serviceaccount:{KYVERNO_NAMESPACE}:kyverno-background-controller",
            f"--reportsServiceAccountName=system:serviceaccount:{KYVERNO_NAMESPACE}:kyverno-reports-controller",
            "--allowInsecureRegistry",  # the loopback registry speaks plain HTTP
            "--admissionReports=false",
            "--disableMetrics",
            "--controllerRuntimeMetricsAddress=0",
            "--loggingFormat=json",
        ],
        env=KYVERNO_ENV,
    )

    def serving() -> tuple[bool, str]:
        """Its webhooks registered, and its server answering TLS with a certificate of its CA (the
        webhooks are registered before the serving pair is written: until then a handshake fails)."""
        if process.popen.poll() is not None:
            raise RuntimeError(f"kyverno exited ({process.popen.returncode}):\n{process.tail()}")
        missing = []
        for plural, name in WEBHOOKS:
            status, _ = plane.request("GET", f"/apis/admissionregistration.k8s.io/v1/{plural}/{name}")
            if status != 200:
                missing.append(name)
        if missing:
            return False, f"webhooks missing: {', '.join(missing)}"
        status, secret = plane.request("GET", f"/api/v1/namespaces/{KYVERNO_NAMESPACE}/secrets/{secrets}-ca")
        if status != 200:
            return False, f"CA secret: {status}"
        return handshake(port, base64.b64decode(secret["data"]["tls.crt"]).decode())

    _wait("kyverno's webhook server", serving, READY_TIMEOUT, process.tail)
    return process


def handshake(port: int, ca_pem: str) -> tuple[bool, str]:
    """Whether 127.0.0.1:``port`` completes a TLS handshake with a certificate ``ca_pem`` signed."""
    context = ssl.create_default_context(cadata=ca_pem)
    context.check_hostname = False  # the certificate names the serverIP; the CA is what matters here
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as raw, context.wrap_socket(raw):
            return True, "handshake completed"
    except (OSError, ssl.SSLError) as error:
        return False, f"TLS: {error}"


def policy_ready(plane: Any, name: str) -> tuple[bool, str]:
    """Whether Kyverno reports the ClusterPolicy ``name`` Ready (status.conditions)."""
    status, answer = plane.request("GET", f"/apis/kyverno.io/v1/clusterpolicies/{name}")
    if status != 200:
        return False, f"{status} {answer}"
    conditions = answer.get("status", {}).get("conditions", [])
    ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)
    return ready, json.dumps(conditions)
