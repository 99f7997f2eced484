// The benchmark's services synthesized with cdk8s-plus, for the side-by-side figures of
// benchmarks/preview_bench.py (benchmark only: nothing of the library depends on it).
//
//     node synth.js N
//
// Service i is the benchmark's SecureWorkload svc-i (benchmarks/preview_bench.py, workload_args):
// namespace team-(i % 10), image ghcr.io/acme/svc-i:1.i.0, readiness /readyz and liveness /livez on
// the http port 8080, an HPA (2 to 6 replicas, CPU 70%) for odd i, and ingress from the edge
// namespace's gateway pods. Each gets a ServiceAccount, a Deployment, a Service, a
// PodDisruptionBudget, an HPA for odd i and a NetworkPolicy, as close to the component's objects
// as cdk8s-plus gets; what cdk8s-plus does not model goes through its escape hatches (a JSON patch
// of the object, or the generated k8s.Kube* classes). What still differs from the component's
// objects is listed in benchmarks/_side_by_side.py (CDK8S_DIFFERENCES).
//
// Prints one JSON line: the objects per kind, the time to build the constructs and to synthesize
// them to YAML (inside node: start-up and module loading excluded), and a sample of the last
// service's Deployment so that the caller can check the synthesis is the one it asked for.

"use strict";

const { performance } = require("node:perf_hooks");

const loadStart = performance.now();
const { App, Chart, ApiObject, JsonPatch, Duration, Size } = require("cdk8s");
const kplus = require("cdk8s-plus-33");
const { Construct } = require("constructs");
const loadMs = performance.now() - loadStart;

const LABEL_KEYS = ["app.kubernetes.io/name", "app.kubernetes.io/instance"];

function labels(name, namespace, version) {
  return {
    "app.kubernetes.io/name": name,
    "app.kubernetes.io/instance": name,
    "app.kubernetes.io/component": "server",
    "app.kubernetes.io/part-of": namespace,
    "app.kubernetes.io/managed-by": "platform-components",
    "app.kubernetes.io/version": version,
  };
}

function selectorLabels(name) {
  return Object.fromEntries(LABEL_KEYS.map((key) => [key, name]));
}

function probe(path) {
  return kplus.Probe.fromHttpGet(path, {
    port: 8080,
    scheme: kplus.ConnectionScheme.HTTP,
    initialDelaySeconds: Duration.seconds(0),
    periodSeconds: Duration.seconds(10),
    timeoutSeconds: Duration.seconds(2),
    failureThreshold: 3,
    successThreshold: 1,
  });
}

function spread(name, topologyKey) {
  return {
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable: "ScheduleAnyway",
    labelSelector: { matchLabels: selectorLabels(name) },
    matchLabelKeys: ["pod-template-hash"],
  };
}

function deployment(scope, name, namespace, version, image, account, autoscaled) {
  const meta = { name, namespace, labels: labels(name, namespace, version) };
  const tmp = kplus.Volume.fromEmptyDir(scope, "tmp", "tmp", { sizeLimit: Size.mebibytes(256) });
  const workload = new kplus.Deployment(scope, "deployment", {
    metadata: {
      ...meta,
      annotations: {
        "checkov.io/skip1": "CKV_K8S_11=no CPU limit by design: limits cause CFS throttling; the CPU request is set",
        "platform-components.io/mesh": "none",
      },
    },
    podMetadata: { labels: labels(name, namespace, version) },
    select: false, // selected by the two name labels below, not by cdk8s's own address label
    replicas: autoscaled ? undefined : 2,
    strategy: kplus.DeploymentStrategy.rollingUpdate({
      maxSurge: kplus.PercentOrAbsolute.percent(25),
      maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
    }),
    minReady: Duration.seconds(0),
    progressDeadline: Duration.seconds(600),
    revisionHistoryLimit: 5,
    serviceAccount: account,
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    terminationGracePeriod: Duration.seconds(30),
    securityContext: {
      ensureNonRoot: true,
      user: 65532,
      group: 65532,
      fsGroup: 65532,
      fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH,
    },
    containers: [
      {
        name: "app",
        image,
        imagePullPolicy: kplus.ImagePullPolicy.ALWAYS,
        ports: [{ name: "http", number: 8080, protocol: kplus.Protocol.TCP }],
        resources: {
          cpu: { request: kplus.Cpu.millis(100) },
          memory: { request: Size.mebibytes(128), limit: Size.mebibytes(128) },
        },
        securityContext: {
          ensureNonRoot: true,
          privileged: false,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: [kplus.Capability.ALL] },
        },
        readiness: probe("/readyz"),
        liveness: probe("/livez"),
        volumeMounts: [{ path: "/tmp", volume: tmp }],
      },
    ],
  });
  workload.select(kplus.LabelSelector.of({ labels: selectorLabels(name) }));
  // Escape hatches: what cdk8s-plus does not model (a sleep preStop hook, the priority class,
  // topology spread constraints, the pod-level seccomp profile)
  const object = ApiObject.of(workload);
  object.addJsonPatch(
    JsonPatch.add("/spec/template/spec/containers/0/lifecycle", { preStop: { sleep: { seconds: 5 } } }),
    JsonPatch.add("/spec/template/spec/priorityClassName", "platform-medium"),
    JsonPatch.add("/spec/template/spec/securityContext/seccompProfile", { type: "RuntimeDefault" }),
    JsonPatch.add("/spec/template/spec/topologySpreadConstraints", [
      spread(name, "topology.kubernetes.io/zone"),
      spread(name, "kubernetes.io/hostname"),
    ]),
  );
  return workload;
}

function networkPolicy(scope, name, namespace, version, workload) {
  const gateway = kplus.Pods.select(scope, "gateway", {
    labels: selectorLabels("gateway"),
    namespaces: kplus.Namespaces.select(scope, "edge", { names: ["edge"] }),
  });
  const dns = kplus.Pods.select(scope, "kube-dns", {
    labels: { "k8s-app": "kube-dns" },
    namespaces: kplus.Namespaces.select(scope, "kube-system", { names: ["kube-system"] }),
  });
  return new kplus.NetworkPolicy(scope, "netpol", {
    metadata: {
      name,
      namespace,
      labels: labels(name, namespace, version),
      annotations: {
        "platform-components.io/externals": JSON.stringify([{ kind: "workload", namespace: "edge", name: "gateway" }]),
      },
    },
    selector: kplus.Pods.select(scope, "pods", { labels: selectorLabels(name) }),
    ingress: {
      default: kplus.NetworkPolicyTrafficDefault.DENY,
      rules: [{ peer: gateway, ports: [kplus.NetworkPolicyPort.tcp(8080)] }],
    },
    egress: {
      default: kplus.NetworkPolicyTrafficDefault.DENY,
      rules: [{ peer: dns, ports: [kplus.NetworkPolicyPort.udp(53), kplus.NetworkPolicyPort.tcp(53)] }],
    },
  });
}

function autoscaler(scope, name, namespace, version, workload) {
  return new kplus.HorizontalPodAutoscaler(scope, "hpa", {
    metadata: { name, namespace, labels: labels(name, namespace, version) },
    target: workload,
    minReplicas: 2,
    maxReplicas: 6,
    metrics: [kplus.Metric.resourceCpu(kplus.MetricTarget.averageUtilization(70))],
    scaleDown: {
      stabilizationWindow: Duration.seconds(300),
      strategy: kplus.ScalingStrategy.MAX_CHANGE,
      policies: [{ replicas: kplus.Replicas.percent(50), duration: Duration.minutes(1) }],
    },
    scaleUp: {
      stabilizationWindow: Duration.seconds(0),
      strategy: kplus.ScalingStrategy.MAX_CHANGE,
      policies: [
        { replicas: kplus.Replicas.absolute(4), duration: Duration.minutes(1) },
        { replicas: kplus.Replicas.percent(100), duration: Duration.minutes(1) },
      ],
    },
  });
}

function service(chart, i) {
  const name = `svc-${i}`;
  const namespace = `team-${i % 10}`;
  const version = `1.${i}.0`;
  const image = `ghcr.io/acme/svc-${i}:${version}`;
  const autoscaled = i % 2 === 1;
  const scope = new Construct(chart, name);
  const meta = { name, namespace, labels: labels(name, namespace, version) };
  const account = new kplus.ServiceAccount(scope, "sa", { metadata: meta, automountToken: false });
  const workload = deployment(scope, name, namespace, version, image, account, autoscaled);
  const exposed = new kplus.Service(scope, "service", {
    metadata: meta,
    type: kplus.ServiceType.CLUSTER_IP,
    ports: [{ name: "http", port: 8080, targetPort: 8080, protocol: kplus.Protocol.TCP }],
  });
  for (const [key, value] of Object.entries(selectorLabels(name))) {
    exposed.selectLabel(key, value);
  }
  new kplus.k8s.KubePodDisruptionBudget(scope, "pdb", {
    metadata: meta,
    spec: {
      maxUnavailable: kplus.k8s.IntOrString.fromNumber(1),
      selector: { matchLabels: selectorLabels(name) },
      unhealthyPodEvictionPolicy: "AlwaysAllow",
    },
  });
  if (autoscaled) {
    autoscaler(scope, name, namespace, version, workload);
  }
  networkPolicy(scope, name, namespace, version, workload);
}

function main() {
  const n = Number.parseInt(process.argv[2] ?? "", 10);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write("usage: node synth.js N (a whole number of services, at least 1)\n");
    process.exit(2);
  }
  const start = performance.now();
  const app = new App({ outdir: "unused" }); // synthYaml writes nothing
  // One chart for all the services: cdk8s synthesizes each chart over the whole app (dependencies
  // and validation), so a chart per service would make the synthesis quadratic in N.
  const chart = new Chart(app, "services");
  for (let i = 0; i < n; i += 1) {
    service(chart, i);
  }
  const built = performance.now();
  const yaml = app.synthYaml();
  const synthesized = performance.now();
  const objects = chart.toJson(); // after the timing: the objects once more, to count and sample
  const kinds = {};
  for (const object of objects) {
    kinds[object.kind] = (kinds[object.kind] ?? 0) + 1;
  }
  const last = objects.filter((object) => object.kind === "Deployment").pop();
  const container = last.spec.template.spec.containers[0];
  const result = {
    n,
    objects: objects.length,
    kinds,
    load_ms: loadMs,
    construct_ms: built - start,
    synth_ms: synthesized - built,
    yaml_bytes: Buffer.byteLength(yaml),
    sample: {
      name: last.metadata.name,
      namespace: last.metadata.namespace,
      image: container.image,
      drop: container.securityContext.capabilities.drop,
      readiness: container.readinessProbe.httpGet.path,
    },
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main();
