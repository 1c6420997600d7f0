// The cluster's background process: the API server, the controllers (a child process) and, with
// nodes, the cluster network with DNS and kube-proxy. The node agents are processes of their own
// (node-agents.ts). `mizzen up` starts the daemon detached; it stops cleanly on SIGTERM/SIGINT.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { startApiServer, renderKubeconfig } from '../apiserver/index.js';
import { startControllers } from '../controllers/index.js';
import { KubeClient } from '../kube/index.js';
import {
  execInContainer,
  loadBalancerRange,
  nodePodCidr,
  nodeNames,
  openContainerLog,
  runNodeProcess,
  startClusterInfra,
  type ClusterInfra,
} from '../node/index.js';
import { readConfig, writeFileAtomic } from './config.js';
import { nodeAgentPaths, nodesDir, stopNodeAgents, writeAgentPid } from './node-agents.js';
import type { ClusterPaths } from './paths.js';

const STOP_DEADLINE_MS = 20_000;

/**
 * The controllers run as their own process (a child of the daemon, on its IPC channel), so they
 * use the other core and never stall the API server. They exit when the daemon goes away.
 */
export async function runControllersProcess(
  kubeconfigPath: string,
  loadBalancerPool?: string,
): Promise<void> {
  const controllers = await startControllers({ kubeconfigPath, loadBalancerPool });
  const stop = async () => {
    await controllers.stop();
    process.exit(0);
  };
  process.on('disconnect', () => void stop());
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

/** `mizzen node-agent --name C --node N`: one node's agent, started detached by `mizzen up`. */
export async function runNodeAgentProcess(paths: ClusterPaths, node: string): Promise<void> {
  const config = readConfig(paths);
  if (!config) throw new Error(`cluster ${paths.name} has no configuration at ${paths.config}`);
  const index = nodeNames(paths.name, config.nodes ?? 0).indexOf(node);
  if (index < 0) throw new Error(`cluster ${paths.name} has no node ${node}`);
  await runNodeProcess({
    cluster: paths.name,
    node,
    podCidr: nodePodCidr(index),
    kubeconfigPath: paths.kubeconfig,
    stateDir: nodeAgentPaths(paths, node).dir,
    onReady: () => writeAgentPid(paths, node),
  });
}

function spawnControllers(cliPath: string, paths: ClusterPaths, withNetwork: boolean): ChildProcess {
  // LoadBalancer addresses come from the range the host routes into the cluster network.
  const pool = withNetwork ? ['--load-balancer-pool', loadBalancerRange(paths.name)] : [];
  return spawn(process.execPath, [cliPath, 'controllers', '--kubeconfig', paths.kubeconfig, ...pool], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

export async function runDaemon(paths: ClusterPaths, cliPath: string): Promise<void> {
  const config = readConfig(paths);
  if (!config) throw new Error(`cluster ${paths.name} has no configuration at ${paths.config}`);
  // Written first, so that `mizzen down` finds a daemon that is still starting (an `up` that gave up
  // waiting must not leave one behind); `up` waits for /readyz, not for this file.
  writeFileAtomic(paths.pid, String(process.pid), 0o644);
  rmSync(paths.ready, { force: true });
  const api = await startApiServer({
    dataDir: paths.data,
    port: config.port,
    serviceCidr: config.serviceCidr,
  });
  const kubeconfig = renderKubeconfig({
    clusterName: `mizzen-${paths.name}`,
    server: api.url,
    caPem: api.pki.caCertPem,
    user: { certPem: api.pki.adminCertPem, keyPem: api.pki.adminKeyPem },
  });
  writeFileAtomic(paths.kubeconfig, kubeconfig);
  let stopping = false;
  let controllers = spawnControllers(cliPath, paths, (config.nodes ?? 0) > 0);
  const watchControllers = (child: ChildProcess): void => {
    child.on('exit', (code, signal) => {
      if (stopping) return;
      console.error(`controllers exited (${signal ?? code}); restarting them`);
      setTimeout(() => {
        if (stopping) return;
        controllers = spawnControllers(cliPath, paths, (config.nodes ?? 0) > 0);
        watchControllers(controllers);
      }, 1000);
    });
  };
  watchControllers(controllers);
  let infra: ClusterInfra | undefined;
  if (config.nodes) {
    try {
      infra = await startClusterInfra({
        cluster: paths.name,
        client: KubeClient.fromFile(paths.kubeconfig),
        apiPort: config.port,
      });
      const dir = nodesDir(paths);
      api.setPodLogs((req) => openContainerLog(dir, req));
      api.setPodExec((req) => execInContainer(paths.name, dir, req));
      const reach = infra;
      api.setPodPortForward(async ({ pod, port }) => {
        const ip = pod.status?.podIP;
        if (!ip) throw new Error('the pod has no IP address yet');
        return reach.connect(ip, port, 10_000);
      });
      api.setServiceResolver((ns, name, port) => reach.services.resolve(ns, name, port));
    } catch (err) {
      stopping = true;
      controllers.kill('SIGTERM');
      await api.close();
      throw err;
    }
  }
  writeFileAtomic(paths.ready, new Date().toISOString() + '\n', 0o644);
  console.log(`mizzen cluster ${paths.name}: API server at ${api.url}`);

  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`received ${signal}, stopping`);
    setTimeout(() => {
      console.error('shutdown took too long; exiting');
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
    // The agents stop their pods while the API server still answers them.
    await stopNodeAgents(paths, config.nodes ?? 0).catch((err) =>
      console.error(`stopping the node agents: ${(err as Error).message}`),
    );
    await infra?.stop().catch((err) => console.error(`removing the network: ${(err as Error).message}`));
    const exited = new Promise<void>((resolve) =>
      controllers.exitCode !== null || controllers.signalCode !== null
        ? resolve()
        : controllers.once('exit', () => resolve()),
    );
    controllers.kill('SIGTERM');
    await exited;
    await api.close();
    rmSync(paths.ready, { force: true });
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
