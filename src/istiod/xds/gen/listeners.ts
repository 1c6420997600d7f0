// LDS for a sidecar: the capture listeners virtualOutbound (15001) and virtualInbound (15006), and
// the virtual (bind_to_port: false) per-port outbound listeners that virtualOutbound hands off to.
import { isHttpProtocol, portProtocol, type Proxy } from '../model.js';
import type { JsonObject } from '../proto.js';
import { hostname, isHeadless, type PushContext } from '../push-context.js';
import { inboundTargets } from './clusters.js';
import {
  BLACKHOLE_CLUSTER,
  clusterName,
  httpConnectionManager,
  INBOUND_PASSTHROUGH_CLUSTER,
  PASSTHROUGH_CLUSTER,
  socketAddress,
  T,
  tcpProxyFilter,
} from './common.js';
import { inboundRouteConfig } from './routes.js';
import type { XdsResource } from './types.js';

export const VIRTUAL_OUTBOUND_PORT = 15001;
export const VIRTUAL_INBOUND_PORT = 15006;

const originalDstFilter = (): JsonObject => ({
  name: 'envoy.filters.listener.original_dst',
  typed_config: { '@type': T.originalDst },
});

const httpInspectorFilter = (): JsonObject => ({
  name: 'envoy.filters.listener.http_inspector',
  typed_config: { '@type': T.httpInspector },
});

function listener(name: string, fields: JsonObject): XdsResource {
  return { name, resource: { '@type': T.listener, name, ...fields } };
}

function virtualOutbound(push: PushContext): XdsResource {
  return listener('virtualOutbound', {
    address: socketAddress('0.0.0.0', VIRTUAL_OUTBOUND_PORT),
    filter_chains: [
      {
        name: 'virtualOutbound-blackhole',
        filter_chain_match: { destination_port: VIRTUAL_OUTBOUND_PORT },
        filters: [tcpProxyFilter(BLACKHOLE_CLUSTER)],
      },
      {
        name: 'virtualOutbound-catchall-tcp',
        filters: [tcpProxyFilter(push.allowAny ? PASSTHROUGH_CLUSTER : BLACKHOLE_CLUSTER)],
      },
    ],
    use_original_dst: true,
    traffic_direction: 'OUTBOUND',
  });
}

/** Plaintext inbound chains per workload port (the PeerAuthentication DISABLE shape; mTLS chains come later). */
function virtualInbound(push: PushContext, proxy: Proxy): XdsResource {
  const chains: JsonObject[] = [
    {
      name: 'virtualInbound-blackhole',
      filter_chain_match: { destination_port: VIRTUAL_INBOUND_PORT },
      filters: [tcpProxyFilter(BLACKHOLE_CLUSTER)],
    },
  ];
  for (const t of inboundTargets(push, proxy)) {
    const cluster = clusterName('inbound', t.targetPort);
    const name = `0.0.0.0_${t.targetPort}`;
    const filter = isHttpProtocol(portProtocol(t.port))
      ? httpConnectionManager(
          `inbound_0.0.0.0_${t.targetPort}`,
          { inline: inboundRouteConfig(t.targetPort) },
          'inbound',
        )
      : tcpProxyFilter(cluster, `inbound_0.0.0.0_${t.targetPort}`);
    chains.push({ name, filter_chain_match: { destination_port: t.targetPort }, filters: [filter] });
  }
  chains.push({ name: 'virtualInbound', filters: [tcpProxyFilter(INBOUND_PASSTHROUGH_CLUSTER)] });
  return listener('virtualInbound', {
    address: socketAddress('0.0.0.0', VIRTUAL_INBOUND_PORT),
    filter_chains: chains,
    listener_filters: [originalDstFilter(), httpInspectorFilter()],
    use_original_dst: true,
    traffic_direction: 'INBOUND',
  });
}

/** `0.0.0.0_<port>` for HTTP ports (RDS `<port>`), `<VIP>_<port>` for TCP and auto-detected ports. */
function outboundListeners(push: PushContext): XdsResource[] {
  const http = new Set<number>();
  const vip: XdsResource[] = [];
  for (const svc of push.services) {
    if (isHeadless(svc)) continue;
    const host = hostname(svc, push.domainSuffix);
    for (const p of svc.ports) {
      const proto = portProtocol(p);
      if (proto === 'UDP') continue;
      if (isHttpProtocol(proto)) {
        http.add(p.port);
        continue;
      }
      const cluster = clusterName('outbound', p.port, '', host);
      const name = `${svc.clusterIP}_${p.port}`;
      const tcpChain: JsonObject = { filters: [tcpProxyFilter(cluster)] };
      const fields: JsonObject = {
        address: socketAddress(svc.clusterIP as string, p.port),
        filter_chains: [tcpChain],
        bind_to_port: false,
        traffic_direction: 'OUTBOUND',
      };
      if (proto === 'AUTO') {
        // Sniffed: plain HTTP goes through the HCM (route `<fqdn>:<port>`), anything else is TCP.
        fields.filter_chains = [
          {
            filter_chain_match: { application_protocols: ['http/1.1', 'h2c'] },
            filters: [httpConnectionManager(`outbound_${name}`, { rds: `${host}:${p.port}` }, 'outbound')],
          },
          tcpChain,
        ];
        fields.listener_filters = [httpInspectorFilter()];
      }
      vip.push(listener(name, fields));
    }
  }
  const httpListeners = [...http]
    .sort((a, b) => a - b)
    .map((port) =>
      listener(`0.0.0.0_${port}`, {
        address: socketAddress('0.0.0.0', port),
        filter_chains: [
          { filters: [httpConnectionManager(`outbound_0.0.0.0_${port}`, { rds: String(port) }, 'outbound')] },
        ],
        bind_to_port: false,
        traffic_direction: 'OUTBOUND',
      }),
    );
  return [...httpListeners, ...vip];
}

export function sidecarListeners(push: PushContext, proxy: Proxy): XdsResource[] {
  return [virtualOutbound(push), virtualInbound(push, proxy), ...outboundListeners(push)];
}
