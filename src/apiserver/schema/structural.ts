// One walk over an object and its schema doing what the API server's decoding does: Go-style
// typed decoding for built-in kinds (type errors, unknown fields), and for custom resources
// apiextensions' null pruning, pruning, defaulting and OpenAPI value validation.
import { badRequest, type FieldError } from '../errors.js';
import type { Schema, SchemaResolver } from '../types.js';
import { builtinSchemas, goTypeHints } from './builtin.js';
import { base64Error, compilePattern, goFloat, quantityError, timeError, violatesFormat } from './formats.js';
import {
  INT_OR_STRING,
  MICRO_TIME,
  OBJECT_META,
  QUANTITY,
  RAW_EXTENSION,
  SCHEMA_PREFIX,
  TIME,
  goTypeName,
  shortName,
} from './names.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface ProcessOptions {
  mode: 'builtin' | 'crd';
  fieldValidation: FieldValidation;
  /** Kind and apiVersion of the request body, for decode error messages. */
  kind: string;
  apiVersion: string;
  applyDefaults: boolean;
}

export interface ProcessResult {
  object: any;
  /** `unknown field "spec.foo"` texts for fieldValidation=Warn. */
  warnings: string[];
  /** Value validation failures (custom resources only); the caller turns them into a 422. */
  errors: FieldError[];
}

/** The schema every custom resource's metadata is decoded with. */
export const OBJECT_META_REF = SCHEMA_PREFIX + OBJECT_META;

const DROP = Symbol('drop');
type Out = unknown | typeof DROP;

interface GoContext {
  struct: string;
  stack: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function clone<T>(v: T): T {
  if (Array.isArray(v)) return v.map(clone) as T;
  if (isObject(v)) {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(v)) o[k] = clone(v[k]);
    return o as T;
  }
  return v;
}

const child = (path: string, key: string): string => (path ? `${path}.${key}` : key);

/** encoding/json's description of a JSON value in UnmarshalTypeError. */
function goValueKind(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  return Array.isArray(v) ? 'array' : 'object';
}

/** The OpenAPI type name kube-openapi reports for a value. */
function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return Array.isArray(v) ? 'array' : 'object';
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a))
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

/** Canonical text of a JSON value with sorted keys, for set/map uniqueness. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'undefined';
}

const INT32 = [-2147483648, 2147483647];

let metaFallback: SchemaResolver | undefined;
function fallbackResolve(ref: string): Schema | undefined {
  metaFallback ??= builtinSchemas([]).resolve;
  return metaFallback(ref);
}

class Walker {
  readonly warnings: string[] = [];
  readonly errors: FieldError[] = [];
  readonly listErrors: FieldError[] = [];
  private readonly unknown: string[] = [];
  private readonly unknownSeen = new Set<string>();
  private goError?: string;

  constructor(
    private readonly resolveRef: SchemaResolver,
    private readonly opts: ProcessOptions,
  ) {}

  private resolve(ref: string): Schema | undefined {
    return this.resolveRef(ref) ?? fallbackResolve(ref);
  }

  /** Follows $ref (and one-element allOf wrappers); `component` is the last component name passed. */
  private deref(s: Schema): { schema?: Schema; component?: string } {
    let cur: Schema | undefined = s;
    let component: string | undefined;
    for (let i = 0; cur && i < 16; i++) {
      if (cur.$ref) {
        component = cur.$ref.startsWith(SCHEMA_PREFIX) ? cur.$ref.slice(SCHEMA_PREFIX.length) : cur.$ref;
        cur = this.resolve(cur.$ref);
      } else if (cur.allOf?.length === 1 && !cur.type && !cur.properties) cur = cur.allOf[0];
      else break;
    }
    return { schema: cur, component };
  }

  private unknownField(path: string): void {
    if (this.unknownSeen.has(path)) return;
    this.unknownSeen.add(path);
    // sigs.k8s.io/json stops collecting strict errors at 100.
    if (this.opts.mode === 'crd' || this.unknown.length < 100) this.unknown.push(path);
  }

  private typeError(value: string, type: string, g: GoContext): void {
    if (this.goError) return;
    this.goError = g.stack.length
      ? `json: cannot unmarshal ${value} into Go struct field ${g.struct}.${g.stack.join('.')} of type ${type}`
      : `json: cannot unmarshal ${value} into Go value of type ${type}`;
  }

  private decodeError(message: string): void {
    this.goError ??= message;
  }

  private goType(s0: Schema): string {
    const { schema: s, component } = this.deref(s0);
    if (!s) return 'interface {}';
    const hint = goTypeHints.get(s) ?? goTypeHints.get(s0);
    if (hint) return hint;
    if (
      component &&
      (s.properties ||
        component === INT_OR_STRING ||
        component === QUANTITY ||
        component === TIME ||
        component === MICRO_TIME ||
        component === RAW_EXTENSION)
    ) {
      return goTypeName(component);
    }
    if (s.type === 'array') return `[]${s.items ? this.goType(s.items) : 'interface {}'}`;
    if (s.type === 'object' && isObject(s.additionalProperties))
      return `map[string]${this.goType(s.additionalProperties)}`;
    if (s.type === 'integer') return s.format === 'int32' ? 'int32' : 'int64';
    if (s.type === 'number') return 'float64';
    if (s.type === 'boolean') return 'bool';
    if (s.type === 'string') return s.format === 'byte' ? '[]uint8' : 'string';
    return component ? goTypeName(component) : 'map[string]interface {}';
  }

  /** The zero value Go leaves for a JSON null inside a slice or map. */
  private goZero(s0: Schema | undefined): unknown {
    const s = s0 && this.deref(s0).schema;
    if (!s) return DROP;
    if (s.type === 'string') return '';
    if (s.type === 'integer' || s.type === 'number') return 0;
    if (s.type === 'boolean') return false;
    if (s.properties) return {};
    return DROP;
  }

  // ---- built-in kinds: what encoding/json (sigs.k8s.io/json, case-sensitive, strict) does ----

  goWalk(value: unknown, s0: Schema, path: string, g: GoContext): Out {
    if (value === null || value === undefined) return DROP;
    const { schema: s, component } = this.deref(s0);
    if (!s) return clone(value);
    switch (component) {
      case INT_OR_STRING:
        if (typeof value === 'string') return value;
        if (typeof value === 'number') {
          if (!Number.isInteger(value) || value < INT32[0] || value > INT32[1])
            this.typeError(`number ${goNumber(value)}`, 'int32', g);
          return value;
        }
        this.typeError(goValueKind(value), 'int32', g);
        return DROP;
      case QUANTITY: {
        if (typeof value === 'number') return value;
        const err = quantityError(typeof value === 'string' ? value : JSON.stringify(value));
        if (err) this.decodeError(err);
        return value;
      }
      case TIME:
      case MICRO_TIME:
        if (typeof value !== 'string') {
          this.typeError(goValueKind(value), 'string', g);
          return DROP;
        }
        if (timeError(value)) this.decodeError(timeError(value)!);
        return value;
    }
    if (s['x-kubernetes-preserve-unknown-fields'] && !s.properties && !isObject(s.additionalProperties))
      return clone(value);
    if (s.properties || s.type === 'object') {
      if (!isObject(value)) {
        this.typeError(goValueKind(value), this.goType(s0), g);
        return DROP;
      }
      const out: Record<string, unknown> = {};
      if (s.properties) {
        const struct = component ? shortName(component) : g.struct;
        for (const [k, v] of Object.entries(value)) {
          const ps = s.properties[k];
          if (!ps) {
            this.unknownField(child(path, k));
            continue;
          }
          const r = this.goWalk(v, ps, child(path, k), { struct, stack: [...g.stack, k] });
          if (r !== DROP) out[k] = r;
        }
        return out;
      }
      const ap = isObject(s.additionalProperties) ? s.additionalProperties : undefined;
      for (const [k, v] of Object.entries(value)) {
        if (!ap) {
          out[k] = clone(v);
          continue;
        }
        const r = v === null ? this.goZero(ap) : this.goWalk(v, ap, child(path, k), g);
        if (r !== DROP) out[k] = r;
      }
      return out;
    }
    switch (s.type) {
      case 'array': {
        if (!Array.isArray(value)) {
          if (typeof value === 'string' && s.items && this.deref(s.items).schema?.format === 'byte')
            return value;
          this.typeError(goValueKind(value), this.goType(s0), g);
          return DROP;
        }
        const out: unknown[] = [];
        value.forEach((item, i) => {
          const r =
            item === null
              ? this.goZero(s.items)
              : s.items
                ? this.goWalk(item, s.items, `${path}[${i}]`, g)
                : clone(item);
          out.push(r === DROP ? null : r);
        });
        return out;
      }
      case 'integer':
        if (typeof value !== 'number') this.typeError(goValueKind(value), this.goType(s0), g);
        else if (
          !Number.isInteger(value) ||
          (s.format === 'int32' ? value < INT32[0] || value > INT32[1] : !Number.isSafeInteger(value))
        ) {
          this.typeError(`number ${goNumber(value)}`, this.goType(s0), g);
        }
        return value;
      case 'number':
        if (typeof value !== 'number') this.typeError(goValueKind(value), 'float64', g);
        return value;
      case 'boolean':
        if (typeof value !== 'boolean') this.typeError(goValueKind(value), 'bool', g);
        return value;
      case 'string':
        if (typeof value !== 'string') this.typeError(goValueKind(value), this.goType(s0), g);
        else if (s.format === 'byte' && base64Error(value)) this.decodeError(base64Error(value)!);
        return value;
      default:
        return clone(value);
    }
  }

  // ---- custom resources: apiextensions pruning, defaulting and kube-openapi validation ----

  crWalk(
    value: unknown,
    s0: Schema,
    path: string,
    mutate: boolean,
    errs: FieldError[],
    embedded = false,
  ): unknown {
    if (s0.$ref) return mutate ? this.goMeta(value, s0, path) : value;
    const s = s0;
    if (!this.typeMatches(value, s, path, errs)) return value;
    let out: unknown = value;
    if (isObject(value))
      out = this.crObject(value, s, path, mutate, errs, embedded || !!s['x-kubernetes-embedded-resource']);
    else if (Array.isArray(value)) out = this.crArray(value, s, path, mutate, errs);
    this.junctors(out, s, path, errs);
    this.valueChecks(out, s, path, errs);
    return out;
  }

  /** Metadata of a custom resource (and of embedded resources) decodes as ObjectMeta. */
  private goMeta(value: unknown, s0: Schema, path: string): unknown {
    const r = this.goWalk(value, s0, path, { struct: 'ObjectMeta', stack: [] });
    return r === DROP ? undefined : r;
  }

  private typeMatches(value: unknown, s: Schema, path: string, errs: FieldError[]): boolean {
    const intOrString = s['x-kubernetes-int-or-string'];
    const type = intOrString ? 'integer,string' : s.type;
    if (!type) return true;
    if (value === null) {
      if (s.nullable) return false;
      errs.push(typeInvalid(path, 'null', type));
      return false;
    }
    const actual = jsonType(value);
    const ok = intOrString
      ? actual === 'integer' || actual === 'string'
      : actual === type || (type === 'number' && actual === 'integer');
    if (!ok) errs.push(typeInvalid(path, actual, type));
    return ok;
  }

  private crObject(
    value: Record<string, unknown>,
    s: Schema,
    path: string,
    mutate: boolean,
    errs: FieldError[],
    embedded: boolean,
  ): Record<string, unknown> {
    const props = s.properties ?? {};
    const ap = isObject(s.additionalProperties) ? (s.additionalProperties as Schema) : undefined;
    const preserve = !!s['x-kubernetes-preserve-unknown-fields'] || s.additionalProperties === true;
    const out: Record<string, unknown> = mutate ? {} : value;
    const pending: [string, Schema][] = [];
    for (const [k, v] of Object.entries(value)) {
      if (embedded && k === 'metadata') {
        if (mutate) {
          const m = this.goMeta(
            v,
            props.metadata?.$ref ? props.metadata : { $ref: OBJECT_META_REF },
            child(path, k),
          );
          if (m !== undefined) out[k] = m;
        }
        continue;
      }
      const ps = props[k] ?? ap;
      if (!ps) {
        if (embedded && (k === 'apiVersion' || k === 'kind')) {
          if (mutate) out[k] = v;
        } else if (preserve) {
          if (mutate) out[k] = clone(v);
        } else if (mutate) this.unknownField(child(path, k));
        continue;
      }
      if (mutate) {
        if (v === null && !ps.nullable) {
          if (ps.default !== undefined && this.opts.applyDefaults) out[k] = clone(ps.default);
          else continue;
        } else out[k] = v;
      }
      pending.push([k, ps]);
    }
    if (mutate && this.opts.applyDefaults) {
      for (const [k, ps] of Object.entries(props)) {
        if (ps.default !== undefined && !(k in out) && !(embedded && k === 'metadata')) {
          out[k] = clone(ps.default);
          pending.push([k, ps]);
        }
      }
    }
    for (const [k, ps] of pending) {
      const r = this.crWalk(out[k], ps, child(path, k), mutate, errs);
      if (mutate) out[k] = r;
    }
    if (embedded && mutate && path) {
      for (const k of ['apiVersion', 'kind']) {
        if (typeof out[k] !== 'string' || out[k] === '') {
          errs.push(
            out[k] === undefined || out[k] === ''
              ? { type: 'FieldValueRequired', field: child(path, k), detail: 'must not be empty' }
              : {
                  type: 'FieldValueInvalid',
                  field: child(path, k),
                  value: out[k],
                  detail: 'must be a string',
                },
          );
        }
      }
    }
    return out;
  }

  private crArray(value: unknown[], s: Schema, path: string, mutate: boolean, errs: FieldError[]): unknown[] {
    const items = s.items;
    const out = mutate ? [...value] : value;
    if (items) {
      for (let i = 0; i < out.length; i++) {
        let item = out[i];
        if (
          mutate &&
          item === null &&
          !items.nullable &&
          items.default !== undefined &&
          this.opts.applyDefaults
        )
          item = clone(items.default);
        const r = this.crWalk(item, items, `${path}[${i}]`, mutate, errs);
        if (mutate) out[i] = r;
      }
    } else if (mutate) {
      for (let i = 0; i < out.length; i++) out[i] = clone(out[i]);
    }
    if (mutate) this.listType(out, s, path);
    return out;
  }

  private listType(list: unknown[], s: Schema, path: string): void {
    const kind = s['x-kubernetes-list-type'];
    if (kind === 'set') {
      const seen = new Map<string, number>();
      list.forEach((x, i) => {
        const key = canonical(x);
        const n = seen.get(key) ?? 0;
        if (n === 1) this.listErrors.push({ type: 'FieldValueDuplicate', field: `${path}[${i}]`, value: x });
        seen.set(key, n + 1);
      });
    } else if (kind === 'map') {
      const bad = list.findIndex((x) => x !== null && !isObject(x));
      if (bad >= 0) {
        this.listErrors.push({
          type: 'FieldValueInvalid',
          field: `${path}[${bad}]`,
          value: list[bad],
          detail: 'must be an object for an array of list-type map',
        });
        return;
      }
      const keys = s['x-kubernetes-list-map-keys'] ?? [];
      const seen = new Map<string, number>();
      list.forEach((x, i) => {
        const key: Record<string, unknown> = {};
        for (const k of keys) if (isObject(x) && k in x) key[k] = x[k];
        const text = canonical(key);
        const n = seen.get(text) ?? 0;
        if (n === 1)
          this.listErrors.push({ type: 'FieldValueDuplicate', field: `${path}[${i}]`, value: key });
        seen.set(text, n + 1);
      });
    }
  }

  private junctors(value: unknown, s: Schema, path: string, errs: FieldError[]): void {
    const run = (branch: Schema): FieldError[] => {
      const e: FieldError[] = [];
      this.crWalk(value, branch, path, false, e);
      return e;
    };
    const composite = (detail: string): FieldError => ({
      type: 'FieldValueInvalid',
      field: '<nil>',
      value: '',
      detail,
    });
    const quoted = JSON.stringify(path);
    if (s.anyOf?.length) {
      let best: FieldError[] | undefined;
      let ok = false;
      for (const b of s.anyOf) {
        const e = run(b);
        if (!e.length) {
          ok = true;
          break;
        }
        if (!best || e.length < best.length) best = e;
      }
      if (!ok) errs.push(composite(`${quoted} must validate at least one schema (anyOf)`), ...(best ?? []));
    }
    if (s.oneOf?.length) {
      let best: FieldError[] | undefined;
      let valid = 0;
      for (const b of s.oneOf) {
        const e = run(b);
        if (!e.length) valid++;
        else if (valid === 0 && (!best || e.length < best.length)) best = e;
      }
      if (valid !== 1) {
        errs.push(
          composite(
            `${quoted} must validate one and only one schema (oneOf). ${valid === 0 ? 'Found none valid' : `Found ${valid} valid alternatives`}`,
          ),
        );
        if (valid === 0 && best) errs.push(...best);
      }
    }
    if (s.allOf?.length) {
      let valid = 0;
      for (const b of s.allOf) {
        const e = run(b);
        if (!e.length) valid++;
        errs.push(...e);
      }
      if (valid !== s.allOf.length)
        errs.push(
          composite(
            `${quoted} must validate all the schemas (allOf)${valid === 0 ? '. None validated' : ''}`,
          ),
        );
    }
    if (s.not && !run(s.not).length) errs.push(composite(`${quoted} must not validate the schema (not)`));
  }

  private valueChecks(value: unknown, s: Schema, path: string, errs: FieldError[]): void {
    if (value === null || value === undefined) return;
    if (s.enum && !s.enum.some((e) => deepEqual(e, value))) {
      const allowed = s.enum
        .map((e) => JSON.stringify(typeof e === 'string' ? e : JSON.stringify(e)))
        .join(', ');
      errs.push({
        type: 'FieldValueNotSupported',
        field: path,
        value,
        detail: `supported values: ${allowed}`,
      });
    }
    const at = `${path} in body`;
    if (typeof value === 'string') {
      const len = [...value].length;
      if (s.maxLength !== undefined && len > s.maxLength) {
        errs.push({
          type: 'FieldValueTooLong',
          field: path,
          value,
          detail: `may not be more than ${s.maxLength} ${s.maxLength === 1 ? 'byte' : 'bytes'}`,
        });
      }
      if (s.minLength !== undefined && len < s.minLength) {
        errs.push({
          type: 'FieldValueInvalid',
          field: path,
          value,
          detail: `${at} should be at least ${s.minLength} chars long`,
        });
      }
      if (s.pattern !== undefined) {
        const re = compilePattern(s.pattern);
        if (re && !re.test(value))
          errs.push({
            type: 'FieldValueInvalid',
            field: path,
            value,
            detail: `${at} should match '${s.pattern}'`,
          });
      }
      if (s.format && violatesFormat(s.format, value)) {
        errs.push({
          type: 'FieldValueTypeInvalid',
          field: path,
          value,
          detail: `${at} must be of type ${s.format}: ${JSON.stringify(value)}`,
        });
      }
    } else if (typeof value === 'number') {
      if (s.maximum !== undefined && (s.exclusiveMaximum ? value >= s.maximum : value > s.maximum)) {
        errs.push({
          type: 'FieldValueInvalid',
          field: path,
          value,
          detail: `${at} should be less than ${s.exclusiveMaximum ? '' : 'or equal to '}${goFloat(s.maximum)}`,
        });
      }
      if (s.minimum !== undefined && (s.exclusiveMinimum ? value <= s.minimum : value < s.minimum)) {
        errs.push({
          type: 'FieldValueInvalid',
          field: path,
          value,
          detail: `${at} should be greater than ${s.exclusiveMinimum ? '' : 'or equal to '}${goFloat(s.minimum)}`,
        });
      }
      if (s.multipleOf && !Number.isInteger(Number((value / s.multipleOf).toPrecision(15)))) {
        errs.push({
          type: 'FieldValueInvalid',
          field: path,
          value,
          detail: `${at} should be a multiple of ${goFloat(s.multipleOf)}`,
        });
      }
    } else if (Array.isArray(value)) {
      if (s.minItems !== undefined && value.length < s.minItems) {
        errs.push({
          type: 'FieldValueInvalid',
          field: path,
          value: value.length,
          detail: `${at} should have at least ${s.minItems} items`,
        });
      }
      if (s.maxItems !== undefined && value.length > s.maxItems) {
        errs.push({
          type: 'FieldValueTooMany',
          field: path,
          value: value.length,
          detail: `must have at most ${s.maxItems} ${s.maxItems === 1 ? 'item' : 'items'}`,
        });
      }
      if (s.uniqueItems && new Set(value.map(canonical)).size !== value.length) {
        errs.push({
          type: 'FieldValueInvalid',
          field: path,
          value: '',
          detail: `${at} shouldn't contain duplicates`,
        });
      }
    } else if (isObject(value)) {
      const n = Object.keys(value).length;
      // kube-openapi stops at a property-count failure without looking at required fields.
      if (s.minProperties !== undefined && n < s.minProperties) {
        errs.push({
          type: 'FieldValueInvalid',
          field: path,
          value: n,
          detail: `${at} should have at least ${s.minProperties} properties`,
        });
        return;
      }
      if (s.maxProperties !== undefined && n > s.maxProperties) {
        errs.push({
          type: 'FieldValueTooMany',
          field: path,
          value: n,
          detail: `must have at most ${s.maxProperties} ${s.maxProperties === 1 ? 'item' : 'items'}`,
        });
        return;
      }
      for (const r of s.required ?? [])
        if (!(r in value)) errs.push({ type: 'FieldValueRequired', field: child(path, r) });
    }
  }

  /** Raises the decode failure a request body meets before validation, then reports unknown fields. */
  finish(): void {
    const { kind, apiVersion, fieldValidation, mode } = this.opts;
    const version = apiVersion.slice(apiVersion.lastIndexOf('/') + 1);
    const prefix = `${kind} in version ${JSON.stringify(version)} cannot be handled as a ${kind}: `;
    if (this.goError) throw badRequest(prefix + this.goError);
    if (!this.unknown.length || fieldValidation === 'Ignore') return;
    const paths = mode === 'crd' ? [...this.unknown].sort() : this.unknown;
    const texts = paths.map((p) => `unknown field ${JSON.stringify(p)}`);
    if (fieldValidation === 'Strict') throw badRequest(`${prefix}strict decoding error: ${texts.join(', ')}`);
    this.warnings.push(...texts);
  }
}

function typeInvalid(path: string, actual: string, type: string): FieldError {
  return {
    type: 'FieldValueTypeInvalid',
    field: path,
    value: actual,
    detail: `${path} in body must be of type ${type}: ${JSON.stringify(actual)}`,
  };
}

/** The literal encoding/json quotes for a number it could not store ("number 1.5"). */
function goNumber(v: number): string {
  return Number.isInteger(v) && Math.abs(v) < 1e21 ? BigInt(v).toString() : String(v);
}

/**
 * Decodes `obj` against `schema` the way the API server does for a create/update body.
 * Built-in kinds: throws a 400 for type errors (encoding/json wording) and, with Strict, for
 * unknown fields; unknown fields are always dropped. Custom resources: prunes, drops
 * non-nullable nulls, defaults (when asked) and returns value validation errors.
 */
export function processObject(
  obj: unknown,
  schema: Schema,
  resolve: SchemaResolver,
  opts: ProcessOptions,
): ProcessResult {
  const w = new Walker(resolve, opts);
  let out: unknown;
  if (opts.mode === 'builtin') {
    const r = w.goWalk(obj, schema, '', { struct: '', stack: [] });
    out = r === DROP ? {} : r;
  } else {
    const errs: FieldError[] = [];
    out = w.crWalk(obj, schema, '', true, errs, true);
    w.errors.push(...errs);
  }
  w.finish();
  return { object: out, warnings: w.warnings, errors: [...w.errors, ...w.listErrors] };
}
