// Sidecar injection: policy, the pure pod mutation, and the HTTPS admission webhook.

export type {
  InjectionContext,
  InjectionValues,
  InjectorConfig,
  JsonPatchOp,
  LabelSelector,
  MeshConfig,
  Pod,
  ProxyConfig,
} from './types.js';
export { injectPod, selectTemplates, type InjectResult } from './inject.js';
export {
  injectRequired,
  labelSelectorMatches,
  shouldInject,
  webhookSelects,
  type InjectDecision,
  type ShouldInjectConfig,
  type WebhookSelectOptions,
} from './policy.js';
export { contextFromConfigMaps, type InjectorConfigMapData } from './config.js';
export {
  handleAdmissionReview,
  injectionRequestHandler,
  parseInjectPath,
  startInjectionServer,
  type InjectionConfigSource,
  type InjectionServer,
  type InjectionServerOptions,
} from './webhook.js';
