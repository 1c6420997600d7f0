// Patch algorithms of the API server: JSON merge patch, JSON patch, strategic merge patch and
// server-side apply with managedFields. All pure functions over plain JSON values.

export { applyMergePatch } from './merge-patch.js';
export { applyJsonPatch, jsonPatchApplyError, MAX_JSON_PATCH_OPERATIONS } from './json-patch.js';
export { applyStrategicMergePatch } from './strategic-merge.js';
export {
  serverSideApply,
  updateManagedFields,
  LAST_APPLIED_ANNOTATION,
  BEFORE_FIRST_APPLY,
  type ServerSideApplyArgs,
  type UpdateManagedFieldsArgs,
} from './server-side-apply.js';
export { FieldSet, pathToString, fieldElement, keyElement, valueElement, indexElement } from './fieldset.js';
export { TypedWalker, type Comparison } from './typed.js';
export { decodeManagedFields, encodeManagedFields, managerKey, type Manager } from './managed-fields.js';
export { listSemantics, patchMeta, type ListSemantics, type PatchMeta } from './schema-walk.js';

import { TypedWalker } from './typed.js';
import type { Schema, SchemaResolver } from '../types.js';
import type { JsonMap } from './json.js';

/** The FieldsV1 encoding of every field an object sets (what an applier of it would own). */
export function fieldsV1Of(obj: unknown, schema: Schema, resolve: SchemaResolver): JsonMap {
  return new TypedWalker(resolve).toFieldSet(obj, schema, false).toFieldsV1();
}
