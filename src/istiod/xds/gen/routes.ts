// RDS for a sidecar: route configs named `<port>` (HTTP ports, one vhost per service) and
// `<fqdn>:<port>` (auto-detected ports). VirtualService routing plugs in at `routesFor`.
import { isHttpProtocol, portProtocol, type MeshService, type ServicePort } from '../model.js';
import type { JsonObject } from '../proto.js';
import { hostname, isHeadless, type PushContext } from '../push-context.js';
import { clusterName, defaultRouteAction, PASSTHROUGH_CLUSTER, T } from './common.js';
import type { XdsResource } from './types.js';

/** Domains a vhost answers: FQDN, the short names valid from the proxy's namespace, the VIP, each with and without :port. */
export function vhostDomains(
  svc: MeshService,
  port: number,
  proxyNamespace: string,
  domainSuffix: string,
): string[] {
  const fqdn = hostname(svc, domainSuffix);
  const names = [fqdn];
  if (svc.namespace === proxyNamespace) names.push(svc.name);
  names.push(`${svc.name}.${svc.namespace}`, `${svc.name}.${svc.namespace}.svc`);
  if (svc.clusterIP && svc.clusterIP !== 'None') names.push(svc.clusterIP);
  return names.flatMap((n) => [n, `${n}:${port}`]);
}

/** The routes of one service's vhost; a VirtualService generator would replace this. */
export function routesFor(push: PushContext, svc: MeshService, port: ServicePort): JsonObject[] {
  const host = hostname(svc, push.domainSuffix);
  return [
    {
      name: 'default',
      match: { prefix: '/' },
      route: defaultRouteAction(clusterName('outbound', port.port, '', host)),
      decorator: { operation: `${host}:${port.port}/*` },
    },
  ];
}

function serviceVhost(
  push: PushContext,
  svc: MeshService,
  port: ServicePort,
  proxyNamespace: string,
): JsonObject {
  return {
    name: `${hostname(svc, push.domainSuffix)}:${port.port}`,
    domains: vhostDomains(svc, port.port, proxyNamespace, push.domainSuffix),
    routes: routesFor(push, svc, port),
    include_request_attempt_count: true,
  };
}

function catchAllVhost(push: PushContext): JsonObject {
  if (push.allowAny) {
    return {
      name: 'allow_any',
      domains: ['*'],
      routes: [
        {
          name: 'allow_any',
          match: { prefix: '/' },
          route: {
            cluster: PASSTHROUGH_CLUSTER,
            timeout: '0s',
            max_stream_duration: { max_stream_duration: '0s', grpc_timeout_header_max: '0s' },
          },
        },
      ],
      include_request_attempt_count: true,
    };
  }
  return {
    name: 'block_all',
    domains: ['*'],
    routes: [{ name: 'block_all', match: { prefix: '/' }, direct_response: { status: 502 } }],
    include_request_attempt_count: true,
  };
}

/** Builds route config `name` for a proxy in `proxyNamespace`; undefined when nothing serves it. */
export function routeConfig(
  push: PushContext,
  name: string,
  proxyNamespace: string,
): XdsResource | undefined {
  const vhosts: JsonObject[] = [];
  if (/^\d+$/.test(name)) {
    const port = Number(name);
    for (const svc of push.services) {
      if (isHeadless(svc)) continue;
      const sp = svc.ports.find((p) => p.port === port && isHttpProtocol(portProtocol(p)));
      if (sp) vhosts.push(serviceVhost(push, svc, sp, proxyNamespace));
    }
    if (vhosts.length === 0) return undefined;
  } else {
    const idx = name.lastIndexOf(':');
    const svc = push.serviceByHost.get(name.slice(0, idx));
    const sp = svc?.ports.find((p) => p.port === Number(name.slice(idx + 1)));
    if (!svc || !sp) return undefined;
    vhosts.push(serviceVhost(push, svc, sp, proxyNamespace));
  }
  vhosts.push(catchAllVhost(push));
  return {
    name,
    resource: { '@type': T.route, name, virtual_hosts: vhosts, validate_clusters: false },
  };
}

/** Every route config name the sidecar listeners reference. */
export function sidecarRouteNames(push: PushContext): string[] {
  const ports = new Set<number>();
  const auto: string[] = [];
  for (const svc of push.services) {
    if (isHeadless(svc)) continue;
    for (const p of svc.ports) {
      const proto = portProtocol(p);
      if (isHttpProtocol(proto)) ports.add(p.port);
      else if (proto === 'AUTO') auto.push(`${hostname(svc, push.domainSuffix)}:${p.port}`);
    }
  }
  return [...[...ports].sort((a, b) => a - b).map(String), ...auto];
}

export function sidecarRoutes(
  push: PushContext,
  proxyNamespace: string,
  names: readonly string[] | undefined,
): XdsResource[] {
  const out: XdsResource[] = [];
  for (const n of names ?? sidecarRouteNames(push)) {
    const rc = routeConfig(push, n, proxyNamespace);
    if (rc) out.push(rc);
  }
  return out;
}

/** The inline route of an inbound HTTP chain: everything to the local workload. */
export function inboundRouteConfig(port: number): JsonObject {
  const cluster = clusterName('inbound', port);
  return {
    name: cluster,
    virtual_hosts: [
      {
        name: `inbound|http|${port}`,
        domains: ['*'],
        routes: [
          {
            name: 'default',
            match: { prefix: '/' },
            route: {
              cluster,
              timeout: '0s',
              max_stream_duration: { max_stream_duration: '0s', grpc_timeout_header_max: '0s' },
            },
            decorator: { operation: `${cluster}/*` },
          },
        ],
      },
    ],
    validate_clusters: false,
  };
}
