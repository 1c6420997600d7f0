// Pieces several generators share: Istio's name formats and the Envoy filter configs they embed.
import type { JsonObject } from '../proto.js';

export const BLACKHOLE_CLUSTER = 'BlackHoleCluster';
export const PASSTHROUGH_CLUSTER = 'PassthroughCluster';
export const INBOUND_PASSTHROUGH_CLUSTER = 'InboundPassthroughCluster';
export const INBOUND_BIND_ADDRESS = '127.0.0.6';

export const T = {
  cluster: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  cla: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
  listener: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  route: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  hcm: 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
  tcpProxy: 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy',
  router: 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router',
  originalDst: 'type.googleapis.com/envoy.extensions.filters.listener.original_dst.v3.OriginalDst',
  httpInspector: 'type.googleapis.com/envoy.extensions.filters.listener.http_inspector.v3.HttpInspector',
  httpProtocolOptions: 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
  previousHosts: 'type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate',
} as const;

export type Direction = 'outbound' | 'inbound';

export function clusterName(direction: Direction, port: number, subset = '', host = ''): string {
  return `${direction}|${port}|${subset}|${host}`;
}

export interface ParsedClusterName {
  direction: Direction;
  port: number;
  subset: string;
  host: string;
}

export function parseClusterName(name: string): ParsedClusterName | undefined {
  const parts = name.split('|');
  if (parts.length !== 4 || (parts[0] !== 'outbound' && parts[0] !== 'inbound')) return undefined;
  const port = Number(parts[1]);
  if (!Number.isInteger(port)) return undefined;
  return { direction: parts[0], port, subset: parts[2], host: parts[3] };
}

export const adsConfigSource = (): JsonObject => ({
  ads: {},
  initial_fetch_timeout: '0s',
  resource_api_version: 'V3',
});

export const socketAddress = (address: string, port: number): JsonObject => ({
  socket_address: { address, port_value: port },
});

export const routerFilter = (): JsonObject => ({
  name: 'envoy.filters.http.router',
  typed_config: { '@type': T.router },
});

export function tcpProxyFilter(cluster: string, statPrefix = cluster): JsonObject {
  return {
    name: 'envoy.filters.network.tcp_proxy',
    typed_config: { '@type': T.tcpProxy, stat_prefix: statPrefix, cluster },
  };
}

/** The sidecar HCM: either RDS over ADS (route name) or an inline route config. */
export function httpConnectionManager(
  statPrefix: string,
  route: { rds: string } | { inline: JsonObject },
  direction: Direction,
): JsonObject {
  const hcm: JsonObject = {
    '@type': T.hcm,
    stat_prefix: statPrefix,
    ...('rds' in route
      ? { rds: { config_source: adsConfigSource(), route_config_name: route.rds } }
      : { route_config: route.inline }),
    http_filters: [routerFilter()],
    use_remote_address: false,
    upgrade_configs: [{ upgrade_type: 'websocket' }],
    stream_idle_timeout: '0s',
    normalize_path: true,
  };
  if (direction === 'inbound') hcm.forward_client_cert_details = 'APPEND_FORWARD';
  return { name: 'envoy.filters.network.http_connection_manager', typed_config: hcm };
}

/** Route action defaults Istio uses without a VirtualService: no timeout, 2 retries, 503 not retried. */
export function defaultRouteAction(cluster: string): JsonObject {
  return {
    cluster,
    timeout: '0s',
    retry_policy: {
      retry_on: 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes',
      num_retries: 2,
      retry_host_predicate: [
        { name: 'envoy.retry_host_predicates.previous_hosts', typed_config: { '@type': T.previousHosts } },
      ],
      host_selection_retry_max_attempts: '5',
    },
    max_stream_duration: { max_stream_duration: '0s', grpc_timeout_header_max: '0s' },
  };
}
