// Server-side apply and managedFields bookkeeping for ordinary writes, after the
// structured-merge-diff semantics the Kubernetes field manager implements.

import { badRequest, StatusError } from '../errors.js';
import type { KubeObject, Schema, SchemaResolver } from '../types.js';
import { FieldSet, pathToString } from './fieldset.js';
import { deepClone, deepEqual, isPlainObject, sortedJson, type JsonMap } from './json.js';
import {
  decodeManagedFields,
  encodeManagedFields,
  isManagedFieldsReset,
  managerKey,
  stripMeta,
  type Manager,
} from './managed-fields.js';
import { TypedValueError, TypedWalker } from './typed.js';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
/** The manager upstream credits with everything an object held before its first apply. */
export const BEFORE_FIRST_APPLY = 'before-first-apply';

export interface ServerSideApplyArgs {
  live: KubeObject | undefined;
  applied: KubeObject;
  manager: string;
  force: boolean;
  apiVersion: string;
  schema: Schema;
  resolve: SchemaResolver;
  /** RFC 3339, whole seconds. */
  now: string;
  subresource?: string;
}

export interface UpdateManagedFieldsArgs {
  old: KubeObject | undefined;
  updated: KubeObject;
  manager: string;
  operation: 'Update';
  apiVersion: string;
  schema: Schema;
  resolve: SchemaResolver;
  now: string;
  subresource?: string;
}

interface Conflict {
  key: string;
  manager: Manager;
  path: string[];
}

export function serverSideApply(args: ServerSideApplyArgs): KubeObject {
  const { applied, manager, schema, resolve } = args;
  if (!manager) throw badRequest('fieldManager is required for apply requests');
  if (!isPlainObject(applied))
    throw badRequest('error decoding YAML: the applied configuration is not an object');
  if (isPlainObject(applied.metadata) && applied.metadata.managedFields !== undefined) {
    throw badRequest('metadata.managedFields must be nil');
  }
  if (applied.apiVersion !== args.apiVersion) {
    throw badRequest(
      `Incorrect version specified in apply patch. Specified patch version: ${applied.apiVersion ?? ''}, expected: ${args.apiVersion}`,
    );
  }
  const walker = new TypedWalker(resolve);
  const live = args.live ? withoutManagedFields(args.live) : {};

  let appliedSet: FieldSet;
  try {
    appliedSet = walker.toFieldSet(applied, schema);
  } catch (e) {
    if (e instanceof TypedValueError) {
      throw new StatusError(
        500,
        '',
        `failed to create typed patch object (${describe(applied)}): ${e.message}`,
      );
    }
    throw e;
  }

  const managers = decodeManagedFields(args.live?.metadata?.managedFields);
  if (args.live && managers.size === 0) {
    // Objects that predate any apply: someone owns what is there, so the first applier cannot
    // silently take it over.
    managers.set(
      managerKey({ manager: BEFORE_FIRST_APPLY, operation: 'Update', apiVersion: args.apiVersion }),
      {
        manager: BEFORE_FIRST_APPLY,
        operation: 'Update',
        apiVersion: args.apiVersion,
        time: args.now,
        set: stripMeta(walker.toFieldSet(live, schema, false)),
      },
    );
  }

  const key = managerKey({
    manager,
    operation: 'Apply',
    apiVersion: args.apiVersion,
    subresource: args.subresource,
  });
  const previous = managers.get(key);
  managers.set(key, {
    manager,
    operation: 'Apply',
    apiVersion: args.apiVersion,
    time: previous?.time,
    subresource: args.subresource || undefined,
    set: appliedSet,
  });

  let merged = walker.merge(live, applied, schema) as JsonMap;
  if (previous) merged = prune(walker, merged, previous.set, managers, schema);

  const changes = walker.compare(live, merged, schema);
  const changed = changes.added.union(changes.modified);
  let conflicts: Conflict[] = [];
  for (const [k, m] of managers) {
    if (k === key) continue;
    for (const path of m.set.intersection(changed).paths()) conflicts.push({ key: k, manager: m, path });
  }
  if (conflicts.length > 0 && !args.force) {
    if (manager === 'kubectl') {
      // Upgrading from client-side apply: fields whose live value still matches the last
      // applied configuration may be taken over from their owners without a conflict.
      const allowed = allowedFromLastApplied(walker, live, schema);
      conflicts = conflicts.filter((c) => !allowed.has(c.path));
    }
    if (conflicts.length > 0) throw conflictError(conflicts);
  }
  for (const [k, m] of managers) {
    if (k === key) continue;
    m.set = m.set.difference(changed).difference(changes.removed);
  }
  for (const m of managers.values()) m.set = stripMeta(m.set);

  const entry = managers.get(key)!;
  const noop = deepEqual(live, merged);
  entry.time = noop && previous?.time ? previous.time : args.now;

  const result = merged as KubeObject;
  if (manager === 'kubectl') syncLastApplied(result, applied);
  setManagedFields(result, managers);
  return result;
}

export function updateManagedFields(args: UpdateManagedFieldsArgs): KubeObject {
  const updated = deepClone(args.updated);
  const incoming = updated.metadata?.managedFields;
  if (isManagedFieldsReset(incoming)) {
    delete updated.metadata.managedFields;
    return updated;
  }
  const walker = new TypedWalker(args.resolve);
  const fromRequest = !args.subresource && Array.isArray(incoming) && incoming.length > 0;
  const managers = decodeManagedFields(fromRequest ? incoming : args.old?.metadata?.managedFields);

  const before = args.old ? withoutManagedFields(args.old) : {};
  const after = withoutManagedFields(updated);
  const changes = walker.compare(before, after, args.schema);
  const changed = stripMeta(changes.added.union(changes.modified));

  // The write takes every field it changed from whoever held it; removed fields belong to no one.
  for (const m of managers.values()) m.set = m.set.difference(changed).difference(changes.removed);
  if (!changed.isEmpty()) {
    const identity = {
      manager: args.manager,
      operation: 'Update' as const,
      apiVersion: args.apiVersion,
      subresource: args.subresource || undefined,
    };
    const key = managerKey(identity);
    const prev = managers.get(key);
    managers.set(key, { ...identity, time: args.now, set: prev ? prev.set.union(changed) : changed });
  }
  for (const m of managers.values()) m.set = stripMeta(m.set);
  setManagedFields(updated, managers);
  return updated;
}

/**
 * Removes what the applier owned last time but no longer applies, unless another manager (or
 * the new configuration) still claims it.
 */
function prune(
  walker: TypedWalker,
  merged: JsonMap,
  lastSet: FieldSet,
  managers: Map<string, Manager>,
  schema: Schema,
): JsonMap {
  let owned = new FieldSet();
  for (const m of managers.values()) owned = owned.union(m.set);
  const toRemove = lastSet.ensureNamedFieldsAreMembers().difference(owned.ensureNamedFieldsAreMembers());
  if (toRemove.isEmpty()) return merged;
  return walker.remove(merged, toRemove, schema) as JsonMap;
}

function allowedFromLastApplied(walker: TypedWalker, live: JsonMap, schema: Schema): FieldSet {
  const annotations = (live.metadata as JsonMap | undefined)?.annotations as JsonMap | undefined;
  const raw = annotations?.[LAST_APPLIED_ANNOTATION];
  if (typeof raw !== 'string' || raw === '') return new FieldSet();
  let lastApplied: unknown;
  try {
    lastApplied = JSON.parse(raw);
  } catch {
    return new FieldSet();
  }
  try {
    const set = walker.toFieldSet(lastApplied, schema);
    const diff = walker.compare(lastApplied, live, schema);
    return set.difference(diff.modified).difference(diff.added).difference(diff.removed);
  } catch {
    return new FieldSet();
  }
}

/** Server-side apply by kubectl keeps an existing client-side apply annotation current. */
function syncLastApplied(result: KubeObject, applied: KubeObject): void {
  const annotations = result.metadata?.annotations;
  if (!annotations || typeof annotations[LAST_APPLIED_ANNOTATION] !== 'string') return;
  const copy = deepClone(applied) as JsonMap;
  const meta = copy.metadata as JsonMap | undefined;
  if (meta && isPlainObject(meta.annotations)) {
    delete meta.annotations[LAST_APPLIED_ANNOTATION];
    if (Object.keys(meta.annotations).length === 0) delete meta.annotations;
  }
  annotations[LAST_APPLIED_ANNOTATION] = `${sortedJson(copy)}\n`;
}

function conflictError(conflicts: Conflict[]): StatusError {
  const causes = conflicts.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${printManager(c.manager)}`,
    field: pathToString(c.path),
  }));
  if (conflicts.length === 1) {
    const c = conflicts[0];
    return new StatusError(
      409,
      'Conflict',
      `Apply failed with 1 conflict: conflict with ${printManager(c.manager)}: ${pathToString(c.path)}`,
      { causes },
    );
  }
  const byManager = new Map<string, Conflict[]>();
  for (const c of conflicts) byManager.set(c.key, [...(byManager.get(c.key) ?? []), c]);
  const lines: string[] = [];
  for (const k of [...byManager.keys()].sort()) {
    const group = byManager.get(k)!;
    lines.push(`conflicts with ${printManager(group[0].manager)}:`);
    for (const c of group) lines.push(`- ${pathToString(c.path)}`);
  }
  return new StatusError(
    409,
    'Conflict',
    `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`,
    {
      causes,
    },
  );
}

function printManager(m: Manager): string {
  const name = JSON.stringify(m.manager);
  return m.operation === 'Update' ? `${name} using ${m.apiVersion}` : name;
}

function withoutManagedFields(obj: KubeObject): JsonMap {
  const copy = deepClone(obj) as JsonMap;
  const meta = copy.metadata;
  if (isPlainObject(meta)) delete meta.managedFields;
  return copy;
}

function setManagedFields(obj: KubeObject, managers: Map<string, Manager>): void {
  const entries = encodeManagedFields(managers);
  if (!isPlainObject(obj.metadata)) obj.metadata = {};
  if (entries.length > 0) obj.metadata.managedFields = entries;
  else delete obj.metadata.managedFields;
}

function describe(obj: KubeObject): string {
  const meta = (obj.metadata ?? {}) as JsonMap;
  const apiVersion = String(obj.apiVersion ?? '');
  const gv = apiVersion.includes('/') ? apiVersion : `/${apiVersion}`;
  return `${meta.namespace ?? ''}/${meta.name ?? ''}; ${gv}, Kind=${obj.kind ?? ''}`;
}
