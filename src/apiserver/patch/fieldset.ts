// Sets of field paths, the unit of server-side apply ownership, and their FieldsV1 encoding.
//
// A path is a list of elements written as FieldsV1 keys: `f:<field>`, `k:<json of the key
// fields>` for an item of a map list, `v:<json>` for an item of a set, `i:<index>`. A node is a
// "member" when the path ending there is in the set; FieldsV1 writes that as `.` when the node
// also has children, and as an empty object otherwise.

import { isPlainObject, sortedJson, type JsonMap } from './json.js';

export const fieldElement = (name: string): string => `f:${name}`;
export const keyElement = (key: JsonMap): string => `k:${sortedJson(key)}`;
export const valueElement = (value: unknown): string => `v:${JSON.stringify(value)}`;
export const indexElement = (index: number): string => `i:${index}`;

export class FieldSet {
  member = false;
  readonly children = new Map<string, FieldSet>();

  static fromPaths(paths: readonly (readonly string[])[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  /** Decodes a FieldsV1 object; anything that is not an object of objects is ignored. */
  static fromFieldsV1(v: unknown): FieldSet {
    const s = new FieldSet();
    if (!isPlainObject(v)) return s;
    for (const [key, child] of Object.entries(v)) {
      if (key === '.') continue;
      const node = FieldSet.fromFieldsV1(child);
      if (!isPlainObject(child)) continue;
      if ('.' in child || Object.keys(child).length === 0) node.member = true;
      s.children.set(key, node);
    }
    return s;
  }

  toFieldsV1(): JsonMap {
    const out: JsonMap = {};
    for (const key of sortedElements([...this.children.keys()])) {
      const child = this.children.get(key)!;
      if (child.isEmpty()) continue;
      const encoded = child.toFieldsV1();
      out[key] = child.member && Object.keys(encoded).length > 0 ? { '.': {}, ...encoded } : encoded;
    }
    return out;
  }

  insert(path: readonly string[]): void {
    if (path.length === 0) return;
    const [head, ...rest] = path;
    let next = this.children.get(head);
    if (!next) {
      next = new FieldSet();
      this.children.set(head, next);
    }
    if (rest.length === 0) next.member = true;
    else next.insert(rest);
  }

  has(path: readonly string[]): boolean {
    if (path.length === 0) return false;
    const next = this.children.get(path[0]);
    if (!next) return false;
    return path.length === 1 ? next.member : next.has(path.slice(1));
  }

  isEmpty(): boolean {
    if (this.member) return false;
    for (const c of this.children.values()) if (!c.isEmpty()) return false;
    return true;
  }

  clone(): FieldSet {
    return this.union(new FieldSet());
  }

  union(other: FieldSet): FieldSet {
    const out = new FieldSet();
    out.member = this.member || other.member;
    for (const key of new Set([...this.children.keys(), ...other.children.keys()])) {
      const a = this.children.get(key) ?? new FieldSet();
      const b = other.children.get(key) ?? new FieldSet();
      out.children.set(key, a.union(b));
    }
    return out;
  }

  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    out.member = this.member && !other.member;
    for (const [key, a] of this.children) {
      const b = other.children.get(key);
      const d = b ? a.difference(b) : a.clone();
      if (!d.isEmpty()) out.children.set(key, d);
    }
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    out.member = this.member && other.member;
    for (const [key, a] of this.children) {
      const b = other.children.get(key);
      if (!b) continue;
      const i = a.intersection(b);
      if (!i.isEmpty()) out.children.set(key, i);
    }
    return out;
  }

  /**
   * Every named field on the way to a member becomes a member itself, so that dropping a whole
   * struct from an applied configuration removes it rather than leaving an empty shell.
   */
  ensureNamedFieldsAreMembers(): FieldSet {
    const out = new FieldSet();
    out.member = this.member;
    for (const [key, child] of this.children) {
      const c = child.ensureNamedFieldsAreMembers();
      if (key.startsWith('f:') && !c.isEmpty()) c.member = true;
      out.children.set(key, c);
    }
    return out;
  }

  /** Member paths, shallow parents before their descendants, siblings in FieldsV1 order. */
  paths(): string[][] {
    const out: string[][] = [];
    const walk = (node: FieldSet, prefix: string[]) => {
      for (const key of sortedElements([...node.children.keys()])) {
        const child = node.children.get(key)!;
        const p = [...prefix, key];
        if (child.member) out.push(p);
        walk(child, p);
      }
    };
    walk(this, []);
    return out;
  }
}

const kindRank: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

function sortedElements(keys: string[]): string[] {
  return keys.sort((a, b) => {
    const ra = kindRank[a[0]] ?? 4;
    const rb = kindRank[b[0]] ?? 4;
    if (ra !== rb) return ra - rb;
    if (a[0] === 'i') return Number(a.slice(2)) - Number(b.slice(2));
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

/** The human form used in conflict messages: `.spec.containers[name="c"].image`. */
export function pathToString(path: readonly string[]): string {
  return path.map(elementToString).join('');
}

function elementToString(pe: string): string {
  const body = pe.slice(2);
  switch (pe[0]) {
    case 'f':
      return `.${body}`;
    case 'k': {
      const key = JSON.parse(body) as JsonMap;
      const parts = Object.keys(key).map((k) => `${k}=${JSON.stringify(key[k])}`);
      return `[${parts.sort().join(',')}]`;
    }
    case 'v':
      return `[=${body}]`;
    case 'i':
      return `[${body}]`;
    default:
      return pe;
  }
}
