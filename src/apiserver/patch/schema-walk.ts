// Reading the merge-relevant parts of a schema node. Both strategic merge patch and server-side
// apply walk a value alongside its schema; these helpers answer "what is the schema of this
// child" and "how does this list/map merge".

import { deref, type Schema, type SchemaResolver } from '../types.js';

/**
 * Reads an extension from a node or any node on its `$ref`/allOf chain. A property written as
 * `{allOf:[{$ref}], x-kubernetes-patch-strategy: ...}` carries the extension on the wrapper, which
 * `deref` would step past.
 */
export function extension<T>(node: Schema | undefined, resolve: SchemaResolver, name: string): T | undefined {
  let s = node;
  for (let i = 0; s && i < 16; i++) {
    const v = (s as Record<string, unknown>)[name];
    if (v !== undefined) return v as T;
    if (s.$ref) s = resolve(s.$ref);
    else if (s.allOf && s.allOf.length === 1 && !s.type && !s.properties) s = s.allOf[0];
    else return undefined;
  }
  return undefined;
}

export interface ChildSchema {
  schema: Schema | undefined;
  /** True for a named property; false for entries of a map (additionalProperties) or unknown keys. */
  declared: boolean;
}

export function childSchema(node: Schema | undefined, key: string, resolve: SchemaResolver): ChildSchema {
  const s = deref(node, resolve);
  if (!s) return { schema: undefined, declared: false };
  const prop = s.properties?.[key];
  if (prop) return { schema: prop, declared: true };
  if (s.additionalProperties && typeof s.additionalProperties === 'object') {
    return { schema: s.additionalProperties, declared: false };
  }
  return { schema: undefined, declared: false };
}

export function itemsSchema(node: Schema | undefined, resolve: SchemaResolver): Schema | undefined {
  return deref(node, resolve)?.items;
}

/** A node described by named properties (a Go struct), as opposed to a map or an unknown value. */
export function isStructLike(node: Schema | undefined, resolve: SchemaResolver): boolean {
  const s = deref(node, resolve);
  return !!s?.properties && Object.keys(s.properties).length > 0;
}

export interface PatchMeta {
  strategies: string[];
  mergeKey: string | undefined;
}

/** The strategic-merge-patch metadata (struct tags upstream; OpenAPI extensions here). */
export function patchMeta(node: Schema | undefined, resolve: SchemaResolver): PatchMeta {
  const strategy = extension<string>(node, resolve, 'x-kubernetes-patch-strategy');
  return {
    strategies: strategy
      ? strategy
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean)
      : [],
    mergeKey: extension<string>(node, resolve, 'x-kubernetes-patch-merge-key'),
  };
}

export interface ListSemantics {
  type: 'atomic' | 'set' | 'map';
  keys: string[];
}

/**
 * How server-side apply treats a list. Explicit `x-kubernetes-list-type` wins; built-in schemas
 * that only carry strategic-merge metadata get the equivalent: a merge key makes a map list, a
 * merge strategy without a key makes a set. Anything else is atomic.
 */
export function listSemantics(node: Schema | undefined, resolve: SchemaResolver): ListSemantics {
  const listType = extension<string>(node, resolve, 'x-kubernetes-list-type');
  const meta = patchMeta(node, resolve);
  if (listType === 'map') {
    const keys = extension<string[]>(node, resolve, 'x-kubernetes-list-map-keys');
    return { type: 'map', keys: keys && keys.length ? keys : meta.mergeKey ? [meta.mergeKey] : [] };
  }
  if (listType === 'set') return { type: 'set', keys: [] };
  if (listType === 'atomic') return { type: 'atomic', keys: [] };
  if (meta.strategies.includes('merge')) {
    return meta.mergeKey ? { type: 'map', keys: [meta.mergeKey] } : { type: 'set', keys: [] };
  }
  return { type: 'atomic', keys: [] };
}

export function isAtomicMap(node: Schema | undefined, resolve: SchemaResolver): boolean {
  return extension<string>(node, resolve, 'x-kubernetes-map-type') === 'atomic';
}
