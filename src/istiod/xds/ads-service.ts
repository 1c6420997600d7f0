// The AggregatedDiscoveryService definition for @grpc/grpc-js, with (de)serializers built from the
// same protobufjs root as the resources, so requests and responses use one representation.
import type { ServiceDefinition } from '@grpc/grpc-js';
import { envoyRoot, type AnyMessage } from './proto.js';

/** A DiscoveryRequest / DeltaDiscoveryRequest as decoded (snake_case, enums as names). */
export interface DiscoveryRequest {
  version_info?: string;
  node?: NodeMessage;
  resource_names: string[];
  type_url: string;
  response_nonce?: string;
  error_detail?: { code?: number; message?: string };
}

export interface DeltaDiscoveryRequest {
  node?: NodeMessage;
  type_url: string;
  resource_names_subscribe: string[];
  resource_names_unsubscribe: string[];
  initial_resource_versions: Record<string, string>;
  response_nonce?: string;
  error_detail?: { code?: number; message?: string };
}

export interface NodeMessage {
  id?: string;
  cluster?: string;
  /** A decoded google.protobuf.Struct ({fields}) or, from tests, plain JSON. */
  metadata?: Record<string, unknown>;
  locality?: { region?: string; zone?: string; sub_zone?: string };
  user_agent_name?: string;
}

export interface DiscoveryResponse {
  version_info: string;
  resources: AnyMessage[];
  type_url: string;
  nonce: string;
  control_plane?: { identifier: string };
}

export interface DeltaDiscoveryResponse {
  system_version_info: string;
  resources: Array<{ name: string; version: string; resource: AnyMessage }>;
  type_url: string;
  removed_resources: string[];
  nonce: string;
}

const PKG = 'envoy.service.discovery.v3';
const DECODE = { enums: String, longs: String, arrays: true, objects: true } as const;

function codec<T>(name: string) {
  const type = envoyRoot().lookupType(`${PKG}.${name}`);
  return {
    serialize: (value: T): Buffer => Buffer.from(type.encode(type.fromObject(value as object)).finish()),
    deserialize: (bytes: Buffer): T => type.toObject(type.decode(bytes), DECODE) as T,
  };
}

let cached: ServiceDefinition | undefined;

/** The ADS service definition (both streams), usable for grpc.Server.addService and client constructors. */
export function adsServiceDefinition(): ServiceDefinition {
  if (cached) return cached;
  const req = codec<DiscoveryRequest>('DiscoveryRequest');
  const res = codec<DiscoveryResponse>('DiscoveryResponse');
  const dreq = codec<DeltaDiscoveryRequest>('DeltaDiscoveryRequest');
  const dres = codec<DeltaDiscoveryResponse>('DeltaDiscoveryResponse');
  const base = `/${PKG}.AggregatedDiscoveryService`;
  cached = {
    StreamAggregatedResources: {
      path: `${base}/StreamAggregatedResources`,
      requestStream: true,
      responseStream: true,
      requestSerialize: req.serialize,
      requestDeserialize: req.deserialize,
      responseSerialize: res.serialize,
      responseDeserialize: res.deserialize,
    },
    DeltaAggregatedResources: {
      path: `${base}/DeltaAggregatedResources`,
      requestStream: true,
      responseStream: true,
      requestSerialize: dreq.serialize,
      requestDeserialize: dreq.deserialize,
      responseSerialize: dres.serialize,
      responseDeserialize: dres.deserialize,
    },
  };
  return cached;
}
