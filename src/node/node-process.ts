// A node agent as its own process (like a kubelet per node): it wires its pods into the cluster
// network the daemon made, records them in a file of its own, and on start removes whatever a
// previous run of the same node left (a killed agent cannot clean up after itself).
import { mkdirSync } from 'node:fs';
import { KubeClient } from '../kube/index.js';
import { ClusterNetwork, NetnsAgent } from '../netns/index.js';
import { startNode, type NodeAgent } from './node-agent.js';

export interface NodeProcessOptions {
  cluster: string;
  node: string;
  podCidr: string;
  kubeconfigPath: string;
  /** The node's state: container logs, volumes, pid files. */
  stateDir: string;
  /** Called once the node is registered and its pods are being reconciled. */
  onReady?(): void;
}

const STOP_DEADLINE_MS = 10_000;

export async function runNodeProcess(opts: NodeProcessOptions): Promise<void> {
  const log = (m: string) => console.error(`${new Date().toISOString()} node ${opts.node}: ${m}`);
  const network = ClusterNetwork.open(opts.cluster, { owner: opts.node });
  if (!network)
    throw new Error(`the network of cluster ${opts.cluster} does not exist; is its daemon running?`);
  const leftovers = network.pods();
  if (leftovers.length) log(`removing ${leftovers.length} pod network(s) of a previous run`);
  for (const p of leftovers) await network.removePod(p.pod);
  mkdirSync(opts.stateDir, { recursive: true });
  const probes = await NetnsAgent.start(network.netns);
  const running: { node?: NodeAgent } = {};
  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    log(`${why}, stopping`);
    setTimeout(() => process.exit(1), STOP_DEADLINE_MS).unref();
    await running.node?.stop().catch((e) => log(`stopping: ${(e as Error).message}`));
    await probes.close().catch(() => {});
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('received SIGTERM'));
  process.on('SIGINT', () => void stop('received SIGINT'));
  running.node = await startNode({
    client: KubeClient.fromFile(opts.kubeconfigPath),
    name: opts.node,
    network,
    podCidr: opts.podCidr,
    stateDir: opts.stateDir,
    connect: (host, port, timeoutMs) => probes.connect(host, port, timeoutMs),
    log,
  });
  opts.onReady?.();
}
