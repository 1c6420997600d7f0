// Node agents (the kubelet part) of the embedded cluster, and the daemon's node side around them.
export { startNode, KUBELET_VERSION, type NodeOptions, type NodeAgent } from './node-agent.js';
export { runNodeProcess, type NodeProcessOptions } from './node-process.js';
export {
  startClusterInfra,
  nodeNames,
  nodePodCidr,
  loadBalancerRange,
  CLUSTER_DNS_IP,
  KUBERNETES_SERVICE_IP,
  type ClusterInfraOptions,
  type ClusterInfra,
} from './cluster-infra.js';
export { PodIpAllocator } from './ipam.js';
export { resolvConf, containerEnvOf, type ContainerSpec, type PodFacts } from './pod-spec.js';
export { openContainerLog, containerLogPath, type LogRequest } from './logs.js';
export { execInContainer, containerPid, type ExecRequest } from './exec.js';
export { podStateDir, containerPidPath } from './state-paths.js';
