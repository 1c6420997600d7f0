// The cluster's background process: the API server and the controllers of the embedded cluster.
// `mizzen up` starts it detached; it stops cleanly on SIGTERM/SIGINT.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startApiServer, renderKubeconfig } from '../apiserver/index.js';
import { startControllers } from '../controllers/index.js';
import { KubeClient } from '../kube/index.js';
import { execInContainer, openContainerLog, startClusterNodes, type ClusterNodes } from '../node/index.js';
import type { ClusterPaths } from './paths.js';

const STOP_DEADLINE_MS = 10_000;

export interface ClusterConfig {
  name: string;
  port: number;
  serviceCidr: string;
  createdAt: string;
  /** Node agents the daemon runs (with the cluster network); 0 or absent: none. */
  nodes?: number;
}

export function readConfig(paths: ClusterPaths): ClusterConfig | undefined {
  try {
    return JSON.parse(readFileSync(paths.config, 'utf8')) as ClusterConfig;
  } catch {
    return undefined;
  }
}

export function writeFileAtomic(path: string, content: string, mode = 0o600): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode });
  renameSync(tmp, path);
}

/**
 * The controllers run as their own process (a child of the daemon, on its IPC channel), so they
 * use the other core and never stall the API server. They exit when the daemon goes away.
 */
export async function runControllersProcess(kubeconfigPath: string): Promise<void> {
  const controllers = await startControllers({ kubeconfigPath });
  const stop = async () => {
    await controllers.stop();
    process.exit(0);
  };
  process.on('disconnect', () => void stop());
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

function spawnControllers(cliPath: string, paths: ClusterPaths): ChildProcess {
  return spawn(process.execPath, [cliPath, 'controllers', '--kubeconfig', paths.kubeconfig], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

export async function runDaemon(paths: ClusterPaths, cliPath: string): Promise<void> {
  const config = readConfig(paths);
  if (!config) throw new Error(`cluster ${paths.name} has no configuration at ${paths.config}`);
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
  let controllers = spawnControllers(cliPath, paths);
  const watchControllers = (child: ChildProcess): void => {
    child.on('exit', (code, signal) => {
      if (stopping) return;
      console.error(`controllers exited (${signal ?? code}); restarting them`);
      setTimeout(() => {
        if (stopping) return;
        controllers = spawnControllers(cliPath, paths);
        watchControllers(controllers);
      }, 1000);
    });
  };
  watchControllers(controllers);
  let nodes: ClusterNodes | undefined;
  if (config.nodes) {
    try {
      nodes = await startClusterNodes({
        cluster: paths.name,
        client: KubeClient.fromFile(paths.kubeconfig),
        nodes: config.nodes,
        stateDir: join(paths.dir, 'nodes'),
        apiPort: config.port,
      });
      const nodesDir = join(paths.dir, 'nodes');
      api.setPodLogs((req) => openContainerLog(nodesDir, req));
      const agents = nodes.nodes;
      api.setPodExec((req) => execInContainer(agents, req));
    } catch (err) {
      stopping = true;
      controllers.kill('SIGTERM');
      await api.close();
      throw err;
    }
  }
  writeFileAtomic(paths.pid, String(process.pid), 0o644);
  console.log(`mizzen cluster ${paths.name}: API server at ${api.url}`);

  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`received ${signal}, stopping`);
    setTimeout(() => {
      console.error('shutdown took too long; exiting');
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
    await nodes?.stop().catch((err) => console.error(`stopping the nodes: ${(err as Error).message}`));
    const exited = new Promise<void>((resolve) =>
      controllers.exitCode !== null || controllers.signalCode !== null
        ? resolve()
        : controllers.once('exit', () => resolve()),
    );
    controllers.kill('SIGTERM');
    await exited;
    await api.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
