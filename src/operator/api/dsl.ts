// A small declaration language for Kubernetes API types: each field is declared once and yields
// both its static TypeScript type (Infer<typeof X>) and its OpenAPI v3 structural schema, so the
// operator's types, the generated CRDs and the defaulting code cannot drift apart.

/** OpenAPI v3 schema as CustomResourceDefinitions carry it. */
export type JSONSchema = { [key: string]: unknown };

export interface Validation {
  rule: string;
  message: string;
}

interface CommonOptions {
  description?: string;
  nullable?: boolean;
  /** CEL rules, carried into the CRD (the embedded API server does not evaluate them yet). */
  validations?: Validation[];
  /** Shorthand for the `self == oldSelf` rule with message "Value is immutable". */
  immutable?: boolean;
}

/** A declared field. `T` is the value's TypeScript type; `R` whether the parent requires it. */
export interface Field<T, R extends boolean = false> {
  readonly kind: FieldKind;
  readonly isRequired: R;
  readonly defaultValue: T | undefined;
  readonly props?: Record<string, AnyField>;
  readonly items?: AnyField;
  readonly values?: AnyField;
  /** The schema keywords of this node itself (children are added by toSchema). */
  readonly own: JSONSchema;
  /** A copy that the parent object lists in `required`. */
  required(): Field<T, true>;
  /** Phantom member that carries T for inference; never set. */
  readonly __type?: T;
}

export type FieldKind = 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array' | 'map' | 'any';
export type AnyField = Field<any, boolean>;

export type Infer<F> = F extends Field<infer T, boolean> ? T : never;

type RequiredKeys<P> = { [K in keyof P]: P[K] extends Field<unknown, true> ? K : never }[keyof P];
type OptionalKeys<P> = Exclude<keyof P, RequiredKeys<P>>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
export type InferProps<P extends Record<string, AnyField>> = Simplify<
  { [K in RequiredKeys<P>]: Infer<P[K]> } & { [K in OptionalKeys<P>]?: Infer<P[K]> }
>;

function make<T>(kind: FieldKind, own: JSONSchema, opts: CommonOptions & { default?: unknown }, extra = {}) {
  const schema: JSONSchema = { ...own };
  if (opts.description) schema.description = opts.description;
  if (opts.default !== undefined) schema.default = opts.default;
  if (opts.nullable) schema.nullable = true;
  const rules = [...(opts.validations ?? [])];
  if (opts.immutable) rules.unshift({ rule: 'self == oldSelf', message: 'Value is immutable' });
  if (rules.length) schema['x-kubernetes-validations'] = rules;
  const build = (isRequired: boolean): Field<T, boolean> => ({
    kind,
    isRequired,
    defaultValue: opts.default as T | undefined,
    own: schema,
    ...extra,
    required: () => build(true) as Field<T, true>,
  });
  return build(false) as Field<T, false>;
}

interface StringOptions<E extends string> extends CommonOptions {
  enum?: readonly E[];
  default?: NoInfer<E>;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  format?: string;
}
interface NumberOptions extends CommonOptions {
  default?: number;
  minimum?: number;
  maximum?: number;
  format?: 'int32' | 'int64' | 'float' | 'double';
}
interface ObjectOptions<T> extends CommonOptions {
  default?: T;
  /** Keep fields not declared here (the upstream type is wider than what we declare). */
  preserveUnknown?: boolean;
}
interface ArrayOptions<T> extends CommonOptions {
  default?: T[];
  minItems?: number;
  maxItems?: number;
  listType?: 'atomic' | 'set' | 'map';
  listMapKeys?: string[];
}

const pick = (o: object, keys: string[]): JSONSchema =>
  Object.fromEntries(Object.entries(o).filter(([k, v]) => keys.includes(k) && v !== undefined));

/** With `preserveUnknown`, the inferred type also admits the undeclared keys. */
type ObjectType<P extends Record<string, AnyField>, U extends boolean> = U extends true
  ? InferProps<P> & { [key: string]: unknown }
  : InferProps<P>;

export const field = {
  string<const E extends string = string>(opts: StringOptions<E> = {}): Field<E> {
    const own: JSONSchema = {
      type: 'string',
      ...pick(opts, ['pattern', 'minLength', 'maxLength', 'format']),
    };
    if (opts.enum) own.enum = [...opts.enum];
    return make<E>('string', own, opts);
  },
  integer(opts: NumberOptions = {}): Field<number> {
    return make('integer', { type: 'integer', ...pick(opts, ['format', 'minimum', 'maximum']) }, opts);
  },
  number(opts: NumberOptions = {}): Field<number> {
    return make('number', { type: 'number', ...pick(opts, ['format', 'minimum', 'maximum']) }, opts);
  },
  boolean(opts: CommonOptions & { default?: boolean } = {}): Field<boolean> {
    return make('boolean', { type: 'boolean' }, opts);
  },
  /** Kubernetes IntOrString (ports, percentages, quantities). */
  intOrString(opts: CommonOptions & { default?: number | string } = {}): Field<number | string> {
    return make('any', { 'x-kubernetes-int-or-string': true }, opts);
  },
  object<P extends Record<string, AnyField>, const U extends boolean = false>(
    props: P,
    opts: ObjectOptions<InferProps<P>> & { preserveUnknown?: U } = {},
  ): Field<ObjectType<P, U>> {
    const own: JSONSchema = { type: 'object' };
    if (opts.preserveUnknown) own['x-kubernetes-preserve-unknown-fields'] = true;
    return make<ObjectType<P, U>>('object', own, opts, { props });
  },
  array<I extends AnyField>(items: I, opts: ArrayOptions<Infer<I>> = {}): Field<Infer<I>[]> {
    const own: JSONSchema = { type: 'array', ...pick(opts, ['minItems', 'maxItems']) };
    if (opts.listType) own['x-kubernetes-list-type'] = opts.listType;
    if (opts.listMapKeys) own['x-kubernetes-list-map-keys'] = opts.listMapKeys;
    return make('array', own, opts, { items });
  },
  /** An object with arbitrary keys whose values all have one type (additionalProperties). */
  map<V extends AnyField>(
    values: V,
    opts: CommonOptions & { default?: Record<string, Infer<V>> } = {},
  ): Field<Record<string, Infer<V>>> {
    return make('map', { type: 'object' }, opts, { values });
  },
  /** An object whose content the schema does not describe; kept as is. */
  preserveUnknown(
    opts: CommonOptions & { default?: Record<string, unknown> } = {},
  ): Field<Record<string, unknown>> {
    return make('object', { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, opts, {
      props: {},
    });
  },
  /** Any JSON value (object, list or scalar); kept as is. */
  any(opts: CommonOptions = {}): Field<unknown> {
    return make('any', { 'x-kubernetes-preserve-unknown-fields': true }, opts);
  },
};

/** The OpenAPI v3 structural schema of a declared field. */
export function toSchema(f: AnyField): JSONSchema {
  const s: JSONSchema = { ...f.own };
  if (f.props && Object.keys(f.props).length) {
    const props: JSONSchema = {};
    const required: string[] = [];
    for (const k of Object.keys(f.props).sort()) {
      props[k] = toSchema(f.props[k]);
      if (f.props[k].isRequired) required.push(k);
    }
    s.properties = props;
    if (required.length) s.required = required;
  }
  if (f.items) s.items = toSchema(f.items);
  if (f.values) s.additionalProperties = toSchema(f.values);
  return orderKeys(s);
}

// Keys sorted as controller-gen emits them, so generated CRDs read (and diff) like upstream ones.
function orderKeys(s: JSONSchema): JSONSchema {
  return Object.fromEntries(
    Object.keys(s)
      .sort()
      .map((k) => [k, s[k]]),
  );
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Structural defaulting as the API server does it: a missing property with a default gets a copy of
 * it, then defaulting continues inside every present value (including the defaults just set).
 * Mutates and returns `value`.
 */
export function defaultValue<T>(f: AnyField, value: T): T {
  const v: unknown = value;
  if (Array.isArray(v) && f.items) {
    v.forEach((item, i) => (v[i] = defaultValue(f.items!, item)));
  } else if (isPlainObject(v)) {
    if (f.props) {
      for (const [k, p] of Object.entries(f.props)) {
        if (v[k] === undefined && p.defaultValue !== undefined) v[k] = structuredClone(p.defaultValue);
        if (v[k] !== undefined) v[k] = defaultValue(p, v[k]);
      }
    } else if (f.values) {
      for (const k of Object.keys(v)) v[k] = defaultValue(f.values, v[k]);
    }
  }
  return value;
}
