// The cluster's background process: the API server and the controllers of the embedded cluster.
// `mizzen up` starts it detached; it stops cleanly on SIGTERM/SIGINT.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { startApiServer, renderKubeconfig } from '../apiserver/index.js';
import { startControllers } from '../controllers/index.js';
import type { ClusterPaths } from './paths.js';

export interface ClusterConfig {
  name: string;
  port: number;
  serviceCidr: string;
  createdAt: string;
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

export async function runDaemon(paths: ClusterPaths): Promise<void> {
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
  const controllers = await startControllers({ kubeconfigPath: paths.kubeconfig });
  writeFileAtomic(paths.pid, String(process.pid), 0o644);
  console.log(`mizzen cluster ${paths.name}: API server at ${api.url}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`received ${signal}, stopping`);
    await controllers.stop();
    await api.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
