import type { Values } from './types.js';

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function deepClone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/**
 * Merges `overlay` onto `base` as Helm and the Sail Operator merge values: maps merge key by key, lists and
 * scalars replace, `undefined` leaves the base alone and `null` removes the key. Inputs are not modified.
 */
export function deepMerge(base: Values, overlay: Values | undefined): Values {
  const out: Values = deepClone(base);
  if (!overlay) return out;
  for (const [key, value] of Object.entries(overlay)) {
    if (value === undefined) continue;
    if (value === null) {
      delete out[key];
    } else if (isPlainObject(value) && isPlainObject(out[key])) {
      out[key] = deepMerge(out[key] as Values, value);
    } else {
      out[key] = deepClone(value);
    }
  }
  return out;
}

/** Merges left to right: later layers win. */
export function mergeAll(...layers: (Values | undefined)[]): Values {
  return layers.reduce<Values>((acc, layer) => deepMerge(acc, layer), {});
}

export function getPath(values: Values | undefined, path: string): unknown {
  let cur: unknown = values;
  for (const part of path.split('.')) {
    if (!isPlainObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

export function setPath(values: Values, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = values;
  for (const part of parts.slice(0, -1)) {
    if (!isPlainObject(cur[part])) cur[part] = {};
    cur = cur[part] as Values;
  }
  cur[parts[parts.length - 1]] = value;
}

export function str(values: Values | undefined, path: string, fallback = ''): string {
  const v = getPath(values, path);
  return v === undefined || v === null ? fallback : String(v);
}

/** Helm truthiness: false, 0, "", null, empty list and empty map are false. */
export function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (isPlainObject(v)) return Object.keys(v).length > 0;
  return Boolean(v);
}

export function bool(values: Values | undefined, path: string): boolean {
  const v = getPath(values, path);
  return v === true || v === 'true';
}

export function num(values: Values | undefined, path: string, fallback: number): number {
  const v = getPath(values, path);
  if (v === undefined || v === null || v === '') return fallback;
  const n = Number(v);
  return Number.isFinite(n) ? n : fallback;
}

export function map(values: Values | undefined, path: string): Record<string, unknown> {
  const v = getPath(values, path);
  return isPlainObject(v) ? v : {};
}

export function list(values: Values | undefined, path: string): unknown[] {
  const v = getPath(values, path);
  return Array.isArray(v) ? v : [];
}
