// Strategic merge patch (application/strategic-merge-patch+json) for built-in kinds. The schema's
// x-kubernetes-patch-strategy / x-kubernetes-patch-merge-key play the role of the Go struct tags
// upstream reads. Semantics follow apimachinery's strategicpatch "apply" path (MergeParallelList,
// IgnoreUnmatchedNulls); directives are always removed from the result.

import { badRequest, StatusError } from '../errors.js';
import type { Schema, SchemaResolver } from '../types.js';
import { deepClone, deepEqual, goFormat, goJsonKind, isPlainObject, type JsonMap } from './json.js';
import { childSchema, itemsSchema, patchMeta } from './schema-walk.js';

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ELEMENT_ORDER = '$setElementOrder/';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList/';

/** Returned by a map merge carrying `$patch: delete`: the caller drops the key. */
const DELETED = Symbol('deleted');
type Merged = unknown | typeof DELETED;

// mergepatch's sentinel errors that the handler maps to 400.
const badRetainKeys = () => badRequest('invalid patch format of retainKeys');
const badPrimitiveList = () => badRequest('invalid patch format of primitive list');
const badSetElementOrder = () => badRequest('invalid patch format of setElementOrder list');
// ErrNoListOfLists maps to a 422 without the library's text.
const listOfLists = () =>
  new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
// Any other strategicpatch error is a plain Go error, which the server answers as a 500 with an empty reason.
const plainError = (message: string) => new StatusError(500, '', message);

export function applyStrategicMergePatch(
  original: unknown,
  patch: unknown,
  schema: Schema,
  resolve: SchemaResolver,
): unknown {
  if (patch === null) return deepClone(original);
  if (!isPlainObject(patch)) {
    throw badRequest(
      `json: cannot unmarshal ${goJsonKind(patch)} into Go value of type map[string]interface {}`,
    );
  }
  const merger = new Merger(resolve);
  const out = merger.mergeMap(isPlainObject(original) ? deepClone(original) : {}, deepClone(patch), schema);
  return out === DELETED ? {} : out;
}

class Merger {
  constructor(private readonly resolve: SchemaResolver) {}

  /** Merges `patch` into `original` (both owned by us and mutated). `original` undefined = insert. */
  mergeMap(
    original: JsonMap | undefined,
    patch: JsonMap,
    node: Schema | undefined,
  ): JsonMap | typeof DELETED {
    if (DIRECTIVE in patch) {
      const directive = patch[DIRECTIVE];
      delete patch[DIRECTIVE];
      if (directive === 'delete') return DELETED;
      if (directive === 'replace') original = undefined;
      else if (directive !== 'merge') {
        patch[DIRECTIVE] = directive;
        throw plainError(`Unknown patch type: ${goFormat(directive)} in map: ${goFormat(patch)}`);
      }
    }
    const out: JsonMap = original ?? {};
    this.applyRetainKeys(out, patch);
    this.applySetElementOrder(out, patch, node);

    const deletions: [string, unknown][] = [];
    for (const [key, value] of Object.entries(patch)) {
      if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
        deletions.push([key, value]);
        continue;
      }
      if (value === null) {
        delete out[key];
        continue;
      }
      const merged = this.mergeValue(out[key], value, childSchema(node, key, this.resolve).schema);
      if (merged === DELETED) delete out[key];
      else out[key] = merged;
    }
    for (const [key, value] of deletions) {
      const field = key.slice(DELETE_FROM_PRIMITIVE_LIST.length);
      if (!field || !Array.isArray(value)) throw badPrimitiveList();
      const list = out[field];
      if (Array.isArray(list)) out[field] = list.filter((x) => !value.some((d) => deepEqual(d, x)));
    }
    return out;
  }

  private mergeValue(original: unknown, patch: unknown, node: Schema | undefined): Merged {
    if (isPlainObject(patch)) {
      if (isPlainObject(original) && !patchMeta(node, this.resolve).strategies.includes('replace')) {
        return this.mergeMap(original, patch, node);
      }
      return this.mergeMap(undefined, patch, node);
    }
    if (Array.isArray(patch)) {
      return this.mergeList(Array.isArray(original) ? original : [], patch, node);
    }
    return patch;
  }

  private applyRetainKeys(out: JsonMap, patch: JsonMap): void {
    if (!(RETAIN_KEYS in patch)) return;
    const keep = patch[RETAIN_KEYS];
    delete patch[RETAIN_KEYS];
    if (!Array.isArray(keep)) throw badRetainKeys();
    for (const [key, value] of Object.entries(patch)) {
      if (value === null || key.startsWith(DELETE_FROM_PRIMITIVE_LIST) || key.startsWith(SET_ELEMENT_ORDER))
        continue;
      if (key === DIRECTIVE) continue;
      if (!keep.includes(key)) throw badRetainKeys();
    }
    for (const key of Object.keys(out)) if (!keep.includes(key)) delete out[key];
  }

  /** `$setElementOrder/<field>`: merge that list now and order it as the directive says. */
  private applySetElementOrder(out: JsonMap, patch: JsonMap, node: Schema | undefined): void {
    for (const key of Object.keys(patch)) {
      if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
      const order = patch[key];
      delete patch[key];
      const field = key.slice(SET_ELEMENT_ORDER.length);
      if (!field || !Array.isArray(order)) throw badSetElementOrder();
      if (patch[field] === null) continue; // the list itself is being deleted
      const fieldNode = childSchema(node, field, this.resolve).schema;
      const mergeKey = patchMeta(fieldNode, this.resolve).mergeKey;
      const originalList = Array.isArray(out[field]) ? (out[field] as unknown[]) : undefined;
      const patchList = patch[field];
      if (patchList !== undefined && !Array.isArray(patchList)) throw badSetElementOrder();
      if (patchList !== undefined) validateAgainstOrder(patchList, order, mergeKey);

      let merged: unknown[];
      if (patchList === undefined) {
        if (!originalList) continue;
        merged = originalList;
      } else {
        merged = this.mergeList(originalList ?? [], patchList, fieldNode);
      }
      const inOrder = (item: unknown) => indexIn(order, item, mergeKey) >= 0;
      const patchItems = merged.filter(inOrder);
      const serverOnly = merged.filter((x) => !inOrder(x));
      out[field] = normalizeElementOrder(patchItems, serverOnly, order, originalList ?? [], mergeKey);
      delete patch[field];
    }
  }

  private mergeList(original: unknown[], patch: unknown[], node: Schema | undefined): unknown[] {
    const meta = patchMeta(node, this.resolve);
    const itemNode = itemsSchema(node, this.resolve);
    if (!meta.strategies.includes('merge')) return this.cleanItems(patch, itemNode);
    if (original.length === 0 && patch.length === 0) return original;
    const kind = elementKind(original, patch);

    if (kind !== 'map') {
      const merged = dedupe([...original, ...patch]);
      const patchItems = merged.filter((x) => indexIn(patch, x, undefined) >= 0);
      const serverOnly = merged.filter((x) => indexIn(patch, x, undefined) < 0);
      return normalizeElementOrder(patchItems, serverOnly, patch, original, undefined);
    }
    const mergeKey = meta.mergeKey;
    if (!mergeKey) throw plainError('cannot merge lists without merge key for type struct');

    let base = original as JsonMap[];
    const plain: JsonMap[] = [];
    let replace = false;
    for (const item of patch as JsonMap[]) {
      if (!(DIRECTIVE in item)) {
        plain.push(item);
        continue;
      }
      const directive = item[DIRECTIVE];
      if (directive === 'delete') {
        if (!(mergeKey in item)) throw noMergeKey(item, mergeKey);
        base = base.filter((x) => !(isPlainObject(x) && mergeKey in x && x[mergeKey] === item[mergeKey]));
      } else if (directive === 'replace') {
        replace = true;
      } else if (directive === 'merge') {
        const rest = { ...item };
        delete rest[DIRECTIVE];
        if (Object.keys(rest).length > 0) plain.push(rest);
      } else {
        throw plainError(`Unknown patch type: ${goFormat(directive)} in map: ${goFormat(item)}`);
      }
    }
    if (replace) return this.cleanItems(plain, itemNode);

    const merged = [...base];
    for (const item of plain) {
      if (!(mergeKey in item)) throw noMergeKey(item, mergeKey);
      const at = merged.findIndex((x) => isPlainObject(x) && mergeKey in x && x[mergeKey] === item[mergeKey]);
      if (at >= 0) {
        const m = this.mergeMap(merged[at], item, itemNode);
        if (m === DELETED) merged.splice(at, 1);
        else merged[at] = m;
      } else {
        const m = this.mergeMap(undefined, item, itemNode);
        if (m !== DELETED) merged.push(m);
      }
    }
    const inPatch = (x: unknown) => indexIn(plain, x, mergeKey) >= 0;
    return normalizeElementOrder(
      merged.filter(inPatch),
      merged.filter((x) => !inPatch(x)),
      plain,
      base,
      mergeKey,
    );
  }

  /** Items inserted without merging still must not carry directives or nulls. */
  private cleanItems(items: unknown[], itemNode: Schema | undefined): unknown[] {
    const out: unknown[] = [];
    for (const item of items) {
      if (isPlainObject(item)) {
        if (item[DIRECTIVE] === 'replace' && Object.keys(item).length === 1) continue;
        const m = this.mergeMap(undefined, item, itemNode);
        if (m !== DELETED) out.push(m);
      } else {
        out.push(item);
      }
    }
    return out;
  }
}

function noMergeKey(item: unknown, mergeKey: string): StatusError {
  return plainError(`map: ${goFormat(item)} does not contain declared merge key: ${mergeKey}`);
}

function elementKind(...lists: unknown[][]): 'map' | 'scalar' {
  let kind: 'map' | 'scalar' | 'list' | undefined;
  for (const list of lists) {
    for (const v of list) {
      const k = Array.isArray(v) ? 'list' : isPlainObject(v) ? 'map' : 'scalar';
      if (k === 'list') throw listOfLists();
      if (kind && kind !== k) throw plainError(`list element types are not identical: ${goFormat(lists)}`);
      kind = k;
    }
  }
  return kind === 'map' ? 'map' : 'scalar';
}

function dedupe(items: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const x of items) if (!out.some((y) => deepEqual(x, y))) out.push(x);
  return out;
}

function identity(item: unknown, mergeKey: string | undefined): unknown {
  return mergeKey && isPlainObject(item) ? item[mergeKey] : item;
}

function indexIn(list: unknown[], item: unknown, mergeKey: string | undefined): number {
  const id = identity(item, mergeKey);
  return list.findIndex((x) => deepEqual(identity(x, mergeKey), id));
}

/** The relative order of patch items must follow `$setElementOrder` (deletions excepted). */
function validateAgainstOrder(patchList: unknown[], order: unknown[], mergeKey: string | undefined): void {
  if (order.length === 0 || patchList.length === 0) return;
  const items = patchList.filter((x) => !(isPlainObject(x) && DIRECTIVE in x));
  let p = 0;
  for (let o = 0; p < items.length && o < order.length; o++) {
    if (deepEqual(identity(items[p], mergeKey), identity(order[o], mergeKey))) p++;
  }
  if (p < items.length) {
    throw plainError(
      `The order in patch list:\n${goFormat(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${goFormat(order)}\n`,
    );
  }
}

/**
 * Orders patch items as `patchOrder` says and server-only items as they were in the live list,
 * then interleaves them: a server-only item goes before a patch item when it came first in the
 * live list, so items the patch does not mention keep their neighbours.
 */
function normalizeElementOrder(
  patchItems: unknown[],
  serverOnly: unknown[],
  patchOrder: unknown[],
  serverOrder: unknown[],
  mergeKey: string | undefined,
): unknown[] {
  const right = sortBy(patchItems, patchOrder, mergeKey);
  const left = sortBy(serverOnly, serverOrder, mergeKey);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey);
      const ri = indexIn(serverOrder, right[j], mergeKey);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

function sortBy(items: unknown[], order: unknown[], mergeKey: string | undefined): unknown[] {
  const rank = (x: unknown) => {
    const i = indexIn(order, x, mergeKey);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  return items
    .map((x, i) => ({ x, i, r: rank(x) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((e) => e.x);
}
