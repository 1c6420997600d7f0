export {
  up,
  down,
  status,
  runningPid,
  type UpResult,
  type DownResult,
  type ClusterStatus,
} from './lifecycle.js';
export { runDaemon, runControllersProcess, readConfig } from './daemon.js';
export { clusterPaths, mizzenHome, DEFAULT_CLUSTER, type ClusterPaths } from './paths.js';
