// The generator for proxyless gRPC clients (node metadata GENERATOR=grpc): an API listener per
// `xds:///<host>:<port>` target whose HCM points at the route config of the same name.
import type { MeshService, Proxy, ServicePort } from '../model.js';
import { TypeUrl } from '../proto.js';
import { hostname, isHeadless, resolveHost, type PushContext } from '../push-context.js';
import { outboundCluster, outboundClusters } from './clusters.js';
import { adsConfigSource, clusterName, defaultRouteAction, routerFilter, T } from './common.js';
import { loadAssignments } from './endpoints.js';
import { filterByNames, type GenerateRequest, type Generator, type XdsResource } from './types.js';

interface Target {
  name: string;
  service: MeshService;
  port: ServicePort;
}

/** Resolves a target `host[:port]` (short names relative to the client's namespace). */
export function resolveTarget(push: PushContext, proxy: Proxy, name: string): Target | undefined {
  const m = /^(.*?)(?::(\d+))?$/.exec(name);
  if (!m) return undefined;
  const svc = push.serviceByHost.get(resolveHost(m[1], proxy.namespace, push.domainSuffix));
  if (!svc || isHeadless(svc)) return undefined;
  const port = m[2]
    ? svc.ports.find((p) => p.port === Number(m[2]))
    : svc.ports.length === 1
      ? svc.ports[0]
      : undefined;
  return port ? { name, service: svc, port } : undefined;
}

function allTargets(push: PushContext): string[] {
  return push.services
    .filter((s) => !isHeadless(s))
    .flatMap((s) => s.ports.map((p) => `${hostname(s, push.domainSuffix)}:${p.port}`));
}

function listener(t: Target): XdsResource {
  return {
    name: t.name,
    resource: {
      '@type': T.listener,
      name: t.name,
      api_listener: {
        api_listener: {
          '@type': T.hcm,
          rds: { config_source: adsConfigSource(), route_config_name: t.name },
          http_filters: [routerFilter()],
        },
      },
    },
  };
}

function routeConfig(push: PushContext, t: Target): XdsResource {
  const host = hostname(t.service, push.domainSuffix);
  const domains = [...new Set([t.name, host, `${host}:${t.port.port}`])];
  const action = defaultRouteAction(clusterName('outbound', t.port.port, '', host));
  // gRPC clients reject host predicates they do not implement; keep the retry codes only.
  delete (action.retry_policy as Record<string, unknown>).retry_host_predicate;
  delete (action.retry_policy as Record<string, unknown>).host_selection_retry_max_attempts;
  return {
    name: t.name,
    resource: {
      '@type': T.route,
      name: t.name,
      virtual_hosts: [
        { name: t.name, domains, routes: [{ name: 'default', match: { prefix: '' }, route: action }] },
      ],
    },
  };
}

function clusters(push: PushContext, names: readonly string[] | undefined): XdsResource[] {
  const opts = { defaultLb: 'ROUND_ROBIN', envoyExtras: false };
  if (!names) return outboundClusters(push, opts).filter((c) => c.resource.type === 'EDS');
  const out: XdsResource[] = [];
  for (const n of names) {
    const [dir, port, subset, host] = n.split('|');
    const svc = push.serviceByHost.get(host ?? '');
    const sp = svc?.ports.find((p) => p.port === Number(port));
    if (dir !== 'outbound' || !svc || !sp || isHeadless(svc)) continue;
    if (subset && !push.destinationRuleByHost.get(host)?.subsets?.some((s) => s.name === subset)) continue;
    out.push(outboundCluster(push, svc, sp, subset, opts));
  }
  return out;
}

export const grpcGenerator: Generator = {
  generate(proxy: Proxy, typeUrl: string, { push, names }: GenerateRequest): XdsResource[] | undefined {
    const targets = () =>
      (names ?? allTargets(push)).flatMap((n) => {
        const t = resolveTarget(push, proxy, n);
        return t ? [t] : [];
      });
    switch (typeUrl) {
      case TypeUrl.listener:
        return targets().map((t) => listener(t));
      case TypeUrl.route:
        return targets().map((t) => routeConfig(push, t));
      case TypeUrl.cluster:
        return clusters(push, names);
      case TypeUrl.endpoint:
        return filterByNames(loadAssignments(push, names), names);
    }
    return undefined;
  },
};
