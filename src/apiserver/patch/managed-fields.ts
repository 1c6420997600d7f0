// metadata.managedFields: decoding entries into field sets keyed by manager identity, and
// encoding them back in upstream's order.

import type { ManagedFieldsEntry } from '../types.js';
import { FieldSet, fieldElement } from './fieldset.js';
import { isPlainObject } from './json.js';

export interface Manager {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  subresource?: string;
  set: FieldSet;
}

/**
 * Identity of an entry: appliers are one entry whatever version they applied with; updaters get
 * one entry per API version. Time and fields never take part.
 */
export function managerKey(m: Pick<Manager, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  return JSON.stringify({
    manager: m.manager,
    operation: m.operation,
    apiVersion: m.operation === 'Apply' ? undefined : m.apiVersion,
    subresource: m.subresource || undefined,
  });
}

export function decodeManagedFields(list: unknown): Map<string, Manager> {
  const out = new Map<string, Manager>();
  if (!Array.isArray(list)) return out;
  for (const e of list) {
    if (!isPlainObject(e) || typeof e.manager !== 'string') continue;
    if (e.operation !== 'Apply' && e.operation !== 'Update') continue;
    if (e.fieldsType !== undefined && e.fieldsType !== 'FieldsV1') continue;
    const m: Manager = {
      manager: e.manager,
      operation: e.operation,
      apiVersion: typeof e.apiVersion === 'string' ? e.apiVersion : '',
      set: FieldSet.fromFieldsV1(e.fieldsV1),
    };
    if (typeof e.time === 'string') m.time = e.time;
    if (typeof e.subresource === 'string' && e.subresource) m.subresource = e.subresource;
    const key = managerKey(m);
    const prev = out.get(key);
    if (prev) prev.set = prev.set.union(m.set);
    else out.set(key, m);
  }
  return out;
}

/** `[{}]` is the documented way to wipe managedFields; an empty list is not. */
export function isManagedFieldsReset(list: unknown): boolean {
  return (
    Array.isArray(list) &&
    list.length > 0 &&
    list.every((e) => isPlainObject(e) && Object.keys(e).length === 0)
  );
}

/** Entries with empty sets dropped; Apply before Update, then by time, manager, version, subresource. */
export function encodeManagedFields(managers: Map<string, Manager>): ManagedFieldsEntry[] {
  const entries = [...managers.values()].filter((m) => !m.set.isEmpty());
  entries.sort((p, q) => {
    if (p.operation !== q.operation) return p.operation < q.operation ? -1 : 1;
    const pt = p.time ? Date.parse(p.time) / 1000 : 0;
    const qt = q.time ? Date.parse(q.time) / 1000 : 0;
    if (Math.floor(pt) !== Math.floor(qt)) return pt - qt;
    if (p.manager !== q.manager) return p.manager < q.manager ? -1 : 1;
    if (p.apiVersion !== q.apiVersion) return p.apiVersion < q.apiVersion ? -1 : 1;
    const ps = p.subresource ?? '';
    const qs = q.subresource ?? '';
    return ps < qs ? -1 : ps > qs ? 1 : 0;
  });
  return entries.map((m) => {
    const e: ManagedFieldsEntry = {
      manager: m.manager,
      operation: m.operation,
      apiVersion: m.apiVersion,
      fieldsType: 'FieldsV1',
      fieldsV1: m.set.toFieldsV1(),
    };
    if (m.time) {
      // Keep upstream's key order: manager, operation, apiVersion, time, fieldsType, fieldsV1.
      const { fieldsType, fieldsV1, ...head } = e;
      return {
        ...head,
        time: m.time,
        fieldsType,
        fieldsV1,
        ...(m.subresource ? { subresource: m.subresource } : {}),
      };
    }
    return m.subresource ? { ...e, subresource: m.subresource } : e;
  });
}

/** Fields no manager owns: type and identity metadata the server sets or requires. */
export const STRIPPED_FIELDS: FieldSet = FieldSet.fromPaths([
  [fieldElement('apiVersion')],
  [fieldElement('kind')],
  [fieldElement('metadata')],
  ...[
    'name',
    'namespace',
    'creationTimestamp',
    'selfLink',
    'uid',
    'clusterName',
    'generation',
    'managedFields',
    'resourceVersion',
  ].map((f) => [fieldElement('metadata'), fieldElement(f)]),
]);

export function stripMeta(set: FieldSet): FieldSet {
  return set.difference(STRIPPED_FIELDS);
}
