// One immutable, indexed view of a snapshot per push version; every generator reads only this.
import type { DestinationRule, MeshEndpoint, MeshService, MeshSnapshot, ServicePort } from './model.js';
import { applyDiscoverySelectors } from './selectors.js';

export interface PushContext {
  version: string;
  domainSuffix: string;
  /** The cluster this istiod runs in (MeshConfig/CLUSTER_ID), used in endpoint workload metadata. */
  clusterId: string;
  connectTimeoutSeconds: number;
  allowAny: boolean;
  /** Sorted by hostname for stable output. */
  services: MeshService[];
  serviceByHost: Map<string, MeshService>;
  endpointsByService: Map<string, MeshEndpoint[]>;
  destinationRuleByHost: Map<string, DestinationRule>;
  snapshot: MeshSnapshot;
}

export const serviceKey = (namespace: string, name: string): string => `${namespace}/${name}`;

export function hostname(svc: { name: string; namespace: string }, domainSuffix: string): string {
  return `${svc.name}.${svc.namespace}.svc.${domainSuffix}`;
}

/** Resolves a short host (`reviews`, `reviews.ns`, `reviews.ns.svc`) against a namespace. */
export function resolveHost(host: string, namespace: string, domainSuffix: string): string {
  if (host.endsWith(`.svc.${domainSuffix}`) || host.includes('*')) return host;
  const parts = host.split('.');
  if (parts.length === 1) return `${host}.${namespace}.svc.${domainSuffix}`;
  if (parts.length === 2) return `${host}.svc.${domainSuffix}`;
  if (parts.length === 3 && parts[2] === 'svc') return `${host}.${domainSuffix}`;
  return host;
}

export function createPushContext(snapshot: MeshSnapshot, version: string): PushContext {
  const visible = applyDiscoverySelectors(snapshot);
  const domainSuffix = snapshot.meshConfig?.domainSuffix ?? 'cluster.local';
  const services = [...visible.services].sort((a, b) =>
    hostname(a, domainSuffix).localeCompare(hostname(b, domainSuffix)),
  );
  const serviceByHost = new Map(services.map((s) => [hostname(s, domainSuffix), s] as const));
  const endpointsByService = new Map<string, MeshEndpoint[]>();
  for (const ep of visible.endpoints) {
    const key = serviceKey(ep.namespace, ep.service);
    const list = endpointsByService.get(key) ?? [];
    list.push(ep);
    endpointsByService.set(key, list);
  }
  for (const list of endpointsByService.values()) list.sort((a, b) => a.ip.localeCompare(b.ip));
  const destinationRuleByHost = new Map<string, DestinationRule>();
  for (const dr of visible.destinationRules ?? []) {
    destinationRuleByHost.set(resolveHost(dr.host, dr.namespace, domainSuffix), dr);
  }
  return {
    version,
    domainSuffix,
    clusterId: snapshot.clusterId ?? 'Kubernetes',
    connectTimeoutSeconds: snapshot.meshConfig?.connectTimeoutSeconds ?? 10,
    allowAny: snapshot.meshConfig?.outboundTrafficPolicy?.mode !== 'REGISTRY_ONLY',
    services,
    serviceByHost,
    endpointsByService,
    destinationRuleByHost,
    snapshot: visible,
  };
}

/** The endpoint port that serves a service port: matched by name, or the only port. */
export function endpointPort(ep: MeshEndpoint, port: ServicePort): number | undefined {
  const byName = ep.ports.find((p) => (p.name ?? '') === (port.name ?? ''));
  if (byName) return byName.port;
  if (ep.ports.length === 1 && !port.name) return ep.ports[0].port;
  return undefined;
}

export const isHeadless = (svc: MeshService): boolean => !svc.clusterIP || svc.clusterIP === 'None';
