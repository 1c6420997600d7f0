// The built-in kinds the server serves: names, scope, subresources and strategies. Their schemas come
// from the Kubernetes client models (see ../schema), so each kind is declared here once.
import type { FieldError } from '../errors.js';
import type { KubeObject } from '../types.js';
import { validateObjectMeta } from '../validation/meta.js';
import { checkName, configMapKey, dns1123Label, type NameRule } from '../validation/names.js';
import { validatePodSpec, inPortRange, supported } from '../validation/pods.js';
import { validateWorkloadSpec } from '../validation/workloads.js';
import * as d from './defaults.js';
import { crdStrategy } from './crd-strategy.js';
import type { GenerationRule, ScaleSubresource, Strategy, StrategyContext } from './resource.js';

export interface BuiltinKind {
  group: string;
  version: string;
  kind: string;
  plural: string;
  /** client-node model class name, the source of the kind's schema. */
  model: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  status?: boolean;
  scale?: ScaleSubresource;
  verbs?: string[];
  nameRule?: NameRule;
  generation?: GenerationRule;
  extraSubresources?: {
    name: string;
    verbs: string[];
    kind?: { group: string; version: string; kind: string };
  }[];
  strategy?: Strategy;
}

const ALL = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const CREATE_ONLY = ['create'];
const replicasScale: ScaleSubresource = {
  specReplicasPath: '.spec.replicas',
  statusReplicasPath: '.status.replicas',
  labelSelectorPath: '.status.selector',
};
const autoscalingScale = { group: 'autoscaling', version: 'v1', kind: 'Scale' };

const workload = (defaults: (o: any) => void, replicas: boolean): Strategy => ({
  defaults,
  validate: (o, old) => {
    const errs = validateWorkloadSpec(o.spec, { replicas });
    if (old && JSON.stringify(o.spec?.selector) !== JSON.stringify(old.spec?.selector))
      errs.push({
        type: 'FieldValueInvalid',
        field: 'spec.selector',
        valueText: 'v1.LabelSelector{...}',
        detail: 'field is immutable',
      });
    return errs;
  },
});

const podStrategy: Strategy = {
  defaults: d.defaultPod,
  validate: (o, old) => {
    const errs = validatePodSpec(o.spec, 'spec');
    if (old) {
      const strip = (s: any) =>
        JSON.stringify({
          ...s,
          containers: (s?.containers ?? []).map((c: any) => ({ ...c, image: '' })),
          initContainers: (s?.initContainers ?? []).map((c: any) => ({ ...c, image: '' })),
          activeDeadlineSeconds: 0,
          tolerations: [],
          schedulingGates: [],
        });
      if (old.spec?.nodeName && o.spec?.nodeName !== old.spec.nodeName)
        errs.push({
          type: 'FieldValueForbidden',
          field: 'spec',
          detail:
            'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
        });
      else if (strip({ ...o.spec, nodeName: undefined }) !== strip({ ...old.spec, nodeName: undefined }))
        errs.push({
          type: 'FieldValueForbidden',
          field: 'spec',
          detail:
            'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
        });
    }
    return errs;
  },
  prepareCreate: (o) => {
    o.status = { phase: 'Pending', qosClass: qosClass(o.spec), ...(o.status?.conditions ? {} : {}) };
  },
};

function qosClass(spec: any): string {
  const cs: any[] = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])];
  const res = cs.map((c) => c.resources ?? {});
  if (res.every((r) => !r.limits && !r.requests)) return 'BestEffort';
  const guaranteed = res.every(
    (r) =>
      r.limits?.cpu &&
      r.limits?.memory &&
      (!r.requests ||
        (String(r.requests.cpu ?? r.limits.cpu) === String(r.limits.cpu) &&
          String(r.requests.memory ?? r.limits.memory) === String(r.limits.memory))),
  );
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

const serviceTypes = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];

const serviceStrategy: Strategy = {
  defaults: d.defaultService,
  validate: (o, old) => {
    const errs: FieldError[] = [];
    const spec = o.spec ?? {};
    if (!serviceTypes.includes(spec.type))
      errs.push({
        type: 'FieldValueNotSupported',
        field: 'spec.type',
        value: spec.type,
        detail: supported(serviceTypes),
      });
    const headless = spec.clusterIP === 'None';
    if ((spec.ports ?? []).length === 0 && spec.type !== 'ExternalName' && !headless)
      errs.push({ type: 'FieldValueRequired', field: 'spec.ports' });
    if (spec.type === 'ExternalName' && !spec.externalName)
      errs.push({ type: 'FieldValueRequired', field: 'spec.externalName' });
    const names = new Set<string>();
    (spec.ports ?? []).forEach((p: any, i: number) => {
      const path = `spec.ports[${i}]`;
      if ((spec.ports.length > 1 || p.name) && !p.name)
        errs.push({ type: 'FieldValueRequired', field: `${path}.name` });
      if (p.name) {
        for (const m of dns1123Label(p.name))
          errs.push({ type: 'FieldValueInvalid', field: `${path}.name`, value: p.name, detail: m });
        if (names.has(p.name))
          errs.push({ type: 'FieldValueDuplicate', field: `${path}.name`, value: p.name });
        names.add(p.name);
      }
      if (!inPortRange(p.port))
        errs.push({
          type: 'FieldValueInvalid',
          field: `${path}.port`,
          value: p.port ?? 0,
          detail: 'must be between 1 and 65535, inclusive',
        });
      if (typeof p.targetPort === 'number' && !inPortRange(p.targetPort))
        errs.push({
          type: 'FieldValueInvalid',
          field: `${path}.targetPort`,
          value: p.targetPort,
          detail: 'must be between 1 and 65535, inclusive',
        });
      if (p.nodePort !== undefined && spec.type !== 'NodePort' && spec.type !== 'LoadBalancer')
        errs.push({
          type: 'FieldValueForbidden',
          field: `${path}.nodePort`,
          detail: "may not be used when `type` is 'ClusterIP'",
        });
    });
    if (
      old &&
      old.spec?.clusterIP &&
      old.spec.clusterIP !== 'None' &&
      spec.type !== 'ExternalName' &&
      spec.clusterIP !== old.spec.clusterIP
    )
      errs.push({
        type: 'FieldValueInvalid',
        field: 'spec.clusterIPs[0]',
        value: [spec.clusterIP ?? ''],
        detail: 'may not change once set',
      });
    return errs;
  },
  prepareCreate: (o, ctx) => allocateServiceAddresses(o, undefined, ctx),
  prepareUpdate: (o, old, ctx) => {
    if (o.spec && old.spec?.clusterIP && o.spec.clusterIP === undefined && o.spec.type !== 'ExternalName') {
      o.spec.clusterIP = old.spec.clusterIP;
      o.spec.clusterIPs = old.spec.clusterIPs;
    }
    for (const p of o.spec?.ports ?? []) {
      const prev = (old.spec?.ports ?? []).find(
        (q: any) => q.port === p.port && (q.protocol ?? 'TCP') === (p.protocol ?? 'TCP'),
      );
      if (
        p.nodePort === undefined &&
        prev?.nodePort !== undefined &&
        (o.spec.type === 'NodePort' || o.spec.type === 'LoadBalancer')
      )
        p.nodePort = prev.nodePort;
    }
    allocateServiceAddresses(o, old, ctx);
    if (o.status === undefined) o.status = old.status;
  },
  afterDelete: (o, ctx) => {
    if (o.spec?.clusterIP && o.spec.clusterIP !== 'None') ctx.releaseClusterIP(o.spec.clusterIP);
    for (const p of o.spec?.ports ?? []) if (p.nodePort) ctx.releaseNodePort(p.nodePort);
  },
};

function allocateServiceAddresses(o: any, old: any, ctx: StrategyContext): void {
  const spec = o.spec;
  if (spec.type === 'ExternalName') return;
  if (!spec.clusterIP && !old?.spec?.clusterIP) spec.clusterIP = ctx.allocateClusterIP('IPv4');
  else if (spec.clusterIP && spec.clusterIP !== 'None' && spec.clusterIP !== old?.spec?.clusterIP)
    spec.clusterIP = ctx.allocateClusterIP('IPv4', spec.clusterIP);
  spec.clusterIPs = [spec.clusterIP];
  spec.ipFamilies ??= ['IPv4'];
  spec.ipFamilyPolicy ??= 'SingleStack';
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') {
    for (const p of spec.ports ?? []) {
      const held = (old?.spec?.ports ?? []).some((q: any) => q.nodePort === p.nodePort);
      if (!p.nodePort) p.nodePort = ctx.allocateNodePort();
      else if (!held) p.nodePort = ctx.allocateNodePort(p.nodePort);
    }
  }
}

const dataKeys = (o: KubeObject, field: 'data' | 'binaryData' | 'stringData'): FieldError[] =>
  Object.keys(o[field] ?? {}).flatMap((k) =>
    configMapKey(k).map((detail) => ({
      type: 'FieldValueInvalid' as const,
      field: `${field}[${k}]`,
      value: k,
      detail,
    })),
  );

const configMapStrategy: Strategy = {
  validate: (o, old) => {
    const errs = [...dataKeys(o, 'data'), ...dataKeys(o, 'binaryData')];
    for (const k of Object.keys(o.data ?? {}))
      if (o.binaryData && k in o.binaryData)
        errs.push({
          type: 'FieldValueInvalid',
          field: 'data',
          value: k,
          detail: 'duplicate of key present in binaryData',
        });
    const size = JSON.stringify(o.data ?? {}).length + JSON.stringify(o.binaryData ?? {}).length;
    if (size > 1024 * 1024)
      errs.push({ type: 'FieldValueTooLong', field: '[]', detail: 'must have at most 1048576 bytes' });
    if (
      old?.immutable &&
      JSON.stringify([o.data, o.binaryData]) !== JSON.stringify([old.data, old.binaryData])
    )
      errs.push({
        type: 'FieldValueForbidden',
        field: 'data',
        detail: 'field is immutable when `immutable` is set',
      });
    return errs;
  },
};

const secretStrategy: Strategy = {
  defaults: (o) => {
    d.defaultSecret(o);
    // stringData is write-only: it is folded into data, as the API server does.
    if (o.stringData) {
      o.data = { ...(o.data ?? {}) };
      for (const [k, v] of Object.entries(o.stringData))
        o.data[k] = Buffer.from(String(v)).toString('base64');
      delete o.stringData;
    }
  },
  validate: (o, old) => {
    const errs = dataKeys(o, 'data');
    for (const [k, v] of Object.entries(o.data ?? {}))
      if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v))
        errs.push({
          type: 'FieldValueInvalid',
          field: `data[${k}]`,
          value: '<secret contents redacted>',
          detail: 'illegal base64 data',
        });
    if (old && old.type !== o.type)
      errs.push({ type: 'FieldValueInvalid', field: 'type', value: o.type, detail: 'field is immutable' });
    if (o.type === 'kubernetes.io/tls') {
      for (const k of ['tls.crt', 'tls.key'])
        if (!(o.data ?? {})[k]) errs.push({ type: 'FieldValueRequired', field: `data[${k}]` });
    }
    if (
      o.type === 'kubernetes.io/service-account-token' &&
      !o.metadata.annotations?.['kubernetes.io/service-account.name']
    )
      errs.push({
        type: 'FieldValueRequired',
        field: 'metadata.annotations[kubernetes.io/service-account.name]',
      });
    return errs;
  },
};

const namespaceStrategy: Strategy = {
  defaults: d.defaultNamespace,
  prepareUpdate: (o, old) => {
    // Phase and spec.finalizers belong to the server (status subresource and /finalize).
    o.spec = old.spec;
    o.status = old.status;
  },
};

const webhookStrategy: Strategy = {
  defaults: d.defaultWebhooks,
  validate: (o) => {
    const errs: FieldError[] = [];
    const names = new Set<string>();
    (o.webhooks ?? []).forEach((w: any, i: number) => {
      const p = `webhooks[${i}]`;
      if (!w.name) errs.push({ type: 'FieldValueRequired', field: `${p}.name` });
      else if (w.name.split('.').length < 3)
        errs.push({
          type: 'FieldValueInvalid',
          field: `${p}.name`,
          value: w.name,
          detail: 'should be a domain with at least three segments separated by dots',
        });
      if (w.name && names.has(w.name))
        errs.push({ type: 'FieldValueDuplicate', field: `${p}.name`, value: w.name });
      names.add(w.name);
      if (!w.sideEffects)
        errs.push({
          type: 'FieldValueRequired',
          field: `${p}.sideEffects`,
          detail: 'must specify one of None, NoneOnDryRun',
        });
      else if (!['None', 'NoneOnDryRun'].includes(w.sideEffects))
        errs.push({
          type: 'FieldValueNotSupported',
          field: `${p}.sideEffects`,
          value: w.sideEffects,
          detail: supported(['None', 'NoneOnDryRun']),
        });
      if (!w.admissionReviewVersions?.length)
        errs.push({
          type: 'FieldValueRequired',
          field: `${p}.admissionReviewVersions`,
          detail: 'must specify one of v1, v1beta1',
        });
      const cc = w.clientConfig ?? {};
      if (!cc.url && !cc.service)
        errs.push({
          type: 'FieldValueRequired',
          field: `${p}.clientConfig`,
          detail: 'exactly one of url or service is required',
        });
      if (cc.url && cc.service)
        errs.push({
          type: 'FieldValueRequired',
          field: `${p}.clientConfig`,
          detail: 'exactly one of url or service is required',
        });
      if (cc.url && !String(cc.url).startsWith('https://'))
        errs.push({
          type: 'FieldValueInvalid',
          field: `${p}.clientConfig.url`,
          value: cc.url,
          detail: "'https' is the only allowed URL scheme",
        });
      if (w.timeoutSeconds !== undefined && (w.timeoutSeconds < 1 || w.timeoutSeconds > 30))
        errs.push({
          type: 'FieldValueInvalid',
          field: `${p}.timeoutSeconds`,
          value: w.timeoutSeconds,
          detail: 'the timeout value must be between 1 and 30 seconds',
        });
      if (w.failurePolicy && !['Ignore', 'Fail'].includes(w.failurePolicy))
        errs.push({
          type: 'FieldValueNotSupported',
          field: `${p}.failurePolicy`,
          value: w.failurePolicy,
          detail: supported(['Fail', 'Ignore']),
        });
    });
    return errs;
  },
};

const hpaStrategy: Strategy = {
  defaults: d.defaultHpa,
  validate: (o) => {
    const errs: FieldError[] = [];
    const s = o.spec ?? {};
    if (!s.scaleTargetRef?.kind) errs.push({ type: 'FieldValueRequired', field: 'spec.scaleTargetRef.kind' });
    if (!s.scaleTargetRef?.name) errs.push({ type: 'FieldValueRequired', field: 'spec.scaleTargetRef.name' });
    if (!s.maxReplicas || s.maxReplicas < 1)
      errs.push({
        type: 'FieldValueInvalid',
        field: 'spec.maxReplicas',
        value: s.maxReplicas ?? 0,
        detail: 'must be greater than 0',
      });
    if (s.minReplicas !== undefined && s.minReplicas > s.maxReplicas)
      errs.push({
        type: 'FieldValueInvalid',
        field: 'spec.maxReplicas',
        value: s.maxReplicas,
        detail: 'must be greater than or equal to `minReplicas`',
      });
    return errs;
  },
};

const pdbStrategy: Strategy = {
  validate: (o) => {
    const s = o.spec ?? {};
    if (s.minAvailable !== undefined && s.maxUnavailable !== undefined)
      return [
        {
          type: 'FieldValueInvalid',
          field: 'spec',
          valueText: 'policy.PodDisruptionBudgetSpec{...}',
          detail: 'minAvailable and maxUnavailable cannot be both set',
        },
      ];
    return [];
  },
};

export const builtinKinds: BuiltinKind[] = [
  // core/v1
  {
    group: '',
    version: 'v1',
    kind: 'Namespace',
    plural: 'namespaces',
    model: 'V1Namespace',
    namespaced: false,
    shortNames: ['ns'],
    status: true,
    nameRule: 'label',
    strategy: namespaceStrategy,
    extraSubresources: [{ name: 'finalize', verbs: ['update'] }],
  },
  {
    group: '',
    version: 'v1',
    kind: 'Pod',
    plural: 'pods',
    model: 'V1Pod',
    namespaced: true,
    shortNames: ['po'],
    categories: ['all'],
    status: true,
    strategy: podStrategy,
    extraSubresources: [
      { name: 'binding', verbs: ['create'], kind: { group: '', version: 'v1', kind: 'Binding' } },
      { name: 'eviction', verbs: ['create'], kind: { group: 'policy', version: 'v1', kind: 'Eviction' } },
      { name: 'log', verbs: ['get'] },
      { name: 'exec', verbs: ['create', 'get'] },
      { name: 'attach', verbs: ['create', 'get'] },
      { name: 'portforward', verbs: ['create', 'get'] },
      { name: 'ephemeralcontainers', verbs: ['get', 'patch', 'update'] },
    ],
  },
  {
    group: '',
    version: 'v1',
    kind: 'Service',
    plural: 'services',
    model: 'V1Service',
    namespaced: true,
    shortNames: ['svc'],
    categories: ['all'],
    status: true,
    nameRule: 'dns1035',
    strategy: serviceStrategy,
    extraSubresources: [{ name: 'proxy', verbs: ['create', 'delete', 'get', 'patch', 'update'] }],
  },
  {
    group: '',
    version: 'v1',
    kind: 'Endpoints',
    plural: 'endpoints',
    model: 'V1Endpoints',
    namespaced: true,
    shortNames: ['ep'],
  },
  {
    group: '',
    version: 'v1',
    kind: 'ConfigMap',
    plural: 'configmaps',
    model: 'V1ConfigMap',
    namespaced: true,
    shortNames: ['cm'],
    strategy: configMapStrategy,
  },
  {
    group: '',
    version: 'v1',
    kind: 'Secret',
    plural: 'secrets',
    model: 'V1Secret',
    namespaced: true,
    strategy: secretStrategy,
  },
  {
    group: '',
    version: 'v1',
    kind: 'ServiceAccount',
    plural: 'serviceaccounts',
    model: 'V1ServiceAccount',
    namespaced: true,
    shortNames: ['sa'],
    extraSubresources: [
      {
        name: 'token',
        verbs: ['create'],
        kind: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' },
      },
    ],
  },
  {
    group: '',
    version: 'v1',
    kind: 'Event',
    plural: 'events',
    model: 'CoreV1Event',
    namespaced: true,
    shortNames: ['ev'],
    nameRule: 'subdomain',
  },
  {
    group: '',
    version: 'v1',
    kind: 'Node',
    plural: 'nodes',
    model: 'V1Node',
    namespaced: false,
    shortNames: ['no'],
    status: true,
    extraSubresources: [{ name: 'proxy', verbs: ['create', 'delete', 'get', 'patch', 'update'] }],
  },
  {
    group: '',
    version: 'v1',
    kind: 'ResourceQuota',
    plural: 'resourcequotas',
    model: 'V1ResourceQuota',
    namespaced: true,
    shortNames: ['quota'],
    status: true,
  },
  {
    group: '',
    version: 'v1',
    kind: 'LimitRange',
    plural: 'limitranges',
    model: 'V1LimitRange',
    namespaced: true,
    shortNames: ['limits'],
  },
  {
    group: '',
    version: 'v1',
    kind: 'PersistentVolumeClaim',
    plural: 'persistentvolumeclaims',
    model: 'V1PersistentVolumeClaim',
    namespaced: true,
    shortNames: ['pvc'],
    status: true,
  },
  // apps/v1
  {
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
    plural: 'deployments',
    model: 'V1Deployment',
    namespaced: true,
    shortNames: ['deploy'],
    categories: ['all'],
    status: true,
    scale: replicasScale,
    generation: 'spec',
    strategy: workload(d.defaultDeployment, true),
  },
  {
    group: 'apps',
    version: 'v1',
    kind: 'ReplicaSet',
    plural: 'replicasets',
    model: 'V1ReplicaSet',
    namespaced: true,
    shortNames: ['rs'],
    categories: ['all'],
    status: true,
    scale: replicasScale,
    generation: 'spec',
    strategy: workload(d.defaultReplicaSet, true),
  },
  {
    group: 'apps',
    version: 'v1',
    kind: 'DaemonSet',
    plural: 'daemonsets',
    model: 'V1DaemonSet',
    namespaced: true,
    shortNames: ['ds'],
    categories: ['all'],
    status: true,
    generation: 'spec',
    strategy: workload(d.defaultDaemonSet, false),
  },
  {
    group: 'apps',
    version: 'v1',
    kind: 'StatefulSet',
    plural: 'statefulsets',
    model: 'V1StatefulSet',
    namespaced: true,
    shortNames: ['sts'],
    categories: ['all'],
    status: true,
    scale: replicasScale,
    generation: 'spec',
    strategy: workload(d.defaultStatefulSet, true),
  },
  {
    group: 'apps',
    version: 'v1',
    kind: 'ControllerRevision',
    plural: 'controllerrevisions',
    model: 'V1ControllerRevision',
    namespaced: true,
  },
  // batch/v1
  {
    group: 'batch',
    version: 'v1',
    kind: 'Job',
    plural: 'jobs',
    model: 'V1Job',
    namespaced: true,
    categories: ['all'],
    status: true,
    generation: 'spec',
    strategy: {
      defaults: d.defaultJob,
      validate: (o) =>
        validatePodSpec(o.spec?.template?.spec, 'spec.template.spec', {
          restartPolicies: ['OnFailure', 'Never'],
        }),
    },
  },
  {
    group: 'batch',
    version: 'v1',
    kind: 'CronJob',
    plural: 'cronjobs',
    model: 'V1CronJob',
    namespaced: true,
    shortNames: ['cj'],
    categories: ['all'],
    status: true,
    generation: 'spec',
  },
  // autoscaling/v2, policy/v1
  {
    group: 'autoscaling',
    version: 'v2',
    kind: 'HorizontalPodAutoscaler',
    plural: 'horizontalpodautoscalers',
    model: 'V2HorizontalPodAutoscaler',
    namespaced: true,
    shortNames: ['hpa'],
    categories: ['all'],
    status: true,
    strategy: hpaStrategy,
  },
  {
    group: 'policy',
    version: 'v1',
    kind: 'PodDisruptionBudget',
    plural: 'poddisruptionbudgets',
    model: 'V1PodDisruptionBudget',
    namespaced: true,
    shortNames: ['pdb'],
    status: true,
    generation: 'spec',
    strategy: pdbStrategy,
  },
  // coordination, discovery, scheduling
  {
    group: 'coordination.k8s.io',
    version: 'v1',
    kind: 'Lease',
    plural: 'leases',
    model: 'V1Lease',
    namespaced: true,
  },
  {
    group: 'discovery.k8s.io',
    version: 'v1',
    kind: 'EndpointSlice',
    plural: 'endpointslices',
    model: 'V1EndpointSlice',
    namespaced: true,
  },
  {
    group: 'scheduling.k8s.io',
    version: 'v1',
    kind: 'PriorityClass',
    plural: 'priorityclasses',
    model: 'V1PriorityClass',
    namespaced: false,
    shortNames: ['pc'],
  },
  {
    group: 'networking.k8s.io',
    version: 'v1',
    kind: 'NetworkPolicy',
    plural: 'networkpolicies',
    model: 'V1NetworkPolicy',
    namespaced: true,
    shortNames: ['netpol'],
    generation: 'spec',
  },
  {
    group: 'networking.k8s.io',
    version: 'v1',
    kind: 'Ingress',
    plural: 'ingresses',
    model: 'V1Ingress',
    namespaced: true,
    shortNames: ['ing'],
    status: true,
    generation: 'spec',
  },
  {
    group: 'networking.k8s.io',
    version: 'v1',
    kind: 'IngressClass',
    plural: 'ingressclasses',
    model: 'V1IngressClass',
    namespaced: false,
  },
  // admission, CRDs
  {
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    kind: 'MutatingWebhookConfiguration',
    plural: 'mutatingwebhookconfigurations',
    model: 'V1MutatingWebhookConfiguration',
    namespaced: false,
    categories: ['api-extensions'],
    generation: 'non-metadata',
    strategy: webhookStrategy,
  },
  {
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    kind: 'ValidatingWebhookConfiguration',
    plural: 'validatingwebhookconfigurations',
    model: 'V1ValidatingWebhookConfiguration',
    namespaced: false,
    categories: ['api-extensions'],
    generation: 'non-metadata',
    strategy: webhookStrategy,
  },
  {
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    kind: 'ValidatingAdmissionPolicy',
    plural: 'validatingadmissionpolicies',
    model: 'V1ValidatingAdmissionPolicy',
    namespaced: false,
    categories: ['api-extensions'],
    status: true,
    generation: 'spec',
  },
  {
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    plural: 'validatingadmissionpolicybindings',
    model: 'V1ValidatingAdmissionPolicyBinding',
    namespaced: false,
    categories: ['api-extensions'],
    generation: 'spec',
  },
  {
    group: 'apiextensions.k8s.io',
    version: 'v1',
    kind: 'CustomResourceDefinition',
    plural: 'customresourcedefinitions',
    model: 'V1CustomResourceDefinition',
    namespaced: false,
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
    status: true,
    generation: 'spec',
    strategy: crdStrategy,
  },
  // rbac (stored; enforcement comes later)
  {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    kind: 'Role',
    plural: 'roles',
    model: 'V1Role',
    namespaced: true,
    nameRule: 'path-segment',
  },
  {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    kind: 'ClusterRole',
    plural: 'clusterroles',
    model: 'V1ClusterRole',
    namespaced: false,
    nameRule: 'path-segment',
  },
  {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    kind: 'RoleBinding',
    plural: 'rolebindings',
    model: 'V1RoleBinding',
    namespaced: true,
    nameRule: 'path-segment',
  },
  {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    kind: 'ClusterRoleBinding',
    plural: 'clusterrolebindings',
    model: 'V1ClusterRoleBinding',
    namespaced: false,
    nameRule: 'path-segment',
  },
  // review kinds: create only, never stored
  {
    group: 'authentication.k8s.io',
    version: 'v1',
    kind: 'TokenReview',
    plural: 'tokenreviews',
    model: 'V1TokenReview',
    namespaced: false,
    verbs: CREATE_ONLY,
  },
  {
    group: 'authentication.k8s.io',
    version: 'v1',
    kind: 'SelfSubjectReview',
    plural: 'selfsubjectreviews',
    model: 'V1SelfSubjectReview',
    namespaced: false,
    verbs: CREATE_ONLY,
  },
  {
    group: 'authorization.k8s.io',
    version: 'v1',
    kind: 'SelfSubjectAccessReview',
    plural: 'selfsubjectaccessreviews',
    model: 'V1SelfSubjectAccessReview',
    namespaced: false,
    verbs: CREATE_ONLY,
  },
  {
    group: 'authorization.k8s.io',
    version: 'v1',
    kind: 'SubjectAccessReview',
    plural: 'subjectaccessreviews',
    model: 'V1SubjectAccessReview',
    namespaced: false,
    verbs: CREATE_ONLY,
  },
  {
    group: 'authorization.k8s.io',
    version: 'v1',
    kind: 'SelfSubjectRulesReview',
    plural: 'selfsubjectrulesreviews',
    model: 'V1SelfSubjectRulesReview',
    namespaced: false,
    verbs: CREATE_ONLY,
  },
  {
    group: 'authorization.k8s.io',
    version: 'v1',
    kind: 'LocalSubjectAccessReview',
    plural: 'localsubjectaccessreviews',
    model: 'V1LocalSubjectAccessReview',
    namespaced: true,
    verbs: CREATE_ONLY,
  },
  {
    group: '',
    version: 'v1',
    kind: 'Binding',
    plural: 'bindings',
    model: 'V1Binding',
    namespaced: true,
    verbs: CREATE_ONLY,
  },
  // Stored so manifests and tools that use them work; nothing in the embedded cluster acts on them.
  {
    group: '',
    version: 'v1',
    kind: 'PodTemplate',
    plural: 'podtemplates',
    model: 'V1PodTemplate',
    namespaced: true,
  },
  {
    group: '',
    version: 'v1',
    kind: 'ReplicationController',
    plural: 'replicationcontrollers',
    model: 'V1ReplicationController',
    namespaced: true,
    shortNames: ['rc'],
    categories: ['all'],
    status: true,
    scale: replicasScale,
    generation: 'spec',
  },
  {
    group: '',
    version: 'v1',
    kind: 'PersistentVolume',
    plural: 'persistentvolumes',
    model: 'V1PersistentVolume',
    namespaced: false,
    shortNames: ['pv'],
    status: true,
  },
  {
    group: '',
    version: 'v1',
    kind: 'ComponentStatus',
    plural: 'componentstatuses',
    model: 'V1ComponentStatus',
    namespaced: false,
    shortNames: ['cs'],
    verbs: ['get', 'list'],
  },
  {
    group: 'events.k8s.io',
    version: 'v1',
    kind: 'Event',
    plural: 'events',
    model: 'EventsV1Event',
    namespaced: true,
    shortNames: ['ev'],
  },
  {
    group: 'storage.k8s.io',
    version: 'v1',
    kind: 'StorageClass',
    plural: 'storageclasses',
    model: 'V1StorageClass',
    namespaced: false,
    shortNames: ['sc'],
  },
  {
    group: 'storage.k8s.io',
    version: 'v1',
    kind: 'CSIDriver',
    plural: 'csidrivers',
    model: 'V1CSIDriver',
    namespaced: false,
  },
  {
    group: 'storage.k8s.io',
    version: 'v1',
    kind: 'CSINode',
    plural: 'csinodes',
    model: 'V1CSINode',
    namespaced: false,
  },
  {
    group: 'storage.k8s.io',
    version: 'v1',
    kind: 'CSIStorageCapacity',
    plural: 'csistoragecapacities',
    model: 'V1CSIStorageCapacity',
    namespaced: true,
  },
  {
    group: 'storage.k8s.io',
    version: 'v1',
    kind: 'VolumeAttachment',
    plural: 'volumeattachments',
    model: 'V1VolumeAttachment',
    namespaced: false,
    status: true,
  },
  {
    group: 'node.k8s.io',
    version: 'v1',
    kind: 'RuntimeClass',
    plural: 'runtimeclasses',
    model: 'V1RuntimeClass',
    namespaced: false,
  },
  {
    group: 'certificates.k8s.io',
    version: 'v1',
    kind: 'CertificateSigningRequest',
    plural: 'certificatesigningrequests',
    model: 'V1CertificateSigningRequest',
    namespaced: false,
    shortNames: ['csr'],
    status: true,
  },
  {
    group: 'apiregistration.k8s.io',
    version: 'v1',
    kind: 'APIService',
    plural: 'apiservices',
    model: 'V1APIService',
    namespaced: false,
    categories: ['api-extensions'],
    status: true,
  },
  {
    group: 'flowcontrol.apiserver.k8s.io',
    version: 'v1',
    kind: 'FlowSchema',
    plural: 'flowschemas',
    model: 'V1FlowSchema',
    namespaced: false,
    status: true,
  },
  {
    group: 'flowcontrol.apiserver.k8s.io',
    version: 'v1',
    kind: 'PriorityLevelConfiguration',
    plural: 'prioritylevelconfigurations',
    model: 'V1PriorityLevelConfiguration',
    namespaced: false,
    status: true,
  },
];

/** Kinds whose objects are not stored: a create computes an answer (TokenReview, access reviews). */
export const virtualKinds = new Set([
  'TokenReview',
  'SelfSubjectReview',
  'SelfSubjectAccessReview',
  'SubjectAccessReview',
  'SelfSubjectRulesReview',
  'LocalSubjectAccessReview',
  'Binding',
]);

export const defaultVerbs = ALL;
export { autoscalingScale };

/** Metadata validation plus the kind's own rules. */
export function validateBuiltin(k: BuiltinKind, obj: KubeObject, old: KubeObject | undefined): FieldError[] {
  return [
    ...validateObjectMeta(obj, { namespaced: k.namespaced, nameRule: k.nameRule ?? 'subdomain' }),
    ...(k.strategy?.validate?.(obj, old) ?? []),
  ];
}

export { checkName };
