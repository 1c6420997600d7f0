// Values every template needs, resolved once per pod from the injection context and the pod's annotations
// (annotations win over mesh and Helm values, as upstream's `annotation` template helper does).

import { parse as parseYaml } from 'yaml';
import type { InjectionContext, Pod, ProxyConfig, ResourceRequirements } from './types.js';

export interface Workload {
  name: string;
  kind: string;
  apiVersion: string;
}

export interface InjectParams {
  revision: string;
  namespace: string;
  annotations: Record<string, string>;
  labels: Record<string, string>;
  proxyConfig: ProxyConfig;
  interceptionMode: string;
  statusPort: number;
  proxyImage: string;
  initImage: string;
  imagePullPolicy: string;
  resources: ResourceRequirements;
  clusterDomain: string;
  clusterId: string;
  network: string;
  trustDomain: string;
  meshId: string;
  caAddress: string;
  pilotCertProvider: string;
  cni: boolean;
  cniChained: boolean;
  holdApplication: boolean;
  workload: Workload;
}

const DEFAULT_RESOURCES: ResourceRequirements = {
  requests: { cpu: '100m', memory: '128Mi' },
  limits: { cpu: '2000m', memory: '1024Mi' },
};

export function revisionName(rev: string | undefined): string {
  return rev && rev !== 'default' ? rev : 'default';
}

function image(name: string, hub: string, tag: string): string {
  return name.includes('/') ? name : `${hub}/${name}:${tag}`;
}

/** Upstream's DeploymentMeta: the pod's controlling workload, a ReplicaSet seen through to its Deployment. */
export function workloadOf(pod: Pod): Workload {
  const meta = pod.metadata ?? {};
  const owners = meta.ownerReferences ?? [];
  const owner = owners.find((o) => o.controller) ?? owners[0];
  if (!owner) {
    const name = meta.name || (meta.generateName ?? '').replace(/-$/, '') || 'istio-proxy';
    return { name, kind: 'Pod', apiVersion: 'v1' };
  }
  const hash = meta.labels?.['pod-template-hash'];
  if (owner.kind === 'ReplicaSet' && hash && owner.name.endsWith(`-${hash}`))
    return { name: owner.name.slice(0, -hash.length - 1), kind: 'Deployment', apiVersion: 'apps/v1' };
  return { name: owner.name, kind: owner.kind, apiVersion: owner.apiVersion };
}

/** Mesh defaultConfig overlaid by the `proxy.istio.io/config` annotation (YAML or JSON). */
export function effectiveProxyConfig(
  ctx: InjectionContext,
  annotations: Record<string, string>,
): ProxyConfig {
  const base: ProxyConfig = structuredClone(ctx.mesh.defaultConfig ?? {});
  const raw = annotations['proxy.istio.io/config'];
  if (raw) {
    let overlay: unknown;
    try {
      overlay = parseYaml(raw);
    } catch (e) {
      throw new Error(`invalid proxy.istio.io/config annotation: ${(e as Error).message}`);
    }
    if (overlay && typeof overlay === 'object' && !Array.isArray(overlay)) {
      for (const [k, v] of Object.entries(overlay)) {
        const cur = base[k];
        base[k] =
          cur &&
          typeof cur === 'object' &&
          !Array.isArray(cur) &&
          v &&
          typeof v === 'object' &&
          !Array.isArray(v)
            ? { ...cur, ...v }
            : v;
      }
    } else if (overlay !== null && overlay !== undefined) {
      throw new Error('invalid proxy.istio.io/config annotation: not a mapping');
    }
  }
  if (!base.discoveryAddress) base.discoveryAddress = defaultIstiodAddress(ctx);
  return base;
}

export function defaultIstiodAddress(ctx: InjectionContext): string {
  if (ctx.istiodAddress) return ctx.istiodAddress;
  const rev = revisionName(ctx.revision);
  const ns = ctx.values.global?.istioNamespace ?? 'istio-system';
  return `istiod${rev === 'default' ? '' : `-${rev}`}.${ns}.svc:15012`;
}

function resourcesFor(
  annotations: Record<string, string>,
  fallback: ResourceRequirements,
): ResourceRequirements {
  const cpu = annotations['sidecar.istio.io/proxyCPU'];
  const mem = annotations['sidecar.istio.io/proxyMemory'];
  const cpuLimit = annotations['sidecar.istio.io/proxyCPULimit'];
  const memLimit = annotations['sidecar.istio.io/proxyMemoryLimit'];
  if (cpu === undefined && mem === undefined && cpuLimit === undefined && memLimit === undefined)
    return structuredClone(fallback);
  const out: ResourceRequirements = {};
  if (cpu !== undefined || mem !== undefined)
    out.requests = { ...(cpu !== undefined ? { cpu } : {}), ...(mem !== undefined ? { memory: mem } : {}) };
  if (cpuLimit !== undefined || memLimit !== undefined)
    out.limits = {
      ...(cpuLimit !== undefined ? { cpu: cpuLimit } : {}),
      ...(memLimit !== undefined ? { memory: memLimit } : {}),
    };
  return out;
}

export function resolveParams(pod: Pod, ctx: InjectionContext): InjectParams {
  const meta = pod.metadata ?? {};
  const annotations = meta.annotations ?? {};
  const labels = meta.labels ?? {};
  const g = ctx.values.global ?? {};
  const proxy = g.proxy ?? {};
  const namespace = meta.namespace || ctx.namespace?.metadata?.name || 'default';
  const proxyConfig = effectiveProxyConfig(ctx, annotations);
  const interceptionMode =
    annotations['sidecar.istio.io/interceptionMode'] ??
    (proxyConfig.interceptionMode as string) ??
    'REDIRECT';
  const statusPort = Number(
    annotations['status.sidecar.istio.io/port'] ?? proxyConfig.statusPort ?? proxy.statusPort ?? 15020,
  );
  const hub = g.hub ?? 'docker.io/istio';
  const tag = g.tag ?? 'latest';
  const trustDomain = ctx.mesh.trustDomain || g.trustDomain || 'cluster.local';
  const rev = revisionName(ctx.revision);
  return {
    revision: rev,
    namespace,
    annotations,
    labels,
    proxyConfig,
    interceptionMode,
    statusPort,
    proxyImage: annotations['sidecar.istio.io/proxyImage'] ?? image(proxy.image ?? 'proxyv2', hub, tag),
    initImage: image(g.proxy_init?.image ?? 'proxyv2', hub, tag),
    imagePullPolicy: g.imagePullPolicy || 'Always',
    resources: resourcesFor(annotations, proxy.resources ?? DEFAULT_RESOURCES),
    clusterDomain: proxy.clusterDomain ?? 'cluster.local',
    clusterId: ctx.clusterId || g.multiCluster?.clusterName || 'Kubernetes',
    network: ctx.network ?? g.network ?? '',
    trustDomain,
    meshId: g.meshID || trustDomain,
    caAddress: g.caAddress || defaultIstiodAddress(ctx),
    pilotCertProvider: g.pilotCertProvider ?? 'istiod',
    cni: Boolean(ctx.values.istio_cni?.enabled ?? ctx.values.pilot?.cni?.enabled),
    cniChained: ctx.values.istio_cni?.chained ?? true,
    holdApplication: Boolean(
      proxyConfig.holdApplicationUntilProxyStarts ?? proxy.holdApplicationUntilProxyStarts,
    ),
    workload: workloadOf(pod),
  };
}
