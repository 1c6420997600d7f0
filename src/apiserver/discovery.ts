// API discovery in both forms kubectl and client libraries use: the legacy per-group documents and
// aggregated discovery (apidiscovery.k8s.io/v2), both built from the registry.
import { groupVersion, type ResourceInfo } from './resources/resource.js';
import type { Registry } from './resources/registry.js';

export const AGGREGATED_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
export const AGGREGATED_V2BETA1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

/** Which aggregated form the client accepts, if any. */
export function aggregatedFormat(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  if (!accept) return undefined;
  for (const part of accept.split(',')) {
    const p = part.split(';').map((x) => x.trim());
    if (p.includes('g=apidiscovery.k8s.io') && p.includes('as=APIGroupDiscoveryList')) {
      if (p.includes('v=v2')) return 'v2';
      if (p.includes('v=v2beta1')) return 'v2beta1';
    }
  }
  return undefined;
}

interface GroupEntry {
  name: string;
  versions: string[];
  resources: Map<string, ResourceInfo[]>;
}

function groups(registry: Registry): GroupEntry[] {
  const byGroup = new Map<string, GroupEntry>();
  for (const r of registry.all()) {
    let g = byGroup.get(r.group);
    if (!g) byGroup.set(r.group, (g = { name: r.group, versions: [], resources: new Map() }));
    for (const v of r.versions) {
      if (!g.versions.includes(v)) g.versions.push(v);
      const list = g.resources.get(v) ?? [];
      list.push(r);
      g.resources.set(v, list);
    }
  }
  for (const g of byGroup.values()) {
    // The preferred version of a group is the highest priority version any of its resources prefers.
    const preferred = [...g.resources.entries()].map(([v]) => v);
    g.versions = orderVersions(preferred);
  }
  return [...byGroup.values()];
}

function orderVersions(vs: string[]): string[] {
  const rank = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [0, 0, 0];
    return [m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1, Number(m[1]), Number(m[3] ?? 0)];
  };
  return [...vs].sort((a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    for (let i = 0; i < 3; i++) if (ra[i] !== rb[i]) return rb[i] - ra[i];
    return a < b ? -1 : 1;
  });
}

function subresourcesOf(
  r: ResourceInfo,
  version: string,
): { name: string; verbs: string[]; kind: { group: string; version: string; kind: string } }[] {
  const own = { group: r.group, version, kind: r.kind };
  const out: { name: string; verbs: string[]; kind: { group: string; version: string; kind: string } }[] = [];
  if (r.status) out.push({ name: 'status', verbs: ['get', 'patch', 'update'], kind: own });
  if (r.scale)
    out.push({
      name: 'scale',
      verbs: ['get', 'patch', 'update'],
      kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
    });
  for (const x of r.extraSubresources) out.push({ name: x.name, verbs: x.verbs, kind: x.kind ?? own });
  return out;
}

export function apiVersions(serverAddress: string): object {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

export function apiGroupList(registry: Registry): object {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groups(registry)
      .filter((g) => g.name !== '')
      .map((g) => apiGroup(g)),
  };
}

function apiGroup(g: GroupEntry): object {
  const versions = g.versions.map((v) => ({ groupVersion: groupVersion(g.name, v), version: v }));
  return { name: g.name, versions, preferredVersion: versions[0] };
}

export function apiGroupDocument(registry: Registry, group: string): object | undefined {
  const g = groups(registry).find((x) => x.name === group);
  return g && { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(g) };
}

export function apiResourceList(registry: Registry, group: string, version: string): object | undefined {
  const g = groups(registry).find((x) => x.name === group);
  const list = g?.resources.get(version);
  if (!list) return undefined;
  const resources: object[] = [];
  for (const r of list) {
    resources.push({
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
      ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
      ...(r.categories.length ? { categories: r.categories } : {}),
      storageVersionHash: storageVersionHash(r),
    });
    for (const sub of subresourcesOf(r, version)) {
      resources.push({
        name: `${r.plural}/${sub.name}`,
        singularName: '',
        namespaced: r.namespaced,
        ...(sub.kind.group !== r.group || sub.kind.kind !== r.kind
          ? { group: sub.kind.group, version: sub.kind.version }
          : {}),
        kind: sub.kind.kind,
        verbs: sub.verbs,
      });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion(group, version), resources };
}

function storageVersionHash(r: ResourceInfo): string {
  // Stable per group/resource/storage version, as upstream's hash is.
  let h = 0;
  for (const c of `${r.group}/${r.storageVersion}/${r.kind}`) h = (h * 31 + c.charCodeAt(0)) | 0;
  return Buffer.from(String(h >>> 0))
    .toString('base64')
    .slice(0, 11);
}

export function aggregated(registry: Registry, core: boolean, format: 'v2' | 'v2beta1'): object {
  const items = groups(registry)
    .filter((g) => (core ? g.name === '' : g.name !== ''))
    .map((g) => ({
      metadata: { name: g.name, creationTimestamp: null },
      versions: g.versions.map((v) => ({
        version: v,
        freshness: 'Current',
        resources: (g.resources.get(v) ?? []).map((r) => ({
          resource: r.plural,
          responseKind: { group: r.group, version: v, kind: r.kind },
          scope: r.namespaced ? 'Namespaced' : 'Cluster',
          singularResource: r.singular,
          verbs: r.verbs,
          ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
          ...(r.categories.length ? { categories: r.categories } : {}),
          subresources: subresourcesOf(r, v).map((sub) => ({
            subresource: sub.name,
            responseKind: sub.kind,
            verbs: sub.verbs,
          })),
        })),
      })),
    }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${format}`, metadata: {}, items };
}
