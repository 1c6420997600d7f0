// Public surface of the operator's API package: the Sail and Istio config types, their CRDs,
// defaulting and validation.
export { field, toSchema, defaultValue, type Field, type Infer, type JSONSchema } from './dsl.js';
export type { KindRef, PrinterColumn } from './crd.js';
export type { Condition } from './common.js';
export {
  ISTIO,
  ISTIO_REVISION,
  ISTIO_REVISION_TAG,
  ISTIO_CNI,
  ZTUNNEL,
  ISTIO_CONFIG_KINDS,
  sailCrds,
  istioConfigCrds,
  applyDefaults,
  type SailKindName,
} from './kinds.js';
export { validate } from './validate.js';
export {
  DEFAULT_VERSION,
  ISTIO_VERSIONS,
  CONCRETE_VERSIONS,
  ZTUNNEL_VERSIONS,
  PROFILES,
  type Profile,
} from './versions.js';
export type { Values, CNIValues, ZTunnelValues } from './values.js';
export {
  SAIL_GROUP,
  ConditionType,
  ConditionReason,
  HEALTHY_STATE,
  SAIL_FINALIZER,
  DEFAULT_INACTIVE_REVISION_GRACE_SECONDS,
  type IstioSpec,
  type IstioStatus,
  type IstioRevisionSpec,
  type IstioRevisionStatus,
  type IstioRevisionTagSpec,
  type IstioRevisionTagStatus,
  type IstioCNISpec,
  type IstioCNIStatus,
  type ZTunnelSpec,
  type ZTunnelSpecV1alpha1,
  type ZTunnelStatus,
  type BasicStatus,
} from './sail.js';
export type {
  VirtualServiceSpec,
  DestinationRuleSpec,
  GatewaySpec,
  ServiceEntrySpec,
  SidecarSpec,
  WorkloadEntrySpec,
  PeerAuthenticationSpec,
  AuthorizationPolicySpec,
  RequestAuthenticationSpec,
  IstioConfigStatus,
} from './istio-config.js';
export type * from './objects.js';
