// Renders a decoded protobufjs message the way Go's encoding/json prints the same Go struct, so the
// server sees exactly the object kubectl would have sent as JSON.
//
// How Go values arrive here: a field absent from the wire is the Go zero value (nil for pointers,
// slices and maps). A non-pointer struct always prints, even with omitempty. metav1.Time prints
// RFC3339 or null when zero, resource.Quantity its string, IntOrString a number or a string, and
// []byte base64.
import { isScalar, type FieldDef } from './schema-dsl.js';
import { allMessages } from './proto-types.js';
import { WireError } from './wire-check.js';

type Msg = Record<string, any>;
type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

// Seconds of Go's zero time.Time (0001-01-01T00:00:00Z) relative to the Unix epoch.
const GO_ZERO_TIME_SECONDS = -62135596800;

function has(m: Msg | undefined, name: string): boolean {
  return m !== undefined && Object.prototype.hasOwnProperty.call(m, name);
}

/** int64 values come back as Long objects when long.js is present. */
function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v && typeof v === 'object' && 'low' in v && 'high' in v) {
    const l = v as { low: number; high: number; unsigned?: boolean };
    return l.unsigned ? (l.high >>> 0) * 2 ** 32 + (l.low >>> 0) : l.high * 2 ** 32 + (l.low >>> 0);
  }
  return Number(v);
}

function scalarJson(type: string, v: unknown): JsonValue {
  switch (type) {
    case 'int32':
    case 'int64':
      return toNumber(v);
    case 'bool':
      return Boolean(v);
    case 'bytes':
      return Buffer.from(v as Uint8Array).toString('base64');
    default:
      return String(v);
  }
}

function scalarZero(type: string): unknown {
  if (type === 'bool') return false;
  if (type === 'string') return '';
  if (type === 'bytes') return new Uint8Array(0);
  return 0;
}

function isZeroScalar(type: string, v: unknown): boolean {
  if (type === 'bytes') return (v as Uint8Array).length === 0;
  if (type === 'int32' || type === 'int64') return toNumber(v) === 0;
  return !v;
}

function timeJson(m: Msg | undefined): JsonValue {
  if (!has(m, 'seconds') && !has(m, 'nanos')) return null;
  const seconds = toNumber(m!.seconds ?? 0);
  const nanos = toNumber(m!.nanos ?? 0);
  if (seconds === GO_ZERO_TIME_SECONDS && nanos === 0) return null;
  // RFC3339 without fractional seconds, in UTC, as metav1.Time marshals.
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A message value held by a Go struct (not a pointer): absent means the zero struct. */
export function messageJson(type: string, m: Msg | undefined): JsonValue {
  switch (type) {
    case 'Time':
      return timeJson(m);
    case 'Quantity':
      return has(m, 'string') && m!.string !== '' ? String(m!.string) : '0';
    case 'IntOrString':
      return toNumber(m?.type ?? 0) === 1 ? String(m?.strVal ?? '') : toNumber(m?.intVal ?? 0);
    case 'FieldsV1': {
      const raw = m?.Raw as Uint8Array | undefined;
      if (!raw || !raw.length) return null;
      try {
        return JSON.parse(Buffer.from(raw).toString('utf8')) as JsonValue;
      } catch {
        throw new WireError('metadata.managedFields[].fieldsV1 does not hold valid JSON');
      }
    }
    case 'ExtraValue': {
      const items = (m?.items ?? []) as string[];
      return items.length ? items.map(String) : null;
    }
  }
  const out: { [k: string]: JsonValue } = {};
  renderFields(type, m, out);
  return out;
}

function elementJson(type: string, v: unknown): JsonValue {
  return isScalar(type) ? scalarJson(type, v) : messageJson(type, v as Msg);
}

function renderField(f: FieldDef, m: Msg | undefined, out: { [k: string]: JsonValue }): void {
  if (f.inline) {
    renderFields(f.type, has(m, f.json) ? (m![f.json] as Msg) : undefined, out);
    return;
  }
  if (f.map) {
    const obj = (has(m, f.json) ? m![f.json] : {}) as Record<string, unknown>;
    const keys = Object.keys(obj).sort();
    if (!keys.length) {
      if (!f.omitempty) out[f.json] = null;
      return;
    }
    const mapped: { [k: string]: JsonValue } = {};
    for (const k of keys) mapped[k] = elementJson(f.type, obj[k]);
    out[f.json] = mapped;
    return;
  }
  if (f.repeated) {
    const arr = (has(m, f.json) ? m![f.json] : []) as unknown[];
    if (!arr.length) {
      if (!f.omitempty) out[f.json] = null;
      return;
    }
    out[f.json] = arr.map((v) => elementJson(f.type, v));
    return;
  }
  const present = has(m, f.json);
  if (f.pointer) {
    if (!present) {
      if (!f.omitempty) out[f.json] = null;
      return;
    }
    out[f.json] = elementJson(f.type, m![f.json]);
    return;
  }
  if (!isScalar(f.type)) {
    out[f.json] = messageJson(f.type, present ? (m![f.json] as Msg) : undefined);
    return;
  }
  const v = present ? m![f.json] : scalarZero(f.type);
  if (f.omitempty && isZeroScalar(f.type, v)) return;
  out[f.json] = scalarJson(f.type, v);
}

function renderFields(type: string, m: Msg | undefined, out: { [k: string]: JsonValue }): void {
  const fields = allMessages[type];
  if (!fields) throw new Error(`no declaration for message ${type}`);
  for (const f of fields) renderField(f, m, out);
}
