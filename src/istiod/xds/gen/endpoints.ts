// EDS: one ClusterLoadAssignment per outbound cluster, endpoints grouped by locality.
import { portProtocol, type MeshEndpoint } from '../model.js';
import type { JsonObject } from '../proto.js';
import { endpointPort, hostname, isHeadless, serviceKey, type PushContext } from '../push-context.js';
import { labelSelectorMatches } from '../selectors.js';
import { clusterName, parseClusterName, T } from './common.js';
import type { XdsResource } from './types.js';

function endpointMetadata(ep: MeshEndpoint, push: PushContext): JsonObject {
  const labels = ep.labels ?? {};
  const canonical = labels['service.istio.io/canonical-name'] ?? labels.app ?? ep.service;
  const revision = labels['service.istio.io/canonical-revision'] ?? labels.version ?? 'latest';
  const workload = ep.podName ?? '';
  const md: JsonObject = {
    istio: { workload: `${workload};${ep.namespace};${canonical};${revision};${push.clusterId}` },
  };
  const tlsMode = labels['security.istio.io/tlsMode'];
  if (tlsMode) md['envoy.transport_socket_match'] = { tlsMode };
  return { filter_metadata: md };
}

/** The load assignment for one `outbound|port|subset|host` cluster; undefined if it is unknown. */
export function loadAssignment(push: PushContext, name: string): XdsResource | undefined {
  const parsed = parseClusterName(name);
  if (!parsed || parsed.direction !== 'outbound') return undefined;
  const svc = push.serviceByHost.get(parsed.host);
  const port = svc?.ports.find((p) => p.port === parsed.port);
  if (!svc || !port) return undefined;
  let selector: Record<string, string> | undefined;
  if (parsed.subset) {
    const subset = push.destinationRuleByHost
      .get(parsed.host)
      ?.subsets?.find((s) => s.name === parsed.subset);
    if (!subset) return undefined;
    selector = subset.labels ?? {};
  }
  const byLocality = new Map<string, { locality: JsonObject; lb: JsonObject[] }>();
  for (const ep of push.endpointsByService.get(serviceKey(svc.namespace, svc.name)) ?? []) {
    if (selector && !labelSelectorMatches({ matchLabels: selector }, ep.labels ?? {})) continue;
    const target = endpointPort(ep, port);
    if (target === undefined) continue;
    const loc = ep.locality ?? {};
    const locality: JsonObject = {};
    if (loc.region) locality.region = loc.region;
    if (loc.zone) locality.zone = loc.zone;
    if (loc.subZone) locality.sub_zone = loc.subZone;
    const key = `${loc.region ?? ''}/${loc.zone ?? ''}/${loc.subZone ?? ''}`;
    const group = byLocality.get(key) ?? { locality, lb: [] };
    group.lb.push({
      endpoint: { address: { socket_address: { address: ep.ip, port_value: target } } },
      health_status: ep.ready ? 'HEALTHY' : 'UNHEALTHY',
      metadata: endpointMetadata(ep, push),
      load_balancing_weight: 1,
    });
    byLocality.set(key, group);
  }
  const endpoints = [...byLocality.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, g]) => ({ locality: g.locality, lb_endpoints: g.lb, load_balancing_weight: g.lb.length }));
  return { name, resource: { '@type': T.cla, cluster_name: name, endpoints } };
}

/** Named requests get those clusters; a wildcard request gets every outbound EDS cluster. */
export function loadAssignments(push: PushContext, names: readonly string[] | undefined): XdsResource[] {
  const wanted = names ?? allEdsClusterNames(push);
  const out: XdsResource[] = [];
  for (const n of wanted) {
    const cla = loadAssignment(push, n);
    if (cla) out.push(cla);
  }
  return out;
}

function allEdsClusterNames(push: PushContext): string[] {
  const out: string[] = [];
  for (const svc of push.services) {
    if (isHeadless(svc)) continue;
    const host = hostname(svc, push.domainSuffix);
    const subsets = push.destinationRuleByHost.get(host)?.subsets ?? [];
    for (const p of svc.ports) {
      if (portProtocol(p) === 'UDP') continue;
      out.push(clusterName('outbound', p.port, '', host));
      for (const s of subsets) out.push(clusterName('outbound', p.port, s.name, host));
    }
  }
  return out;
}
