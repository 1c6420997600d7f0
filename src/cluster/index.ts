export {
  up,
  down,
  status,
  runningPid,
  type UpResult,
  type DownResult,
  type ClusterStatus,
} from './lifecycle.js';
export { runDaemon, runControllersProcess, runNodeAgentProcess } from './daemon.js';
export { readConfig, type ClusterConfig } from './config.js';
export { runningAgentPid, nodeAgentPaths, type AgentState } from './node-agents.js';
export { clusterPaths, mizzenHome, DEFAULT_CLUSTER, type ClusterPaths } from './paths.js';
