// Descriptions and required lists for built-in schemas, read from the client-node .d.ts JSDoc.
// Kept out of builtinSchemas so that start-up only pays for it when OpenAPI is actually served.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Schema } from '../types.js';
import type { BuiltinSchemas } from './builtin.js';
import { fileModelSource, clientNodeModelsDir } from './models.js';

interface ModelDocs {
  description?: string;
  fields: Map<string, { description?: string; required: boolean }>;
}

const docsCache = new Map<string, ModelDocs | null>();

function cleanDoc(raw: string): string {
  return raw
    .split('\n')
    .map((l) => l.replace(/^\s*\*\s?/, '').trimEnd())
    .join('\n')
    .trim();
}

export function modelDocs(model: string): ModelDocs | undefined {
  const hit = docsCache.get(model);
  if (hit !== undefined) return hit ?? undefined;
  let docs: ModelDocs | null = null;
  try {
    const text = readFileSync(join(clientNodeModelsDir(), `${model}.d.ts`), 'utf8');
    const classAt = text.indexOf('export declare class');
    docs = { fields: new Map() };
    const classDoc = /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*$/.exec(text.slice(0, classAt));
    if (classDoc) docs.description = cleanDoc(classDoc[1]);
    const body = text.slice(classAt);
    const prop = /(?:\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*)?\n\s*'([^']+)'(\?)?:/g;
    for (let m = prop.exec(body); m; m = prop.exec(body)) {
      docs.fields.set(m[2], { description: m[1] ? cleanDoc(m[1]) : undefined, required: !m[3] });
    }
  } catch {
    docs = null;
  }
  docsCache.set(model, docs);
  return docs ?? undefined;
}

const withDocsCache = new WeakMap<BuiltinSchemas, Record<string, Schema>>();

/**
 * Copies of the component schemas with `description` and `required` filled in (the cached base
 * schemas are left untouched). A `$ref` property that gains a description is wrapped in a one-element
 * allOf, as Kubernetes' own OpenAPI v3 does.
 */
export function withDescriptions(built: BuiltinSchemas): Record<string, Schema> {
  const hit = withDocsCache.get(built);
  if (hit) return hit;
  const out: Record<string, Schema> = {};
  for (const [name, schema] of Object.entries(built.schemas)) {
    const model = built.models[name];
    const docs = model ? modelDocs(model) : undefined;
    if (!docs || !schema.properties) {
      out[name] = schema;
      continue;
    }
    const byBase = new Map((fileModelSource(model) ?? []).map((a) => [a.baseName, a.name]));
    const properties: Record<string, Schema> = {};
    const required: string[] = [];
    for (const [field, prop] of Object.entries(schema.properties)) {
      const d = docs.fields.get(byBase.get(field) ?? field);
      if (d?.required) required.push(field);
      if (!d?.description) {
        properties[field] = prop;
      } else if (prop.$ref) {
        properties[field] = { allOf: [{ $ref: prop.$ref }], description: d.description };
      } else {
        properties[field] = { ...prop, description: d.description };
      }
    }
    const copy: Schema = { ...schema, properties };
    if (docs.description) copy.description = docs.description;
    if (required.length) copy.required = required;
    out[name] = copy;
  }
  withDocsCache.set(built, out);
  return out;
}
