// The set of served resources: the built-ins, plus one entry per established CRD. Discovery,
// OpenAPI and routing all read from here; it changes in the same turn a CRD is stored, so a client
// that just created a CRD finds its resource at once.
import { builtinSchemas, crdVersionSchema } from '../schema/index.js';
import type { KubeObject, Schema, SchemaResolver } from '../types.js';
import { builtinKinds, defaultVerbs, type BuiltinKind } from './builtins.js';
import { storageResource, type PrinterColumn, type ResourceInfo } from './resource.js';

export class Registry {
  private readonly builtins: ResourceInfo[];
  private crds = new Map<string, ResourceInfo>();
  private generationCounter = 0;
  private readonly listeners = new Set<() => void>();
  readonly builtinSchemaSet: ReturnType<typeof builtinSchemas>;

  constructor() {
    this.builtinSchemaSet = builtinSchemas(
      builtinKinds.map((k) => ({ group: k.group, version: k.version, kind: k.kind, model: k.model })),
    );
    this.builtins = builtinKinds.map((k) => this.fromBuiltin(k));
  }

  /** Bumped on every change of the served set (discovery and OpenAPI caches key on it). */
  get generation(): number {
    return this.generationCounter;
  }

  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  all(): ResourceInfo[] {
    return [...this.builtins, ...this.crds.values()];
  }

  /** Resolves a URL's group, version and resource (plural) to what serves it. */
  lookup(group: string, version: string, plural: string): ResourceInfo | undefined {
    for (const r of this.all())
      if (r.group === group && r.plural === plural && r.versions.includes(version)) return r;
    return undefined;
  }

  byGroupResource(group: string, plural: string): ResourceInfo | undefined {
    return this.all().find((r) => r.group === group && r.plural === plural);
  }

  byKind(group: string, kind: string): ResourceInfo | undefined {
    return this.all().find((r) => r.group === group && r.kind === kind);
  }

  /** Installs or replaces the resource of an established CRD; removes it when the CRD is gone. */
  applyCrd(crd: KubeObject | undefined, name: string): void {
    const existing = this.crds.get(name);
    if (!crd) {
      if (existing) {
        this.crds.delete(name);
        this.changed();
      }
      return;
    }
    const info = this.fromCrd(crd);
    this.crds.set(name, info);
    this.changed();
  }

  private changed(): void {
    this.generationCounter++;
    for (const fn of this.listeners) fn();
  }

  private fromBuiltin(k: BuiltinKind): ResourceInfo {
    const ref = this.builtinSchemaSet.refFor(k.group, k.version, k.kind);
    const resolve = this.builtinSchemaSet.resolve;
    const schema: Schema = { $ref: ref };
    return {
      group: k.group,
      versions: [k.version],
      storageVersion: k.version,
      kind: k.kind,
      listKind: `${k.kind}List`,
      plural: k.plural,
      singular: k.kind.toLowerCase(),
      shortNames: k.shortNames ?? [],
      categories: k.categories ?? [],
      namespaced: k.namespaced,
      verbs: k.verbs ?? defaultVerbs,
      status: k.status ?? false,
      scale: k.scale,
      extraSubresources: k.extraSubresources ?? [],
      generation: k.generation ?? 'none',
      origin: 'builtin',
      schema: () => ({ schema, resolve }),
      strategy: k.strategy ?? {},
    };
  }

  private fromCrd(crd: KubeObject): ResourceInfo {
    const spec = crd.spec;
    const served: any[] = (spec.versions ?? []).filter((v: any) => v.served);
    const ordered = served.map((v) => v.name).sort(compareKubeVersions);
    const storage = (spec.versions ?? []).find((v: any) => v.storage)?.name ?? ordered[0];
    const byVersion = new Map<string, any>((spec.versions ?? []).map((v: any) => [v.name, v]));
    const schemas = new Map<string, { schema: Schema; resolve: SchemaResolver }>();
    const metaResolve = this.builtinSchemaSet.resolve;
    const status = served.some((v) => v.subresources?.status !== undefined);
    const scaleSpec = served.find((v) => v.subresources?.scale)?.subresources?.scale;
    return {
      group: spec.group,
      versions: ordered,
      storageVersion: storage,
      kind: spec.names.kind,
      listKind: spec.names.listKind ?? `${spec.names.kind}List`,
      plural: spec.names.plural,
      singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
      shortNames: spec.names.shortNames ?? [],
      categories: spec.names.categories ?? [],
      namespaced: spec.scope !== 'Cluster',
      verbs: defaultVerbs,
      status,
      scale: scaleSpec,
      extraSubresources: [],
      generation: 'non-metadata',
      origin: 'crd',
      crdUid: crd.metadata.uid,
      selectableFields: (byVersion.get(storage)?.selectableFields ?? []).map((f: any) =>
        f.jsonPath.replace(/^\./, ''),
      ),
      schema: (version) => {
        let s = schemas.get(version);
        if (!s) {
          const root = crdVersionSchema(crd, version);
          if (!root) return undefined;
          s = { schema: root, resolve: metaResolve };
          schemas.set(version, s);
        }
        return s;
      },
      printerColumns: (version) =>
        byVersion.get(version)?.additionalPrinterColumns as PrinterColumn[] | undefined,
      strategy: {},
    };
  }
}

/** Kubernetes version priority: GA > beta > alpha, higher numbers first, then non-conforming names alphabetically. */
export function compareKubeVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return { rank: 0, major: 0, minor: 0 };
    const rank = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1;
    return { rank, major: Number(m[1]), minor: Number(m[3] ?? 0) };
  };
  const pa = parse(a);
  const pb = parse(b);
  if (pa.rank !== pb.rank) return pb.rank - pa.rank;
  if (pa.rank === 0) return a < b ? -1 : a > b ? 1 : 0;
  if (pa.major !== pb.major) return pb.major - pa.major;
  return pb.minor - pa.minor;
}

export { storageResource };
