// Defaulting of built-in kinds: the values Kubernetes' defaulting functions fill in, so objects read
// back (and `kubectl get -o yaml`) look as they do on a real cluster.

const setIfAbsent = (o: any, k: string, v: unknown): void => {
  if (o[k] === undefined || o[k] === null) o[k] = v;
};

function imagePullPolicy(image: string | undefined): string {
  if (!image) return 'IfNotPresent';
  const last = image.split('/').pop() ?? '';
  if (last.includes('@')) return 'IfNotPresent';
  const tag = last.includes(':') ? last.split(':').pop() : undefined;
  return !tag || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultContainer(c: any): void {
  setIfAbsent(c, 'terminationMessagePath', '/dev/termination-log');
  setIfAbsent(c, 'terminationMessagePolicy', 'File');
  setIfAbsent(c, 'imagePullPolicy', imagePullPolicy(c.image));
  if (c.resources === undefined) c.resources = {};
  for (const p of c.ports ?? []) setIfAbsent(p, 'protocol', 'TCP');
  for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) if (probe) defaultProbe(probe);
  for (const e of c.env ?? []) {
    const f = e.valueFrom?.fieldRef;
    if (f) setIfAbsent(f, 'apiVersion', 'v1');
  }
}

function defaultProbe(p: any): void {
  setIfAbsent(p, 'timeoutSeconds', 1);
  setIfAbsent(p, 'periodSeconds', 10);
  setIfAbsent(p, 'successThreshold', 1);
  setIfAbsent(p, 'failureThreshold', 3);
  if (p.httpGet) {
    setIfAbsent(p.httpGet, 'path', '/');
    setIfAbsent(p.httpGet, 'scheme', 'HTTP');
  }
}

export function defaultPodSpec(spec: any, restartPolicy = 'Always'): void {
  if (!spec || typeof spec !== 'object') return;
  setIfAbsent(spec, 'restartPolicy', restartPolicy);
  setIfAbsent(spec, 'terminationGracePeriodSeconds', 30);
  setIfAbsent(spec, 'dnsPolicy', 'ClusterFirst');
  setIfAbsent(spec, 'securityContext', {});
  setIfAbsent(spec, 'schedulerName', 'default-scheduler');
  if (spec.serviceAccount && !spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount;
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const v of spec.volumes ?? []) {
    for (const key of ['configMap', 'secret', 'downwardAPI', 'projected'] as const)
      if (v[key]) setIfAbsent(v[key], 'defaultMode', 420);
  }
}

export function defaultPod(obj: any): void {
  defaultPodSpec((obj.spec ??= {}));
  const spec = obj.spec;
  if (spec.serviceAccountName === undefined) spec.serviceAccountName = 'default';
  setIfAbsent(spec, 'enableServiceLinks', true);
  setIfAbsent(spec, 'preemptionPolicy', 'PreemptLowerPriority');
  setIfAbsent(spec, 'priority', 0);
  if (!spec.tolerations) {
    spec.tolerations = [
      {
        key: 'node.kubernetes.io/not-ready',
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 300,
      },
      {
        key: 'node.kubernetes.io/unreachable',
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 300,
      },
    ];
  }
}

function defaultTemplate(spec: any): void {
  spec.template ??= {};
  spec.template.metadata ??= {};
  defaultPodSpec((spec.template.spec ??= {}));
}

export function defaultDeployment(obj: any): void {
  const spec = (obj.spec ??= {});
  setIfAbsent(spec, 'replicas', 1);
  setIfAbsent(spec, 'revisionHistoryLimit', 10);
  setIfAbsent(spec, 'progressDeadlineSeconds', 600);
  spec.strategy ??= {};
  setIfAbsent(spec.strategy, 'type', 'RollingUpdate');
  if (spec.strategy.type === 'RollingUpdate') {
    spec.strategy.rollingUpdate ??= {};
    setIfAbsent(spec.strategy.rollingUpdate, 'maxUnavailable', '25%');
    setIfAbsent(spec.strategy.rollingUpdate, 'maxSurge', '25%');
  }
  defaultTemplate(spec);
}

export function defaultReplicaSet(obj: any): void {
  const spec = (obj.spec ??= {});
  setIfAbsent(spec, 'replicas', 1);
  defaultTemplate(spec);
}

export function defaultDaemonSet(obj: any): void {
  const spec = (obj.spec ??= {});
  setIfAbsent(spec, 'revisionHistoryLimit', 10);
  spec.updateStrategy ??= {};
  setIfAbsent(spec.updateStrategy, 'type', 'RollingUpdate');
  if (spec.updateStrategy.type === 'RollingUpdate') {
    spec.updateStrategy.rollingUpdate ??= {};
    setIfAbsent(spec.updateStrategy.rollingUpdate, 'maxUnavailable', 1);
    setIfAbsent(spec.updateStrategy.rollingUpdate, 'maxSurge', 0);
  }
  defaultTemplate(spec);
}

export function defaultStatefulSet(obj: any): void {
  const spec = (obj.spec ??= {});
  setIfAbsent(spec, 'replicas', 1);
  setIfAbsent(spec, 'podManagementPolicy', 'OrderedReady');
  setIfAbsent(spec, 'revisionHistoryLimit', 10);
  spec.updateStrategy ??= {};
  setIfAbsent(spec.updateStrategy, 'type', 'RollingUpdate');
  if (spec.updateStrategy.type === 'RollingUpdate') {
    spec.updateStrategy.rollingUpdate ??= {};
    setIfAbsent(spec.updateStrategy.rollingUpdate, 'partition', 0);
  }
  spec.persistentVolumeClaimRetentionPolicy ??= { whenDeleted: 'Retain', whenScaled: 'Retain' };
  defaultTemplate(spec);
}

export function defaultJob(obj: any): void {
  const spec = (obj.spec ??= {});
  setIfAbsent(spec, 'parallelism', 1);
  setIfAbsent(spec, 'completions', 1);
  setIfAbsent(spec, 'backoffLimit', 6);
  setIfAbsent(spec, 'completionMode', 'NonIndexed');
  setIfAbsent(spec, 'suspend', false);
  spec.template ??= {};
  spec.template.metadata ??= {};
  defaultPodSpec((spec.template.spec ??= {}), 'Never');
}

export function defaultService(obj: any): void {
  const spec = (obj.spec ??= {});
  setIfAbsent(spec, 'type', 'ClusterIP');
  setIfAbsent(spec, 'sessionAffinity', 'None');
  for (const p of spec.ports ?? []) {
    setIfAbsent(p, 'protocol', 'TCP');
    if (spec.type !== 'ExternalName') setIfAbsent(p, 'targetPort', p.port);
  }
  if (spec.type !== 'ExternalName') {
    setIfAbsent(spec, 'internalTrafficPolicy', 'Cluster');
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer')
      setIfAbsent(spec, 'externalTrafficPolicy', 'Cluster');
    if (spec.type === 'LoadBalancer') setIfAbsent(spec, 'allocateLoadBalancerNodePorts', true);
  }
  obj.status ??= { loadBalancer: {} };
}

export function defaultNamespace(obj: any): void {
  obj.spec ??= {};
  obj.spec.finalizers ??= ['kubernetes'];
  obj.status = { phase: obj.status?.phase ?? 'Active' };
  obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': obj.metadata.name };
}

export function defaultSecret(obj: any): void {
  setIfAbsent(obj, 'type', 'Opaque');
}

export function defaultHpa(obj: any): void {
  const spec = (obj.spec ??= {});
  setIfAbsent(spec, 'minReplicas', 1);
  if (!spec.metrics)
    spec.metrics = [
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
      },
    ];
}

export function defaultWebhooks(obj: any): void {
  for (const w of obj.webhooks ?? []) {
    setIfAbsent(w, 'failurePolicy', 'Fail');
    setIfAbsent(w, 'matchPolicy', 'Equivalent');
    setIfAbsent(w, 'timeoutSeconds', 10);
    setIfAbsent(w, 'namespaceSelector', {});
    setIfAbsent(w, 'objectSelector', {});
    if (obj.kind === 'MutatingWebhookConfiguration') setIfAbsent(w, 'reinvocationPolicy', 'Never');
    if (w.clientConfig?.service) setIfAbsent(w.clientConfig.service, 'port', 443);
    for (const r of w.rules ?? []) setIfAbsent(r, 'scope', '*');
  }
}

export function defaultCrd(obj: any): void {
  const spec = (obj.spec ??= {});
  spec.conversion ??= { strategy: 'None' };
  spec.names ??= {};
  if (spec.names.kind && !spec.names.listKind) spec.names.listKind = `${spec.names.kind}List`;
  if (spec.names.plural && !spec.names.singular && spec.names.kind)
    spec.names.singular = spec.names.kind.toLowerCase();
}
