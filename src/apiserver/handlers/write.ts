// Create, update (PUT) and patch of objects and of their status subresource.
import {
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  serverSideApply,
  updateManagedFields,
} from '../patch/index.js';
import {
  alreadyExists,
  badRequest,
  conflict,
  notFound,
  StatusError,
  unsupportedMediaType,
  internalError,
} from '../errors.js';
import { decodeObject, mediaType, parseJson, readBody } from '../http/body.js';
import { sendText } from '../http/respond.js';
import { storageResource, type ResourceInfo } from '../resources/resource.js';
import { StoreError, cloneObject, type Entry } from '../store/index.js';
import type { KubeObject } from '../types.js';
import { admit, checkNamespace, dryRunOf, fieldValidationOf, type FieldValidation } from './admit.js';
import {
  apiVersionOf,
  atVersion,
  jsonAtVersion,
  qualifiedResource,
  rfc3339,
  type ApiContext,
  type Scope,
} from './context.js';
import {
  bumpGeneration,
  carryServerFields,
  deletionComplete,
  generatedName,
  stampCreate,
} from './object-meta.js';

const MAX_CONFLICT_RETRIES = 5;

export function checkTypeMeta(obj: any, info: ResourceInfo, version: string): void {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj))
    throw badRequest('the request body must be a JSON or YAML object');
  const expected = apiVersionOf(info, version);
  if (obj.apiVersion === undefined || obj.apiVersion === '') obj.apiVersion = expected;
  if (obj.kind === undefined || obj.kind === '') obj.kind = info.kind;
  if (obj.apiVersion !== expected)
    throw badRequest(
      `the API version in the data (${obj.apiVersion}) does not match the expected API version (${expected})`,
    );
  if (obj.kind !== info.kind)
    throw badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${info.kind})`);
  if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
  if (typeof obj.metadata !== 'object' || Array.isArray(obj.metadata))
    throw badRequest('metadata must be an object');
}

function fieldManager(s: Scope, fallback: string): string {
  const m = s.query.get('fieldManager');
  if (m !== null) {
    if (m.length > 128) throw badRequest('fieldManager: Too long: may not be more than 128 bytes');
    return m;
  }
  const ua = String(s.req.headers['user-agent'] ?? fallback);
  return ua.split('/')[0] || fallback;
}

function toStorage(obj: KubeObject, info: ResourceInfo): KubeObject {
  return { ...obj, apiVersion: apiVersionOf(info, info.storageVersion) };
}

function managed(
  s: Scope,
  old: KubeObject | undefined,
  updated: KubeObject,
  manager: string,
  now: string,
): KubeObject {
  const sch = s.info.schema(s.version);
  if (!sch) return updated;
  return updateManagedFields({
    old,
    updated,
    manager,
    operation: 'Update',
    apiVersion: apiVersionOf(s.info, s.version),
    schema: sch.schema,
    resolve: sch.resolve,
    now,
    subresource: s.subresource === 'status' ? 'status' : undefined,
  });
}

function respond(s: Scope, code: number, entryOrObj: Entry | KubeObject, warnings: string[]): void {
  const text =
    'json' in entryOrObj && 'rev' in entryOrObj
      ? jsonAtVersion((entryOrObj as Entry).json, (entryOrObj as Entry).obj, s.info, s.version)
      : JSON.stringify(atVersion(entryOrObj as KubeObject, s.info, s.version));
  sendText(s.res, code, text, 'application/json', warnings);
}

export function storeFailure(err: unknown, info: ResourceInfo, name: string): never {
  if (err instanceof StoreError) {
    if (err.kind === 'exists') throw alreadyExists(qualifiedResource(info), name);
    if (err.kind === 'not-found') throw notFound(qualifiedResource(info), name);
    if (err.kind === 'conflict') throw conflict(qualifiedResource(info), name);
    throw internalError(err.message);
  }
  throw err;
}

export async function createObject(ctx: ApiContext, s: Scope): Promise<void> {
  const body = await readBody(s.req);
  const obj = decodeObject(body, s.req.headers['content-type'], s.info.kind);
  respondWrite(s, await createDecoded(ctx, s, obj, fieldManager(s, 'unknown')));
}

/** The create path after decoding; also used by server-side apply of an absent object. */
export async function createDecoded(
  ctx: ApiContext,
  s: Scope,
  obj: any,
  manager: string,
  code = 201,
  skipManagedFields = false,
): Promise<WriteResult> {
  checkTypeMeta(obj, s.info, s.version);
  const info = s.info;
  const dryRun = dryRunOf(s.query);
  const fieldValidation = fieldValidationOf(s.query);
  if (info.namespaced) {
    if (obj.metadata.namespace && s.namespace && obj.metadata.namespace !== s.namespace)
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    obj.metadata.namespace = s.namespace;
  }
  if (!obj.metadata.name && obj.metadata.generateName)
    obj.metadata.name = generatedName(obj.metadata.generateName);
  checkNamespace(ctx, info, obj.metadata.namespace, 'CREATE');
  const now = rfc3339(ctx.now());
  stampCreate(obj, info, now);
  if (info.status && info.origin === 'crd') delete obj.status;
  const uid = obj.metadata.uid;
  let prepared = false;
  let result: KubeObject;
  let warnings: string[];
  try {
    const admitted = await admit(ctx, s, {
      operation: 'CREATE',
      obj,
      dryRun,
      fieldValidation,
      prepare: async (o) => {
        stampCreate(o, info, now);
        o.metadata.uid = uid;
        // Fields the server fills in below (allocated IPs, initial status) belong to no manager.
        const withFields = skipManagedFields ? o : managed(s, undefined, o, manager, now);
        prepared = true;
        await info.strategy.prepareCreate?.(withFields, ctx.allocators);
        return withFields;
      },
    });
    result = admitted.obj;
    warnings = admitted.warnings;
  } catch (err) {
    if (prepared) info.strategy.afterDelete?.(obj, ctx.allocators);
    throw err;
  }
  const res = storageResource(info);
  const name = result.metadata.name!;
  if (dryRun) {
    if (ctx.store.latest(res, result.metadata.namespace ?? '', name))
      throw alreadyExists(qualifiedResource(info), name);
    info.strategy.afterDelete?.(result, ctx.allocators);
    return { code, value: result, warnings };
  }
  let entry: Entry;
  try {
    entry = await ctx.store.create(res, result.metadata.namespace ?? '', name, toStorage(result, info));
  } catch (err) {
    info.strategy.afterDelete?.(result, ctx.allocators);
    storeFailure(err, info, name);
  }
  return { code, value: entry, warnings };
}

export interface UpdateOptions {
  /** Builds the new object from the current one; called again if the object changed meanwhile. */
  build(current: KubeObject): KubeObject | Promise<KubeObject>;
  manager: string;
  /** Precondition from the request (resourceVersion in a PUT body or a patch). */
  expectedRev?: (candidate: KubeObject) => string | undefined;
  /** Server-side apply manages its own managedFields. */
  skipManagedFields?: boolean;
  fieldValidation?: FieldValidation;
  /** Server-internal writes (namespace finalize, pod binding) may change what users may not. */
  allowSpecChange?: boolean;
}

export interface WriteResult {
  code: number;
  /** The stored state, or the would-be state of a dry run. */
  value: Entry | KubeObject;
  warnings: string[];
}

export const respondWrite = (s: Scope, r: WriteResult): void => respond(s, r.code, r.value, r.warnings);

/** Read-modify-write with optimistic concurrency, admission, generation and finalizer handling. */
export async function updateWith(ctx: ApiContext, s: Scope, opts: UpdateOptions): Promise<WriteResult> {
  const info = s.info;
  const res = storageResource(info);
  const ns = info.namespaced ? (s.namespace ?? '') : '';
  const name = s.name!;
  const dryRun = dryRunOf(s.query);
  const fieldValidation = opts.fieldValidation ?? fieldValidationOf(s.query);
  const status = s.subresource === 'status';
  for (let attempt = 0; ; attempt++) {
    const current = ctx.store.latest(res, ns, name);
    if (!current) throw notFound(qualifiedResource(info), name);
    const old = atVersion(current.obj, info, s.version);
    let candidate = (await opts.build(cloneObject(old))) as any;
    checkTypeMeta(candidate, info, s.version);
    if (candidate.metadata.name !== undefined && candidate.metadata.name !== name)
      throw badRequest(
        `the name of the object (${candidate.metadata.name}) does not match the name on the URL (${name})`,
      );
    candidate.metadata.name = name;
    if (info.namespaced) {
      if (candidate.metadata.namespace && candidate.metadata.namespace !== ns)
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      candidate.metadata.namespace = ns;
    }
    const expected = opts.expectedRev?.(candidate);
    if (expected !== undefined && expected !== '' && expected !== String(current.rev))
      throw conflict(qualifiedResource(info), name);
    if (status)
      candidate = {
        ...cloneObject(old),
        status: candidate.status,
        metadata: { ...old.metadata, ...pickStatusMeta(candidate) },
      };
    else if (info.status && !opts.allowSpecChange) candidate.status = cloneObject(old.status);
    carryServerFields(candidate, old);
    checkNamespace(ctx, info, ns || undefined, 'UPDATE');
    const now = rfc3339(ctx.now());
    const admitted = await admit(ctx, s, {
      operation: 'UPDATE',
      obj: candidate,
      old,
      dryRun,
      fieldValidation,
      subresource: s.subresource,
      skipUpdateRules: opts.allowSpecChange,
      prepare: async (o) => {
        carryServerFields(o, old);
        if (status) o = { ...o, spec: old.spec };
        if (!opts.skipManagedFields) o = managed(s, old, o, opts.manager, now);
        if (!status && !opts.allowSpecChange) await info.strategy.prepareUpdate?.(o, old, ctx.allocators);
        bumpGeneration(o, old, info);
        return o;
      },
    });
    const result = admitted.obj;
    // Another write may have landed while webhooks ran; redo from the new state unless the client pinned a version.
    const latest = ctx.store.latest(res, ns, name);
    if (!latest || latest.rev !== current.rev) {
      if (expected || attempt >= MAX_CONFLICT_RETRIES) throw conflict(qualifiedResource(info), name);
      continue;
    }
    if (dryRun) return { code: 200, value: result, warnings: admitted.warnings };
    if (sameContent(result, old)) return { code: 200, value: current, warnings: admitted.warnings };
    try {
      if (deletionComplete(result)) {
        const gone = await ctx.store.delete(res, ns, name, current.rev, toStorage(result, info));
        info.strategy.afterDelete?.(result, ctx.allocators);
        return { code: 200, value: gone, warnings: admitted.warnings };
      }
      const entry = await ctx.store.update(res, ns, name, toStorage(result, info), current.rev);
      return { code: 200, value: entry, warnings: admitted.warnings };
    } catch (err) {
      if (err instanceof StoreError && err.kind === 'conflict' && !expected && attempt < MAX_CONFLICT_RETRIES)
        continue;
      storeFailure(err, info, name);
    }
  }
}

/** A no-op write keeps the resourceVersion, as upstream does (managedFields timestamps aside). */
function sameContent(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject) => ({
    ...o,
    metadata: {
      ...o.metadata,
      resourceVersion: undefined,
      managedFields: (o.metadata.managedFields ?? []).map((m) => ({ ...m, time: undefined })),
    },
  });
  return deepEqual(strip(a), strip(b));
}

/** Structural equality; key order does not matter, undefined members count as absent. */
function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  return ak.length === bk.length && ak.every((k) => deepEqual(ao[k], bo[k]));
}

/** A status write may change only status (and, as upstream allows, nothing of metadata but labels/annotations are ignored). */
function pickStatusMeta(candidate: KubeObject): Record<string, unknown> {
  return { resourceVersion: candidate.metadata.resourceVersion };
}

export async function replaceObject(ctx: ApiContext, s: Scope): Promise<void> {
  const body = await readBody(s.req);
  const incoming = decodeObject(body, s.req.headers['content-type'], s.info.kind);
  checkTypeMeta(incoming, s.info, s.version);
  const r = await updateWith(ctx, s, {
    build: (current) => {
      const next = cloneObject(incoming);
      // PUT replaces the whole object; managedFields not sent are kept.
      if (next.metadata.managedFields === undefined)
        next.metadata.managedFields = current.metadata.managedFields;
      return next;
    },
    manager: fieldManager(s, 'unknown'),
    expectedRev: () => incoming.metadata.resourceVersion,
  });
  respondWrite(s, r);
}

const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
];

export async function patchObject(ctx: ApiContext, s: Scope): Promise<void> {
  const body = await readBody(s.req);
  const type = mediaType(s.req.headers['content-type']);
  if (!PATCH_TYPES.includes(type) && type !== 'application/apply-patch+cbor')
    throw unsupportedMediaType(type, PATCH_TYPES);
  const info = s.info;
  if (type === 'application/strategic-merge-patch+json' && info.origin === 'crd')
    throw unsupportedMediaType(
      type,
      PATCH_TYPES.filter((t) => !t.startsWith('application/strategic')),
    );
  if (type === 'application/apply-patch+yaml') return applyPatch(ctx, s, body);
  const patch = parseJson(body);
  const manager = fieldManager(s, 'unknown');
  let pinned: string | undefined;
  if (type !== 'application/json-patch+json') {
    if (patch === null || typeof patch !== 'object' || Array.isArray(patch))
      throw badRequest('the patch must be a JSON object');
    pinned = patch.metadata?.resourceVersion;
  }
  const r = await updateWith(ctx, s, {
    build: (current) => {
      const sch = info.schema(s.version);
      if (type === 'application/json-patch+json') return applyJsonPatch(current, patch) as KubeObject;
      if (type === 'application/merge-patch+json') return applyMergePatch(current, patch) as KubeObject;
      return applyStrategicMergePatch(current, patch, sch!.schema, sch!.resolve) as KubeObject;
    },
    manager,
    expectedRev: () => pinned,
  });
  respondWrite(s, r);
}

async function applyPatch(ctx: ApiContext, s: Scope, body: Buffer): Promise<void> {
  const info = s.info;
  const applied = decodeObject(body, 'application/apply-patch+yaml');
  checkTypeMeta(applied, info, s.version);
  const manager = s.query.get('fieldManager');
  if (!manager)
    throw badRequest('PATCH, application/apply-patch+yaml requires a non-empty fieldManager query parameter');
  if (applied.metadata.managedFields !== undefined) throw badRequest('metadata.managedFields must be nil');
  const force = s.query.get('force') === 'true';
  const sch = info.schema(s.version)!;
  const res = storageResource(info);
  const ns = info.namespaced ? (s.namespace ?? '') : '';
  const now = rfc3339(ctx.now());
  const fieldValidation = fieldValidationOf(s.query);
  const run = (live: KubeObject | undefined): KubeObject =>
    serverSideApply({
      live,
      applied: cloneObject(applied),
      manager,
      force,
      apiVersion: apiVersionOf(info, s.version),
      schema: sch.schema,
      resolve: sch.resolve,
      now,
      subresource: s.subresource === 'status' ? 'status' : undefined,
    });
  if (!ctx.store.latest(res, ns, s.name!)) {
    if (s.subresource) throw notFound(qualifiedResource(info), s.name!);
    const created = run(undefined);
    created.metadata.name ??= s.name;
    try {
      respondWrite(s, await createDecoded(ctx, s, created, manager, 201, true));
      return;
    } catch (err) {
      if (!(err instanceof StatusError && err.reason === 'AlreadyExists')) throw err;
    }
  }
  const r = await updateWith(ctx, s, {
    build: (current) => run(current),
    manager,
    skipManagedFields: true,
    expectedRev: () => applied.metadata.resourceVersion,
    fieldValidation,
  });
  respondWrite(s, r);
}
