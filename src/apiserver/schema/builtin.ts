// OpenAPI v3 component schemas for built-in kinds, derived from the client-node models at runtime.
import type { Schema, SchemaResolver } from '../types.js';
import {
  ATOMIC_STRUCTS,
  FIELD_DEFAULTS,
  STRUCT_FIELD_EXTENSIONS,
  fieldExtensions,
  isQuantityField,
  isResourceList,
} from './extensions.js';
import { fileModelSource, type ModelAttribute, type ModelSource } from './models.js';
import {
  FIELDS_V1,
  INT_OR_STRING,
  JSON_VALUE,
  MICRO_TIME,
  QUANTITY,
  RAW_EXTENSION,
  SCHEMA_PREFIX,
  TIME,
  componentName,
  fixedComponentName,
} from './names.js';

export interface BuiltinRoot {
  group: string;
  version: string;
  kind: string;
  /** client-node model class name, e.g. "V1Deployment". */
  model: string;
}

export interface BuiltinSchemas {
  schemas: Record<string, Schema>;
  refFor(group: string, version: string, kind: string): string;
  resolve: SchemaResolver;
  /** component name -> client-node model, for the lazy description step. */
  models: Record<string, string>;
}

/** Go type names encoding/json prints for nodes whose type is not derivable from the schema alone. */
export const goTypeHints = new WeakMap<Schema, string>();

const ref = (name: string): Schema => ({ $ref: SCHEMA_PREFIX + name });

/** Types the models reach for pod templates, claims and references: they belong to core/v1. */
const CORE_ANCHORS = [
  'V1PodTemplateSpec',
  'V1PersistentVolumeClaim',
  'V1ObjectReference',
  'V1TypedLocalObjectReference',
  'V1TypedObjectReference',
  'V1Pod',
  'V1Service',
  'V1Node',
];

function referencedModel(type: string): string | undefined {
  let t = type;
  for (;;) {
    const arr = /^Array<(.+)>$/.exec(t);
    if (arr) {
      t = arr[1];
      continue;
    }
    const dict = /^\{ \[key: string\]: (.+); \}$/.exec(t);
    if (dict) {
      t = dict[1];
      continue;
    }
    break;
  }
  if (/^[A-Z]/.test(t) && t !== 'Date' && t !== 'IntOrString') return t;
  return undefined;
}

function primitiveComponents(): Record<string, Schema> {
  return {
    [INT_OR_STRING]: { format: 'int-or-string', 'x-kubernetes-int-or-string': true },
    [QUANTITY]: { 'x-kubernetes-int-or-string': true },
    [TIME]: { type: 'string', format: 'date-time' },
    [MICRO_TIME]: { type: 'string', format: 'date-time' },
    [RAW_EXTENSION]: {
      type: 'object',
      'x-kubernetes-preserve-unknown-fields': true,
      'x-kubernetes-embedded-resource': true,
    },
    [FIELDS_V1]: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    [JSON_VALUE]: { 'x-kubernetes-preserve-unknown-fields': true },
  };
}

const cache = new Map<string, BuiltinSchemas>();

export function builtinSchemas(roots: BuiltinRoot[], source: ModelSource = fileModelSource): BuiltinSchemas {
  const key = source === fileModelSource ? JSON.stringify(roots) : undefined;
  const hit = key !== undefined ? cache.get(key) : undefined;
  if (hit) return hit;
  const built = generate(roots, source);
  if (key !== undefined) cache.set(key, built);
  return built;
}

function generate(roots: BuiltinRoot[], source: ModelSource): BuiltinSchemas {
  const names = new Map<string, string>();
  const attrsOf = (model: string): ModelAttribute[] => source(model) ?? [];

  const assign = (start: string, group: string): void => {
    const stack = [start];
    while (stack.length) {
      const model = stack.pop()!;
      if (names.has(model) || !source(model)) continue;
      names.set(model, fixedComponentName(model) ?? componentName(model, group));
      for (const a of attrsOf(model)) {
        const r = referencedModel(a.type);
        if (r && !names.has(r)) stack.push(r);
      }
    }
  };
  // Meta types first (fixed names), then the core pod/claim/reference family, then the roots with
  // core roots before the others: a model takes the package of the first of these that reaches it.
  assign('V1ObjectMeta', '');
  const ordered = [...roots].sort((a, b) => (a.group === '' ? 0 : 1) - (b.group === '' ? 0 : 1));
  for (const r of ordered) if (r.group === '') assign(r.model, '');
  if (roots.some((r) => r.group !== '')) for (const m of CORE_ANCHORS) assign(m, '');
  for (const r of ordered) assign(r.model, r.group);

  const schemas: Record<string, Schema> = {};
  for (const [name, s] of Object.entries(primitiveComponents())) schemas[name] = s;
  const models: Record<string, string> = {};

  const emit = (start: string): void => {
    const stack = [start];
    while (stack.length) {
      const model = stack.pop()!;
      const name = names.get(model);
      if (!name || models[name]) continue;
      models[name] = model;
      schemas[name] = modelSchema(model, attrsOf(model), names, attrsOf);
      for (const a of attrsOf(model)) {
        const r = referencedModel(a.type);
        if (r && names.has(r) && !models[names.get(r)!]) stack.push(r);
      }
    }
  };
  emit('V1ObjectMeta');
  const rootNames = new Map<string, string>();
  for (const r of roots) {
    emit(r.model);
    const name = names.get(r.model);
    if (!name) throw new Error(`unknown client-node model ${r.model}`);
    const s = schemas[name];
    const gvks = (s['x-kubernetes-group-version-kind'] ??= []);
    if (!gvks.some((g) => g.group === r.group && g.version === r.version && g.kind === r.kind)) {
      gvks.push({ group: r.group, version: r.version, kind: r.kind });
    }
    rootNames.set(`${r.group}/${r.version}/${r.kind}`, name);
  }

  return {
    schemas,
    models,
    refFor(group, version, kind) {
      const name = rootNames.get(`${group}/${version}/${kind}`);
      if (!name) throw new Error(`no built-in schema for ${group}/${version}, Kind=${kind}`);
      return SCHEMA_PREFIX + name;
    },
    resolve: (r) => (r.startsWith(SCHEMA_PREFIX) ? schemas[r.slice(SCHEMA_PREFIX.length)] : undefined),
  };
}

function modelSchema(
  model: string,
  attrs: ModelAttribute[],
  names: Map<string, string>,
  attrsOf: (m: string) => ModelAttribute[],
): Schema {
  const properties: Record<string, Schema> = {};
  for (const a of attrs) {
    let s = typeSchema(a.type, a.format, model, a, names);
    const arr = /^Array<(.+)>$/.exec(a.type);
    if (arr) {
      const item = referencedModel(arr[1]);
      const ext = fieldExtensions(
        model,
        a.baseName,
        item,
        item ? attrsOf(item).map((x) => x.baseName) : undefined,
      );
      if (ext) s = { ...s, ...ext };
    } else if (STRUCT_FIELD_EXTENSIONS[`${model}.${a.baseName}`]) {
      s = { allOf: [s], ...STRUCT_FIELD_EXTENSIONS[`${model}.${a.baseName}`] };
    } else if (FIELD_DEFAULTS[`${model}.${a.baseName}`] !== undefined) {
      s = { ...s, default: FIELD_DEFAULTS[`${model}.${a.baseName}`] };
    }
    properties[a.baseName] = s;
  }
  const out: Schema = { type: 'object', properties };
  if (ATOMIC_STRUCTS.has(model)) out['x-kubernetes-map-type'] = 'atomic';
  return out;
}

function typeSchema(
  type: string,
  format: string,
  model: string,
  attr: ModelAttribute,
  names: Map<string, string>,
): Schema {
  const arr = /^Array<(.+)>$/.exec(type);
  if (arr) return { type: 'array', items: typeSchema(arr[1], '', model, attr, names) };
  const dict = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (dict) {
    const quantity = isQuantityField(model, attr.name);
    const s: Schema = {
      type: 'object',
      additionalProperties: quantity ? ref(QUANTITY) : typeSchema(dict[1], format, model, attr, names),
    };
    if (quantity && isResourceList(model, attr.name)) goTypeHints.set(s, 'v1.ResourceList');
    return s;
  }
  switch (type) {
    case 'string':
      if (isQuantityField(model, attr.name)) return ref(QUANTITY);
      return format === 'byte' ? { type: 'string', format: 'byte' } : { type: 'string' };
    case 'number':
      if (format === 'int32' || format === 'int64') return { type: 'integer', format };
      return { type: 'number', format: format || 'double' };
    case 'boolean':
      return { type: 'boolean' };
    case 'Date':
      return ref(format === 'date-time-micro' ? MICRO_TIME : TIME);
    case 'IntOrString':
      return ref(INT_OR_STRING);
    case 'any':
      if (attr.name === 'fieldsV1') return ref(FIELDS_V1);
      if (model === 'V1JSONSchemaProps') return ref(JSON_VALUE);
      if (model === 'V1CustomResourceSubresources' || /StorageVersion$/.test(model)) {
        return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
      }
      return ref(RAW_EXTENSION);
    default: {
      const name = names.get(type);
      return name ? ref(name) : { 'x-kubernetes-preserve-unknown-fields': true };
    }
  }
}
