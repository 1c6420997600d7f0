// OpenAPI v3 documents: one per group version, with a PATCH operation per resource that declares
// `fieldValidation` (kubectl checks for it before sending strict requests) and the kinds' schemas
// (kubectl explain reads them). Built per registry generation and cached.
import { createHash } from 'node:crypto';
import { groupVersion, type ResourceInfo } from './resources/resource.js';
import type { Registry } from './resources/registry.js';
import { withDescriptions } from './schema/index.js';
import type { Schema, SchemaResolver } from './types.js';

interface Cache {
  generation: number;
  docs: Map<string, { json: string; hash: string }>;
}

const META_REF = '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

export class OpenApi {
  private cache: Cache = { generation: -1, docs: new Map() };

  constructor(private readonly registry: Registry) {}

  root(): object {
    this.refresh();
    const paths: Record<string, { serverRelativeURL: string }> = {};
    for (const [gv, d] of this.cache.docs)
      paths[gv] = { serverRelativeURL: `/openapi/v3/${gv}?hash=${d.hash}` };
    return { paths };
  }

  /** The document for "api/v1" or "apis/<group>/<version>", serialised. */
  document(path: string): string | undefined {
    this.refresh();
    return this.cache.docs.get(path)?.json;
  }

  private refresh(): void {
    if (this.cache.generation === this.registry.generation) return;
    const byGv = new Map<string, { group: string; version: string; resources: ResourceInfo[] }>();
    for (const r of this.registry.all()) {
      for (const v of r.versions) {
        const key = r.group ? `apis/${r.group}/${v}` : `api/${v}`;
        let e = byGv.get(key);
        if (!e) byGv.set(key, (e = { group: r.group, version: v, resources: [] }));
        e.resources.push(r);
      }
    }
    const docs = new Map<string, { json: string; hash: string }>();
    for (const [key, e] of byGv) {
      const json = JSON.stringify(this.build(e.group, e.version, e.resources));
      docs.set(key, {
        json,
        hash: createHash('sha512').update(json).digest('hex').slice(0, 32).toUpperCase(),
      });
    }
    this.cache = { generation: this.registry.generation, docs };
  }

  private build(group: string, version: string, resources: ResourceInfo[]): object {
    const paths: Record<string, object> = {};
    const schemas: Record<string, Schema> = {};
    // OpenAPI is what `kubectl explain` reads, so it carries the descriptions the runtime schemas omit.
    const described = withDescriptions(this.registry.builtinSchemaSet);
    const describedResolve: SchemaResolver = (ref) => described[ref.replace('#/components/schemas/', '')];
    const prefix = group ? `/apis/${group}/${version}` : `/api/${version}`;
    for (const r of resources) {
      const gvk = { group: r.group, version, kind: r.kind };
      const patch = {
        patch: {
          'x-kubernetes-group-version-kind': gvk,
          'x-kubernetes-action': 'patch',
          parameters: [
            { name: 'dryRun', in: 'query', schema: { type: 'string', uniqueItems: true } },
            { name: 'fieldManager', in: 'query', schema: { type: 'string', uniqueItems: true } },
            { name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } },
            { name: 'force', in: 'query', schema: { type: 'boolean', uniqueItems: true } },
          ],
          responses: { '200': { description: 'OK' } },
        },
      };
      const item = r.namespaced
        ? `${prefix}/namespaces/{namespace}/${r.plural}/{name}`
        : `${prefix}/${r.plural}/{name}`;
      paths[item] = patch;
      if (r.status) paths[`${item}/status`] = patch;
      const sch = r.schema(version);
      if (!sch) continue;
      if (r.origin === 'builtin') {
        collect(sch.schema, describedResolve, schemas);
      } else {
        const name = crdSchemaName(r.group, version, r.kind);
        schemas[name] = { ...withMetaRef(sch.schema), 'x-kubernetes-group-version-kind': [gvk] };
        collect({ $ref: META_REF }, describedResolve, schemas);
      }
    }
    return {
      openapi: '3.0.0',
      info: { title: 'Kubernetes', version: 'v1.32.4' },
      paths,
      components: { schemas },
    };
  }
}

export const groupVersionPath = (group: string, version: string): string =>
  group ? `apis/${groupVersion(group, version)}` : `api/${version}`;

/** "sailoperator.io", "v1", "Istio" -> "io.sailoperator.v1.Istio", the naming upstream uses for CRD schemas. */
function crdSchemaName(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

function withMetaRef(schema: Schema): Schema {
  const props = { ...(schema.properties ?? {}) };
  props.metadata = {
    allOf: [{ $ref: META_REF }],
    description: props.metadata?.description ?? "Standard object's metadata.",
  };
  return { ...schema, properties: props };
}

/** Copies every schema reachable from `root` into `out`, keyed by component name. */
function collect(root: Schema, resolve: SchemaResolver, out: Record<string, Schema>): void {
  const stack: Schema[] = [root];
  const seen = new Set<Schema>();
  while (stack.length > 0) {
    const s = stack.pop()!;
    if (!s || typeof s !== 'object' || seen.has(s)) continue;
    seen.add(s);
    if (s.$ref) {
      const name = s.$ref.replace('#/components/schemas/', '');
      if (!out[name]) {
        const target = resolve(s.$ref);
        if (target) {
          out[name] = target;
          stack.push(target);
        }
      }
      continue;
    }
    for (const child of [
      ...Object.values(s.properties ?? {}),
      s.items,
      typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined,
      ...(s.allOf ?? []),
      ...(s.anyOf ?? []),
      ...(s.oneOf ?? []),
    ])
      if (child) stack.push(child);
  }
}
