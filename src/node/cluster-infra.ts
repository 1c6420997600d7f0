// The daemon's node side: the cluster network, cluster DNS and the API server inside it, and
// kube-proxy. The node agents run as processes of their own (node-process.ts) and wire their pods
// into this network.
import { createHash } from 'node:crypto';
import type net from 'node:net';
import { startDnsServer, type DnsServer } from '../dns/index.js';
import type { KubeClient } from '../kube/index.js';
import { ClusterNetwork, NetnsAgent, teardownClusterNetwork } from '../netns/index.js';
import { startServiceProxy, type ServiceProxy } from './proxy.js';
import { relayTcp, relayUdp, type Relay } from './relay.js';
import { serviceDialer, type ServiceDialer } from './service-dialer.js';

export const CLUSTER_DNS_IP = '10.96.0.10';
export const KUBERNETES_SERVICE_IP = '10.96.0.1';

export interface ClusterInfraOptions {
  cluster: string;
  client: KubeClient;
  /** The API server's port on 127.0.0.1, served in the cluster at 10.96.0.1:443. */
  apiPort: number;
  log?(msg: string): void;
}

export interface ClusterInfra {
  network: ClusterNetwork;
  /** A TCP connection opened from the cluster namespace (to a pod IP, for port-forward). */
  connect(host: string, port: number, timeoutMs: number): Promise<net.Socket>;
  /** Loopback addresses leading to Services, for admission webhooks. */
  services: ServiceDialer;
  /** Removes the whole cluster network, with whatever still runs in it. */
  stop(): Promise<void>;
}

/** `<cluster>-worker`, `<cluster>-worker2`, ... as kind names them. */
export function nodeNames(cluster: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${cluster}-worker${i === 0 ? '' : i + 1}`);
}

/** Each node's pods get a /24 of 10.244.0.0/16, in node order. */
export function nodePodCidr(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index > 250) throw new Error(`no pod range for node ${index}`);
  return `10.244.${index + 1}.0/24`;
}

/** A /24 in 172.30.0.0/16 derived from the cluster name, so clusters on one host rarely collide. */
export function loadBalancerRange(cluster: string): string {
  const x = createHash('sha256').update(cluster).digest()[0]!;
  return `172.30.${x}.0/24`;
}

export async function startClusterInfra(opts: ClusterInfraOptions): Promise<ClusterInfra> {
  const log = opts.log ?? ((m: string) => console.error(m));
  // What a daemon that died without cleaning up left behind.
  await teardownClusterNetwork(opts.cluster).catch((e) => log(`stale network: ${(e as Error).message}`));
  const network = await ClusterNetwork.create(opts.cluster, {
    serviceAddresses: [KUBERNETES_SERVICE_IP, CLUSTER_DNS_IP],
    loadBalancerRanges: [loadBalancerRange(opts.cluster)],
  });
  const relays: Relay[] = [];
  let agent: NetnsAgent | undefined;
  let dns: DnsServer | undefined;
  let proxy: ServiceProxy | undefined;
  const dialers: ServiceDialer[] = [];
  const stop = async () => {
    await Promise.all(dialers.map((d) => d.close().catch(() => {})));
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
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
  const a = agent;
  const connect = (host: string, port: number, timeoutMs: number) => a.connect(host, port, timeoutMs);
  const services = serviceDialer(opts.client, connect);
  dialers.push(services);
  return { network, connect, services, stop };
}
