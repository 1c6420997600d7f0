// Public surface of istiod's xDS core.
export { XdsServer } from './server.js';
export type { ConnectionStatus, SyncStatus, TypeSyncStatus, XdsServerOptions } from './server.js';
export type {
  DestinationRule,
  DestinationRuleSubset,
  LabelSelector,
  MeshConfig,
  MeshEndpoint,
  MeshService,
  MeshSnapshot,
  Protocol,
  Proxy,
  ServicePort,
} from './model.js';
export { portProtocol } from './model.js';
export { parseNode, NodeError } from './node.js';
export { applyDiscoverySelectors, labelSelectorMatches, selectedNamespaces } from './selectors.js';
export { createPushContext, hostname, resolveHost } from './push-context.js';
export type { PushContext } from './push-context.js';
export type { Generator, GenerateRequest, XdsResource } from './gen/types.js';
export { sidecarGenerator } from './gen/sidecar.js';
export { grpcGenerator } from './gen/grpc.js';
export { clusterName, parseClusterName } from './gen/common.js';
export {
  TypeUrl,
  PUSH_ORDER,
  decodeAny,
  decodeMessage,
  encodeAny,
  encodeMessage,
  envoyRoot,
  protoIncludeDirs,
} from './proto.js';
export type { AnyMessage, Json, JsonObject } from './proto.js';
export { adsServiceDefinition } from './ads-service.js';
export type {
  DeltaDiscoveryRequest,
  DeltaDiscoveryResponse,
  DiscoveryRequest,
  DiscoveryResponse,
} from './ads-service.js';
