// CDS for a sidecar: outbound|PORT|SUBSET|HOST per service port and DestinationRule subset,
// inbound|PORT|| per port the proxy's own workload serves, and Istio's special clusters.
import { isHttp2Protocol, portProtocol, type MeshService, type Proxy, type ServicePort } from '../model.js';
import type { JsonObject } from '../proto.js';
import { endpointPort, hostname, isHeadless, serviceKey, type PushContext } from '../push-context.js';
import {
  adsConfigSource,
  BLACKHOLE_CLUSTER,
  clusterName,
  INBOUND_BIND_ADDRESS,
  INBOUND_PASSTHROUGH_CLUSTER,
  PASSTHROUGH_CLUSTER,
  T,
} from './common.js';
import type { XdsResource } from './types.js';

const LB_POLICY: Record<string, string> = {
  LEAST_REQUEST: 'LEAST_REQUEST',
  ROUND_ROBIN: 'ROUND_ROBIN',
  RANDOM: 'RANDOM',
};

const http2Options = (): JsonObject => ({
  'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
    '@type': T.httpProtocolOptions,
    explicit_http_config: { http2_protocol_options: {} },
  },
});

const timeout = (push: PushContext): string => `${push.connectTimeoutSeconds}s`;

export interface OutboundClusterOptions {
  /** Istio's LEAST_REQUEST default; proxyless gRPC only implements ROUND_ROBIN. */
  defaultLb?: string;
  /** Extra, non-essential fields (metadata, protocol options) that only Envoy reads. */
  envoyExtras?: boolean;
}

/** One outbound cluster (EDS for ClusterIP services, ORIGINAL_DST for headless ones). */
export function outboundCluster(
  push: PushContext,
  svc: MeshService,
  port: ServicePort,
  subset: string,
  opts: OutboundClusterOptions = {},
): XdsResource {
  const host = hostname(svc, push.domainSuffix);
  const name = clusterName('outbound', port.port, subset, host);
  const dr = push.destinationRuleByHost.get(host);
  const envoyExtras = opts.envoyExtras ?? true;
  const simple = dr?.trafficPolicy?.loadBalancer?.simple;
  const lb = (simple && LB_POLICY[simple]) || opts.defaultLb || 'LEAST_REQUEST';
  const cluster: JsonObject = { '@type': T.cluster, name };
  if (isHeadless(svc)) {
    Object.assign(cluster, {
      type: 'ORIGINAL_DST',
      connect_timeout: timeout(push),
      lb_policy: 'CLUSTER_PROVIDED',
    });
  } else {
    Object.assign(cluster, {
      type: 'EDS',
      eds_cluster_config: { eds_config: adsConfigSource(), service_name: name },
      connect_timeout: timeout(push),
      lb_policy: lb,
    });
  }
  if (envoyExtras) {
    if (!isHeadless(svc)) cluster.common_lb_config = { locality_weighted_lb_config: {} };
    const istio: JsonObject = {
      services: [{ host, name: svc.name, namespace: svc.namespace }],
    };
    if (dr)
      istio.config = `/apis/networking.istio.io/v1/namespaces/${dr.namespace}/destination-rule/${dr.name}`;
    cluster.metadata = { filter_metadata: { istio } };
    if (isHttp2Protocol(portProtocol(port))) cluster.typed_extension_protocol_options = http2Options();
  }
  return { name, resource: cluster };
}

/** Every outbound cluster of the mesh: each (service, port), then each DestinationRule subset. */
export function outboundClusters(push: PushContext, opts: OutboundClusterOptions = {}): XdsResource[] {
  const out: XdsResource[] = [];
  for (const svc of push.services) {
    const dr = push.destinationRuleByHost.get(hostname(svc, push.domainSuffix));
    for (const port of svc.ports) {
      if (portProtocol(port) === 'UDP') continue;
      out.push(outboundCluster(push, svc, port, '', opts));
      for (const subset of dr?.subsets ?? []) out.push(outboundCluster(push, svc, port, subset.name, opts));
    }
  }
  return out;
}

export interface ServiceTarget {
  service: MeshService;
  port: ServicePort;
  /** The port the workload listens on. */
  targetPort: number;
}

/** The service ports the proxy's own workload backs (its IP is among the service's endpoints). */
export function serviceTargets(push: PushContext, proxy: Proxy): ServiceTarget[] {
  const ips = new Set(proxy.ipAddresses);
  const out: ServiceTarget[] = [];
  for (const svc of push.services) {
    const eps = push.endpointsByService.get(serviceKey(svc.namespace, svc.name)) ?? [];
    const mine = eps.find((e) => ips.has(e.ip));
    if (!mine) continue;
    for (const port of svc.ports) {
      if (portProtocol(port) === 'UDP') continue;
      const targetPort =
        endpointPort(mine, port) ?? (typeof port.targetPort === 'number' ? port.targetPort : port.port);
      out.push({ service: svc, port, targetPort });
    }
  }
  return out;
}

/** First target per workload port: two services on one pod port share one inbound cluster. */
export function inboundTargets(push: PushContext, proxy: Proxy): ServiceTarget[] {
  const seen = new Set<number>();
  return serviceTargets(push, proxy)
    .filter((t) => (seen.has(t.targetPort) ? false : (seen.add(t.targetPort), true)))
    .sort((a, b) => a.targetPort - b.targetPort);
}

function inboundCluster(push: PushContext, target: ServiceTarget): XdsResource {
  const name = clusterName('inbound', target.targetPort);
  const cluster: JsonObject = {
    '@type': T.cluster,
    name,
    type: 'ORIGINAL_DST',
    connect_timeout: timeout(push),
    lb_policy: 'CLUSTER_PROVIDED',
    upstream_bind_config: { source_address: { address: INBOUND_BIND_ADDRESS, port_value: 0 } },
    metadata: {
      filter_metadata: {
        istio: {
          services: [
            {
              host: hostname(target.service, push.domainSuffix),
              name: target.service.name,
              namespace: target.service.namespace,
            },
          ],
        },
      },
    },
  };
  if (isHttp2Protocol(portProtocol(target.port))) cluster.typed_extension_protocol_options = http2Options();
  return { name, resource: cluster };
}

export function specialClusters(push: PushContext): XdsResource[] {
  return [
    {
      name: BLACKHOLE_CLUSTER,
      resource: {
        '@type': T.cluster,
        name: BLACKHOLE_CLUSTER,
        type: 'STATIC',
        connect_timeout: timeout(push),
      },
    },
    {
      name: INBOUND_PASSTHROUGH_CLUSTER,
      resource: {
        '@type': T.cluster,
        name: INBOUND_PASSTHROUGH_CLUSTER,
        type: 'ORIGINAL_DST',
        connect_timeout: timeout(push),
        lb_policy: 'CLUSTER_PROVIDED',
        upstream_bind_config: { source_address: { address: INBOUND_BIND_ADDRESS, port_value: 0 } },
      },
    },
    {
      name: PASSTHROUGH_CLUSTER,
      resource: {
        '@type': T.cluster,
        name: PASSTHROUGH_CLUSTER,
        type: 'ORIGINAL_DST',
        connect_timeout: timeout(push),
        lb_policy: 'CLUSTER_PROVIDED',
        typed_extension_protocol_options: {
          'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
            '@type': T.httpProtocolOptions,
            use_downstream_protocol_config: { http_protocol_options: {}, http2_protocol_options: {} },
          },
        },
      },
    },
  ];
}

export function sidecarClusters(push: PushContext, proxy: Proxy): XdsResource[] {
  return [
    ...outboundClusters(push),
    ...inboundTargets(push, proxy).map((t) => inboundCluster(push, t)),
    ...specialClusters(push),
  ];
}
