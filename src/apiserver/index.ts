export { startApiServer, type ApiServerOptions, type RunningApiServer } from './server.js';
export type { PodPortForwardSource } from './portforward/handler.js';
export { KUBE_VERSION } from './router.js';
export { renderKubeconfig, loadOrCreateClusterPki, type ClusterPki, type UserInfo } from './auth/index.js';
export { StatusError } from './errors.js';
export type { KubeObject } from './types.js';
