// Where a cluster keeps its state: $MIZZEN_HOME/clusters/<name>/.
import { homedir } from 'node:os';
import { join } from 'node:path';

export const DEFAULT_CLUSTER = 'mizzen';

export function mizzenHome(): string {
  return process.env.MIZZEN_HOME || join(homedir(), '.mizzen');
}

export interface ClusterPaths {
  name: string;
  dir: string;
  config: string;
  kubeconfig: string;
  pid: string;
  /** Exists once the daemon serves everything it starts (API server, controllers, network). */
  ready: string;
  log: string;
  data: string;
}

export function clusterPaths(name: string): ClusterPaths {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 40)
    throw new Error(
      `invalid cluster name "${name}": use lower-case letters, digits and '-' (at most 40 characters)`,
    );
  const dir = join(mizzenHome(), 'clusters', name);
  return {
    name,
    dir,
    config: join(dir, 'cluster.json'),
    kubeconfig: join(dir, 'kubeconfig'),
    pid: join(dir, 'daemon.pid'),
    ready: join(dir, 'daemon.ready'),
    log: join(dir, 'daemon.log'),
    data: join(dir, 'data'),
  };
}
