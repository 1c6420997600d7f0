// Whole-object types (metadata + spec + status) of the Sail and Istio config kinds.
import type {
  DestinationRuleSpec,
  GatewaySpec,
  IstioConfigStatus,
  PeerAuthenticationSpec,
} from './istio-config.js';
import type { AuthorizationPolicySpec, RequestAuthenticationSpec, ServiceEntrySpec } from './istio-config.js';
import type { SidecarSpec, VirtualServiceSpec, WorkloadEntrySpec } from './istio-config.js';
import type {
  BasicStatus,
  IstioCNISpec,
  IstioRevisionSpec,
  IstioRevisionTagSpec,
  IstioSpec,
} from './sail.js';
import type { IstioRevisionTagStatus, IstioStatus, ZTunnelSpec, ZTunnelStatus } from './sail.js';

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
}

export interface Resource<Spec, Status> {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: Spec;
  status?: Status;
}

export type Istio = Resource<IstioSpec, IstioStatus>;
export type IstioRevision = Resource<IstioRevisionSpec, BasicStatus>;
export type IstioRevisionTag = Resource<IstioRevisionTagSpec, IstioRevisionTagStatus>;
export type IstioCNI = Resource<IstioCNISpec, BasicStatus>;
export type ZTunnel = Resource<ZTunnelSpec, ZTunnelStatus>;

export type VirtualService = Resource<VirtualServiceSpec, IstioConfigStatus>;
export type DestinationRule = Resource<DestinationRuleSpec, IstioConfigStatus>;
export type Gateway = Resource<GatewaySpec, IstioConfigStatus>;
export type ServiceEntry = Resource<ServiceEntrySpec, IstioConfigStatus>;
export type Sidecar = Resource<SidecarSpec, IstioConfigStatus>;
export type WorkloadEntry = Resource<WorkloadEntrySpec, IstioConfigStatus>;
export type PeerAuthentication = Resource<PeerAuthenticationSpec, IstioConfigStatus>;
export type AuthorizationPolicy = Resource<AuthorizationPolicySpec, IstioConfigStatus>;
export type RequestAuthentication = Resource<RequestAuthenticationSpec, IstioConfigStatus>;
