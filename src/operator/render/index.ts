// Pure translation of the Sail Operator's resources into the Kubernetes objects its charts render.
export type {
  IstioCNILike,
  IstioLike,
  IstioRevisionLike,
  IstioRevisionTagLike,
  KubeObject,
  ObjectMetaLike,
  OwnerReference,
  Platform,
  UpdateStrategyType,
  Values,
  ZTunnelLike,
} from './types.js';
export { RenderValidationError } from './types.js';
export { deepMerge, mergeAll, getPath } from './merge.js';
export {
  DEFAULT_VERSION,
  isEndOfLife,
  resolveVersion,
  supportedVersionNames,
  versionNames,
  type ResolvedVersion,
} from './versions.js';
export { PROFILE_NAMES, profileValues, resolveProfiles } from './profiles.js';
export { MIZZEN_HUB, cniImage, componentImage, istiodImage, proxyImage, ztunnelImage } from './images.js';
export {
  DEFAULT_ISTIO_NAMESPACE,
  SAIL_API_VERSION,
  istioRevisionValues,
  istioToRevision,
  isRemote,
  revLabel,
  revisionDependencies,
  revisionNameFor,
  revisionValueFor,
  validateRevision,
  type IstioRevisionObject,
  type RenderOptions,
} from './revision.js';
export { effectiveIstiodValues, istiodContext, renderIstioRevision, type IstiodContext } from './istiod.js';
export { meshConfig, meshNetworks } from './mesh-config.js';
export {
  BUILTIN_TEMPLATES,
  BUILTIN_TEMPLATE_PREFIX,
  injectorConfig,
  injectorValues,
} from './injector-config.js';
export {
  injectorWebhookEntries,
  injectorWebhookName,
  validatorWebhookName,
  type LabelSelector,
  type LabelSelectorRequirement,
} from './webhooks.js';
export { renderDefaultBase, renderIstioRevisionTag } from './tag.js';
export { DEFAULT_CNI_NAMESPACE, effectiveCNIValues, renderIstioCNI } from './cni.js';
export {
  DEFAULT_ZTUNNEL_NAMESPACE,
  effectiveZTunnelValues,
  renderZTunnel,
  type ZTunnelRenderOptions,
} from './ztunnel.js';
export { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from './objects.js';
