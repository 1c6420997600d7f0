// RFC 6902 JSON patch (application/json-patch+json), with the status codes and texts the
// Kubernetes patch handler answers with.

import jsonpatch from 'fast-json-patch';
import { badRequest, StatusError } from '../errors.js';
import { deepClone, goJsonKind, isPlainObject } from './json.js';

/** The handler's limit on operations in one patch (maxJSONPatchOperations). */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

/**
 * Upstream wraps every failure while applying the operations (a failed `test`, a missing path, an
 * unknown `op`) in a 422 whose message does not carry the library's reason.
 */
export function jsonPatchApplyError(): StatusError {
  return new StatusError(
    422,
    'Invalid',
    'the server rejected our request due to an error in our request',
    {},
  );
}

/** Applies an RFC 6902 patch to a copy of `doc`. */
export function applyJsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) {
    throw badRequest(`json: cannot unmarshal ${goJsonKind(ops)} into Go value of type jsonpatch.Patch`);
  }
  for (const op of ops) {
    if (!isPlainObject(op)) {
      throw badRequest(`json: cannot unmarshal ${goJsonKind(op)} into Go value of type jsonpatch.Operation`);
    }
  }
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new StatusError(
      413,
      'RequestEntityTooLarge',
      `Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`,
    );
  }
  let current: unknown = deepClone(doc);
  ops.forEach((raw, index) => {
    const op = adaptReplace(current, raw as jsonpatch.Operation);
    try {
      current = jsonpatch.applyOperation(current, op, true, true, true, index).newDocument;
    } catch {
      throw jsonPatchApplyError();
    }
  });
  return current;
}

// The Go library Kubernetes uses lets `replace` create a key that is missing from an object
// (only array indexes must exist); `kubectl patch --type json` users rely on that.
function adaptReplace(doc: unknown, op: jsonpatch.Operation): jsonpatch.Operation {
  if (op.op !== 'replace' || typeof op.path !== 'string' || !op.path.startsWith('/')) return op;
  const cut = op.path.lastIndexOf('/');
  const parentPath = op.path.slice(0, cut);
  const key = jsonpatch.unescapePathComponent(op.path.slice(cut + 1));
  let parent: unknown;
  try {
    parent = parentPath === '' ? doc : jsonpatch.getValueByPointer(doc, parentPath);
  } catch {
    return op;
  }
  if (isPlainObject(parent) && !Object.prototype.hasOwnProperty.call(parent, key)) {
    return { ...op, op: 'add' } as jsonpatch.Operation;
  }
  return op;
}
