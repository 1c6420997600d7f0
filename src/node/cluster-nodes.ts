// The daemon's node side: the cluster network, cluster DNS and API addresses inside it, kube-proxy,
// and N node agents, all in the daemon's process (the network record has a single writer).
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { startDnsServer, type DnsServer } from '../dns/index.js';
import type { KubeClient } from '../kube/index.js';
import { ClusterNetwork, NetnsAgent, teardownClusterNetwork } from '../netns/index.js';
import { startNode, type NodeAgent } from './node-agent.js';
import { startServiceProxy, type ServiceProxy } from './proxy.js';
import { relayTcp, relayUdp, type Relay } from './relay.js';

export const CLUSTER_DNS_IP = '10.96.0.10';
export const KUBERNETES_SERVICE_IP = '10.96.0.1';

export interface ClusterNodesOptions {
  cluster: string;
  client: KubeClient;
  nodes: number;
  /** Node state (container logs) goes to <stateDir>/<node>/. */
  stateDir: string;
  /** The API server's port on 127.0.0.1, served in the cluster at 10.96.0.1:443. */
  apiPort: number;
  log?(msg: string): void;
}

export interface ClusterNodes {
  network: ClusterNetwork;
  nodes: NodeAgent[];
  /** Stops every container and removes the whole cluster network. */
  stop(): Promise<void>;
}

/** `<cluster>-worker`, `<cluster>-worker2`, ... as kind names them. */
export function nodeNames(cluster: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${cluster}-worker${i === 0 ? '' : i + 1}`);
}

/** A /24 in 172.30.0.0/16 derived from the cluster name, so clusters on one host rarely collide. */
export function loadBalancerRange(cluster: string): string {
  const x = createHash('sha256').update(cluster).digest()[0]!;
  return `172.30.${x}.0/24`;
}

export async function startClusterNodes(opts: ClusterNodesOptions): Promise<ClusterNodes> {
  const log = opts.log ?? ((m: string) => console.error(m));
  // What a daemon that died without cleaning up left behind.
  await teardownClusterNetwork(opts.cluster).catch((e) => log(`stale network: ${(e as Error).message}`));
  const network = await ClusterNetwork.create(opts.cluster, {
    serviceAddresses: [KUBERNETES_SERVICE_IP, CLUSTER_DNS_IP],
    loadBalancerRanges: [loadBalancerRange(opts.cluster)],
  });
  const relays: Relay[] = [];
  const nodes: NodeAgent[] = [];
  let agent: NetnsAgent | undefined;
  let dns: DnsServer | undefined;
  let proxy: ServiceProxy | undefined;
  const stop = async () => {
    await Promise.all(
      nodes.map((n) => n.stop().catch((e) => log(`node ${n.name}: ${(e as Error).message}`))),
    );
    proxy?.stop();
    await Promise.all(relays.map((r) => r.close().catch(() => {})));
    await dns?.close().catch(() => {});
    await agent?.close().catch(() => {});
    await teardownClusterNetwork(opts.cluster);
  };
  try {
    agent = await NetnsAgent.start(network.netns);
    dns = await startDnsServer({
      client: opts.client,
      listen: [{ host: '127.0.0.1', port: 0 }],
      onError: (e) => log(`dns: ${(e as Error).message}`),
    });
    const dnsPort = dns.addresses[0]!.port;
    relays.push(await relayUdp(agent, CLUSTER_DNS_IP, 53, dnsPort));
    relays.push(await relayTcp(agent, CLUSTER_DNS_IP, 53, dnsPort));
    relays.push(await relayTcp(agent, KUBERNETES_SERVICE_IP, 443, opts.apiPort));
    proxy = startServiceProxy({
      client: opts.client,
      netns: network.netns,
      localAddresses: [KUBERNETES_SERVICE_IP, CLUSTER_DNS_IP],
      log,
    });
    const a = agent;
    const names = nodeNames(opts.cluster, opts.nodes);
    for (const [i, name] of names.entries()) {
      nodes.push(
        await startNode({
          client: opts.client,
          name,
          network,
          podCidr: `10.244.${i + 1}.0/24`,
          stateDir: join(opts.stateDir, name),
          connect: (host, port, timeoutMs) => a.connect(host, port, timeoutMs),
          log: (m) => log(`node ${name}: ${m}`),
        }),
      );
    }
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
  return { network, nodes, stop };
}
