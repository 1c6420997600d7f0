// The embedded cluster's network: namespaces, pod wiring, service NAT, and sockets inside namespaces.
export { NetnsAgent, NetnsAgentError, type NetnsAgentOptions } from './agent.js';
export {
  ClusterNetwork,
  type ClusterNetworkOptions,
  type PodNetworkSpec,
  type PodNetwork,
  type HostLink,
} from './cluster-network.js';
export { leaks, formatLeaks, type Leak, type LeakKind, type LeakOptions } from './leaks.js';
export { teardownClusterNetwork } from './teardown.js';
export {
  serviceRules,
  svcChainName,
  sepChainName,
  SERVICE_LABEL,
  type ServiceLike,
  type ServicePortLike,
  type EndpointSliceLike,
  type EndpointLike,
  type ServiceRulesOptions,
} from './service-rules.js';
export { applyServiceRules, composeRestore } from './apply-rules.js';
export {
  clusterNetnsName,
  podNetnsName,
  podVethName,
  hostLinkNames,
  recordPath,
  POD_GATEWAY,
  SERVICE_DUMMY,
} from './names.js';
export { checkPrerequisites, readForwarding } from './host.js';
export { CommandError } from './exec.js';
