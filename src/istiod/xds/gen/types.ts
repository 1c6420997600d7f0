// The push generator abstraction: one per proxy kind (sidecar Envoy, proxyless gRPC, ...).
import type { Proxy } from '../model.js';
import type { JsonObject } from '../proto.js';
import type { PushContext } from '../push-context.js';

/** One named resource in proto3 JSON, "@type" included. */
export interface XdsResource {
  name: string;
  resource: JsonObject;
}

export interface GenerateRequest {
  push: PushContext;
  /** Names the proxy subscribed to; undefined for a wildcard subscription. */
  names?: readonly string[];
}

export interface Generator {
  /** Returns undefined for a type this generator does not serve. */
  generate(proxy: Proxy, typeUrl: string, request: GenerateRequest): XdsResource[] | undefined;
}

export function filterByNames(resources: XdsResource[], names: readonly string[] | undefined): XdsResource[] {
  if (!names) return resources;
  const wanted = new Set(names);
  return resources.filter((r) => wanted.has(r.name));
}
