// The istiod process: registry, config, CA, xDS and webhook joined over the Kubernetes API.
export {
  DEFAULT_PORTS,
  startIstiod,
  type IstiodOptions,
  type IstiodPorts,
  type RunningIstiod,
} from './start.js';
export { kubeClientForProcess, runIstiodProcess, type IstiodProcessOptions } from './process.js';
export { buildSnapshot, type KubeObject } from './snapshot.js';
export { durationSeconds, parseMeshConfig, type IstiodMeshConfig } from './mesh-config.js';
export { metricsText, syncz } from './http.js';
export { ownsMutatingWebhook, ownsValidatingWebhook, withCaBundle } from './webhook-ca-bundle.js';
