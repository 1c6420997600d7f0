// DNS message wire format (RFC 1035, EDNS0 from RFC 6891): just the record types cluster DNS serves.
// Names are handled as lower-case-insensitive dotted strings without the trailing dot; a label that
// itself contains a dot or backslash is escaped ("\." / "\\") so it can never alias another name.

export const RRType = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  OPT: 41,
  ANY: 255,
} as const;

export const RCode = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  /** Extended (needs EDNS): 16 = 1 << 4 in the OPT TTL plus 0 in the header. */
  BADVERS: 16,
} as const;

export const CLASS_IN = 1;

export interface SoaData {
  mname: string;
  rname: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

export interface SrvData {
  priority: number;
  weight: number;
  port: number;
  target: string;
}

/** A resource record. `data` depends on the type: address text, a name, SRV/SOA fields, TXT strings. */
export type Record =
  | { name: string; type: 1 | 28; ttl: number; data: string }
  | { name: string; type: 2 | 5 | 12; ttl: number; data: string }
  | { name: string; type: 6; ttl: number; data: SoaData }
  | { name: string; type: 16; ttl: number; data: string[] }
  | { name: string; type: 33; ttl: number; data: SrvData };

export interface Question {
  name: string;
  type: number;
  class: number;
}

export interface Edns {
  udpSize: number;
  version: number;
  extendedRcode: number;
  dnssecOk: boolean;
}

export interface Message {
  id: number;
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  rcode: number;
  questions: Question[];
  answers: Record[];
  authority: Record[];
  additional: Record[];
  edns?: Edns;
}

export class WireError extends Error {}

const MAX_POINTER_HOPS = 64;

function readName(buf: Buffer, start: number): { name: string; next: number } {
  const labels: string[] = [];
  let pos = start;
  let next = -1;
  let hops = 0;
  let length = 0;
  for (;;) {
    if (pos >= buf.length) throw new WireError('name runs past the end of the message');
    const len = buf[pos];
    if ((len & 0xc0) === 0xc0) {
      if (pos + 1 >= buf.length) throw new WireError('truncated compression pointer');
      if (++hops > MAX_POINTER_HOPS) throw new WireError('compression pointer loop');
      if (next < 0) next = pos + 2;
      pos = ((len & 0x3f) << 8) | buf[pos + 1];
      continue;
    }
    if (len & 0xc0) throw new WireError('unsupported label type');
    if (len === 0) {
      if (next < 0) next = pos + 1;
      break;
    }
    if (pos + 1 + len > buf.length) throw new WireError('label runs past the end of the message');
    length += len + 1;
    if (length > 255) throw new WireError('name longer than 255 octets');
    labels.push(escapeLabel(buf.toString('latin1', pos + 1, pos + 1 + len)));
    pos += 1 + len;
  }
  return { name: labels.join('.'), next };
}

const escapeLabel = (l: string): string => l.replace(/[\\.]/g, (c) => `\\${c}`);

/** Splits a dotted name into raw labels, honouring "\." and "\\" escapes. */
export function splitName(name: string): string[] {
  if (name === '' || name === '.') return [];
  const labels: string[] = [];
  let cur = '';
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    if (c === '\\' && i + 1 < name.length) cur += name[++i];
    else if (c === '.') {
      labels.push(cur);
      cur = '';
    } else cur += c;
  }
  if (cur !== '' || name.endsWith('\\.')) labels.push(cur);
  return labels;
}

class Writer {
  private buf = Buffer.alloc(512);
  len = 0;
  private readonly names = new Map<string, number>();

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const bigger = Buffer.alloc(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(bigger, 0, 0, this.len);
    this.buf = bigger;
  }
  u8(v: number): void {
    this.ensure(1);
    this.buf[this.len++] = v;
  }
  u16(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.len);
    this.len += 2;
  }
  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.len);
    this.len += 4;
  }
  bytes(b: Buffer): void {
    this.ensure(b.length);
    b.copy(this.buf, this.len);
    this.len += b.length;
  }
  setU16(at: number, v: number): void {
    this.buf.writeUInt16BE(v, at);
  }
  /** Writes a name, pointing at an earlier copy of its longest known suffix (compression). */
  name(name: string, compress = true): void {
    const labels = splitName(name);
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels
        .slice(i)
        .map((l) => escapeLabel(l.toLowerCase()))
        .join('.');
      const at = compress ? this.names.get(suffix) : undefined;
      if (at !== undefined) {
        this.u16(0xc000 | at);
        return;
      }
      if (compress && this.len < 0x3fff) this.names.set(suffix, this.len);
      const raw = Buffer.from(labels[i], 'latin1');
      if (raw.length === 0 || raw.length > 63) throw new WireError(`bad label in ${name}`);
      this.u8(raw.length);
      this.bytes(raw);
    }
    this.u8(0);
  }
  result(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.len));
  }
}

function ipv4Bytes(ip: string): Buffer {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255))
    throw new WireError(`bad IPv4 address ${ip}`);
  return Buffer.from(parts);
}

/** 16 bytes of an IPv6 address in any textual form (with "::" and a dotted IPv4 tail). */
export function ipv6Bytes(ip: string): Buffer {
  let text = ip.replace(/^\[|\]$/g, '');
  const out = Buffer.alloc(16);
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const b = ipv4Bytes(v4[1]);
    text =
      text.slice(0, -v4[1].length) + `${b.readUInt16BE(0).toString(16)}:${b.readUInt16BE(2).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) throw new WireError(`bad IPv6 address ${ip}`);
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const groups =
    halves.length === 2 ? [...head, ...Array(8 - head.length - tail.length).fill('0'), ...tail] : head;
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g)))
    throw new WireError(`bad IPv6 address ${ip}`);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

/** inet_ntop-style text of 16 address bytes. */
export function ipv6Text(b: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  // Collapse the longest run of zero groups, as inet_ntop does.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

function writeRecord(w: Writer, r: Record): void {
  w.name(r.name);
  w.u16(r.type);
  w.u16(CLASS_IN);
  w.u32(r.ttl);
  const lenAt = w.len;
  w.u16(0);
  const start = w.len;
  switch (r.type) {
    case RRType.A:
      w.bytes(ipv4Bytes(r.data));
      break;
    case RRType.AAAA:
      w.bytes(ipv6Bytes(r.data));
      break;
    case RRType.NS:
    case RRType.CNAME:
    case RRType.PTR:
      w.name(r.data);
      break;
    case RRType.SOA:
      w.name(r.data.mname);
      w.name(r.data.rname);
      w.u32(r.data.serial);
      w.u32(r.data.refresh);
      w.u32(r.data.retry);
      w.u32(r.data.expire);
      w.u32(r.data.minimum);
      break;
    case RRType.TXT:
      for (const s of r.data) {
        const b = Buffer.from(s, 'utf8').subarray(0, 255);
        w.u8(b.length);
        w.bytes(b);
      }
      break;
    case RRType.SRV:
      w.u16(r.data.priority);
      w.u16(r.data.weight);
      w.u16(r.data.port);
      // RFC 2782: the SRV target must not be compressed.
      w.name(r.data.target, false);
      break;
  }
  w.setU16(lenAt, w.len - start);
}

function writeOpt(w: Writer, edns: Edns): void {
  w.u8(0); // root name
  w.u16(RRType.OPT);
  w.u16(edns.udpSize);
  w.u8(edns.extendedRcode);
  w.u8(edns.version);
  w.u16(edns.dnssecOk ? 0x8000 : 0);
  w.u16(0);
}

export function encodeMessage(m: Message): Buffer {
  const w = new Writer();
  w.u16(m.id);
  const flags =
    (m.qr ? 0x8000 : 0) |
    ((m.opcode & 0xf) << 11) |
    (m.aa ? 0x0400 : 0) |
    (m.tc ? 0x0200 : 0) |
    (m.rd ? 0x0100 : 0) |
    (m.ra ? 0x0080 : 0) |
    (m.rcode & 0xf);
  w.u16(flags);
  w.u16(m.questions.length);
  w.u16(m.answers.length);
  w.u16(m.authority.length);
  w.u16(m.additional.length + (m.edns ? 1 : 0));
  for (const q of m.questions) {
    w.name(q.name);
    w.u16(q.type);
    w.u16(q.class);
  }
  for (const r of m.answers) writeRecord(w, r);
  for (const r of m.authority) writeRecord(w, r);
  for (const r of m.additional) writeRecord(w, r);
  if (m.edns) writeOpt(w, { ...m.edns, extendedRcode: m.rcode >> 4 });
  return w.result();
}

function readRecordData(buf: Buffer, type: number, pos: number, len: number): Record['data'] | undefined {
  switch (type) {
    case RRType.A:
      if (len !== 4) throw new WireError('A record is not 4 bytes');
      return Array.from(buf.subarray(pos, pos + 4)).join('.');
    case RRType.AAAA:
      if (len !== 16) throw new WireError('AAAA record is not 16 bytes');
      return ipv6Text(buf.subarray(pos, pos + 16));
    case RRType.NS:
    case RRType.CNAME:
    case RRType.PTR:
      return readName(buf, pos).name;
    case RRType.SOA: {
      const m = readName(buf, pos);
      const r = readName(buf, m.next);
      const o = r.next;
      return {
        mname: m.name,
        rname: r.name,
        serial: buf.readUInt32BE(o),
        refresh: buf.readUInt32BE(o + 4),
        retry: buf.readUInt32BE(o + 8),
        expire: buf.readUInt32BE(o + 12),
        minimum: buf.readUInt32BE(o + 16),
      };
    }
    case RRType.TXT: {
      const out: string[] = [];
      for (let p = pos; p < pos + len;) {
        const l = buf[p];
        out.push(buf.toString('utf8', p + 1, p + 1 + l));
        p += 1 + l;
      }
      return out;
    }
    case RRType.SRV:
      return {
        priority: buf.readUInt16BE(pos),
        weight: buf.readUInt16BE(pos + 2),
        port: buf.readUInt16BE(pos + 4),
        target: readName(buf, pos + 6).name,
      };
    default:
      return undefined;
  }
}

/** Parses a message; records of types this module does not know are skipped. Throws WireError. */
export function decodeMessage(buf: Buffer): Message {
  if (buf.length < 12) throw new WireError('message shorter than its header');
  const flags = buf.readUInt16BE(2);
  const counts = [buf.readUInt16BE(4), buf.readUInt16BE(6), buf.readUInt16BE(8), buf.readUInt16BE(10)];
  const m: Message = {
    id: buf.readUInt16BE(0),
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    aa: (flags & 0x0400) !== 0,
    tc: (flags & 0x0200) !== 0,
    rd: (flags & 0x0100) !== 0,
    ra: (flags & 0x0080) !== 0,
    rcode: flags & 0xf,
    questions: [],
    answers: [],
    authority: [],
    additional: [],
  };
  let pos = 12;
  for (let i = 0; i < counts[0]; i++) {
    const n = readName(buf, pos);
    if (n.next + 4 > buf.length) throw new WireError('truncated question');
    m.questions.push({ name: n.name, type: buf.readUInt16BE(n.next), class: buf.readUInt16BE(n.next + 2) });
    pos = n.next + 4;
  }
  const sections = [m.answers, m.authority, m.additional];
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < counts[s + 1]; i++) {
      const n = readName(buf, pos);
      if (n.next + 10 > buf.length) throw new WireError('truncated record header');
      const type = buf.readUInt16BE(n.next);
      const cls = buf.readUInt16BE(n.next + 2);
      const ttl = buf.readUInt32BE(n.next + 4);
      const len = buf.readUInt16BE(n.next + 8);
      const dataAt = n.next + 10;
      if (dataAt + len > buf.length) throw new WireError('record data runs past the end of the message');
      pos = dataAt + len;
      if (type === RRType.OPT) {
        if (s !== 2 || n.name !== '' || m.edns) throw new WireError('misplaced or repeated OPT record');
        m.edns = {
          udpSize: cls,
          extendedRcode: ttl >>> 24,
          version: (ttl >>> 16) & 0xff,
          dnssecOk: (ttl & 0x8000) !== 0,
        };
        m.rcode |= m.edns.extendedRcode << 4;
        continue;
      }
      const data = readRecordData(buf, type, dataAt, len);
      if (data !== undefined) sections[s].push({ name: n.name, type, ttl, data } as Record);
    }
  }
  return m;
}
