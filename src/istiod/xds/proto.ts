// Envoy's v3 protos, loaded at run time from the .proto files that @grpc/grpc-js-xds ships, and the
// conversion between proto3 JSON (snake_case, as Envoy's config_dump prints it) and wire bytes.
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import protobuf from 'protobufjs';

const require = createRequire(import.meta.url);

export const TYPE_PREFIX = 'type.googleapis.com/';
export const TypeUrl = {
  cluster: `${TYPE_PREFIX}envoy.config.cluster.v3.Cluster`,
  endpoint: `${TYPE_PREFIX}envoy.config.endpoint.v3.ClusterLoadAssignment`,
  listener: `${TYPE_PREFIX}envoy.config.listener.v3.Listener`,
  route: `${TYPE_PREFIX}envoy.config.route.v3.RouteConfiguration`,
  secret: `${TYPE_PREFIX}envoy.extensions.transport_sockets.tls.v3.Secret`,
} as const;

/** Push order: Envoy warms clusters with EDS and listeners with RDS, so parents go first. */
export const PUSH_ORDER: readonly string[] = [
  TypeUrl.cluster,
  TypeUrl.endpoint,
  TypeUrl.listener,
  TypeUrl.route,
  TypeUrl.secret,
];

export const SHORT_TYPE: Record<string, string> = {
  [TypeUrl.cluster]: 'CDS',
  [TypeUrl.endpoint]: 'EDS',
  [TypeUrl.listener]: 'LDS',
  [TypeUrl.route]: 'RDS',
  [TypeUrl.secret]: 'SDS',
};

const PROTO_FILES = [
  'envoy/service/discovery/v3/ads.proto',
  'envoy/config/cluster/v3/cluster.proto',
  'envoy/config/endpoint/v3/endpoint.proto',
  'envoy/config/listener/v3/listener.proto',
  'envoy/config/route/v3/route.proto',
  'envoy/extensions/transport_sockets/tls/v3/secret.proto',
  'envoy/extensions/transport_sockets/tls/v3/tls.proto',
  'envoy/extensions/transport_sockets/raw_buffer/v3/raw_buffer.proto',
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.proto',
  'envoy/extensions/filters/http/router/v3/router.proto',
  'envoy/extensions/filters/listener/original_dst/v3/original_dst.proto',
  'envoy/extensions/filters/listener/http_inspector/v3/http_inspector.proto',
  'envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.proto',
  'envoy/extensions/upstreams/http/v3/http_protocol_options.proto',
  'envoy/extensions/retry/host/previous_hosts/v3/previous_hosts.proto',
];

/** The folder holding envoy-api, xds, googleapis and protoc-gen-validate, wherever npm put the package. */
export function protoIncludeDirs(): string[] {
  const base = path.join(path.dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');
  return ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => path.join(base, d));
}

let cachedRoot: protobuf.Root | undefined;

/** The protobufjs root with every type the control plane emits (loaded once, ~0.5 s). */
export function envoyRoot(): protobuf.Root {
  if (cachedRoot) return cachedRoot;
  // descriptor.proto and friends are not in grpc-js-xds' deps; protobufjs ships them as JSON.
  for (const name of ['api', 'descriptor', 'source_context', 'type']) {
    const json = require(`protobufjs/google/protobuf/${name}.json`);
    protobuf.common(name, json.nested.google.nested.protobuf.nested);
  }
  const dirs = protoIncludeDirs();
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => {
    if (path.isAbsolute(target)) return target;
    for (const dir of dirs) {
      const full = path.join(dir, target);
      try {
        accessSync(full, constants.R_OK);
        return full;
      } catch {
        // try the next include dir
      }
    }
    return target;
  };
  root.loadSync(PROTO_FILES, { keepCase: true });
  root.resolveAll();
  cachedRoot = root;
  return root;
}

export function lookupType(name: string): protobuf.Type {
  return envoyRoot().lookupType(name.startsWith(TYPE_PREFIX) ? name.slice(TYPE_PREFIX.length) : name);
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** google.protobuf.Any on the wire, as protobufjs and @grpc/proto-loader represent it. */
export interface AnyMessage {
  type_url: string;
  value: Uint8Array;
}

const WRAPPERS = new Set(
  ['Double', 'Float', 'Int64', 'UInt64', 'Int32', 'UInt32', 'Bool', 'String', 'Bytes'].map(
    (w) => `.google.protobuf.${w}Value`,
  ),
);

function durationFromJson(value: Json): Json {
  if (typeof value !== 'string') return value;
  const m = /^(-?)(\d+)(?:\.(\d{1,9}))?s$/.exec(value);
  if (!m) throw new Error(`bad duration ${JSON.stringify(value)}`);
  const nanos = m[3] ? Number(m[3].padEnd(9, '0')) : 0;
  const sign = m[1] ? -1 : 1;
  return { seconds: sign * Number(m[2]), nanos: sign * nanos };
}

function durationToJson(value: any): string {
  const seconds = Number(value.seconds ?? 0);
  const nanos = Number(value.nanos ?? 0);
  if (!nanos) return `${seconds}s`;
  const frac = String(Math.abs(nanos)).padStart(9, '0').replace(/0+$/, '');
  return `${seconds === 0 && nanos < 0 ? '-' : ''}${seconds}.${frac}s`;
}

// protobufjs defines the well-known types with camelCase fields whatever keepCase says.
function valueFromJson(v: Json): JsonObject {
  if (v === null) return { nullValue: 'NULL_VALUE' };
  if (typeof v === 'number') return { numberValue: v };
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (Array.isArray(v)) return { listValue: { values: v.map(valueFromJson) } };
  return { structValue: structFromJson(v) };
}

function structFromJson(obj: JsonObject): JsonObject {
  const fields: JsonObject = {};
  for (const [k, v] of Object.entries(obj)) fields[k] = valueFromJson(v);
  return { fields };
}

export function valueToJson(v: any): Json {
  if (v == null) return null;
  if ('stringValue' in v) return v.stringValue;
  if ('numberValue' in v) return v.numberValue;
  if ('boolValue' in v) return v.boolValue;
  if ('structValue' in v) return structToJson(v.structValue);
  if ('listValue' in v) return (v.listValue?.values ?? []).map(valueToJson);
  return null;
}

/** google.protobuf.Struct (as decoded with keepCase) to plain JSON. */
export function structToJson(s: any): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries<any>(s?.fields ?? {})) out[k] = valueToJson(v);
  return out;
}

function convertIn(type: protobuf.Type, json: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(json)) {
    if (key === '@type') continue;
    const field = type.fields[key];
    if (!field) throw new Error(`${type.fullName} has no field ${key}`);
    const rt = field.resolvedType;
    const one = (v: Json): Json => {
      if (!(rt instanceof protobuf.Type) || v === null) return v;
      return fieldIn(rt, v);
    };
    if (field.map) {
      const m: JsonObject = {};
      for (const [mk, mv] of Object.entries(value as JsonObject)) m[mk] = one(mv);
      out[key] = m;
    } else if (field.repeated) {
      out[key] = (value as Json[]).map(one);
    } else {
      out[key] = one(value);
    }
  }
  return out;
}

function fieldIn(rt: protobuf.Type, v: Json): Json {
  switch (rt.fullName) {
    case '.google.protobuf.Duration':
      return durationFromJson(v);
    case '.google.protobuf.Struct':
      return structFromJson(v as JsonObject);
    case '.google.protobuf.Value':
      return valueFromJson(v);
    case '.google.protobuf.Any':
      return anyFromJson(v as JsonObject) as unknown as Json;
  }
  if (WRAPPERS.has(rt.fullName) && (typeof v !== 'object' || v === null)) return { value: v };
  return convertIn(rt, v as JsonObject);
}

function anyFromJson(json: JsonObject): AnyMessage {
  const url = json['@type'];
  if (typeof url !== 'string') throw new Error('Any without @type');
  const inner = lookupType(url);
  const msg = inner.fromObject(convertIn(inner, json));
  return { type_url: url, value: inner.encode(msg).finish() };
}

/** Encodes a proto3-JSON resource (with "@type") as google.protobuf.Any. Unknown fields throw. */
export function encodeAny(json: JsonObject): AnyMessage {
  return anyFromJson(json);
}

/** Encodes a message given in proto3 JSON to bytes. */
export function encodeMessage(typeName: string, json: JsonObject): Uint8Array {
  const type = lookupType(typeName);
  return type.encode(type.fromObject(convertIn(type, json))).finish();
}

function convertOut(type: protobuf.Type, obj: any): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries<any>(obj)) {
    const field = type.fields[key];
    const rt = field?.resolvedType;
    const one = (v: any): Json => (rt instanceof protobuf.Type && v != null ? fieldOut(rt, v) : v);
    if (field?.map) {
      const m: JsonObject = {};
      for (const [mk, mv] of Object.entries<any>(value)) m[mk] = one(mv);
      out[key] = m;
    } else if (field?.repeated) {
      out[key] = (value as any[]).map(one);
    } else {
      out[key] = one(value);
    }
  }
  return out;
}

function fieldOut(rt: protobuf.Type, v: any): Json {
  switch (rt.fullName) {
    case '.google.protobuf.Duration':
      return durationToJson(v);
    case '.google.protobuf.Struct':
      return structToJson(v);
    case '.google.protobuf.Value':
      return valueToJson(v);
    case '.google.protobuf.Any':
      return decodeAny(v);
  }
  if (WRAPPERS.has(rt.fullName)) return v.value ?? (rt.fullName === '.google.protobuf.BoolValue' ? false : 0);
  return convertOut(rt, v);
}

const TO_OBJECT: protobuf.IConversionOptions = { enums: String, longs: String, bytes: String };

/** Decodes google.protobuf.Any into proto3 JSON with "@type" first (nested Anys too). */
export function decodeAny(any: { type_url: string; value?: Uint8Array | string }): JsonObject {
  const inner = lookupType(any.type_url);
  const bytes =
    typeof any.value === 'string' ? Buffer.from(any.value, 'base64') : (any.value ?? new Uint8Array());
  const obj = inner.toObject(inner.decode(bytes), TO_OBJECT);
  return { '@type': any.type_url, ...convertOut(inner, obj) };
}

/** Decodes bytes of the named message type into proto3 JSON. */
export function decodeMessage(typeName: string, bytes: Uint8Array): JsonObject {
  const type = lookupType(typeName);
  return convertOut(type, type.toObject(type.decode(bytes), TO_OBJECT));
}
