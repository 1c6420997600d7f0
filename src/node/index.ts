// Node agents (the kubelet part) of the embedded cluster, and the daemon's node side around them.
export { startNode, KUBELET_VERSION, type NodeOptions, type NodeAgent } from './node-agent.js';
export {
  startClusterNodes,
  nodeNames,
  loadBalancerRange,
  CLUSTER_DNS_IP,
  KUBERNETES_SERVICE_IP,
  type ClusterNodesOptions,
  type ClusterNodes,
} from './cluster-nodes.js';
export { PodIpAllocator } from './ipam.js';
export { resolvConf, containerEnvOf, type ContainerSpec, type PodFacts } from './pod-spec.js';
export { openContainerLog, containerLogPath, type LogRequest } from './logs.js';
export { execInContainer, type ExecRequest } from './exec.js';
