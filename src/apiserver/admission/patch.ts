// Applying a webhook's JSONPatch, with failures worded like evanphx/json-patch (what upstream uses).

import fjp from 'fast-json-patch';
import type { KubeObject } from '../types.js';

/** The patch bytes are not a JSON array of operations: a call failure upstream. */
export class UndecodablePatch extends Error {}
/** The patch does not apply to the object: an internal error upstream. */
export class PatchApplyError extends Error {}

export function decodePatch(bytes: Buffer): unknown[] {
  let ops: unknown;
  try {
    ops = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new UndecodablePatch((e as Error).message);
  }
  if (!Array.isArray(ops))
    throw new UndecodablePatch('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  return ops;
}

export function applyJsonPatch(object: KubeObject, ops: unknown[]): KubeObject {
  let result: unknown;
  try {
    result = fjp.applyPatch(object, ops as fjp.Operation[], true, false).newDocument;
  } catch (e) {
    throw new PatchApplyError(describePatchError(e));
  }
  if (!result || typeof result !== 'object' || Array.isArray(result)) {
    throw new PatchApplyError('patched object is not a JSON object');
  }
  return result as KubeObject;
}

function describePatchError(e: unknown): string {
  const err = e as { name?: string; message?: string; operation?: { op?: string; path?: string } };
  const op = err.operation?.op ?? '';
  const path = err.operation?.path ?? '';
  switch (err.name) {
    case 'OPERATION_PATH_UNRESOLVABLE':
    case 'OPERATION_PATH_CANNOT_ADD':
    case 'OPERATION_FROM_UNRESOLVABLE':
      return `${op} operation does not apply: doc is missing path: ${JSON.stringify(path)}: missing value`;
    case 'OPERATION_OP_INVALID':
      return `Unexpected kind: ${op}`;
    case 'TEST_OPERATION_FAILED':
      return `testing value ${path} failed: test failed`;
  }
  return String(err.message ?? e).split('\n')[0];
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every(
    (k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual((a as any)[k], (b as any)[k]),
  );
}
