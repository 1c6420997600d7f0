// RFC 7386 JSON merge patch (application/merge-patch+json).

import { deepClone, isPlainObject, type JsonMap } from './json.js';

/** Applies a JSON merge patch. The result shares no objects with either argument. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return deepClone(patch);
  const out: JsonMap = isPlainObject(target) ? deepClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = applyMergePatch(out[key], value);
  }
  return out;
}
