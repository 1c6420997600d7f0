// Schema-aware walks over objects for server-side apply: the field set an object mentions, the
// difference between two objects as field sets, merging an applied configuration into a live
// object, and removing a field set from an object. Lists follow their list type (atomic, set or
// map keyed by fields); maps are granular unless `x-kubernetes-map-type: atomic`; values with no
// schema (preserve-unknown-fields) are granular maps and atomic lists.

import { StatusError } from '../errors.js';
import { deref, type Schema, type SchemaResolver } from '../types.js';
import { FieldSet, fieldElement, indexElement, keyElement, pathToString, valueElement } from './fieldset.js';
import { deepClone, deepEqual, isPlainObject, type JsonMap } from './json.js';
import {
  childSchema,
  isAtomicMap,
  isStructLike,
  itemsSchema,
  listSemantics,
  type ListSemantics,
} from './schema-walk.js';

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

type Shape = 'map' | 'list' | 'scalar';

function shape(v: unknown): Shape {
  return Array.isArray(v) ? 'list' : isPlainObject(v) ? 'map' : 'scalar';
}

function isEmptyContainer(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  return isPlainObject(v) && Object.keys(v).length === 0;
}

/** A malformed applied object (duplicate or key-less list items); the caller adds context. */
export class TypedValueError extends Error {}

export class TypedWalker {
  constructor(private readonly resolve: SchemaResolver) {}

  private listSem(node: Schema | undefined): ListSemantics {
    const sem = listSemantics(node, this.resolve);
    return sem.type === 'map' && sem.keys.length === 0 ? { type: 'atomic', keys: [] } : sem;
  }

  /** The path element of a list item; undefined when it cannot be identified and `strict` is off. */
  private itemElement(
    item: unknown,
    sem: ListSemantics,
    itemNode: Schema | undefined,
    index: number,
    path: readonly string[],
    strict: boolean,
  ): string | undefined {
    if (sem.type === 'set') return valueElement(item);
    if (sem.type === 'atomic') return indexElement(index);
    if (!isPlainObject(item)) {
      if (strict) throw new TypedValueError(`${pathToString(path)}: element ${index}: expected a map`);
      return undefined;
    }
    const key: JsonMap = {};
    for (const k of sem.keys) {
      if (item[k] !== undefined && item[k] !== null) {
        key[k] = item[k];
        continue;
      }
      const dflt = deref(childSchema(itemNode, k, this.resolve).schema, this.resolve)?.default;
      if (dflt !== undefined) {
        key[k] = dflt;
        continue;
      }
      if (strict) {
        throw new TypedValueError(
          `${pathToString(path)}: element ${index}: associative list with keys has an element that omits key field ${JSON.stringify(k)} (and doesn't have default value)`,
        );
      }
      return undefined;
    }
    return keyElement(key);
  }

  /** Items of a list indexed by path element (the first of duplicates wins). */
  private indexItems(
    list: unknown[],
    sem: ListSemantics,
    itemNode: Schema | undefined,
    path: readonly string[],
    strict: boolean,
  ): Map<string, unknown> {
    const out = new Map<string, unknown>();
    list.forEach((item, i) => {
      const pe = this.itemElement(item, sem, itemNode, i, path, strict);
      if (pe === undefined) return;
      if (out.has(pe)) {
        if (strict)
          throw new TypedValueError(`${pathToString(path)}: duplicate entries for key ${pathToString([pe])}`);
        return;
      }
      out.set(pe, item);
    });
    return out;
  }

  /** Every leaf and list item the object mentions (what an applier owns after applying it). */
  toFieldSet(value: unknown, node: Schema | undefined, strict = true): FieldSet {
    const set = new FieldSet();
    this.collect(value, node, [], set, strict);
    return set;
  }

  private collect(
    v: unknown,
    node: Schema | undefined,
    path: string[],
    set: FieldSet,
    strict: boolean,
  ): void {
    if (isPlainObject(v)) {
      if (isAtomicMap(node, this.resolve)) return set.insert(path);
      for (const [k, c] of Object.entries(v)) {
        if (c === undefined) continue;
        const child = childSchema(node, k, this.resolve);
        const p = [...path, fieldElement(k)];
        this.collect(c, child.schema, p, set, strict);
        if (isEmptyContainer(c) || !child.declared) set.insert(p);
      }
      return;
    }
    if (Array.isArray(v)) {
      const sem = this.listSem(node);
      if (sem.type === 'atomic') return set.insert(path);
      const itemNode = itemsSchema(node, this.resolve);
      for (const [pe, item] of this.indexItems(v, sem, itemNode, path, strict)) {
        const p = [...path, pe];
        if (sem.type === 'map') this.collect(item, itemNode, p, set, strict);
        set.insert(p);
      }
      return;
    }
    set.insert(path);
  }

  /** Fields added, modified and removed going from `lhs` to `rhs`. */
  compare(lhs: unknown, rhs: unknown, node: Schema | undefined): Comparison {
    const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
    this.cmp(lhs, rhs, node, [], c, true);
    return c;
  }

  private cmp(
    l: unknown,
    r: unknown,
    node: Schema | undefined,
    path: string[],
    c: Comparison,
    struct: boolean,
  ): void {
    if (l === undefined && r === undefined) return;
    const leaf = () => {
      if (path.length === 0) return;
      if (l === undefined) c.added.insert(path);
      else if (r === undefined) c.removed.insert(path);
      else if (!deepEqual(l, r)) c.modified.insert(path);
    };
    const sl = l === undefined ? undefined : shape(l);
    const sr = r === undefined ? undefined : shape(r);
    const sh = sl ?? sr;
    if ((sl && sr && sl !== sr) || sh === 'scalar') return leaf();
    if (isEmptyContainer(l) && isEmptyContainer(r)) return leaf();
    if (sh === 'map') {
      if (isAtomicMap(node, this.resolve)) return leaf();
      const lm = (l ?? {}) as JsonMap;
      const rm = (r ?? {}) as JsonMap;
      for (const k of new Set([...Object.keys(lm), ...Object.keys(rm)])) {
        const child = childSchema(node, k, this.resolve);
        const childStruct = child.declared && isStructLike(child.schema, this.resolve);
        this.cmp(lm[k], rm[k], child.schema, [...path, fieldElement(k)], c, childStruct);
      }
    } else {
      const sem = this.listSem(node);
      if (sem.type === 'atomic') return leaf();
      const itemNode = itemsSchema(node, this.resolve);
      const li = this.indexItems((l ?? []) as unknown[], sem, itemNode, path, false);
      const ri = this.indexItems((r ?? []) as unknown[], sem, itemNode, path, false);
      for (const pe of new Set([...li.keys(), ...ri.keys()])) {
        this.cmp(li.get(pe), ri.get(pe), itemNode, [...path, pe], c, false);
      }
    }
    // A map or list item that appeared or vanished as a whole is itself added or removed. Struct
    // fields are not recorded this way: Go's zero values make them always "present" upstream.
    if (path.length > 0 && !struct) {
      if (l === undefined) c.added.insert(path);
      else if (r === undefined) c.removed.insert(path);
    }
  }

  /** Merges an applied configuration into a live object; applied values win, `null` removes. */
  merge(live: unknown, applied: unknown, node: Schema | undefined): unknown {
    if (applied === undefined) return live;
    if (applied === null) return undefined;
    const sa = shape(applied);
    if (sa === 'scalar') return applied;
    if (sa === 'map') {
      if (isAtomicMap(node, this.resolve)) return deepClone(applied);
      const out: JsonMap = isPlainObject(live) ? { ...live } : {};
      for (const [k, v] of Object.entries(applied as JsonMap)) {
        const m = this.merge(out[k], v, childSchema(node, k, this.resolve).schema);
        if (m === undefined) delete out[k];
        else out[k] = m;
      }
      return out;
    }
    const sem = this.listSem(node);
    if (sem.type === 'atomic' || !Array.isArray(live)) return deepClone(applied);
    const itemNode = itemsSchema(node, this.resolve);
    return this.mergeList(live, applied as unknown[], sem, itemNode);
  }

  /**
   * Items only in the live list keep their place; items in the applied list come in its order.
   * Items in both are emitted in the applied order, with live-only items flowing around them.
   */
  private mergeList(
    live: unknown[],
    applied: unknown[],
    sem: ListSemantics,
    itemNode: Schema | undefined,
  ): unknown[] {
    const lhs = this.indexItems(live, sem, itemNode, [], false);
    const rhs = this.indexItems(applied, sem, itemNode, [], false);
    const lOrder = [...lhs.keys()];
    const rOrder = [...rhs.keys()];
    const shared = rOrder.filter((pe) => lhs.has(pe));
    let nextShared = shared.shift();
    const out: unknown[] = [];
    const emit = (pe: string) => {
      const m =
        sem.type === 'set' ? (rhs.get(pe) ?? lhs.get(pe)) : this.merge(lhs.get(pe), rhs.get(pe), itemNode);
      if (m !== undefined) out.push(m);
    };
    let li = 0;
    let ri = 0;
    while (li < lOrder.length || ri < rOrder.length) {
      if (li < lOrder.length && ri < rOrder.length) {
        const pe = lOrder[li];
        if (pe === rOrder[ri]) {
          emit(pe);
          li++;
          ri++;
          nextShared = shared.shift();
          continue;
        }
        if (rhs.has(pe) && nextShared !== undefined && nextShared !== pe) {
          li++; // a shared item, emitted when the applied order reaches it
          continue;
        }
      }
      if (li < lOrder.length && !rhs.has(lOrder[li])) {
        emit(lOrder[li]);
        li++;
        continue;
      }
      if (ri < rOrder.length) {
        const pe = rOrder[ri];
        emit(pe);
        ri++;
        if (nextShared === pe) nextShared = shared.shift();
        continue;
      }
      li++; // only shared items already emitted remain on the live side
    }
    return out;
  }

  /** Removes every member of `set` (with its whole subtree) from a copy of `value`. */
  remove(value: unknown, set: FieldSet, node: Schema | undefined): unknown {
    if (isPlainObject(value)) {
      const out: JsonMap = {};
      for (const [k, v] of Object.entries(value)) {
        const child = set.children.get(fieldElement(k));
        if (!child) out[k] = v;
        else if (!child.member) out[k] = this.remove(v, child, childSchema(node, k, this.resolve).schema);
      }
      return out;
    }
    if (Array.isArray(value)) {
      const sem = this.listSem(node);
      const itemNode = itemsSchema(node, this.resolve);
      const out: unknown[] = [];
      value.forEach((item, i) => {
        const pe = this.itemElement(item, sem, itemNode, i, [], false);
        const child = pe === undefined ? undefined : set.children.get(pe);
        if (!child) out.push(item);
        else if (!child.member) out.push(this.remove(item, child, itemNode));
      });
      return out;
    }
    return value;
  }
}

export function typedError(message: string): StatusError {
  return new StatusError(500, '', message);
}
