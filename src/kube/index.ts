export {
  KubeClient,
  KubeError,
  Informer,
  resourcePath,
  type ApiResource,
  type InformerHandlers,
} from './client.js';
