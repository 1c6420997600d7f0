// Service endpoints, free of I/O: which pods back a Service, their addresses and conditions,
// named targetPort resolution, EndpointSlices (grouped by port set, at most 100 endpoints each)
// and the legacy Endpoints subsets.
import { mapMatches } from './labels.js';
import { isReady, isTerminal, isTerminating } from './pods.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const SLICE_CONTROLLER = 'endpointslice-controller.k8s.io';
export const MAX_ENDPOINTS_PER_SLICE = 100;

export const hasSelector = (svc: any): boolean =>
  svc.spec?.type !== 'ExternalName' && Object.keys(svc.spec?.selector ?? {}).length > 0;

export function selectedPods(svc: any, pods: any[]): any[] {
  return pods.filter(
    (p) =>
      p.metadata.namespace === svc.metadata.namespace && mapMatches(svc.spec.selector, p.metadata.labels),
  );
}

/** ShouldPodBeInEndpoints. */
export function podEligible(p: any, includeTerminating: boolean): boolean {
  if (isTerminal(p)) return false;
  if (!p.status?.podIP && !(p.status?.podIPs ?? []).length) return false;
  if (!includeTerminating && isTerminating(p)) return false;
  return true;
}

/** FindPort: a number is used as is; a name is looked up among the pod's container ports. */
export function findPort(p: any, sp: any): number | undefined {
  const tp = sp.targetPort ?? sp.port;
  if (typeof tp === 'number') return tp;
  if (/^\d+$/.test(String(tp))) return Number(tp);
  const proto = sp.protocol ?? 'TCP';
  for (const c of p.spec?.containers ?? [])
    for (const cp of c.ports ?? [])
      if (cp.name === tp && (cp.protocol ?? 'TCP') === proto) return cp.containerPort;
  return undefined;
}

export interface SlicePort {
  name: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export function podPorts(svc: any, p: any): SlicePort[] {
  const out: SlicePort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const port = findPort(p, sp);
    if (port === undefined) continue;
    out.push({
      name: sp.name ?? '',
      port,
      protocol: sp.protocol ?? 'TCP',
      ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}),
    });
  }
  return out;
}

const podIP = (p: any): string => p.status?.podIP ?? p.status?.podIPs?.[0]?.ip;
const isIPv6 = (ip: string) => ip.includes(':');

function hostnameFor(svc: any, p: any): string | undefined {
  return p.spec?.hostname && p.spec?.subdomain === svc.metadata.name ? p.spec.hostname : undefined;
}

export function sliceEndpoint(svc: any, p: any, nodes: Map<string, any>): any {
  const ready = isReady(p);
  const terminating = isTerminating(p);
  const publish = !!svc.spec?.publishNotReadyAddresses;
  const ep: any = {
    addresses: [podIP(p)],
    conditions: { ready: publish || (ready && !terminating), serving: publish || ready, terminating },
  };
  const host = hostnameFor(svc, p);
  if (host) ep.hostname = host;
  ep.targetRef = { kind: 'Pod', namespace: p.metadata.namespace, name: p.metadata.name, uid: p.metadata.uid };
  if (p.spec?.nodeName) {
    ep.nodeName = p.spec.nodeName;
    const zone = nodes.get(p.spec.nodeName)?.metadata?.labels?.['topology.kubernetes.io/zone'];
    if (zone) ep.zone = zone;
  }
  return ep;
}

export interface DesiredSlice {
  addressType: 'IPv4' | 'IPv6';
  ports: SlicePort[];
  endpoints: any[];
}

const portKey = (ports: SlicePort[]) =>
  JSON.stringify([...ports].sort((a, b) => a.name.localeCompare(b.name)));

/** The slices a Service should have; a placeholder with no endpoints when no pod backs it. */
export function desiredSlices(svc: any, pods: any[], nodes: Map<string, any>): DesiredSlice[] {
  const groups = new Map<string, DesiredSlice>();
  const sorted = selectedPods(svc, pods)
    .filter((p) => podEligible(p, true))
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  for (const p of sorted) {
    const ports = podPorts(svc, p);
    const ip = podIP(p);
    const addressType = isIPv6(ip) ? 'IPv6' : 'IPv4';
    const key = `${addressType}|${portKey(ports)}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { addressType, ports, endpoints: [] }));
    g.endpoints.push(sliceEndpoint(svc, p, nodes));
  }
  const out: DesiredSlice[] = [];
  for (const g of groups.values())
    for (let i = 0; i < g.endpoints.length; i += MAX_ENDPOINTS_PER_SLICE)
      out.push({ ...g, endpoints: g.endpoints.slice(i, i + MAX_ENDPOINTS_PER_SLICE) });
  if (out.length === 0) out.push({ addressType: 'IPv4', ports: [], endpoints: [] });
  return out;
}

export function sliceLabels(svc: any): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries<string>(svc.metadata.labels ?? {}))
    if (k !== MANAGED_BY_LABEL && k !== SERVICE_NAME_LABEL) labels[k] = v;
  labels[SERVICE_NAME_LABEL] = svc.metadata.name;
  labels[MANAGED_BY_LABEL] = SLICE_CONTROLLER;
  if (svc.spec?.clusterIP === 'None') labels['service.kubernetes.io/headless'] = '';
  return labels;
}

export interface SliceChanges {
  create: DesiredSlice[];
  update: { slice: any; desired: DesiredSlice }[];
  delete: any[];
}

const sliceBody = (s: any) => JSON.stringify([s.addressType, s.ports ?? [], s.endpoints ?? []]);

/** Reuses existing slices of the same address type and port set, in name order; the rest change. */
export function reconcileSlices(svc: any, existing: any[], desired: DesiredSlice[]): SliceChanges {
  const changes: SliceChanges = { create: [], update: [], delete: [] };
  const pool = [...existing].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const labels = sliceLabels(svc);
  const leftovers: DesiredSlice[] = [];
  for (const d of desired) {
    const key = `${d.addressType}|${portKey(d.ports)}`;
    const i = pool.findIndex((s) => `${s.addressType}|${portKey(s.ports ?? [])}` === key);
    if (i < 0) {
      leftovers.push(d);
      continue;
    }
    const [s] = pool.splice(i, 1);
    const labelsDiffer = JSON.stringify(s.metadata.labels ?? {}) !== JSON.stringify(labels);
    if (sliceBody(s) !== sliceBody(d) || labelsDiffer) changes.update.push({ slice: s, desired: d });
  }
  for (const d of leftovers) {
    const s = pool.shift();
    if (s) changes.update.push({ slice: s, desired: d });
    else changes.create.push(d);
  }
  changes.delete.push(...pool);
  return changes;
}

export function buildSlice(svc: any, d: DesiredSlice, base?: any): any {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      ...(base
        ? { name: base.metadata.name, resourceVersion: base.metadata.resourceVersion }
        : { generateName: `${svc.metadata.name}-` }),
      namespace: svc.metadata.namespace,
      labels: sliceLabels(svc),
      ...(base?.metadata.annotations ? { annotations: base.metadata.annotations } : {}),
      ownerReferences: [
        {
          apiVersion: 'v1',
          kind: 'Service',
          name: svc.metadata.name,
          uid: svc.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    addressType: d.addressType,
    endpoints: d.endpoints,
    ports: d.ports.length ? d.ports : null,
  };
}

/** The legacy Endpoints subsets: addresses grouped by identical port sets, sorted like RepackSubsets. */
export function endpointSubsets(svc: any, pods: any[]): any[] {
  const publish = !!svc.spec?.publishNotReadyAddresses;
  const groups = new Map<string, { ports: any[]; addresses: any[]; notReadyAddresses: any[] }>();
  for (const p of selectedPods(svc, pods)) {
    if (!podEligible(p, publish)) continue;
    const addr: any = { ip: podIP(p) };
    const host = hostnameFor(svc, p);
    if (host) addr.hostname = host;
    if (p.spec?.nodeName) addr.nodeName = p.spec.nodeName;
    addr.targetRef = {
      kind: 'Pod',
      namespace: p.metadata.namespace,
      name: p.metadata.name,
      uid: p.metadata.uid,
    };
    const ports = podPorts(svc, p).map((x) => ({
      ...(x.name ? { name: x.name } : {}),
      port: x.port,
      protocol: x.protocol,
      ...(x.appProtocol ? { appProtocol: x.appProtocol } : {}),
    }));
    if ((svc.spec?.ports ?? []).length > 0 && ports.length === 0) continue;
    const key = JSON.stringify(ports);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports, addresses: [], notReadyAddresses: [] }));
    if (publish || (isReady(p) && !isTerminating(p))) g.addresses.push(addr);
    else g.notReadyAddresses.push(addr);
  }
  const byIp = (a: any, b: any) => ipCompare(a.ip, b.ip) || a.targetRef.uid.localeCompare(b.targetRef.uid);
  return [...groups.values()]
    .map((g) => ({
      ...(g.addresses.length ? { addresses: g.addresses.sort(byIp) } : {}),
      ...(g.notReadyAddresses.length ? { notReadyAddresses: g.notReadyAddresses.sort(byIp) } : {}),
      ...(g.ports.length
        ? { ports: g.ports.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port) }
        : {}),
    }))
    .sort((a, b) =>
      JSON.stringify(a.addresses?.[0] ?? a.notReadyAddresses?.[0]).localeCompare(
        JSON.stringify(b.addresses?.[0] ?? b.notReadyAddresses?.[0]),
      ),
    );
}

function ipCompare(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  if (pa.length === 4 && pb.length === 4) {
    for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
    return 0;
  }
  return a.localeCompare(b);
}

export function endpointsLabels(svc: any): Record<string, string> {
  const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
  labels['endpointslice.kubernetes.io/skip-mirror'] = 'true';
  if (svc.spec?.clusterIP === 'None') labels['service.kubernetes.io/headless'] = '';
  return labels;
}
