// Walks the protobuf wire format against the declared messages before protobufjs decodes it, so a
// malformed body is reported with the field path at fault (protobufjs alone would either throw a
// bare "index out of range" or read a mismatched wire type as garbage). It also collects field
// numbers the declarations do not know; the decoder ignores those, as Go's generated code does.
import protobuf from 'protobufjs';
import { isScalar, type FieldDef } from './schema-dsl.js';
import { allMessages } from './proto-types.js';

const VARINT = 0;
const LEN = 2;

export class WireError extends Error {}

function expectedWireType(type: string): number {
  return type === 'string' || type === 'bytes' || !isScalar(type) ? LEN : VARINT;
}

function checkValue(
  type: string,
  r: protobuf.Reader,
  wt: number,
  path: string,
  unknown: string[],
  depth: number,
): void {
  const want = expectedWireType(type);
  if (wt === LEN && want === VARINT) {
    // A packed repeated scalar: a run of varints inside one length-delimited chunk.
    const end = lengthEnd(r, path);
    while (r.pos < end) r.skipType(VARINT);
    if (r.pos !== end) throw new WireError(`${path}: packed values overrun their length`);
    return;
  }
  if (wt !== want) throw new WireError(`${path}: wire type ${wt} where ${want} was expected`);
  if (want === VARINT) {
    r.skipType(VARINT);
    return;
  }
  const end = lengthEnd(r, path);
  if (isScalar(type)) {
    r.pos = end;
    return;
  }
  walkMessage(type, r, end, path, unknown, depth + 1);
}

function lengthEnd(r: protobuf.Reader, path: string): number {
  const len = r.uint32();
  const end = r.pos + len;
  if (end > r.len) throw new WireError(`${path}: length ${len} runs past the end of the data`);
  return end;
}

function walkMessage(
  name: string,
  r: protobuf.Reader,
  end: number,
  path: string,
  unknown: string[],
  depth: number,
): void {
  if (depth > 64) throw new WireError(`${path}: nesting is too deep`);
  const fields = allMessages[name];
  while (r.pos < end) {
    const tag = r.uint32();
    const id = tag >>> 3;
    const wt = tag & 7;
    if (id === 0) throw new WireError(`${path || name}: field number 0 is not valid`);
    const f: FieldDef | undefined = fields.find((x) => x.id === id);
    const here = path ? `${path}.${f?.json ?? id}` : (f?.json ?? String(id));
    if (!f) {
      unknown.push(`${name}:${here}`);
      if (wt === 4 || wt > 5) throw new WireError(`${here}: invalid wire type ${wt}`);
      r.skipType(wt);
      continue;
    }
    if (f.map) {
      if (wt !== LEN) throw new WireError(`${here}: wire type ${wt} where 2 was expected for a map entry`);
      const entryEnd = lengthEnd(r, here);
      while (r.pos < entryEnd) {
        const etag = r.uint32();
        const eid = etag >>> 3;
        if (eid === 1) checkValue('string', r, etag & 7, `${here}[key]`, unknown, depth);
        else if (eid === 2) checkValue(f.type, r, etag & 7, `${here}[value]`, unknown, depth);
        else r.skipType(etag & 7);
      }
      if (r.pos !== entryEnd) throw new WireError(`${here}: map entry overruns its length`);
      continue;
    }
    checkValue(f.type, r, wt, here, unknown, depth);
  }
  if (r.pos !== end) throw new WireError(`${path || name}: message overruns its length`);
}

/** Throws WireError when `bytes` is not a well-formed `name` message; returns unknown field paths. */
export function checkWire(name: string, bytes: Uint8Array): string[] {
  const unknown: string[] = [];
  const r = protobuf.Reader.create(bytes);
  try {
    walkMessage(name, r, r.len, '', unknown, 0);
  } catch (e) {
    if (e instanceof WireError) throw e;
    // protobufjs reader errors ("index out of range: …") mean the data ended mid-value.
    throw new WireError(`truncated or corrupt data (${(e as Error).message})`);
  }
  return unknown;
}
