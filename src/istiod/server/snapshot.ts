// Kubernetes objects (as the API returns them) to the xDS MeshSnapshot. Pure: no I/O, no clock.
import type { DestinationRule, MeshConfig, MeshEndpoint, MeshService, MeshSnapshot } from '../xds/index.js';

/** A Kubernetes object as JSON; only the fields read here are typed. */
export type KubeObject = Record<string, any>;

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

function toService(svc: KubeObject): MeshService | undefined {
  const md = svc.metadata ?? {};
  if (!md.name || !md.namespace) return undefined;
  // ExternalName services have no endpoints of their own; the registry leaves them out for now.
  if (svc.spec?.type === 'ExternalName') return undefined;
  const out: MeshService = {
    name: md.name,
    namespace: md.namespace,
    ports: (svc.spec?.ports ?? []).map((p: KubeObject) => {
      const port: MeshService['ports'][number] = { port: p.port };
      if (p.name) port.name = p.name;
      if (p.targetPort !== undefined) port.targetPort = p.targetPort;
      if (p.protocol) port.protocol = p.protocol;
      if (p.appProtocol) port.appProtocol = p.appProtocol;
      return port;
    }),
  };
  if (svc.spec?.clusterIP) out.clusterIP = svc.spec.clusterIP;
  if (md.labels && Object.keys(md.labels).length) out.labels = md.labels;
  return out;
}

function podKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

function toEndpoints(slice: KubeObject, pods: Map<string, KubeObject>): MeshEndpoint[] {
  const md = slice.metadata ?? {};
  const service = md.labels?.[SERVICE_NAME_LABEL];
  if (!service || !md.namespace) return [];
  if (slice.addressType && slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6') return [];
  const ports = (slice.ports ?? [])
    .filter((p: KubeObject) => typeof p.port === 'number')
    .map((p: KubeObject) => (p.name ? { name: p.name as string, port: p.port as number } : { port: p.port }));
  const out: MeshEndpoint[] = [];
  for (const ep of slice.endpoints ?? []) {
    const ref = ep.targetRef;
    const pod = ref?.kind === 'Pod' ? pods.get(podKey(ref.namespace ?? md.namespace, ref.name)) : undefined;
    for (const ip of ep.addresses ?? []) {
      const e: MeshEndpoint = {
        service,
        namespace: md.namespace,
        ip,
        ports,
        // EndpointSlice semantics: an absent ready condition means ready.
        ready: ep.conditions?.ready !== false,
      };
      if (pod?.metadata?.labels) e.labels = pod.metadata.labels;
      const sa = pod?.spec?.serviceAccountName ?? pod?.spec?.serviceAccount;
      if (sa) e.serviceAccount = sa;
      if (ref?.kind === 'Pod' && ref.name) e.podName = ref.name;
      const node = ep.nodeName ?? pod?.spec?.nodeName;
      if (node) e.nodeName = node;
      if (ep.zone) e.locality = { zone: ep.zone };
      out.push(e);
    }
  }
  return out;
}

function toDestinationRule(dr: KubeObject): DestinationRule | undefined {
  const md = dr.metadata ?? {};
  const host = dr.spec?.host;
  if (!md.name || !md.namespace || typeof host !== 'string') return undefined;
  const out: DestinationRule = { name: md.name, namespace: md.namespace, host };
  if (Array.isArray(dr.spec.subsets))
    out.subsets = dr.spec.subsets
      .filter((s: KubeObject) => typeof s?.name === 'string')
      .map((s: KubeObject) => (s.labels ? { name: s.name, labels: s.labels } : { name: s.name }));
  const simple = dr.spec.trafficPolicy?.loadBalancer?.simple;
  if (simple) out.trafficPolicy = { loadBalancer: { simple } };
  return out;
}

const byNsName = (a: { namespace: string; name: string }, b: { namespace: string; name: string }) =>
  a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name);

/**
 * The mesh as xDS sees it. Objects being deleted (deletionTimestamp) still count, as in Kubernetes
 * until they are gone. Output order is stable (sorted) so equal inputs give equal snapshots.
 */
export function buildSnapshot(
  services: KubeObject[],
  slices: KubeObject[],
  pods: KubeObject[],
  namespaces: KubeObject[],
  destinationRules: KubeObject[],
  meshConfig: MeshConfig | undefined,
  clusterId?: string,
): MeshSnapshot {
  const podMap = new Map<string, KubeObject>();
  for (const p of pods)
    if (p.metadata?.name && p.metadata?.namespace)
      podMap.set(podKey(p.metadata.namespace, p.metadata.name), p);
  const svc = services.map(toService).filter((s): s is MeshService => !!s);
  svc.sort(byNsName);
  const sortedSlices = [...slices].sort((a, b) =>
    `${a.metadata?.namespace}/${a.metadata?.name}`.localeCompare(
      `${b.metadata?.namespace}/${b.metadata?.name}`,
    ),
  );
  const endpoints = sortedSlices.flatMap((s) => toEndpoints(s, podMap));
  const drs = destinationRules.map(toDestinationRule).filter((d): d is DestinationRule => !!d);
  drs.sort(byNsName);
  const ns = namespaces
    .filter((n) => n.metadata?.name)
    .map((n) =>
      n.metadata.labels
        ? { name: n.metadata.name as string, labels: n.metadata.labels }
        : { name: n.metadata.name },
    )
    .sort((a, b) => a.name.localeCompare(b.name));
  const out: MeshSnapshot = { services: svc, endpoints, destinationRules: drs, namespaces: ns };
  if (meshConfig) out.meshConfig = meshConfig;
  if (clusterId) out.clusterId = clusterId;
  return out;
}
